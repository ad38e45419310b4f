"""The data behind the pictures: a claim's timeline, a story's timeline and
the dispute network. Plain dicts, ready for JSON; drawing is the app's job.

Dates keep the precision the sources give: ``2025-09`` is the span of that
month, ``2025`` the span of that year, never a made-up day.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from . import filters as filters_
from .errors import KBError
from .listing import listing
from .model import STANCE_NAMES
from .status import span

MAX_NETWORK_NODES = 200  # beyond this the network is drawn party to party
OTHERS = "_others"  # the node that stands for the agents folded together in a very big network
STORY_LIMIT = 30  # claims a story timeline shows by default: the most recent ones
MAX_STORY_LIMIT = 200  # and at most, whatever is asked (more is neither readable nor quick)


def claim_timeline(kb, ref) -> dict:
    """Where and when a claim appeared, each stance taken on it, and its status over time."""
    c = ref if isinstance(ref, dict) else kb.get_claim(ref)
    marks = []
    if c["date"]:
        marks.append({"kind": "made", "when": span(c["date"]), "agent": c["claimant"]})
    quote_source = (c["quote"] or {}).get("source") or {}
    for s in c["sources"]:
        if s and s.get("published"):
            marks.append({"kind": "appeared", "when": span(s["published"]), "source": _src(s),
                          "quote": c["quote"]["exact"] if c["quote"] and quote_source.get("id") == s["id"] else None})
    for d in c["disputes"]:
        if d["withdrawn"]:
            continue
        when = span(d["date"] or d["effective_date"])
        dated_by = "dispute" if d["date"] else "source" if when else "recorded"
        if when is None and d["recorded_at"]:
            when = span(d["recorded_at"][:10])
        marks.append({"kind": "dispute", "id": d["id"], "when": when, "dated_by": dated_by,
                      "stance": d["stance"], "agent": d["party"], "text": d["text"],
                      "source": _src(d["sources"][0]) if d["sources"] and d["sources"][0] else None,
                      "quote": d["quote"]["exact"] if d["quote"] else None})
    # what analysts concluded, and when (apart from the stances: a verdict is no party's)
    for v in kb.verdicts.history(c["id"]) if c.get("verdict") else ():
        marks.append({"kind": "verdict", "id": "verdict", "when": span(v["date"]) if v.get("date") else None,
                      "rating": v["rating"] or "unmapped", "label": v["label"], "agent": v["author"],
                      "current": v["current"]})
    marks = [m for m in marks if m["when"]]
    marks.sort(key=lambda m: (m["when"]["start"], {"made": 0, "appeared": 1, "dispute": 2, "verdict": 3}[m["kind"]]))
    segments = []
    timeline = c["status_timeline"]
    for i, s in enumerate(timeline):
        start = span(s["date"])["start"] if s["date"] else (marks[0]["when"]["start"] if marks else None)
        nxt = timeline[i + 1]["date"] if i + 1 < len(timeline) else None
        segments.append({"status": s["status"], "from": start, "from_given": s.get("as_given"),
                         "from_dated_by": s.get("dated_by"),
                         "to": span(nxt)["start"] if nxt else None})
    return {"id": c["id"], "iri": c["iri"], "text": c["text"], "status": c["status"], "claimant": c["claimant"],
            "marks": marks, "status_segments": segments}


def _src(s: dict) -> dict:
    return {"id": s["id"], "iri": s["iri"], "name": s.get("headline") or s.get("name"), "url": s.get("url"),
            "published": s.get("published"), "publisher": s.get("publisher")}


def story_timeline(kb, *, limit: int = STORY_LIMIT, **filters) -> dict:
    """The timelines of a set of claims (a search, an entity, a source), stacked:
    the ``limit`` most recent of them (at most ``MAX_STORY_LIMIT``), read together."""
    limit = max(1, min(int(limit), MAX_STORY_LIMIT))
    iris, total = kb.claim_page(**filters, limit=limit)
    rows = [claim_timeline(kb, c) for c in kb.get_claims(iris)]
    rows.sort(key=lambda r: (r["marks"][0]["when"]["start"] if r["marks"] else "9999", r["id"]))
    starts = [m["when"]["start"] for r in rows for m in r["marks"]]
    ends = [m["when"]["end"] for r in rows for m in r["marks"]]
    return {"filters": {k: v for k, v in filters.items() if v}, "total": total, "shown": len(rows),
            "limit": limit, "truncated": len(rows) < total,
            "from": min(starts, default=None), "to": max(ends, default=None), "claims": rows}


def busiest_stories(kb, *, limit: int = 3, per_story: int = 8) -> list[dict]:
    """The topics gathering most disputes and claims, each as a small story timeline.
    Kept until the next write: in this process, and in the claim index's file (kb.index
    ``kept``), so that a fresh process's first home page does not read its claims from the store."""
    def compute():
        data = kb.data
        if data.index is None or (data.replica is not None and not data.replica.sync()):
            return _busiest(kb, limit, per_story)
        return data.index.kept(f"busiest {limit} {per_story}", lambda: _busiest(kb, limit, per_story))

    return kb.data.kept("busiest", (limit, per_story), compute)


def _busiest(kb, limit, per_story):
    out = []
    for topic_iri, claims, disputes in listing(kb.data).busiest_topics(limit):
        topic = kb.get("topic", topic_iri)
        story = story_timeline(kb, about=topic["id"], limit=per_story)
        out.append({"topic": topic, "claims": claims, "disputes": disputes, "story": story})
    return out


def dispute_network(kb, *, about=None, stance=None, date_from=None, date_to=None,
                    max_nodes: int = MAX_NETWORK_NODES, use_index: bool = True) -> dict:
    """Parties and claims as nodes, stances as edges (and claimants to their
    claims); aggregated party to claimant, weighted by count, past ``max_nodes``.
    Kept until the next write: a page, its JSON and its SVG ask for the same."""
    args = (about, stance, date_from, date_to, max_nodes, use_index)
    return kb.data.kept("network", args, lambda: _dispute_network(kb, *args))


def _dispute_network(kb, about, stance, date_from, date_to, max_nodes, use_index) -> dict:
    filters = {}
    if about:
        filters["about"] = filters_.parse(kb.data, {"about": about})["about"]
    if stance:
        concept = {v: k for k, v in STANCE_NAMES.items()}.get(stance)
        if concept is None:
            raise KBError(f"unknown stance {stance!r} (expected one of: {', '.join(STANCE_NAMES.values())})")
        filters["stance"] = concept
    lo = span(date_from)["start"] if date_from and span(date_from) else None
    hi = span(date_to)["end"] if date_to and span(date_to) else None
    for name, value in (("date_from", date_from), ("date_to", date_to)):
        if value and not span(value):
            raise KBError(f"{name} must be a date: YYYY-MM-DD, YYYY-MM or YYYY (got {value!r})")
    rows = sorted(listing(kb.data, use_index).network(filters), key=lambda r: str(r["d"]))  # one order from either
    kept = []
    spans: dict = {}  # thousands of disputes share a few hundred dates
    for r in rows:
        given = str(r["date"]) if r["date"] is not None else str(r["recorded"])[:10] if r["recorded"] else None
        if given not in spans:
            spans[given] = span(given)
        when = spans[given]
        if (lo or hi) and when is None:
            continue
        if lo and when["end"] < lo or hi and when["start"] > hi:
            continue
        kept.append((r, when))
    agents = {r["party"] for r, _ in kept} | {r["claimant"] for r, _ in kept}
    claims = {r["c"] for r, _ in kept}
    aggregated = len(agents) + len(claims) > max_nodes
    folded: set = set()
    if aggregated and len(agents) > max_nodes:
        # still too many to read: the agents in fewest disputes (made or received) become one node
        involved = Counter(r["party"] for r, _ in kept) + Counter(r["claimant"] for r, _ in kept)
        busiest = sorted(agents, key=lambda a: (-involved[a], str(a)))
        folded = set(busiest[max(1, max_nodes - 1):])
    labels = kb.data.labels(agents - folded)
    labels.update({a: {"id": OTHERS} for a in folded})
    nodes, edges = [], []
    degree = Counter()
    if not aggregated:
        texts = dict(zip(sorted(claims), kb.get_claims(sorted(claims)), strict=True))
        for r, when in kept:
            degree[r["party"]] += 1
            degree[r["claimant"]] += 0
            edges.append({"from": labels[r["party"]]["id"], "to": kb.local_id(r["c"]), "kind": "stance",
                          "stance": STANCE_NAMES.get(r["stance"]), "dispute": kb.local_id(r["d"]),
                          "when": when})
        for c in sorted(claims):
            claimant = texts[c]["claimant"]
            edges.append({"from": claimant["id"], "to": kb.local_id(c), "kind": "claims"})
            nodes.append({"id": kb.local_id(c), "kind": "claim", "name": texts[c]["text"],
                          "status": texts[c]["status"]})
        shown = {kb.local_id(c) for c in claims}
        for c in sorted(claims):  # claim to claim: the relations analysts recorded between claims shown
            edges += [{"from": kb.local_id(c), "to": r["claim"], "kind": "relation", "relation": r["relation"]}
                      for r in texts[c]["relations"] if r["direction"] == "out" and r["claim"] in shown]
    else:
        weights: dict = defaultdict(Counter)
        for r, _ in kept:
            weights[(labels[r["party"]]["id"], labels[r["claimant"]]["id"])][STANCE_NAMES.get(r["stance"])] += 1
            degree[r["party"]] += 1
        order = {name: i for i, name in enumerate(STANCE_NAMES.values())}
        for (a, b), by_stance in sorted(weights.items()):
            # the most common stance; a tie goes to the stance named first (denies before disputes…)
            stances = dict(sorted(by_stance.items(), key=lambda kv: (-kv[1], order.get(kv[0], len(order)))))
            edges.append({"from": a, "to": b, "kind": "party", "weight": sum(by_stance.values()),
                          "stances": stances, "stance": next(iter(stances))})
    for a in sorted(agents - folded, key=lambda i: labels[i]["id"]):
        nodes.append({"id": labels[a]["id"], "kind": "agent", "name": labels[a]["name"],
                      "disputes": degree[a]})
    if folded:
        n = len(folded)
        nodes.append({"id": OTHERS, "kind": "agent", "others": n, "disputes": sum(degree[a] for a in folded),
                      "name": {"en": f"{n} other part{'y or claimant' if n == 1 else 'ies and claimants'}",
                             "ja": f"その他の当事者・主張者 {n}"}})
    return {"filters": {k: v for k, v in {"about": about, "stance": stance, "date_from": date_from,
                                          "date_to": date_to}.items() if v},
            "aggregated": aggregated, "folded": len(folded), "disputes": len(kept), "nodes": nodes, "edges": edges}


__all__ = ["span", "claim_timeline", "story_timeline", "busiest_stories", "dispute_network"]
