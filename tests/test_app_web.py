"""Every page, route and status code of the web app, through Flask's test client."""

import re
from pathlib import Path

import pytest

from app import SETTINGS, create_app
from kb import open_kb

HTML = {"Accept": "text/html"}
CLAIM = "ms-cancelled-datacentre-deals"
SOURCE = "windows-central-ms-ai-self-sufficiency"
TEMPLATES = Path(__file__).resolve().parent.parent / "app" / "templates"


@pytest.fixture
def app():
    a = create_app({"TESTING": True}, kb=open_kb(":memory:"))
    users = a.extensions["users"]
    users.add("ana", "analyst", "ana-password")
    users.add("vic", "viewer", "vic-password")
    return a


@pytest.fixture
def client(app):
    return app.test_client()


def token_of(client, path="/login"):
    r = client.get(path, headers=HTML)
    return re.search(r'name="csrf_token" value="([^"]+)"', r.get_data(as_text=True)).group(1)


def sign_in(client, name="ana", password=None):
    r = client.post("/login", data={"name": name, "password": password or f"{name}-password",
                                    "csrf_token": token_of(client)})
    assert r.status_code == 302
    return r


def claim_form(**fields):
    base = {"text_en": "Fabrikam will build its own AI chips.", "text_ja": "ファブリカムは独自のAIチップを作る。",
            "claimant": "microsoft", "about": ["openai", "chatgpt"], "sources": [SOURCE], "date": "2025-09-12"}
    return {**base, **fields}


def test_private_reads_when_configured():
    app = create_app({"TESTING": True, "PUBLIC_READS": False}, kb=open_kb(":memory:"))
    app.extensions["users"].add("vic", "viewer", "vic-password")
    c = app.test_client()
    assert c.get("/", headers=HTML).headers["Location"].startswith("/login")
    assert c.get("/api/claims").status_code == 401
    assert c.get("/sparql", query_string={"query": "ASK {}"}).status_code == 401
    tok = app.extensions["users"].token("vic")
    assert c.get("/api/claims", headers={"Authorization": f"Bearer {tok}"}).status_code == 200
    sign_in(c, "vic")
    assert c.get("/", headers=HTML).status_code == 200


def test_settings_are_documented():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    missing = [k for k in SETTINGS if k not in readme]
    assert not missing, f"settings missing from the README: {missing}"
