"""An agent's and a topic's page list the newest claims of each of their lists, with how many
there are and a link to the claim list filtered by them, which pages through the rest: an agent
named by 10,000 claims is no 6 MB page. On the library (all three backends) and over HTTP."""

import re

from kb.entities import STORY_PAGE

HTML = {"Accept": "text/html"}


def ids(rows):
    return [r["id"] for r in rows]


def test_each_list_is_the_newest_first_with_its_size(seeded):
    kb = seeded
    whole = kb.agent_story("openai", limit=None)
    assert whole["about_total"] == len(whole["about"]) == 25 > STORY_PAGE  # the seed names OpenAI in 25 claims
    # newest first, as the claim list filtered by the agent puts them
    listed = kb.list_claims(about="openai", limit=100)["claims"]
    assert ids(whole["about"]) == ids(listed)
    page = kb.agent_story("openai")
    assert ids(page["about"]) == ids(whole["about"])[:STORY_PAGE] and page["about_total"] == 25
    assert page["about"] == whole["about"][:STORY_PAGE]  # the same summaries, verdicts and all
    assert ids(page["claims"]) == ids(kb.list_claims(claimant="openai")["claims"]) and page["claims_total"] == 5
    # a withdrawn claim leaves the list but stays on the page, counted (its withdrawal is its latest write)
    gone = ids(listed)[3]
    kb.withdraw("claim", gone, by="t")
    again = kb.agent_story("openai", limit=None)
    assert sorted(ids(again["about"])) == sorted(ids(whole["about"])) and again["about_total"] == 25
    assert [c for c in ids(again["about"]) if c != gone] == ids(kb.list_claims(about="openai", limit=100)["claims"])
    topic = kb.topic_story("microsoft-openai-partnership", limit=4)
    assert topic["claims_total"] == 9 and len(topic["claims"]) == 4
    assert ids(topic["claims"]) == ids(kb.list_claims(about="microsoft-openai-partnership", limit=4)["claims"])
    source = kb.source_story("windows-central-ms-ai-self-sufficiency", limit=3)
    assert source["claims_total"] == 31 and len(source["claims"]) == 3  # (the one withdrawn above counts)


def test_a_party_s_stances_follow_their_claims_order(seeded):
    kb = seeded
    order = ids(kb.list_claims(limit=100)["claims"])
    chosen = [order[9], order[2], order[5]]  # recorded out of the list's order
    for c in chosen:
        kb.add_dispute(c, {"party": "kevin-okemwa", "stance": "qualifies", "text": {"en": "Not quite"},
                                "sources": ["windows-central-ms-ai-self-sufficiency"]}, by="t")
    kb.withdraw("dispute", kb.get_claim(order[5])["disputes"][-1]["id"], by="t")
    story = kb.agent_story("kevin-okemwa", limit=2)
    assert story["disputes_total"] == 3  # the withdrawn stance counts: the page shows it, marked
    assert [d["claim"]["id"] for d in story["disputes"]] == [order[2], order[5]]
    assert [d["withdrawn"] for d in story["disputes"]] == [False, True]
    whole = kb.agent_story("kevin-okemwa", limit=None)
    assert [d["claim"]["id"] for d in whole["disputes"]] == [order[2], order[5], order[9]]


def test_pages_show_the_newest_and_link_to_the_rest(client):
    page = client.get("/agents/openai", headers=HTML).get_data(as_text=True)
    about = page[page.index("Claims about this party"):]
    assert re.search(r"Claims about this party <small>25</small>", page)
    assert about.count('<li class="claim"') == STORY_PAGE
    assert 'href="/?about=openai">The newest 20 of 25 are shown: see them all in the claim list →' in page
    # the list it links to holds the 25, newest first, the same 20 first
    listed = client.get("/api/claims?about=openai&limit=100").get_json()
    shown = re.findall(r'data-claim="([^"]+)"', about)
    assert listed["total"] == 25 and shown == [c["id"] for c in listed["claims"][:STORY_PAGE]]
    # lists not longer than a page link nowhere
    assert 'href="/?claimant=openai">' not in page and "Claims made <small>5</small>" in page
    assert page.count('href="/?about=openai"') == 1  # the cut list's link, not a second one below it
    kevin = client.get("/agents/kevin-okemwa", headers=HTML).get_data(as_text=True)
    assert 'href="/?about=kevin-okemwa">Claims: Kevin Okemwa →</a>' in kevin  # nothing cut: the list's own link
    client.get("/lang/ja")
    page = client.get("/agents/openai", headers=HTML).get_data(as_text=True)
    assert "25 件のうち新しい 20 件を表示しています。主張一覧ですべて見る →" in page
    page = client.get("/topics/microsoft-openai-partnership", headers=HTML).get_data(as_text=True)
    assert "主張一覧ですべて見る" not in page and page.count('<li class="claim"') == 9
