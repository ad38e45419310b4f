"""Users' SPARQL: checked before it runs, then run with a time limit and a row cap.

The check: read-only: read-only, no SERVICE, no LOAD, no
FROM / FROM NAMED outside the store, bounded in size.

pyoxigraph would run SERVICE and LOAD against the network and has no
sandbox of its own, so the text is parsed (rdflib's SPARQL grammar) and
refused before it reaches the engine.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import Graph, Literal, URIRef

from .errors import QueryError
from .reads import bound_graph

MAX_QUERY_CHARS = 100_000
# patterns and expressions one joined on another along any path of a query (A UNION B UNION C is evaluated as
# Union(Union(A, B), C)): the Oxigraph server 0.5.13, started with --timeout-s as DEPLOY.md starts it, evaluates
# a query in a thread whose stack 2,000-2,500 of them overflow (a UNION chain in a FILTER NOT EXISTS, an && chain,
# a basic graph pattern of as many triples, braces nested as deep), aborting the whole server (BENCHMARKS.md)
MAX_CHAIN = 300
# rdflib's grammar (pyparsing) is not thread-safe: two queries parsed at once in
# the server's threads failed with "<lambda>() missing 1 required positional argument"
_PARSER = threading.Lock()

FORMS = {
    "SelectQuery": "select",
    "AskQuery": "ask",
    "ConstructQuery": "construct",
    "DescribeQuery": "describe",
}


@dataclass(frozen=True)
class CheckedQuery:
    text: str
    form: str  # select | ask | construct | describe
    variables: tuple[str, ...]
    dataset: bool = False  # the text names its dataset (FROM / FROM NAMED): it then replaces the default graphs


def _grammar():
    """rdflib's SPARQL grammar, built at the first user's query: building it (pyparsing) takes
    ~0.15 s, which a process that never gets one need not pay at start."""
    from rdflib.plugins.sparql import parser, parserutils  # noqa: PLC0415

    return parser.parseQuery, parser.parseUpdate, parserutils.CompValue


def _walk(node):
    CompValue = _grammar()[2]  # noqa: N806
    stack = [node]
    while stack:
        x = stack.pop()
        if isinstance(x, CompValue):
            yield x
            stack.extend(x.values())
        elif _is_list(x):
            stack.extend(x)


def _parse_error(e, text: str) -> str:
    line = getattr(e, "lineno", None)
    col = getattr(e, "col", None)
    where = f" at line {line}, column {col}" if line and col else ""
    return f"the query is malformed{where}: {e.msg}"


def check_query(text: str, *, allowed_graphs: set[str] | frozenset = frozenset(), hidden=None) -> CheckedQuery:
    """Parse and vet a query; raise QueryError with one clear sentence.

    ``hidden(graph) -> bool``: graphs no query may read (the comments'). Without FROM NAMED a
    ``GRAPH`` pattern ranges over every named graph of the store, so then it must name its graph,
    and not a hidden one; FROM NAMED limits it to ``allowed_graphs``."""
    if not isinstance(text, str) or not text.strip():
        raise QueryError("the query is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long ({len(text):,} characters; at most {MAX_QUERY_CHARS:,})")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise QueryError("the query contains an invalid character (a lone surrogate)") from e
    summary = _summary(text)
    if summary.chain > MAX_CHAIN:
        raise QueryError(f"the query joins {summary.chain:,} patterns or expressions one on another (at most "
                         f"{MAX_CHAIN}: a UNION, an && or a group of that many parts); give long lists of "
                         "alternatives as VALUES instead")
    if summary.service:
        raise QueryError("SERVICE (federated query) is not allowed: queries run on this knowledge base only")
    for clause, iri in summary.datasets:
        if iri not in allowed_graphs:
            raise QueryError(
                f"{clause} <{iri}> is not allowed: queries may name only this store's graphs "
                "(FROM / FROM NAMED never load anything)"
            )
    if hidden is not None and not any(clause == "FROM NAMED" for clause, _ in summary.datasets):
        _check_graphs(summary.graphs, hidden)
    return CheckedQuery(text=text, form=summary.form, variables=summary.variables, dataset=bool(summary.datasets))


@dataclass(frozen=True)
class _Summary:
    """What the checks need of a parsed query."""

    form: str
    variables: tuple[str, ...]
    service: bool  # a SERVICE pattern
    datasets: tuple[tuple[str, str], ...]  # ("FROM" | "FROM NAMED", iri), in the order written
    graphs: tuple  # the term of each GRAPH pattern (an IRI, a variable, a prefixed name)
    chain: int = 0  # the longest chain of patterns and expressions one joined on another (_chain)


def _chain(node) -> int:
    """The longest chain of patterns and expressions an engine nests to evaluate the parsed query: each node
    of the parse tree counts one, and the k-th part of a list of parts (branches of a UNION, triples of a basic
    graph pattern, operands of &&) k more, as engines join them one on another. Data (VALUES rows) and lists of
    plain terms count nothing."""
    CompValue = _grammar()[2]  # noqa: N806
    best, stack = 0, [(node, 0)]
    while stack:
        x, depth = stack.pop()
        if isinstance(x, CompValue):
            if x.name.startswith("InlineData"):
                continue
            best = max(best, depth + 1)
            stack.extend((v, depth + 1) for v in x.values())
        elif _is_list(x):
            parts = [v for v in x if _structural(v, CompValue)]
            stack.extend((v, depth + k) for k, v in enumerate(parts))
            stack.extend((v, depth) for v in x if isinstance(v, CompValue) and not _structural(v, CompValue))
    return best


def _is_list(v) -> bool:
    return isinstance(v, (list, tuple)) or type(v).__name__ == "ParseResults"


def _structural(v, CompValue) -> bool:  # noqa: N803
    """A part that an engine joins on the others: a list, or a node holding nodes or lists (not a term's
    wrapper, such as a projected variable or a literal in an IN list)."""
    return _is_list(v) or isinstance(v, CompValue) and (
        v.name.startswith("Path") or any(isinstance(w, CompValue) or _is_list(w) for w in v.values()))


@lru_cache(maxsize=256)
def _summary(text: str) -> _Summary:
    """The text parsed once (rdflib's grammar: ~50-200 ms for an example query, more on a busy
    machine): the example queries and a user's repeated query skip it. A malformed text is not kept."""
    from pyparsing import ParseException  # noqa: PLC0415 - with the grammar (see _grammar)

    try:
        with _PARSER:
            parsed = _grammar()[0](text)
    except ParseException as e:
        word = _update_word(text)
        if word:
            raise QueryError(
                f"{word} is an update, and updates (INSERT, DELETE, LOAD, CLEAR, DROP, …) are not allowed: "
                "the query interface is read-only; record changes through the library, the forms or the API"
            ) from e
        raise QueryError(_parse_error(e, text)) from e
    except RecursionError as e:
        raise QueryError("the query is nested too deeply") from e
    except Exception as e:  # the grammar raises assorted errors on odd input
        raise QueryError(f"the query could not be parsed: {e}") from e
    query = parsed[1]
    form = FORMS.get(query.name)
    if form is None:
        raise QueryError("only SELECT, ASK, CONSTRUCT and DESCRIBE queries are allowed")
    service, datasets, graphs = False, [], []
    for node in _walk(parsed):
        if node.name == "ServiceGraphPattern":
            service = True
        elif node.name == "DatasetClause":
            # (CompValue.get answers the key's own name for a missing key, so look with `in`)
            datasets.append(("FROM", str(node["default"])) if "default" in node else ("FROM NAMED", str(node["named"])))
        elif node.name == "GraphGraphPattern":
            graphs.append(node["term"])
    variables: tuple[str, ...] = ()
    if form == "select":
        projection = query.get("projection")
        if projection and not isinstance(projection, str):  # "SELECT *" has no list of variables
            variables = tuple(
                str(p.get("var") or p.get("evar")) for p in projection
                if hasattr(p, "get") and (p.get("var") or p.get("evar"))
            )
    return _Summary(form, variables, service, tuple(datasets), tuple(graphs), _chain(query))


def _check_graphs(graphs, hidden) -> None:
    for term in graphs:
        if not isinstance(term, URIRef):
            raise QueryError("GRAPH with a variable or a prefixed name needs FROM NAMED naming the graphs it may "
                             "read (this store keeps private graphs), or GRAPH <full IRI>")
        if hidden(term):
            raise QueryError(f"GRAPH <{term}> is not allowed: it is private (analysts' comments, or drafts "
                             "not yet published)")


_UPDATE_WORD = re.compile(
    r"^\s*(?:(?:PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*"
    r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
    re.IGNORECASE,
)


def _update_word(text: str) -> str | None:
    """The update's first operation (``LOAD``, ``INSERT``…), or None when the text is no update."""
    m = _UPDATE_WORD.match(text)
    if m:
        return m.group(1).upper()
    try:
        with _PARSER:
            _grammar()[1](text)
    except Exception:
        return None
    return "the text"




QUERY_TIMEOUT = 5.0  # seconds a user's query may run


@dataclass
class QueryResult:
    form: str
    variables: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    partial: bool = False  # cut at ``row_limit`` rows (or triples): there were more
    row_limit: int | None = None


def run_query(data, text: str, bindings: dict | None = None, *, timeout: float | None = QUERY_TIMEOUT,
              row_limit: int | None = None, hidden=None) -> QueryResult:
    """A read-only SPARQL query over the current graph (plus the vocabulary).
    ``bindings`` fix the values of selected variables (SEP-0007).

    A query still running after ``timeout`` seconds is stopped and a KBError
    with status 503 raised (``None`` or 0: no limit; on the embedded store such
    a query then runs in this process). With ``row_limit``, at most that many
    rows (or triples) come back and ``partial`` tells whether there were more.
    ``hidden``: graphs the query may not read (see :func:`check_query`)."""
    checked = check_query(text, allowed_graphs=set(data.default_graphs) | {data.history_graph}, hidden=hidden)
    binds = None
    if bindings:
        binds = {k.lstrip("?$"): v if isinstance(v, (URIRef, Literal)) else Literal(v) for k, v in bindings.items()}
    try:
        # a query naming its dataset (FROM / FROM NAMED) reads that, as SPARQL says; the store's
        # default graphs (pyoxigraph's default_graph, the protocol's default-graph-uri) would replace it
        graphs = None if checked.dataset else data.default_graphs
        res = data.store.raw_query(checked.text, graphs, form=checked.form, bindings=binds,
                                   timeout=timeout, row_limit=row_limit)
    except SyntaxError as e:
        raise QueryError(f"the query is malformed: {e}") from e
    except RuntimeError as e:
        raise QueryError(f"the query could not run: {e}") from e
    if checked.form == "ask":
        return QueryResult("ask", boolean=bool(res.boolean))
    if checked.form in ("construct", "describe"):
        g = bound_graph()
        for t in res.triples:
            g.add(t)
        return QueryResult(checked.form, graph=g, partial=res.partial, row_limit=row_limit)
    return QueryResult("select", variables=res.variables, rows=res.rows, partial=res.partial, row_limit=row_limit)


__all__ = ["check_query", "CheckedQuery", "MAX_QUERY_CHARS", "QUERY_TIMEOUT", "QueryResult", "run_query"]
