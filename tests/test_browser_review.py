"""Four eyes in headless Chromium (issue 15, "Done means"), with REVIEW_REQUIRED on: Hanako records a claim
(a draft, 404 to an anonymous browser) and sends it for review; Taro finds it in his queue and returns it
with a comment; Hanako sees the comment, fixes the claim and sends it again; Taro approves; now the
anonymous browser sees it, and Yuki, who follows its topic, sees it on /changes and in the topic's Atom
feed. Screenshots of the queue and of the changes page in English and Japanese."""

import os

import feedparser
import pytest
from browsing import SHOTS, new_page, sign_in
from helpers import kb_cmd, start_server, stop
from playwright.sync_api import expect
from test_browser import SOURCE

TOPIC = "data-centre-deals"
USERS = {"hanako": ("analyst", "hanako-pass-1"), "taro": ("analyst", "taro-pass-22"),
         "yuki": ("viewer", "yuki-pass-333")}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("review")
    data = ["--data-dir", str(folder / "data")]
    for name, (role, password) in USERS.items():
        r = kb_cmd(folder / "store", *data, "user", "add", name, "--role", role, stdin=password + "\n")
        assert r.returncode == 0, r.stderr
    os.environ["CLAIMKB_REVIEW_REQUIRED"] = "true"  # (read by the server when it starts)
    try:
        proc, url = start_server(folder / "store", pre=data)
    finally:
        del os.environ["CLAIMKB_REVIEW_REQUIRED"]
    yield url
    stop(proc)


def signed_in(browser, url, name):
    return sign_in(new_page(browser), url, name, USERS[name][1])


def test_two_analysts_review_a_claim_before_it_is_published(server, browser):
    yuki = signed_in(browser, server, "yuki")
    yuki.goto(f"{server}/topics/{TOPIC}")
    yuki.click("button.follow-button")
    expect(yuki.locator("button.unfollow")).to_be_visible()
    yuki.goto(f"{server}/changes")  # (the visit from which changes count)

    hanako = signed_in(browser, server, "hanako")
    hanako.goto(f"{server}/claims/new")
    hanako.fill("textarea[name=text_en]", "Microsoft paused a third data-centre deal.")
    hanako.select_option("select[name=claimant]", "microsoft")
    hanako.check(f"input[name=about][value={TOPIC}]")
    hanako.check(f"input[name=sources][value={SOURCE}]")
    hanako.click("#claim-form button[type=submit]")
    expect(hanako.locator(".draft-banner .draft-mark")).to_be_visible()
    expect(hanako.locator(".review-state")).to_have_text("draft")
    draft_url = hanako.url
    claim_id = hanako.locator("section.draft-record[data-kind=claim]").get_attribute("data-record")

    anon = browser.new_context().new_page()
    for path in (f"/claims/{claim_id}", draft_url.removeprefix(server), f"/api/claims/{claim_id}"):
        assert anon.goto(server + path).status == 404, path
    assert "third data-centre deal" not in anon.goto(f"{server}/?q=third").text()

    hanako.click("button.submit-draft")
    expect(hanako.locator(".review-state")).to_have_text("in review")

    taro = signed_in(browser, server, "taro")
    expect(taro.locator(".review-counts")).to_contain_text("1 awaiting")
    taro.click("a.review-link")
    row = taro.locator("#awaiting + table tr.draft-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Microsoft paused a third data-centre deal.")
    expect(row).to_contain_text("hanako")
    taro.screenshot(path=str(SHOTS / "review-queue-en.png"), full_page=True)
    taro.goto(f"{server}/lang/ja?next=/review")
    expect(taro.locator("h1")).to_have_text("審査キュー")
    taro.screenshot(path=str(SHOTS / "review-queue-ja.png"), full_page=True)
    taro.goto(f"{server}/lang/en?next=/review")
    taro.click("#awaiting + table tr.draft-row a >> nth=0")
    expect(taro.locator("button.approve-draft")).to_be_visible()
    taro.fill("form.return-form textarea[name=comment]", "Which deal? Say where it was reported. <script>x</script>")
    taro.click("button.return-draft")
    expect(taro.locator(".review-state")).to_have_text("returned")

    hanako.goto(draft_url)
    expect(hanako.locator(".returned-comment")).to_contain_text("Which deal? Say where it was reported. <script>x</script>")
    hanako.screenshot(path=str(SHOTS / "review-draft-returned-en.png"), full_page=True)
    hanako.goto(f"{server}/lang/ja?next={draft_url.removeprefix(server)}")
    expect(hanako.locator(".review-state")).to_have_text("差し戻し")
    hanako.screenshot(path=str(SHOTS / "review-draft-returned-ja.png"), full_page=True)
    hanako.goto(f"{server}/lang/en?next={draft_url.removeprefix(server)}")
    hanako.fill("textarea[name=text_en]", "Microsoft reportedly paused a third data-centre deal, in Ohio.")
    hanako.click("form.draft-edit button[type=submit]")
    expect(hanako.locator("table.fields")).to_contain_text("in Ohio")
    hanako.click("button.submit-draft")
    expect(hanako.locator(".review-state")).to_have_text("in review")
    assert anon.goto(f"{server}/claims/{claim_id}").status == 404

    taro.goto(draft_url)
    taro.click("button.approve-draft")
    expect(taro.locator(".review-state")).to_have_text("published")
    expect(taro.locator("ol.steps li.step")).to_have_count(4)  # submit, return, submit, approve

    assert anon.goto(f"{server}/claims/{claim_id}").status == 200
    expect(anon.locator("h1.claim-text")).to_contain_text("in Ohio")
    expect(anon.locator(".draft-mark")).to_have_count(0)

    yuki.goto(f"{server}/changes")
    expect(yuki.locator("ol.changes")).to_contain_text("in Ohio")
    yuki.screenshot(path=str(SHOTS / "review-changes-en.png"), full_page=True)
    yuki.goto(f"{server}/lang/ja?next=/changes%3Fall%3D1")
    expect(yuki.locator("ol.changes")).to_contain_text("in Ohio")
    yuki.screenshot(path=str(SHOTS / "review-changes-ja.png"), full_page=True)
    feed = feedparser.parse(anon.request.get(f"{server}/topics/{TOPIC}/changes.atom").body())
    assert any(claim_id in e.link for e in feed.entries), [e.link for e in feed.entries]
    assert hanako.errors == [] and taro.errors == [] and yuki.errors == []
