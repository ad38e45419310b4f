"""Roles, edit conflicts and history over HTTP (issue 5, items 11–13), through
Flask's test client: who may do what (viewer / analyst / admin), an edit made
from an older version answers 409 naming what changed in between and loses
nothing, every change is kept (who, when, added, removed) and an earlier
version can be viewed and restored. Refusals leave the store unchanged: the
TriG export (every graph, every version) is byte-identical before and after."""

import re

import pytest

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


# ---- edit conflicts --------------------------------------------------------------------------


# ---- history and restore ---------------------------------------------------------------------


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
