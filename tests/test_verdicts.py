"""Verdicts: what analysts conclude about a claim, apart from its derived status (what the parties say).

The rating scheme in the vocabulary; a verdict recorded, superseded and kept in
the history; bad verdicts refused with nothing stored; the verdict facet on both
listings (the claim index and SPARQL); over HTTP: the API, the claim page (both
views labelled, in English and Japanese, the analysts' form) and the embedded
JSON-LD, a ClaimReview only once a verdict exists. Library tests run on every backend."""

import json
import re

import pytest
from helpers import sign_in, token_of

from kb import InvalidData, NotFound

CLAIM = "ms-cancelled-datacentre-deals"
OTHER = "openai-microsoft-signed-mou"
SOURCE = "windows-central-ms-ai-self-sufficiency"
HTML = {"Accept": "text/html"}


def embedded(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))


def test_the_rating_scheme_is_in_the_vocabulary(kb):
    scheme = kb.verdicts.scheme()
    assert list(scheme) == ["accurate", "mostly-accurate", "mixed", "misleading", "false", "unproven"]
    assert [scheme[k]["value"] for k in scheme] == [5, 4, 3, 2, 1, None]  # unproven stands off the scale
    for name, concept in scheme.items():
        assert concept["label"]["en"] and concept["label"]["ja"], name
        assert concept["definition"]["en"] and concept["definition"]["ja"], name
    assert scheme["false"]["label"] == {"en": "false", "ja": "誤り"}


def test_a_later_verdict_supersedes_and_the_history_keeps_both(seeded):
    before = seeded.get_claim(CLAIM)
    assert before["verdict"] is None
    seeded.verdicts.add(CLAIM, {"rating": "misleading", "text": {"en": "Context left out."},
                                "sources": [SOURCE], "date": "2025-10-01"}, by="ana")
    v = seeded.verdicts.add(CLAIM, {"rating": "false", "text": {"en": "Both companies deny it."}}, by="bob")
    assert v["rating"] == "false" and v["label"]["ja"] == "誤り" and v["author"]["id"] == "bob"
    assert (v["rating_value"], v["best_rating"], v["worst_rating"]) == (1, 5, 1)
    after = seeded.get_claim(CLAIM)
    assert after["verdict"]["rating"] == "false" and after["verdict"]["text"] == {"en": "Both companies deny it."}
    # the verdict is not part of the derived status: what the parties say is unchanged
    assert after["status"] == before["status"] and after["status_timeline"] == before["status_timeline"]
    history = seeded.verdicts.history(CLAIM)
    assert [(h["rating"], h["current"], h["author"]["id"]) for h in history] == [
        ("false", True, "bob"), ("misleading", False, "ana")]
    assert history[1]["date"] == "2025-10-01" and history[1]["sources"][0]["id"] == SOURCE


@pytest.mark.parametrize("record, field", [
    ({"rating": "pants-on-fire"}, "rating"),
    ({"text": {"en": "no rating"}}, "rating"),
    ({"rating": "false", "date": "2025-13-45"}, "date"),
    ({"rating": "false", "sources": ["no-such-source"]}, "sources"),
    ({"rating": "false", "verdict": "x"}, "verdict"),
])
def test_bad_verdicts_are_refused_and_nothing_is_stored(seeded, record, field):
    with pytest.raises(InvalidData) as e:
        seeded.verdicts.add(CLAIM, record, by="ana")
    assert field in {p.field for p in e.value.problems}
    assert seeded.get_claim(CLAIM)["verdict"] is None and seeded.verdicts.history(CLAIM) == []
    with pytest.raises(NotFound):
        seeded.verdicts.add("no-such-claim", {"rating": "false"}, by="ana")


def test_a_verdict_quotes_its_evidence(seeded):
    quote = "2つの大規模データセンター契約を破棄したと報じられました"
    v = seeded.verdicts.add(CLAIM, {"rating": "unproven", "quotes": [{"source": SOURCE, "exact": quote}]}, by="ana")
    assert v["quotes"] == [{"source": SOURCE, "exact": quote}] and v["sources"][0]["id"] == SOURCE
    with pytest.raises(InvalidData) as e:
        seeded.verdicts.add(CLAIM, {"rating": "false", "quotes": [{"source": "no-such-source", "exact": "x"}]},
                            by="ana")
    assert {p.field for p in e.value.problems} >= {"quote.source"}
    with pytest.raises(InvalidData) as e:
        seeded.verdicts.add(CLAIM, {"rating": "false", "quotes": [{"exact": "no source"}]}, by="ana")
    assert {p.field for p in e.value.problems} == {"quotes.1"}
    assert seeded.get_claim(CLAIM)["verdict"]["rating"] == "unproven"  # nothing stored


def test_the_verdict_facet_on_both_listings(seeded):
    seeded.verdicts.add(CLAIM, {"rating": "false"}, by="ana")
    seeded.verdicts.add(OTHER, {"rating": "accurate"}, by="ana")
    for use_index in (True, False):
        found = seeded.list_claims(verdict="false", use_index=use_index, facets=True)
        assert [c["id"] for c in found["claims"]] == [CLAIM] and found["total"] == 1
        assert found["claims"][0]["verdict"]["rating"] == "false"
        facet = seeded.list_claims(use_index=use_index, facets=True)["facets"]["verdict"]
        assert sorted((f["value"], f["count"]) for f in facet) == [("accurate", 1), ("false", 1)]
    # with a search (the claim index answers a search from its columns in memory): the same filter and facet
    for use_index in (True, False):
        searched = seeded.list_claims(q="Microsoft", use_index=use_index, facets=True)
        judged = {c["id"]: c["verdict"]["rating"] for c in searched["claims"] if c.get("verdict")}
        counts = dict((f["value"], f["count"]) for f in searched["facets"]["verdict"])
        assert counts == {r: list(judged.values()).count(r) for r in set(judged.values())} and judged
        only = seeded.list_claims(q="Microsoft", verdict="false", use_index=use_index)
        assert [c["id"] for c in only["claims"]] == [c for c, r in judged.items() if r == "false"]
    # superseded: the claim moves from one value to the other
    seeded.verdicts.add(CLAIM, {"rating": "accurate"}, by="ana")
    for use_index in (True, False):
        assert seeded.list_claims(verdict="false", use_index=use_index)["total"] == 0
        assert seeded.list_claims(verdict="accurate", use_index=use_index)["total"] == 2


# ---- over HTTP ------------------------------------------------------------------------------

def test_the_api_records_a_verdict_and_refuses_a_viewer(client, app):
    users = app.extensions["users"]
    ana = {"Authorization": f"Bearer {users.token('ana')}"}
    vic = {"Authorization": f"Bearer {users.token('vic')}"}
    assert client.get(f"/api/claims/{CLAIM}").get_json()["verdict"] is None
    body = {"rating": "false", "text": {"en": "No such deals were cancelled.", "ja": "そのような契約破棄はない。"},
            "sources": [SOURCE]}
    assert client.post(f"/api/claims/{CLAIM}/verdicts", json=body, headers=vic).status_code == 403
    assert client.post(f"/api/claims/{CLAIM}/verdicts", json=body).status_code == 401
    r = client.post(f"/api/claims/{CLAIM}/verdicts", json={**body, "rating": "wrong"}, headers=ana)
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "rating"
    assert client.get(f"/api/claims/{CLAIM}").get_json()["verdict"] is None  # nothing stored
    assert client.post("/api/claims/nope/verdicts", json=body, headers=ana).status_code == 404
    r = client.post(f"/api/claims/{CLAIM}/verdicts", json=body, headers=ana)
    assert r.status_code == 201
    v = client.get(f"/api/claims/{CLAIM}").get_json()["verdict"]
    assert {"rating", "label", "text", "author", "date"} <= set(v)
    assert v["rating"] == "false" and v["label"]["en"] == "false" and v["author"]["id"] == "ana"
    assert v["text"]["ja"] == "そのような契約破棄はない。"
    assert client.get(f"/api/claims/{OTHER}").get_json()["verdict"] is None
    assert client.get("/api/claims?verdict=false").get_json()["total"] == 1
    assert client.get("/api/claims?verdict=maybe").status_code == 400


def test_the_claim_page_shows_the_verdict_apart_from_the_status(client, app):
    page = client.get(f"/claims/{CLAIM}", headers=HTML).get_data(as_text=True)
    assert "What the parties say: the status" in page and "No verdict yet" in page
    ld = embedded(page)
    assert ld["@type"] == "Claim" and "reviewRating" not in json.dumps(ld)  # no verdict, no ClaimReview
    assert 'id="verdict-form"' not in page  # readers get no form
    sign_in(client)
    tok = token_of(client, f"/claims/{CLAIM}")
    page = client.get(f"/claims/{CLAIM}", headers=HTML).get_data(as_text=True)
    assert 'id="verdict-form"' in page and 'value="mostly-accurate"' in page
    r = client.post(f"/claims/{CLAIM}/verdicts", data={"csrf_token": tok, "rating": "misleading",
                                                       "text_en": "The deals were paused, not cancelled.",
                                                       "text_ja": "契約は中断されただけで破棄ではない。",
                                                       "sources": [SOURCE], "quote": "破棄したと報じられました"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/claims/{CLAIM}#verdict")
    page = client.get(f"/claims/{CLAIM}", headers=HTML).get_data(as_text=True)
    status_at = page.index("What the parties say: the status")
    verdict_at = page.index("What we conclude: the verdict")
    assert 'data-status="disputed"' in page[status_at:verdict_at]  # both shown, each under its own label
    assert 'data-verdict="misleading"' in page and "The deals were paused, not cancelled." in page
    assert f'class="verdict-quote" data-source="{SOURCE}">破棄したと報じられました' in page
    ld = embedded(page)
    assert ld["@type"] == "ClaimReview" and ld["itemReviewed"]["@type"] == "Claim"
    assert ld["itemReviewed"]["@id"].endswith(f"/claims/{CLAIM}") and ld["url"].endswith(f"/claims/{CLAIM}")
    assert ld["reviewRating"]["ratingValue"] == 2 and ld["reviewRating"]["alternateName"] == "misleading"
    assert ld["author"] == {"@type": "Organization", "name": "ClaimKB", "url": "http://localhost/"}
    # in Japanese
    page = client.get(f"/claims/{CLAIM}?lang=ja", headers=HTML).get_data(as_text=True)
    assert "当事者の主張:状態" in page and "当方の結論:判定" in page and "ミスリーディング" in page
    assert "契約は中断されただけで破棄ではない。" in page
    # the list's facet, in both languages
    page = client.get("/?lang=ja", headers=HTML).get_data(as_text=True)
    assert 'data-facet="verdict"' in page and "当方の判定" in page
    page = client.get("/?verdict=misleading", headers=HTML).get_data(as_text=True)
    assert f'data-claim="{CLAIM}"' in page and 'data-verdict="misleading"' in page


def test_a_viewer_cannot_use_the_verdict_form(client):
    sign_in(client, "vic")
    tok = token_of(client, f"/claims/{CLAIM}")
    r = client.post(f"/claims/{CLAIM}/verdicts", data={"csrf_token": tok, "rating": "false"}, headers=HTML)
    assert r.status_code == 403
    assert client.get(f"/api/claims/{CLAIM}").get_json()["verdict"] is None


def test_verdicts_on_the_time_axis(seeded):
    """Issue 14 §1: the status-as-of view gives the verdict of that date, and the claim's timeline draws each
    verdict (a diamond, apart from the parties' stances)."""
    seeded.verdicts.add(CLAIM, {"rating": "false", "text": {"ja": "契約は中断されただけ。"}, "date": "2025-10-01"}, by="ana")
    seeded.verdicts.add(CLAIM, {"rating": "misleading", "date": "2025-11-20"}, by="ana")
    assert seeded.get_claim(CLAIM, as_of="2025-09")["verdict"] is None  # none given yet
    assert seeded.get_claim(CLAIM, as_of="2025-10-15")["verdict"]["rating"] == "false"
    assert seeded.get_claim(CLAIM, as_of="2025-11")["verdict"]["rating"] == "misleading"
    assert seeded.get_claim(CLAIM)["verdict"]["rating"] == "misleading"
    assert seeded.get_claim(CLAIM, as_of="2025-10-15")["status"] == seeded.get_claim(CLAIM)["status"]


def test_the_claim_timeline_draws_each_verdict(client, app):
    kb = app.extensions["kb"]
    kb.verdicts.add(CLAIM, {"rating": "false", "date": "2025-10-01"}, by="ana")
    kb.verdicts.add(CLAIM, {"rating": "misleading", "date": "2025-11-20"}, by="ana")
    svg = client.get(f"/claims/{CLAIM}/timeline.svg").get_data(as_text=True)
    assert re.findall(r'data-kind="verdict"', svg) and re.findall(r'<polygon data-rating="(\w+)"', svg) == [
        "false", "misleading"]
    assert "Verdict: misleading" in svg
    page = client.get(f"/claims/{CLAIM}?lang=ja", headers=HTML).get_data(as_text=True)
    assert "判定: ミスリーディング" in page or "判定:ミスリーディング" in page
