"""The change log of a server store: what each write changed, kept in the store
itself, so that every worker's replica of the claim index (:mod:`kb.replica`)
can follow the writes of every other worker and host.

Every write to a server store adds, in the same atomic update, one entry
``<base>log/<n>`` to the history graph, naming the claims, sources, agents and
topics it changed (or "everything", for a bulk import). ``n`` counts 1, 2, 3…
with no gaps, across all writers: a writer takes the lowest number not yet
used, and treats ``log/<n>`` exactly like a version IRI it creates: it is
reserved first (:func:`kb.writes.reserve`) and guarded by the update (the
update does nothing if ``log/<n>`` exists); a write that lost the number to
another writer is planned again and takes the next one. So:

- a reader at position ``k`` is behind exactly when ``log/<k+1>`` exists (one
  point lookup);
- entries appear only with the data they describe (same update), so a reader
  that sees an entry sees its write;
- a writer that dies after reserving ``n`` leaves no gap: nothing was written
  under ``n`` and the next writer takes it (after the reservation's lease).

The embedded store keeps no log: one process makes every write there, and its
claim index follows them directly (:func:`kb.indexer.follow`)."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import PROV

from . import indexer
from .namespaces import LOG_ALL, LOG_CLAIM, LOG_NAMED, LOG_SOURCE

ALL_ABOVE = 2000  # an entry naming more records than this says "everything" instead (a bulk import)


def log_iri(data, n: int) -> URIRef:
    return URIRef(f"{data.minter.base}log/{n}")


def is_entry(data, iri) -> bool:
    """Whether an IRI is one of this store's change-log entries (left out of exports and imports)."""
    return str(iri).startswith(f"{data.minter.base}log/")


def exists(data, n: int) -> bool:
    """Whether entry ``n`` is in the store (a point lookup)."""
    return bool(data.store.triples(log_iri(data, n), PROV.wasGeneratedBy, None, data.history_graph))


def existing(data, numbers) -> set:
    """Which of entries ``numbers`` are in the store (one lookup)."""
    iris = {log_iri(data, n): n for n in numbers}
    return {iris[s] for s, _, _ in data.store.describe(list(iris), data.history_graph, (PROV.wasGeneratedBy,))}


def top(data, hint: int = 0) -> int:
    """The number of the newest entry (0 for none), from ``hint``, a number known to exist
    (or 0): two lookups when nothing was written since, about 2·log2(writes since) otherwise.
    The numbers have no gaps, so entries exist up to the newest and none beyond; should one
    be missing all the same (a store edited by hand), the newest is found past it, so that
    no writer fills it after readers have looked past it (kb.replica)."""
    lo = max(hint, data.log_seen)
    while True:
        lo = _newest_from(data, lo)
        if not exists(data, lo + 2):
            break
        lo += 2
    data.log_seen = max(data.log_seen, lo)
    return lo


def _newest_from(data, lo: int) -> int:
    if not exists(data, lo + 1):
        return lo
    found, step = lo + 1, 2
    while exists(data, lo + step):
        found, step = lo + step, step * 2
    absent = lo + step
    while absent - found > 1:
        mid = (found + absent) // 2
        if exists(data, mid):
            found = mid
        else:
            absent = mid
    return found


def entry(data, changed: list, when: Literal, token: URIRef) -> tuple[URIRef, list]:
    """The next entry's IRI and its quads for a write of ``changed`` ([(record, its old triples)])."""
    hint = data.replica.position if data.replica is not None else 0
    n = top(data, hint) + 1
    e = log_iri(data, n)
    g = data.history_graph
    quads = [(e, PROV.wasGeneratedBy, token, g), (e, PROV.generatedAtTime, when, g)]
    claims = indexer.affected_claims(data, [(r, old) for r, old in changed if r.kind != "source"])
    sources = {r.iri for r, _ in changed if r.kind == "source"}
    named = indexer.named_in(changed)
    if len(claims) + len(sources) + len(named) > ALL_ABOVE:
        quads.append((e, LOG_ALL, Literal(True), g))
    else:
        quads += [(e, LOG_CLAIM, c, g) for c in claims]
        quads += [(e, LOG_SOURCE, s, g) for s in sources]
        quads += [(e, LOG_NAMED, x, g) for x in named]
    return e, quads


def landed(data, e: URIRef) -> int:
    """Note that entry ``e`` was written; its number."""
    n = int(str(e).rsplit("/", 1)[1])
    data.log_seen = max(data.log_seen, n)
    return n


def read(data, start: int, count: int) -> dict:
    """Entries ``start`` … ``start + count - 1`` that exist: {n: {"claims", "sources", "named", "all", "by"}}."""
    iris = {log_iri(data, n): n for n in range(start, start + count)}
    out: dict = {}
    for s, p, o in data.store.describe(list(iris), data.history_graph):
        e = out.setdefault(iris[s], {"claims": set(), "sources": set(), "named": set(), "all": False, "by": None})
        if p == LOG_CLAIM:
            e["claims"].add(o)
        elif p == LOG_SOURCE:
            e["sources"].add(o)
        elif p == LOG_NAMED:
            e["named"].add(o)
        elif p == LOG_ALL:
            e["all"] = True
        elif p == PROV.wasGeneratedBy:
            e["by"] = str(o)
    return out


def identity(data) -> str:
    """What tells this store's log from another's: the write that made entry 1 ("" before any)."""
    found = data.store.triples(log_iri(data, 1), PROV.wasGeneratedBy, None, data.history_graph)
    return str(found[0][2]) if found else ""


def written_at(data, n: int):
    """When entry ``n`` was written (an aware datetime), or None."""
    found = data.store.triples(log_iri(data, n), PROV.generatedAtTime, None, data.history_graph)
    value = found[0][2].toPython() if found else None
    return value if getattr(value, "tzinfo", None) is not None else None


__all__ = ["written_at", "log_iri", "is_entry", "exists", "top", "entry", "landed", "read", "identity", "ALL_ABOVE"]
