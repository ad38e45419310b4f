"""The reader page and the forms around it (issue 13 §2, §1, §3): the text in paragraphs
with every quote marked and linked, the side list (claim, claimant, status), the forms
prefilled from a selection, a quote not in the text shown beside the quote field, the
capture form (paste, upload, fetch), and a re-capture's difference and lost quotes.
Through Flask's test client, in English and Japanese (the browser's part is in
``test_browser_reader.py``)."""

import io
import re

from helpers import sign_in, token_of

from kb import open_kb

HTML = {"Accept": "text/html"}
SEED_SOURCE = "windows-central-ms-ai-self-sufficiency"
TEXT = "大臣は記者会見で、新しい橋は五月に開通すると述べた。\n\n工事は予定より三か月遅れている。橋は五月に開通する。"


def page(client, path, **kw):
    r = client.get(path, headers=HTML, **kw)
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def test_the_seed_article_reads_with_every_quote_marked(client):
    html = page(client, f"/sources/{SEED_SOURCE}")
    paragraphs = re.findall(r'<p data-start="(\d+)">', html)
    assert len(paragraphs) > 20 and paragraphs[0] == "0"
    assert html.count("<mark ") >= 34 - 2  # a mark per quote (quotes that overlap share some)
    assert 'href="/claims/ms-cut-costs-with-own-chip-clusters">自社チップクラスターを構築してコスト削減を目指す</a></mark>' in html
    side = html[html.index('id="quote-list"'):]
    assert side.count("<li id=\"quote-") == 34 and side.count('class="verified"') == 34
    assert 'data-status="disputed"' in side and 'href="/agents/' in side  # the status and the claimant
    assert "34 quotes of this source" in side
    ja = page(client, f"/sources/{SEED_SOURCE}?lang=ja")
    assert "この出典からの引用 34 件" in ja and "本文" in ja and "この引用で主張を記録" in ja


def test_a_selection_prefills_the_claim_form(client):
    sign_in(client)
    q = {"sources": SEED_SOURCE, "quote_source": SEED_SOURCE, "quote": "自社チップクラスター",
         "quote_prefix": "目指し、", "quote_suffix": "を構築して", "quote_start": "25", "quote_end": "35"}
    html = page(client, "/claims/new", query_string=q)
    assert '<textarea name="quote" rows="2">自社チップクラスター</textarea>' in html
    for k in ("quote_source", "quote_prefix", "quote_suffix", "quote_start", "quote_end"):
        assert f'name="{k}" value="{q[k]}"' in html
    assert f'value="{SEED_SOURCE}" checked' in html and "characters 25–35" in html
    html = page(client, "/claims/ms-cancelled-datacentre-deals/disputes/new", query_string=q)
    assert 'name="quote_start" value="25"' in html


def claim_form(tok, **quote):
    return {"csrf_token": tok, "text_en": "Microsoft builds chip clusters.", "claimant": "microsoft",
            "about": ["microsoft"], "sources": [SEED_SOURCE], **quote}


def test_the_form_records_the_selected_place_or_shows_the_error_beside_the_quote(client, app):
    sign_in(client)
    tok = token_of(client, "/claims/new")
    before = app.extensions["kb"].summary()
    r = client.post("/claims/new", data=claim_form(tok, quote="自社で量子コンピューターを作る"))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    label = html[html.index('<textarea name="quote"') - 200:html.index('<textarea name="quote"') + 400]
    assert "has-error" in label and "not found in the source&#39;s text" in label
    assert app.extensions["kb"].summary() == before
    r = client.post("/claims/new", data=claim_form(tok, quote="自社チップクラスター", quote_source=SEED_SOURCE,
                                                   quote_start="25", quote_end="35", quote_prefix="目指し、",
                                                   quote_suffix="を構築して"))
    assert r.status_code == 303
    c = app.extensions["kb"].get_claim(r.headers["Location"].rsplit("/", 1)[1])
    assert (c["quote"]["start"], c["quote"]["end"], c["quote"]["verified"]) == (25, 35, True)
    assert c["quote"]["prefix"] == "目指し、"


def capture(client, tok, **fields):
    data = {"csrf_token": tok, "headline": "橋は五月に開通", "publisher": "openai", "published": "2025-05-02",
            "language": "ja", **fields}
    return client.post("/sources/new", data=data, content_type="multipart/form-data")


def test_capture_form_paste_upload_and_fetch(client, app):
    sign_in(client)
    tok = token_of(client, "/sources/new")
    r = capture(client, tok, id="pasted", text=TEXT)
    assert r.status_code == 303 and r.headers["Location"].endswith("/sources/pasted")
    assert app.extensions["kb"].sources.get("pasted")["text"] == TEXT
    r = capture(client, tok, id="uploaded", file=(io.BytesIO(TEXT.encode("shift_jis")), "article.txt"))
    assert r.status_code == 303 and app.extensions["kb"].sources.get("uploaded")["text"] == TEXT
    saved = ("<html><head><title>橋</title></head><body><nav>ホーム</nav><article>"
             + "".join(f"<p>{p}</p>" for p in TEXT.split("\n\n")) + "</article></body></html>")
    r = capture(client, tok, id="saved-page", file=(io.BytesIO(saved.encode()), "article.html"))
    assert r.status_code == 303
    text = app.extensions["kb"].sources.get("saved-page")["text"]
    assert "三か月遅れている" in text and "ホーム" not in text
    r = capture(client, tok, id="fetched", url="http://127.0.0.1:9/article", fetch="1")
    assert r.status_code == 422 and "private or local address" in r.get_data(as_text=True)
    broken = TEXT.encode() + b"\xff\xfe\xc3 end"
    r = capture(client, tok, id="broken", file=(io.BytesIO(broken), "article.txt"))
    assert r.status_code == 422 and "invalid byte sequences" in r.get_data(as_text=True)
    r = capture(client, tok, id="binary", file=(io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00\x00"), "photo.txt"))
    assert r.status_code == 422 and "binary" in r.get_data(as_text=True)
    r = capture(client, tok, id="empty", text="  ")
    assert r.status_code == 422 and "needs its text" in r.get_data(as_text=True)


def test_a_recapture_shows_its_difference_and_the_quotes_it_lost(client, app):
    kb = app.extensions["kb"]
    s = kb.sources.add({"id": "bridge", "headline": "橋", "publisher": "openai", "published": "2025-05-02",
                        "language": "ja", "text": TEXT}, by="ana")
    kb.add_claim({"id": "may", "text": {"ja": "五月に開通"}, "claimant": "openai", "about": ["openai"],
                  "sources": ["bridge"], "quote": {"source": "bridge", "exact": "工事は予定より三か月遅れている"}},
                 by="ana")
    kb.sources.recapture("bridge", {"text": TEXT.replace("三か月", "半年")}, by="ana", version=s["version"])
    html = page(client, "/sources/bridge")
    assert "changed since it was first captured: 5 characters" in html
    assert "<del>三か月</del>" in html and "<ins>半年</ins>" in html
    stale = html[html.index('id="stale"'):]
    assert 'data-claim="may"' in stale
    assert "最初の取得以降に変更あり:5 文字" in page(client, "/sources/bridge?lang=ja")


def test_the_claim_page_says_whether_its_quote_was_found_in_the_text(client):
    html = page(client, "/claims/ms-cut-costs-with-own-chip-clusters")
    assert '<p class="quote-check" data-verified="true"><a href="/sources/windows-central-ms-ai-self-sufficiency#reader">found in the text</a>' in html


def test_a_source_without_text_says_its_quotes_are_unverified():
    from app import create_app
    app = create_app({"TESTING": True, "LOAD_SEED": False}, kb=open_kb(":memory:"))
    kb = app.extensions["kb"]
    kb.import_data({"agents": [{"id": "daily", "type": "Organization", "name": {"en": "Daily"}}],
                    "sources": [{"id": "plain", "headline": {"en": "Plain"}, "publisher": "daily",
                                 "published": "2025", "language": "en"}]}, by="t")
    html = page(app.test_client(), "/sources/plain")
    assert "This source keeps no text: quotes of it are not verified." in html and "<mark" not in html
    kb.import_data({"agents": [{"id": "min", "type": "Person", "name": {"en": "Minister"}}],
                    "claims": [{"id": "c", "text": {"en": "C"}, "claimant": "min", "about": ["min"],
                                "sources": ["plain"], "quote": {"source": "plain", "exact": "anything"}}]}, by="t")
    html = page(app.test_client(), "/claims/c")
    assert '<p class="quote-check" data-verified="false">unverified: the source keeps no text</p>' in html


def test_capture_again_on_the_web_makes_a_new_version(client, app):
    kb = app.extensions["kb"]
    kb.sources.add({"id": "bridge", "headline": "橋", "publisher": "openai", "published": "2025-05-02",
                    "language": "ja", "text": TEXT}, by="ana")
    sign_in(client)
    html = page(client, "/sources/bridge/capture")
    assert "三か月遅れている" in html and 'name="version" value="1"' in html
    tok = token_of(client, "/sources/bridge/capture")
    r = client.post("/sources/bridge/capture", data={"csrf_token": tok, "version": "1", "text": TEXT + "\n追記。"})
    assert r.status_code == 303 and kb.sources.get("bridge")["version"] == 2
    r = client.post("/sources/bridge/capture", data={"csrf_token": tok, "version": "1", "text": "古い版から"})
    assert r.status_code == 422 and kb.sources.get("bridge")["version"] == 2  # edited from an old version
    r = client.post("/sources/bridge/capture", data={"csrf_token": tok, "version": "2", "text": "\x00"})
    assert r.status_code == 422 and "control characters" in r.get_data(as_text=True)
    assert "changed since it was first captured: 3 characters" in page(client, "/sources/bridge")
