"""Capturing a source's text over HTTP and from the command line (issue 13 §1, §5, §6):
``POST/GET/PUT /api/sources``, a page fetched from a loopback server allowed by
FETCH_ALLOW_HOSTS (its text extracted, its charset detected, its metadata read),
every kind of bad input refused with one sentence and nothing changed, and a
private address refused before any connection (a loopback listener that is not
allowed records none)."""

import hashlib
import time

import pytest
from articles import EN_BODY, EN_TITLE, JA_BODY, JA_TITLE, ArticleServer, page
from helpers import run

from app import create_app
from kb import fetch, open_kb

AGENTS = "agents:\n  - {id: daily, type: Organization, name: {en: The Daily}}\n  - {id: minister, type: Person, name: {en: A Minister}}\n"
PASTED = "大臣は記者会見で、新しい橋は五月に開通すると述べた。\n\n工事は予定より三か月遅れている。"


@pytest.fixture
def server():
    s = ArticleServer()
    yield s
    s.close()


@pytest.fixture
def make_app():
    def make(**config):
        a = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "LOAD_SEED": False, **config},
                       kb=open_kb(":memory:"))
        a.extensions["users"].add("ana", "analyst", "ana-password")
        a.token = {"Authorization": f"Bearer {a.extensions['users'].token('ana')}"}
        a.extensions["kb"].import_yaml(AGENTS, by="t")
        return a
    return make


@pytest.fixture
def app(make_app, server):
    return make_app(FETCH_ALLOW_HOSTS=["127.0.0.1"])


def kb_of(app):
    from app.context import get_kb
    with app.app_context():
        return get_kb()


def post(app, body):
    return app.test_client().post("/api/sources", json=body, headers=app.token)


META = {"publisher": "daily", "published": "2025-05-02", "language": "ja"}


def test_paste_read_and_recapture_over_the_api(app):
    # writes need an analyst's token
    assert app.test_client().post("/api/sources", json={"text": PASTED}).status_code == 401
    assert app.test_client().put("/api/sources/bridge", json={"version": 1, "text": "x"}).status_code == 401
    r = post(app, {"id": "bridge", "headline": "橋は五月に開通", "text": PASTED, **META})
    assert r.status_code == 201, r.get_json()
    s = r.get_json()
    assert s["digest"] == hashlib.sha256(PASTED.encode()).hexdigest() and s["captured"]
    c = app.test_client()
    claim = {"text": {"ja": "橋は五月に開通する。"}, "claimant": "minister", "about": ["minister"],
             "sources": ["bridge"], "quote": {"source": "bridge", "exact": "新しい橋は五月に開通する"}}
    r = c.post("/api/claims", json={**claim, "id": "ok"}, headers=app.token)
    assert r.status_code == 201 and r.get_json()["quote"]["verified"] is True
    r = c.post("/api/claims", json={**claim, "id": "bad", "quote": {"source": "bridge", "exact": "六月に開通"}},
               headers=app.token)
    assert r.status_code == 422
    assert r.get_json()["errors"][0]["field"] == "quote"
    assert r.get_json()["errors"][0]["message"] == "not found in the source's text"
    assert c.get("/api/claims/bad").status_code == 404
    got = c.get("/api/sources/bridge").get_json()
    assert got["text"] == PASTED and [(q["claim"], q["exact"], q["verified"]) for q in got["quotes"]] == \
        [("ok", "新しい橋は五月に開通する", True)]
    q = got["quotes"][0]
    assert PASTED[q["start"]:q["end"]] == q["exact"]
    # re-capture: a version is needed; the changed text is a new version, the lost quote listed
    assert c.put("/api/sources/bridge", json={"text": "x"}, headers=app.token).status_code == 428
    r = c.put("/api/sources/bridge", json={"version": got["version"], "text": PASTED.replace("新しい橋", "橋")},
              headers=app.token)
    assert r.status_code == 200 and r.get_json()["version"] == got["version"] + 1
    assert r.get_json()["changes"]["changed"] == 3 and [q["claim"] for q in r.get_json()["stale"]] == ["ok"]
    assert c.put("/api/sources/bridge", json={"version": got["version"], "text": "y"},
                 headers=app.token).status_code == 409
    r = c.put("/api/sources/bridge", json={"version": 2, "text": "y", "headline": "new"}, headers=app.token)
    assert r.status_code == 400 and "headline cannot be changed here" in r.get_json()["errors"][0]["message"]
    assert c.get("/api/sources/nowhere").status_code == 404


def test_fetch_an_english_article_from_an_allowed_loopback_host(app, server):
    server.html("/en.html", page(EN_TITLE, EN_BODY, lang="en"))
    r = post(app, {"fetch": True, "url": server.url("/en.html"), "publisher": "daily"})
    assert r.status_code == 201, r.get_json()
    s = r.get_json()
    assert s["name"]["en"] == EN_TITLE and s["published"] == "2025-05-02" and s["language"] == "en"
    assert all(p in s["text"] for p in EN_BODY)
    for noise in ("Most read", "Sport", "tracker", "(c) The Daily"):
        assert noise not in s["text"]
    assert s["url"] == server.url("/en.html")


@pytest.mark.parametrize("charset", ["shift_jis", "euc-jp", "utf-8"])
def test_japanese_pages_in_their_own_character_sets(app, server, charset):
    server.html("/ja.html", page(JA_TITLE, JA_BODY, lang="ja", charset=charset), charset=charset)
    got = fetch.capture(server.url("/ja.html"), allow_hosts=["127.0.0.1"])
    assert got["headline"] == JA_TITLE and got["language"] == "ja" and got["author_name"] == "Hanako Yamada"
    assert all(p in got["text"] for p in JA_BODY)
    # a page that declares no charset at all is detected
    server.pages["/bare.html"] = (200, {"Content-Type": "text/html"},
                                  page(JA_TITLE, JA_BODY, lang="ja", charset="x").replace(
                                      '<meta charset="x">', "").encode(charset))
    assert all(p in fetch.capture(server.url("/bare.html"), allow_hosts=["127.0.0.1"])["text"] for p in JA_BODY)


def test_a_private_address_is_refused_before_any_connection(make_app, server):
    server.html("/en.html", page(EN_TITLE, EN_BODY, lang="en"))
    app = make_app()  # FETCH_ALLOW_HOSTS empty: loopback is private
    r = post(app, {"fetch": True, "url": server.url("/en.html"), "publisher": "daily"})
    assert r.status_code == 422
    assert "private or local address" in r.get_json()["errors"][0]["message"]
    assert server.connections == []
    for url in ("http://10.0.0.1/x", "http://169.254.169.254/latest/meta-data/", "http://[::1]/",
                "http://224.0.0.1/", "http://0.0.0.0/"):
        with pytest.raises(fetch.FetchError, match="private or local"):
            fetch.capture(url)


def test_a_redirect_to_a_private_address_is_refused_before_connecting(app, server):
    other = ArticleServer({"/secret": (200, {"Content-Type": "text/plain"}, b"internal")})
    try:
        # 127.0.0.1 is allowed; "localhost" is not, though it is the same machine
        server.pages["/go"] = (302, {"Location": other.url("/secret", host="localhost")}, b"")
        with pytest.raises(fetch.FetchError, match="private or local"):
            fetch.capture(server.url("/go"), allow_hosts=["127.0.0.1"])
        assert other.connections == [] and len(server.connections) == 1
    finally:
        other.close()


def bad_pages(server):
    big = b"<html><body><p>" + b"a" * (fetch.MAX_BYTES + 10) + b"</p></body></html>"
    server.pages.update({
        "/loop": (302, {"Location": "/loop"}, b""),
        "/big": (200, {"Content-Type": "text/html"}, big),
        "/png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n\x00\x00"),
        "/binary": (200, {"Content-Type": "text/html"}, b"<html>\x00\x01\x02\x00</html>"),
        "/empty": (200, {"Content-Type": "text/html"}, b""),
        "/nav": (200, {"Content-Type": "text/html"}, b"<html><body><nav><a href='/'>Home</a></nav></body></html>"),
        "/bytes": (200, {"Content-Type": "text/html; charset=utf-8"},
                   page(EN_TITLE, EN_BODY, lang="en").encode() + b"<p>\xff\xfe\xc3</p>"),
        "/gone": (404, {"Content-Type": "text/plain"}, b"no"),
    })


@pytest.mark.parametrize("path, says", [
    ("/loop", "redirects more than 5 times"), ("/big", "too large"), ("/png", "image/png"),
    ("/binary", "binary"), ("/empty", "no article text"), ("/nav", "no article text"),
    ("/bytes", "invalid byte sequences"), ("/gone", "404"),
])
def test_bad_pages_get_one_sentence_and_change_nothing(app, server, path, says):
    bad_pages(server)
    kb = kb_of(app)
    before = kb.summary()
    r = post(app, {"fetch": True, "url": server.url(path), "publisher": "daily", "headline": "x",
                   "published": "2025", "language": "en"})
    assert r.status_code == 422, r.get_json()
    errors = r.get_json()["errors"]
    assert len(errors) == 1 and says in errors[0]["message"] and "\n" not in errors[0]["message"]
    assert kb.summary() == before


def test_other_schemes_and_slow_pages_are_refused(server, monkeypatch):
    with pytest.raises(fetch.FetchError, match="only http"):
        fetch.capture("file:///etc/passwd")
    with pytest.raises(fetch.FetchError, match="only http"):
        fetch.capture("ftp://example.org/a.txt")
    monkeypatch.setattr(fetch, "TIMEOUT", 0.5)
    server.slow("/slow", 3)
    with pytest.raises(fetch.FetchError, match="longer than 0.5 seconds"):
        fetch.capture(server.url("/slow"), allow_hosts=["127.0.0.1"])
    # a page that trickles in, a byte every 0.2 s (each read within its timeout), is cut off at the deadline
    server.drip("/drip", 0.2)
    started = time.monotonic()
    with pytest.raises(fetch.FetchError, match="longer than 0.5 seconds"):
        fetch.capture(server.url("/drip"), allow_hosts=["127.0.0.1"])
    assert time.monotonic() - started < 1.5


def test_a_page_full_of_scripts_is_stored_as_text_never_run(app, server):
    shown = "<script>alert(1)</script> was printed in the article as code."
    html = page(EN_TITLE, EN_BODY + [shown.replace("<", "&lt;").replace(">", "&gt;")], lang="en",
                extra="<script>alert('run')</script>" * 50)
    server.html("/scripts.html", html)
    r = post(app, {"fetch": True, "url": server.url("/scripts.html"), "publisher": "daily", "id": "scripts"})
    assert r.status_code == 201
    assert shown in r.get_json()["text"] and "alert('run')" not in r.get_json()["text"]
    html_page = app.test_client().get("/sources/scripts", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_page and "<script>alert(1)" not in html_page


def test_a_two_megabyte_paste_is_refused(app):
    r = post(app, {"id": "huge", "headline": "Huge", "text": "あ" * 700_000, **META})
    assert r.status_code == 413
    assert r.get_json()["errors"][0]["message"] == ("the request is larger than the 2,097,152 bytes this server "
                                                    "accepts (MAX_CONTENT_LENGTH); nothing was written")
    assert app.test_client().get("/api/sources/huge").status_code == 404


def test_the_command_line_captures_from_a_file_stdin_and_a_url(tmp_path, server):
    store = tmp_path / "store"
    (tmp_path / "agents.yaml").write_text(AGENTS)
    assert run("load", str(tmp_path / "agents.yaml"), store=store).returncode == 0
    meta = ["--publisher", "daily", "--published", "2025-05-02", "--language", "ja"]
    (tmp_path / "a.txt").write_text(PASTED, encoding="utf-8")
    r = run("source", "add", "--file", str(tmp_path / "a.txt"), "--id", "from-file", "--headline", "橋", *meta,
            store=store)
    assert r.returncode == 0, r.stderr
    assert "from-file" in r.stdout and hashlib.sha256(PASTED.encode()).hexdigest()[:12] in r.stdout
    r = run("source", "add", "-", "--id", "from-stdin", "--headline", "橋", *meta, store=store, stdin=PASTED)
    assert r.returncode == 0, r.stderr
    server.html("/ja.html", page(JA_TITLE, JA_BODY, lang="ja", charset="euc-jp"), charset="euc-jp")
    r = run("source", "add", "--url", server.url("/ja.html"), "--id", "from-url", "--publisher", "daily", store=store)
    assert r.returncode == 1 and "private or local address" in r.stderr and server.connections == []
    r = run("source", "add", "--url", server.url("/ja.html"), "--id", "from-url", "--publisher", "daily",
            store=store, env={"KB_FETCH_ALLOW_HOSTS": "127.0.0.1"})
    assert r.returncode == 0, r.stderr
    r = run("query", "SELECT ?h WHERE { ?s schema:headline ?h ; schema:text ?t FILTER(CONTAINS(?t, '三か月遅れ')) }",
            "--format", "csv", store=store)
    assert JA_TITLE in r.stdout
    assert run("source", "add", store=store).returncode == 2


def test_kb_validate_warns_of_quotes_a_recapture_lost(tmp_path):
    store = tmp_path / "store"
    (tmp_path / "article.txt").write_text(PASTED, encoding="utf-8")
    doc = AGENTS + ("sources:\n  - {id: bridge, headline: {ja: 橋}, publisher: daily, published: '2025', "
                    "language: ja, text_file: article.txt}\n"
                    "claims:\n  - {id: may, text: {ja: 五月}, claimant: minister, about: [minister], sources: [bridge], "
                    "quote: {source: bridge, exact: 新しい橋は五月に開通する}}\n")
    (tmp_path / "data.yaml").write_text(doc, encoding="utf-8")
    r = run("load", str(tmp_path / "data.yaml"), store=store)
    assert r.returncode == 0, r.stderr
    assert run("validate", store=store).stderr.count("warning") == 0
    kb = open_kb(str(store))
    kb.sources.recapture("bridge", {"text": "全く別の文章。"}, by="t", version=1)
    kb.close()
    r = run("validate", store=store)
    assert r.returncode == 0 and "warning: claim 'may' quotes source 'bridge'" in r.stderr
