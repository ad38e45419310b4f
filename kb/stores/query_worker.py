"""The worker process of :mod:`kb.stores.sandbox`: ``python kb/stores/query_worker.py FD PARENT_PID``.

Run as a script (not ``-m kb...``) so it imports pyoxigraph only (never kb),
starts quickly, and never imports the program that started it. It
answers on the socket ``FD`` (a ``multiprocessing.connection`` over a
socketpair) until the socket closes. Terms travel as plain tuples:
``("i", iri)``, ``("b", id)``, ``("l", value, language, datatype)``.
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
    """(form, variables, rows or triples, boolean, partial)."""
    subs = {ox.Variable(k): to_ox(v) for k, v in bindings.items()} if bindings else None
    res = store.query(query, default_graph=[ox.NamedNode(g) for g in default_graphs], substitutions=subs,
                      prefixes=prefixes or {})
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


def _exit_with_parent(parent: int) -> None:
    """A worker whose server died (even by SIGKILL, mid-query) stops within a
    second instead of finishing a runaway query alone; pyoxigraph lets go of
    the GIL while it evaluates, so this thread runs meanwhile."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def main(fd: int, parent: int) -> None:
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    conn = Connection(fd)
    key, store = None, None
    while True:
        try:
            snap_key, snap, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if snap_key != key:
                store = None
                kind, value = snap
                if kind == "path":
                    store = ox.Store.read_only(value)
                else:
                    store = ox.Store()
                    store.load(value, format=ox.RdfFormat.N_QUADS)
                key = snap_key
            conn.send(("ok", evaluate(store, **args)))
        except SyntaxError as e:
            conn.send(("error", f"the query is malformed: {e}"))
        except (OSError, RuntimeError, ValueError, TypeError) as e:
            conn.send(("error", f"the query could not run: {e}"))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
