"""Every must-have of the design, missing or malformed, is refused with a
message that names the field; nothing is written."""

import copy

import pytest

from kb import InvalidData

BASE = {
    "agents": [
        {"id": "alice", "type": "Person", "name": {"en": "Alice", "ja": "アリス"}, "works_for": "acme"},
        {"id": "acme", "type": "Organization", "name": {"en": "Acme"}},
    ],
    "topics": [{"id": "ai", "label": {"en": "AI", "ja": "人工知能"}}],
    "sources": [
        {"id": "art", "type": "NewsArticle", "headline": {"en": "A headline"}, "publisher": "acme",
         "author": "alice", "published": "2025-09", "language": "ja", "url": "https://example.org/a"},
    ],
    "claims": [
        {"id": "c1", "text": {"en": "Acme builds chips.", "ja": "Acmeはチップを作る。"}, "claimant": "alice",
         "about": ["acme", "ai"], "sources": ["art"], "date": "2025-09-11",
         "quote": {"source": "art", "exact": "チップを作る"},
         "disputes": [{"party": "acme", "stance": "denies", "text": {"en": "No."}, "sources": ["art"],
                       "date": "2025-09-12"}]},
    ],
}


def mutate(path, value):
    doc = copy.deepcopy(BASE)
    section, index, key = path
    rec = doc[section][index]
    if key.startswith("disputes."):
        rec = rec["disputes"][0]
        key = key.split(".", 1)[1]
    if value is KeyError:
        rec.pop(key)
    else:
        rec[key] = value
    return doc


def test_the_base_document_is_valid(kb):
    result = kb.import_data(copy.deepcopy(BASE), by="tester")
    assert result.created["claim"] == 1 and result.created["dispute"] == 1
    assert kb.get_claim("c1")["status"] == "disputed"


CASES = [
    # (section, index, key), bad value, expected field, words in the message
    (("claims", 0, "text"), KeyError, "text", "text"),
    (("claims", 0, "text"), {"en": ""}, "text", "empty"),
    (("claims", 0, "text"), "no language", "text", "per language"),
    (("claims", 0, "text"), {"e n": "x"}, "text.e n", "language code"),
    (("claims", 0, "claimant"), KeyError, "claimant", "claimant"),
    (("claims", 0, "claimant"), "nobody", "claimant", "known person or organisation"),
    (("claims", 0, "claimant"), "ai", "claimant", "known person or organisation"),
    (("claims", 0, "sources"), KeyError, "sources", "source"),
    (("claims", 0, "sources"), ["missing-article"], "sources", "known article"),
    (("claims", 0, "about"), KeyError, "about", "about"),
    (("claims", 0, "about"), ["unknown-thing"], "about", "known person, organisation or topic"),
    (("claims", 0, "date"), "2024-13-45", "date", "valid date"),
    (("claims", 0, "date"), "last tuesday", "date", "valid date"),
    (("claims", 0, "quote"), {"source": "art"}, "quote.exact", "exactly one verbatim"),
    (("claims", 0, "quote"), {"exact": "x"}, "quote.source", "source"),
    (("claims", 0, "claimnt"), "alice", "claimnt", "not a field"),
    (("claims", 0, "disputes.party"), KeyError, "party", "party"),
    (("claims", 0, "disputes.party"), "ai", "party", "known person or organisation"),
    (("claims", 0, "disputes.stance"), "agrees", "stance", "one of"),
    (("claims", 0, "disputes.stance"), KeyError, "stance", "stance"),
    (("claims", 0, "disputes.text"), KeyError, "text", "text"),
    (("claims", 0, "disputes.sources"), KeyError, "sources", "source"),
    (("claims", 0, "disputes.date"), "2025-02-30", "date", "valid date"),
    (("sources", 0, "headline"), KeyError, "headline", "headline"),
    (("sources", 0, "publisher"), KeyError, "publisher", "publisher"),
    (("sources", 0, "publisher"), "alice", "publisher", "organisation"),
    (("sources", 0, "published"), KeyError, "published", "publication date"),
    (("sources", 0, "published"), "2025-9", "published", "valid date"),
    (("sources", 0, "language"), KeyError, "language", "language"),
    (("sources", 0, "language"), "japanese!", "language", "language code"),
    (("sources", 0, "url"), "javascript:alert(1)", "url", "http"),
    (("sources", 0, "url"), "https://exa mple.org/", "url", "not a valid IRI"),
    (("sources", 0, "url"), "ftp://example.org/", "url", "http"),
    (("agents", 0, "name"), KeyError, "name", "name"),
    (("agents", 0, "type"), "Robot", "type", "Person or Organization"),
    (("agents", 0, "same_as"), "https://en.wikipedia.org/wiki/Alice", "same_as", "Wikidata"),
    (("agents", 0, "works_for"), "alice", "works_for", "organisation"),
    (("topics", 0, "label"), KeyError, "label", "label"),
]


@pytest.mark.parametrize("path,value,field,words", CASES, ids=[f"{c[0][0]}.{c[0][2]}={c[1]!r}"[:60] for c in CASES])
def test_bad_field_is_refused_and_named(kb, path, value, field, words):
    before = kb.summary()
    with pytest.raises(InvalidData) as err:
        kb.import_data(mutate(path, value), by="tester")
    problems = err.value.problems
    assert any(p.field == field and words.lower() in p.message.lower() for p in problems), [str(p) for p in problems]
    assert kb.summary() == before  # nothing written


def test_one_bad_record_among_good_writes_nothing_and_reports_every_problem(kb):
    doc = copy.deepcopy(BASE)
    doc["claims"].append({"id": "c2", "text": {"en": "ok"}, "claimant": "alice", "about": ["ai"], "sources": ["art"]})
    doc["claims"].append({"id": "c3", "text": {"en": "bad"}, "claimant": "ghost", "about": ["ai"],
                          "sources": ["art"], "date": "2024-13-45"})
    doc["agents"].append({"id": "bob", "type": "Person"})
    with pytest.raises(InvalidData) as err:
        kb.import_data(doc, by="tester")
    found = {(p.record, p.field) for p in err.value.problems}
    assert {("c3", "claimant"), ("c3", "date"), ("bob", "name")} <= found
    assert kb.summary()["claims"] == 0
    assert kb.query("ASK { ?s prov:wasAttributedTo ?who }").boolean is False


def test_yaml_safety(kb):
    from kb import KBError

    with pytest.raises(KBError, match="duplicate key"):
        kb.import_yaml(b"claims: []\nclaims: []\n", by="t")
    with pytest.raises(KBError, match="not valid YAML"):
        kb.import_yaml(b"!!python/object/apply:os.system ['echo hi']\n", by="t")
    with pytest.raises(KBError, match="anchors and aliases"):
        kb.import_yaml(b"a: &x [1]\nb: *x\n", by="t")
    with pytest.raises(KBError, match="too large"):
        kb.import_yaml(b"#" * (21 * 1024 * 1024), by="t")


def test_lone_surrogate_and_nul_refused(kb):
    doc = mutate(("claims", 0, "text"), {"en": "bad \ud800 text"})
    with pytest.raises(InvalidData, match="surrogate"):
        kb.import_data(doc, by="t")
    doc = mutate(("claims", 0, "text"), {"en": "bad \x00 text"})
    with pytest.raises(InvalidData, match="NUL"):
        kb.import_data(doc, by="t")


def test_the_shipped_shapes_are_valid_shacl(tmp_path):
    from kb import KBError
    from kb.validation import SHAPES_DIR, load_shapes

    assert len(load_shapes(meta_check=True)) > 100
    bad = tmp_path / "bad.ttl"
    bad.write_text((SHAPES_DIR / "claimkb.ttl").read_text().replace("sh:minCount 1", 'sh:minCount "one"', 1))
    with pytest.raises(KBError, match="not valid SHACL"):
        load_shapes(str(tmp_path), meta_check=True)


def test_select_star_runs(seeded):
    # regression: "SELECT *" has no projection list and once crashed the query check
    r = seeded.query("SELECT * WHERE { ?d kb:party ?p ; kb:stance ?s }")
    assert r.form == "select" and set(r.variables) == {"d", "p", "s"} and len(r.rows) == 3


def test_the_export_with_the_vocabulary_conforms_to_the_shapes_as_a_whole(seeded):
    """What an outside tool sees: the shapes run by plain pyshacl over the whole
    export and the vocabulary (SHACL's targets follow rdfs:subClassOf there;
    a dispute once counted as a CreativeWork and so failed the Source shape)."""
    import io

    import pyshacl
    from rdflib import Graph

    from kb.validation import load_shapes

    buf = io.BytesIO()
    seeded.export(buf, "nt")
    vocab = io.BytesIO()
    seeded.store.dump(vocab, "nt", "https://w3id.org/claimkb/ns")
    g = Graph().parse(data=buf.getvalue(), format="nt").parse(data=vocab.getvalue(), format="nt")
    assert len(g) > 300
    conforms, _, text = pyshacl.validate(g, shacl_graph=load_shapes(), advanced=False)
    assert conforms, text[:2000]
