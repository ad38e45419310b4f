"""The analysts' web UI in headless Chromium (Debian's chromium, driven by Playwright).

Screenshots of the main pages go to tests/screenshots/ for a person to look at.
"""

import re

import browsing
import pytest
from browsing import new_page, shot
from helpers import kb_cmd, start_server, stop
from playwright.sync_api import expect
from rdflib import Graph, URIRef
from servers import OxigraphServer

PASSWORD = "hanako-pass-1"
SOURCE = "windows-central-ms-ai-self-sufficiency"


@pytest.fixture(scope="module", params=["embedded", "oxigraph-2-workers"])
def server(request, tmp_path_factory):
    """The same tests on the embedded store, and on an Oxigraph server behind two gunicorn workers."""
    folder = tmp_path_factory.mktemp("browser")
    data = ["--data-dir", str(folder / "data")]
    oxigraph = None
    if request.param == "embedded":
        store, extra = folder / "store", ()
    else:
        oxigraph = OxigraphServer(folder / "oxigraph")
        store, extra = oxigraph.url, ("--workers", "2", "--threads", "4")
    r = kb_cmd(store, *data, "user", "add", "hanako", "--role", "analyst", stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    proc, url = start_server(store, *extra, pre=data)
    yield url
    stop(proc)
    if oxigraph:
        oxigraph.stop()


@pytest.fixture
def page(browser):
    pg = new_page(browser)
    yield pg
    pg.context.close()
    assert pg.errors == [], f"JavaScript errors: {pg.errors}"


def sign_in(page, url):
    browsing.sign_in(page, url, "hanako", PASSWORD)


def test_record_dispute_search_and_facet(server, page):
    page.goto(f"{server}/login")
    page.fill("input[name=name]", "hanako")
    page.fill("input[name=password]", "wrong-password")
    page.click("form.record button[type=submit]")
    expect(page.locator(".form-problems")).to_contain_text("wrong")
    shot(page, "login")
    sign_in(page, server)

    # a form with problems keeps what was typed and shows each problem beside its field
    page.goto(f"{server}/claims/new")
    page.fill("textarea[name=text_en]", "Contoso reportedly plans its own AI chips.")
    page.fill("input[name=date]", "2025-13-45")
    page.click("#claim-form button[type=submit]")
    expect(page.locator(".form-problems")).to_be_visible()
    expect(page.locator(".field-error[data-field=claimant]")).to_contain_text("claimant")
    expect(page.locator(".field-error[data-field=date]")).to_contain_text("valid date")
    expect(page.locator(".field-error[data-field=sources]")).to_be_visible()
    expect(page.locator("textarea[name=text_en]")).to_have_value("Contoso reportedly plans its own AI chips.")
    shot(page, "claim-form-problems")

    # record it properly, in both languages, with a new claimant added inline
    page.fill("textarea[name=text_ja]", "コントソは独自のAIチップを計画していると報じられた。")
    page.fill("input[name=date]", "2025-10")
    page.click("details.inline-new >> nth=0")
    page.fill("input[name=new_claimant_name_en]", "Contoso Watcher")
    page.select_option("select[name=new_claimant_type]", "Organization")
    page.check("input[name=about][value=microsoft]")
    page.check("input[name=about][value=openai]")
    page.check(f"input[name=sources][value={SOURCE}]")
    page.fill("input[name=sourcing]", "reportedly")
    page.click("#claim-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/claims/contoso-reportedly-plans-its-own-ai-[0-9a-f]{8}$"))
    claim_url = page.url
    expect(page.locator(".status-line .status")).to_have_attribute("data-status", "reported")
    expect(page.locator("h1.claim-text")).to_contain_text("Contoso reportedly plans")
    expect(page.locator("dl.facts")).to_contain_text("Contoso Watcher")
    expect(page.locator(".provenance")).to_contain_text("hanako")

    # dispute it: the status turns "disputed"
    page.click("a.button >> text=Record a dispute")
    page.select_option("select[name=party]", "microsoft")
    page.check("input[name=stance][value=denies]")
    page.fill("textarea[name=text_en]", "Microsoft said the report is wrong.")
    page.fill("textarea[name=text_ja]", "マイクロソフトは報道は誤りだと述べた。")
    page.check(f"input[name=sources][value={SOURCE}]")
    page.fill("input[name=date]", "2025-10-02")
    shot(page, "dispute-form")
    page.click("#dispute-form button[type=submit]")
    expect(page).to_have_url(claim_url)
    expect(page.locator(".status-line .status")).to_have_attribute("data-status", "disputed")
    expect(page.locator("li.event-dispute")).to_have_count(1)
    expect(page.locator("li.event-dispute")).to_contain_text("Microsoft said the report is wrong.")
    shot(page, "claim-page")

    # find it by search, in Japanese and in English
    for words in ("コントソは独自", "contoso REPORTEDLY"):
        page.goto(server + "/")
        page.fill("input[name=q]", words)
        page.press("input[name=q]", "Enter")
        expect(page.locator("ol.claims li.claim")).to_have_count(1)
        expect(page.locator("ol.claims")).to_contain_text("Contoso reportedly plans")
    # and by facets: disputed, then the disputing party
    page.goto(server + "/")
    shot(page, "claim-list")
    page.click(".facet[data-facet=status] a[data-value=disputed]")
    expect(page.locator("ol.claims li.claim")).to_have_count(4)
    page.click(".facet[data-facet=party] a[data-value=microsoft]")
    expect(page.locator("ol.claims li.claim")).to_have_count(2)
    expect(page.locator("ol.claims")).to_contain_text("Contoso reportedly plans")
    expect(page.locator(".active-filters .chip")).to_have_count(2)
    shot(page, "claim-list-faceted")


def test_language_switch_and_fallback(server, page):
    page.goto(server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.click(".langs a[data-lang=ja]")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("header nav")).to_contain_text("主張")
    expect(page.locator("ol.claims li.claim").first.locator(".claim-text span[lang=ja]")).to_be_visible()
    shot(page, "claim-list-ja")
    page.goto(server + "/claims/ms-cancelled-datacentre-deals")  # the cookie keeps Japanese
    expect(page.locator("h1.claim-text")).to_contain_text("データセンター契約を破棄した")
    expect(page.locator(".status-line .status")).to_have_text("係争中")
    shot(page, "claim-page-ja")
    # a text only in English is shown with a marker saying so
    page.goto(server + "/agents/sam-altman")
    expect(page.locator("h1")).to_contain_text("サム・アルトマン")
    page.goto(server + "/query?query=" + "SELECT ?x WHERE { BIND(1 AS ?x) }")
    page.click(".langs a[data-lang=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_search_shows_where_it_matched_in_both_languages(server, page):
    """Issue 17 §2: a name finds what its bearer claimed and disputed; the match is marked."""
    page.goto(server + "/?q=Altman")
    claims = page.locator("ol.claims li.claim")
    expect(claims.first).to_be_visible()
    ids = [a.get_attribute("href").rsplit("/", 1)[-1] for a in claims.locator("a.claim-text").all()]
    assert "ms-cancelled-datacentre-deals" in ids  # he denied it: found through his dispute
    expect(page.locator("ol.claims .match mark").first).to_be_visible()
    shot(page, "search-marks")
    page.click(".langs a[data-lang=ja]")
    page.goto(server + "/?q=" + "ＤＡＴＡ　ｃｅｎｔｒｅ")  # full-width, a space where the text has a hyphen
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("ol.claims li.claim").first).to_be_visible()
    page.goto(server + "/?q=" + "否定")  # the word of the denials, in dispute texts
    expect(page.locator("ol.claims .match mark").first).to_have_text("否定")
    shot(page, "search-marks-ja")


def test_fallback_marker_for_a_text_in_one_language(server, page):
    sign_in(page, server)
    page.goto(f"{server}/claims/new")
    page.fill("textarea[name=text_en]", "Only English text here about OpenAI.")
    page.select_option("select[name=claimant]", "openai")
    page.check("input[name=about][value=openai]")
    page.check(f"input[name=sources][value={SOURCE}]")
    page.click("#claim-form button[type=submit]")
    expect(page.locator(".status-line .status")).to_be_visible()
    page.click(".langs a[data-lang=ja]")
    expect(page.locator("h1.claim-text abbr.fallback")).to_have_text("en")
    expect(page.locator("h1.claim-text span[lang=en]")).to_contain_text("Only English text")


def test_example_sparql_query(server, page):
    page.goto(server + "/query")
    expect(page.locator(".CodeMirror")).to_be_visible()  # the editor loaded from the vendored files
    page.click("a[data-example=who-denies-most]")
    expect(page.locator("table.results tbody tr").first).to_be_visible()
    parties = page.locator("table.results tbody tr td:first-child span[lang=en]").all_inner_texts()
    assert "Sam Altman" in parties and "Microsoft" in parties
    shot(page, "query-page")
    # type a query of one's own into the editor and run it with Ctrl-Enter
    page.wait_for_function("window.claimkbEditor !== undefined")
    page.evaluate("window.claimkbEditor.setValue('SELECT (COUNT(*) AS ?n) WHERE { ?c a schema:Claim }')")
    page.locator(".CodeMirror textarea").press("Control+Enter")
    expect(page.locator("table.results tbody td")).to_have_text(re.compile(r"^\d+$"))
    # a malformed query says why, in place (on the page Ctrl-Enter loaded: its editor made anew)
    page.wait_for_function("window.claimkbEditor !== undefined")
    page.evaluate("window.claimkbEditor.setValue('SELECT ?x WHERE { ?x ')")
    page.click("#run")
    expect(page.locator(".form-problems")).to_contain_text("malformed")


def test_download_turtle_and_parse_it(server, page):
    page.goto(server + "/claims/ms-cancelled-datacentre-deals")
    with page.expect_download() as dl:
        page.click("a.download-turtle")
    g = Graph().parse(dl.value.path(), format="turtle")
    claim = URIRef("https://w3id.org/claimkb/id/claims/ms-cancelled-datacentre-deals")
    assert (claim, None, None) in g and len(set(g.subjects(URIRef("https://w3id.org/claimkb/ns#disputes"),
                                                         claim))) == 1
    page.goto(server + "/?status=disputed")
    with page.expect_download() as dl:
        page.click("a.download-turtle")
    g = Graph().parse(dl.value.path(), format="turtle")
    claims = set(g.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                            URIRef("http://schema.org/Claim")))
    assert len(claims) == int(re.search(r"\d+", page.locator("h1 small").inner_text()).group())
    page.click("details.show-sparql summary")
    expect(page.locator("pre.sparql-text")).to_contain_text('FILTER(?status = "disputed")')


def test_agent_and_source_pages(server, page):
    page.goto(server + "/agents/sam-altman")
    expect(page.locator("h1")).to_contain_text("Sam Altman")
    shot(page, "agent-page")
    # a list longer than a page shows its newest claims and leads to the claim list, which pages the rest
    page.goto(server + "/agents/openai?lang=ja")
    more = page.locator("p.more a")  # (the seed names OpenAI in 25 claims; the tests before may add some)
    expect(more).to_have_text(re.compile(r"^\d+ 件のうち新しい 20 件を表示しています。主張一覧ですべて見る →$"))
    total = re.match(r"\d+", more.inner_text()).group()
    more.scroll_into_view_if_needed()
    shot(page, "agent-page-more-ja")
    page.goto(server + "/agents/openai?lang=en")
    more.click()
    expect(page).to_have_url(server + "/?about=openai")
    expect(page.locator("h1 small")).to_have_text(f"{total} claims")
    shot(page, "agent-page-more-list")
    page.goto(f"{server}/sources/{SOURCE}")
    expect(page.locator("h1")).to_contain_text("self-sufficiency")
    shot(page, "source-page")
    page.locator("ol.claims a.claim-text").first.click()
    expect(page.locator(".status-line")).to_be_visible()
