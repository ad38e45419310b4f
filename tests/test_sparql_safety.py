"""Hostile and runaway SPARQL: no outbound connection, no update, a time limit, a row limit, a clean 400 for odd texts.

Through the public interfaces: the library (``kb.query``, on every backend
where it takes ``seeded``), the Flask app's ``/sparql`` and ``/query``,
``kb query``, and a real ``kb serve``. Issue 5, items 1-4. The protocol itself
(formats, the query page, bindings) is in ``test_sparql.py``."""

import io
import os
import signal
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from helpers import kb_cmd, start_server, stop
from rdflib import URIRef
from rdflib.namespace import RDF

from app import create_app
from kb import KBError, QueryError, open_kb
from kb.namespaces import VOCAB_GRAPH
from kb.sparql import MAX_QUERY_CHARS

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seed.yaml"
HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/sparql-results+json"}

# runaway queries on the seed (793 triples in the current graph and vocabulary)
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# Oxigraph's REGEX is the Rust regex crate, linear in the text: "(a+)+b" does not
# backtrack there; what runs away is applying it to a 100 KB text on 600,000 rows
REGEX = ('SELECT (COUNT(*) AS ?n) WHERE { { SELECT (GROUP_CONCAT(STR(?o)) AS ?l) WHERE { ?s ?p ?o } } '
         '?x ?y ?z . ?u ?v ?w FILTER(REGEX(CONCAT(?l, STR(?z), STR(?w)), "(a+)+b")) }')
PATH = ("SELECT (COUNT(*) AS ?n) WHERE { ?s ((schema:about|^schema:about|!rdf:type|^!rdf:type)*/"
        "(schema:about|^schema:about|!rdf:type|^!rdf:type)*) ?o }")
RUNAWAY = {"cartesian": CARTESIAN, "regex": REGEX, "path": PATH}


class Listener:
    """A TCP socket on loopback that counts the connections it accepts."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self):
        time.sleep(0.3)  # a connection attempt made at the last moment is still counted
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    lis = Listener()
    yield lis
    lis.close()


def outbound_cases(url: str) -> dict[str, tuple[str, str]]:
    """name -> (query, the words the refusal must contain)."""
    inner = f"SERVICE <{url}> {{ ?s ?p ?o }}"
    return {
        "service": (f"SELECT * WHERE {{ {inner} }}", "SERVICE"),
        "service silent": (f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}", "SERVICE"),
        "service in a subquery": (f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ {inner} }} }} }}", "SERVICE"),
        "service in optional": (f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ {inner} }} }}", "SERVICE"),
        "service in union": (f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ {inner} }} }}", "SERVICE"),
        "service in filter exists": (f"ASK {{ ?a ?b ?c FILTER EXISTS {{ {inner} }} }}", "SERVICE"),
        "service in construct": (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {inner} }}", "SERVICE"),
        "service by variable": (f"SELECT * WHERE {{ BIND(<{url}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}", "SERVICE"),
        "service spelt with an escape": (f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}", "SERVICE"),
        "load": (f"LOAD <{url}x>", "LOAD"),
        "load into": (f"LOAD SILENT <{url}x> INTO GRAPH <urn:g>", "LOAD"),
        "from": (f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}", f"FROM <{url}>"),
        "from named file": ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
                            "FROM NAMED <file:///etc/passwd>"),
        "from file": ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM <file:///etc/passwd>"),
        "describe from": (f"DESCRIBE <urn:x> FROM <{url}>", "FROM"),
    }


UPDATES = ["INSERT DATA { <urn:a> <urn:b> <urn:c> }", "DELETE WHERE { ?s ?p ?o }", "DROP ALL", "CLEAR DEFAULT",
           "CLEAR ALL", "PREFIX x: <urn:x#>\n# a comment\nDELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
           "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"]


def dump(kb) -> bytes:
    out = io.BytesIO()
    kb.export(out, "nq")
    return out.getvalue()


@pytest.fixture
def app():
    kb = open_kb(":memory:")
    a = create_app({"TESTING": True, "QUERY_TIMEOUT": 1, "QUERY_ROW_LIMIT": 5}, kb=kb)
    yield a
    kb.close()


@pytest.fixture
def client(app):
    return app.test_client()


def message(r) -> str:
    return r.get_json()["errors"][0]["message"]


# ---- 1. no outbound connection ------------------------------------------------------

def test_sparql_endpoint_makes_no_outbound_connection(app, client, listener):
    before = dump(app.extensions["kb"])
    tried = 0
    for name, (q, words) in outbound_cases(listener.url).items():
        for r in (client.get("/sparql", query_string={"query": q}),
                  client.post("/sparql", data={"query": q}),
                  client.post("/sparql", data=q.encode(), content_type="application/sparql-query"),
                  client.get("/query", query_string={"query": q}, headers=HTML)):
            tried += 1
            assert r.status_code == 400, (name, r.status_code)
            text = message(r) if r.is_json else r.get_data(as_text=True)
            assert words in text.replace("&lt;", "<").replace("&gt;", ">"), (name, text[:300])
    assert tried == 60
    assert dump(app.extensions["kb"]) == before
    listener.close()
    assert listener.accepted == 0


def test_library_query_makes_no_outbound_connection(seeded, listener):
    """On both backends: the embedded store and an Oxigraph server."""
    before = dump(seeded)
    for name, (q, words) in outbound_cases(listener.url).items():
        with pytest.raises(QueryError) as e:
            seeded.query(q)
        assert words in e.value.message and e.value.status == 400, name
    # the store's own graphs may be named (FROM NAMED used to be refused whatever its IRI), and a query
    # naming them reads them, on every backend (the store's default graphs, sent as the protocol's
    # default-graph-uri or pyoxigraph's default_graph, used to replace the query's dataset: no rows)
    history = seeded.history_graph
    named = seeded.query(f"SELECT ?g FROM NAMED <{history}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT 1")
    assert [str(r["g"]) for r in named.rows] == [history]
    versions = seeded.query(f"SELECT (COUNT(*) AS ?n) FROM <{history}> WHERE {{ ?v kb:versionOf ?r }}")
    assert int(versions.rows[0]["n"]) >= seeded.summary()["claims"] > 0
    claims = seeded.query(f"SELECT (COUNT(*) AS ?n) FROM <{seeded.current}> WHERE {{ ?c a schema:Claim }}")
    assert int(claims.rows[0]["n"]) == seeded.summary()["claims"]
    # FROM the vocabulary alone: the claims are not there
    vocab = seeded.query(f"SELECT (COUNT(*) AS ?n) FROM <{VOCAB_GRAPH}> WHERE {{ ?c a schema:Claim }}")
    assert int(vocab.rows[0]["n"]) == 0
    assert dump(seeded) == before
    listener.close()
    assert listener.accepted == 0


# ---- 2. no update through the query endpoint -------------------------------------

def test_updates_are_refused_and_change_nothing(app, client):
    kb = app.extensions["kb"]
    before = dump(kb)
    for u in UPDATES:
        for r in (client.get("/sparql", query_string={"query": u}),
                  client.post("/sparql", data={"query": u}),
                  client.post("/sparql", data={"update": u}),
                  client.post("/sparql", data=u.encode(), content_type="application/sparql-update"),
                  client.post("/sparql", data=u.encode(), content_type="application/sparql-query")):
            assert r.status_code == 400 and "update" in message(r), (u, r.status_code, r.get_data()[:200])
    assert dump(kb) == before
    assert client.get("/api/claims").get_json()["total"] == 31



@pytest.mark.parametrize("text,words", [
    ("INSERT DATA { <http://x> <http://y> <http://z> }", "read-only"),
    ("DROP ALL", "read-only"),
    ("LOAD <http://example.org/data.ttl>", "read-only"),
    ("PREFIX x: <http://x/> DELETE WHERE { ?s ?p ?o }", "read-only"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { { SELECT ?s WHERE { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } } } }", "SERVICE"),
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM"),
    ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
    ("SELECT * WHERE { ?s ?p }", "malformed"),
])
def test_query_api_refuses_updates_service_load(seeded, text, words):
    before = seeded.summary()
    with pytest.raises(QueryError, match=words):
        seeded.query(text)
    assert seeded.summary() == before


# ---- 3. runaway queries ------------------------------------------------------------

@pytest.mark.parametrize("name", RUNAWAY)
def test_runaway_query_is_stopped_with_503(client, name):
    t = time.monotonic()
    r = client.get("/sparql", query_string={"query": RUNAWAY[name]}, headers=JSON)
    took = time.monotonic() - t
    assert r.status_code == 503 and "stopped" in message(r) and "QUERY_TIMEOUT" in message(r)
    assert took < 4, took
    # a browser gets the HTML error page
    r = client.get("/query", query_string={"query": RUNAWAY[name]}, headers=HTML)
    assert r.status_code == 503 and r.mimetype == "text/html" and "stopped" in r.get_data(as_text=True)
    # and the next query is answered (a new worker replaced the killed one)
    r = client.get("/sparql", query_string={"query": "ASK { ?c a schema:Claim }"})
    assert r.status_code == 200 and r.get_json()["boolean"] is True


def test_timeout_on_a_store_folder_sees_every_write(tmp_path):
    """On a store in a folder the workers read a checkpoint: it follows the writes."""
    kb = open_kb(str(tmp_path / "store"))
    try:
        kb.import_yaml(SEED.read_bytes(), by="tester")
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?c a schema:Claim }"
        assert int(kb.query(count, timeout=5).rows[0]["n"]) == 31
        claim = kb.query("SELECT ?c WHERE { ?c a schema:Claim } ORDER BY ?c LIMIT 1", timeout=5).rows[0]["c"]
        kb.store.apply([(claim, RDF.type, URIRef("http://schema.org/Claim"), kb.current)], [])  # a write after the first snapshot
        assert int(kb.query(count, timeout=5).rows[0]["n"]) == 30
        t = time.monotonic()
        with pytest.raises(KBError) as e:
            kb.query(CARTESIAN, timeout=1)
        assert e.value.status == 503 and time.monotonic() - t < 4
        snapshots = list((tmp_path / "store" / "query-snapshots").iterdir())
        assert len(snapshots) == 1  # the older checkpoint was removed once no query used it
    finally:
        kb.close()
    assert not (tmp_path / "store" / "query-snapshots").exists()


def test_timeout_on_a_sparql_server(tmp_path):
    """A server store: the HTTP read timeout stops the wait (503); ``--timeout-s``
    makes Oxigraph itself stop evaluating soon after."""
    from servers import OxigraphServer  # noqa: PLC0415

    server = OxigraphServer(tmp_path / "oxi", "--timeout-s", "3")
    try:
        kb = open_kb(server.url)
        kb.import_yaml(SEED.read_bytes(), by="tester")
        t = time.monotonic()
        with pytest.raises(KBError) as e:
            kb.query(CARTESIAN, timeout=1)
        assert e.value.status == 503 and "stopped" in e.value.message and time.monotonic() - t < 3
        assert kb.query("ASK { ?c a schema:Claim }", timeout=1).boolean is True
        kb.close()
    finally:
        server.stop()


def test_kb_query_command_stops_a_runaway_query(tmp_path):
    store = tmp_path / "store"
    assert kb_cmd(store, "load", str(SEED)).returncode == 0
    t = time.monotonic()
    r = kb_cmd(store, "query", "--timeout", "1", CARTESIAN)
    assert r.returncode == 1 and "stopped" in r.stderr and "Traceback" not in r.stderr
    assert time.monotonic() - t < 15


def _get(url, timeout=10):
    t = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            r.read()
            return r.status, time.monotonic() - t
    except urllib.error.HTTPError as e:
        return e.code, time.monotonic() - t


def test_kb_serve_keeps_serving_during_runaway_queries(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMKB_QUERY_TIMEOUT", "3")
    proc, base = start_server(tmp_path / "store", "--threads", "6")
    try:
        assert _get(f"{base}/api/claims")[0] == 200
        outcomes = []
        runaway = [threading.Thread(target=lambda q=q: outcomes.append(
            _get(f"{base}/sparql?" + urllib.parse.urlencode({"query": q})))) for q in (CARTESIAN, PATH)]
        for th in runaway:
            th.start()
        time.sleep(0.3)
        served = []
        while any(th.is_alive() for th in runaway):
            for path in ("/", "/api/claims"):
                served.append(_get(base + path))
        for th in runaway:
            th.join()
        assert sorted(s for s, _ in outcomes) == [503, 503]
        assert all(2.5 < took < 6 for _, took in outcomes), outcomes
        assert len(served) >= 4 and all(s == 200 for s, _ in served), served
        # none of them waited for the runaway queries, which ran until stopped (2.5 s at the earliest)
        assert max(took for _, took in served) < min(took for _, took in outcomes) - 0.5, (served, outcomes)
        q = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?c a schema:Claim }"})
        assert _get(f"{base}/sparql?{q}")[0] == 200
        print(f"runaway queries stopped after {[round(t, 2) for _, t in outcomes]} s; "
              f"{len(served)} other requests served meanwhile, slowest {max(t for _, t in served):.2f} s")
    finally:
        stop(proc)


# ---- 4. the row limit --------------------------------------------------------------

def test_row_limit_marks_the_result_partial(client):
    r = client.get("/sparql", query_string={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"})
    assert r.status_code == 200
    assert r.headers["X-ClaimKB-Partial"] == "true" and r.headers["X-ClaimKB-Row-Limit"] == "5"
    assert len(r.get_json()["results"]["bindings"]) == 5
    r = client.get("/sparql", query_string={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "format": "csv"})
    assert r.headers["X-ClaimKB-Partial"] == "true" and len(r.get_data(as_text=True).strip().splitlines()) == 6
    r = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert r.headers["X-ClaimKB-Partial"] == "true"
    # exactly at the limit, and under it: complete
    for n in (5, 3):
        r = client.get("/sparql", query_string={"query": f"SELECT ?s WHERE {{ ?s a schema:Claim }} LIMIT {n}"})
        assert r.headers["X-ClaimKB-Partial"] == "false" and len(r.get_json()["results"]["bindings"]) == n
    page = client.get("/query", query_string={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"}, headers=HTML)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'class="partial-result"' in text and "only the first 5" in text
    page = client.get("/query", query_string={"query": "SELECT ?s WHERE { ?s a schema:Claim } LIMIT 3"},
                      headers=HTML)
    assert "partial-result" not in page.get_data(as_text=True)


# ---- 5. deeply nested and huge texts -----------------------------------------------

def test_deeply_nested_and_huge_queries_get_a_clean_400(client):
    texts = {
        "nested groups": "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
        "nested parentheses": "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
        "nested subqueries": "SELECT * WHERE { " + "{ SELECT * WHERE { " * 500 + "?s ?p ?o" + " } }" * 500 + " }",
        "too long": "SELECT * WHERE { ?s ?p ?o } #" + "x" * MAX_QUERY_CHARS,
    }
    for name, q in texts.items():
        for r in (client.post("/sparql", data=q.encode(), content_type="application/sparql-query"),
                  client.post("/sparql", data={"query": q})):
            assert r.status_code == 400, (name, r.status_code)
            m = message(r)
            assert ("nested too deeply" in m or "too long" in m) and "Recursion" not in m, (name, m)
    r = client.get("/query", query_string={"query": texts["nested groups"]}, headers=HTML)
    assert r.status_code == 400 and "nested too deeply" in r.get_data(as_text=True)


# long chains: flat in the grammar, nested one part in another when evaluated (A UNION B UNION C is
# Union(Union(A, B), C)); 2,000-2,500 of them overflowed the stack of an Oxigraph server started with --timeout-s
CHAINS = {
    "UNION in FILTER NOT EXISTS": lambda n: "SELECT * WHERE { ?a ?b ?c FILTER NOT EXISTS { " + " UNION ".join(
        f"{{ <http://e/x{i}> ?p ?o }}" for i in range(n)) + " } }",
    "&&": lambda n: "SELECT * WHERE { ?a ?b ?c FILTER(" + " && ".join(f"?c != {i}" for i in range(n)) + ") }",
    "OPTIONAL": lambda n: "SELECT * WHERE { ?a ?b ?c " + " ".join(
        f"OPTIONAL {{ <http://e/x{i}> ?p{i} ?o }}" for i in range(n)) + " }",
    "path": lambda n: "SELECT * WHERE { ?a " + "/".join(f"<http://e/p{i}>" for i in range(n)) + " ?c }",
    "predicates": lambda n: "SELECT * WHERE { ?a " + " ; ".join(f"<http://e/y{i}> ?c{i}" for i in range(n)) + " }",
}


def test_long_chains_get_a_clean_400_and_long_values_do_not(client):
    for name, chain in CHAINS.items():
        r = client.post("/sparql", data={"query": chain(2500)})
        assert r.status_code == 400, (name, r.status_code)
        assert "joins" in message(r) and "VALUES" in message(r), (name, message(r))
        assert client.post("/sparql", data={"query": chain(20)}, headers=JSON).status_code == 200, name
    values = "SELECT * WHERE { VALUES ?a { " + " ".join(f"<http://e/x{i}>" for i in range(5000)) + " } ?a ?b ?c }"
    assert client.post("/sparql", data={"query": values}, headers=JSON).status_code == 200


@pytest.mark.long
def test_a_long_chain_never_reaches_an_oxigraph_server(tmp_path):
    """The Oxigraph server as DEPLOY.md starts it (``--timeout-s``) aborted on such a query, for everyone:
    the check stops it first, and the server keeps serving."""
    from servers import OxigraphServer  # noqa: PLC0415

    server = OxigraphServer(tmp_path / "oxi", "--timeout-s", "10")
    try:
        kb = open_kb(server.url, update_endpoint=server.update_url)
        kb.import_yaml(SEED.read_bytes(), by="tester")
        for name, chain in CHAINS.items():
            with pytest.raises(QueryError, match="joins"):
                kb.query(chain(2500), timeout=10)
            assert server.proc.poll() is None, name
        assert kb.query("ASK { ?c a schema:Claim }", timeout=5).boolean is True
        kb.close()
    finally:
        server.stop()


def test_queries_parsed_at_once_in_threads_are_all_answered(seeded):
    """rdflib's grammar is not thread-safe: before the parser lock, two queries
    sent at once to kb serve were refused with "<lambda>() missing 1 required
    positional argument: 'x'"."""
    q = "SELECT ?c WHERE { ?c a schema:Claim OPTIONAL { ?d kb:disputes ?c } FILTER(!BOUND(?d) || BOUND(?d)) }"
    errors = []

    def work():
        for _ in range(15):
            try:
                seeded.query(q, timeout=None)
            except QueryError as e:
                errors.append(e.message)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []


def test_more_runaway_queries_than_workers_all_answer_503_in_time():
    """Two workers (the default): a third runaway query waits for one until its
    own time is up, then is answered 503 too; nothing waits beyond the limit."""
    kb = open_kb(":memory:")
    try:
        kb.import_yaml(SEED.read_bytes(), by="tester")
        outcomes = []

        def run():
            t = time.monotonic()
            try:
                kb.query(CARTESIAN, timeout=1)
            except KBError as e:
                outcomes.append((e.status, time.monotonic() - t))

        threads = [threading.Thread(target=run) for _ in range(3)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert [s for s, _ in outcomes] == [503, 503, 503] and max(t for _, t in outcomes) < 2.5, outcomes
        assert kb.query("ASK { ?c a schema:Claim }", timeout=2).boolean is True
    finally:
        kb.close()


def test_query_workers_stop_when_kb_serve_is_killed_mid_query(tmp_path, monkeypatch):
    """A SIGKILLed server cannot kill its workers: they notice and stop themselves."""
    monkeypatch.setenv("CLAIMKB_QUERY_TIMEOUT", "60")
    proc, base = start_server(tmp_path / "store")
    try:
        q = urllib.parse.urlencode({"query": CARTESIAN})
        threading.Thread(target=_get_ignoring_errors, args=(f"{base}/sparql?{q}",), daemon=True).start()
        workers = []
        for _ in range(50):
            time.sleep(0.1)
            workers = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(p) == proc.pid
                       and b"query_worker" in _read(p / "cmdline")]
            if workers:
                break
        assert workers, "no query worker started"
        proc.kill()
        proc.wait(10)
        time.sleep(2)
        assert not [p for p in workers if p.exists() and b"query_worker" in _read(p / "cmdline")]
    finally:
        if proc.poll() is None:
            stop(proc)
        proc.log.close()


def _get_ignoring_errors(url):
    try:
        _get(url, 30)
    except OSError:  # the server is killed while this waits
        pass


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _parent(p: Path) -> int | None:
    stat = _read(p / "stat").decode(errors="replace")
    try:
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (IndexError, ValueError):
        return None


def _my_workers() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(p) == os.getpid()
            and b"query_worker" in _read(p / "cmdline")]


def test_a_worker_killed_from_outside_is_replaced():
    """Killed mid-query (the OOM killer, an operator): that query is refused at
    once, not left waiting for the timeout; killed while idle: the next query
    never notices."""
    kb = open_kb(":memory:")
    try:
        kb.import_yaml(SEED.read_bytes(), by="tester")
        ask = "ASK { ?c a schema:Claim }"
        assert kb.query(ask).boolean is True
        before = set(_my_workers())
        assert before
        outcome = []

        def run():
            t = time.monotonic()
            try:
                kb.query(CARTESIAN, timeout=20)
            except KBError as e:
                outcome.append((e.status, e.message, time.monotonic() - t))

        th = threading.Thread(target=run)
        th.start()
        time.sleep(0.5)
        for pid in before:
            os.kill(pid, signal.SIGKILL)
        th.join(10)
        assert outcome and outcome[0][0] == 400 and "stopped" in outcome[0][1] and outcome[0][2] < 5, outcome
        assert kb.query(ask).boolean is True
        for pid in _my_workers():  # now idle
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
        assert kb.query(ask).boolean is True
    finally:
        kb.close()
