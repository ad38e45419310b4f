"""Comments, following, /changes and the Atom feeds through HTTP (app/follow.py)."""

import feedparser
import pytest
from helpers import sign_in

from app import create_app
from kb import open_kb

CLAIM = "ms-cancelled-datacentre-deals"
SOURCE = "windows-central-ms-ai-self-sufficiency"
TOPIC = "data-centre-deals"


def dispute(client, headers, stance, date):
    r = client.post(f"/api/claims/{CLAIM}/disputes", headers=headers, json={
        "party": "microsoft", "stance": stance, "text": {"en": f"Microsoft {stance}."}, "sources": [SOURCE],
        "date": date})
    assert r.status_code == 201, r.get_json()


def test_comments_through_the_api_and_who_sees_them(app_with_roles):
    client, t = app_with_roles.test_client(), app_with_roles.tokens
    r = client.post(f"/api/claims/{CLAIM}/comments", headers=t["ana"], json={"text": "<script>alert(1)</script>ok?"})
    assert r.status_code == 201 and r.get_json()["author"] == "ana"
    assert client.get(f"/api/claims/{CLAIM}/comments", headers=t["bob"]).get_json()[0]["text"] \
        == "<script>alert(1)</script>ok?"
    # a viewer may not comment, nor read the thread; an anonymous reader neither; nothing changed
    assert client.post(f"/api/claims/{CLAIM}/comments", headers=t["vic"], json={"text": "hi"}).status_code == 403
    assert client.get(f"/api/claims/{CLAIM}/comments", headers=t["vic"]).status_code == 403
    assert client.get(f"/api/claims/{CLAIM}/comments").status_code == 401
    assert client.post(f"/api/claims/{CLAIM}/comments", json={"text": "hi"}).status_code == 401
    assert client.post(f"/api/claims/{CLAIM}/comments", headers=t["ana"], json={"text": ""}).status_code == 422
    assert client.post("/api/claims/nope/comments", headers=t["ana"], json={"text": "x"}).status_code == 404
    assert len(client.get(f"/api/claims/{CLAIM}/comments", headers=t["ana"]).get_json()) == 1
    cid = r.get_json()["id"]
    assert client.put(f"/api/comments/{cid}", headers=t["bob"], json={"text": "bob's"}).status_code == 403
    assert client.delete(f"/api/comments/{cid}", headers=t["bob"]).status_code == 403
    assert client.delete("/api/comments/nope", headers=t["ana"]).status_code == 404
    edited = client.put(f"/api/comments/{cid}", headers=t["ana"], json={"text": "<script>alert(1)</script>ok?!"})
    assert edited.status_code == 200 and edited.get_json()["edited"]
    # the claim page: the thread for analysts (the script inert), nothing of it for the others
    sign_in(client, "bob")
    page = client.get(f"/claims/{CLAIM}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;ok?!" in page and "<script>alert(1)" not in page
    anon = app_with_roles.test_client()
    for path in (f"/claims/{CLAIM}", f"/claims/{CLAIM}.ttl", f"/api/claims/{CLAIM}", "/export.trig", "/export.nq",
                 "/export.ttl", "/export.jsonld"):
        r = anon.get(path)
        assert r.status_code == 200 and b"alert(1)" not in r.data, path
    sign_in(anon, "vic")
    assert "alert(1)" not in anon.get(f"/claims/{CLAIM}").get_data(as_text=True)
    q = "SELECT ?t WHERE { ?c a <http://schema.org/Comment> ; <http://schema.org/text> ?t }"
    r = client.get("/sparql", query_string={"query": q}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.get_json()["results"]["bindings"] == []
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"})
    assert r.status_code == 400


def test_comments_public_when_the_setting_says_so():
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "COMMENTS_PUBLIC": True}, kb=open_kb(":memory:"))
    app.extensions["users"].add("ana", "analyst", "ana-password")
    headers = {"Authorization": f"Bearer {app.extensions['users'].token('ana')}"}
    client = app.test_client()
    assert client.post(f"/api/claims/{CLAIM}/comments", headers=headers, json={"text": "for all"}).status_code == 201
    anon = app.test_client()
    assert anon.get(f"/api/claims/{CLAIM}/comments").get_json()[0]["text"] == "for all"
    assert "for all" in anon.get(f"/claims/{CLAIM}").get_data(as_text=True)
    assert b"for all" not in anon.get("/export.nq").data  # still never in the exports


def test_editing_and_withdrawing_on_the_page(app_with_roles):
    client = app_with_roles.test_client()
    sign_in(client, "ana")
    client.post(f"/claims/{CLAIM}/comments", data={"text": "first words"})
    cid = client.get(f"/api/claims/{CLAIM}/comments").get_json()[0]["id"]
    assert client.post(f"/comments/{cid}/edit", data={"text": "better words"}).status_code == 303
    other = app_with_roles.test_client()
    sign_in(other, "bob")
    assert other.post(f"/comments/{cid}/edit", data={"text": "bob's words"}).status_code == 403
    assert client.post(f"/comments/{cid}/withdraw").status_code == 303
    [c] = client.get(f"/api/claims/{CLAIM}/comments").get_json()
    assert c["text"] == "better words" and c["withdrawn"]
    assert client.delete(f"/api/comments/{cid}", headers=app_with_roles.tokens["ana"]).status_code == 409
    assert client.post(f"/comments/{cid}/edit", data={"text": "again"}).status_code == 409


def test_following_and_the_changes_page(app_with_roles):
    client, t = app_with_roles.test_client(), app_with_roles.tokens
    assert client.post("/api/watch", json={"kind": "topic", "id": TOPIC}).status_code == 401
    assert client.post("/api/watch", headers=t["ana"], json={"kind": "dispute", "id": "x"}).status_code == 400
    assert client.post("/api/watch", headers=t["ana"], json={"kind": "topic", "id": "nope"}).status_code == 404
    r = client.post("/api/watch", headers=t["ana"], json={"kind": "topic", "id": TOPIC})
    assert r.get_json() == {"kind": "topic", "id": TOPIC, "following": True}
    assert client.get("/api/watch", headers=t["ana"]).get_json()[0]["id"] == TOPIC
    viewer = app_with_roles.test_client()  # a viewer follows too, on the topic's page
    sign_in(viewer, "vic")
    assert viewer.post("/watch", data={"kind": "topic", "id": TOPIC, "action": "follow",
                                       "csrf_token": ""}).status_code == 303
    dispute(client, t["bob"], "confirms", "2025-03-01")
    dispute(client, t["bob"], "denies", "2025-03-05")
    sign_in(client, "ana")
    page = client.get("/changes").get_data(as_text=True)
    assert "Microsoft moved from confirms to denies" in page
    assert page.index("Microsoft moved from confirms to denies") < page.index("Microsoft took a stance: confirms")
    assert f'href="/claims/{CLAIM}#{CLAIM}--microsoft-denies-2025-03-05"' in page
    assert "Unfollow" in client.get(f"/topics/{TOPIC}").get_data(as_text=True)
    # the second visit shows what changed since the first
    again = client.get("/api/changes").get_json()
    assert all(c["at"] >= again["since"] for c in again["changes"])
    ja = viewer.get("/changes?lang=ja").get_data(as_text=True)
    assert "の立場が「確認」から「否定」に変わりました" in ja and "フォロー中の変更" in ja
    assert client.delete("/api/watch", headers=t["ana"], json={"kind": "topic", "id": TOPIC}).status_code == 200
    assert client.get("/api/watch", headers=t["ana"]).get_json() == []
    # the session cookie alone never writes through the API
    assert client.post("/api/watch", json={"kind": "topic", "id": TOPIC}).status_code == 401


@pytest.mark.parametrize("path", [f"/topics/{TOPIC}/changes.atom", f"/claims/{CLAIM}/changes.atom",
                                  "/agents/microsoft/changes.atom"])
def test_the_atom_feeds(app_with_roles, path):
    client, t = app_with_roles.test_client(), app_with_roles.tokens
    dispute(client, t["bob"], "confirms", "2025-03-01")
    dispute(client, t["bob"], "denies", "2025-03-05")
    r = app_with_roles.test_client().get(path)  # no account: reads are public
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    feed = feedparser.parse(r.data)
    assert not feed.bozo and feed.version == "atom10"
    titles = [e.title for e in feed.entries]
    assert titles.index("Microsoft moved from confirms to denies") < titles.index("Microsoft took a stance: confirms")
    moved = feed.entries[titles.index("Microsoft moved from confirms to denies")]
    assert moved.link.endswith(f"/claims/{CLAIM}#{CLAIM}--microsoft-denies-2025-03-05") and moved.author == "bob"
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    ja = feedparser.parse(app_with_roles.test_client().get(path + "?lang=ja").data)
    assert any("「確認」から「否定」" in e.title for e in ja.entries)
    assert app_with_roles.test_client().get("/topics/nope/changes.atom").status_code == 404


def test_feeds_need_an_account_when_reads_are_not_public():
    app = create_app({"TESTING": True, "PUBLIC_READS": False}, kb=open_kb(":memory:"))
    assert app.test_client().get(f"/topics/{TOPIC}/changes.atom",
                                 headers={"Accept": "application/atom+xml"}).status_code in (302, 401)
