"""Op Locatie's opening hours on pages whose views belong to others (the home page)."""

from django import template

from partners.services.op_locatie import opening_hours

register = template.Library()


@register.inclusion_tag("partners/op_locatie/_hours.html")
def op_locatie_opening_hours(heading: int = 3) -> dict:
    """The days and hours in force, and the next change if one is planned, under a heading
    of the level that fits the page. One query."""
    return {"hours": opening_hours(), "heading": heading}
