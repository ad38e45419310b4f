"""Sign-in rate limiting: at most ``LOGIN_ATTEMPTS`` failed sign-ins per user
name and per client address within ``LOGIN_WINDOW`` seconds. Beyond that,
``POST /login`` answers 429 before any password is checked.

The counts live in this process's memory: they reset when the server restarts,
and each process of a multi-process deployment counts on its own. Behind a
reverse proxy, set ``TRUSTED_PROXIES`` so that the client address is the
user's, not the proxy's.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque

from flask import Flask, request

from kb import KBError

MAX_KEYS = 100_000  # keys remembered at most; the stalest are forgotten first


class LoginLimiter:
    def __init__(self, attempts: int, window: float, clock=time.monotonic):
        self.attempts = int(attempts)
        self.window = float(window)
        self.clock = clock
        self._failures: OrderedDict[str, deque] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque:
        q = self._failures.get(key)
        if q is None:
            return deque()
        while q and q[0] <= now - self.window:
            q.popleft()
        if not q:
            del self._failures[key]
        return q

    def blocked_for(self, keys: list[str]) -> float:
        """Seconds until a sign-in is allowed again for every key (0: allowed now)."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                q = self._recent(key, now)
                if len(q) >= self.attempts:
                    wait = max(wait, q[len(q) - self.attempts] + self.window - now)
        return wait

    def failed(self, keys: list[str]) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                q = self._failures.setdefault(key, deque())
                q.append(now)
                self._failures.move_to_end(key)
                while len(q) > self.attempts:
                    q.popleft()
            while len(self._failures) > MAX_KEYS:
                self._failures.popitem(last=False)

    def succeeded(self, name_key: str) -> None:
        with self._lock:
            self._failures.pop(name_key, None)


def _keys() -> tuple[str, list[str]]:
    name = request.form.get("name", "").strip().lower()
    name_key = f"name:{name}"
    return name_key, [name_key, f"addr:{request.remote_addr or '-'}"]


def init_app(app: Flask) -> None:
    limiter = LoginLimiter(app.config["LOGIN_ATTEMPTS"], app.config["LOGIN_WINDOW"])
    app.extensions["login_limiter"] = limiter

    @app.before_request
    def refuse_when_over_the_limit():
        if request.endpoint != "auth.login" or request.method != "POST" or limiter.attempts <= 0:
            return None
        wait = limiter.blocked_for(_keys()[1])
        if wait > 0:
            minutes = max(1, math.ceil(wait / 60))
            e = KBError(f"too many failed sign-ins for this user name or from this address; "
                        f"try again in {minutes} minute{'s' if minutes != 1 else ''}", status=429)
            e.retry_after = math.ceil(wait)
            raise e
        return None

    @app.after_request
    def count_the_outcome(resp):
        if request.endpoint == "auth.login" and request.method == "POST" and limiter.attempts > 0:
            name_key, keys = _keys()
            if resp.status_code == 401:  # the password was checked and was wrong
                limiter.failed(keys)
            elif resp.status_code in (302, 303):  # signed in
                limiter.succeeded(name_key)
        return resp
