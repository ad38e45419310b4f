"""An agent's, a topic's and a source's page: the record, and the claims it made, is named in
or took a stance on, newest first, a page at a time.

Each list is the whole set the store holds (withdrawn claims and disputes included, as the
page shows them, marked), in the claim list's order (newest first), of which only the first
``limit`` are read, as summaries, with the size of the whole set beside them (``claims_total``…):
the claim index answers which and how many when it is in step with the store; else the store is
asked and its claims ordered by their dates. An agent named by 10,000 claims of 100,000 took
6.4 s to show when every one of them was on its page (6.3 MB of HTML); the claim list filtered
by the agent pages the rest (the page links to it).
"""

from __future__ import annotations

from rdflib import URIRef

from . import queries
from .model import STANCE_NAMES
from .reads import claim_summaries, get, get_claims, index_in_step

STORY_PAGE = 20  # claims of each list an entity's page shows by default: the newest ones


def _newest_first(data, iris, in_step: bool) -> list[URIRef]:
    """These claims in the claim list's order (newest first: their own date or else their sources' first,
    then the latest write, then the IRI): from the claim index when it is in step with the store, else from
    the claims read from the store."""
    iris = list(dict.fromkeys(URIRef(str(i)) for i in iris))
    if in_step:
        ordered = [URIRef(i) for i in data.index.newest_first([str(i) for i in iris])]
        if len(ordered) == len(iris):
            return ordered
    claims = sorted(get_claims(data, iris, summaries=True, quotes=False), key=lambda c: c["iri"])
    claims.sort(key=lambda c: (_date(c), c["recorded_at"] or ""), reverse=True)  # (stable: ties stay in IRI order)
    return [URIRef(c["iri"]) for c in claims]


def _date(claim: dict) -> str:
    """The date the claim index lists a claim by (kb.indexer): its own, else its sources' first."""
    published = [s["published"] for s in claim["sources"] if s and s.get("published")]
    return claim["date"] or min(published, default="")


def _first(data, kind: str, entity, limit: int | None, in_step: bool) -> tuple[list[dict], int]:
    """The summaries of the first ``limit`` claims (all without ``limit``) that ``entity`` made (``kind``
    "claimant") or that name it (``kind`` "about" or "source"), newest first, and how many there are: from
    the claim index when it is in step with the store, else from the store (its claims ordered by their dates)."""
    if in_step:
        iris, total = data.index.naming(kind, str(entity), limit)
        return claim_summaries(data, [URIRef(i) for i in iris], in_step=True), total
    query = {"claimant": queries.CLAIMS_BY_CLAIMANT, "about": queries.CLAIMS_ABOUT, "source": queries.CLAIMS_IN_SOURCE}[kind]
    ordered = _newest_first(data, data.column(queries.render(query, agent=entity, entity=entity, source=entity), "c"),
                            False)
    shown = ordered if limit is None else ordered[: max(0, int(limit))]
    return claim_summaries(data, shown, in_step=False), len(ordered)


def _read_at_once(story):
    """A story read at the store's version found once (Dataset.at), and whether the claim index is in step
    with it found once: on a server store one look at the change log for the page, not one per list."""
    def read(data, ref, *, limit: int | None = STORY_PAGE) -> dict:
        version = data.version()
        with data.at(version):
            return story(data, ref, limit, index_in_step(data, version))
    read.__doc__, read.__name__ = story.__doc__, story.__name__
    return read


@_read_at_once
def agent_story(data, ref, limit: int | None, in_step: bool) -> dict:
    """An agent, the claims it made (``claims``), those about it (``about``) and its stances on claims
    (``disputes``, by the disputed claim's place in the list), each the first ``limit`` of them
    (all without ``limit``), with the number of each (``claims_total``, ``about_total``,
    ``disputes_total``)."""
    a = data.iri("agent", ref)
    info = get(data, "agent", a)
    rows = data.select(queries.render(queries.DISPUTES_BY_PARTY_OF, agent=a))
    info["claims"], info["claims_total"] = _first(data, "claimant", a, limit, in_step)
    info["about"], info["about_total"] = _first(data, "about", a, limit, in_step)
    place = {c: n for n, c in enumerate(_newest_first(data, {r["c"] for r in rows}, in_step))} if rows else {}
    rows = sorted(rows, key=lambda r: (place[URIRef(str(r["c"]))], str(r["d"])))
    info["disputes_total"] = len(rows)
    rows = rows if limit is None else rows[: max(0, int(limit))]
    summaries = {s["iri"]: s for s in claim_summaries(data, list(dict.fromkeys(r["c"] for r in rows)), in_step=in_step)}
    info["disputes"] = [{"dispute": data.local_id(r["d"]), "stance": STANCE_NAMES.get(r["stance"]),
                         "withdrawn": r["withdrawn"] is not None, "claim": summaries[str(r["c"])]}
                        for r in rows]
    info["limit"] = limit
    return info


@_read_at_once
def topic_story(data, ref, limit: int | None, in_step: bool) -> dict:
    """A topic and the claims about it: the first ``limit`` (all without ``limit``), and ``claims_total``."""
    t = data.iri("topic", ref)
    info = get(data, "topic", t)
    info["claims"], info["claims_total"] = _first(data, "about", t, limit, in_step)
    info["limit"] = limit
    return info


@_read_at_once
def source_story(data, ref, limit: int | None, in_step: bool) -> dict:
    """A source and the claims that appear in it: the first ``limit`` (all without ``limit``), and
    ``claims_total``."""
    s = data.iri("source", ref)
    info = get(data, "source", s)
    info["claims"], info["claims_total"] = _first(data, "source", s, limit, in_step)
    info["limit"] = limit
    return info


__all__ = ["STORY_PAGE", "agent_story", "topic_story", "source_story"]
