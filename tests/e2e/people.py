"""People in a journey: signing up and logging in through the real forms, as a person would.

Mail leaves through the outbox table (outbox.models.Message); in a live-server test no worker
sends it, so the confirmation link is read from the queued message, as the person would read
it in their inbox.
"""

import re

from playwright.sync_api import Page, expect

from accounts import two_factor
from accounts.models import User
from outbox.models import Message
from tests.e2e.words import Words
from tests.support.mail import delivered_text
from tests.support.mfa import totp_activate, unused_totp_code

CONFIRM_PATH = re.compile(r"/account/e-mail/bevestigen/[-:\w]+/")


def confirmation_path(email: str) -> str:
    """The path of the confirmation link in the last mail to this address."""
    message = Message.objects.filter(to_email=email).latest("created_at", "pk")
    found = CONFIRM_PATH.search(delivered_text(message))
    if found is None:
        raise AssertionError(f"no confirmation link in the last mail to {email}")
    return found.group(0)


def menu(page: Page, words: Words):
    return page.get_by_role("navigation", name=words.main_menu)


def sign_up(
    page: Page, a11y, words: Words, *, name: str, email: str, role: str, password: str
) -> None:
    """From the header's sign-up link through the form and the link in the confirmation mail;
    allauth logs the person in when they confirm."""
    menu(page, words).get_by_role("link", name=words.sign_up).click()
    a11y.check(page)
    page.get_by_label(words.email).fill(email)
    page.get_by_label(words.your_name).fill(name)
    page.get_by_role("group", name=words.who_are_you).get_by_label(role, exact=True).check()
    page.get_by_label(words.password, exact=True).fill(password)
    page.get_by_label(words.password_again).fill(password)
    page.get_by_role("button", name=words.create_account).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words.check_your_mail)
    a11y.check(page)
    # The person opens the link in the mail in the same browser.
    page.goto(confirmation_path(email))
    a11y.check(page)
    page.get_by_role("main").get_by_role("button", name=words.confirm).click()
    expect(page.get_by_role("button", name=words.log_out)).to_be_visible()


def log_in(page: Page, a11y, words: Words, *, email: str, password: str) -> None:
    """From the header's log-in link through the login form, and for everyone with an
    authenticator app (every coordinator has one) the code it shows, typed in step 2."""
    person = User.objects.get(email=email)
    if two_factor.two_factor_required(person):
        totp_activate(person)
    menu(page, words).get_by_role("link", name=words.log_in).click()
    a11y.check(page)
    page.get_by_label(words.email).fill(email)
    page.get_by_label(words.password, exact=True).fill(password)
    page.get_by_role("main").get_by_role("button", name=words.log_in).click()
    if two_factor.has_authenticator_app(person):
        expect(page.get_by_role("heading", level=1)).to_have_text(words.log_in_step_two)
        a11y.check(page)
        page.get_by_label(words.app_code, exact=True).fill(unused_totp_code(person))
        page.get_by_role("main").get_by_role("button", name=words.log_in).click()
    expect(page.get_by_role("button", name=words.log_out)).to_be_visible()


def log_out(page: Page, words: Words) -> None:
    page.get_by_role("button", name=words.log_out).click()
    expect(menu(page, words).get_by_role("link", name=words.log_in)).to_be_visible()
