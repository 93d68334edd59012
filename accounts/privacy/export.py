"""Everything the platform holds about one person, as data that json.dumps takes as it is.

Built from the privacy registry alone: each declared section reads the person's rows of its
declaration, so a model that holds personal data is in the download as soon as its app
declares it (and tests/accounts/test_privacy_registry.py fails until it does).
"""

import json
import shutil
import zipfile
from typing import Any, BinaryIO

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder

from accounts.models import User
from accounts.privacy.erasure import person_of
from accounts.privacy.registry import Person, Section, declarations

# Raised when an item is added or its shape changes, so a reader can tell downloads apart.
# 2: the institution accounts one can log in with. 3: built from the registry; adds what
# the person created, uploaded, decided and recorded, seats, the feed, opt-outs, reminders
# and the history of their places.
FORMAT_VERSION = 3
# Names inside the ZIP, in the site's language like the file's own name.
DATA_NAME = "gegevens.json"
FILES = "bestanden/"


def personal_data(user: User) -> dict[str, Any]:
    """The person's account, profile and everything they did or that was recorded about them.

    Reads only; a fixed number of queries whatever the amount of data. Sections appear in
    the order their declarations were registered.
    """
    return _sections(person_of(user))


def archive_write(user: User, target: BinaryIO) -> None:
    """The download as one ZIP file: `gegevens.json` and, under `bestanden/`, every file the
    person uploaded, by the name the JSON gives it. A file missing from storage is listed in
    `ontbrekende-bestanden.txt` rather than failing the whole download."""
    person = person_of(user)
    missing = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            DATA_NAME,
            json.dumps(_sections(person), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
        for name in _files(person):
            try:
                with default_storage.open(name) as stored, archive.open(FILES + name, "w") as out:
                    shutil.copyfileobj(stored, out)
            except OSError:
                missing.append(name)
        if missing:
            archive.writestr("ontbrekende-bestanden.txt", "\n".join(missing) + "\n")


def _sections(person: Person) -> dict[str, Any]:
    data: dict[str, Any] = {"format_version": FORMAT_VERSION}
    sort_keys: dict[str, str] = {}
    for declaration in declarations():
        if not isinstance(declaration.download, Section):
            continue
        section = declaration.download
        rows = section.rows(declaration.rows(person))
        earlier = data.get(section.name)
        # Lists of one section join; a single item (a profile) is whichever one there is.
        data[section.name] = earlier + rows if isinstance(earlier, list) else earlier or rows
        if section.sort_key:
            sort_keys[section.name] = section.sort_key
    for name, key in sort_keys.items():
        # ISO moments in UTC sort as text; a row without one goes last.
        data[name] = sorted(data[name], key=lambda row, key=key: row[key] or "~")
    return data


def _files(person: Person) -> list[str]:
    """The storage names of every file the person uploaded, as the download's rows name them."""
    found = []
    for declaration in declarations():
        for file_field in _file_fields(declaration):
            names = declaration.rows(person).values_list(file_field, flat=True)
            found.extend(name for name in names if name)
    return sorted(set(found))


def _file_fields(declaration) -> tuple[str, ...]:
    return tuple(
        field.name
        for field in declaration.model_class._meta.concrete_fields
        if field.name in declaration.fields and field.get_internal_type() == "FileField"
    )
