"""Following a story in headless Chromium: Hanako follows the topic of a claim, Taro records that
Microsoft confirms it and later denies it, and Hanako hears of it on /changes and in the topic's
Atom feed; the two discuss the claim in its comment thread. Screenshots in English and Japanese."""

import feedparser
import pytest
from browsing import SHOTS, new_page, sign_in
from helpers import kb_cmd, start_server, stop
from playwright.sync_api import expect
from test_browser import SOURCE

CLAIM = "ms-cancelled-datacentre-deals"
TOPIC = "data-centre-deals"
USERS = {"hanako": "hanako-pass-1", "taro": "taro-pass-22"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("follow")
    data = ["--data-dir", str(folder / "data")]
    for name, password in USERS.items():
        r = kb_cmd(folder / "store", *data, "user", "add", name, "--role", "analyst", stdin=password + "\n")
        assert r.returncode == 0, r.stderr
    proc, url = start_server(folder / "store", pre=data)
    yield url
    stop(proc)


def signed_in(browser, url, name):
    return sign_in(new_page(browser), url, name, USERS[name])


def dispute(page, url, stance, date, en, ja):
    page.goto(f"{url}/claims/{CLAIM}")
    page.click("a.button >> text=Record a dispute")
    page.select_option("select[name=party]", "microsoft")
    page.check(f"input[name=stance][value={stance}]")
    page.fill("textarea[name=text_en]", en)
    page.fill("textarea[name=text_ja]", ja)
    page.check(f"input[name=sources][value={SOURCE}]")
    page.fill("input[name=date]", date)
    page.click("#dispute-form button[type=submit]")
    expect(page).to_have_url(f"{url}/claims/{CLAIM}")


def test_follow_a_topic_hear_of_a_changed_stance_and_discuss(server, browser):
    hanako = signed_in(browser, server, "hanako")
    hanako.goto(f"{server}/topics/{TOPIC}")
    hanako.click("button.follow-button")
    expect(hanako.locator("button.unfollow")).to_be_visible()

    taro = signed_in(browser, server, "taro")
    dispute(taro, server, "confirms", "2025-03-01", "Microsoft confirmed it walked away from the deals.",
            "マイクロソフトは契約から手を引いたことを認めた。")
    dispute(taro, server, "denies", "2025-03-05", "Microsoft now denies it walked away from the deals.",
            "マイクロソフトは契約から手を引いたことを否定した。")

    hanako.goto(f"{server}/changes")
    changes = hanako.locator("ol.changes li.change")
    expect(changes.first).to_contain_text("Microsoft moved from confirms to denies")
    expect(hanako.locator("ol.changes")).to_contain_text("Microsoft took a stance: confirms")
    hanako.screenshot(path=str(SHOTS / "changes-en.png"), full_page=True)
    hanako.click("ol.changes li.change >> nth=0 >> a.change-text")
    expect(hanako).to_have_url(f"{server}/claims/{CLAIM}#{CLAIM}--microsoft-denies-2025-03-05")

    # the topic's Atom feed, read without an account
    feed = feedparser.parse(hanako.request.get(f"{server}/topics/{TOPIC}/changes.atom").body())
    assert feed.version == "atom10"
    assert feed.entries[0].title == "Microsoft moved from confirms to denies"
    assert feed.entries[0].link == f"{server}/claims/{CLAIM}#{CLAIM}--microsoft-denies-2025-03-05"

    # the comment thread: Hanako asks, Taro answers (a script is shown as text)
    hanako.goto(f"{server}/claims/{CLAIM}")
    hanako.fill("form.comment-new textarea", "Which statement is the later one, and where was it made?")
    hanako.click("form.comment-new button[type=submit]")
    taro.goto(f"{server}/claims/{CLAIM}")
    taro.fill("form.comment-new textarea", "The denial, on 5 March, to Reuters. <script>alert(1)</script>")
    taro.click("form.comment-new button[type=submit]")
    thread = taro.locator("section.comments li.comment")
    expect(thread).to_have_count(2)
    expect(thread.nth(1)).to_contain_text("<script>alert(1)</script>")
    taro.locator("section.comments").screenshot(path=str(SHOTS / "comments-en.png"))

    # both in Japanese
    hanako.goto(f"{server}/lang/ja?next=/changes%3Fall%3D1")
    expect(hanako.locator("ol.changes li.change").first).to_contain_text("の立場が「確認」から「否定」に変わりました")
    hanako.screenshot(path=str(SHOTS / "changes-ja.png"), full_page=True)
    hanako.goto(f"{server}/claims/{CLAIM}")
    expect(hanako.locator("section.comments h2")).to_have_text("コメント")
    hanako.locator("section.comments").screenshot(path=str(SHOTS / "comments-ja.png"))

    # an anonymous reader sees no comments
    anon = browser.new_context().new_page()
    anon.goto(f"{server}/claims/{CLAIM}")
    expect(anon.locator("h1.claim-text")).to_be_visible()
    expect(anon.locator("section.comments")).to_have_count(0)
    assert hanako.errors == [] and taro.errors == []
