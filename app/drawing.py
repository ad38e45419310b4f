"""Geometry for the pictures: where each mark, row and node goes, in SVG units.

The data comes from ``kb.stories``; the templates in ``templates/svg/`` draw it.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

STANCE_COLOURS = {"denies": "#b3261e", "disputes": "#d0661b", "qualifies": "#6b4fbb", "confirms": "#1e7a3a",
                  "retracts": "#7a4b00"}
STATUS_COLOURS = {"reported": "#8a93a0", "disputed": "#b3261e", "confirmed": "#1e7a3a", "retracted": "#7a4b00"}
NEUTRAL = "#5b6472"
VERDICT_COLOUR = "#1f2530"  # an analysts' verdict: drawn as a diamond, apart from the stances
MIN_DAYS = 62  # the narrowest axis: two months
MAX_RADIUS = 30  # a party's circle grows with its disputes up to this
MAX_EDGE_WIDTH = 6  # and an aggregated edge with its count (its arrowhead grows with its width)


def _day(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def _ticks(lo: dt.date, hi: dt.date) -> list[tuple[dt.date, str]]:
    """Month ticks (labelled YYYY-MM) for up to three years, else year ticks."""
    out = []
    if (hi - lo).days <= 3 * 366:
        y, m = lo.year, lo.month
        step = max(1, math.ceil(((hi.year - lo.year) * 12 + hi.month - lo.month + 1) / 12))
        while dt.date(y, m, 1) <= hi:
            d = dt.date(y, m, 1)
            if d >= lo and (m - 1) % step == 0:
                out.append((d, f"{y}-{m:02d}"))
            m += 1
            if m == 13:
                y, m = y + 1, 1
    else:
        for y in range(lo.year + (lo > dt.date(lo.year, 1, 1)), hi.year + 1):
            out.append((dt.date(y, 1, 1), str(y)))
    return out


def _lanes(marks: list[dict]) -> int:
    """Give each mark a lane so that marks whose spans overlap do not cover each other."""
    ends: list[str] = []
    for m in marks:
        for i, end in enumerate(ends):
            if m["when"]["start"] > end:
                ends[i] = m["when"]["end"]
                m["lane"] = i
                break
        else:
            m["lane"] = len(ends)
            ends.append(m["when"]["end"])
    return max(1, len(ends))


def timeline(rows: list[dict], *, width: int = 960, label_width: int = 0, compact: bool = False) -> dict:
    """Layout of claim timelines stacked one per row: axis, marks, status bands."""
    starts = [m["when"]["start"] for r in rows for m in r["marks"]]
    ends = [m["when"]["end"] for r in rows for m in r["marks"]]
    if not starts:
        return {"width": width, "height": 60, "rows": [], "ticks": [], "empty": True, "label_width": label_width}
    lo, hi = _day(min(starts)), _day(max(ends)) + dt.timedelta(days=1)
    if (hi - lo).days < MIN_DAYS:
        pad = (MIN_DAYS - (hi - lo).days) // 2
        lo, hi = lo - dt.timedelta(days=pad), hi + dt.timedelta(days=MIN_DAYS - (hi - lo).days - pad)
    pad = max(2, (hi - lo).days // 40)
    lo, hi = lo - dt.timedelta(days=pad), hi + dt.timedelta(days=pad)
    x0, x1 = label_width + 10, width - 10
    days = (hi - lo).days

    def x(d: dt.date) -> float:
        return round(x0 + (x1 - x0) * (d - lo).days / days, 1)

    lane_h, band_h, gap = (9, 4, 6) if compact else (14, 6, 12)
    top = 18 if compact else 28
    y = top
    laid = []
    for r in rows:
        marks = [dict(m) for m in r["marks"]]
        lanes = _lanes(marks)
        for m in marks:
            a, b = _day(m["when"]["start"]), _day(m["when"]["end"]) + dt.timedelta(days=1)
            m["x"], m["w"] = x(a), max(3.0, round(x(b) - x(a), 1))
            m["y"] = y + m["lane"] * lane_h
            m["h"] = lane_h - 3
            m["colour"] = VERDICT_COLOUR if m["kind"] == "verdict" else STANCE_COLOURS.get(m.get("stance"), NEUTRAL)
            m["point"] = m["when"]["precision"] == "day"
        band_y = y + lanes * lane_h + 1
        bands = []
        for s in r["status_segments"]:
            if not s["from"]:
                continue
            a = max(x(_day(s["from"])), x0)
            b = x(_day(s["to"])) if s["to"] else x1
            if b > a:
                bands.append({"x": a, "w": round(b - a, 1), "status": s["status"],
                              "colour": STATUS_COLOURS[s["status"]], "given": s.get("from_given"),
                              "dated_by": s.get("from_dated_by")})
        height = lanes * lane_h + band_h + 2
        laid.append({**r, "marks": marks, "y": y, "height": height, "band_y": band_y, "band_h": band_h,
                     "bands": bands})
        y += height + gap
    return {"width": width, "height": y + 4, "rows": laid, "label_width": label_width, "top": top,
            "ticks": [{"x": x(d), "label": label} for d, label in _ticks(lo, hi)],
            "axis_y": top - 6, "x0": x0, "x1": x1, "empty": False}


def _packed_layout(g: nx.Graph, width: int, height: int) -> dict:
    """Each connected component laid out on its own (spring layout, fixed seed),
    the components packed in a grid, the biggest first, each in a cell sized by its node count."""
    import networkx as nx

    comps = sorted((g.subgraph(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), sorted(c)))
    weights = [math.sqrt(len(c)) for c in comps]
    cols = max(1, round(math.sqrt(len(comps) * width / height)))
    rows = [comps[i:i + cols] for i in range(0, len(comps), cols)]
    row_w = [weights[i:i + cols] for i in range(0, len(comps), cols)]
    row_h = [max(w) for w in row_w]
    mx, my = 70, 30
    total_h = sum(row_h)
    pos, y = {}, my
    for comp_row, ws, rh in zip(rows, row_w, row_h, strict=True):
        cell_h = (height - 2 * my) * rh / total_h
        x = mx
        for comp, w in zip(comp_row, ws, strict=True):
            cell_w = (width - 2 * mx) * w / sum(ws)
            if len(comp) == 1:
                local = {n: (0.0, 0.0) for n in comp}
            elif len(comp) >= 400:
                # networkx's spring layout needs scipy past 500 nodes; a graph this big is read by its
                # edges' weights, so a circle (hubs of the aggregated network first) is enough
                order = sorted(comp, key=lambda v: (-comp.degree(v), v))
                local = nx.circular_layout(comp.subgraph(order))
            else:
                key = frozenset(comp.nodes)
                local = _LAYOUTS.get(key)
                if local is None:
                    # each iteration costs the square of the nodes: a big component (an aggregated network
                    # of 200 agents) gets fewer, which keep its hubs apart (400 ms to 90 ms at 200 nodes)
                    local = nx.spring_layout(comp, seed=7, k=1.2 / math.sqrt(len(comp)),
                                             iterations=200 if len(comp) <= 60 else 50)
                    if len(comp) > 60:  # worth keeping: a write that changes only weights redraws at once
                        with _LAYOUTS_LOCK:
                            _LAYOUTS[key] = local
                            while len(_LAYOUTS) > 32:
                                _LAYOUTS.popitem(last=False)
            xs = [p[0] for p in local.values()]
            ys = [p[1] for p in local.values()]
            # small components get a cell-sized box but keep their shape compact
            span_x = min(cell_w - 60, 140 * math.sqrt(len(comp)))
            span_y = min(cell_h - 60, 110 * math.sqrt(len(comp)))
            for n, p in local.items():
                fx = (p[0] - min(xs)) / ((max(xs) - min(xs)) or 1) - 0.5 if len(xs) > 1 else 0
                fy = (p[1] - min(ys)) / ((max(ys) - min(ys)) or 1) - 0.5 if len(ys) > 1 else 0
                pos[n] = (x + cell_w / 2 + fx * span_x, y + cell_h / 2 + fy * span_y)
            x += cell_w
        y += cell_h
    return pos


# Spring layouts of big components, by their set of nodes: after a write the
# aggregated network of a big entity usually has the same nodes (only edge
# weights change), and its layout (80-220 ms at 200 nodes) is reused as it was.
_LAYOUTS: OrderedDict = OrderedDict()
_LAYOUTS_LOCK = threading.Lock()


def network(data: dict, *, width: int = 960, height: int = 640) -> dict:
    """Force-directed positions (deterministic: a fixed seed) for the dispute network."""
    import networkx as nx  # here, not at the top: a fifth of a fresh process's start, for one page

    g = nx.Graph()
    for n in data["nodes"]:
        g.add_node((n["kind"], n["id"]))
    for e in data["edges"]:
        a = ("claim" if e["kind"] == "relation" else "agent", e["from"])
        b = ("claim", e["to"]) if e["kind"] != "party" else ("agent", e["to"])
        if a != b:
            g.add_edge(a, b, weight=e.get("weight", 1))
    if not g:
        return {"width": width, "height": 120, "nodes": [], "edges": [], "empty": True}
    height = max(height, min(1500, 240 + 6 * g.number_of_nodes()))  # room grows with the graph
    claim_labels = sum(1 for n in data["nodes"] if n["kind"] == "claim") <= 40  # else on hover only
    pos = _packed_layout(g, width, height)

    def place(p):
        return round(p[0], 1), round(p[1], 1)

    nodes = []
    where = {}
    for n in data["nodes"]:
        px, py = place(pos[(n["kind"], n["id"])])
        where[(n["kind"], n["id"])] = (px, py)
        # capped: the "others" node of a folded network holds thousands of disputes
        r = min(MAX_RADIUS, 7 + 2.2 * math.sqrt(n.get("disputes", 0))) if n["kind"] == "agent" else 6
        nodes.append({**n, "x": px, "y": py, "r": round(r, 1), "label": n["kind"] == "agent" or claim_labels,
                      "colour": STATUS_COLOURS.get(n.get("status"), "#12315f") if n["kind"] == "claim" else "#12315f"})
    radius = {(v["kind"], v["id"]): v["r"] for v in nodes}
    edges = []
    for e in data["edges"]:
        target = ("claim", e["to"]) if e["kind"] != "party" else ("agent", e["to"])
        a, b = where[("claim" if e["kind"] == "relation" else "agent", e["from"])], where[target]
        if e["kind"] != "claims" and a != b:  # stop the arrow at the target's edge
            dx, dy = b[0] - a[0], b[1] - a[1]
            dist = math.hypot(dx, dy) or 1
            pull = radius[target] + 3
            b = (round(b[0] - dx * pull / dist, 1), round(b[1] - dy * pull / dist, 1))
        colour = STANCE_COLOURS.get(e.get("stance"), "#aab1bb") if e["kind"] != "claims" else "#aab1bb"
        edges.append({**e, "x1": a[0], "y1": a[1], "x2": b[0], "y2": b[1], "colour": colour,
                      "width": round(min(MAX_EDGE_WIDTH, 1.5 + 1.5 * math.log2(e.get("weight", 1))), 1), "self": a == b})
    return {"width": width, "height": height, "nodes": nodes, "edges": edges, "empty": False}
