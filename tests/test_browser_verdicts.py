"""A verdict and a counter-claim recorded in headless Chromium (Debian's chromium, driven by Playwright),
and seen on the claim page in English and Japanese. Screenshots go to tests/screenshots/."""

import re

import pytest
from browsing import new_page, shot, sign_in
from helpers import kb_cmd, start_server, stop
from playwright.sync_api import expect

PASSWORD = "hanako-pass-1"
CLAIM = "ms-cancelled-datacentre-deals"
SOURCE = "windows-central-ms-ai-self-sufficiency"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-verdicts")
    data = ["--data-dir", str(folder / "data")]
    r = kb_cmd(folder / "store", *data, "user", "add", "hanako", "--role", "analyst", stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    proc, url = start_server(folder / "store", pre=data)
    yield url
    stop(proc)


@pytest.fixture(scope="module")
def page(server, browser):
    pg = new_page(browser)
    yield pg
    pg.context.close()
    assert pg.errors == [], f"JavaScript errors: {pg.errors}"


def test_record_a_verdict_and_a_counter_claim_and_see_both_in_two_languages(server, page):
    sign_in(page, server, "hanako", PASSWORD)

    # the verdict, from the form on the claim page
    page.goto(f"{server}/claims/{CLAIM}")
    expect(page.locator(".verdict-line")).to_contain_text("No verdict yet")
    page.check("#verdict-form input[name=rating][value=misleading]")
    page.fill("#verdict-form textarea[name=text_en]", "Two deals were paused, not cancelled; Microsoft says "
                                                      "its commitments to OpenAI stand.")
    page.fill("#verdict-form textarea[name=text_ja]", "2件の契約は中断されたのであって破棄ではない。")
    page.select_option("#verdict-form select[name=sources]", SOURCE)
    page.click("#verdict-form button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/claims/{CLAIM}#verdict$"))
    expect(page.locator(".verdict-box")).to_have_attribute("data-verdict", "misleading")

    # a denial with a counter-claim, from the dispute form
    page.click("a.button >> text=Record a dispute")
    page.select_option("select[name=party]", "sam-altman")
    page.check("input[name=stance][value=denies]")
    page.fill("textarea[name=text_en]", "Altman denies it; he says OpenAI is no longer compute-constrained.")
    page.check(f"input[name=sources][value={SOURCE}]")
    page.fill("input[name=date]", "2025-09-12")
    page.fill("textarea[name=counter_claim_en]", "OpenAI is no longer compute-constrained.")
    page.fill("textarea[name=counter_claim_ja]", "OpenAIはもはや計算資源に制約されていない。")
    page.click("#dispute-form button[type=submit]")
    expect(page).to_have_url(f"{server}/claims/{CLAIM}")

    # both on the page, the status and the verdict each under its own label
    expect(page.locator(".status-line")).to_contain_text("What the parties say")
    expect(page.locator(".status-line .status")).to_have_attribute("data-status", "disputed")
    expect(page.locator(".verdict-line")).to_contain_text("What we conclude")
    expect(page.locator(".verdict-line .verdict")).to_contain_text("misleading")
    expect(page.locator(".verdict-box")).to_contain_text("paused, not cancelled")
    counter = page.locator(".counter-claim a")
    expect(counter.first).to_contain_text("OpenAI is no longer compute-constrained.")
    shot(page, "verdict-claim-page")

    # the counter-claim is a claim of its own, Altman's, that can itself be disputed; relate it
    counter.first.click()
    expect(page.locator("dl.facts")).to_contain_text("Sam Altman")
    expect(page.locator("a.button >> text=Record a dispute")).to_be_visible()
    counter_url = page.url
    page.click("details.relation-form-box summary")
    page.select_option("#relation-form select[name=relation]", "contradicts")
    page.fill("#relation-form input[name=claim]", CLAIM)
    page.click("#relation-form button[type=submit]")
    expect(page.locator(".related li[data-direction=out]")).to_contain_text("data-centre deals")
    shot(page, "counter-claim-page")
    page.goto(f"{server}/claims/{CLAIM}")
    expect(page.locator(".related li[data-direction=in]")).to_contain_text("no longer compute-constrained")
    expect(page.locator(".related li[data-direction=in] a")).to_have_attribute("href", counter_url.split(server)[1])

    # in Japanese
    page.goto(f"{server}/claims/{CLAIM}?lang=ja")
    expect(page.locator(".status-line")).to_contain_text("当事者の主張")
    expect(page.locator(".status-line .status")).to_have_text("係争中")
    expect(page.locator(".verdict-line")).to_contain_text("当方の結論")
    expect(page.locator(".verdict-line .verdict")).to_contain_text("ミスリーディング")
    expect(page.locator(".verdict-box")).to_contain_text("中断されたのであって破棄ではない")
    expect(page.locator(".counter-claim")).to_contain_text("反対主張")
    expect(page.locator(".counter-claim")).to_contain_text("OpenAIはもはや計算資源に制約されていない。")
    shot(page, "verdict-claim-page-ja")

    # the list's verdict facet
    page.goto(f"{server}/?lang=en")
    page.click(".facet[data-facet=verdict] a[data-value=misleading]")
    expect(page.locator("ol.claims li.claim")).to_have_count(1)
    expect(page.locator("ol.claims li.claim .verdict")).to_contain_text("misleading")
    shot(page, "verdict-list-facet")
