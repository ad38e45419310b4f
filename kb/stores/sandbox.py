"""Users' queries on the embedded store run in worker processes that can be killed.

pyoxigraph has no query timeout: ``Store.query`` holds the calling thread
until the query is done, however long a cartesian product, a catastrophic
``REGEX`` or a property path over the whole graph takes. So the queries a
*user* writes (``KnowledgeBase.query``: the ``/sparql`` endpoint, the query
page, ``kb query``) are evaluated in a small pool of worker processes; the
knowledge base's own queries stay in-process. A query that has not answered
within the timeout is stopped by killing its worker (a replacement starts on
the next query) and answered with a 503. A worker that dies any other way
(the engine crashing on a query) is replaced too, and the query refused.

What a worker reads is a *snapshot* that nobody writes, since pyoxigraph says
that opening a store read-only while another process writes it is undefined
behaviour (``Store.read_only``'s docstring), and Oxigraph has no secondary
instance that would follow a writer (RELIABILITY.md, "Queries"):

- a store in a folder: a RocksDB checkpoint (:meth:`EmbeddedStore.snapshot_to`)
  in ``<store>/query-snapshots/``, opened read-only by the workers;
- a store in a read-only folder: the folder itself (nobody can write it);
- an in-memory store: the dataset as N-Quads (:meth:`EmbeddedStore.dump_quads`),
  loaded into each worker's own in-memory store (a copy per worker: fine for
  tests and small stores).

A snapshot is taken only when the store changed since the last one (the
store counts its writes), so a query sees every write acknowledged before it
was sent. Old snapshots are removed once no running query uses them.

Each worker also keeps a *replica*: the default graphs (the current graph and
the vocabulary) merged into the default graph of an in-memory store, which
answers the examples 2-16x faster than the on-disk snapshot (BENCHMARKS.md,
"Analysts' SPARQL"). The first query a worker gets tells it to load the
replica from that query's snapshot, in a thread of the worker: its queries
read the snapshot meanwhile (at 100k claims the load takes a minute). Each
later query brings the quads the writes since then removed from and added to
the default graphs (the store hands every write's quads to :class:`Changes`,
which keeps the latest ``KEPT_QUADS``), applied before the query runs, so the
replica too shows every write acknowledged before the query was sent; a
worker further behind than that is replaced (its successor loads anew). A
query whose text says ``FROM`` or ``GRAPH`` reads the snapshot, which holds
every graph, as before. A replica whose graphs would take more than the
memory budget (``query_replica_mb`` of the store, ``CLAIMKB_QUERY_REPLICA_MB``,
per worker; 0: none) is dropped and every query reads the snapshot. A killed
worker (the time limit) takes its replica with it: its successor loads again.

A worker is ``python -I kb/stores/query_worker.py`` (a new program, started
with fork and exec: nothing of the threaded web server is inherited, no lock
held by another thread, and the program that opened the knowledge base is
never imported again as multiprocessing's ``spawn``/``forkserver`` would). It
imports pyoxigraph only, and answers over a socketpair; terms travel as plain
tuples. A worker whose parent died (even by SIGKILL, mid-query) exits by
itself. The row limit is applied in the worker: it stops reading solutions
after ``row_limit + 1`` and marks the result ``partial``.

A store on a SPARQL server does not need this: its queries have the HTTP read
timeout (see :meth:`kb.stores.server.SparqlStore.raw_query`).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
import weakref
from collections import deque
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from ..errors import KBError, QueryError, QueryTimeout
from .base import XSD_STRING, RawResult, to_ox

log = logging.getLogger("claimkb")

SNAPSHOTS = "query-snapshots"
WORKER = Path(__file__).with_name("query_worker.py")


def _enc(t):
    """An rdflib term as the worker's plain tuple."""
    o = to_ox(t)
    if isinstance(o, ox.NamedNode):
        return ("i", o.value)
    if isinstance(o, ox.BlankNode):
        return ("b", o.value)
    return ("l", o.value, o.language, o.datatype.value)


def _dec(t):
    """The worker's plain tuple as an rdflib term (as :func:`kb.stores.base.from_ox` makes it)."""
    if t is None:
        return None
    if t[0] == "i":
        return URIRef(t[1])
    if t[0] == "b":
        return BNode(t[1])
    if t[2]:
        return Literal(t[1], lang=t[2])
    return Literal(t[1]) if t[3] == XSD_STRING else Literal(t[1], datatype=URIRef(t[3]))


def evaluate(store, query: str, default_graphs, *, form: str, bindings=None, prefixes=None,
             row_limit: int | None = None) -> RawResult:
    """Run a checked query on a pyoxigraph store in this process (no time limit)."""
    from .query_worker import evaluate as run  # noqa: PLC0415

    binds = {k: _enc(v) for k, v in bindings.items()} if bindings else None
    graphs = None if default_graphs is None else list(default_graphs)
    return _result(run(store, query, graphs, form, binds, prefixes, row_limit))


def _result(answer) -> RawResult:
    form, variables, items, boolean, partial = answer
    if form == "ask":
        return RawResult("ask", boolean=boolean)
    if form in ("construct", "describe"):
        return RawResult(form, triples=[tuple(_dec(x) for x in t) for t in items], partial=partial)
    return RawResult("select", variables=variables, partial=partial,
                     rows=[{v: _dec(x) for v, x in zip(variables, row, strict=True)} for row in items])


class _Worker:
    def __init__(self):
        mine, theirs = socket.socketpair()
        try:
            self.proc = subprocess.Popen([sys.executable, "-I", str(WORKER), str(theirs.fileno()), str(os.getpid())],
                                         pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            theirs.close()
        self.conn = Connection(mine.detach())
        self.snapshot = None  # the key of the snapshot it has open
        self.replica = None  # its replica's state as last told ("loading", "ready"...), None: never asked to load
        self.sent = 0  # the version up to which it was sent the writes' quads
        self.loading = None  # the key of the snapshot its replica is loading from
        self.retire = False  # stopped after its query: its replica is too far behind to follow

    def kill(self):
        self.proc.kill()
        self.proc.wait(5)
        self.conn.close()


def _kill_all(workers: set) -> None:
    for w in list(workers):
        w.kill()
    workers.clear()


# a query that may name graphs other than the default ones (FROM, FROM NAMED, GRAPH) is answered from
# the snapshot, which holds every graph: looked for in the text, so a word in a string or a comment only
# costs that query the replica's speed
NAMES_GRAPHS = re.compile(r"\b(?:FROM|GRAPH)\b", re.IGNORECASE)
REPLICA_MB = 1536  # a worker's replica of the default graphs at most (100k claims: ~700 MB)
KEPT_QUADS = 50_000  # the writes' quads kept for replicas to follow (~15 MB; ~1,200 claim writes); further behind: load again


class Changes:
    """The quads each write of the store removed from and added to the default graphs, the
    latest ``KEPT_QUADS`` of them: what replicas follow. Appended by the store's writer, in order
    of its version, while it holds its write lock."""

    def __init__(self, graphs, version: int):
        self.graphs = frozenset(graphs)
        self.floor = version  # writes up to this version are not kept
        self._entries: deque = deque()
        self._quads = 0
        self._lock = threading.Lock()

    def append(self, version: int, deletes, inserts) -> None:
        d = [(s, p, o) for s, p, o, g in deletes if g in self.graphs]
        i = [(s, p, o) for s, p, o, g in inserts if g in self.graphs]
        with self._lock:
            if d or i:
                self._entries.append((version, d, i))
                self._quads += len(d) + len(i)
            while self._quads > KEPT_QUADS and self._entries:
                v, d, i = self._entries.popleft()
                self._quads -= len(d) + len(i)
                self.floor = v

    def since(self, version: int) -> list | None:
        """The writes after ``version`` (their terms as the worker's tuples), None when no longer kept."""
        with self._lock:
            if version < self.floor:
                return None
            entries = [e for e in self._entries if e[0] > version]
        return [(v, [tuple(map(_enc, t)) for t in d], [tuple(map(_enc, t)) for t in i]) for v, d, i in entries]


class QueryPool:
    """Up to ``workers`` processes evaluating users' queries on snapshots of ``store`` (an EmbeddedStore)."""

    def __init__(self, store, *, workers: int = 2, replica_mb: float | None = REPLICA_MB):
        self.store = store
        self.size = max(1, int(workers))
        self.replica_mb = replica_mb or 0  # each worker's replica's budget; 0: none, every query on a snapshot
        self.replica_off = None  # why replicas were given up (over the budget), or None
        self.replica = None  # the state a worker last told of its replica: (state, version, MB, load seconds)
        self._closed = False
        self._lock = threading.Lock()
        self._free = threading.Condition(self._lock)
        self._idle: list[_Worker] = []
        self._alive: set[_Worker] = set()
        # a pool dropped without close() (an app in a test) takes its workers with it
        self._finalizer = weakref.finalize(self, _kill_all, self._alive)
        self._started = 0
        self._snap = None  # (key, version, spec)
        self._users: dict[str, int] = {}  # snapshot key -> queries running on it, and replicas loading from it
        self._specs: dict[str, tuple] = {}  # snapshot key -> where it is, for each snapshot not yet removed
        self._dir = None
        if store.path is not None and not store.read_only:
            self._dir = store.path / SNAPSHOTS
            shutil.rmtree(self._dir, ignore_errors=True)  # left by a process that was killed

    # ---- snapshots ---------------------------------------------------------------
    def _snapshot(self):
        """The newest snapshot, taken when the store changed since the last one (pool lock held)."""
        version = self.store.version
        if self._snap is not None and self._snap[1] == version:
            return self._snap
        if self.store.path is not None and self.store.read_only:
            spec = ("path", str(self.store.path / "oxigraph"))
        elif self.store.path is not None:
            self._dir.mkdir(parents=True, exist_ok=True)
            target = self._dir / uuid.uuid4().hex
            version = self.store.snapshot_to(target)
            spec = ("path", str(target))
        else:
            version, nquads = self.store.dump_quads()
            spec = ("nquads", nquads)
        old, self._snap = self._snap, (uuid.uuid4().hex, version, spec)
        self._specs[self._snap[0]] = spec
        if old is not None:
            self._forget(old[0])
        return self._snap

    def _forget(self, key) -> None:
        """Remove a snapshot that is no longer the newest, once no query runs on it and no replica loads from it."""
        if self._users.get(key) or (self._snap is not None and self._snap[0] == key) or key not in self._specs:
            return
        kind, value = self._specs.pop(key)
        if kind != "path" or self._dir is None or Path(value).parent != self._dir:
            return
        shutil.rmtree(value, ignore_errors=True)

    # ---- workers -----------------------------------------------------------------
    def _acquire(self, deadline: float) -> _Worker:
        with self._free:
            while True:
                while self._idle:
                    w = self._idle.pop()
                    if w.proc.poll() is None:
                        return w
                    w.kill()  # it died while idle (killed from outside): start another
                    self._alive.discard(w)
                    self._unuse(w)
                    self._started -= 1
                if self._started < self.size:
                    self._started += 1
                    break
                left = deadline - time.monotonic()
                if left <= 0 or not self._free.wait(left):
                    raise KBError("every query worker is busy with a long query; try again in a moment",
                                  status=503)
        try:
            w = _Worker()
            self._alive.add(w)
            return w
        except Exception:
            with self._free:
                self._started -= 1
                self._free.notify()
            raise

    def _release(self, worker: _Worker | None) -> None:
        with self._free:
            if worker is not None and self._closed:
                worker.kill()
                self._alive.discard(worker)
                worker = None
            if worker is None:
                self._started -= 1
            else:
                self._idle.append(worker)
            self._free.notify()

    def _order(self, worker: _Worker, graphs, use: bool):
        """What ``worker`` is told about its replica with this query (pool lock held): ``("load",)``
        (completed with the snapshot), the writes to follow, or None (no replica)."""
        if not self.replica_mb or self.replica_off or graphs is None:  # (None: the query names its dataset)
            return None
        if self.store.changes is None:
            self.store.keep_changes(lambda version: Changes(graphs, version))
        if worker.replica is None:
            return ("load",)
        version = self.store.version
        writes = self.store.changes.since(worker.sent)
        if writes is None:  # too far behind: replaced after this query (a new worker loads anew)
            worker.retire = True
            return None
        worker.sent = max([version, worker.sent] + [w[0] for w in writes])
        return ("follow", writes, use)

    def _told(self, worker: _Worker, report) -> None:
        """The worker told its replica's state (pool lock held)."""
        if report is None:
            return
        worker.replica, self.replica = report[0], report
        if report[0] != "loading":
            self._unuse(worker)
        if report[0] not in ("loading", "ready") and not self.replica_off:
            self.replica_off = report[0]
            log.warning("users' queries read the on-disk snapshot: the in-memory replica of the default graphs "
                        "is %s (%s MB; budget %s MB)", report[0], report[2], self.replica_mb)

    def _unuse(self, worker: _Worker) -> None:
        """The snapshot ``worker``'s replica was loading from is no longer needed by it (pool lock held)."""
        if worker.loading is not None:
            key, worker.loading = worker.loading, None
            self._done_with(key)

    def _done_with(self, key) -> None:
        self._users[key] -= 1
        if not self._users[key]:
            del self._users[key]
            self._forget(key)

    def run(self, timeout: float, **args) -> RawResult:
        """Evaluate one query (the arguments of :func:`evaluate` but the store);
        KBError 503 when it has not answered within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        if args.get("bindings"):
            args = {**args, "bindings": {k: _enc(v) for k, v in args["bindings"].items()}}
        use = not NAMES_GRAPHS.search(args["query"])
        worker = self._acquire(deadline)
        key, ok = None, False
        try:
            with self._lock:
                order = self._order(worker, args["default_graphs"], use)
                spec = None
                if order is None or order[0] == "load" or not use or worker.replica != "ready":
                    key, version, spec = self._snapshot()
                    self._users[key] = self._users.get(key, 0) + 1
                    if order is not None and order[0] == "load":
                        order = ("load", list(args["default_graphs"]), version, self.replica_mb)
                        worker.replica, worker.sent, worker.loading = "loading", version, key
                        self._users[key] += 1
            try:
                worker.conn.send((key, None if spec is None or worker.snapshot == key else spec, args, order))
            except OSError:
                raise KBError("the query worker stopped before it got the query; try again", status=503) from None
            if key is not None:
                worker.snapshot = key
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                raise QueryTimeout(timeout)
            try:
                status, value, report = worker.conn.recv()
            except (EOFError, OSError):
                raise QueryError("the query could not run: the query engine stopped on it") from None
            ok = True
            with self._lock:
                self._told(worker, report)
        finally:
            if not ok or worker.retire:  # still running (or dead, or too far behind): stop it
                worker.kill()
                with self._lock:
                    self._alive.discard(worker)
                    self._unuse(worker)
            self._release(worker if ok and not worker.retire else None)
            if key is not None:
                with self._lock:
                    self._done_with(key)
        if status == "error":
            raise QueryError(value)
        return _result(value)

    def replica_state(self) -> dict:
        """What a worker last told of its replica: ``state`` (off, not loaded, loading, ready, over budget,
        failed: …), the store ``version`` it holds, its ``mb`` and ``load_s``, and the ``budget_mb``."""
        state = self.replica or ("not loaded", 0, 0.0, 0.0)
        if not self.replica_mb:
            state = ("off", 0, 0.0, 0.0)
        return {"state": self.replica_off or state[0], "version": state[1], "mb": state[2], "load_s": state[3],
                "budget_mb": self.replica_mb}

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for w in self._idle:
                w.kill()
                self._alive.discard(w)
            self._idle.clear()
            if self._dir is not None:
                shutil.rmtree(self._dir, ignore_errors=True)


__all__ = ["QueryPool", "evaluate"]
