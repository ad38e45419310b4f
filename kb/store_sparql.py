"""A store on a SPARQL 1.1 server, spoken to over the SPARQL 1.1 Protocol.

Only the standard library is used for HTTP (``http.client``, reads on
kept-alive connections). Queries go as
``POST application/sparql-query`` with ``default-graph-uri`` parameters;
SELECT/ASK answers are read as SPARQL JSON results and turned into rdflib
terms the way :func:`kb.store.from_ox` does for the embedded store;
CONSTRUCT answers are read as N-Triples with pyoxigraph's streaming parser.

Every write is one update request, so the server applies it atomically. A
write that creates versions can be made conditional (``guard``): the update's
WHERE clause requires that none of the new version IRIs exists yet. The server
cannot tell whether the condition held (an update answers 204 either way), so
:meth:`SparqlStore.apply` returns ``None`` and the knowledge base reads the
versions back to see whose write landed (see ``KnowledgeBase._commit``).

The base IRI, kept in ``settings.json`` beside an embedded store, lives here in
a small named graph of its own (:data:`SETTINGS_GRAPH`), left out of exports.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import urllib.parse
from collections.abc import Iterable, Iterator
from typing import IO

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from .errors import KBError, QueryError
from .store import _LANG_STRING, _XSD_STRING, RDF_FORMATS, Quad, RawResult, Store, Triple, _update_text, from_ox, nt

SETTINGS_GRAPH = "https://w3id.org/claimkb/settings"
SETTINGS_PREDICATE = "https://w3id.org/claimkb/ns#settings"
BATCH = 500  # subjects per VALUES block when describing many records
_NT = "application/n-triples"
_NQ = "application/n-quads"
_JSON = "application/sparql-results+json"


def _term(b: dict | None):
    """One SPARQL JSON results term -> rdflib term (as from_ox gives it)."""
    if b is None:
        return None
    t, v = b["type"], b["value"]
    if t == "uri":
        return URIRef(v)
    if t == "bnode":
        return BNode(v)
    if t in ("literal", "typed-literal"):  # typed-literal: Virtuoso's older spelling
        lang = b.get("xml:lang")
        if lang:
            return Literal(v, lang=lang)
        dt = b.get("datatype")
        if dt is None or dt in (_XSD_STRING, _LANG_STRING):
            return Literal(v)
        return Literal(v, datatype=URIRef(dt))
    raise KBError(f"the SPARQL server answered with an unknown term type {t!r}", status=502)


def default_update_endpoint(query_url: str) -> str:
    """Oxigraph serves queries at ``…/query`` and updates at ``…/update``;
    other servers (Virtuoso, Fuseki's dataset URL) take both at one URL."""
    parts = urllib.parse.urlsplit(query_url)
    if parts.path.endswith("/query"):
        return urllib.parse.urlunsplit(parts._replace(path=parts.path[: -len("query")] + "update"))
    return query_url


def default_graph_store(query_url: str) -> str | None:
    """Oxigraph's Graph Store Protocol endpoint (``…/store``), when the URL is Oxigraph-shaped."""
    parts = urllib.parse.urlsplit(query_url)
    if parts.path.endswith("/query"):
        return urllib.parse.urlunsplit(parts._replace(path=parts.path[: -len("query")] + "store", query=""))
    return None


class SparqlStore(Store):
    """A SPARQL 1.1 server: ``query_url`` answers queries, ``update_url`` updates."""

    shared = True

    def __init__(self, query_url: str, update_url: str | None = None, *, prefixes: dict | None = None,
                 graph_store: str | None = None, timeout: float = 120.0):
        self.query_url = query_url
        self.update_url = update_url or default_update_endpoint(query_url)
        self.graph_store = graph_store if graph_store is not None else default_graph_store(query_url)
        self.prefixes = prefixes or {}
        self.timeout = timeout
        self._local = threading.local()

    # ---- HTTP ----------------------------------------------------------------
    def _connection(self, parts, *, fresh: bool) -> http.client.HTTPConnection:
        """A kept-alive connection per thread and server for reads; a new one
        (closed after use) for updates, which are never sent twice."""
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        if fresh:
            return cls(parts.netloc, timeout=self.timeout)
        pool = self._local.__dict__.setdefault("pool", {})
        key = (os.getpid(), parts.scheme, parts.netloc)  # never a socket inherited from a parent process
        if key not in pool:
            pool[key] = cls(parts.netloc, timeout=self.timeout)
        return pool[key]

    def _request(self, url: str, *, data: bytes | None, content_type: str | None, accept: str,
                 params: list[tuple[str, str]] = (), update: bool = False):
        """Send one request; returns the response (a readable file) once it answered 2xx."""
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        parts = urllib.parse.urlsplit(url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        headers = {"Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        where = urllib.parse.urlunsplit(parts._replace(query=""))
        for tries in (1, 2):
            conn = self._connection(parts, fresh=update)
            try:
                conn.request("POST" if data is not None else "GET", target, body=data, headers=headers)
                res = conn.getresponse()
                break
            except (http.client.HTTPException, ConnectionResetError, BrokenPipeError) as e:
                conn.close()  # a kept-alive connection the server had closed: a read is safe to send again
                if update or tries == 2:
                    raise KBError(f"the SPARQL server at {where} cannot be reached: {e}", status=503) from None
            except OSError as e:
                conn.close()
                raise KBError(f"the SPARQL server at {where} cannot be reached: {e}", status=503) from None
        res = _Response(res, conn, keep=not update)
        if 200 <= res.status < 300:
            return res
        detail = res.read(4000).decode("utf-8", "replace").strip().splitlines()
        res.close()
        text = detail[0] if detail else res.reason
        if update and res.status in (400, 404, 405, 415):
            raise KBError(f"the SPARQL server at {self.update_url} refused the update ({res.status}: {text}); "
                          "is it the server's update endpoint? (set --update-endpoint or KB_UPDATE_ENDPOINT)",
                          status=503)
        if res.status == 400:
            raise QueryError(f"the SPARQL server refused the request: {text}")
        if res.status in (401, 403):
            raise KBError(f"the SPARQL server at {where} refused access ({res.status}): {text}", status=503)
        raise KBError(f"the SPARQL server at {where} answered {res.status}: {text}", status=503)

    def _query(self, query: str, default_graphs: list[str], accept: str):
        params = [("default-graph-uri", g) for g in default_graphs]
        return self._request(self.query_url, data=query.encode("utf-8"), content_type="application/sparql-query",
                             accept=accept, params=params)

    def _json(self, query: str, default_graphs: list[str]) -> dict:
        with self._query(query, default_graphs, _JSON) as res:
            try:
                return json.load(res)
            except (ValueError, OSError) as e:
                raise KBError(f"the SPARQL server at {self.query_url} sent an unreadable answer: {e}",
                              status=503) from None

    def update(self, text: str) -> None:
        with self._request(self.update_url, data=text.encode("utf-8"), content_type="application/sparql-update",
                           accept="*/*", update=True) as res:
            res.read()

    # ---- reads ------------------------------------------------------------------
    def select(self, query, default_graphs):
        doc = self._json(query, default_graphs)
        variables = doc.get("head", {}).get("vars", [])
        rows = [{v: _term(b.get(v)) for v in variables} for b in doc.get("results", {}).get("bindings", [])]
        return variables, rows

    def ask(self, query, default_graphs):
        return bool(self._json(query, default_graphs).get("boolean"))

    def _triples(self, query: str, default_graphs: list[str]) -> Iterator[Triple]:
        with self._query(query, default_graphs, _NT) as res:
            try:
                for t in ox.parse(res, format=ox.RdfFormat.N_TRIPLES):
                    yield from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)
            except (SyntaxError, OSError) as e:
                raise KBError(f"the SPARQL server at {self.query_url} sent unreadable N-Triples: {e}",
                              status=503) from None

    def construct(self, query, default_graphs):
        return list(self._triples(query, default_graphs))

    def raw_query(self, query, default_graphs, *, form, bindings=None):
        """A user's checked query. The store's prefixes are declared in front
        (as pyoxigraph's ``prefixes`` does for the embedded store); bindings
        become a trailing ``VALUES`` clause, joined with the query's solutions."""
        prologue = "".join(f"PREFIX {k}: <{v}>\n" for k, v in self.prefixes.items())
        text = prologue + query
        if bindings:
            names = list(bindings)
            text += "\nVALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + " ".join(
                nt(bindings[n]) for n in names) + ") }"
        if form == "ask":
            return RawResult("ask", boolean=self.ask(text, default_graphs))
        if form in ("construct", "describe"):
            return RawResult("graph", triples=self.construct(text, default_graphs))
        variables, rows = self.select(text, default_graphs)
        return RawResult("select", variables=variables, rows=rows)

    def triples(self, subject, predicate, obj, graph):
        terms = [subject, predicate, obj]
        names = ["s", "p", "o"]
        pattern = " ".join(f"?{n}" if t is None else nt(t) for n, t in zip(names, terms, strict=True))
        unbound = [n for n, t in zip(names, terms, strict=True) if t is None]
        if not unbound:
            found = self.ask(f"ASK {{ GRAPH <{graph}> {{ {pattern} }} }}", [])
            return [(subject, predicate, obj)] if found else []
        _, rows = self.select(f"SELECT {' '.join('?' + n for n in unbound)} WHERE {{ GRAPH <{graph}> {{ {pattern} }} }}",
                              [])
        out = []
        for r in rows:
            out.append(tuple(r[n] if t is None else t for n, t in zip(names, terms, strict=True)))
        return out

    def describe(self, subjects, graph, predicates=None):
        subjects = list(subjects)
        only = f"VALUES ?p {{ {' '.join(nt(p) for p in predicates)} }}" if predicates is not None else ""
        out = []
        for i in range(0, len(subjects), BATCH):
            chunk = subjects[i : i + BATCH]
            values = " ".join(nt(s) for s in chunk)
            _, rows = self.select(
                f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ VALUES ?s {{ {values} }} {only} ?s ?p ?o }} }}", [])
            out += [(r["s"], r["p"], r["o"]) for r in rows]
        return out

    def has_graph(self, graph: str) -> bool:
        return self.ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", [])

    def quads(self, graph: str | None = None) -> Iterator[Quad]:
        if graph is not None:
            for s, p, o in self._triples(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", []):
                yield s, p, o, graph
            return
        if self.graph_store:  # the Graph Store Protocol streams the whole dataset as N-Quads
            with self._request(self.graph_store, data=None, content_type=None, accept=_NQ) as res:
                for q in ox.parse(res, format=ox.RdfFormat.N_QUADS):
                    if isinstance(q.graph_name, ox.DefaultGraph) or q.graph_name.value == SETTINGS_GRAPH:
                        continue
                    yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), q.graph_name.value
            return
        _, rows = self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", [])
        for r in rows:
            if str(r["g"]) != SETTINGS_GRAPH:
                yield r["s"], r["p"], r["o"], str(r["g"])

    def dump(self, out: IO[bytes], fmt: str, graph: str | None) -> None:
        f = RDF_FORMATS[fmt]
        kwargs = {"prefixes": self.prefixes} if f in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {}
        if graph is None:
            items: Iterable = (ox.Quad(*(_ox(x) for x in (s, p, o)), ox.NamedNode(g)) for s, p, o, g in self.quads())
        elif f.supports_datasets:
            items = (ox.Quad(_ox(s), _ox(p), _ox(o), ox.NamedNode(graph)) for s, p, o, _ in self.quads(graph))
        else:
            items = (ox.Triple(_ox(s), _ox(p), _ox(o)) for s, p, o, _ in self.quads(graph))
        ox.serialize(items, out, f, **kwargs)

    # ---- writes -----------------------------------------------------------------
    def apply(self, deletes, inserts, *, guard=None):
        if not deletes and not inserts:
            return True
        if guard is None:
            self.update(_update_text(deletes, inserts))
            return True
        graph, subjects = guard
        parts = []
        for verb, quads in (("DELETE", deletes), ("INSERT", inserts)):
            if quads:
                parts.append(f"{verb} {{\n{_blocks(quads)}\n}}")
        values = " ".join(nt(s) for s in subjects)
        where = f"WHERE {{ FILTER NOT EXISTS {{ GRAPH <{graph}> {{ VALUES ?v {{ {values} }} ?v ?p ?o }} }} }}"
        self.update("\n".join(parts) + "\n" + where)
        return None  # the caller reads back whether the condition held

    # ---- settings (the base IRI) ------------------------------------------------
    def read_settings(self) -> dict:
        rows = self.triples(URIRef(SETTINGS_GRAPH), URIRef(SETTINGS_PREDICATE), None, SETTINGS_GRAPH)
        for _, _, o in rows:
            try:
                return json.loads(str(o))
            except ValueError:
                raise KBError(f"the settings kept in <{SETTINGS_GRAPH}> on the server are not valid JSON") from None
        return {}

    def write_settings(self, settings: dict) -> None:
        lit = nt(Literal(json.dumps(settings, sort_keys=True)))
        self.update(f"DELETE WHERE {{ GRAPH <{SETTINGS_GRAPH}> {{ ?s ?p ?o }} }} ;\n"
                    f"INSERT DATA {{ GRAPH <{SETTINGS_GRAPH}> {{ <{SETTINGS_GRAPH}> <{SETTINGS_PREDICATE}> {lit} }} }}")


def _ox(term):
    from .store import to_ox

    return to_ox(term)


def _blocks(quads) -> str:
    by_graph: dict[str, list[str]] = {}
    for s, p, o, g in quads:
        by_graph.setdefault(g, []).append(f"{nt(s)} {nt(p)} {nt(o)} .")
    return "\n".join(f"GRAPH <{g}> {{\n" + "\n".join(lines) + "\n}" for g, lines in by_graph.items())



class _Response:
    """A response as a readable file. Closing it closes its connection too,
    unless the connection is kept alive and the body was read to the end (a
    half-read body would be taken for the next answer)."""

    def __init__(self, res, conn, *, keep: bool):
        self._res, self._conn, self._keep = res, conn, keep
        self.status, self.reason = res.status, res.reason

    def read(self, *a):
        return self._res.read(*a)

    def close(self):
        done = self._res.isclosed()
        self._res.close()
        if not (self._keep and done):
            self._conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
