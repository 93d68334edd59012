"""Path converters shared by the apps' URLconfs."""


class TokenConverter:
    """A token in a link (signed, or random and URL-safe): only the characters tokens are
    made of, so a NUL or any other stray character is a 404 before a view or the
    database sees it."""

    regex = "[-A-Za-z0-9_:.=]{1,512}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
