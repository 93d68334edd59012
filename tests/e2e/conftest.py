"""Browser journeys: Playwright drives Debian's Chromium against Django's live server.

Playwright never downloads a browser here (`playwright install` is not part of any setup):
the `chromium` binary of Debian's package is its executable. Every page a journey loads is
checked with axe-core (tests/e2e/a11y.py); a page loaded but not checked fails the test.
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.roles import coordinators_group_sync
from tests.e2e.a11y import AccessibilityGuard
from tests.e2e.screenshots import DESKTOP

# Long enough for the first page of a cold live server on a busy 2-core machine, short
# enough that a missing element fails within seconds rather than minutes.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI and the developers' machines run as root
    "--disable-gpu",
    # Nothing but our live server: no updates, sync or background calls to the outside.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    """Browser tests run after all others.

    Playwright's sync API keeps an asyncio loop running in the main thread from the first
    browser test until the end of the session, and Django refuses ORM calls where a loop is
    running (SynchronousOnlyOperation). The e2e tests allow that (see `_allow_orm_beside_
    playwright`); tests collected after them would not, so they go last.
    """
    here = Path(__file__).parent
    unmarked = [
        item.nodeid
        for item in items
        if item.path.is_relative_to(here) and not item.get_closest_marker("e2e")
    ]
    if unmarked:
        raise pytest.UsageError(f"tests in tests/e2e/ need the e2e marker: {unmarked}")
    e2e = [item for item in items if item.get_closest_marker("e2e")]
    if e2e:
        others = [item for item in items if not item.get_closest_marker("e2e")]
        items[:] = others + e2e


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    """The test thread calls the ORM (factories, asserts) while Playwright's loop runs in it;
    the live server answers in its own thread, where no loop runs. Session-scoped so that it
    is set before the session-scoped `playwright` fixture starts its loop."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "The e2e tests need Debian's Chromium: apt-get install chromium "
            "(never `playwright install`; .ci/run installs it in CI).",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    """Pages are opened by path: page.goto("/") is the live server's home page."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        # A Dutch browser in Leiden: the site is Dutch first whatever the browser says, and
        # dates on the page follow the server's time zone.
        "locale": "nl-NL",
        "timezone_id": "Europe/Amsterdam",
    }


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture
def a11y(request):
    """The accessibility guard of this test: `a11y.check(page)` on every page reached.

    At teardown it fails the test if a page was loaded in any browser context of the test
    but never checked (unless the test failed already: then that failure says enough).
    """
    guard = AccessibilityGuard()
    yield guard
    if request.node.stash.get(_CALL_FAILED, False):
        return
    missed = guard.unchecked()
    if missed:
        pytest.fail(
            "Pages loaded without an accessibility check (call a11y.check(page) there):\n  "
            + "\n  ".join(missed),
            pytrace=False,
        )


@pytest.fixture
def new_context(new_context, a11y, live_server, _e2e_database):
    """pytest-playwright's `new_context`, with every context watched by the guard.

    `context`, `page` and any second browser a journey opens (another person) all come
    from here, so none of their pages escapes the check.
    """

    def make(**kwargs):
        # The desktop size unless the test asks for another (pytest-playwright refuses a
        # keyword given both here and in browser_context_args).
        context = new_context(**{"viewport": DESKTOP, **kwargs})
        context.set_default_timeout(TIMEOUT_MS)
        a11y.watch_context(context)
        return context

    return make


@pytest.fixture
def _e2e_database(transactional_db):
    """The live server answers from its own thread and its own connection, so the test's
    data has to be committed: a transactional database, flushed after each test.

    A flush empties every table, rows written by migrations included; Django sends
    post_migrate again afterwards, which rebuilds content types, permissions and the
    Coordinators group (accounts.roles). The only RunPython migration
    (projects 0003) fills a column and writes no rows. The sync is run here too, so a test
    never depends on how the previous one left the database.
    """
    coordinators_group_sync()
