"""Timelines and the dispute network: data, SVG, and what Chromium shows."""

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from browsing import new_page, shot
from helpers import start_server, stop
from playwright.sync_api import expect

from app import create_app
from kb import open_kb, stories
from kb.stories import MAX_STORY_LIMIT, STORY_LIMIT, span

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import generate  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"
CLAIM = "ms-cancelled-datacentre-deals"


@pytest.fixture(scope="module")
def client():
    return create_app({"TESTING": True}, kb=open_kb(":memory:")).test_client()


def test_spans_keep_the_precision_the_source_gives():
    assert span("2025-09") == {"start": "2025-09-01", "end": "2025-09-30", "precision": "month", "given": "2025-09"}
    assert span("2024-02")["end"] == "2024-02-29"
    assert span("2025")["precision"] == "year" and span("2025")["end"] == "2025-12-31"
    assert span("2025-09-11")["start"] == span("2025-09-11")["end"] == "2025-09-11"
    assert span("2025-13") is None and span(None) is None


def test_claim_timeline_data_and_svg(client):
    data = client.get(f"/claims/{CLAIM}/timeline.json").get_json()
    kinds = [(m["kind"], m["when"]["precision"], m.get("stance")) for m in data["marks"]]
    assert kinds == [("appeared", "month", None), ("dispute", "month", "denies")]
    assert data["marks"][1]["dated_by"] == "source" and data["marks"][1]["agent"]["id"] == "sam-altman"
    assert [s["status"] for s in data["status_segments"]] == ["reported", "disputed"]
    r = client.get(f"/claims/{CLAIM}/timeline.svg")
    assert r.mimetype == "image/svg+xml" and "attachment" in r.headers["Content-Disposition"]
    svg = ET.fromstring(r.data)
    marks = svg.findall(f".//{SVG}g[@class='mark span']")
    assert len(marks) == 2 and all(m.find(f"{SVG}rect") is not None for m in marks)  # months drawn as spans
    assert client.get("/claims/nope/timeline.json").status_code == 404


def test_story_timeline_counts(client):
    data = client.get("/timeline.json?about=microsoft").get_json()
    listed = client.get("/api/claims?about=microsoft").get_json()["total"]
    assert data["total"] == data["shown"] == listed == 23
    svg = ET.fromstring(client.get("/timeline.svg?about=microsoft").data)
    rows = svg.findall(f".//{SVG}g[@class='row']")
    assert len(rows) == 23
    assert sum(int(r.get("data-marks")) for r in rows) == sum(len(c["marks"]) for c in data["claims"])
    assert client.get("/timeline.json?about=microsoft&limit=5").get_json()["shown"] == 5


def test_network_data_filters_and_aggregation(client, tmp_path):
    data = client.get("/network.json").get_json()
    claims = [n for n in data["nodes"] if n["kind"] == "claim"]
    parties = {e["from"] for e in data["edges"] if e["kind"] == "stance"}
    assert len(claims) == data["disputes"] == 3 and parties == {"microsoft", "openai", "sam-altman"}
    denies = client.get("/network.json?stance=denies").get_json()
    assert denies["disputes"] == 2 and {e["stance"] for e in denies["edges"] if e["kind"] == "stance"} == {"denies"}
    assert client.get("/network.json?date_from=2026-01").get_json()["disputes"] == 0
    assert client.get("/network.json?about=data-centre-deals").get_json()["disputes"] == 1
    assert client.get("/network.json?stance=likes").status_code == 400
    # beyond the node limit, parties are joined to the claimants they dispute, weighted
    from kb import stories
    agg = stories.dispute_network(client.application.extensions["kb"], max_nodes=5)
    assert agg["aggregated"] and all(e["kind"] == "party" for e in agg["edges"])
    assert sum(e["weight"] for e in agg["edges"]) == 3
    svg = ET.fromstring(client.get("/network.svg").data)
    assert int(svg.get("data-nodes")) == len(data["nodes"])


@pytest.fixture(scope="module")
def big():
    """A generated store (600 claims): its largest entity has more claims than a story timeline shows."""
    kb = open_kb(":memory:")
    kb.import_data(generate(600, seed=5), by="gen")
    yield create_app({"TESTING": True, "LOAD_SEED": False}, kb=kb).test_client()
    kb.close()


def test_a_big_story_shows_its_most_recent_claims_and_says_so(big):
    kb = big.application.extensions["kb"]
    total = kb.list_claims(about="org-2")["total"]
    assert total > STORY_LIMIT
    data = big.get("/timeline.json?about=org-2").get_json()
    assert (data["total"], data["shown"], data["limit"], data["truncated"]) == (total, STORY_LIMIT, STORY_LIMIT, True)
    newest = kb.list_claims(about="org-2", limit=STORY_LIMIT)["claims"]
    assert sorted(c["id"] for c in data["claims"]) == sorted(c["id"] for c in newest)
    # each row is the claim's own timeline (the claims are read together, not one by one)
    one = data["claims"][0]
    assert one == big.get(f"/claims/{one['id']}/timeline.json").get_json()
    ids = [c["id"] for c in newest]
    assert kb.get_claims(ids) == [kb.get_claim(i) for i in ids]
    # a sane maximum, whatever is asked
    assert big.get("/timeline.json?about=org-2&limit=100000").get_json()["shown"] == min(total, MAX_STORY_LIMIT)
    everything = big.get(f"/timeline.json?about=org-2&limit={total}").get_json()
    assert everything["shown"] == total and not everything["truncated"]
    # the page says what it leaves out, and offers the dates to narrow by
    page = big.get("/timeline?about=org-2").get_data(as_text=True)
    assert f"Showing the most recent {STORY_LIMIT} of {total} claims" in page
    assert 'name="date_from"' in page and 'name="date_to"' in page and 'name="limit"' in page
    svg = ET.fromstring(big.get("/timeline.svg?about=org-2").data)
    assert len(svg.findall(f".//{SVG}g[@class='row']")) == STORY_LIMIT
    narrowed = big.get("/timeline.json?about=org-2&date_from=2025-06").get_json()
    assert narrowed["total"] == kb.list_claims(about="org-2", date_from="2025-06")["total"] < total
    assert "Showing the most recent" not in big.get("/timeline?about=microsoft").get_data(as_text=True)


def _same_network(kb, **args):
    a = stories.dispute_network(kb, **args)
    b = stories.dispute_network(kb, **args, use_index=False)
    key = lambda xs: sorted(json.dumps(x, sort_keys=True) for x in xs)  # noqa: E731
    assert (a["disputes"], a["aggregated"]) == (b["disputes"], b["aggregated"]), args
    assert key(a["nodes"]) == key(b["nodes"]) and key(a["edges"]) == key(b["edges"]), args
    return a


@pytest.mark.parametrize("args", [{}, {"about": "org-2"}, {"about": "topic-3", "stance": "denies"},
                                  {"about": "org-2", "date_from": "2025-03", "date_to": "2025-06"},
                                  {"about": "org-1", "max_nodes": 10}])
def test_the_network_from_the_claim_index_is_the_store_s(big, args):
    _same_network(big.application.extensions["kb"], **args)


def test_an_aggregated_network_weighs_every_standing_dispute(big):
    kb = big.application.extensions["kb"]
    claims = kb.get_claims(kb.claim_page(about="org-2", limit=500)[0])
    standing = sum(1 for c in claims for d in c["disputes"] if not d["withdrawn"])
    net = stories.dispute_network(kb, about="org-2", max_nodes=10)
    assert net["aggregated"] and all(e["kind"] == "party" for e in net["edges"])
    assert sum(e["weight"] for e in net["edges"]) == net["disputes"] == standing > 0
    assert sum(n["disputes"] for n in net["nodes"]) == standing
    # more agents than nodes allowed: the ones in fewest disputes are folded into one node, nothing is lost
    everyone = stories.dispute_network(kb, about="org-2", max_nodes=1000)
    agents = [n for n in everyone["nodes"] if n["kind"] == "agent"]
    assert len(agents) > 10 and net["folded"] == len(agents) - 9 and len(net["nodes"]) == 10
    others = next(n for n in net["nodes"] if n["id"] == stories.OTHERS)
    assert others["others"] == net["folded"]
    kept = {n["id"] for n in net["nodes"]} - {stories.OTHERS}
    assert others["disputes"] == sum(n["disputes"] for n in agents if n["id"] not in kept)
    page = big.get("/network?about=org-2").get_data(as_text=True)
    assert f"{standing} disputes" in page


def test_the_indexed_network_follows_writes(caplog):
    caplog.set_level("WARNING", logger="claimkb")
    kb = open_kb(":memory:")
    kb.import_data(generate(150, seed=3), by="gen")
    before = _same_network(kb)
    dispute = next(e["dispute"] for e in before["edges"] if e["kind"] == "stance")
    kb.withdraw("dispute", dispute, by="t")
    assert _same_network(kb)["disputes"] == before["disputes"] - 1
    # a dispute dated by its source moves when the source's date does
    undated = next(d for c in kb.get_claims(kb.claim_page(limit=500)[0]) for d in c["disputes"]
                   if not d["date"] and not d["withdrawn"])
    src = kb.get("source", undated["sources"][0]["id"])
    kb.add_record("source", {"id": src["id"], "type": "NewsArticle", "headline": src["headline"],
                             "publisher": src["publisher"]["id"], "published": "2021-02", "language": "en"}, by="t")
    assert _same_network(kb, date_to="2021-12")["disputes"] >= 1
    assert not caplog.records  # the index was updated by each write, not rebuilt
    kb.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc, url = start_server(tmp_path_factory.mktemp("pictures") / "store")
    yield url
    stop(proc)


@pytest.fixture(scope="module")
def page(browser):
    pg = new_page(browser)
    yield pg
    pg.context.close()
    assert pg.errors == []


def test_pictures_in_the_browser(server, page):
    # the claim page's timeline: two month-long marks, the status changing, a click to the source
    page.goto(f"{server}/claims/{CLAIM}")
    tl = page.locator(".claim-timeline svg.timeline")
    expect(tl.locator("g.mark")).to_have_count(2)
    expect(tl.locator("g.mark[data-stance=denies] rect")).to_have_count(1)
    expect(tl.locator("rect.band[data-status=disputed]")).to_have_count(1)  # denied in the month it appeared
    shot(page, "claim-timeline")
    tl.locator("g.mark[data-kind=appeared]").click()
    expect(page).to_have_url(f"{server}/sources/windows-central-ms-ai-self-sufficiency")

    # the whole Microsoft story, stacked; a row label leads to its claim
    page.goto(f"{server}/timeline?about=microsoft")
    data = json.loads(page.request.get(f"{server}/timeline.json?about=microsoft").text())
    svg = page.locator(".picture svg.timeline")
    expect(svg.locator("g.row")).to_have_count(data["shown"])
    expect(svg.locator("g.mark")).to_have_count(sum(len(c["marks"]) for c in data["claims"]))
    shot(page, "story-timeline")
    first = data["claims"][0]["id"]
    svg.locator(f"g.row[data-claim='{first}'] text.row-label").click()
    expect(page).to_have_url(f"{server}/claims/{first}")

    # the network: every node of the seed's disputes, and a click through to a party
    page.goto(f"{server}/network")
    data = json.loads(page.request.get(f"{server}/network.json").text())
    net = page.locator(".picture svg.network")
    expect(net.locator("g.node")).to_have_count(len(data["nodes"]))
    expect(net.locator("g.edge.stance")).to_have_count(3)
    shot(page, "network")
    page.select_option("select[name=stance]", "denies")
    page.click(".pic-filters button")
    expect(net.locator("g.edge.stance")).to_have_count(2)
    net.locator("g.node[data-id=sam-altman]").click()
    expect(page).to_have_url(f"{server}/agents/sam-altman")

    # the home page's busiest stories, in Japanese too
    page.goto(f"{server}/?lang=ja")
    expect(page.locator(".stories .story-card svg.timeline")).to_have_count(3)
    shot(page, "home-ja")
    page.goto(f"{server}/network?lang=ja")
    expect(page.locator("h1")).to_contain_text("反論")
    shot(page, "network-ja")


def test_a_network_past_500_nodes_is_drawn_without_scipy():
    # regression: networkx's spring layout needs scipy past 500 nodes; the 100k benchmark hit a 500 error
    from app.drawing import network

    nodes = [{"id": f"a{i}", "kind": "agent", "name": {"en": f"A{i}"}, "disputes": 1} for i in range(700)]
    edges = [{"from": f"a{i}", "to": f"a{(i * 7 + 1) % 700}", "kind": "party", "weight": 2, "stance": "denies",
              "stances": {"denies": 2}} for i in range(700)]
    drawn = network({"nodes": nodes, "edges": edges})
    assert len(drawn["nodes"]) == 700 and all(0 <= v["x"] <= drawn["width"] for v in drawn["nodes"])


def test_a_kept_network_is_dropped_by_the_next_write():
    kb = open_kb(":memory:")
    kb.import_data(generate(150, seed=3), by="gen")
    c = create_app({"TESTING": True, "LOAD_SEED": False}, kb=kb).test_client()
    before = c.get("/network.json?about=org-1").get_json()
    assert c.get("/network.svg?about=org-1").status_code == 200 and c.get("/network?about=org-1").status_code == 200
    dispute = next(e["dispute"] for e in before["edges"] if e["kind"] == "stance")
    kb.withdraw("dispute", dispute, by="t")
    assert c.get("/network.json?about=org-1").get_json()["disputes"] == before["disputes"] - 1
    svg = ET.fromstring(c.get("/network.svg?about=org-1").data)
    assert len(svg.findall(f".//{SVG}g[@class='edge stance']")) == before["disputes"] - 1
    kb.close()


def test_busiest_stories_follow_writes_on_every_backend(seeded):
    """Kept until the next write on the embedded store; asked again on a server
    store (whose write counter does not move), never left stale."""
    from kb import stories

    before = stories.busiest_stories(seeded, limit=10)
    first = before[0]["topic"]
    claims = seeded.list_claims(about=first["id"], limit=1)["claims"]
    claim_id = claims[0]["id"]
    seeded.add_dispute(claim_id, {"party": "microsoft", "stance": "confirms", "text": {"en": "Yes"},
                                  "sources": ["windows-central-ms-ai-self-sufficiency"]}, by="t")
    after = {s["topic"]["id"]: s["disputes"] for s in stories.busiest_stories(seeded, limit=10)}
    assert after[first["id"]] == before[0]["disputes"] + 1
