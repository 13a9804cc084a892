"""axe-core (bundled by axe-playwright-python, no Node) on a Playwright page.

`serious_violations(page)` is what a browser test asserts empty: the violations axe rates
"serious" or "critical", each as a short readable line. axe is injected over the DevTools
protocol, which the page's Content-Security-Policy does not govern, so the pages need no
exception for it."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

SERIOUS = frozenset({"serious", "critical"})

_axe = Axe()


def violations(page, *, impacts: frozenset[str] | None = None) -> list[dict]:
    """axe's violations on the page as it is now (all of them, or those of these impacts)."""
    found = _axe.run(page).response["violations"]
    return [v for v in found if impacts is None or v["impact"] in impacts]


def describe(violation: dict) -> str:
    """One violation as a line: rule, impact, and the first elements with axe's reason."""
    nodes = violation["nodes"]
    where = "; ".join(
        f"{' '.join(map(str, node['target']))}: {(node.get('failureSummary') or '').splitlines()[-1].strip()}"
        for node in nodes[:3]
    )
    more = f" (+{len(nodes) - 3} more)" if len(nodes) > 3 else ""
    return f"{violation['id']} ({violation['impact']}): {where}{more}"


def serious_violations(page) -> list[str]:
    """The page's serious and critical axe violations, described; empty when there are none."""
    return [describe(v) for v in violations(page, impacts=SERIOUS)]
