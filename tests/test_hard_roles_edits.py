"""Roles, edit conflicts and history over HTTP (issue 5, items 11–13), through
Flask's test client: who may do what (viewer / analyst / admin), an edit made
from an older version answers 409 naming what changed in between and loses
nothing, every change is kept (who, when, added, removed) and an earlier
version can be viewed and restored. Refusals leave the store unchanged: the
TriG export (every graph, every version) is byte-identical before and after."""

import re

import pytest
from rdflib import Graph

from app import create_app
from kb import open_kb

CLAIM = "ms-cancelled-datacentre-deals"
SOURCE = "windows-central-ms-ai-self-sufficiency"
HTML = {"Accept": "text/html"}


@pytest.fixture
def app():
    a = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, kb=open_kb(":memory:"))
    users = a.extensions["users"]
    for name, role in (("ada", "admin"), ("ana", "analyst"), ("bob", "analyst"), ("vic", "viewer")):
        users.add(name, role, f"{name}-password")
    a.tokens = {name: {"Authorization": f"Bearer {users.token(name)}"} for name in ("ada", "ana", "bob", "vic")}
    return a


@pytest.fixture
def client(app):
    return app.test_client()


def export(client) -> bytes:
    r = client.get("/export.trig")
    assert r.status_code == 200
    return r.data


def record_of(c: dict) -> dict:
    """A claim as read from the API, back as the keys of a YAML claim record."""
    rec = {"text": c["text"], "claimant": c["claimant"]["id"], "about": [a["id"] for a in c["about"]],
           "sources": [s["id"] for s in c["sources"]]}
    if c["date"]:
        rec["date"] = c["date"]
    if c["sourcing"]:
        rec["sourcing"] = c["sourcing"]
    if c["quote"]:
        rec["quote"] = {"exact": c["quote"]["exact"], "source": c["quote"]["source"]["id"]}
    return rec


NEW_CLAIM_YAML = f"""
agents:
  - id: fabrikam
    type: Organization
    name: {{en: Fabrikam}}
claims:
  - id: fabrikam-builds-chips
    text: {{en: Fabrikam builds its own AI chips.}}
    claimant: fabrikam
    about: [fabrikam]
    sources: [{SOURCE}]
""".encode()


# ---- roles ---------------------------------------------------------------------------------

def test_each_role_may_do_what_it_should_and_no_more(app, client):
    t = app.tokens
    users = app.extensions["users"]
    c = client.get(f"/api/claims/{CLAIM}").get_json()
    edit = {**record_of(c), "text": {"en": "Edited."}, "version": c["version"]}
    new_user = {"name": "neo", "role": "analyst", "password": "neo-password"}
    writes = [  # method, path, keyword arguments, the roles allowed
        ("post", "/api/claims", {"json": {**record_of(c), "id": "viewer-claim"}}, ("analyst", "admin")),
        ("put", f"/api/claims/{CLAIM}", {"json": edit}, ("analyst", "admin")),
        ("post", f"/api/claims/{CLAIM}/disputes",
         {"json": {"party": "openai", "stance": "confirms", "text": {"en": "Yes."}, "sources": [SOURCE]}},
         ("analyst", "admin")),
        ("post", f"/api/claims/{CLAIM}/versions/1/restore", {}, ("analyst", "admin")),
        ("get", "/api/users", {}, ("admin",)),
        ("post", "/api/users", {"json": new_user}, ("admin",)),
        ("delete", "/api/users/bob", {}, ("admin",)),
        ("post", "/api/import", {"data": NEW_CLAIM_YAML, "content_type": "application/yaml"}, ("admin",)),
    ]
    refused = 0
    for method, path, kw, allowed in writes:
        for who, role in (("vic", "viewer"), ("ana", "analyst"), (None, None)):
            if role in allowed:
                continue
            before, accounts = export(client), users.list()
            r = getattr(client, method)(path, headers=t[who] if who else {}, **kw)
            expected = 403 if who else 401
            assert r.status_code == expected, (method, path, who, r.get_json())
            message = r.get_json()["errors"][0]["message"]
            assert (f"is a {role}" in message) if who else ("sign in first" in message)
            assert export(client) == before and users.list() == accounts
            refused += 1
    assert refused == 4 * 3 + 4 * 3 - 4  # the four admin-only routes refuse all three; the rest two
    # a session cookie is never enough for the API, even an admin's
    assert client.post("/login", data={"name": "ada", "password": "ada-password"}).status_code == 302
    assert client.get("/api/users").status_code == 401
    # the admin succeeds
    r = client.get("/api/users", headers=t["ada"])
    assert r.status_code == 200 and {"name": "vic", "role": "viewer"} in r.get_json()["users"]
    r = client.post("/api/users", json=new_user, headers=t["ada"])
    assert r.status_code == 201 and r.get_json() == {"name": "neo", "role": "analyst"}
    assert client.post("/api/users", json=new_user, headers=t["ada"]).status_code == 409
    r = client.post("/api/users", json={**new_user, "name": "x y", "role": "root"}, headers=t["ada"])
    assert r.status_code == 400 and "role" in r.get_json()["errors"][0]["message"]
    neo = app.test_client()
    assert neo.post("/login", data={"name": "neo", "password": "neo-password"}).status_code == 302
    assert neo.get("/claims/new", headers=HTML).status_code == 200  # an analyst now
    neo_token = {"Authorization": f"Bearer {users.token('neo')}"}
    assert client.delete("/api/users/neo", headers=t["ada"]).status_code == 204
    assert client.delete("/api/users/neo", headers=t["ada"]).status_code == 404
    assert client.delete("/api/users/ada", headers=t["ada"]).status_code == 409  # not oneself
    # a deleted account is signed out and its token stops at once
    assert neo.get("/claims/new", headers=HTML).status_code == 302
    assert client.post("/api/claims", json=record_of(c), headers=neo_token).status_code == 401
    assert "neo" not in {u["name"] for u in users.list()}


def test_bulk_import_over_http_is_admin_only_validated_and_all_or_nothing(app, client):
    t = app.tokens
    r = client.post("/api/import", data=NEW_CLAIM_YAML, content_type="application/yaml", headers=t["ada"])
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"created": {"agent": 1, "claim": 1}, "updated": {}, "unchanged": {}}
    assert client.get("/api/claims/fabrikam-builds-chips").get_json()["recorded_by"] == "ada"
    again = client.post("/api/import", data=NEW_CLAIM_YAML, headers=t["ada"]).get_json()
    assert again == {"created": {}, "updated": {}, "unchanged": {"agent": 1, "claim": 1}}
    before = export(client)
    bad = NEW_CLAIM_YAML.replace(b"fabrikam-builds-chips", b"second") + (
        f"  - id: third\n    text: {{en: x}}\n    claimant: nobody\n    about: [fabrikam]\n"
        f"    sources: [{SOURCE}]\n    date: 2024-13-45\n").encode()
    r = client.post("/api/import", data=bad, content_type="application/yaml", headers=t["ada"])
    assert r.status_code == 422
    found = {(e["record"], e["field"]) for e in r.get_json()["errors"]}
    assert {("third", "claimant"), ("third", "date")} <= found
    assert client.get("/api/claims/second").status_code == 404  # the good record was not written either
    for data, status, words in [
        (b"a: &x [1]\nb: *x\n", 400, "anchors and aliases"),
        (b"claims: !!python/object/apply:os.system ['true']\n", 400, "could not determine a constructor"),
        (b"claims: []\nclaims: []\n", 400, "duplicate key"),
        (b"", 400, "send the YAML document"),
        (b"\xff\xfe", 400, "not valid UTF-8"),
        (b"#" * (app.config["MAX_CONTENT_LENGTH"] + 1), 413, ""),
    ]:
        r = client.post("/api/import", data=data, content_type="application/yaml", headers=t["ada"])
        assert r.status_code == status and words in r.get_json()["errors"][0]["message"], r.get_json()
    assert export(client) == before


# ---- edit conflicts --------------------------------------------------------------------------

def test_an_edit_from_an_older_version_is_409_naming_what_changed_and_nothing_is_lost(app, client):
    t = app.tokens
    r = client.get(f"/api/claims/{CLAIM}")
    original = r.get_json()
    assert original["version"] == 1 and r.headers["ETag"] == '"1"'
    # ana and bob both read version 1; ana saves first
    ana_rec = {**record_of(original), "text": {**original["text"], "en": "Ana's wording."}}
    bob_rec = {**record_of(original), "text": {**original["text"], "en": "Bob's wording."}}
    r = client.put(f"/api/claims/{CLAIM}", json={**ana_rec, "version": 1}, headers=t["ana"])
    assert r.status_code == 200 and r.get_json()["version"] == 2 and r.headers["ETag"] == '"2"'
    before = export(client)
    r = client.put(f"/api/claims/{CLAIM}", json=bob_rec, headers={**t["bob"], "If-Match": '"1"'})
    assert r.status_code == 409
    body = r.get_json()
    assert body["your_version"] == 1 and body["current_version"] == 2
    assert body["errors"][0]["field"] == "version" and "ana" in body["errors"][0]["message"]
    [change] = body["changes"]
    assert change["version"] == 2 and change["by"] == "ana" and change["action"] == "updated" and change["at"]
    assert any("Ana's wording." in triple for triple in change["added"])
    assert any(original["text"]["en"] in triple for triple in change["removed"])
    assert export(client) == before  # bob's edit wrote nothing
    # bob re-reads, merges, saves from version 2: both edits stay in the history
    r = client.put(f"/api/claims/{CLAIM}", json={**bob_rec, "version": 2}, headers=t["bob"])
    assert r.status_code == 200 and r.get_json()["text"]["en"] == "Bob's wording."
    hist = client.get(f"/api/claims/{CLAIM}/history").get_json()["versions"]
    assert [(h["version"], h["by"], h["action"]) for h in hist] == [
        (1, "seed", "created"), (2, "ana", "updated"), (3, "bob", "updated")]
    texts = {n: client.get(f"/claims/{CLAIM}/versions/{n}.ttl").get_data(as_text=True) for n in (1, 2, 3)}
    assert original["text"]["en"] in texts[1] and "Ana's wording." in texts[2] and "Bob's wording." in texts[3]
    # the wrong ways to edit
    before = export(client)
    for kw, status, words in [
        ({"json": bob_rec}, 428, "version it was made from"),
        ({"json": {**bob_rec, "version": "three"}}, 400, "version must be"),
        ({"json": {**bob_rec, "version": 0}}, 400, "version must be"),
        ({"json": bob_rec, "headers": {"If-Match": "*"}}, 400, "If-Match"),
        ({"json": {**bob_rec, "id": "another-claim", "version": 3}}, 400, "not this claim's"),
        ({"json": {**bob_rec, "date": "2024-13-45", "version": 3}}, 422, "valid date"),
        ({"json": {**bob_rec, "claimant": "http://e/a b", "version": 3}}, 422, "not a valid IRI"),
        ({"json": {**bob_rec, "text": {"en": "a lone \ud800 surrogate"}, "version": 3}}, 422, "lone surrogate"),
        ({"json": {**bob_rec, "version": 2}}, 409, "now at version 3"),
    ]:
        headers = {**t["ana"], **kw.pop("headers", {})}
        r = client.put(f"/api/claims/{CLAIM}", headers=headers, **kw)
        assert r.status_code == status and words in r.get_json()["errors"][0]["message"], r.get_json()
    r = client.put("/api/claims/no-such-claim", json={**bob_rec, "version": 1}, headers=t["ana"])
    assert r.status_code == 404
    # POST records new claims: it cannot overwrite one without a version (a lost update by the back door)
    r = client.post("/api/claims", json={**ana_rec, "id": CLAIM}, headers=t["ana"])
    assert r.status_code == 409 and "already exists" in r.get_json()["errors"][0]["message"]
    assert r.get_json()["current_version"] == 3
    r = client.post("/api/claims", json={**bob_rec, "id": CLAIM}, headers=t["ana"])  # the same again: a no-op
    assert r.status_code == 201 and r.get_json()["version"] == 3
    assert export(client) == before


# ---- history and restore ---------------------------------------------------------------------

def test_history_is_kept_and_an_analyst_restores_an_earlier_version_as_a_new_change(app, client):
    t = app.tokens
    original = client.get(f"/api/claims/{CLAIM}").get_json()
    for n, who in ((1, "ana"), (2, "bob")):
        rec = {**record_of(original), "text": {"en": f"Edit {n + 1}."}, "about": ["openai"], "version": n}
        assert client.put(f"/api/claims/{CLAIM}", json=rec, headers=t[who]).status_code == 200
    before = export(client)
    assert client.post(f"/api/claims/{CLAIM}/versions/1/restore", headers=t["vic"]).status_code == 403
    assert client.post(f"/api/claims/{CLAIM}/versions/1/restore").status_code == 401
    assert client.post(f"/api/claims/{CLAIM}/versions/9/restore", headers=t["ana"]).status_code == 404
    assert client.post("/api/claims/nope/versions/1/restore", headers=t["ana"]).status_code == 404
    assert export(client) == before
    r = client.post(f"/api/claims/{CLAIM}/versions/1/restore", headers=t["ana"])
    assert r.status_code == 200
    restored = r.get_json()
    assert restored["version"] == 4 and restored["text"] == original["text"]
    assert {a["id"] for a in restored["about"]} == {a["id"] for a in original["about"]}
    hist = client.get(f"/api/claims/{CLAIM}/history").get_json()["versions"]
    assert [(h["version"], h["action"], h["by"]) for h in hist][1:] == [
        (2, "updated", "ana"), (3, "updated", "bob"), (4, "restored", "ana")]
    for h in hist:  # who, when, what was added and removed, every time
        assert h["by"] and h["at"].startswith("20") and h["added"]
    assert any("Edit 3." in x for x in hist[3]["removed"]) and any(original["text"]["en"] in x for x in hist[3]["added"])
    assert any("Edit 2." in x for x in hist[2]["removed"]) and any("Edit 3." in x for x in hist[2]["added"])
    # every version stays readable as Turtle, and version 4 is version 1's content again
    graphs = {}
    for n in (1, 2, 3, 4):
        r = client.get(f"/claims/{CLAIM}/versions/{n}.ttl")
        assert r.status_code == 200 and r.mimetype == "text/turtle"
        graphs[n] = {(s, p, o) for s, p, o in Graph().parse(data=r.data, format="turtle")
                     if "prov#" not in str(p)}
    assert graphs[4] == graphs[1] != graphs[2]
    assert client.get(f"/claims/{CLAIM}/versions/5.ttl").status_code == 404
    # the claim page shows the history
    page = client.get(f"/claims/{CLAIM}", headers=HTML).get_data(as_text=True)
    assert "restored" in page


# ---- sessions ----------------------------------------------------------------------------------

def test_signing_in_issues_a_new_session_and_the_old_cookie_stays_signed_out(app):
    c = app.test_client()
    c.get("/login", headers=HTML)
    c.get("/", headers=HTML)
    with c.session_transaction() as s:  # something an attacker could have planted before sign-in
        s["planted"] = "x"
    before = c.get_cookie("session").value
    r = c.post("/login", data={"name": "ana", "password": "ana-password"})
    assert r.status_code == 302 and "session=" in r.headers["Set-Cookie"]
    after = c.get_cookie("session").value
    assert after != before
    with c.session_transaction() as s:
        assert s.get("user") == "ana" and "planted" not in s  # nothing carried over from before
    assert c.get("/claims/new", headers=HTML).status_code == 200
    old = app.test_client()
    old.set_cookie("session", before)
    assert old.get("/claims/new", headers=HTML).status_code == 302  # the pre-sign-in cookie is not signed in


def test_signing_out_ends_every_copy_of_the_session(app):
    """Flask's sessions are signed cookies: without a server-side check, a copy of a
    signed-in cookie (stolen, or kept by a shared computer's browser) would stay signed
    in after the sign-out. A sign-out now ends every session of the account."""
    a, b = app.test_client(), app.test_client()
    for c in (a, b):
        assert c.post("/login", data={"name": "ana", "password": "ana-password"}).status_code == 302
    copy = app.test_client()
    copy.set_cookie("session", a.get_cookie("session").value)
    assert copy.get("/claims/new", headers=HTML).status_code == 200
    assert a.post("/logout").status_code == 302
    for c in (a, b, copy):
        assert c.get("/claims/new", headers=HTML).status_code == 302
    assert b.post("/login", data={"name": "ana", "password": "ana-password"}).status_code == 302
    assert b.get("/claims/new", headers=HTML).status_code == 200  # a new sign-in works again
    assert copy.get("/claims/new", headers=HTML).status_code == 302


def test_accounts_page_is_for_admins_only():
    app = create_app({"TESTING": True}, kb=open_kb(":memory:"))  # CSRF on, as served
    users = app.extensions["users"]
    for name, role in (("ada", "admin"), ("ana", "analyst")):
        users.add(name, role, f"{name}-password")

    def signed_in(name):
        c = app.test_client()
        page = c.get("/login", headers=HTML).get_data(as_text=True)
        tok = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert c.post("/login", data={"name": name, "password": f"{name}-password", "csrf_token": tok}).status_code == 302
        page = c.get("/", headers=HTML).get_data(as_text=True)  # the session is new: so is its CSRF token
        return c, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    assert app.test_client().get("/admin/accounts", headers=HTML).headers["Location"].startswith("/login")
    ana, ana_tok = signed_in("ana")
    assert ana.get("/admin/accounts", headers=HTML).status_code == 403
    assert "/admin/accounts" not in ana.get("/", headers=HTML).get_data(as_text=True)
    r = ana.post("/admin/accounts", data={"name": "eve", "role": "admin", "password": "eve-password",
                                          "csrf_token": ana_tok}, headers=HTML)
    assert r.status_code == 403
    assert ana.post("/admin/accounts/ada/delete", data={"csrf_token": ana_tok}).status_code == 403
    assert [u["name"] for u in users.list()] == ["ada", "ana"]
    ada, tok = signed_in("ada")
    page = ada.get("/admin/accounts", headers=HTML).get_data(as_text=True)
    assert 'data-user="ana"' in page and "/admin/accounts" in ada.get("/", headers=HTML).get_data(as_text=True)
    new = {"name": "neo", "role": "viewer", "password": "neo-password"}
    assert ada.post("/admin/accounts", data=new).status_code == 400  # no CSRF token
    assert ada.post("/admin/accounts", data={**new, "csrf_token": tok}).status_code == 303
    assert users.get("neo") == {"name": "neo", "role": "viewer"}
    r = ada.post("/admin/accounts", data={**new, "role": "root", "csrf_token": tok}, headers=HTML)
    assert r.status_code == 400 and "unknown role" in r.get_data(as_text=True)
    assert ada.post("/admin/accounts/neo/delete", data={"csrf_token": tok}).status_code == 303
    assert users.get("neo") is None
    assert ada.post("/admin/accounts/ada/delete", data={"csrf_token": tok}, headers=HTML).status_code == 409
