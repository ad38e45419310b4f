"""The derived status: one rule, read three ways (a claim's dict, the list query's SPARQL
expression, the claim index) and held to an oracle over every combination of stances,
parties and withdrawals, on every backend."""

import io
import itertools

from rdflib import Graph, Literal
from rdflib.namespace import XSD

from kb.namespaces import KB
from kb.status import bounds, derive_status, span, status_of

STANCES = ("denies", "disputes", "qualifies", "confirms", "retracts")
# one dispute: (stance, taken by the claimant?, withdrawn?)
KINDS = list(itertools.product(STANCES, (True, False), (True, False)))


def oracle(disputes) -> str:
    """The rule as DESIGN.md states it, written out independently of kb.status."""
    standing = [(s, own) for s, own, gone in disputes if not gone]
    if any(s == "retracts" and own for s, own in standing):
        return "retracted"
    if any(s in ("denies", "disputes") for s, _ in standing):
        return "disputed"
    if any(s == "confirms" for s, _ in standing):
        return "confirmed"
    return "reported"


def combos(everything: bool = True):
    """No dispute, each kind of dispute alone, and pairs of them: every pair, or (on a
    server, where each test's data is cleared graph by graph) every pair of standing disputes."""
    yield ()
    yield from ((k,) for k in KINDS)
    kinds = KINDS if everything else [k for k in KINDS if not k[2]]
    yield from itertools.combinations(kinds, 2)


def test_status_of_matches_the_oracle():
    for disputes in itertools.chain(combos(), itertools.combinations(KINDS, 3)):
        assert status_of((s, own) for s, own, gone in disputes if not gone) == oracle(disputes), disputes


def test_every_combination_reads_the_same_three_ways(kb, backend):
    doc = {"agents": [{"id": "alice", "type": "Person", "name": {"en": "Alice"}},
                      {"id": "bob", "type": "Person", "name": {"en": "Bob"}},
                      {"id": "paper", "type": "Organization", "name": {"en": "Paper"}}],
           "sources": [{"id": "s", "type": "NewsArticle", "headline": {"en": "S"}, "publisher": "paper",
                        "published": "2025-09", "language": "en"}],
           "claims": []}
    expected, withdrawn = {}, []
    for i, disputes in enumerate(combos(everything=backend == "embedded")):
        cid = f"c{i}"
        expected[cid] = oracle(disputes)
        ds = []
        for j, (stance, own, gone) in enumerate(disputes):
            ds.append({"id": f"{cid}-d{j}", "party": "alice" if own else "bob", "stance": stance,
                       "text": {"en": f"{stance} {j}"}, "sources": ["s"]})
            if gone:
                withdrawn.append(f"{cid}-d{j}")
        doc["claims"].append({"id": cid, "text": {"en": f"Claim {i}"}, "claimant": "alice", "about": ["bob"],
                              "sources": ["s"], "disputes": ds})
    kb.import_data(doc, by="tester")
    # withdraw in one write: the export, with kb:withdrawn on the chosen disputes, loaded back
    buf = io.BytesIO()
    kb.export(buf, "turtle")
    g = Graph().parse(data=buf.getvalue(), format="turtle")
    for d in withdrawn:
        g.add((kb.iri("dispute", d), KB.withdrawn, Literal("2025-10-01T00:00:00Z", datatype=XSD.dateTime)))
    kb.import_rdf(g.serialize(format="nt").encode(), "nt", by="tester")

    got = {c["id"]: c["status"] for c in kb.get_claims(list(expected))}
    assert got == expected
    for use_index in (True, False):  # the claim index (where the store keeps one), and the SPARQL expression
        listed = {}
        for status in ("reported", "confirmed", "disputed", "retracted"):
            page = kb.list_claims(status=status, limit=500, use_index=use_index)
            assert page["total"] == sum(1 for s in expected.values() if s == status)
            listed |= {c["id"]: status for c in page["claims"]}
        assert listed == expected, f"use_index={use_index}"


def test_status_as_of_a_date_counts_only_the_disputes_known_by_then():
    claim = {"claimant": {"iri": "a"}, "disputes": [
        {"stance": "confirms", "party": {"iri": "b"}, "effective_date": "2025-08", "withdrawn": None},
        {"stance": "denies", "party": {"iri": "b"}, "effective_date": "2025-10-02", "withdrawn": None},
        {"stance": "retracts", "party": {"iri": "a"}, "effective_date": "2026", "withdrawn": None}]}
    assert derive_status(claim, "2025-07") == "reported"
    assert derive_status(claim, "2025-08-01") == "confirmed"  # a month counts from its first day
    assert derive_status(claim, "2025-10") == "disputed"
    assert derive_status(claim, "2025-10-01") == "confirmed"
    assert derive_status(claim) == derive_status(claim, "2026-01-01") == "retracted"


def test_a_date_spans_what_its_precision_covers():
    assert span("2024-02") == {"start": "2024-02-01", "end": "2024-02-29", "precision": "month", "given": "2024-02"}
    assert span("2025") == {"start": "2025-01-01", "end": "2025-12-31", "precision": "year", "given": "2025"}
    assert span("2025-09-11T10:00:00Z")["precision"] == "day"
    assert span("2025-13") is None and span("20x5") is None and span("") is None
    assert bounds("") == ("", "") and bounds("2025-09") == ("2025-09-01", "2025-09-30")
