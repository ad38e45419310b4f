"""Rendered claim pages kept for readers who are not signed in, until the store's next write.

A page is kept under the store's version as this process reads it (:func:`kb.replica.version`:
the embedded store's write counter, or a server store's change-log position that this worker's
replica has caught up with at this request), the claim, the reader's language, the whole path
(with the prefix the site is served under) and query, and the day (a page says what is true as of
today). Any write changes the version, so the next request renders anew; another worker's write
does too, at this worker's next request.

Only pages with nothing of one reader's in them are kept: never for a signed-in user (their name,
their forms' CSRF tokens, their drafts, what they follow), never a page whose rendering asked for a
CSRF token, never when comments are shown to everyone (a comment is not a versioned write), never
without a version (a server store without a replica). A kept page is answered with an ETag, so a
browser asking again (If-None-Match) gets 304.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from typing import NamedTuple

from flask import current_app, g, request

from kb.replica import version

from .auth import current_user
from .context import get_kb
from .i18n import lang


class PageCache:
    """Bodies by key, the least recently asked for dropped first beyond ``max_bytes``."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._pages: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key) -> tuple[bytes, str] | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key, body: bytes) -> str:
        etag = hashlib.blake2b(body, digest_size=12).hexdigest()
        if len(body) > self.max_bytes:
            return etag
        with self._lock:
            if key not in self._pages:
                self._pages[key] = (body, etag)
                self._bytes += len(body)
            # pages of older versions are never asked for again: they go first, as the least recent
            while self._bytes > self.max_bytes:
                _, (old, _) = self._pages.popitem(last=False)
                self._bytes -= len(old)
        return etag


def init_app(app) -> None:
    app.extensions["page_cache"] = PageCache(int(float(app.config["PAGE_CACHE_MB"]) * 1_000_000))


class PageKey(NamedTuple):
    kind: str
    rid: str
    version: int  # the store's, read before the page's data: a write after it gives a new key
    lang: str
    root: str  # the path prefix the site is served under (a proxy's SCRIPT_NAME): the page's links begin with it
    path: str
    day: str


def page_key(kind: str, rid: str) -> PageKey | None:
    """The key this request's page is kept under, or None when it may not be kept."""
    cache = current_app.extensions.get("page_cache")
    if (cache is None or cache.max_bytes <= 0 or current_user() is not None
            or current_app.config["COMMENTS_PUBLIC"]):
        return None
    stamp = version(get_kb().data)
    if stamp is None:
        return None
    return PageKey(kind, rid, stamp, lang(), request.script_root, request.full_path, dt.date.today().isoformat())


def kept_page(key):
    """The kept page's response (304 when the browser has it), or None."""
    if key is None:
        return None
    found = current_app.extensions["page_cache"].get(key)
    if found is None:
        return None
    return _response(*found)


def keep_page(key, html: str):
    """The rendered page's response; kept under ``key`` unless its rendering asked for a CSRF token."""
    body = html.encode()
    if key is None:
        return current_app.response_class(body, mimetype="text/html")
    if g.get("csrf_token"):  # (Flask-WTF keeps the token it made in g): a form for someone
        return current_app.response_class(body, mimetype="text/html")
    return _response(body, current_app.extensions["page_cache"].put(key, body))


def _response(body: bytes, etag: str):
    resp = current_app.response_class(body, mimetype="text/html")
    resp.set_etag(etag)
    resp.headers["Vary"] = "Accept, Accept-Language, Cookie"
    return resp.make_conditional(request)
