"""Screenshots of the main pages for the README, made by the journeys that reach them."""

import re
from pathlib import Path

from playwright.sync_api import Page

SCREENSHOTS_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# What `new_context(**PHONE_BROWSER)` opens: a phone's screen, with touch.
PHONE_BROWSER = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def save_screenshot(page: Page, name: str) -> Path:
    """Write the visible part of the page to docs/screenshots/<name>.png.

    The viewport, not the full page: the README shows what a person sees first, and a fixed
    size keeps the images the same from one run to the next.
    """
    if not _NAME.match(name):
        raise ValueError(f"screenshot names are lower-case words with hyphens, got {name!r}")
    path = SCREENSHOTS_DIR / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    # No blinking caret or running transition in the picture.
    page.screenshot(path=path, animations="disabled", caret="hide")
    return path
