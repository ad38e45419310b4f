"""Search that finds what analysts type (issue 17): width, case, spaces and hyphens
between words do not matter; disputes, quotes and the names of the claimant, the parties
and the entities are searched; the best match comes first and says where it matched.

Library tests run on every backend (``seeded``): the claim index (embedded) and SPARQL
(``use_index=False``, and the server stores) must give the same claims in the same order."""

import sqlite3
import sys
import unicodedata
from pathlib import Path

import pytest

from app import create_app
from app.i18n import MESSAGES
from kb import open_kb
from kb.text import KINDS, fold, separators, where_matched, words

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import generate  # noqa: E402

SOURCE = "windows-central-ms-ai-self-sufficiency"
CANCELLED = "ms-cancelled-datacentre-deals"  # "data-centre"; disputed by Sam Altman, who denied (否定) it
BLOCKING = "ms-blocking-openai-for-profit-plans"  # Microsoft denied (否定) it
FIRED = "openai-board-fired-altman-not-candid"  # "Sam Altman was abruptly fired…"
STARGATE = "openai-announced-stargate"  # "data centres"
REINSTATED = "altman-reinstated-after-staff-protest"  # "Sam Altman returned…", about him
COMPUTE = "altman-openai-no-longer-compute-constrained"  # claimed by Altman: "…constrained by compute capacity"


def ids(kb, q, **kw):
    """The claims a search finds, best first, checked against SPARQL where there is a claim index."""
    found = kb.list_claims(q=q, limit=500, **kw)
    if kb.data.index is not None:
        store = kb.list_claims(q=q, limit=500, use_index=False, **kw)
        assert [c["id"] for c in found["claims"]] == [c["id"] for c in store["claims"]], q
        assert found["total"] == store["total"], q
    assert found["total"] == len(found["claims"])
    return [c["id"] for c in found["claims"]]


def match_of(kb, q, claim):
    return next(c["match"] for c in kb.list_claims(q=q, limit=500)["claims"] if c["id"] == claim)


def marked(field):
    return [field["snippet"][s:e] for s, e in field["marks"]]


# ---- the normalisation ------------------------------------------------------------------
def test_one_fold_for_width_case_and_separators():
    assert fold("ＡＩ") == fold("AI") == "ai"
    assert fold("Data Centre") == fold("data-centre") == fold("datacentre") == fold("ｄａｔａ－ｃｅｎｔｒｅ") == "datacentre"
    assert fold("ﾃﾞｰﾀｾﾝﾀｰ") == fold("データ　センター") == "データセンター"
    assert fold("サム・アルトマン") == "サムアルトマン" and fold("Microsoft–OpenAI") == "microsoftopenai"


def test_the_separators_sparql_removes_are_those_fold_removes():
    scanned = [chr(c) for c in [*range(0xD800), *range(0xE000, 0x10000)] if fold(chr(c)) == ""]
    assert list(separators()) == scanned


def test_width_case_and_separators_do_not_matter(seeded):
    ai = ids(seeded, "AI")
    assert ai and ids(seeded, "ＡＩ") == ai == ids(seeded, "ai")
    centre = ids(seeded, "data centre")
    assert centre[:2] == [CANCELLED, STARGATE]
    for q in ("datacentre", "data-centre", "DATA-CENTRE", "ｄａｔａ　ｃｅｎｔｒｅ", "Data–Centre"):
        assert ids(seeded, q) == centre, q
    assert ids(seeded, "ﾃﾞｰﾀｾﾝﾀｰ") == ids(seeded, "データセンター") != []
    assert seeded.list_claims(q=" - ・ ")["total"] == seeded.summary()["claims"]  # no words: no search


# ---- what is searched -----------------------------------------------------------------
def test_disputes_quotes_and_names_are_searched(seeded):
    kb = seeded
    # his name in claim texts first, then in a dispute's text (what he denied), then as a claimant's name;
    # the seed's claims share a date and a write time, so within a rank they come by IRI
    assert ids(kb, "Altman") == ids(kb, "アルトマン") == [REINSTATED, FIRED, CANCELLED, COMPUTE]
    kb.add_claim({"id": "altman-says-compute-is-fine", "text": {"en": "Compute is no longer a constraint."},
                  "claimant": "sam-altman", "about": ["openai"], "sources": [SOURCE], "date": "2020-01-01"}, by="t")
    assert ids(kb, "Altman") == ids(kb, "アルトマン") == ids(kb, "サム・アルトマン") == \
        [REINSTATED, FIRED, CANCELLED, COMPUTE, "altman-says-compute-is-fine"]  # a claimant's name: newest first
    assert match_of(kb, "アルトマン", "altman-says-compute-is-fine")["fields"][0]["field"] == "claimant"
    # 否定 ("denied") is only in the disputes' texts and quotes
    assert sorted(ids(kb, "否定")) == sorted([CANCELLED, BLOCKING])
    # an entity's Japanese and English names find the same claims (its claims name it both ways here)
    assert set(ids(kb, "マイクロソフト")) == set(ids(kb, "Microsoft"))
    assert len(ids(kb, "Microsoft")) > 14  # the claim texts alone had 14; its name finds the rest
    # a topic's label: what a claim is about
    assert CANCELLED in ids(kb, "マイクロソフトのデータセンター契約")


def _ranked(kb):
    """Five claims holding "zebra crossing": in the text (two), in a dispute, in the claimant's
    name, and the two words apart (the newest of all)."""
    common = {"about": ["openai"], "sources": [SOURCE]}
    kb.add_claim({"id": "z-text-old", "text": {"en": "The zebra crossing again."}, "claimant": "openai",
                  "date": "2019-01-01", **common}, by="t")
    kb.add_claim({"id": "z-text", "text": {"en": "The Zebra-Crossing was repainted."}, "claimant": "openai",
                  "date": "2020-01-01", **common}, by="t")
    kb.add_claim({"id": "z-dispute", "text": {"en": "Nothing to see."}, "claimant": "openai", "date": "2021-01-01",
                  "disputes": [{"party": "microsoft", "stance": "denies", "text": {"en": "No zebra crossing here."},
                                "sources": [SOURCE]}], **common}, by="t")
    kb.add_claim({"id": "z-name", "text": {"en": "Something else."}, "claimant": "zebra-co", "date": "2022-01-01",
                  **common}, by="t",
                 new={"agents": [{"id": "zebra-co", "type": "Organization",
                                  "name": {"en": "Zebra Crossing Ltd", "ja": "ゼブラ横断株式会社"}}]})
    kb.add_claim({"id": "z-words", "text": {"en": "A zebra was seen."}, "claimant": "openai", "date": "2023-01-01",
                  "disputes": [{"party": "microsoft", "stance": "disputes", "text": {"en": "Nobody was crossing."},
                                "sources": [SOURCE]}], **common}, by="t")


def test_best_match_first_then_newest(seeded):
    _ranked(seeded)
    assert ids(seeded, "zebra crossing") == ["z-text", "z-text-old", "z-dispute", "z-name", "z-words"]
    assert ids(seeded, "ZEBRA-CROSSING") == ["z-text", "z-text-old", "z-dispute", "z-name"]  # one word: no scatter
    # the words the other way round are no phrase anywhere: all scattered, newest first
    assert ids(seeded, "crossing zebra") == ["z-words", "z-name", "z-dispute", "z-text", "z-text-old"]
    assert ids(seeded, "ゼブラ 横断") == ["z-name"]
    page = seeded.list_claims(q="zebra crossing", limit=2, offset=2)
    assert [c["id"] for c in page["claims"]] == ["z-dispute", "z-name"] and page["total"] == 5
    # the facets count the search's claims
    facets = seeded.list_claims(q="zebra crossing", facets=True)["facets"]
    assert sum(f["count"] for f in facets["status"]) == 5
    assert {f["value"]: f["count"] for f in facets["claimant"]} == {"openai": 4, "zebra-co": 1}
    # and without a search the list is newest first as ever
    listed = [c["id"] for c in seeded.list_claims(limit=500)["claims"] if c["id"].startswith("z-")]
    assert listed == ["z-words", "z-name", "z-dispute", "z-text", "z-text-old"]


def test_where_it_matched(seeded):
    kb = seeded
    m = match_of(kb, "否定", BLOCKING)
    assert m["phrase"] and m["fields"][0]["field"] == "dispute" and m["fields"][0]["lang"] == "ja"
    assert m["fields"][0]["record"] == f"{BLOCKING}--microsoft-denies" and marked(m["fields"][0]) == ["否定"]
    assert [f["field"] for f in m["fields"]] == ["dispute", "quote"]
    m = match_of(kb, "ｄａｔａ　ｃｅｎｔｒｅ", CANCELLED)
    assert (m["fields"][0]["field"], m["fields"][0]["lang"]) == ("text", "en")
    assert marked(m["fields"][0]) == ["data-centre"]
    m = match_of(kb, "Altman compute", COMPUTE)  # the words apart: one in the claimant's name, one in the text
    assert not m["phrase"] and [f["field"] for f in m["fields"]] == ["claimant", "text"]
    assert [marked(f) for f in m["fields"]] == [["Altman"], ["compute"]]
    m = match_of(kb, "Altman", CANCELLED)
    assert [f["field"] for f in m["fields"]][:1] == ["dispute"] and "party" in [f["field"] for f in m["fields"]]


def test_where_it_matched_in_a_long_text_and_in_compatibility_characters():
    claim = {"id": "c", "text": {"en": "x " * 200 + "the needle here" + " y" * 200, "ja": "ﾃﾞｰﾀｾﾝﾀｰの計画"},
             "quote": None, "disputes": [], "claimant": None, "about": []}
    m = where_matched(claim, "needle")
    f = m["fields"][0]
    assert f["snippet"].startswith("…") and f["snippet"].endswith("…") and len(f["snippet"]) <= 162
    assert marked(f) == ["needle"]
    assert marked(where_matched(claim, "データセンター")["fields"][0]) == ["ﾃﾞｰﾀｾﾝﾀｰ"]
    assert marked(where_matched(claim, " ".join(words("計画 ﾃﾞｰﾀ")))["fields"][0]) == ["ﾃﾞｰﾀ", "計画"]


# ---- the data side: what SPARQL can fold, and what it cannot ------------------------------
def test_compatibility_characters_in_the_data_are_found(seeded):
    seeded.add_claim({"id": "wide", "text": {"ja": "ＡＩチップのﾃﾞｰﾀｾﾝﾀｰ計画", "en": "ＮＥＷ　ＤＡＴＡ－ＣＥＮＴＲＥ plans"},
                      "claimant": "openai", "about": ["openai"], "sources": [SOURCE]}, by="t")
    for q in ("AIチップ", "データセンター計画", "data centre plans", "ﾃﾞｰﾀｾﾝﾀｰ", "new data"):
        assert "wide" in ids(seeded, q), q
    assert "wide" not in ids(seeded, "テータ")  # ﾃﾞ is デ, not テ
    assert marked(match_of(seeded, "データセンター", "wide")["fields"][0]) == ["ﾃﾞｰﾀｾﾝﾀｰ"]


def test_what_sparql_cannot_fold_is_said_per_backend(seeded, backend):
    """NFKC spells a ligature (ﬁ), ⑩, ㈱ or ½ with several characters; the SPARQL listing folds only
    the compatibility characters that are one character (kb.text.sparql_folds): the claim index
    finds these claims, SPARQL (a server store, or the check of the index) does not."""
    seeded.add_claim({"id": "ligature", "text": {"en": "A ﬁnal proﬁt of ⑩ units"}, "claimant": "openai",
                      "about": ["openai"], "sources": [SOURCE]}, by="t")
    store = [c["id"] for c in seeded.list_claims(q="final profit", use_index=False)["claims"]]
    listed = [c["id"] for c in seeded.list_claims(q="final profit")["claims"]]
    assert "ligature" not in store
    assert ("ligature" in listed) == (backend == "embedded")


# ---- every kind of write --------------------------------------------------------------------
def test_search_follows_every_kind_of_write(seeded):
    kb = seeded
    assert ids(kb, "quixotic") == [] and ids(kb, "Samuel") == []
    kb.add_dispute("openai-microsoft-signed-mou", {"party": "salesforce", "stance": "disputes",
                                                   "text": {"en": "A quixotic memorandum."}, "sources": [SOURCE]},
                   by="t")
    assert ids(kb, "quixotic") == ["openai-microsoft-signed-mou"]
    assert "openai-microsoft-signed-mou" in ids(kb, "セールスフォース")  # its party, by name
    # an agent renamed: its claims are found by its new names, in every language, not by the old ones
    kb.add_record("agent", {"id": "sam-altman", "type": "Person", "works_for": "openai",
                            "name": {"en": "Samuel Harris Altman", "ja": "サミュエル・アルトマン"}}, by="t")
    # (the claimant of one claim, a party of another, what two others are about: all names, one rank)
    assert ids(kb, "Samuel") == ids(kb, "サミュエル") == [COMPUTE, REINSTATED, CANCELLED, FIRED]
    assert ids(kb, "サム・アルトマン") == [REINSTATED, FIRED, CANCELLED]  # still in the texts themselves
    # a topic relabelled
    kb.add_record("topic", {"id": "data-centre-deals", "label": {"en": "Bit barns", "ja": "計算所の取引"}}, by="t")
    assert CANCELLED in ids(kb, "bit barns") and CANCELLED in ids(kb, "計算所")
    # a withdrawn dispute: neither its text, nor its quote, nor its party finds the claim
    kb.withdraw("dispute", f"{CANCELLED}--sam-altman-denies", by="t")
    assert ids(kb, "Samuel") == [COMPUTE, REINSTATED, FIRED] and ids(kb, "否定") == [BLOCKING]
    assert ids(kb, "compute capacity") == [COMPUTE]  # its own text; no longer the withdrawn denial's
    kb.restore("dispute", f"{CANCELLED}--sam-altman-denies", 1, by="t")
    assert ids(kb, "Samuel") == [COMPUTE, REINSTATED, CANCELLED, FIRED]
    # a claim withdrawn, and its text changed
    kb.withdraw("claim", "openai-microsoft-signed-mou", by="t")
    assert ids(kb, "quixotic") == []
    kb.add_claim({"id": FIRED, "text": {"en": "The board dismissed its chief executive."}, "claimant": "openai-board",
                  "about": ["openai"], "sources": [SOURCE]}, by="t")
    assert FIRED not in ids(kb, "abruptly fired") and ids(kb, "dismissed its chief") == [FIRED]


def test_an_index_made_by_the_previous_version_is_rebuilt_with_the_search(tmp_path, seed_bytes):
    kb = open_kb(str(tmp_path / "s"))
    kb.import_yaml(seed_bytes, by="t")
    before = kb.list_claims(q="否定", limit=50)
    kb.close()
    db = sqlite3.connect(tmp_path / "s" / "index.sqlite")
    db.execute("UPDATE meta SET value = '6' WHERE key = 'version'")
    db.execute("DELETE FROM fields")
    db.commit()
    db.close()
    kb = open_kb(str(tmp_path / "s"))
    assert kb.list_claims(q="否定", limit=50) == before and before["total"] == 2
    kb.close()
    kb = open_kb(str(tmp_path / "s"))  # an index of this version: its search columns load when first searched
    assert kb.list_claims(q="否定", limit=50) == before
    kb.close()


# ---- the claim index answers as SPARQL does, on a generated store --------------------------------
QUERIES = ["Analyst Person 12", "人物3", "unit 15", "Microsoft story", "マイクロソフトの話題", "denies the report 12",
           "報道12に対する", "ＡＩ", "ｄａｔａ－ｃｅｎｔｒｅ", "ﾃﾞｰﾀｾﾝﾀｰ", "chips report", "Oracle 報道", "of", "ai",
           "story 3 unit", "confirms", "グーグル 部門", "report 1 2", "x", "Article"]


@pytest.fixture(scope="module")
def generated():
    kb = open_kb(":memory:")
    kb.import_data(generate(600, seed=5), by="gen")
    yield kb
    kb.close()


@pytest.mark.parametrize("q", QUERIES)
def test_the_index_searches_as_sparql_does(generated, q):
    a = generated.list_claims(q=q, limit=500, facets=True)
    b = generated.list_claims(q=q, limit=500, facets=True, use_index=False)
    assert [c["id"] for c in a["claims"]] == [c["id"] for c in b["claims"]]
    assert a["total"] == b["total"] and a["facets"] == b["facets"]
    assert [c["match"] for c in a["claims"]] == [c["match"] for c in b["claims"]]
    assert all(c["match"]["fields"] for c in a["claims"])  # each says where


def test_searches_with_other_filters_and_dates(generated):
    for f in ({"status": "disputed"}, {"about": "org-1"}, {"date_from": "2024-06", "date_to": "2025-01-15"},
              {"party": "org-5"}, {"language": "en"}):
        a = generated.list_claims(q="report 1", limit=500, **f)
        b = generated.list_claims(q="report 1", limit=500, use_index=False, **f)
        assert [c["id"] for c in a["claims"]] == [c["id"] for c in b["claims"]] and a["total"], f


# ---- the JSON API and the list page -------------------------------------------------------------
@pytest.fixture
def client():
    return create_app({"TESTING": True}, kb=open_kb(":memory:")).test_client()


def test_the_api_says_where_each_claim_matched(client):
    r = client.get("/api/claims", query_string={"q": "否定"}).get_json()
    assert r["total"] == 2 and {c["id"] for c in r["claims"]} == {CANCELLED, BLOCKING}
    for c in r["claims"]:
        f = c["match"]["fields"][0]
        assert c["match"]["phrase"] and f["field"] == "dispute" and marked(f) == ["否定"]
    wide = client.get("/api/claims", query_string={"q": "ＡＩ", "limit": 50}).get_json()
    assert [c["id"] for c in wide["claims"]] == \
        [c["id"] for c in client.get("/api/claims?q=ai&limit=50").get_json()["claims"]]
    assert "match" not in client.get("/api/claims").get_json()["claims"][0]
    found = client.get("/", query_string={"q": "Altman"}, headers={"Accept": "application/json"}).get_json()
    assert next(c for c in found["claims"] if c["id"] == CANCELLED)["match"]["fields"][0]["field"] == "dispute"


def test_the_list_page_marks_the_match_in_both_languages(client):
    ja = client.get("/", query_string={"q": "否定", "lang": "ja"}, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert ja.count('<li class="claim"') == 2 and ja.count("<mark>否定</mark>") >= 2
    assert MESSAGES["match.phrase"]["ja"] in ja and MESSAGES["match.dispute"]["ja"] in ja
    en = client.get("/", query_string={"q": "data centre", "lang": "en"}, headers={"Accept": "text/html"})
    page = en.get_data(as_text=True)
    assert f'data-claim="{CANCELLED}"' in page and "<mark>data-centre</mark>" in page
    assert MESSAGES["match.phrase"]["en"] in page and MESSAGES["match.text"]["en"] in page
    words = client.get("/?q=Altman+compute", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'data-match="words"' in words and "<mark>Altman</mark>" in words and "<mark>compute</mark>" in words


def test_a_marked_match_is_escaped():
    from app.pages import marked as mark

    assert str(mark("<b>zebra</b> & co", [[3, 8]])) == "&lt;b&gt;<mark>zebra</mark>&lt;/b&gt; &amp; co"


def test_every_field_a_match_names_has_words_in_both_languages():
    for kind in KINDS:
        assert set(MESSAGES[f"match.{kind}"]) == {"en", "ja"}
    assert unicodedata.normalize("NFKC", "ｶﾞ") == "ガ"  # what the index relies on for half-width kana


def test_the_search_columns_follow_writes_made_while_they_load(tmp_path, seed_bytes, monkeypatch):
    """A store opened with its index: the columns a search uses load in a thread (started by the
    first list page's facets); a write made meanwhile is applied after, and the search answers as SPARQL does."""
    import threading

    from kb import columns

    kb = open_kb(str(tmp_path / "s"))
    kb.import_yaml(seed_bytes, by="t")
    kb.close()
    release, loading = threading.Event(), threading.Event()
    real = columns.load

    def slow(db):
        loading.set()
        release.wait(30)
        return real(db)

    monkeypatch.setattr(columns, "load", slow)  # (the index reads it from kb.columns when it loads)
    kb = open_kb(str(tmp_path / "s"))
    try:
        kb.list_claims(limit=1, facets=True)  # the first list page's facets start the load (kb.index)
        assert loading.wait(30)
        kb.add_dispute(CANCELLED, {"party": "salesforce", "stance": "disputes", "text": {"en": "Quixotic."},
                                   "sources": [SOURCE]}, by="t")
        kb.withdraw("dispute", f"{BLOCKING}--microsoft-denies", by="t")
        release.set()
        assert ids(kb, "quixotic") == [CANCELLED] and ids(kb, "否定") == [CANCELLED]
        assert ids(kb, "data centre") == [CANCELLED, STARGATE]
    finally:
        release.set()
        kb.close()
