"""The SPARQL 1.1 Protocol, read-only (GET ?query=, POST form, POST
application/sparql-query), and the query page beside it."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from kb import QueryError
from kb.queries import EXAMPLES
from kb.results import GRAPH_TYPES, RESULT_TYPES, serialize_graph, serialize_result, term_view

from .context import get_kb
from .i18n import EXAMPLE_TITLES

bp = Blueprint("sparql", __name__)
# ?format= lets a plain link choose what Accept would (downloads from the query page)
FORMAT_ALIASES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv",
                  "ttl": "turtle", "turtle": "turtle", "jsonld": "jsonld", "nt": "nt"}
SUFFIX = {"json": "srj", "xml": "srx", "csv": "csv", "tsv": "tsv", "turtle": "ttl", "jsonld": "jsonld", "nt": "nt"}



def run(text: str):
    """A user's query, with the app's time and row limits (see kb.stores.sandbox)."""
    cfg = current_app.config
    return get_kb().query(text, timeout=float(cfg["QUERY_TIMEOUT"] or 0) or None,
                      row_limit=int(cfg["QUERY_ROW_LIMIT"] or 0) or None)


def _limit_headers(res) -> dict:
    """A result cut at the row limit says so: it is never passed off as complete."""
    if res.row_limit is None:
        return {}
    return {"X-ClaimKB-Partial": "true" if res.partial else "false", "X-ClaimKB-Row-Limit": str(res.row_limit)}


FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "updates are not allowed: this endpoint is read-only"


def _query_text() -> str | None:
    """The one query of a SPARQL 1.1 Protocol request (None: no query at all).

    A request the protocol calls malformed is refused with a 4xx, as its test suite's
    ``bad_*`` cases expect: a body of another media type or of none (415), a charset other
    than UTF-8 (415), more than one query, an update (this endpoint is read-only), or a
    query and an update together (400). Methods other than GET and POST are refused by the
    route (405)."""
    if request.method == "POST":
        mime = request.mimetype
        if mime not in (FORM, DIRECT, UPDATE):
            how = f"{FORM} or {DIRECT}"
            if not mime and not request.content_length:
                raise QueryError(f"a SPARQL POST carries the query in its body, as {how}; "
                                 "to give it in the URL, use GET", status=415)
            raise QueryError(f"a SPARQL request's body must be {how} (it was sent as "
                             f"{mime or 'no media type'})", status=415)
        charset = request.mimetype_params.get("charset")
        if charset and charset.lower().replace("-", "") != "utf8":
            raise QueryError(f"a SPARQL request's body must be UTF-8 (it was sent as charset={charset})", status=415)
        if mime == UPDATE:
            raise QueryError(READ_ONLY)
        if mime == DIRECT:
            if "query" in request.args or "update" in request.args:
                raise QueryError("give the query once: in the body of an application/sparql-query POST, "
                                 "not also as a query= or update= parameter")
            try:
                return request.get_data().decode("utf-8")
            except UnicodeDecodeError as e:
                raise QueryError(f"the query is not valid UTF-8 (byte {e.start})") from e
    updates = request.values.getlist("update")
    if updates:
        raise QueryError(READ_ONLY if not request.values.getlist("query")
                         else "a request holds one query or one update, not both (and this endpoint is read-only)")
    queries = request.values.getlist("query")
    if len(queries) > 1:
        raise QueryError(f"a request holds one query; this one has {len(queries)} query parameters")
    return queries[0] if queries else None


def _choose(kinds: dict, default: str) -> str:
    fmt = request.args.get("format")
    if fmt:
        name = FORMAT_ALIASES.get(fmt)
        if name not in kinds:
            raise QueryError(f"format {fmt!r} is not available for this query (use one of: {', '.join(kinds)})")
        return name
    best = request.accept_mimetypes.best_match(list(kinds.values()) + ["application/json", "application/xml"])
    if best == "application/json":
        return "json" if "json" in kinds else default
    if best == "application/xml":
        return "xml" if "xml" in kinds else default
    return next((k for k, v in kinds.items() if v == best), default)


@bp.route("/sparql", methods=["GET", "POST"])
def sparql():
    text = _query_text()
    if not text:
        if request.method == "GET" and request.accept_mimetypes.best_match(
                ["application/sparql-results+json", "text/html"]) == "text/html":
            return redirect(url_for("sparql.page"))  # a browser: the query page
        raise QueryError("give a query: ?query=… or a POST body")
    res = run(text)
    download = {"Content-Disposition": 'attachment; filename="query.{}"'} if request.args.get("format") else {}
    if res.graph is not None:
        fmt = _choose(GRAPH_TYPES, "turtle")
        headers = {k: v.format(SUFFIX[fmt]) for k, v in download.items()} | _limit_headers(res)
        return Response(serialize_graph(res.graph, fmt), mimetype=GRAPH_TYPES[fmt], headers=headers)
    fmt = _choose(RESULT_TYPES, "json")
    headers = {k: v.format(SUFFIX[fmt]) for k, v in download.items()} | _limit_headers(res)
    return Response(serialize_result(res, fmt), mimetype=RESULT_TYPES[fmt], headers=headers)


@bp.get("/query")
def page():
    """The query page: an editor, example queries, paged results, downloads."""
    example = request.args.get("example")
    text = request.args.get("query")
    if example in EXAMPLES and not text:
        text = EXAMPLES[example]
    result, error = None, None
    size = current_app.config["QUERY_PAGE_SIZE"]
    page_n = max(1, request.args.get("page", 1, type=int))
    if text:
        try:
            res = run(text)
        except QueryError as e:
            error = e.message
        else:
            minter, labels = get_kb().minter, get_kb().concept_labels()
            if res.graph is not None:
                triples = sorted(res.graph)
                rows = [{"subject": s, "predicate": p, "object": o} for s, p, o in triples]
                result = {"form": res.form, "variables": ["subject", "predicate", "object"], "total": len(rows),
                          "rows": rows}
            elif res.form == "ask":
                result = {"form": "ask", "boolean": res.boolean}
            else:
                result = {"form": "select", "variables": res.variables, "total": len(res.rows), "rows": res.rows}
            result["partial"], result["row_limit"] = res.partial, res.row_limit
            if "rows" in result:
                first = (page_n - 1) * size
                result["rows"] = [{v: term_view(r.get(v), minter, labels) for v in result["variables"]}
                                  for r in result["rows"][first:first + size]]
                result["first"], result["pages"] = first, max(1, -(-result["total"] // size))
    examples = [{"name": n, "title": EXAMPLE_TITLES[n], "text": q} for n, q in EXAMPLES.items()]
    status = 400 if error else 200
    return render_template("query.html", query=text or "", examples=examples, result=result, error=error,
                           page=page_n, size=size, example=example), status
