"""Hardening of sign-in: API tokens checked once per process, sign-in attempts rate-limited."""

import json
import time

from app.users import Users


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


HTML = {"Accept": "text/html"}


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
