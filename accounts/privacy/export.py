"""Everything the platform holds about one person, as data that json.dumps takes as it is.

Built from the privacy registry alone: each declared section reads the person's rows of its
declaration, so a model that holds personal data is in the download as soon as its app
declares it (and tests/accounts/test_privacy_registry.py fails until it does).
"""

from typing import Any

from accounts.models import User
from accounts.privacy.erasure import person_of
from accounts.privacy.registry import Section, declarations

# Raised when an item is added or its shape changes, so a reader can tell downloads apart.
# 2: the institution accounts one can log in with. 3: built from the registry; adds what
# the person created, uploaded, decided and recorded, seats, the feed, opt-outs, reminders
# and the history of their places.
FORMAT_VERSION = 3


def personal_data(user: User) -> dict[str, Any]:
    """The person's account, profile and everything they did or that was recorded about them.

    Reads only; a fixed number of queries whatever the amount of data. Sections appear in
    the order their declarations were registered.
    """
    person = person_of(user)
    data: dict[str, Any] = {"format_version": FORMAT_VERSION}
    for declaration in declarations():
        if not isinstance(declaration.download, Section):
            continue
        section = declaration.download
        rows = section.rows(declaration.rows(person))
        earlier = data.get(section.name)
        # Lists of one section join; a single item (a profile) is whichever one there is.
        data[section.name] = earlier + rows if isinstance(earlier, list) else earlier or rows
    return data


def files_of(user: User) -> list[tuple[str, str]]:
    """(name in the download, name in storage) of every file the person uploaded."""
    person = person_of(user)
    found = []
    for declaration in declarations():
        for file_field in _file_fields(declaration):
            names = declaration.rows(person).values_list(file_field, flat=True)
            found.extend((name, name) for name in names if name)
    return found


def _file_fields(declaration) -> tuple[str, ...]:
    return tuple(
        field.name
        for field in declaration.model_class._meta.concrete_fields
        if field.name in declaration.fields and field.get_internal_type() == "FileField"
    )
