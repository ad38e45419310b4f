"""Hostile text on the pages: shown inert on every page, a Content-Security-Policy on every response.

Hostile text in every kind of field (script tags, attribute break-outs,
``javascript:`` URLs, ``onerror`` images) is shown as text; attribute values
are always quoted (so no value can start an attribute of its own). Issue 5,
item 9. Text that would close the claim page's JSON-LD script is in
``test_claim_pages.py``."""

import re
from html.parser import HTMLParser

import pytest

from app import create_app
from kb import open_kb

HTML = {"Accept": "text/html"}
SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '" onmouseover="alert(2)'
JS_URL = "javascript:alert(3)"
EVIL = f"{SCRIPT} {BREAKOUT} {JS_URL} '><img src=x onerror=alert(4)>"


@pytest.fixture(scope="module")
def client():
    kb = open_kb(":memory:")
    app = create_app({"TESTING": True}, kb=kb)  # the seed article is loaded into the empty store
    kb.add_record("agent", {"id": "evil-org", "type": "Organization", "name": {"en": EVIL, "ja": EVIL}}, by="t")
    kb.add_record("topic", {"id": "evil-topic", "label": {"en": EVIL}}, by="t")
    kb.add_record("source", {"id": "evil-source", "type": "NewsArticle", "headline": {"en": EVIL},
                             "publisher": "evil-org", "author": "evil-org", "published": "2025-09",
                             "url": "https://example.org/a?q=%22%3E%3Cscript%3E", "language": "en"}, by="t")
    kb.add_claim({"id": "evil-claim", "text": {"en": EVIL, "ja": EVIL}, "claimant": "evil-org",
                  "about": ["evil-org", "evil-topic"], "sources": ["evil-source"], "date": "2025-09-02",
                  "quote": {"exact": EVIL, "source": "evil-source"}}, by="t")
    kb.add_dispute("evil-claim", {"party": "evil-org", "stance": "denies", "text": {"en": EVIL},
                                  "sources": ["evil-source"], "date": "2025-09-03"}, by="t")
    return app.test_client()


PAGES = ["/", "/?q=alert", "/?about=evil-org", "/claims/evil-claim", "/agents/evil-org", "/topics/evil-topic",
         "/sources/evil-source", "/timeline?about=evil-org", "/timeline.svg?about=evil-org", "/network?about=evil-org",
         "/network.svg?about=evil-org", "/claims/evil-claim/timeline.svg", "/query", "/login", "/claims/new",
         "/no-such-page", "/claims/no-such-claim", "/api/claims/evil-claim", "/sparql?query=ASK%7B%7D",
         "/export.ttl"]


class _Tags(HTMLParser):
    """Every start tag's attributes and every text node, as the browser's parser sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.attrs, self.scripts, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        self.attrs += [(tag, k, v) for k, v in attrs]
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def test_hostile_text_is_inert_on_every_page(client):
    seen = 0
    for path in PAGES:
        r = client.get(path, headers=HTML)
        assert r.status_code < 500, path
        assert "script-src 'self'" in r.headers.get("Content-Security-Policy", ""), path
        body = r.get_data(as_text=True)
        if "evil" in path:
            assert r.status_code == 200, path
        if r.mimetype not in ("text/html", "image/svg+xml") or 300 <= r.status_code < 400:
            continue  # a redirect's body is Werkzeug's, never shown
        seen += body.count("alert(")
        assert SCRIPT not in body and "<img src=x" not in body, path
        parser = _Tags()
        parser.feed(body)
        for tag, name, value in parser.attrs:
            assert not name.startswith("on"), (path, tag, name, value)  # no injected event handler
            if name in ("href", "src", "action", "xlink:href", "formaction"):
                assert not (value or "").strip().lower().startswith("javascript:"), (path, tag, name, value)
        # a <script> element holds only what the app put there (JSON-LD), never the hostile text as code
        for code in parser.scripts:
            assert "alert(" not in code or "\\u003c" in code or "<\\/script>" in code or '"' in code, path
        # every attribute value is quoted
        for tag in re.findall(r"<[a-zA-Z](?:[^<>\"']|\"[^\"]*\"|'[^']*')*>", body):
            bare = re.sub(r"\"[^\"]*\"|'[^']*'", '""', tag)  # quoted values emptied
            assert not re.search(r"""=\s*[^"'\s]""", bare), (path, tag)
    assert seen > 10  # the hostile text was on the pages, shown as text


def test_a_javascript_url_is_refused_where_a_url_is_asked(client):
    r = client.post("/api/claims", json={"id": "x", "text": {"en": "x"}, "claimant": "openai", "about": ["openai"],
                                         "sources": ["evil-source"]})
    assert r.status_code in (401, 403)  # no write without signing in, whatever the content
    kb = client.application.extensions["kb"]
    from kb import InvalidData

    with pytest.raises(InvalidData, match="url"):
        kb.add_record("source", {"id": "js", "type": "NewsArticle", "headline": {"en": "h"}, "publisher": "openai",
                                 "published": "2025", "url": JS_URL, "language": "en"}, by="t")
    assert client.get("/sources/js", headers=HTML).status_code == 404
