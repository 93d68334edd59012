class EventError(Exception):
    """A rule about an event or a registration was broken; the message is fit to show.

    `field` names the form field the message belongs to, when there is one, so a view can
    show the message beside that field instead of at the top of the form.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field
