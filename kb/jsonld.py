"""Graphs as compacted JSON-LD 1.1, written node by node.

One document: ``{"@context": CONTEXT, "@graph": [node, node, …]}``, every triple in
the default graph. Each node object is what JSON-LD compaction with :data:`CONTEXT`
makes of that subject's triples: IRIs under a bound namespace as compact IRIs
(``schema:text``, ``kb:Denies``), ``rdf:type`` as ``@type``, a single value
unwrapped from its array, a plain string as a JSON string, a language-tagged or
typed literal as a value object keeping its lexical form (so the triples read back
are the same triples). The writer keeps the triples of a bounded number of subjects
at a time (:data:`WINDOW`), so a dump of any size streams through in bounded memory; a
subject whose triples come further apart than that makes two node objects, which
JSON-LD merges on reading.

pyoxigraph's own JSON-LD serialiser writes expanded JSON-LD (full IRIs, no
``@context``) and puts a named graph's triples under that graph's name: a reader
that wants a graph found nothing in it.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections import OrderedDict
from collections.abc import Iterable
from typing import IO

import pyoxigraph as ox

from .namespaces import PREFIXES, RDF, XSD
from .stores import to_ox

# the vocabularies ClaimKB writes (sh: is the shapes', never in data)
CONTEXT = {k: v for k, v in PREFIXES.items() if k != "sh"}
_RDF_TYPE = str(RDF.type)
_XSD_STRING = str(XSD.string)
WINDOW = 1000  # subjects whose triples are kept while writing (see write)


class _Compactor:
    def __init__(self, context: dict):
        # longest namespace first: the shortest compact IRI wins, as in JSON-LD's IRI compaction
        self.spaces = sorted(((ns, p) for p, ns in context.items()), key=lambda x: -len(x[0]))
        self.cache: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        out = self.cache.get(iri)
        if out is None:
            out = iri
            for ns, prefix in self.spaces:
                # a suffix starting with "//" would read back as an absolute IRI, not prefix + suffix
                if iri.startswith(ns) and not iri[len(ns):].startswith("//"):
                    out = f"{prefix}:{iri[len(ns):]}"
                    break
            if len(self.cache) < 100_000:  # predicates, types, vocabulary terms: few; data IRIs: many
                self.cache[iri] = out
        return out

    def node_id(self, term) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else self.iri(term.value)

    def value(self, term):
        if isinstance(term, ox.Literal):
            if term.language:
                return {"@value": term.value, "@language": term.language}
            if term.datatype.value == _XSD_STRING:
                return term.value
            return {"@value": term.value, "@type": self.iri(term.datatype.value)}
        return {"@id": self.node_id(term)}


def _node(c: _Compactor, subject, pairs: list) -> dict:
    node: dict = {"@id": c.node_id(subject)}
    types, props = [], {}
    for p, o in pairs:
        p = p.value
        if p == _RDF_TYPE and isinstance(o, ox.NamedNode):  # (a blank node is no @type in JSON-LD 1.1)
            types.append(c.node_id(o))
        else:
            vs = props.get(p)
            if vs is None:
                vs = props[p] = []
            vs.append(c.value(o))
    if types:
        node["@type"] = types[0] if len(types) == 1 else types
    for p, vs in props.items():
        node[c.iri(p)] = vs[0] if len(vs) == 1 else vs
    return node


def write(triples: Iterable, out: IO[bytes], context: dict | None = None, *, window: int = WINDOW) -> None:
    """Write ``triples`` (pyoxigraph ``Triple``s, or the default-graph ``Quad``s ``pyoxigraph.parse``
    gives) to ``out`` as one compacted JSON-LD document, one node object a line.

    The triples of the last ``window`` subjects met are kept, so a subject whose triples come
    in several runs still makes one node object unless more than ``window`` other subjects
    came between; the least recently met subject is written out when the window is full."""
    context = CONTEXT if context is None else context
    c = _Compactor(context)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    out.write(b'{\n  "@context": ' + dumps(context).encode() + b',\n  "@graph": [')
    first = True
    pending: OrderedDict = OrderedDict()  # subject -> [(predicate, object)]

    def flush(subject, pairs):
        nonlocal first
        out.write((b"\n    " if first else b",\n    ") + dumps(_node(c, subject, pairs)).encode())
        first = False

    subject, pairs = None, None
    for t in triples:
        s = t.subject
        if s != subject:
            subject = s
            pairs = pending.get(s)
            if pairs is None:
                pairs = pending[s] = []
                if len(pending) > window:
                    flush(*pending.popitem(last=False))
            else:
                pending.move_to_end(s)
        pairs.append((t.predicate, t.object))
    while pending:
        flush(*pending.popitem(last=False))
    out.write(b"\n  ]\n}\n" if not first else b"]\n}\n")


def graph_bytes(graph, context: dict | None = None) -> bytes:
    """An rdflib graph (a claim, a query's result) as compacted JSON-LD, subjects in order."""
    buf = io.BytesIO()
    write((ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in sorted(graph)), buf, context)
    return buf.getvalue()


def dump_graph(store, graph: str, out: IO[bytes], context: dict | None = None) -> None:
    """One graph of a store as compacted JSON-LD in the default graph. The store's own
    N-Triples dump goes through a temporary file and is read back one triple at a time: nothing
    here holds the whole graph. (An embedded store in a folder dumps a graph subject by subject;
    an in-memory one scatters a subject's triples, which the writer's window gathers again.)"""
    with tempfile.TemporaryFile() as nt:
        store.dump(nt, "nt", graph)
        nt.seek(0)
        write(ox.parse(nt, ox.RdfFormat.N_TRIPLES), out, context)


__all__ = ["CONTEXT", "write", "graph_bytes", "dump_graph"]
