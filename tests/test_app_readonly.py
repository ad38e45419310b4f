"""The web app's read-only slice through Flask's test client."""

import pytest
from rdflib import Graph

from app import create_app
from kb import open_kb


@pytest.fixture
def client():
    app = create_app({"TESTING": True}, kb=open_kb(":memory:"))
    return app.test_client()


def test_seed_loaded_on_first_start_and_api_lists_claims(client):
    r = client.get("/api/claims?status=disputed")
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"] == 3 and all(c["status"] == "disputed" for c in body["claims"])
    r = client.get("/api/claims/ms-cancelled-datacentre-deals")
    claim = r.get_json()
    assert claim["disputes"][0]["party"]["id"] == "sam-altman" and claim["disputes"][0]["stance"] == "denies"


def test_error_shape_is_pinned(client):
    r = client.get("/api/claims/no-such-claim")
    assert r.status_code == 404
    assert r.get_json() == {"errors": [{"field": None, "message": "there is no claim 'no-such-claim'"}]}
    r = client.get("/api/claims?status=maybe")
    assert r.status_code == 400 and "unknown status" in r.get_json()["errors"][0]["message"]


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


def test_exports_and_claim_turtle(client):
    r = client.get("/export.ttl")
    assert r.status_code == 200 and len(Graph().parse(data=r.data, format="turtle")) > 500
    r = client.get("/claims/ms-cancelled-datacentre-deals", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.data, format="turtle")
    assert any("サム・アルトマン" in str(o) for o in g.objects())
    assert client.get("/claims/ms-cancelled-datacentre-deals.ttl").data == r.data
    assert client.get("/export.xyz").status_code == 404
