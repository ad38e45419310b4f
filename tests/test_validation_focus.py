"""A write's validation (kb.validation.check) reports exactly what plain pySHACL reports for the
records written: the same results, whether or not the context of the change is validated too, on
the whole seed and on broken records of every kind."""

import pyshacl
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from kb import open_kb
from kb.namespaces import KB, SDO, VOCAB_GRAPH
from kb.validation import ValidationGraph, _run, load_shapes

SEED_CLAIM = "openai-board-fired-altman-not-candid"


def results(report, focus) -> set:
    out = set()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        node = report.value(r, SH.focusNode)
        if node in focus:
            out.add((node, report.value(r, SH.resultPath), report.value(r, SH.sourceConstraintComponent),
                     report.value(r, SH.value), str(report.value(r, SH.resultMessage)),
                     report.value(r, SH.resultSeverity)))
    return out


def plain(graph, focus) -> set:
    """What pySHACL's own validate reports for these nodes, everything else validated and left aside."""
    _, report, _ = pyshacl.validate(graph, shacl_graph=load_shapes(), advanced=False, inference=None,
                                    allow_warnings=False)
    return results(report, focus)


def focused(graph, focus) -> set:
    _, report, _ = _run(graph, load_shapes(), focus)
    return results(report, focus)


@pytest.fixture(scope="module")
def seed_graph(seed_bytes):
    kb = open_kb(":memory:")
    kb.import_yaml(seed_bytes, by="tester")
    g = ValidationGraph()
    for graph in (kb.current, VOCAB_GRAPH):
        for s, p, o, _ in kb.store.quads(graph):
            g.add((s, p, o))
    yield kb, g
    kb.close()


def test_every_record_of_the_seed_alone_as_plain_pyshacl(seed_graph):
    kb, g = seed_graph
    subjects = {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(kb.minter.base)}
    assert len(subjects) > 100
    everything = plain(g, subjects)
    for s in sorted(subjects):
        assert focused(g, {s}) == {r for r in everything if r[0] == s}, s


def broken(kb, g):
    """The seed graph with a broken record of each kind, and those records."""
    g = g + ValidationGraph()  # a copy
    g.__class__ = ValidationGraph
    claim = kb.minter.iri("claim", SEED_CLAIM)
    source = next(g.subjects(RDF.type, SDO.NewsArticle))
    agent = next(g.subjects(RDF.type, SDO.Person))
    dispute = next(g.subjects(RDF.type, KB.Dispute))
    g.set((claim, SDO.dateCreated, Literal("2024-13-45", datatype=XSD.date)))  # an impossible date
    g.add((claim, SDO.author, source))  # a claimant that is no agent
    g.add((source, SDO.text, Literal("a text", lang="en")))  # a text without its digest (sh:sparql)
    g.add((agent, SDO.sameAs, URIRef("http://example.org/not-wikidata")))
    g.remove((dispute, KB.party, None))  # a stance taken by nobody
    return g, {claim, source, agent, dispute}


def test_broken_records_as_plain_pyshacl(seed_graph):
    kb, g = seed_graph
    g, nodes = broken(kb, g)
    expected = plain(g, nodes)
    assert {r[0] for r in expected} == nodes  # each is reported
    assert focused(g, nodes) == expected
    for n in nodes:
        assert focused(g, {n}) == {r for r in expected if r[0] == n}
