"""Steps the journeys share: a person's own browser, following a link to a page, the
messages a page shows. Every page reached is checked with axe here, so no step skips it."""

from datetime import date, datetime

from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import Locator, Page, expect

from tests.e2e.people import log_in
from tests.e2e.words import DUTCH
from tests.factories import PASSWORD


def open_browser(new_context, a11y, email: str) -> Page:
    """A person's own browser (cookies of their own), logged in from the home page."""
    page = new_context().new_page()
    page.goto("/")
    a11y.check(page)
    log_in(page, a11y, DUTCH, email=email, password=PASSWORD)
    a11y.check(page)
    return page


def follow(page: Page, a11y, link: Locator, heading: str) -> None:
    """Click a link, wait for the page with this main heading, and check it."""
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    a11y.check(page)


def messages(page: Page) -> list[str]:
    """The messages on the page: ours, or those of Django's admin."""
    return page.locator(".messages .message, ul.messagelist > li").all_inner_texts()


def dutch_date(value: date | datetime, fmt: str = "j F Y") -> str:
    """A date as the Dutch pages write it: a moment on the day it is in Leiden, as the
    template's date filter does (just after midnight there it is still yesterday in UTC)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    with translation.override("nl"):
        return date_format(value, fmt)
