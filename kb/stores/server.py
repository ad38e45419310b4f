"""A store on a SPARQL 1.1 server (Oxigraph server, Virtuoso, …), spoken to
over the SPARQL 1.1 Protocol; every write is one update request.

Only the standard library is used for HTTP (``http.client``, reads on
kept-alive connections). Queries go as an HTML-form ``POST`` (``query=`` and
``default-graph-uri=``), the one form every server here takes; SELECT/ASK
answers are read as SPARQL JSON results and turned into rdflib terms the way
:func:`kb.stores.base.from_ox` does for the embedded store; CONSTRUCT answers
are read as N-Triples with pyoxigraph's streaming parser. What the servers
were seen to do, and what that cost: DEPLOY.md, "What the SPARQL servers do".

Credentials for a server that authenticates updates (Virtuoso's
``/sparql-auth`` takes HTTP Digest only) are given in the endpoint's URL
(``http://user:password@host/sparql-auth``) or in ``KB_STORE_USER`` and
``KB_STORE_PASSWORD``; Digest and Basic challenges are both answered, and the
password never appears in a message.

Departures from the standard this module absorbs (Virtuoso's): ASK answered
as a one-column SELECT, literals typed ``"typed-literal"`` in JSON results,
updates shaped so that it can compile them (:func:`_virtuoso_update`).

Every write is one update request, so the server applies it atomically. A
write that creates versions can be made conditional (``guard``): the update's
WHERE clause requires that none of the new version IRIs exists yet. The server
cannot tell whether the condition held (an update answers 204 either way), so
:meth:`SparqlStore.apply` returns ``None`` and the knowledge base reads the
versions back to see whose write landed (see :func:`kb.writes.commit`).

The base IRI, kept in ``settings.json`` beside an embedded store, lives here in
a small named graph of its own (:data:`kb.namespaces.SETTINGS_GRAPH`), left out
of exports.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import threading
import urllib.parse
from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from ..errors import KBError, QueryError, QueryTimeout
from ..namespaces import RDF, SETTINGS_GRAPH, SETTINGS_PREDICATE
from .base import XSD_STRING, Quad, RawResult, Store, Triple, from_ox, graph_blocks, nt, union, update_text

_PLAIN = (XSD_STRING, str(RDF.langString))  # datatypes of plain literals (a language tag is read first)
BATCH = 500  # subjects per VALUES block when describing many records
_NT = "application/n-triples"
_NQ = "application/n-quads"
_JSON = "application/sparql-results+json"
_XML = "application/sparql-results+xml"


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
        if dt is None or dt in _PLAIN:
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


GUARD_GROUP = 200  # versions whose absence one ASK checks on Virtuoso


class SparqlStore(Store):
    """A SPARQL 1.1 server: ``query_url`` answers queries, ``update_url`` updates."""

    single_writer = False  # workers and kb commands write the same server

    def __init__(self, query_url: str, update_url: str | None = None, *, prefixes: dict | None = None,
                 graph_store: str | None = None, timeout: float = 120.0):
        self._auth = _Auth()
        self.query_url = self._auth.take(query_url)
        self.update_url = self._auth.take(update_url or default_update_endpoint(query_url))
        self.graph_store = graph_store if graph_store is not None else default_graph_store(self.query_url)
        self.prefixes = prefixes or {}
        self.timeout = timeout
        self._local = threading.local()
        self._pooled = []  # every kept-alive connection, whichever thread opened it, for close()
        self._pool_lock = threading.Lock()

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
            with self._pool_lock:
                self._pooled.append(pool[key])
        return pool[key]

    def close(self) -> None:
        """Close the kept-alive connections: a server may hold a thread for each open one."""
        with self._pool_lock:
            pooled, self._pooled = self._pooled, []
        for conn in pooled:
            conn.close()

    def _request(self, url: str, *, data: bytes | None, content_type: str | None, accept: str,
                 params: list[tuple[str, str]] = (), update: bool = False, timeout: float | None = None):
        """Send one request; returns the response (a readable file) once it answered 2xx.
        With ``timeout`` (a user's query), on a connection of its own that waits
        at most that long for each read; then a KBError 503."""
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
        method = "POST" if data is not None else "GET"
        fresh = update or timeout is not None
        tries = 0
        while True:
            tries += 1
            if timeout is not None:
                conn = (http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection)(
                    parts.netloc, timeout=timeout)
            else:
                conn = self._connection(parts, fresh=update)
            auth = self._auth.header(url, method, data)
            try:
                conn.request(method, target, body=data, headers={**headers, **auth})
                res = conn.getresponse()
            except TimeoutError:
                conn.close()
                raise self._timed_out(timeout) from None
            except (http.client.HTTPException, ConnectionResetError, BrokenPipeError) as e:
                conn.close()  # a kept-alive connection the server had closed: a read is safe to send again
                if update or tries >= 2:
                    raise KBError(f"the SPARQL server at {where} cannot be reached: {e}", status=503) from None
                continue
            except OSError as e:
                conn.close()
                raise KBError(f"the SPARQL server at {where} cannot be reached: {e}", status=503) from None
            if res.status == 401 and tries < 3 and self._auth.challenged(url, res.getheader("WWW-Authenticate")):
                res.read()  # refused unread: nothing was applied, so the request is sent again, signed
                res.close()
                conn.close()
                continue
            break
        res = _Response(res, conn, keep=not fresh)
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
        if "FRVEC" in text:  # Virtuoso 7.2: "array in for vectored over max vector length"
            text += " (Virtuoso answers at most 1,000,000 rows to one query; a larger graph is dumped with its dump_one_graph)"
        raise KBError(f"the SPARQL server at {where} answered {res.status}: {text}", status=503)

    def _timed_out(self, timeout: float | None) -> KBError:
        """A user's query past its time limit, or the store's own read past the connection's."""
        if timeout is not None:
            return QueryTimeout(timeout)
        return KBError(f"the SPARQL server at {self.query_url} did not answer within {self.timeout:g} s", status=503)

    def _query(self, query: str, default_graphs: list[str], accept: str, timeout: float | None = None):
        form = [("query", query)] + [("default-graph-uri", g) for g in default_graphs or ()]
        return self._request(self.query_url, data=urllib.parse.urlencode(form).encode("ascii"),
                             content_type="application/x-www-form-urlencoded", accept=accept, timeout=timeout)

    def _json(self, query: str, default_graphs: list[str], timeout: float | None = None) -> dict:
        with self._query(query, default_graphs, _JSON, timeout) as res:
            try:
                return json.load(res)
            except TimeoutError:
                raise self._timed_out(timeout) from None
            except (ValueError, OSError) as e:
                raise KBError(f"the SPARQL server at {self.query_url} sent an unreadable answer: {e}",
                              status=503) from None

    def update(self, text: str) -> None:
        with self._request(self.update_url, data=text.encode("utf-8"), content_type="application/sparql-update",
                           accept="*/*", update=True) as res:
            res.read()

    # ---- reads ------------------------------------------------------------------
    def select(self, query, default_graphs):
        if self.virtuoso:  # Virtuoso writes SPARQL JSON 2-3x slower than XML (BENCHMARKS.md)
            return self._select_xml(query, default_graphs)
        doc = self._json(query, default_graphs)
        variables = doc.get("head", {}).get("vars", [])
        rows = [{v: _term(b.get(v)) for v in variables} for b in doc.get("results", {}).get("bindings", [])]
        return variables, rows

    def _select_xml(self, query: str, default_graphs: list[str]):
        """A SELECT's results as SPARQL XML, read by pyoxigraph's parser."""
        with self._query(query, default_graphs, _XML) as res:
            try:
                solutions = ox.parse_query_results(res.read(), format=ox.QueryResultsFormat.XML)
            except TimeoutError:
                raise self._timed_out(None) from None
            except (SyntaxError, ValueError, OSError) as e:
                raise KBError(f"the SPARQL server at {self.query_url} sent an unreadable answer: {e}",
                              status=503) from None
        variables = [v.value for v in solutions.variables]
        return variables, [{v: from_ox(s[v]) for v in variables} for s in solutions]

    def ask(self, query, default_graphs):
        doc = self._json(query, default_graphs)
        if "boolean" in doc:
            return bool(doc["boolean"])
        # Virtuoso 7.2 answers ASK as SELECT ?__ASK_RETVAL: one row of 1 when true, none (or 0) when false
        rows = doc.get("results", {}).get("bindings", [])
        return any(str(b.get("__ASK_RETVAL", {}).get("value", "0")) not in ("0", "false") for b in rows)

    def _triples(self, query: str, default_graphs: list[str], timeout: float | None = None) -> Iterator[Triple]:
        with self._query(query, default_graphs, _NT, timeout) as res:
            try:
                for t in ox.parse(res, format=ox.RdfFormat.N_TRIPLES):
                    yield from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)
            except TimeoutError:
                raise self._timed_out(timeout) from None
            except (SyntaxError, OSError) as e:
                raise KBError(f"the SPARQL server at {self.query_url} sent unreadable N-Triples: {e}",
                              status=503) from None

    def construct(self, query, default_graphs):
        return list(self._triples(query, default_graphs))

    def raw_query(self, query, default_graphs, *, form, bindings=None, timeout=None, row_limit=None):
        """A user's checked query. The store's prefixes are declared in front
        (as pyoxigraph's ``prefixes`` does for the embedded store); bindings
        become a trailing ``VALUES`` clause, joined with the query's solutions.

        ``timeout`` is the HTTP read timeout of the request (on a connection of
        its own, closed when the time is up); the server may go on evaluating
        unless it has a timeout of its own (``oxigraph serve --timeout-s``).
        The row limit is applied to the answer as it is read."""
        prologue = "".join(f"PREFIX {k}: <{v}>\n" for k, v in self.prefixes.items())
        text = prologue + query
        if bindings:
            names = list(bindings)
            text += "\nVALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + " ".join(
                nt(bindings[n]) for n in names) + ") }"
        timeout = timeout or None
        if form == "ask":
            return RawResult("ask", boolean=bool(self._json(text, default_graphs, timeout).get("boolean")))
        if form in ("construct", "describe"):
            triples = self._triples(text, default_graphs, timeout)
            if row_limit is not None:
                triples = itertools.islice(triples, row_limit + 1)
            out = RawResult(form, triples=list(triples))
            seq = out.triples
        else:
            doc = self._json(text, default_graphs, timeout)
            variables = doc.get("head", {}).get("vars", [])
            bindings_ = doc.get("results", {}).get("bindings", [])
            if row_limit is not None:
                bindings_ = bindings_[: row_limit + 1]
            out = RawResult("select", variables=variables,
                            rows=[{v: _term(b.get(v)) for v in variables} for b in bindings_])
            seq = out.rows
        if row_limit is not None and len(seq) > row_limit:
            del seq[row_limit:]
            out.partial = True
        return out

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
        # a FILTER, not a second VALUES: Oxigraph joins two VALUES by scanning
        if predicates is not None and not predicates:
            return []
        only = f"FILTER(?p IN ({', '.join(nt(p) for p in predicates)}))" if predicates else ""
        out = []
        for i in range(0, len(subjects), BATCH):
            chunk = subjects[i : i + BATCH]
            values = " ".join(nt(s) for s in chunk)
            where = f"WHERE {{ GRAPH <{graph}> {{ VALUES ?s {{ {values} }} ?s ?p ?o {only} }} }}"
            if self.virtuoso:  # its N-Triples come 2-3x sooner than the same rows as SPARQL XML (BENCHMARKS.md)
                out += self.construct(f"CONSTRUCT {{ ?s ?p ?o }} {where}", [])
                continue
            _, rows = self.select(f"SELECT ?s ?p ?o {where}", [])
            out += [(r["s"], r["p"], r["o"]) for r in rows]
        return out

    def pointing(self, objects, predicate, graph):
        # one request per BATCH objects: one each, a claim index rebuilt from the server took minutes at 10k
        objects, out = list(objects), []
        for i in range(0, len(objects), BATCH):
            values = " ".join(nt(o) for o in objects[i : i + BATCH])
            _, rows = self.select(
                f"SELECT ?s ?o WHERE {{ GRAPH <{graph}> {{ VALUES ?o {{ {values} }} ?s {nt(predicate)} ?o }} }}", [])
            out += [(r["s"], predicate, r["o"]) for r in rows]
        return out

    def pointing_graphs(self, objects, predicate, graph):
        objects, out = list(objects), {}
        for i in range(0, len(objects), BATCH):  # (?g: the rows of the snapshot; unbound, of the subject in graph)
            values = " ".join(nt(o) for o in objects[i : i + BATCH])
            _, rows = self.select(
                f"SELECT ?x ?v ?g ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ VALUES ?x {{ {values} }} ?v {nt(predicate)} ?x }} "
                f"{{ GRAPH <{graph}> {{ ?v ?p ?o }} BIND(?v AS ?s) }} UNION {{ GRAPH ?v {{ ?s ?p ?o }} BIND(?v AS ?g) }} }}",
                [])
            for r in rows:
                _, about, named = out.setdefault(r["v"], (r["x"], [], []))
                (about if r["g"] is None else named).append((r["s"], r["p"], r["o"]))
        return out

    def graphs(self, graphs):
        # one request per BATCH graphs: a claim page's history asked one per version, one after another
        graphs, out = [str(g) for g in graphs], {}
        for i in range(0, len(graphs), BATCH):
            chunk = graphs[i : i + BATCH]
            out.update({g: [] for g in chunk})
            values = " ".join(f"<{g}>" for g in chunk)
            _, rows = self.select(f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}", [])
            for r in rows:
                out[str(r["g"])].append((r["s"], r["p"], r["o"]))
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

    # ---- writes -----------------------------------------------------------------
    @property
    def virtuoso(self) -> bool:
        """Whether the server is Virtuoso (its ``Server`` header says so), whose
        updates need their own shape (see :func:`_virtuoso_update`)."""
        if self._virtuoso is None:
            with self._query("ASK {}", [], _JSON) as res:
                res.read()
                self._virtuoso = "virtuoso" in (res.server or "").lower()
        return self._virtuoso

    _virtuoso = None

    def apply(self, deletes, inserts, *, guard=None):
        if not deletes and not inserts:
            return True
        if self.virtuoso:
            text = _virtuoso_update(deletes, inserts)
            if (size := len(text.encode("utf-8"))) > VIRTUOSO_MAX_UPDATE:  # (before anything is asked or written)
                raise KBError(f"this write is {size / 1e6:.1f} MB of SPARQL, and Virtuoso takes at most 10 MB in one "
                              "update (its error SR578); nothing was written: import the data in parts (a thousand "
                              "claims with their disputes make about 7.4 MB)", status=413)
            # Virtuoso cannot compile a conditional update of some size, so the
            # condition is checked first. The knowledge base holds a reservation of
            # these versions meanwhile (see kb.writes.reserve), so no other
            # writer can create them in between.
            if guard is not None:
                # in groups: one ASK over a few hundred versions overflows Virtuoso's stack (SQ200)
                for i in range(0, len(guard[1]), GUARD_GROUP):
                    values = " ".join(nt(x) for x in guard[1][i : i + GUARD_GROUP])
                    if self.ask(f"ASK {{ GRAPH <{guard[0]}> {{ VALUES ?v {{ {values} }} ?v ?p ?o }} }}", []):
                        return False
            self.update(text)
            return True
        if guard is None:
            self.update(update_text(deletes, inserts))
            return True
        graph, subjects = guard
        parts = []
        for verb, quads in (("DELETE", deletes), ("INSERT", inserts)):
            if quads:
                parts.append(f"{verb} {{\n{graph_blocks(quads)}\n}}")
        # one lookup per version, not VALUES: Oxigraph evaluates VALUES inside
        # FILTER NOT EXISTS by scanning the graph
        branches = union([f"{{ {nt(s)} ?p ?o }}" for s in subjects])
        where = f"WHERE {{ FILTER NOT EXISTS {{ GRAPH <{graph}> {{ {branches} }} }} }}"
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
        # one operation: replaced atomically
        self.update(f"DELETE {{ GRAPH <{SETTINGS_GRAPH}> {{ ?s ?p ?o }} }}\n"
                    f"INSERT {{ GRAPH <{SETTINGS_GRAPH}> {{ <{SETTINGS_GRAPH}> <{SETTINGS_PREDICATE}> {lit} }} }}\n"
                    f"WHERE {{ OPTIONAL {{ GRAPH <{SETTINGS_GRAPH}> {{ ?s ?p ?o }} }} }}")


VIRTUOSO_TEMPLATE_MAX = 400  # quads in one DELETE {…} INSERT {…} WHERE {} (its SQL has a size limit)
VIRTUOSO_BLOCK = 1000  # triples per GRAPH block of INSERT DATA with sql:big-data-const (a block has a limit too)
VIRTUOSO_MAX_UPDATE = 10_000_000  # bytes of one update request: Virtuoso 7.2 refused 10.1 MB (SR578), took 8.1 MB


def _virtuoso_update(deletes, inserts) -> str:
    """One update request Virtuoso takes, as one operation where it can.

    Only inserts (every new record, every bulk import) or only deletes: one
    ``INSERT DATA``/``DELETE DATA`` of any size, with ``sql:big-data-const``
    and the data in GRAPH blocks. Both, up to VIRTUOSO_TEMPLATE_MAX quads
    (an edit): one ``DELETE {…} INSERT {…} WHERE {}`` operation. Both and
    more: ``DELETE DATA … ; INSERT DATA …`` in one request, which Virtuoso
    runs as two operations — the one write it does not make atomic (DEPLOY.md)."""
    define = "define sql:big-data-const 1\n"
    if not deletes:
        return f"{define}INSERT DATA {{\n{graph_blocks(inserts, VIRTUOSO_BLOCK)}\n}}"
    if not inserts:
        return f"{define}DELETE DATA {{\n{graph_blocks(deletes, VIRTUOSO_BLOCK)}\n}}"
    if len(deletes) + len(inserts) <= VIRTUOSO_TEMPLATE_MAX:
        return _virtuoso_edit(deletes, inserts)
    return (f"{define}DELETE DATA {{\n{graph_blocks(deletes, VIRTUOSO_BLOCK)}\n}} ;\n"
            f"INSERT DATA {{\n{graph_blocks(inserts, VIRTUOSO_BLOCK)}\n}}")


def _virtuoso_edit(deletes, inserts) -> str:
    """One ``DELETE {…} INSERT {…} WHERE {…}`` operation.

    Virtuoso 7.2 silently kept a deleted literal with non-ASCII characters
    (``"サム・アルトマン"@ja``) whenever the same operation also inserted into
    another graph, as every edit does (the new version's graph): the record
    then held its old Japanese text beside the new one. It deletes the literal
    when a pattern of the WHERE binds it by its string and language, so each
    such literal is a variable there (required: the guard has just proved that
    no one changed the record since its triples were read)."""
    lines: dict[str, list[str]] = {}
    where = []
    for i, (s, p, o, g) in enumerate(deletes):
        if isinstance(o, Literal) and not str(o).isascii():
            var = f"?_o{i}"
            lines.setdefault(g, []).append(f"{nt(s)} {nt(p)} {var} .")
            where.append(f"GRAPH <{g}> {{ {nt(s)} {nt(p)} {var} "
                         f"FILTER(STR({var}) = {nt(Literal(str(o)))} && LCASE(LANG({var})) = \"{o.language or ''}\") }}")
        else:
            lines.setdefault(g, []).append(f"{nt(s)} {nt(p)} {nt(o)} .")
    blocks = "\n".join(f"GRAPH <{g}> {{\n" + "\n".join(ls) + "\n}" for g, ls in lines.items())
    return (f"DELETE {{\n{blocks}\n}}\nINSERT {{\n{graph_blocks(inserts)}\n}}\n"
            f"WHERE {{ {' '.join(where)} }}")


class _Auth:
    """Credentials for the server, taken out of the endpoint URLs (or from
    ``KB_STORE_USER`` / ``KB_STORE_PASSWORD``), and the answer to its last
    challenge, reused on later requests (Digest counts them with ``nc``)."""

    def __init__(self):
        self.user = os.environ.get("KB_STORE_USER") or None
        self.password = os.environ.get("KB_STORE_PASSWORD") or ""
        self._lock = threading.Lock()
        self._scheme = None  # "basic" or "digest", once the server asked
        self._digest = None
        self._challenge = None

    def take(self, url: str) -> str:
        """The URL without its user:password part, which is kept here."""
        parts = urllib.parse.urlsplit(url)
        if parts.username is None:
            return url
        self.user = urllib.parse.unquote(parts.username)
        self.password = urllib.parse.unquote(parts.password or "")
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))

    def challenged(self, url: str, header: str | None) -> bool:
        """Remember the server's challenge; False when there is nothing to answer it with."""
        if not self.user or not header:
            return False
        scheme, _, rest = header.partition(" ")
        with self._lock:
            if scheme.lower() == "basic":
                self._scheme = "basic"
                return True
            if scheme.lower() == "digest":
                import urllib.request  # noqa: PLC0415 - only for servers that ask for Digest

                if self._digest is None:
                    mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
                    mgr.add_password(None, url, self.user, self.password)
                    self._digest = urllib.request.HTTPDigestAuthHandler(mgr)
                fresh = urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(rest)))
                if fresh == self._challenge:
                    return False  # the same challenge twice: the password is wrong
                self._scheme, self._challenge = "digest", fresh
                return True
        return False

    def header(self, url: str, method: str, data: bytes | None) -> dict:
        with self._lock:
            if self._scheme == "basic":
                import base64  # noqa: PLC0415

                token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
                return {"Authorization": f"Basic {token}"}
            if self._scheme == "digest":
                import urllib.request  # noqa: PLC0415

                req = urllib.request.Request(url, data=data, method=method)
                value = self._digest.get_authorization(req, self._challenge)
                return {"Authorization": f"Digest {value}"} if value else {}
        return {}


class _Response:
    """A response as a readable file. Closing it closes its connection too,
    unless the connection is kept alive and the body was read to the end (a
    half-read body would be taken for the next answer)."""

    def __init__(self, res, conn, *, keep: bool):
        self._res, self._conn, self._keep = res, conn, keep
        self.status, self.reason = res.status, res.reason
        self.server = res.getheader("Server")

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
