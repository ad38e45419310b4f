"""The embedded store: pyoxigraph in a folder (or in memory); every write is one
atomic Oxigraph transaction.

A folder holds ``oxigraph/`` (the RocksDB store, which one process at a time
can open), ``settings.json`` (the base IRI), and beside them the claim index
(``index.sqlite``) and the snapshots users' queries read (``query-snapshots/``,
see :mod:`kb.stores.sandbox`).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from ..errors import KBError
from ..namespaces import KB
from .base import Quad, Store, from_ox, not_writable, serializer, to_ox, update_text
from .sandbox import REPLICA_MB, QueryPool, evaluate


class EmbeddedStore(Store):
    """An Oxigraph store in a folder (``path``), or in memory when path is None."""

    single_writer = True  # RocksDB locks the folder: this object makes every write

    def __init__(self, path: str | os.PathLike | None = None, *, prefixes: dict | None = None):
        self.path = Path(path) if path is not None else None
        self.prefixes = prefixes or {}
        self._lock = threading.Lock()
        self.version = 0  # writes made through this object (the only writer)
        self._pool = None  # users' queries' worker processes, started on the first one
        self.query_workers = 2
        # each worker's in-memory replica of the default graphs at most, in MB (0: none; see kb.stores.sandbox)
        self.query_replica_mb = float(os.environ.get("CLAIMKB_QUERY_REPLICA_MB", REPLICA_MB))
        self.changes = None  # the writes' quads kept for the replicas (sandbox.Changes), once a replica is made
        if self.path is None:
            self._store = ox.Store()
            return
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(self.path / "oxigraph"))
        except OSError as e:
            text = str(e)
            if not_writable(e) and (self.path / "oxigraph" / "CURRENT").exists():
                self._open_read_only(e)
                return
            if not_writable(e):
                raise KBError(f"cannot open the store folder {str(self.path)!r}: it is not writable") from e
            if "lock" in text.lower():
                raise KBError(
                    f"the store folder {str(self.path)!r} is in use by another process; "
                    "an embedded store can be opened by one process at a time "
                    "(run several workers against a SPARQL server instead)",
                    status=503,
                ) from e
            raise KBError(f"cannot open the store folder {str(self.path)!r}: {text}") from e

    def _open_read_only(self, cause: OSError) -> None:
        """The folder cannot be written (permissions, a read-only file system): serve reads
        from a read-only open, and refuse every write with one sentence."""
        why = "a read-only file system" if "read-only file system" in str(cause).lower() else "permission denied"
        try:
            self._store = ox.Store.read_only(str(self.path / "oxigraph"))
        except OSError as e:
            raise KBError(f"cannot open the store folder {str(self.path)!r}: {e}") from e
        self.read_only = True
        self.read_only_reason = (f"the store folder {str(self.path)!r} is read-only ({why}); "
                                 "nothing was written, and everything already stored is intact")

    @property
    def index_path(self) -> str | None:
        """The claim index beside the store; in memory for an in-memory store."""
        return str(self.path / "index.sqlite") if self.path is not None else None

    # settings kept beside the data (the base IRI, so IRIs stay stable)
    def read_settings(self) -> dict:
        if self.path is None:
            return {}
        f = self.path / "settings.json"
        return json.loads(f.read_text()) if f.exists() else {}

    def write_settings(self, settings: dict) -> None:
        if self.read_only:
            raise KBError(self.read_only_reason, status=503)
        if self.path is not None:
            tmp = self.path / "settings.json.tmp"
            tmp.write_text(json.dumps(settings, indent=2))
            tmp.replace(self.path / "settings.json")

    # ---- reads ------------------------------------------------------------------
    def _graphs(self, default_graphs):
        return [ox.NamedNode(g) for g in default_graphs]

    def select(self, query, default_graphs):
        res = self._store.query(query, default_graph=self._graphs(default_graphs))
        variables = [v.value for v in res.variables]
        rows = []
        for sol in res:
            rows.append({v: from_ox(sol[v]) for v in variables})
        return variables, rows

    def ask(self, query, default_graphs):
        return bool(self._store.query(query, default_graph=self._graphs(default_graphs)))

    def construct(self, query, default_graphs):
        res = self._store.query(query, default_graph=self._graphs(default_graphs))
        return [(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in res]

    def raw_query(self, query, default_graphs, *, form, bindings=None, timeout=None, row_limit=None):
        """With a timeout, in a worker process that is killed when the time is up
        (see :mod:`kb.stores.sandbox`); without one, here, for as long as it takes."""
        args = {"query": query, "default_graphs": None if default_graphs is None else list(default_graphs),
                "form": form, "bindings": bindings,
                "prefixes": self.prefixes, "row_limit": row_limit}
        if not timeout:
            return evaluate(self._store, **args)
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = QueryPool(self, workers=self.query_workers, replica_mb=self.query_replica_mb)
        return self._pool.run(timeout, **args)

    def query_replica(self) -> dict:
        """The state of the query workers' in-memory replica (see :meth:`kb.stores.sandbox.QueryPool.replica_state`)."""
        if self._pool is None:
            return {"state": "off" if not self.query_replica_mb else "not loaded", "version": 0, "mb": 0.0,
                    "load_s": 0.0, "budget_mb": self.query_replica_mb}
        return self._pool.replica_state()

    def triples(self, subject, predicate, obj, graph):
        g = ox.NamedNode(graph)
        return [
            (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object))
            for q in self._store.quads_for_pattern(
                to_ox(subject) if subject is not None else None,
                to_ox(predicate) if predicate is not None else None,
                to_ox(obj) if obj is not None else None,
                g,
            )
        ]

    def describe(self, subjects, graph, predicates=None):
        g = ox.NamedNode(graph)
        wanted = {str(p) for p in predicates} if predicates is not None else None
        out = []
        for s in subjects:
            for q in self._store.quads_for_pattern(to_ox(s), None, None, g):
                # only the wanted terms are made into rdflib's (a typed literal is slow to convert)
                if wanted is None or q.predicate.value in wanted:
                    out.append((s, from_ox(q.predicate), from_ox(q.object)))
        return out

    def quads(self, graph: str | None = None) -> Iterator[Quad]:
        g = ox.NamedNode(graph) if graph else None
        for q in self._store.quads_for_pattern(None, None, None, g):
            yield (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), q.graph_name.value)

    def has_graph(self, graph: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(graph))

    def dump(self, out, fmt, graph):
        """Serialized by pyoxigraph from its own terms, never made into rdflib's."""
        f, options = serializer(fmt, self.prefixes)
        if graph is not None and not f.supports_datasets:
            options["from_graph"] = ox.NamedNode(graph)
        elif graph is not None:
            # a dataset format asked for one graph: write it as that graph only
            quads = self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
            ox.serialize(quads, out, f, **options)
            return
        self._store.dump(out, f, **options)

    # ---- writes -------------------------------------------------------------------
    def apply(self, deletes, inserts, *, guard=None):
        if not deletes and not inserts:
            return True
        if self.read_only:
            raise KBError(self.read_only_reason, status=503)
        with self._lock:
            # one process holds the store (RocksDB's lock) and this lock serialises
            # its threads, so checking the guard and then writing is atomic here
            if guard is not None:
                g = ox.NamedNode(guard[0])
                if any(next(self._store.quads_for_pattern(to_ox(s), None, None, g), None) for s in guard[1]):
                    return False
            try:
                if all(p == KB.generation for _, p, _, _ in deletes):
                    # extend() is atomic too, and skips parsing an update (an import's 90,000 quads: 6 s of
                    # parsing here). The write counter's old value goes after: a crash in between leaves
                    # two values, of which the highest counts (Dataset.generation) and the next write
                    # removes both.
                    self._store.extend(
                        ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(g)) for s, p, o, g in inserts
                    )
                    for s, p, o, g in deletes:
                        self._store.remove(ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(g)))
                else:
                    self._store.update(update_text(deletes, inserts))
                if self.changes is not None:  # before the version counts it: a query that sees it follows it
                    self.changes.append(self.version + 1, deletes, inserts)
                self.version += 1
            except OSError as e:
                if "no space left" in str(e).lower():
                    raise KBError(f"the store folder {str(self.path)!r} is full (no space left on device); "
                                  "this write was not stored", status=503) from e
                raise KBError(f"the store could not be written: {e}", status=503) from e
        return True

    def keep_changes(self, make) -> None:
        """Keep ``make(version)`` (a :class:`kb.stores.sandbox.Changes`) told of every write from now on."""
        with self._lock:
            if self.changes is None:
                self.changes = make(self.version)

    # ---- copies: snapshots for users' queries, backups ------------------------------
    def snapshot_to(self, target: str | os.PathLike) -> int:
        """A RocksDB checkpoint of the store in the new folder ``target`` (hard
        links to the immutable table files: cheap), with no write in between;
        returns :attr:`version`, the number of writes it holds."""
        with self._lock:
            self._store.flush()
            self._store.backup(str(target))
            return self.version

    def dump_quads(self) -> tuple[int, bytes]:
        """The whole dataset as N-Quads, with no write in between, and the number of writes it holds."""
        with self._lock:
            return self.version, self._store.dump(format=ox.RdfFormat.N_QUADS)

    def backup_to(self, target) -> dict:
        """Back up the store folder to the new folder ``target`` (see :func:`kb.backup.backup_open_store`)."""
        # imported when used: kb.backup imports kb.stores.base, whose package imports this module
        from ..backup import backup_open_store  # noqa: PLC0415

        if self.path is None:
            return super().backup_to(target)
        return backup_open_store(self._store, self.path, target)

    def close(self):
        if getattr(self, "_pool", None) is not None:
            self._pool.close()
            self._pool = None
        store = getattr(self, "_store", None)
        if store is not None and self.path is not None and not self.read_only:
            try:
                store.flush()
            except OSError:
                pass
        self._store = None
