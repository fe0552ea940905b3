"""Driving a graph page in the browser: wait for the first drawing, read what vis-network
holds, click a node where it is drawn, search.

Everything is read through ``window.redchainNetwork`` (the page's vis DataSets and
network) with ``page.evaluate``; waiting uses selectors, which the page's CSP allows
(``wait_for_function`` would need ``unsafe-eval``).
"""

from __future__ import annotations

import re

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def shot(page, name: str) -> Path:
    """Save a screenshot as a test artefact (artifacts/screenshots/, gitignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def wait_drawn(page, timeout: float = 20_000) -> None:
    page.wait_for_selector("body[data-graph-ready]", state="attached", timeout=timeout)


def node_ids(page) -> list[str]:
    """The ids in the page's vis DataSet of nodes."""
    return page.evaluate("() => window.redchainNetwork.nodes.getIds()")


def drawn(page) -> tuple[int, int]:
    """(nodes in the DataSet, nodes the network actually lays out and draws)."""
    return tuple(page.evaluate("() => [window.redchainNetwork.nodes.length, window.redchainNetwork.drawn()]"))


def shown_at_first(page) -> int:
    """How many nodes of the payload are on a layer that is on when the page opens."""
    return page.evaluate(
        "() => { const d = window.redchainNetwork.data; return d.nodes.filter(n => d.styles.layers[n.layer].on).length; }")


def click_node(page, node_id: str, *, double: bool = False) -> None:
    """Bring a node to the middle at a readable zoom (no selection), then click it with
    the mouse where the canvas draws it."""
    point = page.evaluate(
        """id => {
            const net = window.redchainNetwork.network;
            const at = net.getPositions([id])[id];
            net.moveTo({position: at, scale: 1.6, animation: false});
            return net.canvasToDOM(at);
        }""",
        node_id,
    )
    page.wait_for_timeout(50)
    box = page.locator("#graph canvas").bounding_box()
    x, y = box["x"] + point["x"], box["y"] + point["y"]
    if double:
        page.mouse.dblclick(x, y)
    else:
        page.mouse.click(x, y)


def selected(page) -> list[str]:
    return page.evaluate("() => window.redchainNetwork.network.getSelectedNodes()")


def view_centre_distance(page, node_id: str) -> float:
    """How far (canvas units) the view's centre is from a node: ~0 once it is focused."""
    return page.evaluate(
        """id => {
            const net = window.redchainNetwork.network;
            const at = net.getPositions([id])[id], c = net.getViewPosition();
            return Math.hypot(at.x - c.x, at.y - c.y);
        }""",
        node_id,
    )


def search(page, text: str) -> None:
    page.fill("#search-input", text)
    page.click("#search button[type=submit]")


def propose(page, base_url: str, kind: str, *, chain: str | None = None, timeout: float = 30_000) -> None:
    """On the plans page, run the planner ``kind`` (for ``chain``, else every chain) and
    wait for its review page to be drawn."""
    page.goto(base_url + "/views/plans")
    form = page.locator("form.plan-form", has=page.locator(f"input[name=kind][value={kind}]"))
    if chain is not None:
        form.locator("select[name=chain]").select_option(chain)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/views/plans/[\w-]+$"), timeout=timeout)
    wait_drawn(page)


def label_clashes(page) -> list[str]:
    """What is wrong with the names the page wrote (``labelBoxes``, screen pixels): one over
    another, one over a drawn node other than its own, one not wholly inside the graph area."""
    return page.evaluate(
        """() => { const r = window.redchainNetwork, net = r.network, el = document.getElementById('graph');
        const boxes = r.labelBoxes(), out = [];
        const hit = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        const nodes = net.body.nodeIndices.map(id => { const b = net.getBoundingBox(id);
          const p = net.canvasToDOM({x: b.left, y: b.top}), q = net.canvasToDOM({x: b.right, y: b.bottom});
          return {id: id, x: p.x, y: p.y, w: q.x - p.x, h: q.y - p.y}; });
        boxes.forEach((a, i) => {
          if (a.x < 0 || a.y < 0 || a.x + a.w > el.clientWidth || a.y + a.h > el.clientHeight) out.push(a.id + ' outside');
          boxes.slice(i + 1).forEach(b => { if (hit(a, b)) out.push(a.id + ' over ' + b.id); });
          nodes.forEach(n => { if (n.id !== a.id && hit(a, n)) out.push(a.id + ' over node ' + n.id); });
        });
        return out; }""")
