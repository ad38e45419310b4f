"""Listing claims: filters, search, facets and paging, and the claim index that answers them as the store does.

Through the library on every backend and through the list page; the claim
index answers exactly as the store does after every kind of write, and a stale
index is rebuilt when the store is opened."""

import re
import sqlite3
import sys
from pathlib import Path

import pytest

from kb import KBError, open_kb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import generate  # noqa: E402

HTML = {"Accept": "text/html"}
CLAIM = "ms-cancelled-datacentre-deals"

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



def test_list_page_search_facets_and_paging(client):
    r = client.get("/", headers=HTML)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert page.count('<li class="claim"') == 20 and "1 / 2" in page
    assert 'data-facet="status"' in page and 'data-value="disputed"' in page
    page2 = client.get("/?page=2", headers=HTML).get_data(as_text=True)
    assert page2.count('<li class="claim"') == 11
    ids1 = set(re.findall(r'<li class="claim" data-claim="([^"]+)"', page))
    ids2 = set(re.findall(r'<li class="claim" data-claim="([^"]+)"', page2))
    assert not ids1 & ids2 and len(ids1 | ids2) == 31
    # the facet counts are the list's own: clicking "disputed" gives that many
    n = int(re.search(r'data-value="disputed">[^<]*</a> <span class="n">(\d+)', page).group(1))
    assert client.get("/?status=disputed", headers=HTML).get_data(as_text=True).count('<li class="claim"') == n == 3
    # search in Japanese and English; a month from the date facet
    assert f'data-claim="{CLAIM}"' in client.get("/?q=データセンター契約", headers=HTML).get_data(as_text=True)
    assert f'data-claim="{CLAIM}"' in client.get("/?q=DATA-CENTRE deals", headers=HTML).get_data(as_text=True)
    # a date facet value: the claims dated to that month, or dated only to that year
    n = int(re.search(r'data-value="2025">[^<]*</a> <span class="n">(\d+)', page).group(1))
    assert client.get("/?date=2025", headers=HTML).get_data(as_text=True).count('<li class="claim"') == n == 2
    assert client.get("/?date=2025-09", headers=HTML).get_data(as_text=True).count('<li class="claim"') == 20
    assert client.get("/api/claims?date_from=2025-01-01&date_to=2025-12-31").get_json()["total"] == 31
    assert "No claims match." in client.get("/?q=zzzz-nothing", headers=HTML).get_data(as_text=True)
    assert client.get("/?status=maybe", headers=HTML).status_code == 400
    # JSON by Accept, like the API
    assert client.get("/", headers={"Accept": "application/json"}).get_json()["total"] == 31



# ---- the claim index -----------------------------------------------------------------------------

FILTERS = [
    {}, {"status": "disputed"}, {"status": "confirmed"}, {"status": "retracted"}, {"party": "org-3"},
    {"claimant": "person-2"}, {"about": "org-1"}, {"about": "topic-4"}, {"source": "source-7"},
    {"date": "2024-03"}, {"date": "2025"}, {"date_from": "2024-06", "date_to": "2025-01-15"}, {"date_to": "2023"},
    {"language": "ja"}, {"language": "EN"}, {"q": "データセンター契約"}, {"q": "AI"}, {"q": "チ"},
    {"q": "Walked Away"}, {"q": "report 1"}, {"q": '"quoted"'}, {"q": "no such words at all"},
    {"status": "disputed", "about": "org-2", "q": "ソフト"}, {"party": "org-5", "date_from": "2025-03"},
]


def same(kb, **f):
    a = kb.list_claims(**f, limit=500, facets=True)
    b = kb.list_claims(**f, limit=500, facets=True, use_index=False)
    assert [c["id"] for c in a["claims"]] == [c["id"] for c in b["claims"]], f
    assert a["total"] == b["total"], f
    assert a["facets"] == b["facets"], f
    return a["total"]


@pytest.fixture(scope="module")
def generated():
    kb = open_kb(":memory:")
    kb.import_data(generate(600, seed=5), by="gen")
    yield kb
    kb.close()


@pytest.mark.parametrize("filters", FILTERS, ids=[str(f) for f in FILTERS])
def test_index_answers_as_the_store_does(generated, filters):
    same(generated, **filters)


def test_paging_through_the_index(generated):
    pages = [generated.list_claims(limit=50, offset=o)["claims"] for o in range(0, 700, 50)]
    ids = [c["id"] for p in pages for c in p]
    assert ids == [c["id"] for c in generated.list_claims(limit=500, use_index=False)["claims"]] + \
        [c["id"] for c in generated.list_claims(limit=500, offset=500, use_index=False)["claims"]]


def test_index_follows_every_kind_of_write(seeded, caplog):
    caplog.set_level("WARNING", logger="claimkb")
    kb = seeded
    assert same(kb, status="disputed") == 3
    kb.add_dispute("openai-microsoft-signed-mou", {"party": "microsoft", "stance": "confirms", "text": {"en": "Yes"},
                                                   "sources": ["windows-central-ms-ai-self-sufficiency"]}, by="t")
    assert same(kb, status="confirmed") == 1
    kb.withdraw("dispute", "ms-cancelled-datacentre-deals--sam-altman-denies", by="t")
    assert same(kb, status="disputed") == 2 and same(kb, party="sam-altman") == 0
    kb.withdraw("claim", "openai-microsoft-signed-mou", by="t")
    assert same(kb) == 30 and same(kb, status="confirmed") == 0
    kb.restore("claim", "openai-microsoft-signed-mou", 1, by="t")
    assert same(kb) == 31
    # a source's new date moves every claim that appears in it
    kb.add_record("source", {"id": "windows-central-ms-ai-self-sufficiency", "type": "NewsArticle",
                             "headline": {"ja": "見出し"}, "publisher": "windows-central", "published": "2024-01",
                             "language": "ja"}, by="t")
    assert same(kb, date="2024-01") == 28 and same(kb, date="2025-09") == 1  # one claim has its own date
    kb.add_claim({"id": "new-one", "text": {"ja": "新しいデータセンター契約の主張"}, "claimant": "openai",
                  "about": ["openai"], "sources": ["windows-central-ms-ai-self-sufficiency"], "date": "2026-01-02"},
                 by="t")
    assert kb.list_claims(limit=1)["claims"][0]["id"] == "new-one"
    assert same(kb, q="データセンター契約") == 2
    assert not [r for r in caplog.records if "index" in r.getMessage()]  # updated, never rebuilt


def test_a_stale_index_is_rebuilt_on_opening(tmp_path, seed_bytes):
    kb = open_kb(str(tmp_path / "s"))
    kb.import_yaml(seed_bytes, by="t")
    before = kb.list_claims(limit=500, facets=True)
    kb.close()
    db = sqlite3.connect(tmp_path / "s" / "index.sqlite")  # as if a crash came between store and index
    db.execute("UPDATE meta SET value = '0' WHERE key = 'generation'")
    db.execute("DELETE FROM claims")
    db.commit()
    db.close()
    kb = open_kb(str(tmp_path / "s"))
    assert kb.list_claims(limit=500, facets=True) == before
    kb.close()
    (tmp_path / "s" / "index.sqlite").unlink()  # or lost altogether
    kb = open_kb(str(tmp_path / "s"))
    assert kb.list_claims(limit=500, facets=True) == before
    kb.close()


def _busiest_from_store(kb, limit=3):
    from kb import queries

    _, found = kb.store.select(queries.BUSY_TOPICS, kb.default_graphs)
    return [(str(r["topic"]), int(r["claims"]), int(r["disputes"])) for r in found[:limit]]


def test_counts_kept_by_writes_are_the_store_s(tmp_path, caplog):
    """The unfiltered facets and the busiest topics come from counts each write keeps, not a count of
    every claim: after writes, and in a fresh process, they are the store's own."""
    caplog.set_level("WARNING", logger="claimkb")
    kb = open_kb(str(tmp_path / "s"))
    kb.import_data(generate(300, seed=7), by="gen")
    assert kb.index.busiest_topics(5) == _busiest_from_store(kb, 5)
    same(kb)
    busiest = kb.index.busiest_topics(1)[0][0]
    claim = kb.list_claims(about=kb.local_id(busiest), limit=1)["claims"][0]["id"]
    kb.withdraw("claim", claim, by="t")
    kb.add_claim({"id": "new-one", "text": {"en": "A new claim"}, "claimant": "org-3", "about": ["topic-2", "org-1"],
                  "sources": ["source-1"], "date": "2026-01-02",
                  "disputes": [{"party": "org-4", "stance": "denies", "text": {"en": "No"}, "sources": ["source-2"]}]},
                 by="t")
    assert kb.index.busiest_topics(5) == _busiest_from_store(kb, 5)
    same(kb)
    assert not caplog.records  # each write updated the counts (no rebuild of the whole index)
    kb.close()
    kb = open_kb(str(tmp_path / "s"))  # kept in the index file
    assert kb.index.busiest_topics(5) == _busiest_from_store(kb, 5)
    same(kb)
    kb.close()


def test_pickers_follow_every_write_of_their_kind(seeded):
    kb = seeded
    names = lambda kind: {r["id"] for r in kb.records(kind)}  # noqa: E731
    before = names("agent")
    assert "microsoft" in before and "new-party" not in before
    kb.add_claim({"id": "c-new", "text": {"en": "A claim"}, "claimant": "new-party", "about": ["new-topic"],
                  "sources": ["windows-central-ms-ai-self-sufficiency"]}, by="t",
                 new={"agents": [{"id": "new-party", "type": "Organization", "name": {"en": "New Party"}}],
                      "topics": [{"id": "new-topic", "label": {"en": "New topic"}}]})
    assert names("agent") == before | {"new-party"} and "new-topic" in names("topic")
    kb.add_record("agent", {"id": "later", "type": "Person", "name": {"en": "Later"}}, by="t")
    assert "later" in names("agent")
    renamed = next(r for r in kb.records("agent") if r["id"] == "later")
    kb.add_record("agent", {"id": "later", "type": "Person", "name": {"en": "Renamed"}}, by="t")
    assert next(r for r in kb.records("agent") if r["id"] == "later") != renamed
