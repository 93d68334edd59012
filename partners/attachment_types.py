"""The file types a partner may attach to a challenge, and how the server knows each one.

A file's type is decided here, from its suffix, which the form only accepts when the file's
first bytes match it: never from the type the browser claims, which anyone can set to
anything (an HTML page sent as "image/png", or a claim too long to store).
"""

from pathlib import PurePath
from typing import NamedTuple


class AttachmentType(NamedTuple):
    content_type: str
    # The first bytes a file of this type starts with, so a renamed executable is refused.
    signatures: tuple[bytes, ...]


# Office formats are zip containers; plain text has no signature to check.
ATTACHMENT_TYPES = {
    ".pdf": AttachmentType("application/pdf", (b"%PDF",)),
    ".png": AttachmentType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": AttachmentType("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": AttachmentType("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": AttachmentType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": AttachmentType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)
    ),
    ".pptx": AttachmentType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (b"PK\x03\x04",),
    ),
    ".odt": AttachmentType("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".txt": AttachmentType("text/plain", ()),
}
UNKNOWN = "application/octet-stream"


def attachment_type(name: str) -> AttachmentType | None:
    return ATTACHMENT_TYPES.get(PurePath(name).suffix.lower())


def attachment_content_type(name: str) -> str:
    """The type the server serves and stores a file of this name as."""
    known = attachment_type(name)
    return known.content_type if known else UNKNOWN
