"""What every store is: the interface, term conversion, the one result type of
users' queries, and the SPARQL update text every backend writes with.

A store holds an RDF dataset. ClaimKB keeps the current state of every record
in one named graph (``graphs/current`` under the base), each recorded version
of a record in a graph of its own, and the list of versions in
``graphs/history``. Queries see the current graph plus the vocabulary as their
default graph.

This module imports nothing from its siblings: :mod:`kb.stores.embedded` and
:mod:`kb.stores.server` build on it.
"""

from __future__ import annotations

import errno
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from ..errors import KBError
from ..namespaces import XSD

Triple = tuple  # (s, p, o) of rdflib terms
Quad = tuple  # (s, p, o, g): rdflib terms, and the graph's IRI as a string

XSD_STRING = str(XSD.string)  # the datatype of a plain literal, which rdflib leaves out

RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}


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
    """pyoxigraph term -> rdflib term (xsd:string literals become plain).

    Short terms are converted once and the rdflib term kept (:func:`_from_ox_kept`): rdflib
    parses a typed literal anew each time (10-16 µs for a date), and the same predicates, classes,
    people and dates recur on every page. rdflib's terms are immutable, so sharing them is safe."""
    if isinstance(term, ox.NamedNode) or (isinstance(term, ox.Literal) and len(term.value) <= KEEP_TERMS_UP_TO):
        return _from_ox_kept(term)
    return _from_ox(term)


KEEP_TERMS_UP_TO = 120  # characters: IRIs, dates, numbers, names; not texts (a source's text may be a whole article)


@lru_cache(maxsize=32_768)
def _from_ox_kept(term):
    return _from_ox(term)


def _from_ox(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == XSD_STRING:
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
    """What the knowledge base needs of a store. Terms are rdflib terms.

    What a backend tells the knowledge base about itself:

    - ``read_only``: every write is refused (``read_only_reason`` says why).
    - ``single_writer``: every write to the store goes through this object (an
      embedded store: one process holds its folder). The knowledge base then
      keeps values derived from the store until its own next write, keeps a
      write counter in the store and a claim index beside it, and writes
      without reserving the versions it creates first. When False (a SPARQL
      server, which other processes write at any time), nothing is kept, each
      guarded write first reserves its versions, and each write adds an entry
      to the store's change log, which a process given a folder follows with
      its own replica of the claim index (kb.changelog, kb.replica).
    - ``index_path``: where the claim index of a single-writer store is kept
      (a file beside the store), or None to keep it in memory.
    - ``prefixes``: the prefixes declared for users' queries and in Turtle/TriG dumps.
    """

    read_only = False
    read_only_reason = ""
    single_writer = False
    index_path: str | None = None
    prefixes: dict

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

    def graphs(self, graphs: Iterable[str]) -> dict[str, list[Triple]]:
        """``{graph: its triples}`` of several named graphs (a record's versions, say)."""
        return {g: self.triples(None, None, None, g) for g in graphs}

    def pointing(self, objects: Iterable, predicate, graph: str) -> list[Triple]:
        """Every triple of ``graph`` with predicate ``predicate`` and object one of ``objects``
        (the triples pointing at them: a claim's disputes, say)."""
        return [t for o in objects for t in self.triples(None, predicate, o, graph)]

    def pointing_graphs(self, objects: Iterable, predicate, graph: str) -> dict:
        """``{subject: (object, its triples in graph, the triples of the named graph it names)}`` of every subject
        of ``graph`` pointing at one of ``objects`` by ``predicate`` (records' versions: what the history graph
        says of each, and its snapshot): on a SPARQL server one request, not three one after another."""
        found = {s: o for s, _, o in self.pointing(objects, predicate, graph)}
        about: dict = {s: [] for s in found}
        for t in self.describe(found, graph) if found else ():
            about[t[0]].append(t)
        named = self.graphs([str(s) for s in found]) if found else {}
        return {s: (o, about[s], named[str(s)]) for s, o in found.items()}

    @abstractmethod
    def apply(self, deletes: list[Quad], inserts: list[Quad], *, guard=None) -> bool | None:
        """Delete then insert, as one atomic operation.

        ``guard`` is ``(graph, subjects)``: do nothing at all if any of
        ``subjects`` already has a triple in ``graph`` (checked atomically with
        the write). Returns True when written, False when the guard stopped it,
        None when the store cannot tell (the caller reads back)."""

    @abstractmethod
    def raw_query(self, query: str, default_graphs: list[str] | None, *, form: str,
                  bindings: dict | None = None, timeout: float | None = None,
                  row_limit: int | None = None) -> RawResult:
        """Run a user's (already checked) query of the given form over ``default_graphs`` (None: the
        dataset the query names with FROM / FROM NAMED, as SPARQL says); ``bindings``
        (variable name -> rdflib term) fix the values of variables. A query
        still running after ``timeout`` seconds is stopped (KBError 503); at
        most ``row_limit`` rows (or triples) come back, marked ``partial``
        when there were more."""

    @abstractmethod
    def quads(self, graph: str | None = None) -> Iterator[Quad]:
        """The quads of one named graph, or of every named graph of the store's data."""

    @abstractmethod
    def has_graph(self, graph: str) -> bool: ...

    def dump(self, out: IO[bytes], fmt: str, graph: str | None) -> None:
        """Stream one graph (or the dataset, for TriG/N-Quads) to ``out``.

        Built on :meth:`quads`; a backend that can serialize by itself overrides it."""
        f, options = serializer(fmt, self.prefixes)
        if graph is None:
            items: Iterable = (ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(g)) for s, p, o, g in self.quads())
        elif f.supports_datasets:
            items = (ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(graph)) for s, p, o, _ in self.quads(graph))
        else:
            items = (ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o, _ in self.quads(graph))
        ox.serialize(items, out, f, **options)

    def backup_to(self, target) -> dict:
        """Back up the store to the new folder ``target`` (see :mod:`kb.backup`);
        returns the backup's manifest. Only a store in a folder can; a server
        is backed up with its own tools."""
        raise KBError("only a store in a folder can be backed up this way")

    def read_settings(self) -> dict:
        """Settings kept with the data (the base IRI, so IRIs stay stable)."""
        return {}

    def write_settings(self, settings: dict) -> None:
        pass

    def close(self) -> None:  # pragma: no cover - trivial
        pass


def serializer(fmt: str, prefixes: dict) -> tuple[ox.RdfFormat, dict]:
    """The pyoxigraph format of an export format name, and the options to serialize it with."""
    f = RDF_FORMATS[fmt]
    return f, ({"prefixes": prefixes} if f in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {})


# ---- update text -----------------------------------------------------------------

def graph_blocks(quads: Iterable[Quad], size: int | None = None) -> str:
    """Quads as ``GRAPH <g> { … }`` blocks, at most ``size`` triples each (one block per graph without)."""
    by_graph: dict[str, list[str]] = {}
    for s, p, o, g in quads:
        by_graph.setdefault(g, []).append(f"{nt(s)} {nt(p)} {nt(o)} .")
    out = []
    for g, lines in by_graph.items():
        step = size or len(lines)
        out += [f"GRAPH <{g}> {{\n" + "\n".join(lines[i : i + step]) + "\n}" for i in range(0, len(lines), step)]
    return "\n".join(out)


UNION_RUN = 64  # branches of a UNION side by side; more are nested in halves (see union)


def union(branches: list[str]) -> str:
    """``{ a } UNION { b } UNION …`` with the branches nested in halves past :data:`UNION_RUN`, so that the
    pattern is a tree of depth log2(n) where a plain chain is n deep: the Oxigraph server (0.5.13) started
    with ``--timeout-s``, as DEPLOY.md starts it, answers each request in a thread whose stack a chain of
    ~2,900 (a validated import of 2,000 claims' guard) overflowed, aborting the whole server."""
    if len(branches) <= UNION_RUN:
        return " UNION ".join(branches)
    half = len(branches) // 2
    return f"{{ {union(branches[:half])} }} UNION {{ {union(branches[half:])} }}"


def update_text(deletes: list[Quad], inserts: list[Quad]) -> str:
    """``DELETE DATA {…} ; INSERT DATA {…}``: one SPARQL update request, applied atomically."""
    parts = []
    for verb, quads in (("DELETE DATA", deletes), ("INSERT DATA", inserts)):
        if quads:
            parts.append(f"{verb} {{\n{graph_blocks(quads)}\n}}")
    return " ;\n".join(parts)


def not_writable(e: OSError) -> bool:
    """Permission denied or a read-only file system, however RocksDB words it."""
    text = str(e).lower()
    return (isinstance(e, PermissionError) or getattr(e, "errno", None) in (errno.EACCES, errno.EPERM, errno.EROFS)
            or "permission denied" in text or "read-only file system" in text)
