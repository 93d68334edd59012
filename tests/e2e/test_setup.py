"""The e2e setup itself: the browser, the accessibility guard and the people helpers."""

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.a11y import violations
from tests.e2e.people import log_in, log_out, menu, sign_up
from tests.e2e.words import DUTCH
from tests.factories import PASSWORD, StudentFactory

pytestmark = [pytest.mark.e2e]


def test_visitor_signs_up_confirms_the_address_and_is_logged_in(page, a11y):
    page.goto("/")
    a11y.check(page)

    sign_up(
        page,
        a11y,
        DUTCH,
        name="Noor Nieuw",
        email="noor@example.org",
        role="Student",
        password="Leiden-Noord-2026!",
    )

    a11y.check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Noor")
    user = User.objects.get(email="noor@example.org")
    assert (user.name, user.role) == ("Noor Nieuw", "student")
    assert EmailAddress.objects.get(user=user).verified is True


def test_person_from_a_factory_logs_in_and_out_through_the_forms(page, a11y):
    StudentFactory(name="Sanne Student", email="sanne@student.hsleiden.nl")
    page.goto("/")
    a11y.check(page)

    log_in(page, a11y, DUTCH, email="sanne@student.hsleiden.nl", password=PASSWORD)
    a11y.check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Sanne")
    log_out(page, DUTCH)
    a11y.check(page)

    expect(menu(page, DUTCH).get_by_role("link", name=DUTCH.sign_up)).to_be_visible()


def test_guard_names_the_pages_loaded_without_a_check(page, a11y):
    page.goto("/")
    page.goto("/projecten/")
    a11y.check(page)

    assert a11y.unchecked() == ["/"]
    page.go_back()
    a11y.check(page)  # so that this test's own teardown passes


def test_axe_reports_rule_element_and_help(page):
    # Not a page of ours (nothing navigates): proof that the check can fail at all.
    page.set_content('<html lang="nl"><title>t</title><main><img src="x.png"></main></html>')

    found = violations(page)

    assert len(found) == 1
    assert found[0].startswith("image-alt (critical) on img: Images must have alternative text")
