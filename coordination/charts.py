"""Horizontal bar charts as SVG, drawn on the server.

Our Content Security Policy allows no inline styles or scripts, so a chart is plain SVG
geometry (attributes only) with classes that static/css/coordination.css colours. A chart
is a picture of the table printed beside it: it is aria-hidden, and screen readers read the
table instead.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
LABEL_WIDTH = 210
PLOT_WIDTH = 340  # leaves room after the longest bar for its number
ROW_HEIGHT = 28
BAR_HEIGHT = 18
LABEL_CHARS = 30


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | float | Decimal
    # A budget draws a marker at its value; level colours the bar ("over", "close" or "").
    budget: int | None = None
    level: str = ""


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _number(value: int | float | Decimal) -> str:
    if isinstance(value, int):
        return str(value)
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(bars: Sequence[Bar], *, table_id: str) -> SafeString:
    """An SVG bar chart of `bars`, one row each, scaled to the largest value or budget;
    nothing when there are no bars (the table beside it says so).

    `table_id` names the table with the same numbers; the SVG points to it in data-table so
    that the page (and its tests) can tie the two together.
    """
    if not bars:
        return SafeString("")
    scale = max([float(bar.value) for bar in bars] + [float(bar.budget or 0) for bar in bars])
    height = len(bars) * ROW_HEIGHT + 4
    rows = []
    for index, bar in enumerate(bars):
        top = index * ROW_HEIGHT + 4
        length = round(float(bar.value) / scale * PLOT_WIDTH, 1) if scale else 0
        classes = "chart__bar" + (f" chart__bar--{bar.level}" if bar.level else "")
        middle = top + BAR_HEIGHT / 2
        rows.append(
            format_html(
                '<g class="chart__row">'
                '<text class="chart__label" x="{}" y="{}" text-anchor="end"'
                ' dominant-baseline="central">{}</text>'
                '<rect class="{}" x="{}" y="{}" width="{}" height="{}" rx="2"></rect>'
                '<text class="chart__value" x="{}" y="{}" dominant-baseline="central">{}</text>'
                "{}</g>",
                LABEL_WIDTH - 8,
                middle,
                _short(bar.label),
                classes,
                LABEL_WIDTH,
                top,
                length,
                BAR_HEIGHT,
                LABEL_WIDTH + length + 6,
                middle,
                _number(bar.value) + (f" / {bar.budget}" if bar.budget is not None else ""),
                _budget_marker(bar.budget, scale, top),
            )
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="{}" height="{}"'
        ' preserveAspectRatio="xMinYMin meet" aria-hidden="true" focusable="false"'
        ' data-table="{}">{}</svg>',
        WIDTH,
        height,
        WIDTH,
        height,
        table_id,
        format_html_join("", "{}", ((row,) for row in rows)),
    )


def _budget_marker(budget: int | None, scale: float, top: int) -> SafeString:
    if budget is None or not scale:
        return SafeString("")
    x = round(LABEL_WIDTH + budget / scale * PLOT_WIDTH, 1)
    return format_html(
        '<line class="chart__budget" x1="{}" x2="{}" y1="{}" y2="{}"></line>',
        x,
        x,
        top - 2,
        top + BAR_HEIGHT + 2,
    )
