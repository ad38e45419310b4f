"""Relations between claims and counter-claims.

A relation (supports, contradicts, same-as, refines) is a record with who, when
and a note; it is read both ways, undone by withdrawing it, and refused when the
relation or the other claim is unknown, when a claim would relate to itself, or
when a same-as circle would hide every claim of it. A duplicate (same-as) is listed
under the other claim, "also reported as" it, on both listings. A dispute may carry
a counter-claim: a claim of the party's own, written with it, that can itself be
disputed. Library tests run on every backend; then the API, YAML, the pages and the
two example queries."""

import re

import pytest
from helpers import sign_in, token_of

from kb import InvalidData, NotFound

CLAIM = "ms-cancelled-datacentre-deals"
A, B, C = "ms-off-frontier-models-lag-openai", "suleyman-build-frontier-models-in-house", "ms-second-mover-advantage-plan"
SOURCE = "windows-central-ms-ai-self-sufficiency"
HTML = {"Accept": "text/html"}


def rels(kb, claim):
    return sorted((r["relation"], r["claim"], r["direction"]) for r in kb.get_claim(claim)["relations"])


def test_relations_are_read_both_ways_and_undone(seeded):
    seeded.relations.add(A, {"relation": "contradicts", "claim": B, "note": {"en": "same speaker"}}, by="ana")
    seeded.relations.add(C, {"relation": "supports", "claim": A}, by="bob")
    assert rels(seeded, A) == [("contradicts", B, "out"), ("supports", C, "in")]
    assert rels(seeded, B) == [("contradicts", A, "in")]
    rid = next(r["id"] for r in seeded.get_claim(A)["relations"] if r["relation"] == "contradicts")
    history = seeded.history("relation", rid)
    assert history[0]["by"] == "ana" and any("same speaker" in t for t in history[0]["added"])
    seeded.relations.withdraw(rid, by="ana")
    assert rels(seeded, B) == [] and rels(seeded, A) == [("supports", C, "in")]
    assert [h["action"] for h in seeded.history("relation", rid)] == ["created", "withdrawn"]
    seeded.relations.add(A, {"relation": "contradicts", "claim": B}, by="ana")  # recorded again: a new version
    assert rels(seeded, B) == [("contradicts", A, "in")]


@pytest.mark.parametrize("record, field", [
    ({"relation": "undermines", "claim": B}, "relation"),
    ({"relation": "supports", "claim": "no-such-claim"}, "claim"),
    ({"relation": "supports", "claim": A}, "claim"),  # itself
    ({"relation": "supports"}, "claim"),
])
def test_bad_relations_are_refused_and_nothing_is_stored(seeded, record, field):
    with pytest.raises(InvalidData) as e:
        seeded.relations.add(A, record, by="ana")
    assert field in {p.field for p in e.value.problems} and e.value.status == 422
    assert rels(seeded, A) == []
    with pytest.raises(NotFound):
        seeded.relations.add("no-such-claim", {"relation": "supports", "claim": A}, by="ana")


def test_a_same_as_circle_that_would_hide_every_claim_is_refused(seeded):
    seeded.relations.add(A, {"relation": "same-as", "claim": B}, by="ana")
    seeded.relations.add(B, {"relation": "same-as", "claim": C}, by="ana")
    for frm, to in ((C, A), (B, A), (C, B)):
        with pytest.raises(InvalidData) as e:
            seeded.relations.add(frm, {"relation": "same-as", "claim": to}, by="ana")
        assert "hide" in e.value.problems[0].message
    assert rels(seeded, C) == [("same-as", B, "in")]
    assert seeded.list_claims(q="frontier", limit=50)["total"] >= 0  # the list still answers
    listed = {c["id"] for c in seeded.list_claims(limit=100)["claims"]}
    assert C in listed and A not in listed and B not in listed


def test_duplicates_are_listed_once_on_both_listings(seeded):
    before = {u: seeded.list_claims(limit=100, use_index=u, facets=True) for u in (True, False)}
    seeded.relations.add(A, {"relation": "same-as", "claim": C}, by="ana")
    seeded.relations.add(B, {"relation": "same-as", "claim": C}, by="ana")
    for use_index in (True, False):
        listed = seeded.list_claims(limit=100, use_index=use_index, facets=True)
        ids = [c["id"] for c in listed["claims"]]
        assert A not in ids and B not in ids and C in ids
        assert listed["total"] == before[use_index]["total"] - 2
        assert next(c for c in listed["claims"] if c["id"] == C)["also_reported_as"] == sorted([A, B])
        status = {f["value"]: f["count"] for f in listed["facets"]["status"]}
        assert sum(status.values()) == listed["total"]
    # nothing was deleted: the duplicate is still there, and undoing the relation lists it again
    assert seeded.get_claim(A)["relations"][0]["relation"] == "same-as"
    seeded.relations.withdraw(seeded.get_claim(A)["relations"][0]["id"], by="ana")
    for use_index in (True, False):
        ids = [c["id"] for c in seeded.list_claims(limit=100, use_index=use_index)["claims"]]
        assert A in ids and B not in ids


def test_a_dispute_carries_a_counter_claim_that_can_itself_be_disputed(seeded):
    claim = seeded.add_dispute(CLAIM, {
        "party": "sam-altman", "stance": "denies", "date": "2025-09-12", "sources": [SOURCE],
        "text": {"en": "Altman denies it; he says OpenAI is no longer compute-constrained."},
        "counter_claim": {"text": {"en": "OpenAI is no longer compute-constrained.",
                                   "ja": "OpenAIはもはや計算資源に制約されていない。"}}}, by="ana")
    d = next(d for d in claim["disputes"] if d["counter_claim"])
    counter = seeded.get_claim(d["counter_claim"]["id"])
    assert counter["claimant"]["id"] == "sam-altman" and counter["date"] == "2025-09-12"
    assert counter["sources"][0]["id"] == SOURCE and counter["about"]  # about what the disputed claim is about
    assert counter["recorded_by"] == "ana"
    after = seeded.add_dispute(counter["id"], {"party": "microsoft", "stance": "disputes", "sources": [SOURCE],
                                               "text": {"en": "Microsoft says otherwise."}}, by="bob")
    assert after["status"] == "disputed"
    # a bad counter-claim: neither the dispute nor the claim is written
    n = seeded.summary()["claims"]
    with pytest.raises(InvalidData) as e:
        seeded.add_dispute(CLAIM, {"party": "openai", "stance": "denies", "sources": [SOURCE], "text": {"en": "No."},
                                   "counter_claim": {"text": {"en": "x"}, "date": "2025-13-45"}}, by="ana")
    assert any(p.field and "date" in p.field for p in e.value.problems)
    assert seeded.summary()["claims"] == n and not any(
        d["party"]["id"] == "openai" for d in seeded.get_claim(CLAIM)["disputes"])


def test_a_counter_claim_in_yaml(kb):
    doc = {
        "agents": [{"id": "altman", "type": "Person", "name": {"en": "Sam Altman"}},
                   {"id": "wc", "type": "Organization", "name": {"en": "Windows Central"}}],
        "topics": [{"id": "compute", "label": {"en": "Compute"}}],
        "sources": [{"id": "art", "headline": {"en": "An article"}, "publisher": "wc", "published": "2025-09-01",
                     "language": "en"}],
        "claims": [{"id": "deals-cancelled", "text": {"en": "Microsoft cancelled the deals."}, "claimant": "wc",
                    "about": ["compute"], "sources": ["art"],
                    "disputes": [{"party": "altman", "stance": "denies", "text": {"en": "Not so."}, "sources": ["art"],
                                  "counter_claim": {"id": "no-longer-constrained",
                                                    "text": {"en": "OpenAI is no longer compute-constrained."}}}]}],
    }
    result = kb.import_data(doc, by="tester")
    assert result.created["claim"] == 2
    c = kb.get_claim("deals-cancelled")
    assert c["disputes"][0]["counter_claim"]["id"] == "no-longer-constrained"
    assert kb.get_claim("no-longer-constrained")["claimant"]["id"] == "altman"
    assert kb.import_data(doc, by="tester").created == {}  # again: nothing changes


# ---- over HTTP ------------------------------------------------------------------------------

def test_the_relations_api(client, app):
    ana = {"Authorization": f"Bearer {app.extensions['users'].token('ana')}"}
    vic = {"Authorization": f"Bearer {app.extensions['users'].token('vic')}"}
    body = {"relation": "contradicts", "claim": B}
    assert client.post(f"/api/claims/{A}/relations", json=body, headers=vic).status_code == 403
    for bad in ({"relation": "nope", "claim": B}, {"relation": "supports", "claim": "nope"},
                {"relation": "supports", "claim": A}):
        r = client.post(f"/api/claims/{A}/relations", json=bad, headers=ana)
        assert r.status_code == 422 and r.get_json()["errors"][0]["field"] in ("relation", "claim")
    r = client.post(f"/api/claims/{A}/relations", json=body, headers=ana)
    assert r.status_code == 201
    assert [(x["relation"], x["claim"], x["direction"]) for x in r.get_json()["relations"]] == [
        ("contradicts", B, "out")]
    rel = client.get(f"/api/claims/{B}").get_json()["relations"]
    assert [(x["relation"], x["claim"], x["direction"]) for x in rel] == [("contradicts", A, "in")]
    r = client.post(f"/api/claims/{C}/relations", json={"relation": "same-as", "claim": B}, headers=ana)
    assert r.status_code == 201
    r = client.post(f"/api/claims/{B}/relations", json={"relation": "same-as", "claim": C}, headers=ana)
    assert r.status_code == 422  # a circle: both hidden
    listed = client.get("/api/claims?limit=100").get_json()["claims"]
    assert C not in [c["id"] for c in listed]
    assert next(c for c in listed if c["id"] == B)["also_reported_as"] == [C]
    assert client.delete(f"/api/claims/{A}/relations/{rel[0]['id']}", headers=vic).status_code == 403
    assert client.delete(f"/api/claims/{A}/relations/nope", headers=ana).status_code == 404
    r = client.delete(f"/api/claims/{A}/relations/{rel[0]['id']}", headers=ana)
    assert r.status_code == 200 and r.get_json()["relations"] == []
    # a dispute with a counter-claim over the API
    r = client.post(f"/api/claims/{CLAIM}/disputes", headers=ana, json={
        "party": "sam-altman", "stance": "denies", "sources": [SOURCE], "text": {"en": "He denies it."},
        "counter_claim": {"text": {"en": "OpenAI is no longer compute-constrained (API)."}}})
    assert r.status_code == 201
    cc = next(d["counter_claim"] for d in r.get_json()["disputes"] if d["counter_claim"])
    assert client.get(f"/api/claims/{cc['id']}").get_json()["claimant"]["id"] == "sam-altman"


def test_the_claim_page_shows_related_claims_both_ways_and_the_counter_claim(client):
    sign_in(client)
    tok = token_of(client, f"/claims/{A}")
    r = client.post(f"/claims/{A}/relations", data={"csrf_token": tok, "relation": "contradicts", "claim": B,
                                                    "note": "Same speaker, a month apart."})
    assert r.status_code == 303
    page = client.get(f"/claims/{B}", headers=HTML).get_data(as_text=True)
    assert 'data-relation="contradicts" data-direction="in"' in page and f'href="/claims/{A}"' in page
    assert "Same speaker, a month apart." in page  # the note, both ways
    assert client.get(f"/api/claims/{A}").get_json()["relations"][0]["note"] == {"en": "Same speaker, a month apart."}
    page = client.get(f"/claims/{A}?lang=ja", headers=HTML).get_data(as_text=True)
    assert 'data-direction="out"' in page and "矛盾する" in page
    tok = token_of(client, f"/claims/{CLAIM}/disputes/new")
    r = client.post(f"/claims/{CLAIM}/disputes/new", data={
        "csrf_token": tok, "party": "sam-altman", "stance": "denies", "sources": [SOURCE],
        "text_en": "Altman denies it.", "counter_claim_en": "OpenAI is no longer compute-constrained (form).",
        "counter_claim_ja": "OpenAIはもはや計算資源に制約されていない(フォーム)。"})
    assert r.status_code == 303
    page = client.get(f"/claims/{CLAIM}", headers=HTML).get_data(as_text=True)
    assert "Counter-claim" in page and "OpenAI is no longer compute-constrained (form)." in page
    page = client.get(f"/claims/{CLAIM}?lang=ja", headers=HTML).get_data(as_text=True)
    assert "反対主張" in page and "OpenAIはもはや計算資源に制約されていない(フォーム)。" in page
    # undo from the page
    rid = client.get(f"/api/claims/{A}").get_json()["relations"][0]["id"]
    tok = token_of(client, f"/claims/{A}")
    assert client.post(f"/claims/{A}/relations/{rid}/withdraw", data={"csrf_token": tok}).status_code == 303
    assert client.get(f"/api/claims/{A}").get_json()["relations"] == []


def test_the_two_new_example_queries_find_what_they_say(client, app):
    kb = app.extensions["kb"]
    kb.verdicts.add("openai-announced-stargate", {"rating": "false"}, by="ana")  # disputed by nobody
    kb.verdicts.add(CLAIM, {"rating": "false"}, by="ana")  # disputed: Altman denies it
    kb.relations.add(A, {"relation": "contradicts", "claim": B}, by="ana")  # both Suleyman's
    kb.relations.add(A, {"relation": "contradicts", "claim": CLAIM}, by="ana")  # different claimants
    from kb.queries import EXAMPLES
    rows = kb.query(EXAMPLES["false-not-disputed"]).rows
    assert [str(r["c"]).rsplit("/", 1)[1] for r in rows] == ["openai-announced-stargate"]
    rows = kb.query(EXAMPLES["self-contradictions"]).rows
    assert [(str(r["a"]).rsplit("/", 1)[1], str(r["b"]).rsplit("/", 1)[1]) for r in rows] == [(A, B)]
    for name in ("false-not-disputed", "self-contradictions"):
        page = client.get(f"/query?example={name}", headers=HTML).get_data(as_text=True)
        assert int(re.search(r'class="row-count">(\d+) row', page).group(1)) == 1, name


def test_verdicts_and_relations_in_yaml(seeded):
    doc = f"""
claims:
  - id: paused-not-cancelled
    text: {{en: "Microsoft paused two data-centre deals."}}
    claimant: unnamed-reports
    about: [microsoft]
    sources: [{SOURCE}]
    verdict: {{rating: unproven, text: {{en: "Nobody on record."}}, date: 2025-10-03}}
    relations:
      - {{relation: refines, claim: {CLAIM}, note: {{en: "says less"}}}}
      - {{relation: contradicts, claim: {A}}}
"""
    result = seeded.import_yaml(doc, by="ana")
    assert result.created == {"claim": 1, "verdict": 1, "relation": 2}
    c = seeded.get_claim("paused-not-cancelled")
    assert c["verdict"]["rating"] == "unproven" and c["verdict"]["author"]["id"] == "ana"
    assert sorted((r["relation"], r["claim"]) for r in c["relations"]) == [("contradicts", A), ("refines", CLAIM)]
    assert ("refines", "paused-not-cancelled", "in") in rels(seeded, CLAIM)
    assert not seeded.import_yaml(doc, by="ana").created  # again: nothing changes
    with pytest.raises(InvalidData) as e:
        seeded.import_yaml(doc.replace("rating: unproven", "rating: dubious").replace("paused-not", "other-paused-not"),
                           by="ana")
    assert "rating" in {p.field for p in e.value.problems}
    with pytest.raises(NotFound):
        seeded.get_claim("other-paused-not-cancelled")  # all or nothing


def test_the_dispute_network_shows_claim_to_claim_edges(client, app):
    kb = app.extensions["kb"]
    disputed = [c["id"] for c in kb.list_claims(status="disputed", limit=10)["claims"]]
    kb.relations.add(disputed[0], {"relation": "supports", "claim": disputed[1]}, by="ana")
    kb.relations.add(disputed[0], {"relation": "refines", "claim": B}, by="ana")  # B is in no dispute: not drawn
    net = client.get("/network.json").get_json()
    edges = [e for e in net["edges"] if e["kind"] == "relation"]
    assert edges == [{"from": disputed[0], "to": disputed[1], "kind": "relation", "relation": "supports"}]
    svg = client.get("/network.svg").get_data(as_text=True)
    assert 'class="edge relation"' in svg and 'data-relation="supports"' in svg
    page = client.get("/network?lang=ja", headers=HTML).get_data(as_text=True)
    assert "支持する" in page


def test_a_duplicate_is_listed_again_when_the_claim_it_is_the_same_as_is_withdrawn(seeded):
    seeded.relations.add(A, {"relation": "same-as", "claim": C}, by="ana")
    seeded.withdraw("claim", C, by="ana")
    for use_index in (True, False):
        ids = [c["id"] for c in seeded.list_claims(limit=100, use_index=use_index)["claims"]]
        assert A in ids and C not in ids
    seeded.restore("claim", C, 1, by="ana")
    for use_index in (True, False):
        ids = [c["id"] for c in seeded.list_claims(limit=100, use_index=use_index)["claims"]]
        assert C in ids and A not in ids


def test_a_same_as_circle_in_yaml_is_refused_and_nothing_is_written(seeded):
    """Issue 14 §6: a circle of same-as would list every claim of it under another and hide them all;
    refused in YAML as over the API, whether it closes within the file or with a standing relation."""
    seeded.relations.add(A, {"relation": "same-as", "claim": B}, by="ana")
    b = seeded.get_claim(B)
    again = {"id": B, "text": b["text"], "claimant": b["claimant"]["id"], "about": [x["id"] for x in b["about"]],
             "sources": [x["id"] for x in b["sources"]], "relations": [{"relation": "same-as", "claim": A}]}
    with pytest.raises(InvalidData) as e:
        seeded.import_data({"claims": [again]}, by="ana")
    assert {p.field for p in e.value.problems} == {"relations"}
    within = """
claims:
  - {id: copy-one, text: {en: "One."}, claimant: openai, about: [openai], sources: [SOURCE],
     relations: [{relation: same-as, claim: copy-two}]}
  - {id: copy-two, text: {en: "Two."}, claimant: openai, about: [openai], sources: [SOURCE],
     relations: [{relation: same-as, claim: copy-one}]}
""".replace("SOURCE", SOURCE)
    with pytest.raises(InvalidData) as e:
        seeded.import_yaml(within, by="ana")
    assert {p.field for p in e.value.problems} == {"relations"}
    with pytest.raises(NotFound):
        seeded.get_claim("copy-one")  # all or nothing
    assert ("same-as", B, "out") in rels(seeded, A) and ("same-as", A, "out") not in rels(seeded, B)
