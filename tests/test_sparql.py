"""The SPARQL endpoint, the query page and users' queries: the protocol, its result formats, bindings, examples.

Through Flask's test client, the library (``kb.query``, on every backend), and
an outside SPARQL client (SPARQLWrapper) against a real ``kb serve``. Hostile
and runaway queries, and the time and row limits, are in
``test_sparql_safety.py``."""

import re

import pytest
from helpers import start_server, stop
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

HTML = {"Accept": "text/html"}


def test_sparql_protocol(client):
    q = "SELECT ?c WHERE { ?d kb:party ?p ; kb:disputes ?c . ?p schema:name 'Sam Altman'@en }"
    r = client.get("/sparql", query_string={"query": q})
    assert r.status_code == 200 and r.mimetype == "application/sparql-results+json"
    assert r.get_json()["results"]["bindings"][0]["c"]["value"].endswith("/claims/ms-cancelled-datacentre-deals")
    r = client.post("/sparql", data={"query": q}, headers={"Accept": "text/csv"})
    assert r.data.decode().splitlines()[0] == "c"
    r = client.post("/sparql", data="ASK { ?c a schema:Claim }", content_type="application/sparql-query")
    assert r.get_json()["boolean"] is True
    r = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?c a schema:Claim }"})
    assert r.mimetype == "text/turtle" and len(Graph().parse(data=r.data, format="turtle")) == 31
    for bad in ("DROP ALL", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SELECT {"):
        r = client.get("/sparql", query_string={"query": bad})
        assert r.status_code == 400 and r.get_json()["errors"][0]["message"]
    assert client.get("/api/claims").get_json()["total"] == 31


def test_sparql_protocol_formats(client):
    q = "SELECT ?c WHERE { ?c a schema:Claim } ORDER BY ?c LIMIT 3"
    for accept, mime in (("application/sparql-results+xml", "application/sparql-results+xml"),
                         ("application/xml", "application/sparql-results+xml"),
                         ("text/tab-separated-values", "text/tab-separated-values"),
                         ("application/sparql-results+json", "application/sparql-results+json")):
        r = client.get("/sparql", query_string={"query": q}, headers={"Accept": accept})
        assert r.status_code == 200 and r.mimetype == mime, accept
    r = client.get("/sparql", query_string={"query": q}, headers={"Accept": "application/sparql-results+xml"})
    assert r.data.count(b"<result>") == 3
    tsv = client.get("/sparql", query_string={"query": q, "format": "tsv"}).get_data(as_text=True).splitlines()
    assert tsv[0] == "?c" and tsv[1].startswith("<https://")
    r = client.get("/sparql", query_string={"query": "ASK { ?c a schema:Claim }"},
                   headers={"Accept": "application/sparql-results+xml"})
    assert b"<boolean>true</boolean>" in r.data
    r = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?d kb:party ?p }"},
                   headers={"Accept": "application/ld+json"})
    assert r.mimetype == "application/ld+json" and len(Graph().parse(data=r.data, format="json-ld")) == 3
    r = client.get("/sparql", query_string={"query": q, "format": "csv"})
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    assert client.get("/sparql", query_string={"query": q, "format": "ttl"}).status_code == 400
    r = client.post("/sparql", data={"update": "DROP ALL"})
    assert r.status_code == 400 and "read-only" in r.get_json()["errors"][0]["message"]
    assert client.get("/sparql", headers=HTML).headers["Location"] == "/query"
    assert client.get("/sparql").status_code == 400


def test_query_page(client):
    page = client.get("/query", headers=HTML).get_data(as_text=True)
    assert page.count("data-example=") == 7 and "codemirror.js" in page
    for name in ("disputed-by-party", "about-entity", "who-denies-most", "never-confirmed", "story-timeline"):
        r = client.get(f"/query?example={name}", headers=HTML)
        assert r.status_code == 200 and "<table class=\"results\">" in r.get_data(as_text=True), name
        assert int(re.search(r'class="row-count">(\d+) rows', r.get_data(as_text=True)).group(1)) > 0, name
    r = client.get("/query", query_string={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "page": 2}, headers=HTML)
    page = r.get_data(as_text=True)
    assert "2 / " in page and page.count("<tr>") == 51  # a header row and 50 results
    r = client.get("/query", query_string={"query": "SELECT ?x WHERE {"}, headers=HTML)
    assert r.status_code == 400 and "malformed" in r.get_data(as_text=True)
    r = client.get("/query", query_string={"query": "CONSTRUCT WHERE { ?d kb:party ?p }"}, headers=HTML)
    assert "3 triples" in r.get_data(as_text=True) and 'data-format="ttl"' in r.get_data(as_text=True)
    assert client.get("/static/vendor/codemirror/sparql.js").status_code == 200


def test_query_with_bindings(seeded):
    res = seeded.query(
        "SELECT ?c ?party WHERE { ?d kb:disputes ?c ; kb:party ?party }",
        bindings={"party": seeded.iri("agent", "sam-altman")},
    )
    assert [str(r["c"]).rsplit("/", 1)[-1] for r in res.rows] == ["ms-cancelled-datacentre-deals"]


def test_select_star_runs(seeded):
    # regression: "SELECT *" has no projection list and once crashed the query check
    r = seeded.query("SELECT * WHERE { ?d kb:party ?p ; kb:stance ?s }")
    assert r.form == "select" and set(r.variables) == {"d", "p", "s"} and len(r.rows) == 3


# ---- an outside SPARQL client against kb serve ---------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc, url = start_server(tmp_path_factory.mktemp("serve") / "store")
    yield url
    stop(proc)


# SPARQLWrapper against kb serve (the tests above take ``client``: the Flask test client, a fixture)
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
