"""Accounts and roles: who may do what, sessions, API tokens, sign-in limits, and reads that need signing in.

Each role (viewer / analyst / admin) may do what it should over the API and the
pages and no more, a refusal leaving the store and the accounts unchanged;
accounts made with ``kb user`` work against a real ``kb serve``; signing in
issues a new session and signing out ends every copy of it; an API token is
checked once per process; sign-in attempts are rate-limited; with
``PUBLIC_READS`` off, reading needs signing in too. (A read-only *store folder*
is another matter: ``test_durability.py``.) The sign-in form's CSRF token and
cookie flags are in ``test_forms.py``."""

import json
import re
import time

import pytest
from helpers import NEW_CLAIM_YAML, export, kb_cmd, record_of, sign_in, start_server, stop

from app import create_app
from app.users import Users
from kb import open_kb

CLAIM = "ms-cancelled-datacentre-deals"
SOURCE = "windows-central-ms-ai-self-sufficiency"
HTML = {"Accept": "text/html"}


@pytest.fixture
def app(app_with_roles):
    """Every role's account and token (``app.tokens``), CSRF off: see ``conftest.py``."""
    return app_with_roles


# ---- roles ---------------------------------------------------------------------------------------

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


# ---- sessions ------------------------------------------------------------------------------------

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


# ---- API tokens and sign-in limits ---------------------------------------------------------------

def test_token_check_is_cached_but_revocation_and_deletion_still_apply(tmp_path):
    users = Users(tmp_path / "users.json")
    users.add("hanako", "analyst", "a-long-password")
    tok = users.token("hanako")
    t = time.monotonic()
    assert users.check_token(tok) == {"name": "hanako", "role": "analyst"}
    first = time.monotonic() - t
    t = time.monotonic()
    for _ in range(20):
        assert users.check_token(tok) == {"name": "hanako", "role": "analyst"}
    assert (time.monotonic() - t) / 20 < first / 5  # scrypt once, not at every request
    assert users.check_token(tok + "x") is None
    assert users.check_token("ken." + tok.split(".", 1)[1]) is None
    data = json.loads((tmp_path / "users.json").read_text())
    data["hanako"]["role"] = "viewer"  # a role change shows at once
    (tmp_path / "users.json").write_text(json.dumps(data))
    assert users.check_token(tok)["role"] == "viewer"
    data["hanako"]["tokens"] = []  # a revoked token stops at once
    (tmp_path / "users.json").write_text(json.dumps(data))
    assert users.check_token(tok) is None
    (tmp_path / "users.json").write_text("{}")  # so does a deleted account
    assert users.check_token(tok) is None


def _limited_app(**config):
    from app import create_app
    from kb import open_kb

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **config}, kb=open_kb(":memory:"))
    app.extensions["users"].add("ana", "analyst", "ana-password")
    app.extensions["users"].add("bo", "analyst", "bo-password")
    clock = [1000.0]
    app.extensions["login_limiter"].clock = lambda: clock[0]
    checked = []
    users = app.extensions["users"]
    real = users.check_password
    users.check_password = lambda n, p: checked.append(n) or real(n, p)
    return app, clock, checked


def login(client, name, password, addr="10.0.0.1"):
    return client.post("/login", data={"name": name, "password": password}, headers=HTML,
                       environ_base={"REMOTE_ADDR": addr})


def test_sign_in_attempts_are_limited_per_user_name():
    app, clock, checked = _limited_app()
    c = app.test_client()
    for i in range(5):  # from five addresses, so only the name's count is reached
        assert login(c, "ana", "wrong", addr=f"10.0.1.{i}").status_code == 401
    assert len(checked) == 5
    r = login(c, "ana", "ana-password", addr="10.0.2.1")  # the right password, now too late
    page = r.get_data(as_text=True)
    assert r.status_code == 429 and "too many failed sign-ins" in page and "try again in 5 minutes" in page
    assert "<html" in page.lower() and "Traceback" not in page
    assert int(r.headers["Retry-After"]) == 300
    assert len(checked) == 5  # the password was not checked
    assert "session" not in r.headers.get("Set-Cookie", "")
    assert login(c, "bo", "bo-password", addr="10.0.2.1").status_code == 302  # other names are not held up
    r = c.post("/login", data={"name": "ana", "password": "x"}, headers={"Accept": "application/json"},
               environ_base={"REMOTE_ADDR": "10.0.2.2"})
    assert r.status_code == 429 and "too many failed sign-ins" in r.get_json()["errors"][0]["message"]
    clock[0] += 301  # the window has passed
    assert login(c, "ana", "ana-password", addr="10.0.2.3").status_code == 302


def test_sign_in_attempts_are_limited_per_client_address_and_success_resets_the_name():
    app, clock, checked = _limited_app(LOGIN_ATTEMPTS=3, LOGIN_WINDOW=60)
    c = app.test_client()
    for name in ("ana", "bo", "nobody"):  # three names from one address
        assert login(c, name, "wrong").status_code == 401
    r = login(c, "bo", "bo-password")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) == 60
    assert login(c, "bo", "bo-password", addr="10.9.9.9").status_code == 302  # from elsewhere: fine
    clock[0] += 30
    assert login(c, "bo", "bo-password").status_code == 429  # still inside the window
    clock[0] += 31
    assert login(c, "bo", "bo-password").status_code == 302
    # a successful sign-in clears the name's failures (not the address's)
    for i in range(2):
        assert login(c, "ana", "wrong", addr=f"10.3.0.{i}").status_code == 401
    assert login(c, "ana", "ana-password", addr="10.3.0.9").status_code == 302
    for i in range(2):
        assert login(c, "ana", "wrong", addr=f"10.4.0.{i}").status_code == 401
    assert login(c, "ana", "ana-password", addr="10.4.0.9").status_code == 302


def test_rate_limit_settings_are_declared_and_can_be_turned_off():
    from app import SETTINGS

    assert SETTINGS["LOGIN_ATTEMPTS"][0] == 5 and SETTINGS["LOGIN_WINDOW"][0] == 300
    app, clock, checked = _limited_app(LOGIN_ATTEMPTS=0)
    c = app.test_client()
    for _ in range(10):
        assert login(c, "ana", "wrong").status_code == 401
    assert login(c, "ana", "ana-password").status_code == 302


# ---- reads without signing in, or not (PUBLIC_READS) ---------------------------------------------

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
