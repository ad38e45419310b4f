"""The benchmarks' bulk fill (bench/bulk.py) makes the store the write-path fill (bench/run.py) makes.

Both fill a folder with the same generated claims, in the same writes; the stores must hold the same
quads but for what each write makes afresh (its time and its activity's UUID), and the claim index
rebuilt from the bulk-loaded store (batch by batch) must answer as the written one and as the store."""

import re
import sys
from pathlib import Path

import pytest

from kb import indexer, open_kb
from kb.stores.base import to_ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import bulk  # noqa: E402
import run  # noqa: E402

N, CHUNK = 700, 300  # four writes: agents, topics and sources; then 300, 300 and 100 claims
WHEN = re.compile(r'^"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\+00:00|Z)"\^\^<http://www.w3.org/2001/XMLSchema#dateTime>$')
FILTERS = [{}, {"status": "disputed"}, {"q": "データセンター契約"}, {"about": "org-1", "date": "2024-11"},
           {"q": "Oracle 報道"}, {"q": "Analyst Person 1"}, {"claimant": "person-3"}, {"language": "ja", "q": "denies"}]


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fills")
    written = open_kb(str(folder / "written"))
    run.fill(written, N, chunk=CHUNK)
    written.close()
    batch = indexer.BATCH
    indexer.BATCH = 150  # the rebuild reads and writes the index in several batches
    try:
        figures = bulk.bulk_fill(folder / "bulk", N, chunk=CHUNK)
    finally:
        indexer.BATCH = batch
    assert figures["claims"] == N and figures["quads"] > 30 * N
    written, bulked = open_kb(str(folder / "written")), open_kb(str(folder / "bulk"))
    yield written, bulked
    written.close()
    bulked.close()


def canonical(kb) -> tuple[set, int]:
    """The store's quads in N-Quads terms, each write's time made one value and each write's
    activity named by the first version it made (the same write in both stores); and how many."""
    quads = [(*map(to_ox, q[:3]), q[3]) for q in kb.store.quads()]
    made = {}
    for s, p, o, _g in quads:
        if str(p) == "<http://www.w3.org/ns/prov#wasGeneratedBy>" and str(o).startswith("<urn:uuid:"):
            made[str(o)] = min(made.get(str(o), str(s)), str(s))
    out = set()
    for q in quads:
        terms = tuple(str(t) for t in q)
        out.add(tuple("WHEN" if WHEN.match(t) else f"activity of {made[t]}" if t in made else t for t in terms))
    return out, len(quads)


def test_bulk_fill_holds_the_quads_of_the_write_path_fill(stores):
    written, bulked = stores
    a, n_a = canonical(written)
    b, n_b = canonical(bulked)
    assert n_a == n_b and a == b
    assert any(t[0].endswith("/claims/claim-699>") for t in a)
    assert written.data.generation() == bulked.data.generation() == 4


def every_page(kb, f: dict, **kw) -> tuple[list[str], dict]:
    first = kb.list_claims(**f, limit=100, facets=True, **kw)
    ids = [c["id"] for c in first["claims"]]
    for offset in range(100, first["total"], 100):
        ids += [c["id"] for c in kb.list_claims(**f, limit=100, offset=offset, **kw)["claims"]]
    assert len(ids) == first["total"]
    return ids, first["facets"]


def test_bulk_filled_index_answers_as_the_written_one_and_the_store(stores):
    written, bulked = stores
    for f in FILTERS:
        mine, facets = every_page(bulked, f)
        theirs, their_facets = every_page(written, f)
        store, store_facets = every_page(bulked, f, use_index=False)
        assert mine, f
        # in the same order as the store; as the written one's but for claims of one date written in
        # different seconds (the list is in order of date, then of the time of the write)
        assert mine == store and sorted(mine) == sorted(theirs), f
        assert facets == their_facets == store_facets, f
    assert bulked.summary() == written.summary()


def test_bulk_filled_store_validates_as_the_written_one(stores):
    written, bulked = stores
    assert bulked.validate_store().conforms and written.validate_store().conforms
