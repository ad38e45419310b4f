"""Accounts and API tokens, kept in ``users.json`` beside the store's data.

Passwords and tokens are stored only as werkzeug hashes (scrypt)."""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from kb import KBError

ROLES = ("viewer", "analyst", "admin")
_lock = threading.Lock()


class Users:
    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path else None
        self._mem: dict = {}
        # sha-256 of a token already checked -> the stored scrypt hash it matched. A token is
        # checked with scrypt (~0.2 s) once per process; later requests only confirm that the
        # matched hash is still on the account, so a revoked token or deleted user stops at once.
        self._verified: dict[str, str] = {}

    def _load(self) -> dict:
        if self.path is None:
            return self._mem
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def _save(self, data: dict) -> None:
        if self.path is None:
            self._mem = data
            return
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2))
        tmp.replace(self.path)

    def add(self, name: str, role: str, password: str) -> None:
        if role not in ROLES:
            raise KBError(f"unknown role {role!r} (expected one of: {', '.join(ROLES)})")
        if not name or not name.replace("-", "").replace("_", "").isalnum():
            raise KBError("a user name is letters, digits, - and _")
        if len(password) < 8:
            raise KBError("a password needs at least 8 characters")
        with _lock:
            data = self._load()
            if name in data:
                raise KBError(f"user {name!r} already exists", status=409)
            data[name] = {"role": role, "password": generate_password_hash(password), "tokens": []}
            self._save(data)

    def token(self, name: str) -> str:
        with _lock:
            data = self._load()
            if name not in data:
                raise KBError(f"no user {name!r}", status=404)
            tok = f"{name}.{secrets.token_urlsafe(32)}"
            data[name]["tokens"].append(generate_password_hash(tok))
            self._save(data)
        return tok

    def delete(self, name: str) -> None:
        """Remove an account and its tokens; its sessions and tokens stop at the next request."""
        with _lock:
            data = self._load()
            if name not in data:
                raise KBError(f"no user {name!r}", status=404)
            del data[name]
            self._save(data)

    def sign_out_everywhere(self, name: str) -> None:
        """End every browser session of ``name``: a session cookie is good only for the
        sign-out count it was issued under (a copied cookie dies with the sign-out)."""
        with _lock:
            data = self._load()
            if name in data:
                data[name]["signouts"] = data[name].get("signouts", 0) + 1
                self._save(data)

    def signouts(self, name: str) -> int:
        u = self._load().get(name)
        return u.get("signouts", 0) if u else 0

    def list(self) -> list[dict]:
        return [{"name": n, "role": u["role"]} for n, u in sorted(self._load().items())]

    def get(self, name: str) -> dict | None:
        u = self._load().get(name)
        return {"name": name, "role": u["role"]} if u else None

    def check_password(self, name: str, password: str) -> dict | None:
        u = self._load().get(name)
        if u and check_password_hash(u["password"], password):
            return {"name": name, "role": u["role"]}
        return None

    def check_token(self, token: str) -> dict | None:
        name = token.split(".", 1)[0]
        u = self._load().get(name)
        if not u:
            return None
        key = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
        known = self._verified.get(key)
        if known is not None and known in u["tokens"]:
            return {"name": name, "role": u["role"]}
        for h in u["tokens"]:
            if check_password_hash(h, token):
                if len(self._verified) > 10_000:
                    self._verified.clear()
                self._verified[key] = h
                return {"name": name, "role": u["role"]}
        return None

    # ---- following (kept with the account: a reader's own list, not content of the knowledge base) ----
    def follows(self, name: str) -> list[dict]:
        """``[{"kind", "id", "since"}]``: what ``name`` follows, in the order followed."""
        u = self._load().get(name)
        return list(u.get("follows", [])) if u else []

    def follow(self, name: str, kind: str, rid: str, since: str) -> bool:
        """Follow a record (False: already followed, nothing changed)."""
        with _lock:
            data = self._load()
            found = data.get(name, {}).setdefault("follows", [])
            if any(f["kind"] == kind and f["id"] == rid for f in found):
                return False
            found.append({"kind": kind, "id": rid, "since": since})
            self._save(data)
            return True

    def unfollow(self, name: str, kind: str, rid: str) -> bool:
        """Stop following a record (False: it was not followed)."""
        with _lock:
            data = self._load()
            found = data.get(name, {}).get("follows", [])
            kept = [f for f in found if not (f["kind"] == kind and f["id"] == rid)]
            if len(kept) == len(found):
                return False
            data[name]["follows"] = kept
            self._save(data)
            return True

    def visit_changes(self, name: str, now: str) -> str | None:
        """Note a visit of /changes at ``now``; when the one before was (None: never)."""
        with _lock:
            data = self._load()
            if name not in data:
                return None
            before = data[name].get("changes_seen")
            data[name]["changes_seen"] = now
            self._save(data)
            return before
