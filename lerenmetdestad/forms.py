"""Reading a posted field or two without a Django form, as safely as a form would.

Django's form fields refuse what PostgreSQL cannot store or Python cannot convert: CharField
refuses NUL characters, IntegerField refuses digits outside 0-9. A few views read a field
straight from request.POST (a motivation beside a button, a schedule of many small fields);
they read it through these helpers, so a hand-made request cannot turn into a server error.
"""

import re

from django.http import QueryDict

NUL = "\x00"
# str.isdigit() is true for "²" and "①" too, which int() refuses; only ASCII digits count,
# and no more than a primary key can hold.
_ID = re.compile(r"[0-9]{1,18}")


def posted_text(data: QueryDict | dict, name: str) -> str:
    """The text posted under `name`, without NUL characters.

    No browser sends NUL from a text box and PostgreSQL cannot store it, so dropping it
    loses nothing a person typed.
    """
    return str(data.get(name, "")).replace(NUL, "")


def posted_id(data: QueryDict | dict, name: str) -> int | None:
    """The primary key posted under `name`, or None when it is not a plain number."""
    raw = str(data.get(name, "")).strip()
    return int(raw) if _ID.fullmatch(raw) else None
