"""kb serve on waitress, queried by an outside SPARQL client."""

import pytest
from helpers import kb_cmd, start_server, stop
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc, url = start_server(tmp_path_factory.mktemp("serve") / "store")
    yield url
    stop(proc)


def client(url, fmt):
    w = SPARQLWrapper(f"{url}/sparql")
    w.setReturnFormat(fmt)
    return w


def test_sparqlwrapper_select_json_csv_and_ask(server):
    q = "PREFIX schema: <http://schema.org/> SELECT ?c WHERE { ?c a schema:Claim } ORDER BY ?c"
    w = client(server, JSON)
    w.setQuery(q)
    rows = w.query().convert()["results"]["bindings"]
    assert len(rows) == 31
    w = client(server, CSV)
    w.setQuery(q)
    assert len(w.query().convert().decode().strip().splitlines()) == 32
    w = client(server, XML)
    w.setQuery(q)
    doc = w.query().convert()  # an xml.dom Document
    assert len(doc.getElementsByTagName("result")) == 31
    assert doc.getElementsByTagName("uri")[0].firstChild.data.startswith("https://w3id.org/claimkb/id/claims/")
    ask = "PREFIX schema: <http://schema.org/> ASK { ?c a schema:Claim }"
    w = client(server, JSON)
    w.setQuery(ask)
    assert w.query().convert()["boolean"] is True
    w = client(server, XML)
    w.setQuery(ask)
    assert w.query().convert().getElementsByTagName("boolean")[0].firstChild.data == "true"


def test_sparqlwrapper_construct(server):
    w = client(server, TURTLE)
    w.setQuery("PREFIX kb: <https://w3id.org/claimkb/ns#> CONSTRUCT WHERE { ?d kb:party ?p }")
    g = Graph().parse(data=w.query().convert(), format="turtle")
    assert len(g) == 3


def test_users_tokens_and_writes_over_http(tmp_path):
    import json
    import urllib.error
    import urllib.request

    store = tmp_path / "store"
    assert kb_cmd(store, "user", "add", "hanako", "--role", "analyst", stdin="s3cret-pass\n").returncode == 0
    assert kb_cmd(store, "user", "add", "ken", "--role", "viewer", stdin="s3cret-pass\n").returncode == 0
    r = kb_cmd(store, "user", "add", "bad", "--role", "analyst", stdin="short\n")
    assert r.returncode == 1 and "at least 8" in r.stderr
    assert kb_cmd(store, "user", "list").stdout.split() == ["hanako", "analyst", "ken", "viewer"]
    token = kb_cmd(store, "user", "token", "hanako").stdout.strip()
    viewer = kb_cmd(store, "user", "token", "ken").stdout.strip()
    proc, url = start_server(store)
    try:

        def post(path, data, tok):
            req = urllib.request.Request(f"{url}{path}", data=json.dumps(data).encode(),
                                         headers={"Content-Type": "application/json",
                                                  **({"Authorization": f"Bearer {tok}"} if tok else {})})
            try:
                with urllib.request.urlopen(req) as resp:
                    return resp.status, json.load(resp)
            except urllib.error.HTTPError as e:
                return e.code, json.load(e)

        claim = {"id": "new-claim", "text": {"ja": "新しい主張", "en": "A new claim"}, "claimant": "microsoft",
                 "about": ["openai"], "sources": ["windows-central-ms-ai-self-sufficiency"]}
        assert post("/api/claims", claim, None)[0] == 401
        assert post("/api/claims", claim, viewer)[0] == 403
        status, body = post("/api/claims", {**claim, "claimant": "nobody"}, token)
        assert status == 422 and any(e["field"] == "claimant" for e in body["errors"])
        status, body = post("/api/claims", claim, token)
        assert status == 201 and body["status"] == "reported" and body["recorded_by"] == "hanako"
        status, body = post("/api/claims/new-claim/disputes",
                            {"party": "openai", "stance": "denies", "text": {"en": "No."},
                             "sources": ["windows-central-ms-ai-self-sufficiency"]}, token)
        assert status == 201 and body["status"] == "disputed"
    finally:
        stop(proc)


def test_several_workers_need_a_server_store(tmp_path):
    r = kb_cmd(tmp_path / "store", "serve", "--workers", "2")
    assert r.returncode == 2 and "needs a SPARQL server store" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_two_workers_on_a_server_share_accounts_and_writes(tmp_path, kind):
    import json
    import threading
    import urllib.request

    from servers import OxigraphServer, VirtuosoServer

    ox = (OxigraphServer if kind == "oxigraph" else VirtuosoServer)(tmp_path / kind)
    data = ["--data-dir", str(tmp_path / "data"), "--update-endpoint", ox.update_url]
    try:
        assert kb_cmd(ox.url, *data, "user", "add", "ana", "--role", "analyst", stdin="ana-password\n").returncode == 0
        token = kb_cmd(ox.url, *data, "user", "token", "ana").stdout.strip()
        proc, url = start_server(ox.url, "--workers", "2", "--threads", "2", pre=data)
        try:
            statuses = []

            def write(i):
                body = json.dumps({"id": f"w-{i}", "text": {"en": f"Worker claim {i}"}, "claimant": "openai",
                                   "about": ["openai"], "sources": ["windows-central-ms-ai-self-sufficiency"]})
                req = urllib.request.Request(f"{url}/api/claims", data=body.encode(), headers={
                    "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
                with urllib.request.urlopen(req, timeout=60) as r:
                    statuses.append(r.status)

            threads = [threading.Thread(target=write, args=(i,)) for i in range(12)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert statuses == [201] * 12
            with urllib.request.urlopen(f"{url}/api/claims?limit=1", timeout=30) as r:
                assert json.load(r)["total"] == 31 + 12  # the seed, loaded once, and every write
        finally:
            stop(proc)
    finally:
        ox.stop()
