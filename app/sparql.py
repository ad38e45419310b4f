"""The SPARQL 1.1 Protocol, read-only: GET ?query=, POST form, POST application/sparql-query."""

import csv
import io
import json

from flask import Blueprint, Response, current_app, request
from rdflib import BNode, Literal

from kb import QueryError

bp = Blueprint("sparql", __name__)

SELECT_TYPES = ["application/sparql-results+json", "application/json", "text/csv", "text/tab-separated-values"]
GRAPH_TYPES = ["text/turtle", "application/ld+json", "application/n-triples"]


def _json_term(t):
    if isinstance(t, Literal):
        d = {"type": "literal", "value": str(t)}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype:
            d["datatype"] = str(t.datatype)
        return d
    return {"type": "bnode" if isinstance(t, BNode) else "uri", "value": str(t)}


@bp.route("/sparql", methods=["GET", "POST"])
def sparql():
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        text = request.get_data(as_text=True)
    else:
        text = request.values.get("query")
    if request.values.get("update"):
        raise QueryError("updates are not allowed: this endpoint is read-only")
    if not text:
        raise QueryError("give a query: ?query=… or a POST body")
    res = current_app.extensions["kb"].query(text)
    if res.graph is not None:
        fmt = request.accept_mimetypes.best_match(GRAPH_TYPES) or "text/turtle"
        name = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt"}[fmt]
        return Response(res.graph.serialize(format=name), mimetype=fmt)
    fmt = request.accept_mimetypes.best_match(SELECT_TYPES) or SELECT_TYPES[0]
    if res.form == "ask":
        if fmt in ("text/csv", "text/tab-separated-values"):
            return Response(f"_askResult\n{str(res.boolean).lower()}\n", mimetype=fmt)
        return Response(json.dumps({"head": {}, "boolean": res.boolean}), mimetype=SELECT_TYPES[0])
    if fmt in ("text/csv", "text/tab-separated-values"):
        buf = io.StringIO()
        w = csv.writer(buf, delimiter="," if fmt == "text/csv" else "\t", lineterminator="\r\n")
        w.writerow(res.variables)
        for r in res.rows:
            w.writerow(["" if r[v] is None else str(r[v]) for v in res.variables])
        return Response(buf.getvalue(), mimetype=fmt)
    body = {
        "head": {"vars": res.variables},
        "results": {"bindings": [{v: _json_term(r[v]) for v in res.variables if r[v] is not None} for r in res.rows]},
    }
    return Response(json.dumps(body, ensure_ascii=False), mimetype=SELECT_TYPES[0])
