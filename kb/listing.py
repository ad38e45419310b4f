"""The claim list: one interface, two ways to answer it.

:class:`IndexListing` answers from the claim index (SQLite beside an embedded
store); :class:`StoreListing` asks the store in SPARQL (a server store, or a
check of the index). Both take filters parsed by :mod:`kb.filters` and give
the same answers; :func:`listing` picks one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from contextlib import nullcontext

from rdflib import Literal, URIRef

from . import filters as filters_
from . import queries
from .reads import get_claims, indexed_summaries, summary_of
from .status import bounds
from .text import where_matched

FACET_LIMIT = 20  # values per facet, most frequent first
MAX_PAGE = 500


def _order_key(term) -> tuple:
    """SPARQL's ORDER BY for facet values: IRIs before literals, then by text."""
    return (0 if isinstance(term, URIRef) else 1, str(term))


class Listing(ABC):
    """What the list page, its facets, the story pictures and the exports ask of the claim set."""

    @abstractmethod
    def page(self, f: dict, limit: int, offset: int) -> tuple[list[URIRef], int]:
        """One page of claims, newest first (with a search, best match first: kb.text.RANK),
        and how many there are in all."""

    @abstractmethod
    def facets(self, f: dict) -> dict:
        """``{facet: [(value term, count)]}``, most frequent first, at most FACET_LIMIT each."""

    @abstractmethod
    def ordered(self, f: dict) -> list[URIRef]:
        """Every claim of the set, newest first."""

    @abstractmethod
    def network(self, f: dict) -> list[dict]:
        """Every standing dispute (of the claims about ``f["about"]``, of stance ``f["stance"]``):
        rows of d, party, stance, c, claimant, date, recorded."""

    @abstractmethod
    def busiest_topics(self, limit: int) -> list[tuple]:
        """``[(topic IRI, claims, disputes)]``, most disputed first."""


class IndexListing(Listing):
    def __init__(self, index):
        self.index = index

    def page(self, f, limit, offset):
        iris, total = self.index.page(f, limit, offset)
        return [URIRef(i) for i in iris], total

    def facets(self, f):
        return {name: [(URIRef(v) if v.startswith(("http://", "https://")) else Literal(v), n)
                       for v, n in rows[:FACET_LIMIT]] for name, rows in self.index.facets(f, FACET_LIMIT).items()}

    def ordered(self, f):
        return [URIRef(i) for i in self.index.ordered(f)]

    def network(self, f):
        terms: dict = {}  # thousands of rows name a few hundred agents: each IRI made once

        def iri(v):
            t = terms.get(v)
            if t is None:
                t = terms[v] = URIRef(v)
            return t

        return [{"d": d, "party": iri(p), "stance": iri(s), "c": c, "claimant": iri(a), "date": date,
                 "recorded": rec} for d, p, s, c, a, date, rec in self.index.network(f)]

    def busiest_topics(self, limit):
        return [(URIRef(t), c, d) for t, c, d in self.index.busiest_topics(limit)]


class StoreListing(Listing):
    """Date filters are applied here to the claim set's rows, not in SPARQL
    (some servers fail to compile a FILTER on the grouped date when a facet's join follows)."""

    def __init__(self, data):
        self.data = data

    def _dated_rows(self, f: dict) -> list:
        keep = []
        for r in self.data.select(queries.claim_rows(f)):
            date = str(r["date"] or "")
            start, end = bounds(date)
            if f.get("date_from") is not None and not end >= str(f["date_from"]):
                continue
            if f.get("date_to") is not None and not start <= str(f["date_to"]):
                continue
            if f.get("date") is not None and date[:7] != str(f["date"]):
                continue
            keep.append(r)
        keep.sort(key=lambda r: str(r["c"]))
        keep.sort(key=lambda r: (str(r["date"] or ""), str(r["recorded"] or "")), reverse=True)
        if f.get("q") is not None:  # best match first (kb.text.RANK), then newest
            keep.sort(key=lambda r: int(r["rank"]))
        return keep

    def page(self, f, limit, offset):
        if filters_.dated(f):
            rows = self._dated_rows(f)
            return [r["c"] for r in rows[offset : offset + limit]], len(rows)
        rows = self.data.select(queries.claim_list(f, limit, offset))
        count = self.data.select(queries.claim_count(f))
        return [r["c"] for r in rows], int(count[0]["n"]) if count else 0

    def facets(self, f):
        counted = {}
        if filters_.dated(f):
            rows = self._dated_rows(f)
            members = {r["c"] for r in rows}
            for name in queries.FACET_PATTERNS:
                found: Counter = Counter()
                if name == "status":
                    found.update(r["status"] for r in rows)
                elif name == "date":
                    found.update(Literal(str(r["date"])[:7]) for r in rows if str(r["date"]))
                else:
                    found.update(v["value"] for v in self.data.select(queries.facet_rows(name, f)) if v["c"] in members)
                counted[name] = sorted(found.items(), key=lambda kv: (-kv[1], _order_key(kv[0])))[:FACET_LIMIT]
            return counted
        for name in queries.FACET_PATTERNS:
            pairs = [(r["value"], int(r["n"])) for r in self.data.select(queries.facet(name, f))]
            if name == "date":
                pairs = [(Literal(v), n) for v, n in queries.facet_months(pairs)]
            counted[name] = pairs[:FACET_LIMIT]
        return counted

    def ordered(self, f):
        # sorted here, not by the server: Virtuoso sorts at most 10,000 rows for a LIMIT
        return [r["c"] for r in self._dated_rows(f)]

    def network(self, f):
        return self.data.select(queries.network(f))

    def busiest_topics(self, limit):
        return [(r["topic"], int(r["claims"]), int(r["disputes"])) for r in self.data.select(queries.BUSY_TOPICS)[:limit]]


def listing(data, use_index: bool = True) -> Listing:
    """The claim index's listing when the store keeps one (and ``use_index``), else the store's.
    A server store's replica of the index first catches up with other workers' writes (kb.replica)."""
    if use_index and data.index is not None:
        if data.replica is not None and not data.replica.sync():  # behind other workers' writes, and stuck
            return StoreListing(data)
        return IndexListing(data.index)
    return StoreListing(data)


def _bounded(limit, offset) -> tuple[int, int]:
    return max(1, min(int(limit), MAX_PAGE)), max(0, int(offset))


def claim_page(data, raw: dict, *, limit: int = 20, offset: int = 0, use_index: bool = True):
    """The IRIs of one page of claims (newest first) and the total, without reading the claims."""
    return listing(data, use_index).page(filters_.parse(data, raw), *_bounded(limit, offset))


def list_claims(data, raw: dict, *, limit: int = 20, offset: int = 0, facets: bool = False,
                use_index: bool = True) -> dict:
    """Claims newest first, filtered, as summaries; with facet counts when asked. With a
    search (``q``), best match first, and each summary says where it matched (``match``:
    kb.text.where_matched)."""
    f = filters_.parse(data, raw)
    limit, offset = _bounded(limit, offset)
    chosen = listing(data, use_index)
    # a replica that has just caught up (listing) is at the store's version: the reads below and the
    # names they keep go under it, without asking the store again (Dataset.version)
    caught_up = data.replica is not None and isinstance(chosen, IndexListing)
    with data.at(data.replica.position) if caught_up else nullcontext():
        iris, total = chosen.page(f, limit, offset)
        q = str(f["q"]) if f.get("q") is not None else None
        # the claim index, caught up, holds what a list shows of each claim and where a search may match it
        summaries = indexed_summaries(data, iris, q) if isinstance(chosen, IndexListing) and iris else None
        if summaries is None:  # the store's: the claims read
            claims = get_claims(data, iris, summaries=True, quotes=q is not None) if iris else []
            summaries = [summary_of(c) for c in claims]
            if q is not None:
                for s, c in zip(summaries, claims, strict=True):
                    s["match"] = where_matched(c, q)
        out = {"claims": summaries, "total": total, "limit": limit, "offset": offset}
        if facets:
            out["facets"] = facet_view(data, chosen.facets(f))
    return out


def facet_view(data, counted: dict) -> dict:
    """Facet counts with each IRI's local id and label."""
    iris = [v for rows in counted.values() for v, _ in rows if isinstance(v, URIRef)]
    labels = data.labels(iris) if iris else {}
    return {name: [{"value": labels[v]["id"] if v in labels else str(v),
                    "label": labels[v]["name"] if v in labels else None, "count": n} for v, n in rows]
            for name, rows in counted.items()}


def list_query(data, raw: dict, *, limit: int = 20, offset: int = 0) -> str:
    """The SPARQL text behind :func:`list_claims` with these filters."""
    return queries.claim_list(filters_.parse(data, raw), *_bounded(limit, offset))


def claims_of(data, raw: dict) -> list[URIRef]:
    """Every claim a list view with these filters shows (all pages), newest first."""
    return listing(data).ordered(filters_.parse(data, raw))


__all__ = ["Listing", "IndexListing", "StoreListing", "listing", "claim_page", "list_claims", "facet_view",
           "list_query", "claims_of", "FACET_LIMIT"]
