"""Listing claims: filters, search, facets and paging, and the claim index that answers them as the store does.

Through the library on every backend and through the list page; the claim
index answers exactly as the store does after every kind of write, and a stale
index is rebuilt when the store is opened."""

import re
import sqlite3
import sys
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import PROV, XSD

from kb import KBError, open_kb
from kb.namespaces import SDO

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
    assert a["claims"] == b["claims"], f  # each summary, its verdict among them (the index says which have one)
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
    # what the index keeps of each listed claim (its card) follows renames, edits, verdicts and relations
    kb.add_record("agent", {"id": "openai", "type": "Organization", "name": {"en": "Zyxwv AI", "ja": "ズィクス"}},
                  by="t")
    claim = kb.get_claim("new-one")
    kb.add_claim({"id": "new-one", "text": {"en": "An edited claim"}, "claimant": claim["claimant"]["id"],
                  "about": ["microsoft"], "sources": ["windows-central-ms-ai-self-sufficiency"]}, by="t")
    kb.verdicts.add("openai-microsoft-signed-mou", {"rating": "misleading"}, by="t")
    kb.relations.add("new-one", {"relation": "same-as", "claim": "openai-microsoft-signed-mou"}, by="t")
    assert same(kb) == 31
    listed = {c["id"]: c for c in kb.list_claims(limit=500)["claims"]}
    assert "new-one" not in listed and listed["openai-microsoft-signed-mou"]["also_reported_as"] == ["new-one"]
    assert listed["openai-microsoft-signed-mou"]["verdict"]["rating"] == "misleading"
    assert {c["claimant"]["name"]["en"] for c in listed.values() if c["claimant"]["id"] == "openai"} == {"Zyxwv AI"}
    kb.withdraw("relation", kb.get_claim("new-one")["relations"][0]["id"], by="t")
    assert same(kb) == 32 and {c["id"]: c for c in kb.list_claims(limit=500)["claims"]}["new-one"]["text"] == {
        "en": "An edited claim"}
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


def _kept(kb):
    """What the index keeps counted by each write: every topic's claims and disputes, ordered by them and
    then by its latest write (busiest_topics), and the facets of all standing claims."""
    return kb.index.busiest_topics(10_000), kb.list_claims(limit=1, facets=True)["facets"]


def test_counts_moved_by_each_write_are_those_a_whole_rebuild_counts(tmp_path, caplog):
    """Each write moves the kept counts by its claims' share (out before, in after) instead of counting
    again: after every kind of write they are what counting every claim gives (a rebuild), and the
    store's; and so after a restart."""
    from kb.indexer import rebuild

    caplog.set_level("WARNING", logger="claimkb")
    kb = open_kb(str(tmp_path / "s"))
    kb.import_data(generate(200, seed=11), by="gen")
    topic = kb.local_id(kb.index.busiest_topics(1)[0][0])
    old, edited = [c["id"] for c in kb.list_claims(about=topic, limit=2)["claims"]]
    new = {"id": "new-one", "text": {"en": "A new claim", "ja": "新しい主張"}, "claimant": "org-3",
           "about": [topic, "org-1"], "sources": ["source-1"], "date": "2026-01-02",
           "disputes": [{"party": "org-4", "stance": "denies", "text": {"en": "No"}, "sources": ["source-2"]}]}
    dispute = {"party": "org-5", "stance": "confirms", "text": {"en": "Yes"}, "sources": ["source-3"]}

    def moved_to_other_topic():
        claim = kb.get_claim(edited)
        kb.add_claim({"id": edited, "text": claim["text"], "claimant": claim["claimant"]["id"],
                      "about": ["topic-2", "org-2"], "sources": [s["id"] for s in claim["sources"]]},
                     by="t", expected_version=claim["version"])

    def alone(claim, topic):  # a claim alone in a new topic
        kb.add_claim({"id": claim, "text": {"en": "Alone"}, "claimant": "org-1", "about": [topic],
                      "sources": ["source-1"]}, by="t", new={"topics": [{"id": topic, "label": {"en": topic}}]})

    def written_at(claim, when):  # a claim written again, recorded at a given time (an RDF import keeps it)
        g = kb.version_graph("claim", claim, kb.history("claim", claim)[-1]["version"])
        iri = kb.iri("claim", claim)
        g.set((iri, SDO.text, Literal(f"Alone, {when}", lang="en")))
        g.set((iri, PROV.generatedAtTime, Literal(when, datatype=XSD.dateTime)))
        kb.import_rdf(g.serialize(format="turtle").encode(), "turtle", by="t")

    def order(*topics):
        listed = [kb.local_id(t) for t, _, _ in kb.index.busiest_topics(10_000)]
        return sorted(topics, key=listed.index)

    steps = [
        lambda: kb.add_claim(new, by="t"),  # the topic's latest write, a dispute more
        lambda: kb.add_dispute(old, dispute, by="t"),
        lambda: kb.withdraw("dispute", kb.get_claim(old)["disputes"][-1]["id"], by="t"),
        lambda: kb.withdraw("claim", "new-one", by="t"),  # the latest write taken out: counted again
        lambda: kb.restore("claim", "new-one", 1, by="t"),
        moved_to_other_topic,  # out of one topic, into another
        lambda: kb.withdraw("claim", old, by="t"),
        lambda: kb.add_claim({**new, "id": "newer", "about": ["topic-9"]}, by="t"),  # a topic's first claims
        # two topics of one claim each, no disputes: listed by their latest write
        lambda: alone("ta", "tie-a"),
        lambda: alone("tb", "tie-b"),
        lambda: written_at("ta", "2020-01-01T00:00:00+00:00"),  # the latest write taken out, an older put in
        lambda: written_at("tb", "2021-01-01T00:00:00+00:00"),
        lambda: written_at("ta", "2022-01-01T00:00:00+00:00"),  # a later latest write
        lambda: written_at("ta", "2019-01-01T00:00:00+00:00"),
    ]
    newest_first = {len(steps) - 3: "tie-b", len(steps) - 2: "tie-a", len(steps) - 1: "tie-b"}
    for i, step in enumerate(steps):
        step()
        if i in newest_first:
            assert order("tie-a", "tie-b")[0] == newest_first[i]
        kept = _kept(kb)
        assert kb.index.busiest_topics(3) == _busiest_from_store(kb, 3)
        same(kb)
        rebuild(kb.data)  # every claim counted
        assert _kept(kb) == kept
    assert not caplog.records  # each write moved the counts (no rebuild of the whole index)
    kb.close()
    kb = open_kb(str(tmp_path / "s"))  # kept in the index file
    assert _kept(kb) == kept
    kb.close()


def test_searches_follow_many_writes_of_the_same_claims(monkeypatch, seed_bytes):
    """The search columns' links and languages are appended to and dropped by claim, sorted again and
    compacted now and then (kb.columns.Rows): after dozens of writes of the same claims, a search with
    filters on links and languages still answers as the store does."""
    import kb.columns

    monkeypatch.setattr(kb.columns, "SPARE", 4)  # sorted again and compacted within a few writes
    k = open_kb(":memory:")
    k.import_yaml(seed_bytes, by="t")
    searches = [{"q": "microsoft"}, {"q": "AI", "about": "microsoft"}, {"q": "データセンター", "language": "ja"},
                {"q": "OpenAI", "party": "sam-altman"}, {"q": "契約", "source": "windows-central-ms-ai-self-sufficiency"}]
    claims = [c["id"] for c in k.list_claims(about="microsoft", limit=6)["claims"]]
    for i in range(24):
        c = claims[i % len(claims)]
        k.withdraw("claim", c, by="t")
        if i % 4 == 0:
            for f in searches:
                same(k, **f)
        k.restore("claim", c, 1, by="t")
        if i % 6 == 5:
            k.add_dispute(c, {"party": "sam-altman", "stance": "denies", "text": {"ja": "違う"},
                              "sources": ["windows-central-ms-ai-self-sufficiency"]}, by="t")
    for f in searches:
        same(k, **f)
    k.close()


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


def test_filtered_lists_from_the_columns_are_what_sqlite_counts(tmp_path, caplog):
    """A filtered list's page, total and facets come from the columns in memory once they are loaded
    (counted in SQLite before): after every kind of write and in a fresh process they are what SQLite
    counts and what the store answers."""
    from kb.filters import parse
    from kb.listing import claims_of

    caplog.set_level("WARNING", logger="claimkb")
    kb = open_kb(str(tmp_path / "s"))
    kb.import_data(generate(200, seed=3), by="gen")
    filters = [f for f in FILTERS if f and "q" not in f] + [{"about": "topic-4", "language": "ja"},
                                                             {"date": "2024-03", "status": "reported"}]

    def check(store=True):
        kb.index.wait()
        for f in filters:
            parsed = parse(kb.data, f)
            assert kb.index.facets(parsed) == kb.index.counted(parsed), f  # every value, both ways
            if store or "claimant" in f or "date" in f:  # (the store's own answers take seconds each)
                same(kb, **f)
            assert [kb.local_id(c) for c in claims_of(kb.data, f)] == \
                [c["id"] for c in kb.list_claims(**f, limit=500)["claims"]], f

    check()
    claim = kb.list_claims(claimant="person-2", limit=1)["claims"][0]["id"]
    steps = [
        lambda: kb.add_dispute(claim, {"party": "org-3", "stance": "denies", "text": {"en": "No"},
                                       "sources": ["source-7"]}, by="t"),
        lambda: kb.withdraw("dispute", kb.get_claim(claim)["disputes"][-1]["id"], by="t"),
        lambda: kb.withdraw("claim", claim, by="t"),
        lambda: kb.restore("claim", claim, 1, by="t"),
        lambda: kb.add_claim({"id": "new-one", "text": {"ja": "新しい主張"}, "claimant": "person-2",
                              "about": ["org-1", "topic-4"], "sources": ["source-7"], "date": "2024-03-05"}, by="t"),
        lambda: kb.verdicts.add("new-one", {"rating": "false"}, by="t"),
        lambda: kb.add_record("source", {"id": "source-7", "type": "NewsArticle", "headline": {"ja": "見出し"},
                                         "publisher": "org-7", "published": "2024-03", "language": "ja"},
                              by="t"),  # every claim in it moves
    ]
    for step in steps:
        step()
        check(store=False)
    assert not caplog.records  # each write followed by the index (no rebuild)
    kb.close()
    kb = open_kb(str(tmp_path / "s"))  # a fresh process: SQLite until the columns are loaded, then them
    check()
    kb.close()


def busiest_steps(kb):
    """Writes of every kind that change what the home page's busiest stories show (each a function of
    the knowledge base to write to: a claim's dispute, a topic's and an agent's names, a verdict, a
    source's date, a claim withdrawn)."""
    top = kb.list_claims(about="microsoft-openai-partnership", limit=1)["claims"][0]["id"]
    return [
        lambda k: k.add_dispute(top, {"party": "microsoft", "stance": "confirms", "text": {"en": "Yes"},
                                      "sources": ["windows-central-ms-ai-self-sufficiency"]}, by="t"),
        lambda k: k.add_record("topic", {"id": "microsoft-openai-partnership",
                                         "label": {"en": "The partnership", "ja": "提携"}}, by="t"),
        lambda k: k.add_record("agent", {"id": "microsoft", "type": "Organization",
                                         "name": {"en": "MSFT", "ja": "マイクロソフト社"}}, by="t"),
        lambda k: k.verdicts.add(top, {"rating": "false"}, by="t"),
        lambda k: k.add_record("source", {"id": "windows-central-ms-ai-self-sufficiency", "type": "NewsArticle",
                                          "headline": {"ja": "見出し"}, "publisher": "windows-central",
                                          "published": "2024-01", "language": "ja"}, by="t"),
        lambda k: k.withdraw("claim", top, by="t"),
    ]


def test_busiest_stories_kept_in_the_index_are_the_store_s_after_every_kind_of_write(tmp_path, seed_bytes):
    """The home page's busiest stories are kept in the claim index's file at the generation they were
    derived at: a fresh process's first home page reads them there (not one claim from the store), and
    after every kind of write, in this process and in a fresh one, they are what the store gives."""
    from kb import stories

    kb = open_kb(str(tmp_path / "s"))
    kb.import_yaml(seed_bytes, by="t")
    steps = busiest_steps(kb)
    shown = []
    for step in [None, *steps]:
        kb = open_kb(str(tmp_path / "s")) if kb is None else kb
        if step is not None:
            step(kb)
        derived = stories._busiest(kb, 3, 8)  # from the store's claims
        assert stories.busiest_stories(kb) == derived
        shown.append(derived)
        kb.close()
        kb = open_kb(str(tmp_path / "s"))  # a fresh process
        kb.get_claims = None  # its busiest stories read no claim: kept at this generation
        assert stories.busiest_stories(kb) == derived
        kb.close()
        kb = None
    assert len({repr(s) for s in shown}) == len(shown)  # each write changed what is shown
