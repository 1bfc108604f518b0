"""axe-core in Chromium on the pages people use most, at 1366 px and on a phone (390 px).

axe-core (tests/vendor/axe-core, from npm) is injected with Playwright's `add_script_tag`;
the context bypasses the Content-Security-Policy for that one inline script (the app itself
allows none). A serious or critical violation fails the test and names the rule and the
elements. The maps' iframes are documents of their own and are not scanned here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.web.browser import close, log_in, open_page

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (1366, 390)
#: Violations of these impacts fail a page.
BLOCKING = ("serious", "critical")
#: Runs every WCAG 2.x A/AA rule and axe's best practices; reports violations only.
RUN_AXE = """async () => {
  const result = await axe.run(document, {iframes: false, resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
}"""


def violations(page: Any) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return [v for v in found if v["impact"] in BLOCKING]


def report(found: list[dict[str, Any]]) -> str:
    """The violations, one line each, for the failure message."""
    return "\n".join(f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['nodes'])}" for v in found)


@pytest.fixture(scope="module")
def ids(site: str, engine: Engine) -> dict[str, str]:
    """A demo service and place to open."""
    with engine.connect() as conn:
        return {
            "service": str(conn.execute(text("SELECT id FROM service WHERE name = 'Taalcafé'")).scalar_one()),
            "location": str(
                conn.execute(text("SELECT id FROM location WHERE name = 'De Boomspijker'")).scalar_one()
            ),
        }


@pytest.mark.parametrize("width", WIDTHS)
def test_public_pages_have_no_serious_violations(
    site: str, ids: dict[str, str], chromium: Any, width: int
) -> None:
    page = open_page(chromium, width, bypass_csp=True)
    problems: dict[str, list[dict[str, Any]]] = {}
    for path in (
        "/steun",
        "/kaart",
        f"/entries/service/{ids['service']}",
        f"/entries/location/{ids['location']}",
    ):
        page.goto(f"{site}{path}")
        page.wait_for_load_state("load")
        problems[path] = violations(page)
    # The results and the handout, as a professional gets them.
    page.goto(f"{site}/steun")
    page.fill("#address", "1011 EC")
    page.check("input[name=need_company]")
    page.check("input[name=need_activity]")
    page.click("#support-form button[type=submit]")
    page.wait_for_selector("#results")
    problems["/steun/zoeken"] = violations(page)
    with page.expect_popup() as opened:
        page.click("#handout-form button")
    handout = opened.value
    handout.wait_for_load_state("load")
    problems["/steun/folder"] = violations(handout)
    close(page)
    failing = {path: found for path, found in problems.items() if found}
    assert not failing, "\n".join(f"{path}:\n{report(found)}" for path, found in failing.items())


@pytest.mark.parametrize("width", WIDTHS)
def test_the_edit_form_has_no_serious_violations(
    site: str, ids: dict[str, str], chromium: Any, width: int
) -> None:
    page = open_page(chromium, width, bypass_csp=True)
    log_in(page, site, "bram")
    problems: dict[str, list[dict[str, Any]]] = {}
    for kind in ("service", "location"):
        page.goto(f"{site}/entries/{kind}/{ids[kind]}/bewerken")
        problems[kind] = violations(page)
    close(page)
    failing = {kind: found for kind, found in problems.items() if found}
    assert not failing, "\n".join(f"{kind} edit form:\n{report(found)}" for kind, found in failing.items())


def test_the_scan_finds_what_it_should(chromium: Any) -> None:
    """A page with an unlabelled field and an image without text fails: the scan really runs."""
    page = open_page(chromium, 1366, bypass_csp=True)
    page.set_content('<html lang="nl"><title>x</title><main><img src="x.png"><input></main></html>')
    found = {v["id"] for v in violations(page)}
    assert {"image-alt", "label"} <= found
    close(page)
