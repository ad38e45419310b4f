"""Review before publication (issue 15 §1, §2, §5, §6): drafts kept beside the published graph, invisible
to every public read until another analyst approves them; the queue; the steps through the library,
the JSON API and the pages; bad input and roles."""

import io
from pathlib import Path

import pytest
from helpers import HTML, SOURCE, kb_cmd, sign_in, token_of
from rdflib import Literal

from app import create_app
from kb import Conflict, InvalidData, KBError, NotFound, QueryError, open_kb

CLAIM = "ms-cancelled-datacentre-deals"
NEW = {"text": {"en": "Reviewers never saw this sentence"}, "claimant": "microsoft", "about": ["openai"],
       "sources": [SOURCE]}


def _exports(k) -> bytes:
    out = b""
    for fmt in ("turtle", "trig", "nq", "jsonld", "nt"):
        buf = io.BytesIO()
        k.export(buf, fmt)
        out += buf.getvalue()
    return out


# ---- the library, on every backend ---------------------------------------------------------
def test_a_draft_is_in_no_public_read_until_another_analyst_approves_it(seeded):
    k = seeded
    with k.review.drafting():
        d = k.add_claim(NEW, by="hanako")
    n, cid = d["draft"], d["records"][0]["id"]
    assert d["state"] == "draft" and d["author"] == "hanako" and d["records"][0]["from_version"] == 0
    with pytest.raises(NotFound):
        k.get_claim(cid)
    assert k.list_claims(q="Reviewers never saw")["total"] == 0
    assert cid not in {c["id"] for c in k.list_claims(limit=500)["claims"]}
    assert not k.query("SELECT ?s WHERE { ?s ?p 'Reviewers never saw this sentence'@en }").rows
    assert b"Reviewers never saw" not in _exports(k) and b"/drafts/" not in _exports(k)
    for q in (f"SELECT * WHERE {{ GRAPH <{k.review.iri(n)}> {{ ?s ?p ?o }} }}",
              f"SELECT * WHERE {{ GRAPH <{k.review.graph}> {{ ?s ?p ?o }} }}",
              "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
              f"SELECT * FROM NAMED <{k.review.iri(n)}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
        with pytest.raises(QueryError):
            k.query(q)

    k.review.submit(n, by="hanako")
    with pytest.raises(KBError) as e:
        k.review.approve(n, by="hanako")
    assert e.value.status == 403
    assert [x["draft"] for x in k.review.queue("taro")["awaiting"]] == [n]
    assert k.review.queue("hanako")["awaiting"] == [] and k.review.counts("hanako") == {"awaiting": 0, "sent": 1}
    done = k.review.approve(n, by="taro")
    assert done["state"] == "published" and [s["action"] for s in done["steps"]] == ["submit", "approve"]
    assert done["steps"][-1]["by"] == "taro"
    c = k.get_claim(cid)
    assert c["text"]["en"] == NEW["text"]["en"]
    assert [(h["by"], h["action"]) for h in k.history("claim", cid)] == [("hanako", "created")]
    assert k.query("SELECT ?s WHERE { ?s ?p 'Reviewers never saw this sentence'@en }").rows
    assert k.review.queue("taro") == {"awaiting": [], "sent": []}


def test_return_with_a_comment_fix_and_send_again(seeded):
    k = seeded
    with k.review.drafting():
        n = k.add_claim(NEW, by="hanako")["draft"]
    with pytest.raises(Conflict):
        k.review.return_(n, "not in review yet", by="taro")
    k.review.submit(n, by="hanako")
    with pytest.raises(InvalidData) as e:
        k.review.return_(n, "   ", by="taro")
    assert e.value.problems[0].field == "comment"
    back = k.review.return_(n, "<script>alert(1)</script> say which deals", by="taro")
    assert back["state"] == "returned" and back["returned_with"].startswith("<script>")
    with pytest.raises(Conflict):
        k.review.approve(n, by="taro")  # not in review
    with pytest.raises(KBError) as e:
        k.review.edit_text(n, {"en": "taro's words"}, by="taro")
    assert e.value.status == 403
    fixed = k.review.edit_text(n, {"en": "Microsoft walked away from two deals, reportedly"}, by="hanako")
    assert fixed["draft"] == n and fixed["title"]["en"].startswith("Microsoft walked")
    with pytest.raises(InvalidData):  # the shapes check a draft too: a claim needs its text
        k.review.edit_text(n, {}, by="hanako")
    k.review.submit(n, by="hanako")
    k.review.assign(n, "jiro", by="taro")
    assert k.review.queue("taro")["awaiting"] == [] and k.review.queue("jiro")["awaiting"][0]["draft"] == n
    k.review.approve(n, by="jiro")
    assert k.get_claim(k.review.get(n)["records"][0]["id"])["text"]["en"].startswith("Microsoft walked")


def test_an_edit_stays_unseen_until_approved_and_conflicts_when_the_record_moved_on(seeded):
    k = seeded
    before = k.get_claim(CLAIM)
    record = {"id": CLAIM, "text": {"en": "An edited text", "ja": before["text"]["ja"]},
              "claimant": before["claimant"]["id"], "about": [a["id"] for a in before["about"]],
              "sources": [s["id"] for s in before["sources"]], "sourcing": before["sourcing"],
              "quote": {"exact": before["quote"]["exact"], "source": before["quote"]["source"]["id"]}}
    with k.review.drafting():
        d = k.add_claim(record, by="hanako", expected_version=before["version"])
    assert d["records"][0]["from_version"] == before["version"]
    assert k.get_claim(CLAIM)["text"]["en"] == before["text"]["en"]  # readers see the published text
    rows = {r["field"]: r for r in k.review.fields(d["draft"])[0]["rows"]}
    assert rows["schema:text"]["changed"] and "An edited text @en" in rows["schema:text"]["draft"]
    assert rows["schema:text"]["name"] == "text" and rows["schema:author"]["name"] == "claimant"  # as in YAML
    assert [x["draft"] for x in k.review.of_claim(CLAIM)] == [d["draft"]]
    with k.review.drafting(), pytest.raises(Conflict) as e:  # one open draft per record
        k.add_claim(record, by="taro", expected_version=before["version"])
    assert "hanako" in e.value.message
    k.review.submit(d["draft"], by="hanako")
    k.withdraw("dispute", before["disputes"][0]["id"], by="someone")  # (another record: no conflict)
    k.add_claim({**record, "text": before["text"], "sourcing": None}, by="jiro", expected_version=before["version"])
    with pytest.raises(Conflict) as e:
        k.review.approve(d["draft"], by="taro")
    assert e.value.status == 409 and "version" in e.value.message
    assert k.get_claim(CLAIM)["text"]["en"] == before["text"]["en"] and k.review.get(d["draft"])["state"] == "in-review"


def test_every_kind_of_write_becomes_a_draft(seeded):
    k = seeded
    with k.review.drafting():
        dispute = k.add_dispute(CLAIM, {"party": "openai", "stance": "confirms", "text": {"en": "OpenAI confirmed it."}, "sources": [SOURCE]}, by="hanako")
        k.verdicts.add(CLAIM, {"rating": "false", "text": {"en": "No."}, "sources": [SOURCE]}, by="hanako")
        verdict = k.review.made()
        k.relations.add(CLAIM, {"relation": "supports", "claim": "ms-openai-partnership-turbulent"}, by="hanako")
        relation = k.review.made()
        withdrawal = k.withdraw("claim", CLAIM, by="hanako")
    assert dispute["records"][0]["kind"] == "dispute" and verdict["records"][0]["kind"] == "verdict"
    assert relation["records"][0]["kind"] == "relation" and not k.relations.of(CLAIM)
    assert withdrawal["action"] == "withdrawn"
    assert not k.get_claim(CLAIM)["withdrawn"] and k.verdicts.get(CLAIM) is None
    assert len(k.review.of_claim(CLAIM)) == 4
    k.review.submit(withdrawal["draft"], by="hanako")
    k.review.approve(withdrawal["draft"], by="taro")
    assert k.get_claim(CLAIM)["withdrawn"]
    assert k.history("claim", CLAIM)[-1]["action"] == "withdrawn" and k.history("claim", CLAIM)[-1]["by"] == "hanako"


def test_changes_show_a_draft_after_it_is_approved_and_not_before(seeded):
    k, follows = seeded, [("topic", "data-centre-deals"), ("agent", "openai")]
    before = k.changes.of(follows)
    with k.review.drafting():
        d = k.add_dispute(CLAIM, {"party": "openai", "stance": "confirms", "text": {"en": "OpenAI confirmed it."},
                                  "sources": [SOURCE]}, by="hanako")
    assert k.changes.of(follows) == before and k.changes.of_one("claim", CLAIM) == k.changes.of_one("claim", CLAIM)
    k.review.submit(d["draft"], by="hanako")
    assert k.changes.of(follows) == before
    k.review.approve(d["draft"], by="taro")
    new = [c for c in k.changes.of(follows) if c not in before]
    assert ("stance", "hanako") in [(c["kind"], c["by"]) for c in new]  # (with the derived status it moved)


def test_the_author_writing_again_replaces_the_draft_and_backups_keep_drafts(tmp_path):
    k = open_kb(str(tmp_path / "store"))
    k.import_yaml((Path(__file__).parent.parent / "fixtures" / "seed.yaml").read_bytes(), by="seed")
    with k.review.drafting():
        first = k.add_claim({**NEW, "id": "kept-as-a-draft"}, by="hanako")
        again = k.add_claim({**NEW, "id": "kept-as-a-draft", "text": {"en": "Second thoughts"}}, by="hanako")
    assert again["draft"] == first["draft"] and again["title"] == {"en": "Second thoughts"}
    assert len(k.review.drafts()) == 1
    k.backup(tmp_path / "backup")
    k.close()
    restored = kb_cmd(tmp_path / "restored", "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    k = open_kb(str(tmp_path / "restored"))
    assert k.review.get(first["draft"])["title"] == {"en": "Second thoughts"}
    k.close()


def test_without_drafting_writes_publish_at_once(seeded):
    seeded.add_claim(NEW, by="hanako")
    assert seeded.review.drafts() == [] and seeded.list_claims(q="Reviewers never saw")["total"] == 1


# ---- the web app ------------------------------------------------------------------------------
@pytest.fixture
def web():
    a = create_app({"TESTING": True, "REVIEW_REQUIRED": True}, kb=open_kb(":memory:"))
    users = a.extensions["users"]
    for name, role in (("ada", "admin"), ("hanako", "analyst"), ("taro", "analyst"), ("vic", "viewer")):
        users.add(name, role, f"{name}-password")
    a.tokens = {n: {"Authorization": f"Bearer {users.token(n)}"} for n in ("ada", "hanako", "taro", "vic")}
    return a


def test_the_api_steps_and_who_may_see_a_draft(web):
    c, t = web.test_client(), web.tokens
    r = c.post("/api/claims", json=NEW, headers=t["hanako"])
    assert r.status_code == 202
    d = r.get_json()
    n, cid = d["draft"], d["records"][0]["id"]
    for who in (None, "vic"):  # drafts do not exist for anyone but analysts
        h = t[who] if who else {}
        assert c.get(f"/api/claims/{cid}", headers=h).status_code == 404
        assert c.get(f"/api/review/{n}", headers=h).status_code == 404
        assert c.get(f"/api/review/{n + 7}", headers=h).status_code == 404
        assert c.get(f"/claims/{cid}", headers={**HTML, **h}).status_code == 404
        assert c.get(f"/review/{n}", headers={**HTML, **h}).status_code == 404
        assert c.get("/api/review", headers=h).status_code == 404
    assert c.post(f"/api/review/{n}/approve", headers=t["vic"]).status_code == 403
    assert cid not in c.get("/api/claims?limit=500").get_data(as_text=True)
    assert "Reviewers never saw" not in c.get("/api/claims?q=Reviewers").get_data(as_text=True)
    assert b"Reviewers never saw" not in c.get("/export.nq").data + c.get("/export.ttl").data
    assert b"Reviewers never saw" not in c.get("/claimreview.jsonld").data
    pictures = ("/timeline.json?about=openai", "/network.json?about=openai", "/timeline.svg?about=openai")
    assert all(b"Reviewers never saw" not in c.get(p).data for p in pictures)
    q = f"SELECT * FROM NAMED <{web.extensions['kb'].review.iri(n)}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert c.get("/sparql", query_string={"query": q}).status_code == 400
    assert c.get(f"/api/review/{n}", headers=t["taro"]).get_json()["fields"][0]["new"]
    r = c.get(f"/api/claims/{cid}", headers=t["taro"])  # to an analyst: the claim's draft
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/api/review/{n}")
    assert c.get(f"/api/claims/{cid}", headers=t["taro"], follow_redirects=True).get_json()["state"] == "draft"

    assert c.post(f"/api/claims/{cid}/approve", headers=t["taro"]).status_code == 409  # not in review
    assert c.post(f"/api/claims/{cid}/submit", headers=t["taro"]).status_code == 403  # not the author
    assert c.post(f"/api/claims/{cid}/submit", headers=t["hanako"]).get_json()["state"] == "in-review"
    assert c.post(f"/api/claims/{cid}/approve", headers=t["hanako"]).status_code == 403  # one's own
    r = c.post(f"/api/claims/{cid}/return", json={}, headers=t["taro"])
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "comment"
    r = c.post(f"/api/claims/{cid}/return", json={"comment": "<b>why?</b>"}, headers=t["taro"])
    assert r.get_json()["state"] == "returned"
    assert c.post(f"/api/claims/{cid}/submit", headers=t["hanako"]).status_code == 200
    assert c.post(f"/api/review/{n}/assign", json={"to": "vic"}, headers=t["taro"]).status_code == 400
    assert c.post(f"/api/review/{n}/assign", json={"to": "taro"}, headers=t["ada"]).get_json()["assignee"] == "taro"
    assert [x["draft"] for x in c.get("/api/review", headers=t["taro"]).get_json()["awaiting"]] == [n]
    assert c.post(f"/api/claims/{cid}/approve", headers=t["taro"]).get_json()["state"] == "published"
    assert c.get(f"/api/claims/{cid}").status_code == 200
    assert b"Reviewers never saw" in c.get("/export.nq").data
    assert b"Reviewers never saw" in c.get("/timeline.json?about=openai").data
    assert c.post(f"/api/review/{n}/approve", headers=t["taro"]).status_code == 409  # already published


def test_an_admin_may_approve_their_own_and_imports_publish_directly(web):
    c, t = web.test_client(), web.tokens
    n = c.post("/api/claims", json=NEW, headers=t["ada"]).get_json()["draft"]
    c.post(f"/api/review/{n}/submit", headers=t["ada"])
    assert c.post(f"/api/review/{n}/approve", headers=t["ada"]).get_json()["state"] == "published"
    doc = "claims:\n  - id: imported-at-once\n    text: {en: Imported directly}\n    claimant: openai\n" \
          "    about: [openai]\n    sources: [" + SOURCE + "]\n"
    assert c.post("/api/import", data=doc, headers=t["ada"]).status_code == 200
    assert c.get("/api/claims/imported-at-once").status_code == 200


def test_the_pages_mark_drafts_and_show_the_queue(web):
    c = web.test_client()
    sign_in(c, "hanako")
    r = c.post("/claims/new", data={"text_en": "A claim typed in the form", "claimant": "openai", "about": "openai",
                                    "sources": SOURCE, "csrf_token": token_of(c, "/claims/new")})
    assert r.status_code == 303 and "/review/" in r.headers["Location"]
    page = c.get(r.headers["Location"], headers=HTML).get_data(as_text=True)
    assert "draft-mark" in page and "A claim typed in the form" in page and "Send for review" in page
    n = int(r.headers["Location"].rsplit("/", 1)[-1])
    cid = web.extensions["kb"].review.get(n)["records"][0]["id"]
    assert c.get(f"/claims/{cid}", headers=HTML).headers["Location"].endswith(f"/review/{n}")
    c.post(f"/review/{n}/submit", data={"csrf_token": token_of(c, f"/review/{n}")})
    home = c.get("/", headers=HTML).get_data(as_text=True)
    assert "drafts-strip" in home and "0 awaiting · 1 sent" in home
    other = web.test_client()
    sign_in(other, "taro")
    queue = other.get("/review", headers=HTML).get_data(as_text=True)
    assert f'data-draft="{n}"' in queue and "1 awaiting" in queue
    other.post(f"/review/{n}/return", data={"comment": "<script>alert(1)</script>",
                                            "csrf_token": token_of(other, f"/review/{n}")})
    page = c.get(f"/review/{n}", headers=HTML).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    ja = other.get(f"/review/{n}?lang=ja", headers=HTML).get_data(as_text=True)
    assert "差し戻し" in ja
    # a dispute of a published claim: a Drafts box on the claim's page, for analysts only
    r = c.post(f"/claims/{CLAIM}/disputes/new", data={
        "party": "openai", "stance": "confirms", "text_en": "OpenAI confirmed it.", "sources": SOURCE,
        "csrf_token": token_of(c, f"/claims/{CLAIM}/disputes/new")})
    assert r.status_code == 303 and "/review/" in r.headers["Location"]
    page = other.get(f"/claims/{CLAIM}", headers=HTML).get_data(as_text=True)
    assert "drafts-box" in page and "OpenAI confirmed it." in page
    public = web.test_client().get(f"/claims/{CLAIM}", headers=HTML).get_data(as_text=True)
    assert "drafts-box" not in public and "OpenAI confirmed it." not in public


def test_with_review_off_the_api_publishes_at_once(app_with_roles):
    c = app_with_roles.test_client()
    r = c.post("/api/claims", json=NEW, headers=app_with_roles.tokens["ana"])
    assert r.status_code == 201 and app_with_roles.extensions["kb"].review.drafts() == []


def test_the_command_line_lists_and_approves_for_admins(tmp_path):
    store = tmp_path / "store"
    k = open_kb(str(store))
    k.import_yaml((Path(__file__).parent.parent / "fixtures" / "seed.yaml").read_bytes(), by="seed")
    with k.review.drafting():
        n = k.add_claim(NEW, by="hanako")["draft"]
    k.review.submit(n, by="hanako")
    k.close()
    for name, role in (("ada", "admin"), ("taro", "analyst")):
        assert kb_cmd(store, "user", "add", name, "--role", role, stdin=f"{name}-password\n").returncode == 0
    r = kb_cmd(store, "review", "list")
    assert r.returncode == 0 and r.stdout.startswith(f"{n}\tin-review\thanako\t")
    r = kb_cmd(store, "review", "approve", str(n), "--as", "taro")
    assert r.returncode == 1 and "not an admin" in r.stderr
    r = kb_cmd(store, "review", "approve", str(n), "--as", "ada")
    assert r.returncode == 0 and f"draft {n} published" in r.stdout, r.stderr
    assert kb_cmd(store, "review", "list").stdout == ""
    k = open_kb(str(store))
    assert k.get_claim(k.review.get(n)["records"][0]["id"])["text"]["en"] == NEW["text"]["en"]
    k.close()


@pytest.mark.parametrize("backend", ["oxigraph", "virtuoso"])
def test_two_workers_making_drafts_at_once_number_them_apart(seeded, backend, request):
    """Two processes on one server store (two handles, each with its own lock) make drafts at the same
    moment: each draft gets a number of its own and holds its own claim."""
    import threading

    server = request.getfixturevalue(f"{backend}_servers")[0]
    other = open_kb(server.url, update_endpoint=server.update_url)
    made: dict = {}
    start = threading.Barrier(2)

    def author(k, who):
        start.wait()
        for i in range(8):
            with k.review.drafting():
                d = k.add_claim({**NEW, "text": {"en": f"{who} draft {i}"}}, by=who)
            made[(who, i)] = d["draft"]

    try:
        threads = [threading.Thread(target=author, args=(k, who)) for k, who in ((seeded, "hanako"), (other, "taro"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        other.close()
    assert len(made) == 16 and len(set(made.values())) == 16
    for (who, i), n in made.items():
        d = seeded.review.get(n)
        assert d["author"] == who and len(d["records"]) == 1
        texts = {o for _, _, o in seeded.review.records(n)[0][0].triples}
        assert Literal(f"{who} draft {i}", lang="en") in texts
