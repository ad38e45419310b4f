"""From the article to the claim, in headless Chromium (issue 13, "Done means"): paste a
Japanese article, select a sentence with the mouse, record a claim from it, see it marked
on the reader page and on the claim's page; a quote that is not in the text shows its
error beside the quote field; the keyboard selects too; an article fetched from a
loopback server allowed by FETCH_ALLOW_HOSTS, and a private address refused. Screenshots
of the reader page in English and Japanese go to tests/screenshots/."""

import os
import re

import pytest
from articles import EN_BODY, EN_TITLE, ArticleServer
from articles import page as article_page
from browsing import SHOTS, new_page, shot, sign_in
from helpers import kb_cmd, start_server, stop
from playwright.sync_api import expect

PASSWORD = "hanako-pass-1"
HEADLINE = "新しい橋、五月に開通へ"
ARTICLE = ("新しい橋、五月に開通へ\n\n"
           "市の発表によると、新しい橋は五月に開通する予定だ。\n\n"
           "建設会社の関係者は、工事が予定より三か月遅れていると明らかにした。市はこれを否定している。\n\n"
           "開通式には市長が出席する見込みだ。")
SENTENCE = "工事が予定より三か月遅れていると明らかにした"


@pytest.fixture(scope="module")
def articles():
    s = ArticleServer()
    s.html("/en.html", article_page(EN_TITLE, EN_BODY, lang="en"))
    yield s
    s.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, articles):
    folder = tmp_path_factory.mktemp("reader")
    data = ["--data-dir", str(folder / "data")]
    store = folder / "store"
    r = kb_cmd(store, *data, "user", "add", "hanako", "--role", "analyst", stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    os.environ["CLAIMKB_FETCH_ALLOW_HOSTS"] = "127.0.0.1"  # read by the server at start
    try:
        proc, url = start_server(store, pre=data)
    finally:
        del os.environ["CLAIMKB_FETCH_ALLOW_HOSTS"]
    yield url
    stop(proc)


@pytest.fixture
def page(browser, server):
    pg = sign_in(new_page(browser), server, "hanako", PASSWORD)
    yield pg
    pg.context.close()
    assert pg.errors == [], f"JavaScript errors: {pg.errors}"


def capture(page, server, **fields):
    page.goto(f"{server}/sources/new")
    page.fill("input[name=headline]", fields.get("headline", HEADLINE))
    page.select_option("select[name=publisher]", "windows-central")
    page.fill("input[name=published]", "2025-05-02")
    page.fill("input[name=language]", fields.get("language", "ja"))
    if "id" in fields:
        page.fill("input[name=id]", fields["id"])
    if "text" in fields:
        page.fill("textarea[name=text]", fields["text"])
    if "url" in fields:
        page.fill("input[name=url]", fields["url"])
        page.check("input[name=fetch]")
    page.click("#capture")


def select_with_mouse(page, words, until=None):
    """Drag the mouse over ``words`` (or from their first character to the last of ``until``) in the
    reader's text, as a person would. The text is measured once its fonts are in and it is laid
    out, and the drag is made again (at most twice more) when it selected nothing: on a busy
    machine the first press can land while the page is still settling."""
    for _ in range(3):
        _drag(page, words, until)
        if page.evaluate("window.getSelection().toString()"):
            return
        page.wait_for_timeout(200)


def _drag(page, words, until):
    page.evaluate("document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => "
                  "requestAnimationFrame(r))))")
    box = page.evaluate("""([first, last]) => {
        function rect(words, end) {
            for (const p of document.querySelectorAll('#reader p[data-start]')) {
                const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
                while (walker.nextNode()) {
                    const node = walker.currentNode, i = node.data.indexOf(words);
                    if (i < 0) continue;
                    const r = document.createRange(), at = end ? i + words.length - 1 : i;
                    r.setStart(node, at); r.setEnd(node, at + 1);
                    return r.getBoundingClientRect();
                }
            }
            return null;
        }
        const a = rect(first, false), b = rect(last, true);
        return a && b && {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
        }""", [words, until or words])
    assert box, f"{words!r} is not on the page"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, (box["y1"] + box["y2"]) / 2, steps=5)
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()


def test_from_a_pasted_japanese_article_to_a_claim(server, page):
    capture(page, server, id="bridge", text=ARTICLE)
    expect(page).to_have_url(f"{server}/sources/bridge")
    expect(page.locator("#reader p[data-start]")).to_have_count(4)
    select_with_mouse(page, SENTENCE)
    assert page.evaluate("window.getSelection().toString()") == SENTENCE
    expect(page.locator("#quote-actions")).to_be_visible()
    page.click("#record-claim")
    expect(page).to_have_url(f"{server}/claims/new?" + page.url.split("?", 1)[1])
    expect(page.locator("textarea[name=quote]")).to_have_value(SENTENCE)
    assert page.locator("input[name=quote_start]").get_attribute("value") == str(ARTICLE.index(SENTENCE))
    expect(page.locator("#quote-from")).to_be_visible()
    page.fill("textarea[name=text_ja]", "工事は予定より三か月遅れている。")
    page.fill("textarea[name=text_en]", "The work is three months behind schedule.")
    page.select_option("select[name=claimant]", "windows-central")
    page.locator("input[name=about][value=microsoft]").check()
    page.click("#claim-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("three months")
    expect(page.locator("blockquote")).to_contain_text(SENTENCE)  # listed on the claim's page
    claim_url = page.url

    # the reader page marks it, links it to the claim, and lists it with claimant and status
    page.goto(f"{server}/sources/bridge")
    mark = page.locator("#reader mark")
    expect(mark).to_have_count(1)
    expect(mark).to_have_text(SENTENCE)
    assert claim_url.endswith(mark.locator("a").get_attribute("href"))
    expect(page.locator("#quote-list li")).to_have_count(1)
    expect(page.locator("#quote-list li .status")).to_have_attribute("data-status", "reported")
    shot(page, "reader-en")
    # a selection that starts inside a marked quote (a link) selects text, and counts its place right
    select_with_mouse(page, "明らかにした", until="否定して")
    assert page.evaluate("window.getSelection().toString()") == "明らかにした。市はこれを否定して"
    expect(page.locator("#quote-actions")).to_be_visible()
    href = page.locator("#record-claim").get_attribute("href")
    assert f"quote_start={ARTICLE.index('明らかにした。市は')}&" in href
    assert f"quote_end={ARTICLE.index('否定して') + 4}" in href

    # and a dispute with a quote: the city's denial, against the claim just recorded (a click elsewhere
    # first: a drag that starts on selected words would move them, not select anew)
    page.click("#reader h2")
    expect(page.locator("#quote-actions")).to_be_hidden()
    select_with_mouse(page, "市はこれを否定している")
    expect(page.locator("#add-dispute")).to_have_attribute("href", re.compile(f"quote_start={ARTICLE.index('市はこれを')}&"))
    page.click("#add-dispute")
    expect(page).to_have_url(re.compile(r"/claims/[^/]+/disputes/new\?"))
    expect(page.locator("textarea[name=quote]")).to_have_value("市はこれを否定している")
    page.select_option("select[name=party]", "microsoft")
    page.locator("input[name=stance][value=denies]").check()
    page.fill("textarea[name=text_en]", "The city denies it.")
    page.click("#dispute-form button[type=submit]")
    expect(page.locator("blockquote").nth(1)).to_contain_text("市はこれを否定している")
    page.goto(f"{server}/sources/bridge")
    expect(page.locator("#reader mark")).to_have_count(2)
    expect(page.locator("#quote-list li[data-dispute]")).to_contain_text("denies")
    expect(page.locator("#quote-list li[data-dispute] .status")).to_have_attribute("data-status", "disputed")
    shot(page, "reader-en")
    page.goto(f"{server}/sources/bridge?lang=ja")
    expect(page.locator("#quote-list h2")).to_contain_text("この出典からの引用 2 件")
    shot(page, "reader-ja")
    # the seed article: 34 quotes marked in a long Japanese text
    page.goto(f"{server}/sources/windows-central-ms-ai-self-sufficiency")
    expect(page.locator("#quote-list li.verified")).to_have_count(34)
    shot(page, "reader-seed-en")
    page.locator("#reader").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "reader-seed-top.png"))  # the first screen of it, at reading size


def test_a_quote_not_in_the_text_shows_the_error_beside_the_quote_field(server, page):
    capture(page, server, id="bridge-two", text=ARTICLE)
    page.goto(f"{server}/claims/new?sources=bridge-two")
    page.fill("textarea[name=text_en]", "The bridge opens in June.")
    page.select_option("select[name=claimant]", "windows-central")
    page.locator("input[name=about][value=microsoft]").check()
    page.fill("textarea[name=quote]", "新しい橋は六月に開通する")
    page.click("#claim-form button[type=submit]")
    label = page.locator("label.has-error", has=page.locator("textarea[name=quote]"))
    expect(label).to_contain_text("not found in the source's text")
    shot(page, "reader-quote-not-found")


def test_the_keyboard_selects_too(server, page):
    capture(page, server, id="bridge-keys", text=ARTICLE)
    expect(page.locator("#quote-actions")).to_be_hidden()
    page.locator("#reader p[data-start]").nth(1).focus()
    for _ in range(4):
        page.keyboard.press("Shift+ArrowRight")
    expect(page.locator("#quote-actions")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#record-claim")).to_be_focused()
    href = page.locator("#record-claim").get_attribute("href")
    assert "quote=%E5%B8%82%E3%81%AE%E7%99%BA" in href and f"quote_start={ARTICLE.index('市の発')}" in href


def test_fetch_fills_the_form_in_for_the_analyst_to_confirm(server, page, articles):
    page.goto(f"{server}/sources/new")
    page.fill("input[name=url]", articles.url("/en.html"))
    page.click("#preview")
    expect(page.locator("input[name=headline]")).to_have_value(EN_TITLE)
    expect(page.locator("input[name=published]")).to_have_value("2025-05-02")
    expect(page.locator("input[name=language]")).to_have_value("en")
    expect(page.locator("textarea[name=text]")).to_contain_text(EN_BODY[2])
    expect(page.locator("#found")).to_contain_text("Hanako Yamada")
    page.select_option("select[name=publisher]", "windows-central")
    page.fill("input[name=id]", "confirmed")
    page.click("#capture")
    expect(page).to_have_url(f"{server}/sources/confirmed")
    expect(page.locator("#reader")).to_contain_text(EN_BODY[0])


def test_fetch_from_an_allowed_loopback_host_and_refuse_a_private_one(server, page, articles):
    capture(page, server, id="fetched", headline="", language="", url=articles.url("/en.html"))
    expect(page).to_have_url(f"{server}/sources/fetched")
    expect(page.locator("h1")).to_have_text(EN_TITLE)
    expect(page.locator("#reader")).to_contain_text(EN_BODY[1])
    before = len(articles.connections)
    capture(page, server, id="private", url=articles.url("/en.html", host="localhost"))
    label = page.locator("label.has-error", has=page.locator("input[name=url]"))
    expect(label).to_contain_text("private or local address")
    assert len(articles.connections) == before
    shot(page, "capture-private-refused")


def test_capture_again_shows_the_difference(server, page):
    capture(page, server, id="bridge-edited", text=ARTICLE)
    page.click("a.recapture")
    page.fill("textarea[name=text]", ARTICLE.replace("三か月", "半年").replace("市はこれを否定している。", ""))
    page.click("#recapture")
    expect(page).to_have_url(f"{server}/sources/bridge-edited")
    expect(page.locator(".changed-note")).to_contain_text("changed since it was first captured: 17 characters")
    page.locator(".changes summary").click()
    expect(page.locator(".changes del").first).to_have_text("三か月")
    shot(page, "reader-changed")
