"""The data behind the pictures: a claim's timeline, a story's timeline and
the dispute network. Plain dicts, ready for JSON; drawing is the app's job.

Dates keep the precision the sources give: ``2025-09`` is the span of that
month, ``2025`` the span of that year, never a made-up day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter, defaultdict

from rdflib import URIRef

from . import queries
from .errors import KBError
from .model import STANCE_NAMES

MAX_NETWORK_NODES = 200  # beyond this the network is drawn party to party
OTHERS = "_others"  # the node that stands for the agents folded together in a very big network
STORY_LIMIT = 30  # claims a story timeline shows by default: the most recent ones
MAX_STORY_LIMIT = 200  # and at most, whatever is asked (more is neither readable nor quick)


def span(value: str | None) -> dict | None:
    """``{"start", "end", "precision", "given"}`` for YYYY-MM-DD, YYYY-MM or YYYY."""
    if not value:
        return None
    v = str(value)[:10]
    try:
        if len(v) == 10:
            dt.date.fromisoformat(v)
            return {"start": v, "end": v, "precision": "day", "given": v}
        if len(v) == 7:
            y, m = int(v[:4]), int(v[5:7])
            last = calendar.monthrange(y, m)[1]
            return {"start": f"{v}-01", "end": f"{v}-{last:02d}", "precision": "month", "given": v}
        if len(v) == 4:
            int(v)
            return {"start": f"{v}-01-01", "end": f"{v}-12-31", "precision": "year", "given": v}
    except ValueError:
        return None
    return None


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
    marks = [m for m in marks if m["when"]]
    marks.sort(key=lambda m: (m["when"]["start"], {"made": 0, "appeared": 1, "dispute": 2}[m["kind"]]))
    segments = []
    timeline = c["status_timeline"]
    for i, s in enumerate(timeline):
        start = span(s["date"])["start"] if s["date"] else (marks[0]["when"]["start"] if marks else None)
        nxt = timeline[i + 1]["date"] if i + 1 < len(timeline) else None
        segments.append({"status": s["status"], "from": start, "from_given": s.get("as_given"),
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
    Kept until the next write (it reads the whole store)."""
    return kb.kept("busiest", (limit, per_story), lambda: _busiest(kb, limit, per_story))


def _busiest(kb, limit, per_story):
    if kb.index is not None:
        rows = kb.index.busiest_topics(limit)
    else:
        _, found = kb.store.select(queries.BUSY_TOPICS, kb.default_graphs)
        rows = [(r["topic"], int(r["claims"]), int(r["disputes"])) for r in found[:limit]]
    out = []
    for topic_iri, claims, disputes in rows:
        topic = kb.get("topic", topic_iri)
        story = story_timeline(kb, about=topic["id"], limit=per_story)
        out.append({"topic": topic, "claims": claims, "disputes": disputes, "story": story})
    return out


def _network_rows(kb, filters: dict, use_index: bool) -> list[dict]:
    """Every standing dispute of the filtered claims: its party, stance, claim, claimant, date, recorded time.
    From the claim index when there is one (one query), else from the store."""
    if kb.index is not None and use_index:
        terms: dict = {}  # thousands of rows name a few hundred agents: each IRI made once

        def iri(v):
            t = terms.get(v)
            if t is None:
                t = terms[v] = URIRef(v)
            return t

        return [{"d": d, "party": iri(p), "stance": iri(s), "c": c, "claimant": iri(a), "date": date,
                 "recorded": rec} for d, p, s, c, a, date, rec in kb.index.network(filters)]
    _, rows = kb.store.select(queries.network(filters), kb.default_graphs)
    return rows


def dispute_network(kb, *, about=None, stance=None, date_from=None, date_to=None,
                    max_nodes: int = MAX_NETWORK_NODES, use_index: bool = True) -> dict:
    """Parties and claims as nodes, stances as edges (and claimants to their
    claims); aggregated party to claimant, weighted by count, past ``max_nodes``.
    Kept until the next write: a page, its JSON and its SVG ask for the same."""
    args = (about, stance, date_from, date_to, max_nodes, use_index)
    return kb.kept("network", args, lambda: _dispute_network(kb, *args))


def _dispute_network(kb, about, stance, date_from, date_to, max_nodes, use_index) -> dict:
    filters = {}
    if about:
        filters["about"] = kb._filters(about=about)["about"]
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
    rows = sorted(_network_rows(kb, filters, use_index), key=lambda r: str(r["d"]))  # one order from either
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
    labels = kb._labels(agents - folded)
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
                      "name": {"en": f"{n} other parties and claimants", "ja": f"その他の当事者・主張者 {n}"}})
    return {"filters": {k: v for k, v in {"about": about, "stance": stance, "date_from": date_from,
                                          "date_to": date_to}.items() if v},
            "aggregated": aggregated, "folded": len(folded), "disputes": len(kept), "nodes": nodes, "edges": edges}


__all__ = ["span", "claim_timeline", "story_timeline", "busiest_stories", "dispute_network"]
