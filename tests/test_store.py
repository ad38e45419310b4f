"""The knowledge base on every backend: round trips, exact text, statuses, and the errors met opening a store.

Text comes back exactly as given (quotes, backslashes, new lines, markup, text that looks like SPARQL) and is
stored once whatever its Unicode normalisation; exports load back isomorphic; a claim's status follows its
disputes and their dates. A store folder that is locked or cannot be created, and a server that cannot be
reached, are each one clear sentence from ``kb``."""

import io
import unicodedata

import pyoxigraph as ox
import pytest
from helpers import ROOT, kb_cmd, run
from rdflib import Graph
from rdflib.compare import isomorphic

from kb import KBError, NotFound, open_kb

SEED = ROOT / "fixtures" / "seed.yaml"

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


def test_seed_summary(seeded):
    s = seeded.summary()
    assert 15 <= s["claims"] <= 31
    parties = {(p["party"], p["stance"]) for p in s["disputes_by_party"]}
    assert ("sam-altman", "denies") in parties and ("microsoft", "denies") in parties
    assert seeded.get_claim("ms-cancelled-datacentre-deals")["status"] == "disputed"
    assert seeded.validate_store().conforms


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


def export(kb) -> bytes:
    buf = io.BytesIO()
    kb.export(buf, "trig")
    return buf.getvalue()


def test_names_and_labels_differing_only_by_normalisation_are_stored_once():
    """Extends the claim-text case above to agent names, topic labels and headlines, by YAML and by RDF."""
    kb = open_kb(":memory:")
    nfc = {"name": "マイクロソフト・ガーデン", "label": "ジェネレーティブAI", "headline": "Café déjà vu"}
    nfd = {k: unicodedata.normalize("NFD", v) for k, v in nfc.items()}
    assert all(nfd[k] != nfc[k] for k in nfc)

    def doc(t):
        return (f'agents:\n- id: a\n  type: Organization\n  name: {{en: A, ja: "{t["name"]}"}}\n'
                f'topics:\n- id: t\n  label: {{ja: "{t["label"]}"}}\n'
                f'sources:\n- id: s\n  headline: {{en: "{t["headline"]}"}}\n  publisher: a\n  published: 2025\n'
                f"  language: en\n").encode()

    kb.import_yaml(doc(nfd), by="t")
    assert kb.get("agent", "a")["name"]["ja"] == nfc["name"]
    assert kb.get("topic", "t")["name"]["ja"] == nfc["label"]
    assert kb.get("source", "s")["headline"]["en"] == nfc["headline"]
    before = export(kb)
    again = kb.import_yaml(doc(nfc), by="someone-else")
    assert again.unchanged == {"agent": 1, "topic": 1, "source": 1} and not again.created and not again.updated
    assert export(kb) == before
    # an RDF import of the same record in NFD is the same record too
    buf = io.BytesIO()
    kb.export(buf, "nt")
    agent = str(kb.iri("agent", "a"))
    lines = [ln for ln in buf.getvalue().decode().splitlines() if ln.startswith(f"<{agent}>")]
    text = "\n".join(lines).replace(nfc["name"], nfd["name"])
    assert nfd["name"] in text
    assert kb.import_rdf(text.encode(), "nt", by="t").unchanged == {"agent": 1}
    assert export(kb) == before
    rows = kb.query(f'SELECT (COUNT(*) AS ?n) WHERE {{ <{agent}> ?p ?o FILTER(lang(?o) = "ja") }}').rows
    assert int(rows[0]["n"]) == 1
    kb.close()


# ---- opening a store -----------------------------------------------------------------------------

def test_store_locked_by_another_process_is_a_clear_error(tmp_path):
    store = tmp_path / "s"
    kb = open_kb(str(store))
    try:
        r = run("summary", store=store)
        assert r.returncode == 1 and "in use by another process" in r.stderr and "Traceback" not in r.stderr
    finally:
        kb.close()


def test_unreachable_server_store_is_a_clear_error(tmp_path):
    r = run("summary", store="http://127.0.0.1:9/query")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "http://127.0.0.1:9/query cannot be reached" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_a_store_folder_that_cannot_be_created_is_one_sentence(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = kb_cmd(blocker / "store", "load", str(SEED))
    assert r.returncode == 1 and "cannot open the store folder" in r.stderr and "Traceback" not in r.stderr


def test_reads_sent_together_may_nest_without_waiting_for_ever():
    """kb.dataset.together on a server store: twenty calls that each send calls of their own, more
    than the pool's threads, come back in order (a pool thread waiting for calls queued behind it hung)."""
    import threading
    from types import SimpleNamespace

    from kb.dataset import TOGETHER, together

    data = SimpleNamespace(store=SimpleNamespace(single_writer=False))
    calls = [lambda i=i: sum(together(data, *(lambda j=j: i * 10 + j for j in range(3)))) for i in range(3 * TOGETHER)]
    found: list = []
    t = threading.Thread(target=lambda: found.extend(together(data, *calls)), daemon=True)
    t.start()
    t.join(timeout=20)
    assert not t.is_alive(), "nested reads waited for ever"
    assert found == [i * 30 + 3 for i in range(3 * TOGETHER)]
