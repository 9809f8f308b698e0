"""The report links each evidence item and each item a warning names to its page in its
tool; keys and links from tools are escaped, and only web addresses become links."""

from __future__ import annotations

from report_data import document, item, kr, objective
from report_dom import parse

from okrsync.report import render_report

HOSTILE = '"><script>alert(1)</script>'
SAFE = "https://j.example.com/browse/%22%3E%3Cscript%3E"


def _page() -> str:
    linked = {**item(1), "url": "https://j.example.com/browse/SHOP-1"}
    hostile = {**item(2), "key": HOSTILE, "url": SAFE}
    unlinked = item(3, done=False)  # a tool without links
    smuggled = {**item(4), "url": "javascript:alert(1)"}  # never a link
    github = {**item(5), "source": "github", "key": "acme/shop#5"}
    github["url"] = "https://github.com/acme/shop/issues/5"
    result = kr(
        "linked",
        evidence={"counts": {}, "items": [linked, hostile, unlinked, smuggled, github]},
        warnings=["1 unestimated item excluded: acme/shop#5", "a warning naming nothing"],
        warning_items=[
            [{"source": "github", "key": "acme/shop#5", "url": github["url"]}],
            [],
        ],
    )
    return render_report(document([objective("obj", ["linked"])], [result]), {}, {})


def test_each_evidence_item_links_to_its_tool_with_its_source() -> None:
    html = _page()
    rows = parse(html).by_id("kr-linked").find("details", "evidence").find_all("td", "key")
    cells = [
        (
            row.find("span", "source").text(),
            row.text().split(" ", 1)[1],
            [a.attrs["href"] for a in row.find_all("a")],
        )
        for row in rows
    ]
    assert cells == [
        ("jira", "SHOP-1", ["https://j.example.com/browse/SHOP-1"]),
        ("jira", HOSTILE, [SAFE]),  # shown as text, the link as given (already encoded)
        ("jira", "SHOP-3", []),
        ("jira", "SHOP-4", []),  # not an http(s) address: no link
        ("github", "acme/shop#5", ["https://github.com/acme/shop/issues/5"]),
    ]
    assert "<script" not in html
    assert "javascript:" not in html
    assert all(a.attrs["rel"] == "noopener noreferrer" for row in rows for a in row.find_all("a"))


def test_a_warning_links_the_items_it_names() -> None:
    warnings = parse(_page()).by_id("kr-linked").find("ul", "warnings").find_all("li")
    first = [(a.text(), a.attrs["href"]) for a in warnings[0].find_all("a")]
    assert first == [("github acme/shop#5", "https://github.com/acme/shop/issues/5")]
    assert warnings[1].find_all("a") == []
    assert warnings[1].text() == "a warning naming nothing"


def test_one_source_shows_no_source_column() -> None:
    result = kr("plain", evidence={"counts": {}, "items": [item(1), item(2)]})
    page = parse(render_report(document([objective("obj", ["plain"])], [result]), {}, {}))
    rows = page.by_id("kr-plain").find("details", "evidence").find_all("td", "key")
    assert [row.text() for row in rows] == ["SHOP-1", "SHOP-2"]
    assert not any(row.find_all("span", "source") for row in rows)
