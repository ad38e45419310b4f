"""Query results out: the W3C SPARQL results formats (JSON, XML, CSV, TSV)
and graphs as Turtle, JSON-LD or N-Triples; and a plain view of terms for pages.

rdflib's own result serializers write JSON, XML and CSV; TSV (which the
standard writes as N-Triples terms) is written here.
"""

from __future__ import annotations

from rdflib import BNode, Literal, URIRef, Variable
from rdflib.query import Result

from . import jsonld
from .namespaces import prefixed_name
from .stores import nt

RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_TYPES = {
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
}
_RDFLIB_GRAPH = {"turtle": "turtle", "nt": "nt"}


def _rdflib_result(res) -> Result:
    if res.form == "ask":
        r = Result("ASK")
        r.askAnswer = bool(res.boolean)
        return r
    r = Result("SELECT")
    r.vars = [Variable(v) for v in res.variables]
    r.bindings = [{Variable(k): v for k, v in row.items() if v is not None} for row in res.rows]
    return r


def serialize_result(res, fmt: str) -> bytes:
    """A SELECT or ASK result (``kb.QueryResult``) in one of ``RESULT_TYPES``."""
    if fmt == "tsv":
        if res.form == "ask":
            return f"?_askResult\n{str(res.boolean).lower()}\n".encode()
        lines = ["\t".join(f"?{v}" for v in res.variables)]
        lines += ["\t".join("" if row.get(v) is None else nt(row[v]) for v in res.variables) for row in res.rows]
        return ("\n".join(lines) + "\n").encode()
    if fmt == "csv" and res.form == "ask":
        return f"_askResult\r\n{str(res.boolean).lower()}\r\n".encode()
    out = _rdflib_result(res).serialize(format=fmt, encoding="utf-8")
    return out


def serialize_graph(graph, fmt: str) -> bytes:
    """A graph in one of ``GRAPH_TYPES``: JSON-LD compacted with :data:`kb.jsonld.CONTEXT`, Turtle
    with the graph's prefixes (``kb.reads.bound_graph``)."""
    if fmt == "jsonld":
        return jsonld.graph_bytes(graph)
    return graph.serialize(format=_RDFLIB_GRAPH[fmt], encoding="utf-8")


def term_view(term, minter=None, labels: dict | None = None) -> dict | None:
    """A term for display: kind (iri, literal, bnode), value, language, datatype; for IRIs
    its prefixed name (``kb:Disputed``) when a bound namespace holds it, its labels
    (language -> text) when ``labels`` has them, whether it may be a link (http or https
    only), and for IRIs minted here the (kind, local id) of the record."""
    if term is None:
        return None
    if isinstance(term, Literal):
        return {"type": "literal", "value": str(term), "lang": term.language,
                "datatype": str(term.datatype) if term.datatype else None}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "iri", "value": str(term), "name": prefixed_name(term),
           "label": (labels or {}).get(term), "link": str(term).startswith(("http://", "https://"))}
    if minter is not None and isinstance(term, URIRef):
        kind, local = minter.local(term)
        if kind:
            out["record"] = (kind, local)
    return out
