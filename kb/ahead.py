"""Claims read ahead from a server store: what :func:`kb.reads.get_claims` shows of them, in one round of
requests where it sent eight at once and then two or three rounds more (the names and sources the claims
name, then those sources' publishers, then the counter-claims).

One CONSTRUCT (:func:`kb.queries.claims_ahead`; for more than a few claims, one for each part of it)
gives the claims' triples, their disputes', the quotes of both, the claims' verdicts (with their rating
nodes), the relations from or to them, and their version numbers; beside it, one more
(:func:`kb.queries.named_ahead`) gives the people,
topics and sources the claim index says the claims name and that are not kept yet (Dataset.kept_each),
whole, with their publishers, authors and originals. :class:`Ahead` answers the lookups the readers make
(``describe``) from those triples, for the subjects they cover whole (worked out from the triples, branch
by branch); the others (an analyst, a source only a dispute names, a counter-claim, when not kept yet) are
read when first asked for, whole with their publishers, authors and originals, in one request.

Why not one query for all of it: Virtuoso 7.2 compiles each query text anew (a claim's IRI in it makes
it new), one at a time, and a query's compile time grows with its patterns: 16-28 ms for the claims with
their names, sources and publishers in one query; 7-9 ms without them, 4 ms for the names (which a page
finds kept from earlier pages more often than not) (BENCHMARKS.md).
"""

from __future__ import annotations

from rdflib import URIRef

from . import queries
from .dataset import together
from .namespaces import KB, SDO
from .verdicts import verdict_iri

NAMED = 16  # records in one request: Virtuoso 7.2 took 7-9 ms for 16, 10-12 for 32, 60 for 64 (another plan)
MANY_NAMED = 400  # records in a request of one part
MANY = 100  # claims in a request of one part
BATCH = 8  # claims a request: Virtuoso 7.2 took 18 ms for 8 claims (first time), 65-76 ms for 12-20 (another plan)
WHOLE_OF = (SDO.publisher, SDO.author, SDO.translationOfWork)  # (what queries.NAMED_AHEAD reads of a record's objects)


class Ahead:
    """The triples read ahead of some claims, and the subjects they cover (``whole``: every triple of each in
    the current graph is among them)."""

    def __init__(self, data, iris: list, triples, *, quotes: bool, named=()):
        self.data = data
        self._of: dict = {}  # subject -> {triple: None} (one a triple: two branches may give the same)
        for t in triples:
            self._of.setdefault(t[0], {})[t] = None
        named = list(named)
        claims = set(iris)
        objects = self._objects
        self.disputes = list(dict.fromkeys(s for s, p, o in triples if p == KB.disputes and o in claims))
        own = [*iris, *self.disputes]
        self.quotes = list(dict.fromkeys(objects(own, (KB.quote,)))) if quotes else []
        verdicts = [verdict_iri(data, c) for c in iris]
        self.relations = list(dict.fromkeys(s for s, p, o in triples if p in (KB.fromClaim, KB.toClaim)
                                            and o in claims))
        self.whole = {*own, *self.quotes, *verdicts, *(URIRef(f"{v}#rating") for v in verdicts), *self.relations,
                      *named, *objects(named, WHOLE_OF)}
        self.latest: dict = {}  # each claim's latest version number
        for v, p, c in triples:
            if p == KB.versionOf and c in claims:
                for _, q, n in self._of[v]:
                    if q == KB.versionNumber:
                        self.latest[c] = max(self.latest.get(c, 0), int(n))

    def _objects(self, subjects, predicates) -> list:
        return [o for s in subjects for _, p, o in self._of.get(s, ()) if p in predicates]

    def describe(self, subjects, predicates=None) -> list:
        """Every triple of ``subjects`` in the current graph (of ``predicates``), as the store's describe
        gives them, from the triples read ahead. Those of subjects not covered are read first, whole with
        their publishers, authors and originals (a source only a dispute names: its names, then the source,
        then its publisher's names were three requests one after another; now one)."""
        if predicates is not None and not predicates:
            return []
        subjects = list(subjects)
        rest = [s for s in dict.fromkeys(subjects) if s not in self.whole]
        if rest:
            self._add(read_named(self.data, rest), rest)
        return [t for s in subjects for t in self._of.get(s, ()) if predicates is None or t[1] in predicates]

    def _add(self, triples, named) -> None:
        for t in triples:
            self._of.setdefault(t[0], {})[t] = None
        self.whole |= {*named, *self._objects(named, WHOLE_OF)}


def read_claims(data, iris: list, *, quotes: bool = True, versions: bool = True, named=()) -> Ahead:
    """Claims read ahead (:class:`Ahead`), with their version numbers unless not ``versions``, with their
    quotes and their disputes' unless not ``quotes``, and ``named`` records whole with their publishers,
    authors and originals (the names and sources the claim index says they name, those not kept yet), sent
    at once (kb.dataset.together): up to :data:`BATCH` claims in one request; more, a request for each part
    of it (the claims, their disputes, ...) for every :data:`MANY` claims; the records, a request for every
    :data:`NAMED` (20 claims read in three requests of every part took Virtuoso 7.2 116 ms, in a request of each
    part 68 ms: its plans for queries of many branches and many values; the code before, 73 ms)."""
    parts = [k for k in queries.AHEAD if quotes or k != "quotes"] + (["versions"] if versions else [])

    def read(chunk, only):
        query = queries.claims_ahead(data.current, data.history_graph, chunk, [verdict_iri(data, c) for c in chunk], only)
        return data.store.construct(query, [])
    named = list(named)
    if len(iris) <= BATCH:
        calls = [lambda: read(iris, parts)] if iris else []
    else:
        calls = [lambda chunk=iris[i : i + MANY], part=part: read(chunk, [part])
                 for i in range(0, len(iris), MANY) for part in parts]
    found = together(data, *calls, *named_calls(data, named))
    return Ahead(data, iris, [t for triples in found for t in triples], quotes=quotes, named=named)


def read_named(data, records: list) -> list:
    """The triples of ``records`` and of their publishers, authors and originals: one request for up to
    :data:`NAMED` records; for more, two at once (the records; what they point to), for every :data:`MANY_NAMED`."""
    return [t for triples in together(data, *named_calls(data, records)) for t in triples]


def named_calls(data, records: list) -> list:
    def read(chunk, parts):
        return data.store.construct(queries.named_ahead(data.current, chunk, parts), [])
    if len(records) <= NAMED:
        return [lambda: read(records, tuple(queries.NAMED_AHEAD))] if records else []
    return [lambda chunk=records[i : i + MANY_NAMED], part=part: read(chunk, (part,))
            for i in range(0, len(records), MANY_NAMED) for part in queries.NAMED_AHEAD]


__all__ = ["Ahead", "read_claims", "read_named"]
