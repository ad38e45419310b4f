"""The web forms as served (CSRF on): signing in, recording a claim and disputing it, problems shown beside their fields.

New agents and sources can be written inline with a claim; a form with
problems keeps what was typed; CSRF tokens, cookie flags, what a viewer may
not do, signing out. Roles over the API, and sessions in depth, are in
``test_auth.py``."""

import re

from helpers import sign_in, token_of

HTML = {"Accept": "text/html"}
CLAIM = "ms-cancelled-datacentre-deals"
SOURCE = "windows-central-ms-ai-self-sufficiency"


def claim_form(**fields):
    base = {"text_en": "Fabrikam will build its own AI chips.", "text_ja": "ファブリカムは独自のAIチップを作る。",
            "claimant": "microsoft", "about": ["openai", "chatgpt"], "sources": [SOURCE], "date": "2025-09-12"}
    return {**base, **fields}


def test_record_a_claim_then_dispute_it(client, app):
    assert client.get("/claims/new", headers=HTML).headers["Location"].startswith("/login")
    sign_in(client)
    tok = token_of(client, "/claims/new")
    r = client.post("/claims/new", data={**claim_form(), "csrf_token": tok})
    assert r.status_code == 303
    cid = r.headers["Location"].rsplit("/", 1)[1]
    c = app.extensions["kb"].get_claim(cid)
    assert c["text"]["ja"] == "ファブリカムは独自のAIチップを作る。" and c["recorded_by"] == "ana"
    assert c["status"] == "reported" and {a["id"] for a in c["about"]} == {"openai", "chatgpt"}
    r = client.post(f"/claims/{cid}/disputes/new", data={
        "csrf_token": tok, "party": "openai", "stance": "denies", "text_en": "OpenAI denies it.",
        "sources": [SOURCE], "date": "2025-09-13", "quote": "自社チップクラスターを構築"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/claims/{cid}")
    c = app.extensions["kb"].get_claim(cid)
    assert c["status"] == "disputed" and c["disputes"][0]["quote"]["exact"] == "自社チップクラスターを構築"
    assert c["disputes"][0]["recorded_by"] == "ana"


def test_inline_new_agent_and_source_are_written_with_the_claim(client, app):
    sign_in(client)
    tok = token_of(client, "/claims/new")
    r = client.post("/claims/new", data={**claim_form(claimant="", sources=[]), "csrf_token": tok,
                                         "new_claimant_name_en": "Fabrikam", "new_claimant_name_ja": "ファブリカム",
                                         "new_claimant_type": "Organization",
                                         "new_source_headline": "Fabrikam's chips", "new_source_publisher": "windows-central",
                                         "new_source_published": "2025-09", "new_source_language": "en",
                                         "new_source_url": "https://example.org/fabrikam"})
    assert r.status_code == 303
    c = app.extensions["kb"].get_claim(r.headers["Location"].rsplit("/", 1)[1])
    assert c["claimant"]["id"] == "fabrikam" and c["claimant"]["name"]["ja"] == "ファブリカム"
    assert c["sources"][0]["url"] == "https://example.org/fabrikam"
    # a bad inline source refuses the whole write: no new agent either
    before = app.extensions["kb"].summary()
    r = client.post("/claims/new", data={**claim_form(claimant="", sources=[], text_en="Another one"),
                                         "csrf_token": tok, "new_claimant_name_en": "Northwind",
                                         "new_source_headline": "No date, bad url", "new_source_url": "ftp://x"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and 'data-field="new_source"' in page
    assert app.extensions["kb"].summary() == before
    assert 'value="Northwind"' in page and "Another one" in page  # the form stays filled


def test_form_problems_are_shown_beside_their_fields(client, app):
    sign_in(client)
    tok = token_of(client, "/claims/new")
    before = app.extensions["kb"].summary()
    r = client.post("/claims/new", data={"csrf_token": tok, "text_en": "Half a claim", "date": "2024-13-45",
                                         "claimant": "nobody-known"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    fields = set(re.findall(r'class="field-error" role="alert" data-field="([^"]+)"', page))
    assert fields == {"claimant", "date", "about", "sources"}
    assert "Half a claim" in page and 'value="2024-13-45"' in page
    assert app.extensions["kb"].summary() == before
    r = client.post(f"/claims/{CLAIM}/disputes/new", data={"csrf_token": tok, "party": "openai",
                                                           "stance": "likes", "text_en": "x"})
    assert r.status_code == 422 and 'data-field="stance"' in r.get_data(as_text=True)
    assert client.get("/claims/nope/disputes/new", headers=HTML).status_code == 404


def test_csrf_roles_and_sessions(client, app):
    r = client.post("/login", data={"name": "ana", "password": "ana-password"})
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    r = client.post("/login", data={"name": "ana", "password": "wrong", "csrf_token": token_of(client)})
    assert r.status_code == 401 and "wrong" in r.get_data(as_text=True)
    r = sign_in(client)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    r = client.post("/claims/new", data=claim_form())  # signed in, but no CSRF token
    assert r.status_code == 400
    # a viewer can read but not record
    viewer = app.test_client()
    sign_in(viewer, "vic")
    assert viewer.get("/claims/new", headers=HTML).status_code == 403
    r = viewer.post("/claims/new", data={**claim_form(), "csrf_token": token_of(viewer, "/")})
    assert r.status_code == 403
    # signing out ends the session
    client.post("/logout", data={"csrf_token": token_of(client, "/")})
    assert client.get("/claims/new", headers=HTML).status_code == 302
    # login never redirects off the site
    c = app.test_client()
    r = c.post("/login", data={"name": "ana", "password": "ana-password", "next": "//evil.example/",
                               "csrf_token": token_of(c)})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    c = app.test_client()
    r = c.post("/login", data={"name": "ana", "password": "ana-password", "next": "https://evil.example/",
                               "csrf_token": token_of(c)})
    assert r.headers["Location"] == "/"


def test_secure_cookie_behind_https(app):
    c = app.test_client()
    r = c.get("/login", headers=HTML, base_url="https://kb.example")
    tok = re.search(r'name="csrf_token" value="([^"]+)"', r.get_data(as_text=True)).group(1)
    r = c.post("/login", data={"name": "ana", "password": "ana-password", "csrf_token": tok},
               base_url="https://kb.example", headers={"Referer": "https://kb.example/login"})
    assert r.status_code == 302 and "Secure" in r.headers["Set-Cookie"]
