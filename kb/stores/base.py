"""Storage behind one interface; the backend is chosen by the store name.

A store holds an RDF dataset. ClaimKB keeps the current state of every record
in one named graph (``graphs/current`` under the base), each recorded version
of a record in a graph of its own, and the list of versions in
``graphs/history``. Queries see the current graph plus the vocabulary as their
default graph.

Backends:
- :class:`EmbeddedStore`: pyoxigraph on disk (or in memory); every write is one
  atomic SPARQL update.
- :class:`kb.store_sparql.SparqlStore`: a SPARQL 1.1 server (Oxigraph server,
  Virtuoso, …) over the SPARQL 1.1 Protocol; every write is one update request.
"""

from __future__ import annotations

import errno
import json
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from ..errors import KBError

Triple = tuple  # (s, p, o) of rdflib terms
Quad = tuple  # (s, p, o, g)

_XSD_STRING = str(XSD.string)
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


# ---- term conversion ---------------------------------------------------------

def to_ox(term):
    """rdflib term -> pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term):
    """pyoxigraph term -> rdflib term (xsd:string literals become plain)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term is None:
        return None
    raise TypeError(f"unsupported term: {term!r}")


def nt(term) -> str:
    """An rdflib term in N-Triples syntax, escaped by pyoxigraph."""
    return str(to_ox(term))


# ---- the interface -------------------------------------------------------------

@dataclass
class RawResult:
    """A user's query result, the same whatever the backend: ``form`` is
    ``select`` (variables, rows of rdflib terms), ``ask`` (boolean) or
    ``construct``/``describe`` (triples of rdflib terms)."""

    form: str
    variables: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    boolean: bool | None = None
    triples: list = field(default_factory=list)
    partial: bool = False  # cut at the row limit: there were more rows (or triples)


class Store(ABC):
    """What the knowledge base needs of a store. Terms are rdflib terms."""

    read_only = False
    shared = False  # True when other processes may write the same store at once

    @abstractmethod
    def select(self, query: str, default_graphs: list[str]) -> tuple[list[str], list[dict]]:
        """Run a SELECT; return (variables, rows of rdflib terms)."""

    @abstractmethod
    def ask(self, query: str, default_graphs: list[str]) -> bool: ...

    @abstractmethod
    def construct(self, query: str, default_graphs: list[str]) -> list[Triple]: ...

    @abstractmethod
    def triples(self, subject, predicate, obj, graph: str) -> list[Triple]:
        """Triples of one graph matching a pattern (None is a wildcard)."""

    @abstractmethod
    def describe(self, subjects: Iterable[URIRef], graph: str, predicates=None) -> list[Triple]:
        """Every triple of ``graph`` whose subject is one of ``subjects`` (and predicate one of ``predicates``)."""

    @abstractmethod
    def apply(self, deletes: list[Quad], inserts: list[Quad], *, guard=None) -> bool | None:
        """Delete then insert, as one atomic operation.

        ``guard`` is ``(graph, subjects)``: do nothing at all if any of
        ``subjects`` already has a triple in ``graph`` (checked atomically with
        the write). Returns True when written, False when the guard stopped it,
        None when the store cannot tell (the caller reads back)."""

    @abstractmethod
    def dump(self, out: IO[bytes], fmt: str, graph: str | None) -> None:
        """Stream one graph (or the dataset, for TriG/N-Quads) to ``out``."""

    @abstractmethod
    def raw_query(self, query: str, default_graphs: list[str], *, form: str,
                  bindings: dict | None = None, timeout: float | None = None,
                  row_limit: int | None = None) -> RawResult:
        """Run a user's (already checked) query of the given form; ``bindings``
        (variable name -> rdflib term) fix the values of variables. A query
        still running after ``timeout`` seconds is stopped (KBError 503); at
        most ``row_limit`` rows (or triples) come back, marked ``partial``
        when there were more."""

    @abstractmethod
    def quads(self, graph: str | None = None) -> Iterator[Quad]:
        """The quads of one named graph, or of every named graph of the store's data."""

    @abstractmethod
    def has_graph(self, graph: str) -> bool: ...

    def read_settings(self) -> dict:
        """Settings kept with the data (the base IRI, so IRIs stay stable)."""
        return {}

    def write_settings(self, settings: dict) -> None:
        pass

    def close(self) -> None:  # pragma: no cover - trivial
        pass


def _update_text(deletes: list[Quad], inserts: list[Quad]) -> str:
    parts = []
    for verb, quads in (("DELETE DATA", deletes), ("INSERT DATA", inserts)):
        if not quads:
            continue
        by_graph: dict[str, list[str]] = {}
        for s, p, o, g in quads:
            by_graph.setdefault(g, []).append(f"{nt(s)} {nt(p)} {nt(o)} .")
        body = "\n".join(
            f"GRAPH <{g}> {{\n" + "\n".join(lines) + "\n}" for g, lines in by_graph.items()
        )
        parts.append(f"{verb} {{\n{body}\n}}")
    return " ;\n".join(parts)


# ---- embedded: pyoxigraph ------------------------------------------------------

RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}


class EmbeddedStore(Store):
    """An Oxigraph store in a folder (``path``), or in memory when path is None."""

    def __init__(self, path: str | os.PathLike | None = None, *, prefixes: dict | None = None):
        self.path = Path(path) if path is not None else None
        self.prefixes = prefixes or {}
        self._lock = threading.Lock()
        self.version = 0  # writes made through this object (the only writer: RocksDB locks the folder)
        self._pool = None  # users' queries' worker processes (kb.sandbox), started on the first one
        self.query_workers = 2
        if self.path is None:
            self._store = ox.Store()
            return
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(self.path / "oxigraph"))
        except OSError as e:
            text = str(e)
            if _not_writable(e) and (self.path / "oxigraph" / "CURRENT").exists():
                self._open_read_only(e)
                return
            if _not_writable(e):
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
        (see :mod:`kb.sandbox`); without one, here, for as long as it takes."""
        from .sandbox import QueryPool, evaluate  # noqa: PLC0415 - the pool is for users' queries only

        args = {"query": query, "default_graphs": list(default_graphs), "form": form, "bindings": bindings,
                "prefixes": self.prefixes, "row_limit": row_limit}
        if not timeout:
            return evaluate(self._store, **args)
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = QueryPool(self, workers=self.query_workers)
        return self._pool.run(timeout, **args)

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
                # only the wanted terms made into rdflib's (a typed literal costs tens of microseconds)
                if wanted is None or q.predicate.value in wanted:
                    out.append((s, from_ox(q.predicate), from_ox(q.object)))
        return out

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
                if not deletes:  # extend() is atomic too, and skips parsing an update
                    self._store.extend(
                        ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(g)) for s, p, o, g in inserts
                    )
                else:
                    self._store.update(_update_text(deletes, inserts))
                self.version += 1
            except OSError as e:
                if "no space left" in str(e).lower():
                    raise KBError(f"the store folder {str(self.path)!r} is full (no space left on device); "
                                  "this write was not stored", status=503) from e
                raise KBError(f"the store could not be written: {e}", status=503) from e
        return True

    def dump(self, out, fmt, graph):
        f = RDF_FORMATS[fmt]
        kwargs = {"prefixes": self.prefixes} if f in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {}
        if graph is not None and not f.supports_datasets:
            kwargs["from_graph"] = ox.NamedNode(graph)
        elif graph is not None:
            # a dataset format asked for one graph: write it as that graph only
            quads = self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
            ox.serialize(quads, out, f, **kwargs)
            return
        self._store.dump(out, f, **kwargs)

    def quads(self, graph: str | None = None) -> Iterator[Quad]:
        g = ox.NamedNode(graph) if graph else None
        for q in self._store.quads_for_pattern(None, None, None, g):
            yield (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), q.graph_name.value)

    def has_graph(self, graph: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(graph))

    def backup(self, target: str) -> None:
        self._store.flush()
        self._store.backup(target)

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


def _not_writable(e: OSError) -> bool:
    """Permission denied or a read-only file system, however RocksDB words it."""
    text = str(e).lower()
    return (isinstance(e, PermissionError) or getattr(e, "errno", None) in (errno.EACCES, errno.EPERM, errno.EROFS)
            or "permission denied" in text or "read-only file system" in text)


def open_store(name: str | None, *, update_endpoint: str | None = None, prefixes=None) -> Store:
    """Pick the backend by name: an http(s) URL is a SPARQL server, anything
    else a folder for the embedded store; ``:memory:`` is an in-memory store."""
    name = name or "./kb-data"
    if name.startswith(("http://", "https://")):
        from .server import SparqlStore  # noqa: PLC0415 - only for server stores

        if update_endpoint and not update_endpoint.startswith(("http://", "https://")):
            raise KBError(f"the update endpoint must be an http(s) URL (got {update_endpoint!r})", status=2)
        return SparqlStore(name, update_endpoint, prefixes=prefixes)
    if update_endpoint:
        raise KBError("--update-endpoint is for a SPARQL server store; the store here is a folder", status=2)
    if name == ":memory:":
        return EmbeddedStore(None, prefixes=prefixes)
    return EmbeddedStore(name, prefixes=prefixes)
