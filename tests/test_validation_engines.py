"""A bulk import validates with pyshacl-turbo (a Rust SHACL engine) only because it reports what
pySHACL, the reference, reports: the same results for every record of the seed, for broken records
of each kind, and the same problems, word for word, for every bad field of tests/test_validation.py,
for a generated corpus with violations injected, and for RDF imports. Single writes validate with it too
(it takes about a third of pySHACL's time on a write's change), so each bad field is also written alone
with either engine."""

import copy
import io
import sys
from pathlib import Path

import pytest
import test_validation_focus
from helpers import ROOT, run
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD
from test_validation import BASE, CASES, mutate
from test_validation_focus import broken, plain, results

from kb import InvalidData, KBError, open_kb
from kb.namespaces import SDO
from kb.validation import _run_turbo, load_shapes

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import generate  # noqa: E402

SEED = ROOT / "fixtures" / "seed.yaml"
seed_graph = test_validation_focus.seed_graph  # the seed in one graph (a fixture of that module)


def turbo(graph, focus) -> set:
    _, report, _ = _run_turbo(graph, load_shapes())
    return results(report, focus)


def test_every_record_of_the_seed_as_pyshacl(seed_graph):
    kb, g = seed_graph
    subjects = {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(kb.minter.base)}
    assert len(subjects) > 100
    assert turbo(g, subjects) == plain(g, subjects)


def test_broken_records_as_pyshacl(seed_graph):
    kb, g = seed_graph
    g, nodes = broken(kb, g)
    expected = plain(g, nodes)
    assert {r[0] for r in expected} == nodes
    assert turbo(g, nodes) == expected


def problems(doc, validator):
    kb = open_kb(":memory:")
    try:
        kb.import_data(copy.deepcopy(doc), by="tester", validator=validator)
    except InvalidData as e:
        return [p.to_dict() for p in e.problems]
    finally:
        kb.close()
    return []


@pytest.mark.parametrize("path,value", [c[:2] for c in CASES], ids=[f"{c[0][0]}.{c[0][2]}={c[1]!r}"[:60] for c in CASES])
def test_bad_fields_give_the_same_problems(path, value):
    reference = problems(mutate(path, value), "pyshacl")
    assert reference  # the case is refused
    assert problems(mutate(path, value), "turbo") == reference


KINDS = {"claims": "claim", "agents": "agent", "sources": "source", "topics": "topic"}


def written_alone(path, value, engine, monkeypatch) -> list:
    """The problems of writing the record ``path`` names, made bad, alone into a store holding the
    valid document (an edit of that record), validated by ``engine`` (as CLAIMKB_VALIDATOR)."""
    monkeypatch.setenv("CLAIMKB_VALIDATOR", engine)
    kb = open_kb(":memory:")
    try:
        kb.import_data(copy.deepcopy(BASE), by="tester", validator="pyshacl")
        before = kb.summary()
        section, index, _ = path
        rec = mutate(path, value)[section][index]
        try:
            if section == "claims":
                kb.add_claim(rec, by="tester")
            else:
                kb.add_record(KINDS[section], rec, by="tester")
        except InvalidData as e:
            assert kb.summary() == before  # refused: nothing written
            return [p.to_dict() for p in e.problems]
        return []
    finally:
        kb.close()


@pytest.mark.parametrize("path,value", [c[:2] for c in CASES if c[0][0] in KINDS],
                         ids=[f"{c[0][0]}.{c[0][2]}={c[1]!r}"[:60] for c in CASES if c[0][0] in KINDS])
def test_a_bad_field_written_alone_gives_the_same_problems(path, value, monkeypatch):
    reference = written_alone(path, value, "pyshacl", monkeypatch)
    assert reference  # the write is refused
    assert written_alone(path, value, "turbo", monkeypatch) == reference


def test_a_generated_corpus_with_violations_gives_the_same_problems():
    doc = generate(300, seed=11)
    assert problems(doc, "pyshacl") == problems(doc, "turbo") == []
    # break every tenth claim, source and agent, each in another way
    for i, c in enumerate(doc["claims"][::10]):
        if i % 3 == 0:
            c["date"] = "2024-02-30"
        elif i % 3 == 1:
            c["claimant"] = doc["topics"][0]["id"]
        else:
            c["about"] = ["no-such-thing"]
    for s in doc["sources"][::10]:
        s["published"] = "2025-9"
    for a in doc["agents"][::10]:
        a["same_as"] = "https://example.org/not-wikidata"
    reference = problems(doc, "pyshacl")
    assert len(reference) > 30
    assert problems(doc, "turbo") == reference


def test_rdf_imports_give_the_same_problems(seed_bytes):
    kb = open_kb(":memory:")
    kb.import_yaml(seed_bytes, by="tester", validator="pyshacl")
    out = io.BytesIO()
    kb.export(out, "turtle")
    ttl = out.getvalue()
    kb.close()
    from rdflib import Graph

    g = Graph().parse(data=ttl, format="turtle")
    claim = next(g.subjects(RDF.type, SDO.Claim))
    g.set((claim, SDO.dateCreated, Literal("2024-13-45", datatype=XSD.date)))
    g.add((claim, SDO.author, next(g.subjects(RDF.type, SDO.NewsArticle))))
    bad = g.serialize(format="turtle").encode()
    found = {}
    for validator in ("pyshacl", "turbo"):
        kb = open_kb(":memory:")
        with pytest.raises(InvalidData) as err:
            kb.import_rdf(bad, "turtle", by="tester", validator=validator)
        assert kb.summary()["claims"] == 0  # nothing written
        found[validator] = [p.to_dict() for p in err.value.problems]
        kb.close()
    assert found["turbo"] == found["pyshacl"]
    assert {p["field"] for p in found["turbo"]} >= {"date", "claimant"}


def test_the_seed_imports_alike_with_either_engine(seed_bytes):
    summaries = []
    for validator in ("pyshacl", "turbo"):
        kb = open_kb(":memory:")
        result = kb.import_yaml(seed_bytes, by="tester", validator=validator)
        summaries.append((result.to_dict(), kb.summary()))
        kb.close()
    assert summaries[0] == summaries[1]


def test_an_unknown_validator_is_refused_and_nothing_written():
    kb = open_kb(":memory:")
    with pytest.raises(KBError, match="unknown validator 'fast'"):
        kb.import_data(copy.deepcopy(BASE), by="tester", validator="fast")
    assert kb.summary()["claims"] == 0
    kb.close()


def test_kb_load_takes_the_validator_and_reports_the_first_problem(tmp_path):
    import yaml

    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(mutate(("claims", 0, "date"), "2024-13-45"), allow_unicode=True), encoding="utf-8")
    store = tmp_path / "store"
    for validator in ("pyshacl", "turbo"):
        r = run("load", "--validator", validator, str(bad), store=store)
        assert r.returncode != 0
        assert "'date'" in r.stderr or "date" in r.stderr, r.stderr
    r = run("load", "--validator", "fast", str(bad), store=store)
    assert r.returncode != 0 and "fast" in r.stderr
    r = run("load", "--validator", "pyshacl", str(SEED), store=store)
    assert r.returncode == 0, r.stderr
