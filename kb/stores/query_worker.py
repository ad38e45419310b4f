"""The worker process of :mod:`kb.stores.sandbox`: ``python kb/stores/query_worker.py FD PARENT_PID``.

Run as a script (not ``-m kb...``) so it imports pyoxigraph only (never kb),
starts quickly, and never imports the program that started it. It
answers on the socket ``FD`` (a ``multiprocessing.connection`` over a
socketpair) until the socket closes. Terms travel as plain tuples:
``("i", iri)``, ``("b", id)``, ``("l", value, language, datatype)``.

Each message is ``(snapshot key, snapshot or None, query arguments, replica
order or None)``. The worker keeps the snapshot it was last sent open, and,
when told to, an in-memory *replica* of the default graphs (see the sandbox's
docstring): loaded from a snapshot in a thread of its own (queries are
answered from the snapshot meanwhile), then kept up to date by the writes'
quads each message brings. A replica larger than its memory budget is dropped.
Each answer ends with the replica's state: ``(state, version, MB, load seconds)``.
"""

import itertools
import os
import sys
import threading
import time
from multiprocessing.connection import Connection

import pyoxigraph as ox


def to_ox(t):
    if t[0] == "i":
        return ox.NamedNode(t[1])
    if t[0] == "b":
        return ox.BlankNode(t[1])
    if t[2]:
        return ox.Literal(t[1], language=t[2])
    return ox.Literal(t[1], datatype=ox.NamedNode(t[3])) if t[3] else ox.Literal(t[1])


def enc(t):
    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return ("i", t.value)
    if isinstance(t, ox.BlankNode):
        return ("b", t.value)
    if isinstance(t, ox.Literal):
        return ("l", t.value, t.language, t.datatype.value)
    raise ValueError(f"unsupported term in a result: {t!r}")


def evaluate(store, query, default_graphs, form, bindings, prefixes, row_limit):
    """(form, variables, rows or triples, boolean, partial). ``default_graphs`` None: the store's default graph."""
    subs = {ox.Variable(k): to_ox(v) for k, v in bindings.items()} if bindings else None
    graphs = None if default_graphs is None else [ox.NamedNode(g) for g in default_graphs]
    res = store.query(query, default_graph=graphs, substitutions=subs, prefixes=prefixes or {})
    if form == "ask":
        return ("ask", [], [], bool(res), False)
    items = iter(res)
    if row_limit is not None:
        items = itertools.islice(items, row_limit + 1)
    if form in ("construct", "describe"):
        variables = []
        out = [(enc(t.subject), enc(t.predicate), enc(t.object)) for t in items]
    else:
        variables = [v.value for v in res.variables]
        out = [tuple(enc(sol[v]) for v in variables) for sol in items]
    partial = row_limit is not None and len(out) > row_limit
    if partial:
        del out[row_limit:]
    return (form, variables, out, None, partial)


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# the in-memory store takes about this many bytes per byte of the graphs' N-Triples (measured: 2.5-2.7)
NT_RATIO = 3


class Replica:
    """The default graphs in memory, merged into the store's default graph (a query over it
    needs no list of graphs), loaded in a thread and then kept up to date by the writes' quads."""

    def __init__(self, source, graphs, version, budget_mb):
        self.store, self.version, self.budget = None, version, budget_mb
        self.state, self.mb, self.seconds = "loading", 0.0, 0.0
        self.pending = []  # writes sent while loading, applied once loaded
        self._thread = threading.Thread(target=self._load, args=(source, graphs), daemon=True)
        self._thread.start()

    def _load(self, source, graphs):
        t, before = time.monotonic(), _rss_mb()
        try:
            parts = [source.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)) for g in graphs]
            if sum(len(p) for p in parts) * NT_RATIO / 2**20 > self.budget:
                self.state, self.mb = "over budget", sum(len(p) for p in parts) * NT_RATIO / 2**20
                return
            store = ox.Store()
            for p in parts:
                store.bulk_load(p, format=ox.RdfFormat.N_TRIPLES)
            del parts
            self.mb, self.seconds = max(0.0, _rss_mb() - before), time.monotonic() - t
            if self.mb > self.budget:
                self.state = "over budget"
                return
            self.store = store
            self.state = "ready"
        except Exception as e:  # noqa: BLE001 - told to the pool, which falls back to the snapshot
            self.state = f"failed: {e}"

    def follow(self, writes) -> bool:
        """Apply the writes ``[(version, deletes, inserts)]`` (triples as tuples); True when ready to answer."""
        self.pending += writes
        if self.state != "ready":
            return False
        for version, deletes, inserts in self.pending:
            if version <= self.version:
                continue
            for s, p, o in deletes:
                self.store.remove(ox.Quad(to_ox(s), to_ox(p), to_ox(o)))
            self.store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in inserts)
            self.version = version
        self.pending = []
        return True

    def report(self):
        return (self.state, self.version, round(self.mb, 1), round(self.seconds, 2))


def _exit_with_parent(parent: int) -> None:
    """A worker whose server died (even by SIGKILL, mid-query) stops within a
    second instead of finishing a runaway query alone; pyoxigraph lets go of
    the GIL while it evaluates, so this thread runs meanwhile."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _open(snap):
    kind, value = snap
    if kind == "path":
        return ox.Store.read_only(value)
    store = ox.Store()
    store.load(value, format=ox.RdfFormat.N_QUADS)
    return store


def main(fd: int, parent: int) -> None:
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    conn = Connection(fd)
    key, store, replica = None, None, None
    while True:
        try:
            snap_key, snap, args, order = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if snap is not None and snap_key != key:
                store, key = _open(snap), snap_key
            on_replica = False
            if order is not None:
                if order[0] == "load":  # ("load", graphs, version of the snapshot, budget MB)
                    replica = Replica(store, order[1], order[2], order[3])
                else:  # ("follow", writes, whether this query may be answered from the replica)
                    on_replica = replica is not None and replica.follow(order[1]) and order[2]
            if on_replica:
                answer = evaluate(replica.store, **{**args, "default_graphs": None})
            else:
                answer = evaluate(store, **args)
            conn.send(("ok", answer, replica.report() if replica is not None else None))
        except SyntaxError as e:
            conn.send(("error", f"the query is malformed: {e}", replica.report() if replica else None))
        except (OSError, RuntimeError, ValueError, TypeError) as e:
            conn.send(("error", f"the query could not run: {e}", replica.report() if replica else None))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
