"""Words on the page (issue 17, part 4): counts in their plural forms in English
and Japanese, the sourcing hedge in the reader's language, titles cut where a
word ends and marked with an ellipsis, dates that are only the source's shown
as such, and the embedded JSON-LD: a Claim, with no verdict nobody gave."""

import html
import json
import re
import xml.etree.ElementTree as ET

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from app import create_app
from app.i18n import MESSAGES, shorten, translate
from kb import open_kb
from kb.namespaces import KB, SDO

HTML = {"Accept": "text/html"}
CLAIM = "ms-cancelled-datacentre-deals"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def app():
    return create_app({"TESTING": True}, kb=open_kb(":memory:"))  # with the seed


@pytest.fixture
def client(app):
    return app.test_client()


def page(client, path, lang="en") -> str:
    sep = "&" if "?" in path else "?"
    r = client.get(f"{path}{sep}lang={lang}", headers=HTML)
    assert r.status_code == 200, path
    return r.get_data(as_text=True)


# ---- plurals ------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang,n,want", [
    ("en", 0, "0 disputes"), ("en", 1, "1 dispute"), ("en", 2, "2 disputes"),
    ("ja", 0, "反論等 0 件"), ("ja", 1, "反論等 1 件"), ("ja", 2, "反論等 2 件"),
])
def test_a_count_takes_its_plural_form_in_each_language(app, lang, n, want):
    with app.test_request_context(f"/?lang={lang}"):
        app.preprocess_request()
        assert translate("count.disputes", n=n) == want


def test_every_counting_text_has_the_forms_its_language_needs():
    counting = {k: v for k, v in MESSAGES.items() if any(isinstance(t, dict) for t in v.values())}
    assert {"count.disputes", "count.claims", "list.total", "query.rows", "form.problems"} <= set(counting)
    for key, forms in counting.items():
        assert set(forms["en"]) == {"one", "other"}, key  # "1 claim", "2 claims"
        assert isinstance(forms["ja"], str), key  # one form: 件 counts them all
        assert all("{n}" in t for t in [*forms["en"].values(), forms["ja"]]), key


def test_one_dispute_is_not_one_disputes(client):
    en = page(client, "/")
    counts = re.findall(r'<span class="count">([^<]*)</span>', en)
    assert "1 dispute" in counts and "1 disputes" not in en
    cards = re.findall(r'<div class="story-card"[^>]*>.*?<p class="small">([^<]*)</p>', en, re.S)
    assert cards and all(re.fullmatch(r"\d+ claims?, \d+ disputes?", c) for c in cards)
    assert any(c.endswith(", 1 dispute") for c in cards), cards
    assert "<small>31 claims</small>" in en
    ja = page(client, "/", "ja")
    assert '<span class="count">反論等 1 件</span>' in ja and "<small>31 件の主張</small>" in ja
    assert "3 disputes" in page(client, "/network") and "反論等 3 件" in page(client, "/network", "ja")
    one = page(client, "/query?query=SELECT ?x WHERE { BIND(1 AS ?x) }")
    assert re.search(r'class="row-count">1 row<', one)
    assert "<small>1 claim</small>" in page(client, "/?claimant=openai-and-microsoft")


# ---- the sourcing hedge -------------------------------------------------------------------------
def sourcing_shown(html: str) -> str:
    return re.search(r'<span class="sourcing" data-sourcing="([^"]+)">([^<]*)</span>', html).group(2)


@pytest.mark.parametrize("cid,en,ja", [
    (CLAIM, "reportedly", "報道によると"),
    ("ms-second-mover-advantage-plan", "suggested", "示唆"),
    ("ms-breaking-away-from-openai-reliance", "apparently", "推測(〜のようだ)"),
])
def test_the_sourcing_hedge_is_in_the_readers_language(client, cid, en, ja):
    assert sourcing_shown(page(client, f"/claims/{cid}")) == en
    ja_page = page(client, f"/claims/{cid}", "ja")
    assert sourcing_shown(ja_page) == ja
    assert f">{en}<" not in ja_page.split('class="facts"')[1].split("</dl>")[0]


def test_a_hedge_outside_the_scheme_is_shown_as_given(client, app):
    app.extensions["kb"].add_claim({"id": "hedged", "text": {"en": "Fabrikam builds chips."}, "claimant": "microsoft",
                                    "about": ["microsoft"], "sources": ["windows-central-ms-ai-self-sufficiency"],
                                    "sourcing": "allegedly"}, by="t")
    assert sourcing_shown(page(client, "/claims/hedged", "ja")) == "allegedly"


# ---- cut titles ---------------------------------------------------------------------------------
def test_shorten_cuts_where_a_word_ends_and_says_so():
    text = "Microsoft reportedly walked away from two large data-centre deals"
    short = shorten(text, 30)
    assert short == "Microsoft reportedly walked…" and len(short) <= 30
    assert shorten("Short enough", 30) == "Short enough"
    ja = "MicrosoftがChatGPTへの追加トレーニングサポートを提供したくないという理由で、2つの大規模データセンター契約を破棄した"
    short = shorten(ja, 40)
    assert short.endswith("…") and len(short) <= 40 and ja.startswith(short[:-1])
    assert short == "MicrosoftがChatGPTへの追加トレーニングサポートを…"  # after a particle
    assert shorten("x" * 50, 10) == "x" * 9 + "…"  # no word ends in reach: cut, and still marked


def test_timeline_titles_are_cut_at_a_word_with_an_ellipsis(client, app):
    text = app.extensions["kb"].get_claim(CLAIM)["text"]["en"]
    assert len(text) > 80
    svg = ET.fromstring(client.get(f"/claims/{CLAIM}/timeline.svg?lang=en").data)
    title = svg.find(f"{SVG}title").text
    cut = title.removeprefix("Timeline of: ")
    assert cut.endswith("…") and text.startswith(cut[:-1]) and text[len(cut) - 1] == " "
    assert f"<title>Timeline of: {cut}</title>" in page(client, f"/claims/{CLAIM}")
    # the story timeline's row labels too
    svg = ET.fromstring(client.get("/timeline.svg?lang=en").data)
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "row-label"]
    full = [t.text for t in svg.iter(f"{SVG}title")]
    cut = [label for label in labels if label.endswith("…")]
    assert cut
    for label in cut:
        whole = next(f for f in full if f and f.startswith(label[:-1]))
        assert whole[len(label) - 1] in " 、。" or not whole[len(label) - 2].isalnum(), label


# ---- dates that are only the source's -----------------------------------------------------------
def test_a_date_taken_from_the_source_is_shown_as_the_sources(client):
    en = html.unescape(page(client, f"/claims/{CLAIM}"))
    status = en.split('class="status-timeline"')[1].split("</section>")[0]
    assert "by 2025-09 (the source's date)" in status and "from 2025-09" not in status
    denial = en.split(f'id="{CLAIM}--sam-altman-denies"')[1].split("</li>")[0]
    assert "<time>2025-09</time>" in denial and 'data-dated-by="source"' in denial
    ja = page(client, f"/claims/{CLAIM}", "ja")
    assert "2025-09(出典の日付)までに" in ja.split('class="status-timeline"')[1]
    # a dispute with a date of its own keeps it, and the status holds from then
    mou = page(client, "/claims/openai-microsoft-signed-mou")
    assert "data-dated-by" not in mou.split('class="events"')[1].split("</ol>")[0]


def test_translated_words_are_marked_on_the_page(client):
    en = page(client, "/claims/suleyman-ai-self-sufficiency-mission-critical")
    assert '<blockquote lang="ja" class="translated">' in en and "not the words the speaker used" in en
    ja = page(client, "/claims/suleyman-ai-self-sufficiency-mission-critical", "ja")
    assert "翻訳:発言者が使った言葉そのものではありません。" in ja
    assert 'data-translated="true"' not in page(client, "/claims/ms-openai-partnership-turbulent")
    src = page(client, "/sources/windows-central-ms-ai-self-sufficiency")
    assert "Translation of" in src and "Windows Central" in src and "abmhh" in src
    note = page(client, "/claims/ms-aims-for-profit-goal-by-year-end", "ja")
    assert "アナリストのメモ" in note and "自己矛盾" in note


# ---- the embedded JSON-LD -----------------------------------------------------------------------
def embedded(client, cid) -> dict:
    html = page(client, f"/claims/{cid}")
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def as_graph(doc: dict) -> Graph:
    """The JSON-LD as RDF, with schema.org's context given inline (no network)."""
    doc = {**doc, "@context": [{"@vocab": "http://schema.org/"}, *doc["@context"][1:]]}
    return Graph().parse(data=json.dumps(doc), format="json-ld")


def test_the_embedded_json_ld_is_a_claim_with_the_parties_stances_and_no_verdict(client, app):
    ld = embedded(client, CLAIM)
    text = json.dumps(ld)
    assert ld["@type"] == "Claim" and "ClaimReview" not in text and "reviewRating" not in text
    assert "ClaimKB" not in text  # nobody is named a fact-checker
    g = as_graph(ld)
    claim = URIRef(app.extensions["kb"].iri("claim", CLAIM))
    assert (claim, RDF.type, SDO.Claim) in g and not set(g.subjects(RDF.type, SDO.ClaimReview))
    (dispute,) = g.subjects(KB.disputes, claim)
    assert (dispute, KB.stance, KB.Denies) in g
    party = g.value(dispute, KB.party)
    assert (party, RDF.type, SDO.Person) in g and (party, SDO.name, Literal("Sam Altman", lang="en")) in g
    # where it appears: the translation, with the work it translates
    src = g.value(claim, SDO.appearance)
    assert g.value(src, SDO.inLanguage) == Literal("ja")
    original = g.value(src, SDO.translationOfWork)
    assert g.value(original, SDO.inLanguage) == Literal("en")
    assert (g.value(original, SDO.publisher), SDO.name, Literal("Windows Central", lang="en")) in g
    # a claim no one disputes is a bare Claim too
    ld = embedded(client, "openai-microsoft-signed-mou")
    assert ld["@type"] == "Claim" and "@reverse" not in ld and ld["author"]["@type"] == "Organization"
    assert embedded(client, "altman-openai-no-longer-compute-constrained")["author"]["@type"] == "Person"
