"""The HTTP API: its OpenAPI document, reading and writing claims with a token, errors as JSON, text stored as NFC.

Through Flask's test client. What each role may do over the API is in
``test_auth.py``; edits, conflicts and history over the API in
``test_writes.py``; ``POST /api/import`` in ``test_imports.py``."""

import re
import unicodedata

from helpers import sign_in
from openapi_spec_validator import validate

from app import create_app
from kb import open_kb

HTML = {"Accept": "text/html"}
SOURCE = "windows-central-ms-ai-self-sufficiency"


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


def test_openapi_document_is_valid_and_covers_the_api(client, app):
    doc = client.get("/api/openapi.json").get_json()
    validate(doc)
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule) for r in app.url_map.iter_rules()
              if r.rule.startswith("/api/")}
    assert routes == set(doc["paths"])


def test_api_writes(client, app):
    tok = app.extensions["users"].token("ana")
    viewer = app.extensions["users"].token("vic")
    claim = {"text": {"en": "API claim"}, "claimant": "openai", "about": ["openai"], "sources": [SOURCE]}
    assert client.post("/api/claims", json=claim).status_code == 401
    assert client.post("/api/claims", json=claim, headers={"Authorization": "Bearer nope.x"}).status_code == 401
    assert client.post("/api/claims", json=claim, headers={"Authorization": f"Bearer {viewer}"}).status_code == 403
    r = client.post("/api/claims", json={**claim, "date": "2024-13-45"}, headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "date"
    r = client.post("/api/claims", data="[]", content_type="application/json",
                    headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 400
    r = client.post("/api/claims", json=claim, headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 201 and r.get_json()["recorded_by"] == "ana"
    # a signed-in browser session is not enough for the API (no cookie-borne writes)
    sign_in(client)
    assert client.post("/api/claims", json=claim).status_code == 401


def test_errors_are_html_for_pages_and_json_for_the_api():
    app = create_app({"TESTING": True}, kb=open_kb(":memory:"))

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    client = app.test_client()
    r = client.get("/claims/nope", headers=HTML)
    assert r.status_code == 404 and r.mimetype == "text/html" and "there is no claim" in r.get_data(as_text=True)
    r = client.get("/no/such/page", headers=HTML)
    assert r.status_code == 404 and r.mimetype == "text/html"
    r = client.get("/api/no-such")
    assert r.status_code == 404 and r.get_json()["errors"][0]["field"] is None
    for headers in (HTML, {"Accept": "application/json"}):
        r = client.get("/boom", headers=headers)
        assert r.status_code == 500 and b"secret detail" not in r.data and b"Traceback" not in r.data
    assert client.get("/boom", headers={"Accept": "application/json"}).get_json() == {
        "errors": [{"field": None, "message": "internal error"}]}
    app.extensions["users"].add("ana", "analyst", "ana-password")
    big = app.config["MAX_CONTENT_LENGTH"] + 1
    r = client.post("/api/claims", data=b"x" * big, content_type="application/json",
                    headers={"Authorization": f"Bearer {app.extensions['users'].token('ana')}"})
    assert r.status_code == 413 and r.get_json()["errors"][0]["message"]


def test_normalisation_over_the_http_api():
    """POST, PUT and search with NFD text: stored as NFC, once; an NFD re-send changes nothing."""
    from app import create_app

    app = create_app({"TESTING": True}, kb=open_kb(":memory:"))
    app.extensions["users"].add("ana", "analyst", "ana-password")
    tok = {"Authorization": f"Bearer {app.extensions['users'].token('ana')}"}
    c = app.test_client()
    nfc = "東京のカフェはガイドラインを守る"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    claim = {"id": "nfd-claim", "text": {"ja": nfd}, "claimant": "microsoft", "about": ["microsoft"],
             "sources": [SOURCE]}
    r = c.post("/api/claims", json=claim, headers=tok)
    assert r.status_code == 201 and r.get_json()["text"]["ja"] == nfc
    before = c.get("/export.trig").data
    r = c.post("/api/claims", json={**claim, "text": {"ja": nfc}}, headers=tok)
    assert r.status_code == 201 and r.get_json()["version"] == 1  # the same record: no new version
    r = c.put("/api/claims/nfd-claim", json={**claim, "version": 1}, headers=tok)
    assert r.status_code == 200 and r.get_json()["version"] == 1
    assert c.get("/export.trig").data == before
    for q in (nfc[:4], unicodedata.normalize("NFD", nfc[:4])):
        ids = [x["id"] for x in c.get("/api/claims", query_string={"q": q}).get_json()["claims"]]
        assert ids == ["nfd-claim"], q
