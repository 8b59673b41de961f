"""Accessibility checks with axe-core, vendored and pinned (tests/e2e/vendor/axe.min.js, 4.10.3, MPL-2.0).

The pages' CSP forbids inline scripts, so `add_script_tag(content=...)` would be refused. The engine is
evaluated through the DevTools protocol instead (`page.evaluate`), which the page's CSP does not govern, so
the pages are tested under their real policy (no `bypass_csp`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
SEVERE = ("serious", "critical")
# WCAG 2.0/2.1/2.2 A and AA rules, plus axe's best practices that matter to screen-reader users.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

RUN = """async (tags) => {
  const result = await window.axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').slice(0, 200))}));
}"""

# Pages visited and what axe found there (serious or critical), collected for the report.
VISITED: dict[str, list[str]] = {}


def severe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe violations on the page as it is now, once its stylesheets have loaded.

    A page's text can be found (a test's `wait_for`) before its stylesheet applies; axe run then measures
    unstyled links (17 px tall) and reports touch targets that the styled page does not have.
    """
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE)
    violations = page.evaluate(RUN, TAGS)
    return [v for v in violations if v["impact"] in SEVERE]


def assert_accessible(page: Any, label: str = "") -> None:
    """Zero serious or critical violations on this page (WCAG 2.2 AA and best practices)."""
    found = severe_violations(page)
    VISITED[label or page.url] = [v["id"] for v in found]
    assert not found, f"axe on {label or page.url}:\n" + "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in found)
