"""axe-core on the pages the journeys visit, and the guard that no visited page goes unchecked.

Every page is checked against the WCAG 2.0 and 2.1 rules of levels A and AA. On our own pages
nothing is excluded: a violation there is fixed in the template or the CSS. Only Django's own
admin templates, which we do not write, may carry a violation we cannot fix from ours; each
one is listed in ADMIN_ALLOWED by rule and element, with the reason, and applies under
/beheer/ alone.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Frame, Page

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ADMIN_PREFIX = "/beheer/"


@dataclass(frozen=True)
class AllowedViolation:
    """A violation in Django's admin templates or scripts that ours cannot fix."""

    rule: str  # axe's rule id
    element: str  # the last part of axe's CSS selector: the element itself, not its place
    reason: str


ADMIN_ALLOWED: tuple[AllowedViolation, ...] = (
    AllowedViolation(
        rule="aria-prohibited-attr",
        element=".help-tooltip.search-label-icon",
        reason=(
            "Django's SelectFilter2.js (filter_horizontal) writes a <span> with an aria-label "
            "and no role into the <label> of its filter box. The box does get that text as "
            "its name (checked in the partner journey); axe objects to aria-label on a span "
            "without a role. The span comes from Django's script, not from a template of ours."
        ),
    ),
)

_axe = Axe()


def page_key(url: str) -> str:
    """What counts as one page: path and query, without the fragment or the host."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _is_allowed(path: str, rule: str, target: str) -> bool:
    if not path.startswith(ADMIN_PREFIX):
        return False
    element = target.rsplit(" ", 1)[-1]
    return any(a.rule == rule and a.element == element for a in ADMIN_ALLOWED)


def violations(page: Page) -> list[str]:
    """axe's WCAG A/AA violations on the page as it is now, one readable line per element."""
    results = _axe.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            "resultTypes": ["violations"],
        },
    )
    path = page_key(page.url)
    lines = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            # A target is a list of selectors, one more for each iframe or shadow root.
            target = " >> ".join(
                sel if isinstance(sel, str) else " ".join(sel) for sel in node["target"]
            )
            if _is_allowed(path, violation["id"], target):
                continue
            lines.append(
                f"{violation['id']} ({violation['impact']}) on {target}: {violation['help']}"
                f"\n      {node['html'][:200]}"
                f"\n      {violation['helpUrl']}"
            )
    return lines


class AccessibilityGuard:
    """Records every page loaded in the watched browser contexts and which were checked.

    A test calls `check(page)` on each page it reaches; at teardown the e2e conftest fails
    the test when a page was loaded but never checked, so a new step in a journey cannot
    skip axe by accident.
    """

    def __init__(self) -> None:
        self.visited: dict[str, None] = {}  # ordered set: the order pages were reached in
        self.checked: set[str] = set()
        self._watched: set[int] = set()

    def watch_context(self, context: BrowserContext) -> None:
        context.on("page", self.watch_page)
        for page in context.pages:
            self.watch_page(page)

    def watch_page(self, page: Page) -> None:
        if id(page) in self._watched:
            return
        self._watched.add(id(page))

        def navigated(frame: Frame) -> None:
            # Also fires for history.pushState (htmx's hx-push-url), whose page is new too.
            if frame == page.main_frame and frame.url != "about:blank":
                self.visited.setdefault(page_key(frame.url), None)

        page.on("framenavigated", navigated)

    def check(self, page: Page) -> None:
        """Run axe on the page as it is now; fail with the list of violations."""
        page.wait_for_load_state("load")
        found = violations(page)
        key = page_key(page.url)
        self.checked.add(key)
        if found:
            raise AssertionError(
                f"axe found {len(found)} WCAG A/AA violation(s) on {key}:\n  " + "\n  ".join(found)
            )

    def unchecked(self) -> list[str]:
        return [key for key in self.visited if key not in self.checked]
