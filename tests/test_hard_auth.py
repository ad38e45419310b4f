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
