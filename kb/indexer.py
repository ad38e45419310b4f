"""The claim index kept in step with the store: its rows derived from the
store's triples by the same rules as the list query (the status rule of
:mod:`kb.status`, the dates of :mod:`kb.status`), rebuilt whole or for the
claims a write changed."""

from __future__ import annotations

import logging
from collections import defaultdict

from rdflib import URIRef
from rdflib.namespace import PROV, RDF, SKOS

from . import claimreview, queries
from .model import STANCE_NAMES, Record
from .namespaces import KB, OA, SDO
from .relations import duplicates_by_claim, same_as_into
from .status import start_of, status_of
from .text import fold
from .validation import owner
from .verdicts import ratings_by_claim

NAME_PREDICATES = (SDO.name, SKOS.prefLabel)  # an agent's names, a topic's labels: searched in every language

log = logging.getLogger("claimkb")


BATCH = 20_000  # claims read and written at a time by a whole rebuild (bounded memory at 1M claims)
CLAIM_PREDICATES = (SDO.dateCreated, SDO.appearance, PROV.generatedAtTime, SDO.author, KB.withdrawn, SDO.about,
                    SDO.text, KB.quote)
DISPUTE_PREDICATES = (KB.party, KB.stance, KB.withdrawn, SDO.dateCreated, PROV.generatedAtTime, KB.quote,
                      SDO.appearance, SDO.text, RDF.type)


class Written:
    """The store as a write has just left it, the records that write replaced read from memory: their
    current triples are now exactly the records' (:func:`kb.writes.commit` deleted the old ones and
    inserted these), so the claim index following an import of 2,000 claims need not read back and
    convert the 90,000 triples it has just written. Every other subject is asked of the store."""

    def __init__(self, store, current: str, changed: list[tuple[Record, set]]):
        self.store, self.current = store, current
        self.owned = {rec.iri for rec, _ in changed}
        self.by_subject: dict = defaultdict(list)
        for rec, _ in changed:
            for t in rec.triples:
                if owner(t[0]) == rec.iri:
                    self.by_subject[t[0]].append(t)

    def _known(self, s) -> bool:
        return s is not None and owner(s) in self.owned

    def describe(self, subjects, graph, predicates=None) -> list:
        if graph != self.current:
            return self.store.describe(subjects, graph, predicates)
        wanted = set(predicates) if predicates is not None else None
        out, rest = [], []
        for s in subjects:
            if self._known(s):
                out += [t for t in self.by_subject.get(s, ()) if wanted is None or t[1] in wanted]
            else:
                rest.append(s)
        return out + self.store.describe(rest, graph, predicates) if rest else out

    def triples(self, s, p, o, graph) -> list:
        if graph != self.current or not self._known(s):
            return self.store.triples(s, p, o, graph)
        return [t for t in self.by_subject.get(s, ()) if (p is None or t[1] == p) and (o is None or t[2] == o)]

    def __getattr__(self, name):
        return getattr(self.store, name)


def rebuild(data, claims=None, named=(), store=None) -> None:
    """Rebuild the claim index (all of it, or the rows of ``claims`` and the names of the
    agents and topics ``named``) from the store, read with plain triple lookups (``store``: the
    store to read them from, :class:`Written` after a write)."""
    if data.index is None:
        return
    if claims is None:
        _rebuild_all(data)
        return
    store, cur = store or data.store, data.current
    ids = {URIRef(c) for c in claims if store.triples(URIRef(c), RDF.type, SDO.Claim, cur)}
    names = [t for e in named for p in NAME_PREDICATES for t in store.triples(URIRef(e), p, None, cur)]
    verdicts = ratings_by_claim(data, ids)
    part = _rows(data, ids, verdicts, duplicates_by_claim(data, ids), {}, {}, store)
    name_rows = list(dict.fromkeys((str(e), norm) for e, _, o in names if (norm := fold(str(o)))))
    data.index.write(part["rows"], part["links"], part["texts"], {str(c) for c in claims}, data.generation(),
                     disputes=part["disputes"], fields=part["fields"], names=name_rows,
                     named={str(e) for e in named}, reviews=part["reviews"])


def _rebuild_all(data) -> None:
    """Every claim's rows, BATCH claims at a time, written in one transaction
    (:meth:`kb.index.ClaimIndex.write_all`): at 1,000,000 claims, reading every triple the rows
    need at once, as rdflib terms, took several GB."""
    store, cur = data.store, data.current
    ids = sorted({s for s, _, _ in store.triples(None, RDF.type, SDO.Claim, cur)})
    names = [t for p in NAME_PREDICATES for t in store.triples(None, p, None, cur)]
    name_rows = list(dict.fromkeys((str(e), norm) for e, _, o in names if (norm := fold(str(o)))))
    verdicts, duplicates = ratings_by_claim(data), duplicates_by_claim(data)
    published, topics = {}, {}  # kept from batch to batch: sources and topics are shared by many claims
    batches = (_rows(data, set(ids[i : i + BATCH]), verdicts, duplicates, published, topics)
               for i in range(0, len(ids), BATCH))
    data.index.write_all(batches, name_rows, data.generation())


def _rows(data, ids: set, verdicts: dict, duplicates: set, published: dict, topics: dict, store=None) -> dict:
    """The index rows of the claims ``ids`` (IRIs of claims in the store). ``published``: {source:
    its first publication date or None}, ``topics``: {IRI: whether it is a topic}, filled as read."""
    store, cur = store or data.store, data.current
    triples = store.describe(ids, cur, CLAIM_PREDICATES)
    links = store.pointing(ids, KB.disputes, cur)  # one request per batch on a server store, not one per claim
    facts: dict = defaultdict(lambda: defaultdict(list))
    for s_, p, o in triples:
        facts[s_][p].append(o)
    disputes: dict = defaultdict(list)
    dfacts: dict = defaultdict(dict)
    for d, p, o in store.describe([d for d, _, _ in links], cur, DISPUTE_PREDICATES):
        if p in (KB.party, KB.stance, KB.withdrawn, SDO.dateCreated, PROV.generatedAtTime, KB.quote):
            dfacts[d][p] = o
        elif p in (SDO.appearance, SDO.text) or p == RDF.type and o == KB.Dispute:
            dfacts[d].setdefault(p, []).append(o)
    quotes = {o for c in ids for o in facts[c][KB.quote]} | {f[KB.quote] for f in dfacts.values() if KB.quote in f}
    exact_of = {q: str(o) for q, _, o in store.describe(quotes, cur, (OA.exact,))}
    for d, _, c in links:
        if KB.withdrawn not in dfacts[d]:
            disputes[c].append(dfacts[d])
    sources = {o for c in ids for o in facts[c][SDO.appearance]}
    sources |= {o for c in ids for d in disputes[c] for o in d.get(SDO.appearance, ())}
    new = sources - published.keys()
    published.update(dict.fromkeys(new))
    for s_, _, o in store.describe(new, cur, (SDO.datePublished,)):
        published[s_] = min(str(o), published[s_] or str(o))
    new = {o for c in ids for o in facts[c][SDO.about]} - topics.keys()
    topics.update(dict.fromkeys(new, False))
    for a, _, o in store.describe(new, cur, (RDF.type,)):
        topics[a] = topics[a] or o == SKOS.Concept
    dispute_rows = []
    for d, _, c in links:
        f = dfacts[d]
        if KB.withdrawn not in f and RDF.type in f and KB.party in f and KB.stance in f:  # as the network query asks
            dates = [published[s_] for s_ in f.get(SDO.appearance, ()) if published.get(s_) is not None]
            date = str(f[SDO.dateCreated]) if SDO.dateCreated in f else min(dates) if dates else None
            dispute_rows.append((str(d), str(c), str(f[KB.party]), str(f[KB.stance]), date,
                                 str(f[PROV.generatedAtTime]) if PROV.generatedAtTime in f else None))
    rows, link_rows, texts, fields = [], [], [], []
    same_as = same_as_into(data, ids, store)
    shown: dict = defaultdict(list)  # (what a search shows where it matched)
    for d, _, c in links:
        if KB.withdrawn not in dfacts[d]:
            shown[c].append(_shown(data, d, dfacts[d], exact_of, published))
    for c in ids:
        f, ds = facts[c], disputes[c]
        author = f[SDO.author][0] if f[SDO.author] else None
        status = status_of((STANCE_NAMES.get(d.get(KB.stance)), d.get(KB.party) == author) for d in ds)
        dates = [published[s_] for s_ in f[SDO.appearance] if published.get(s_) is not None]
        date = str(f[SDO.dateCreated][0]) if f[SDO.dateCreated] else min(dates) if dates else ""
        rows.append({"iri": str(c), "date": date, "status": status,
                     "recorded": max((str(o) for o in f[PROV.generatedAtTime]), default=""),
                     "claimant": str(author) if author is not None else None,
                     # a duplicate is listed under the claim it is the same as: out of the list, as if withdrawn
                     "withdrawn": bool(f[KB.withdrawn]) or c in duplicates, "disputes": len(ds),
                     "verdict": verdicts.get(c), "card": card(data, f, same_as.get(c, ()), exact_of, shown[c])})
        link_rows += [(str(c), "about", str(o)) for o in f[SDO.about]]
        link_rows += [(str(c), "topic", str(o)) for o in f[SDO.about] if topics[o]]
        link_rows += [(str(c), "source", str(o)) for o in f[SDO.appearance]]
        link_rows += [(str(c), "party", str(d[KB.party])) for d in ds if KB.party in d]
        texts += [(str(c), (o.language or "").lower(), str(o)) for o in f[SDO.text]]
        found = [("text", str(o)) for o in f[SDO.text]] + [("quote", exact_of[q]) for q in f[KB.quote] if q in exact_of]
        for d in ds:
            found += [("dispute", str(o)) for o in d.get(SDO.text, ())]
            if d.get(KB.quote) in exact_of:
                found.append(("quote", exact_of[d[KB.quote]]))
        fields += [(str(c), kind, norm) for kind, norm in dict.fromkeys((k, fold(t)) for k, t in found) if norm]
    judged = sorted(c for c in verdicts if c in ids and not facts[c][KB.withdrawn])
    return {"rows": rows, "links": link_rows, "texts": texts, "disputes": dispute_rows, "fields": fields,
            "reviews": claimreview.index_rows(data, judged)}


def card(data, facts: dict, same_as, exact_of: dict, disputes: list) -> dict:
    """What a list shows of a claim (kb.reads.summary_of) that is its own, from its ``facts`` ({predicate:
    [objects]}) and the claims ``same_as`` it: its texts, own date, claimant, subjects and sources (the
    names and sources themselves are read when shown: a rename changes no card), and the claims reported
    as the same; and where a search may match it (kb.text.fields_of): its quote's words and its standing
    ``disputes`` (:func:`_shown`). Its status, count of disputes and verdict are the index's columns."""
    quote = facts[KB.quote][0] if facts[KB.quote] else None
    return {"text": {(o.language or ""): str(o) for o in facts[SDO.text]},
            "date": str(facts[SDO.dateCreated][0]) if facts[SDO.dateCreated] else None,
            "claimant": str(facts[SDO.author][0]) if facts[SDO.author] else None,
            "about": sorted(map(str, facts[SDO.about])), "sources": sorted(map(str, facts[SDO.appearance])),
            "also_reported_as": sorted(data.local_id(c) for c in same_as),
            "quote": exact_of.get(quote, "") if quote is not None else None,
            "disputes": [{"id": i, "text": t, "quote": q, "party": p} for _, i, t, q, p in sorted(disputes)]}


def _shown(data, d, f: dict, exact_of: dict, published: dict) -> tuple:
    """A standing dispute as a search shows where it matched, in the order a claim lists its disputes
    (kb.reads: by when it counts from, when it was recorded, its id): (that order's key, its id, its
    texts, its quote's words or None, its party)."""
    date = f.get(SDO.dateCreated)
    srcs = f.get(SDO.appearance, ())
    effective = str(date) if date is not None else min((published.get(s) or "" for s in srcs), default=None)
    recorded, rid = str(f[PROV.generatedAtTime]) if PROV.generatedAtTime in f else "", data.local_id(d)
    return ((start_of(effective), recorded, rid), rid,
            {(o.language or ""): str(o) for o in f.get(SDO.text, ())},
            exact_of.get(f[KB.quote], "") if KB.quote in f else None, str(f[KB.party]) if KB.party in f else None)


def follow(data, changed: list[tuple[Record, set]]) -> None:
    """After a write: the store has it, so the index must follow or step aside."""
    try:
        rebuild(data, affected_claims(data, changed), named_in(changed), Written(data.store, data.current, changed))
    except Exception:
        log.exception("the claim index could not be updated; rebuilding it")
        try:
            rebuild(data)
        except Exception:
            log.exception("the claim index could not be rebuilt; answering from the store")
            try:
                data.index.write([], [], [], set(), -1)  # stale: rebuilt when next opened
            except Exception:  # a full disk: its generation is already behind the store's, so stale anyway
                log.exception("the claim index could not be marked stale")
            data.index = None


def affected_claims(data, changed: list[tuple[Record, set]]) -> set:
    """Claims whose index rows a write changes: claims written, claims of disputes
    written (before and after), claims appearing in sources written."""
    out, sources, agents = set(), [], []
    claims = [rec.iri for rec, _ in changed if rec.kind == "claim"]
    out |= set(claims)
    # their duplicates are listed under them while they stand: withdrawn (or back), they are listed again (the
    # relations to them read together: one request per claim made an import to a server store one per claim more)
    relations = {r for r, _, _ in data.store.pointing(claims, KB.toClaim, data.current)} if claims else set()
    about: dict = {}
    for r, p, o in data.store.describe(list(relations), data.current, (KB.relationType, KB.fromClaim)) if relations else ():
        about.setdefault(r, []).append((p, o))
    out |= {o for told in about.values() if (KB.relationType, KB.RelSameAs) in told for p, o in told if p == KB.fromClaim}
    for rec, old in changed:
        if rec.kind == "claim":
            continue
        if rec.kind == "dispute":
            out |= {o for s, p, o in rec.triples | old if p == KB.disputes}
        elif rec.kind == "source":
            sources.append(rec.iri)
        elif rec.kind == "agent":  # its name is in the feed's reviews of the claims it made or judged
            agents.append(rec.iri)
        elif rec.kind == "verdict":
            out |= {o for s, p, o in rec.triples | old if p == SDO.itemReviewed}
        elif rec.kind == "relation":  # the claim it starts from may become (or stop being) a duplicate
            out |= {o for s, p, o in rec.triples | old if p in (KB.fromClaim, KB.toClaim)}
    if sources:
        out |= set(data.column(queries.index_query(queries.CLAIMS_OF_SOURCES, sources, "s"), "c"))
    if agents:
        out |= set(data.column(queries.index_query(queries.JUDGED_CLAIMS_OF_AGENTS, agents, "a"), "c"))
    return out


def named_in(changed: list[tuple[Record, set]]) -> set:
    """The agents and topics a write changed: their names are searched (a renamed agent's
    claims are found by its new names; their own index rows do not change)."""
    return {rec.iri for rec, _ in changed if rec.kind in ("agent", "topic")}


def open_index(data) -> None:
    """Rebuild the index when it is behind the store (a crash between the two, or a new index)."""
    if data.index is not None and data.index.generation != data.generation():
        rebuild(data)


__all__ = ["rebuild", "follow", "affected_claims", "named_in", "open_index", "NAME_PREDICATES"]
