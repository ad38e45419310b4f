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

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
import weakref
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from ..errors import KBError, QueryError, QueryTimeout
from .base import XSD_STRING, RawResult, to_ox

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
    return _result(run(store, query, list(default_graphs), form, binds, prefixes, row_limit))


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

    def kill(self):
        self.proc.kill()
        self.proc.wait(5)
        self.conn.close()


def _kill_all(workers: set) -> None:
    for w in list(workers):
        w.kill()
    workers.clear()


class QueryPool:
    """Up to ``workers`` processes evaluating users' queries on snapshots of ``store`` (an EmbeddedStore)."""

    def __init__(self, store, *, workers: int = 2):
        self.store = store
        self.size = max(1, int(workers))
        self._closed = False
        self._lock = threading.Lock()
        self._free = threading.Condition(self._lock)
        self._idle: list[_Worker] = []
        self._alive: set[_Worker] = set()
        # a pool dropped without close() (an app in a test) takes its workers with it
        self._finalizer = weakref.finalize(self, _kill_all, self._alive)
        self._started = 0
        self._snap = None  # (key, version, spec)
        self._users: dict[str, int] = {}  # snapshot key -> queries running on it
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
        if old is not None:
            self._forget(old)
        return self._snap

    def _forget(self, snap) -> None:
        """Remove a snapshot that is no longer the newest, once no query runs on it."""
        key, _, (kind, value) = snap
        if self._users.get(key) or kind != "path" or self._dir is None or Path(value).parent != self._dir:
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

    def run(self, timeout: float, **args) -> RawResult:
        """Evaluate one query (the arguments of :func:`evaluate` but the store);
        KBError 503 when it has not answered within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        if args.get("bindings"):
            args = {**args, "bindings": {k: _enc(v) for k, v in args["bindings"].items()}}
        with self._lock:
            key, _, spec = snap = self._snapshot()
            self._users[key] = self._users.get(key, 0) + 1
        worker, ok = None, False
        try:
            worker = self._acquire(deadline)
            try:
                worker.conn.send((key, None if worker.snapshot == key else spec, args))
            except OSError:
                raise KBError("the query worker stopped before it got the query; try again", status=503) from None
            worker.snapshot = key
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                raise QueryTimeout(timeout)
            try:
                status, value = worker.conn.recv()
            except (EOFError, OSError):
                raise QueryError("the query could not run: the query engine stopped on it") from None
            ok = True
        finally:
            if worker is not None:
                if not ok:  # still running (or dead): stop it; a new one starts when needed
                    worker.kill()
                    self._alive.discard(worker)
                self._release(worker if ok else None)
            with self._lock:
                self._users[key] -= 1
                if not self._users[key]:
                    del self._users[key]
                    if self._snap is not snap:
                        self._forget(snap)
        if status == "error":
            raise QueryError(value)
        return _result(value)

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
