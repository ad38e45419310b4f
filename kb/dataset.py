"""The handle every room of the library shares: the store, its graph names,
the id minter, the shapes, the claim index, lookups of records' triples and
labels, the write counter and the one cache of values kept until a write."""

from __future__ import annotations

import contextvars
import logging
import os
import threading
from collections import Counter, OrderedDict, defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from .errors import KBError
from .ids import Minter
from .index import ClaimIndex
from .model import kind_of_types
from .namespaces import DEFAULT_BASE, KB, SDO, VOCAB_FILE, VOCAB_GRAPH
from .stores import Store, from_ox
from .validation import load_shapes, owner

log = logging.getLogger("claimkb")
LABEL_PREDICATES = (SDO.name, SDO.headline, SKOS.prefLabel, RDFS.label)
KEPT = 64  # values kept by Dataset.kept(), the least recently asked for dropped first
KEPT_EACH = 20_000  # values kept by Dataset.kept_each() under one name (labels: every agent of a large store)
_AT: contextvars.ContextVar = contextvars.ContextVar("kb_version_at", default=None)  # (Dataset, version, {}): at()


_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()
_pooled = threading.local()  # (set in the pool's own threads)
TOGETHER = 8  # reads a process sends a server store at once, at most


def _mark_pooled() -> None:
    _pooled.yes = True


def together(data, *calls) -> list:
    """Each call's result, in order. On a server store the calls (each a round trip or a few)
    are sent at once: the first in this thread, the others from a pool of this process's own
    (made again after a fork); an embedded store's reads are local: one after another. A call
    that is itself one of the pool's runs its own calls one after another: a pool thread never
    waits for the pool (eight requests' calls waiting for calls queued behind them would wait
    for ever). The first failure is raised."""
    global _pool
    if data.store.single_writer or len(calls) < 2 or getattr(_pooled, "yes", False):
        return [call() for call in calls]
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), ThreadPoolExecutor(TOGETHER, thread_name_prefix="kb-reads",
                                                     initializer=_mark_pooled))
        pool = _pool[1]
    futures = [pool.submit(contextvars.copy_context().run, call) for call in calls[1:]]
    try:
        first = calls[0]()
    except BaseException:
        for f in futures:
            f.cancel()
        raise
    return [first, *(f.result() for f in futures)]


class Dataset:
    """One knowledge base's store and what every room needs to read and write it."""

    def __init__(self, store: Store, base: str | None = None):
        self.store = store
        settings = store.read_settings()
        stored_base = settings.get("base")
        if base and stored_base and base != stored_base:
            raise KBError(
                f"this store was created with base IRI {stored_base!r}; "
                f"opening it with {base!r} would change every IRI"
            )
        self.minter = Minter(base or stored_base or DEFAULT_BASE)
        if not stored_base:
            store.write_settings({**settings, "base": self.minter.base})
        self.current = self.minter.graph("current")
        self.history_graph = self.minter.graph("history")
        self.locks_graph = self.minter.graph("locks")
        self.default_graphs = [self.current, VOCAB_GRAPH]
        self.write_lock = threading.RLock()
        self._kind_writes: Counter = Counter()  # writes of each record kind by this process (see kept())
        self._kept: OrderedDict = OrderedDict()
        self._kept_lock = threading.Lock()
        self._each: dict = {}  # name -> (version, {key: value}): Dataset.kept_each()
        self.on_write: list = []  # callables told of each write this process lands
        self._ensure_vocab()
        self.index: ClaimIndex | None = None  # the claim index, for a store that keeps one (see kb.indexer)
        if store.single_writer:
            self.index = ClaimIndex(store.index_path)
        self.replica = None  # a server store's claim index replica, when given a folder (kb.replica)
        self.log_seen = 0  # the newest change-log entry this process knows of (kb.changelog)
        self.logged = True  # writes through this handle go in the change log (not kb.comments' private view)

    @property
    def shapes(self) -> Graph:
        """The SHACL shapes, parsed at the first write (a process serving pages never needs them)."""
        return load_shapes()

    def _ensure_vocab(self):
        """The vocabulary graph as ``vocab/claimkb.ttl`` has it now (a store
        made by an earlier version gets the changes; no blank nodes there).
        The file is read by pyoxigraph's parser, 6× quicker than rdflib's, into the terms the store answers in."""
        want = {(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object))
                for t in ox.parse(path=str(VOCAB_FILE), format=ox.RdfFormat.TURTLE)}
        have = set(self.store.triples(None, None, None, VOCAB_GRAPH))
        if have != want:
            try:
                self.store.apply([(s, p, o, VOCAB_GRAPH) for s, p, o in have - want],
                                 [(s, p, o, VOCAB_GRAPH) for s, p, o in want - have])
            except KBError as e:  # a read-only store keeps the vocabulary it has
                log.warning("the vocabulary graph could not be brought up to date: %s", e)

    def close(self):
        if self.index is not None:
            self.index.close()
        if self.replica is not None:
            self.replica.close()
        self.store.close()

    # ---- the write counter and the one cache ----------------------------------------
    def generation(self) -> int:
        """How many writes the store has had (kept by the stores that keep a claim index); on a
        server store with a claim index replica, the change-log position the replica has reached."""
        if self.replica is not None:
            return self.replica.position
        # the highest: an embedded store writes the new value before it removes the old one
        return max((int(o) for o in self.counter_values()), default=0)

    def counter_values(self) -> list:
        """The write counter's values in the store: one, or two after a crash between an embedded
        store's writing the new one and its removing the old one (the highest counts)."""
        h = URIRef(self.history_graph)
        return [o for _, _, o in self.store.triples(h, KB.generation, None, self.history_graph)]

    def wrote(self, kinds) -> None:
        """Note that this process wrote records of these kinds (see :meth:`kept`); tell the listeners
        (:attr:`on_write`, e.g. the kept exports of :mod:`kb.export`)."""
        for kind in kinds:
            self._kind_writes[kind] += 1
        for listener in list(self.on_write):
            listener()

    def kept(self, name: str, key, compute, *, kinds=None):
        """``compute()``, kept until the next write: of any record (``kinds=None``),
        of a record of one of ``kinds``, or never (``kinds=()``: the vocabulary).

        Only this process's writes are counted, so on a store that other
        processes write too (a server store) a value that depends on writes is
        computed each time, except one kept until the next write of any record
        when this process follows the store's change log (kb.replica)."""
        if kinds is None:
            stamp = self.version()  # (a replica's position in the change log, caught up just now)
            if stamp is None:
                return compute()
        else:
            if kinds and not self.store.single_writer:
                return compute()
            stamp = tuple(self._kind_writes[k] for k in kinds)
        full = (name, stamp, key)
        with self._kept_lock:
            if full in self._kept:
                self._kept.move_to_end(full)
                return self._kept[full]
        value = compute()
        with self._kept_lock:
            self._kept[full] = value
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return value

    def forget(self) -> None:
        """Drop every kept value (benchmarks measure with nothing kept)."""
        with self._kept_lock:
            self._kept.clear()
            self._each.clear()

    def version(self) -> int | None:
        """The version of the store this process reads now, under which values are kept across
        requests (:meth:`kept_each`): inside :meth:`at`, the version given there; else the write
        counter of a store that keeps one (embedded), or on a server store the change-log position
        of this process's replica, caught up just now (one point lookup), so that another process's
        write is seen at this process's next request. None when it cannot tell (a server store
        without a replica, or one that could not catch up): nothing is then kept."""
        scoped = _AT.get()
        if scoped is not None and scoped[0] is self:
            return scoped[1]
        if self.store.single_writer:
            return self.generation()
        if self.replica is None or not self.replica.sync():
            return None
        return self.replica.position

    @contextmanager
    def at(self, version: int | None):
        """Read at ``version`` (found by :meth:`version` before the reads it covers) without asking
        again: one read of several lookups (a page) checks the store's version once."""
        scoped = _AT.get()  # (within a read at the same version, the same values read once: once())
        same = scoped is not None and scoped[0] is self and scoped[1] == version
        token = _AT.set((self, version, scoped[2] if same else {}))
        try:
            yield
        finally:
            _AT.reset(token)

    def once(self, key, compute):
        """``compute()`` once in a read at one version (inside :meth:`at`: one page), else each time."""
        scoped = _AT.get()
        if scoped is None or scoped[0] is not self:
            return compute()
        if key not in scoped[2]:
            scoped[2][key] = compute()
        return scoped[2][key]

    def kept_each(self, name: str, keys, compute) -> dict:
        """``{key: value}`` for each of ``keys``: kept ones as they were read at the store's current
        :meth:`version` (the labels of the same people on every page), the others by ``compute(missing
        keys) -> {key: value}`` and kept. Each value a shallow copy, which the caller may add to."""
        keys = list(dict.fromkeys(keys))
        if not keys:
            return {}
        version = self.version()
        if version is None:
            return compute(keys)
        with self._kept_lock:
            kept_at, kept = self._each.get(name, (None, None))
            if kept_at != version:
                kept = {}
                self._each[name] = (version, kept)
            found = {k: kept[k] for k in keys if k in kept}
        missing = [k for k in keys if k not in found]
        if missing:
            fresh = compute(missing)
            with self._kept_lock:
                if self._each.get(name, (None,))[0] == version and len(kept) + len(fresh) <= KEPT_EACH:
                    kept.update(fresh)
            found.update(fresh)
        return {k: dict(found[k]) for k in keys if k in found}

    def kept_now(self, name: str, keys) -> dict:
        """``{key: value}`` of ``keys`` kept under ``name`` (:meth:`kept_each`) at the store's current version."""
        version = self.version()
        with self._kept_lock:
            kept_at, kept = self._each.get(name, (None, None))
            return {k: kept[k] for k in keys if k in kept} if version is not None and kept_at == version else {}

    # ---- ids ----------------------------------------------------------------------
    def iri(self, kind: str, ref) -> URIRef:
        """A local id or a full IRI -> IRI."""
        if isinstance(ref, URIRef) or (isinstance(ref, str) and ref.startswith(("http://", "https://"))):
            return URIRef(ref)
        return self.minter.iri(kind, ref)

    def local_id(self, iri) -> str:
        return self.minter.local(iri)[1] or str(iri)

    def known_kind(self, local_id: str, kinds) -> str | None:
        """Which of ``kinds`` a local id already names in the store, if any."""
        for kind in kinds:
            if self.store.triples(self.minter.iri(kind, local_id), RDF.type, None, self.current):
                return kind
        return None

    # ---- lookups --------------------------------------------------------------------
    def select(self, query: str) -> list[dict]:
        """The rows of a SELECT over the current graph and the vocabulary."""
        return self.store.select(query, self.default_graphs)[1]

    def column(self, query: str, var: str) -> list:
        return [r[var] for r in self.select(query)]

    def describe(self, iris) -> list:
        """Current triples of records, with their owned fragments (…#quote)."""
        iris = list(dict.fromkeys(iris))
        out = self.store.describe(iris, self.current)
        frags = {o for s, p, o in out if isinstance(o, URIRef) and "#" in o and owner(o) == s}
        if frags:
            out += self.store.describe(frags, self.current)
        return out

    def graph_of(self, iris) -> Graph:
        g = Graph()
        for t in self.describe(iris):
            g.add(t)
        return g

    def versions(self, iri) -> list[tuple[int, URIRef]]:
        """``[(number, version IRI)]`` of a record, oldest first."""
        return self.versions_of([iri])[URIRef(iri)]

    def versions_of(self, iris) -> dict:
        """``{IRI: [(number, version IRI)] oldest first}`` of several records, read together: two lookups
        however many records (on a server store a request per 500; a record at a time made a 2,000-claim
        import send thousands)."""
        iris = [URIRef(i) for i in dict.fromkeys(iris)]
        of = {v: r for v, _, r in self.store.pointing(iris, KB.versionOf, self.history_graph)}
        number = {v: int(n) for v, _, n in self.store.describe(list(of), self.history_graph, (KB.versionNumber,))} \
            if of else {}
        out: dict = {i: [] for i in iris}
        for v, r in of.items():
            if v in number:
                out[r].append((number[v], v))
        return {i: sorted(vs, key=lambda x: x[0]) for i, vs in out.items()}

    def histories(self, iris) -> dict:
        """``{IRI: [(number, version IRI, its triples in the history graph, its snapshot's triples)]}`` of records,
        oldest first: read at once (on a server store one request however many versions and records), once a page
        (:meth:`once`)."""
        iris = [URIRef(i) for i in dict.fromkeys(iris)]
        read: dict = {}

        def versions(iri):
            if not read:  # (every record not read yet in this page, at once)
                read.update({i: [] for i in iris})
                for v, (r, about, snapshot) in self.store.pointing_graphs(iris, KB.versionOf, self.history_graph).items():
                    number = None
                    for _, p, o in about:
                        if p == KB.versionNumber:
                            number = int(o)
                    if number is not None:
                        read[r].append((number, v, about, snapshot))
            return sorted(read[iri], key=lambda x: x[0])
        return {i: self.once(("history", i), lambda i=i: versions(i)) for i in iris}

    def types(self, iris, ahead=None) -> dict:
        """``{IRI as given: a type}`` of records, read at once and kept until the store's next write
        (``ahead``: a :class:`kb.ahead.Ahead` to read them from)."""
        describe = ahead.describe if ahead is not None else lambda s, p: self.store.describe(s, self.current, p)

        def read(missing):
            found = {s: o for s, _, o in describe([URIRef(i) for i in missing], (RDF.type,))}
            return {i: {"type": found[URIRef(i)]} for i in missing if URIRef(i) in found}
        return {i: v["type"] for i, v in self.kept_each("types", iris, read).items()}

    def labels(self, iris, ahead=None) -> dict:
        """IRI -> {id, iri, kind, name{lang: text}} for agents, sources, topics, analysts; kept
        until the store's next write (:meth:`kept_each`); read from ``ahead`` (kb.ahead.Ahead) if given."""
        return self.kept_each("labels", iris, lambda missing: self._labels(missing, ahead))

    def _labels(self, iris, ahead=None) -> dict:
        types, names = defaultdict(list), defaultdict(dict)
        predicates = (RDF.type, *LABEL_PREDICATES)
        for s, p, o in (ahead.describe(iris, predicates) if ahead is not None
                        else self.store.describe(iris, self.current, predicates)):
            if p == RDF.type:
                types[s].append(o)
            elif p in LABEL_PREDICATES:
                names[s].setdefault(p, {})[o.language or ""] = str(o)
        out = {}
        for iri in iris:
            merged = {}
            for p in LABEL_PREDICATES:  # later predicates win
                merged.update(names[iri].get(p, {}))
            out[iri] = {"id": self.local_id(iri), "iri": str(iri), "kind": kind_of_types(types[iri]) or "other",
                        "name": merged}
        return out


__all__ = ["Dataset", "LABEL_PREDICATES", "together"]
