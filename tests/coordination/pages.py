"""Reading the coordinators' pages (dashboard, impact report) as a user sees them."""

from tests.ui.html import parse


def page(response):
    assert response.status_code == 200
    return parse(response.content)


def table(tree, table_id: str) -> dict[str, list[str]]:
    """{row heading: the other cells} of one table's body."""
    body = tree.find("table", id=table_id).find("tbody")
    return {
        row.find("th").text: [cell.text for cell in row.find_all("td")]
        for row in body.find_all("tr")
        if row.find_all("th")
    }
