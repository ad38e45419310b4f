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
    assert body["total"] == 4 and all(c["status"] == "disputed" for c in body["claims"])
    r = client.get("/api/claims/ms-cancelled-datacentre-deals")
    claim = r.get_json()
    assert claim["disputes"][0]["party"]["id"] == "sam-altman" and claim["disputes"][0]["stance"] == "denies"


def test_error_shape_is_pinned(client):
    r = client.get("/api/claims/no-such-claim")
    assert r.status_code == 404
    assert r.get_json() == {"errors": [{"field": None, "message": "there is no claim 'no-such-claim'"}]}
    r = client.get("/api/claims?status=maybe")
    assert r.status_code == 400 and "unknown status" in r.get_json()["errors"][0]["message"]


def test_exports_and_claim_turtle(client):
    r = client.get("/export.ttl")
    assert r.status_code == 200 and len(Graph().parse(data=r.data, format="turtle")) > 500
    r = client.get("/claims/ms-cancelled-datacentre-deals", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.data, format="turtle")
    assert any("サム・アルトマン" in str(o) for o in g.objects())
    assert client.get("/claims/ms-cancelled-datacentre-deals.ttl").data == r.data
    assert client.get("/export.xyz").status_code == 404
