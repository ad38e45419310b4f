"""Round trips, idempotent imports, exact text, history, status, query safety."""

import io

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kb import KBError, NotFound, QueryError

TRICKY = {
    "agents": [{"id": "a", "type": "Organization", "name": {"en": 'Quote " and \\ backslash', "ja": "日本語の名前"}}],
    "sources": [{"id": "s", "headline": {"ja": "見出し\n二行目"}, "publisher": "a", "published": "2025",
                 "language": "ja"}],
    "claims": [{"id": "c", "text": {"en": "<script>alert('x')</script> \\n literal, \"quoted\"\nnew line",
                                     "ja": "「引用」とバックスラッシュ\\と改行\nです"},
                "claimant": "a", "about": ["a"], "sources": ["s"],
                "quote": {"source": "s", "exact": "<b>exact</b> \t tab"}}],
}


def test_text_round_trips_exactly(kb, new_kb):
    kb.import_data(TRICKY, by="t")
    c = kb.get_claim("c")
    assert c["text"] == TRICKY["claims"][0]["text"]
    assert c["quote"]["exact"] == "<b>exact</b> \t tab"
    assert c["claimant"]["name"]["en"] == 'Quote " and \\ backslash'
    buf = io.BytesIO()
    kb.export(buf, "turtle")
    k2 = new_kb()
    k2.import_rdf(buf.getvalue(), "turtle", by="t")
    assert k2.get_claim("c")["text"] == TRICKY["claims"][0]["text"]


def _current(kb) -> Graph:
    buf = io.BytesIO()
    kb.export(buf, "turtle")
    return Graph().parse(data=buf.getvalue(), format="turtle")


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld"])
def test_export_load_is_isomorphic(seeded, new_kb, fmt):
    buf = io.BytesIO()
    seeded.export(buf, fmt)
    fresh = new_kb()
    fresh.import_rdf(buf.getvalue(), fmt, by="other")
    assert isomorphic(_current(seeded), _current(fresh))


def test_trig_export_keeps_history_and_round_trips(seeded, new_kb):
    seeded.add_dispute("ms-cancelled-datacentre-deals",
                       {"party": "microsoft", "stance": "confirms", "text": {"en": "Yes."},
                        "sources": ["windows-central-ms-ai-self-sufficiency"]}, by="t")
    buf = io.BytesIO()
    seeded.export(buf, "trig")
    fresh = new_kb()
    fresh.import_rdf(buf.getvalue(), "trig", by="other")
    out = io.BytesIO()
    fresh.export(out, "trig")
    # no blank nodes anywhere, so isomorphism of the datasets is equality of their quads
    a = {str(q) for q in ox.parse(buf.getvalue(), format=ox.RdfFormat.TRIG)}
    b = {str(q) for q in ox.parse(out.getvalue(), format=ox.RdfFormat.TRIG)}
    assert not any("_:" in q for q in a)
    assert a == b and len(a) > 1000
    assert len(fresh.history("claim", "ms-cancelled-datacentre-deals")) == 1


def test_loading_twice_creates_no_duplicates(kb, seed_bytes):
    first = kb.import_yaml(seed_bytes, by="t")
    size = len(_current(kb))
    second = kb.import_yaml(seed_bytes, by="someone-else")
    assert sum(second.created.values()) == 0 and sum(second.updated.values()) == 0
    assert sum(second.unchanged.values()) == sum(first.created.values())
    assert len(_current(kb)) == size


def test_seed_summary(seeded):
    s = seeded.summary()
    assert 15 <= s["claims"] <= 31
    parties = {(p["party"], p["stance"]) for p in s["disputes_by_party"]}
    assert ("sam-altman", "denies") in parties and ("microsoft", "denies") in parties
    assert seeded.get_claim("ms-cancelled-datacentre-deals")["status"] == "disputed"
    assert seeded.validate_store().conforms


def test_update_keeps_history_and_earlier_version(seeded):
    c = seeded.get_claim("ms-cancelled-datacentre-deals")
    rec = {"id": c["id"], "text": {**c["text"], "en": "Changed wording."}, "claimant": c["claimant"]["id"],
           "about": [a["id"] for a in c["about"]], "sources": [s["id"] for s in c["sources"]]}
    seeded.add_claim(rec, by="editor", expected_version=1)
    hist = seeded.history("claim", c["id"])
    assert [h["action"] for h in hist] == ["created", "updated"]
    assert hist[1]["by"] == "editor"
    assert any("Changed wording." in t for t in hist[1]["added"])
    assert any(c["text"]["en"] in t for t in hist[1]["removed"])
    old = seeded.version_graph("claim", c["id"], 1)
    assert any(c["text"]["en"] == str(o) for o in old.objects())
    with pytest.raises(KBError) as conflict:
        seeded.add_claim({**rec, "text": {"en": "stale edit"}}, by="late", expected_version=1)
    assert conflict.value.status == 409
    seeded.restore("claim", c["id"], 1, by="editor")
    assert seeded.get_claim(c["id"])["text"] == c["text"]
    assert len(seeded.history("claim", c["id"])) == 3


def test_withdrawn_dispute_no_longer_counts_but_stays_readable(seeded):
    cid = "ms-cancelled-datacentre-deals"
    d = seeded.get_claim(cid)["disputes"][0]
    seeded.withdraw("dispute", d["id"], by="t", reason="entered by mistake")
    c = seeded.get_claim(cid)
    assert c["status"] == "reported"
    assert c["disputes"][0]["withdrawn"]
    assert len(seeded.history("dispute", d["id"])) == 2


def test_status_as_of_a_date(kb):
    doc = {
        "agents": [{"id": "a", "type": "Organization", "name": {"en": "A"}},
                   {"id": "b", "type": "Organization", "name": {"en": "B"}}],
        "sources": [{"id": "s", "headline": {"en": "h"}, "publisher": "a", "published": "2025-01", "language": "en"}],
        "claims": [{"id": "c", "text": {"en": "x"}, "claimant": "a", "about": ["b"], "sources": ["s"],
                    "date": "2025-01-05",
                    "disputes": [{"party": "b", "stance": "confirms", "text": {"en": "yes"}, "sources": ["s"],
                                  "date": "2025-02"},
                                 {"party": "b", "stance": "denies", "text": {"en": "no"}, "sources": ["s"],
                                  "date": "2025-03-10"},
                                 {"party": "a", "stance": "retracts", "text": {"en": "oops"}, "sources": ["s"],
                                  "date": "2025-04-01"}]}],
    }
    kb.import_data(doc, by="t")
    assert kb.get_claim("c", as_of="2025-01-20")["status"] == "reported"
    assert kb.get_claim("c", as_of="2025-02")["status"] == "confirmed"
    assert kb.get_claim("c", as_of="2025-03-10")["status"] == "disputed"
    assert kb.get_claim("c")["status"] == "retracted"
    assert [s["status"] for s in kb.get_claim("c")["status_timeline"]] == ["reported", "confirmed", "disputed", "retracted"]


def test_list_filters_and_search(seeded):
    everything = seeded.list_claims(limit=100)
    assert everything["total"] == seeded.summary()["claims"]
    assert len({c["id"] for c in everything["claims"]}) == everything["total"]
    disputed = seeded.list_claims(status="disputed", limit=100)
    assert disputed["total"] == seeded.summary()["statuses"]["disputed"]
    assert all(c["status"] == "disputed" for c in disputed["claims"])
    ja = seeded.list_claims(q="データセンター")
    assert "ms-cancelled-datacentre-deals" in [c["id"] for c in ja["claims"]]
    en = seeded.list_claims(q="DATA-CENTRE")
    assert "ms-cancelled-datacentre-deals" in [c["id"] for c in en["claims"]]
    assert seeded.list_claims(party="sam-altman")["total"] == 1
    about = seeded.list_claims(about="microsoft", limit=100)
    assert about["total"] > 0 and all(any(a["id"] == "microsoft" for a in c["about"]) for c in about["claims"])
    assert seeded.list_claims(date_from="2025-09-11", date_to="2025-09-11")["total"] >= 1
    assert seeded.list_claims(date_from="2030")["total"] == 0
    page = seeded.list_claims(limit=5, offset=5, facets=True)
    assert len(page["claims"]) == 5
    assert sum(f["count"] for f in page["facets"]["status"]) == everything["total"]
    with pytest.raises(KBError):
        seeded.list_claims(status="maybe")


@pytest.mark.parametrize("text,words", [
    ("INSERT DATA { <http://x> <http://y> <http://z> }", "read-only"),
    ("DROP ALL", "read-only"),
    ("LOAD <http://example.org/data.ttl>", "read-only"),
    ("PREFIX x: <http://x/> DELETE WHERE { ?s ?p ?o }", "read-only"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { { SELECT ?s WHERE { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } } } }", "SERVICE"),
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM"),
    ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
    ("SELECT * WHERE { ?s ?p }", "malformed"),
])
def test_query_api_refuses_updates_service_load(seeded, text, words):
    before = seeded.summary()
    with pytest.raises(QueryError, match=words):
        seeded.query(text)
    assert seeded.summary() == before


def test_query_with_bindings(seeded):
    res = seeded.query(
        "SELECT ?c ?party WHERE { ?d kb:disputes ?c ; kb:party ?party }",
        bindings={"party": seeded.iri("agent", "sam-altman")},
    )
    assert [str(r["c"]).rsplit("/", 1)[-1] for r in res.rows] == ["ms-cancelled-datacentre-deals"]


def test_sparql_looking_text_is_just_text(kb):
    doc = dict(TRICKY)
    evil = '" } ; DROP ALL ; INSERT DATA { <http://x> <http://y> "'
    doc = {**TRICKY, "claims": [{**TRICKY["claims"][0], "text": {"en": evil}}]}
    kb.import_data(doc, by="t")
    assert kb.get_claim("c")["text"]["en"] == evil
    assert kb.summary()["claims"] == 1


def test_unknown_claim_is_not_found(kb):
    with pytest.raises(NotFound):
        kb.get_claim("nope")


def test_text_differing_only_by_normalisation_is_stored_once(kb, new_kb):
    import unicodedata

    nfc = "ガイドライン"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    doc = {**TRICKY, "claims": [{**TRICKY["claims"][0], "text": {"ja": nfd}}]}
    kb.import_data(doc, by="t")
    assert kb.get_claim("c")["text"]["ja"] == nfc
    again = kb.import_data({**TRICKY, "claims": [{**TRICKY["claims"][0], "text": {"ja": nfc}}]}, by="t")
    assert again.unchanged["claim"] == 1
    ttl = f'<{kb.iri("claim", "c")}> <http://schema.org/text> "{nfd}"@ja .'.encode()
    fresh = new_kb()
    buf = io.BytesIO()
    kb.export(buf, "turtle")
    fresh.import_rdf(buf.getvalue(), "turtle", by="t")
    before = len(_current(fresh))
    with pytest.raises(KBError):  # a lone triple is not a valid claim record on its own
        fresh.import_rdf(ttl, "turtle", by="t")
    assert len(_current(fresh)) == before
