"""Writes: every change kept as a version, withdrawals and restores, and a write from a stale version refused (409).

Through the library on every backend; over HTTP (Flask's test client), where
an edit made from an older version answers 409 naming what changed in between
and loses nothing, every change is kept (who, when, added, removed), an earlier
version can be viewed and restored, and a refusal leaves the TriG export (every
graph, every version) byte-identical; and from several OS processes writing one
server store at once: no lost or half writes."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import export, record_of
from rdflib import Graph, Literal, URIRef

from kb import KBError, open_kb
from kb.namespaces import WRITE_RESERVATION

CLAIM = "ms-cancelled-datacentre-deals"
HTML = {"Accept": "text/html"}


@pytest.fixture
def app(app_with_roles):
    """Every role's account and token (``app.tokens``), CSRF off: see ``conftest.py``."""
    return app_with_roles


def test_update_keeps_history_and_earlier_version(seeded):
    c = seeded.get_claim("ms-cancelled-datacentre-deals")
    rec = {"id": c["id"], "text": {**c["text"], "en": "Changed wording."}, "claimant": c["claimant"]["id"],
           "about": [a["id"] for a in c["about"]], "sources": [s["id"] for s in c["sources"]]}
    seeded.add_claim(rec, by="editor", expected_version=1)
    hist = seeded.history("claim", c["id"])
    assert [h["action"] for h in hist] == ["created", "updated"]
    assert hist[1]["by"] == "editor"
    assert any("Changed wording." in t for t in hist[1]["added"])
    assert any(c["text"]["en"] in t for t in hist[1]["removed"])
    old = seeded.version_graph("claim", c["id"], 1)
    assert any(c["text"]["en"] == str(o) for o in old.objects())
    with pytest.raises(KBError) as conflict:
        seeded.add_claim({**rec, "text": {"en": "stale edit"}}, by="late", expected_version=1)
    assert conflict.value.status == 409
    seeded.restore("claim", c["id"], 1, by="editor")
    assert seeded.get_claim(c["id"])["text"] == c["text"]
    assert len(seeded.history("claim", c["id"])) == 3


def test_history_counts_what_it_lists(seeded):
    """Without the triples (what a claim page shows), the history counts what it lists with them."""
    c = seeded.get_claim(CLAIM)
    seeded.add_claim({"id": c["id"], "text": {**c["text"], "en": "Changed wording."}, "claimant": c["claimant"]["id"],
                      "about": [a["id"] for a in c["about"]], "sources": [s["id"] for s in c["sources"]]}, by="editor")
    full, counted = seeded.history("claim", CLAIM), seeded.history("claim", CLAIM, triples=False)
    assert [h["version"] for h in counted] == [1, 2]
    assert counted == [{**h, "added": len(h["added"]), "removed": len(h["removed"])} for h in full]
    assert counted[1]["added"] >= 1 and counted[1]["removed"] >= 1


def test_an_edit_replaces_japanese_text_on_every_backend(seeded):
    """The old Japanese name and text are gone from the current record (Virtuoso kept
    them beside the new ones when an edit also wrote the version's graph)."""
    seeded.add_record("agent", {"id": "sam-altman", "type": "Person", "works_for": "openai",
                                "name": {"en": "Samuel Harris Altman", "ja": "サミュエル・アルトマン"}}, by="t")
    assert seeded.get("agent", "sam-altman")["name"] == {"en": "Samuel Harris Altman", "ja": "サミュエル・アルトマン"}
    c = seeded.get_claim("ms-cancelled-datacentre-deals")
    rec = {"id": c["id"], "text": {"ja": "別の訳文。", "en": c["text"]["en"]}, "claimant": c["claimant"]["id"],
           "about": [a["id"] for a in c["about"]], "sources": [s["id"] for s in c["sources"]]}
    seeded.add_claim(rec, by="editor")
    assert seeded.get_claim(c["id"])["text"] == {"ja": "別の訳文。", "en": c["text"]["en"]}
    g = seeded.claim_graph(c["id"])
    assert "別の訳文。" in {str(o) for o in g.objects()} and c["text"]["ja"] not in {str(o) for o in g.objects()}
    assert seeded.version_graph("agent", "sam-altman", 1) is not None


def test_withdrawn_dispute_no_longer_counts_but_stays_readable(seeded):
    cid = "ms-cancelled-datacentre-deals"
    d = seeded.get_claim(cid)["disputes"][0]
    seeded.withdraw("dispute", d["id"], by="t", reason="entered by mistake")
    c = seeded.get_claim(cid)
    assert c["status"] == "reported"
    assert c["disputes"][0]["withdrawn"]
    assert len(seeded.history("dispute", d["id"])) == 2


# ---- over HTTP: edit conflicts -------------------------------------------------------------------

def test_an_edit_from_an_older_version_is_409_naming_what_changed_and_nothing_is_lost(app, client):
    t = app.tokens
    r = client.get(f"/api/claims/{CLAIM}")
    original = r.get_json()
    assert original["version"] == 1 and r.headers["ETag"] == '"1"'
    # ana and bob both read version 1; ana saves first
    ana_rec = {**record_of(original), "text": {**original["text"], "en": "Ana's wording."}}
    bob_rec = {**record_of(original), "text": {**original["text"], "en": "Bob's wording."}}
    r = client.put(f"/api/claims/{CLAIM}", json={**ana_rec, "version": 1}, headers=t["ana"])
    assert r.status_code == 200 and r.get_json()["version"] == 2 and r.headers["ETag"] == '"2"'
    before = export(client)
    r = client.put(f"/api/claims/{CLAIM}", json=bob_rec, headers={**t["bob"], "If-Match": '"1"'})
    assert r.status_code == 409
    body = r.get_json()
    assert body["your_version"] == 1 and body["current_version"] == 2
    assert body["errors"][0]["field"] == "version" and "ana" in body["errors"][0]["message"]
    [change] = body["changes"]
    assert change["version"] == 2 and change["by"] == "ana" and change["action"] == "updated" and change["at"]
    assert any("Ana's wording." in triple for triple in change["added"])
    assert any(original["text"]["en"] in triple for triple in change["removed"])
    assert export(client) == before  # bob's edit wrote nothing
    # bob re-reads, merges, saves from version 2: both edits stay in the history
    r = client.put(f"/api/claims/{CLAIM}", json={**bob_rec, "version": 2}, headers=t["bob"])
    assert r.status_code == 200 and r.get_json()["text"]["en"] == "Bob's wording."
    hist = client.get(f"/api/claims/{CLAIM}/history").get_json()["versions"]
    assert [(h["version"], h["by"], h["action"]) for h in hist] == [
        (1, "seed", "created"), (2, "ana", "updated"), (3, "bob", "updated")]
    texts = {n: client.get(f"/claims/{CLAIM}/versions/{n}.ttl").get_data(as_text=True) for n in (1, 2, 3)}
    assert original["text"]["en"] in texts[1] and "Ana's wording." in texts[2] and "Bob's wording." in texts[3]
    # the wrong ways to edit
    before = export(client)
    for kw, status, words in [
        ({"json": bob_rec}, 428, "version it was made from"),
        ({"json": {**bob_rec, "version": "three"}}, 400, "version must be"),
        ({"json": {**bob_rec, "version": 0}}, 400, "version must be"),
        ({"json": bob_rec, "headers": {"If-Match": "*"}}, 400, "If-Match"),
        ({"json": {**bob_rec, "id": "another-claim", "version": 3}}, 400, "not this claim's"),
        ({"json": {**bob_rec, "date": "2024-13-45", "version": 3}}, 422, "valid date"),
        ({"json": {**bob_rec, "claimant": "http://e/a b", "version": 3}}, 422, "not a valid IRI"),
        ({"json": {**bob_rec, "text": {"en": "a lone \ud800 surrogate"}, "version": 3}}, 422, "lone surrogate"),
        ({"json": {**bob_rec, "version": 2}}, 409, "now at version 3"),
    ]:
        headers = {**t["ana"], **kw.pop("headers", {})}
        r = client.put(f"/api/claims/{CLAIM}", headers=headers, **kw)
        assert r.status_code == status and words in r.get_json()["errors"][0]["message"], r.get_json()
    r = client.put("/api/claims/no-such-claim", json={**bob_rec, "version": 1}, headers=t["ana"])
    assert r.status_code == 404
    # POST records new claims: it cannot overwrite one without a version (a lost update by the back door)
    r = client.post("/api/claims", json={**ana_rec, "id": CLAIM}, headers=t["ana"])
    assert r.status_code == 409 and "already exists" in r.get_json()["errors"][0]["message"]
    assert r.get_json()["current_version"] == 3
    r = client.post("/api/claims", json={**bob_rec, "id": CLAIM}, headers=t["ana"])  # the same again: a no-op
    assert r.status_code == 201 and r.get_json()["version"] == 3
    assert export(client) == before


# ---- over HTTP: history and restore --------------------------------------------------------------

def test_history_is_kept_and_an_analyst_restores_an_earlier_version_as_a_new_change(app, client):
    t = app.tokens
    original = client.get(f"/api/claims/{CLAIM}").get_json()
    for n, who in ((1, "ana"), (2, "bob")):
        rec = {**record_of(original), "text": {"en": f"Edit {n + 1}."}, "about": ["openai"], "version": n}
        assert client.put(f"/api/claims/{CLAIM}", json=rec, headers=t[who]).status_code == 200
    before = export(client)
    assert client.post(f"/api/claims/{CLAIM}/versions/1/restore", headers=t["vic"]).status_code == 403
    assert client.post(f"/api/claims/{CLAIM}/versions/1/restore").status_code == 401
    assert client.post(f"/api/claims/{CLAIM}/versions/9/restore", headers=t["ana"]).status_code == 404
    assert client.post("/api/claims/nope/versions/1/restore", headers=t["ana"]).status_code == 404
    assert export(client) == before
    r = client.post(f"/api/claims/{CLAIM}/versions/1/restore", headers=t["ana"])
    assert r.status_code == 200
    restored = r.get_json()
    assert restored["version"] == 4 and restored["text"] == original["text"]
    assert {a["id"] for a in restored["about"]} == {a["id"] for a in original["about"]}
    hist = client.get(f"/api/claims/{CLAIM}/history").get_json()["versions"]
    assert [(h["version"], h["action"], h["by"]) for h in hist][1:] == [
        (2, "updated", "ana"), (3, "updated", "bob"), (4, "restored", "ana")]
    for h in hist:  # who, when, what was added and removed, every time
        assert h["by"] and h["at"].startswith("20") and h["added"]
    assert any("Edit 3." in x for x in hist[3]["removed"]) and any(original["text"]["en"] in x for x in hist[3]["added"])
    assert any("Edit 2." in x for x in hist[2]["removed"]) and any("Edit 3." in x for x in hist[2]["added"])
    # every version stays readable as Turtle, and version 4 is version 1's content again
    graphs = {}
    for n in (1, 2, 3, 4):
        r = client.get(f"/claims/{CLAIM}/versions/{n}.ttl")
        assert r.status_code == 200 and r.mimetype == "text/turtle"
        graphs[n] = {(s, p, o) for s, p, o in Graph().parse(data=r.data, format="turtle")
                     if "prov#" not in str(p)}
    assert graphs[4] == graphs[1] != graphs[2]
    assert client.get(f"/claims/{CLAIM}/versions/5.ttl").status_code == 404
    # the claim page shows the history
    page = client.get(f"/claims/{CLAIM}", headers=HTML).get_data(as_text=True)
    assert "restored" in page


# ---- several OS processes writing one server store at once ---------------------------------------

ROOT = Path(__file__).resolve().parent.parent

BASE = {
    "agents": [{"id": "acme", "type": "Organization", "name": {"en": "Acme"}}],
    "sources": [{"id": "art", "headline": {"en": "A headline"}, "publisher": "acme", "published": "2025-09",
                 "language": "en"}],
    "claims": [{"id": "shared", "text": {"en": "The first wording."}, "claimant": "acme", "about": ["acme"],
                "sources": ["art"]}],
}

# Each worker opens the store, says "ready", waits for "go" on stdin, then writes.
WORKER = textwrap.dedent("""
    import json, sys
    from kb import open_kb, KBError
    url, mode, name = sys.argv[1:4]
    kb = open_kb(url)
    if mode == "edit":
        c = kb.get_claim("shared")
        rec = {"id": "shared", "text": {"en": f"Edited by {name}."}, "claimant": "acme", "about": ["acme"],
               "sources": ["art"]}
    print("ready", flush=True)
    sys.stdin.readline()
    if mode == "many":
        for i in range(50):
            kb.add_claim({"id": f"{name}-{i}", "text": {"en": f"Claim {i} of {name}."}, "claimant": "acme",
                          "about": ["acme"], "sources": ["art"]}, by=name)
        print(json.dumps({"ok": 50}), flush=True)
    elif mode == "same":
        for i in range(20):
            kb.add_claim({"id": "shared", "text": {"en": f"Wording {i} by {name}."}, "claimant": "acme",
                          "about": ["acme"], "sources": ["art"]}, by=name)
        print(json.dumps({"ok": 20}), flush=True)
    else:
        try:
            kb.add_claim(rec, by=name, expected_version=c["version"])
            print(json.dumps({"status": 201}), flush=True)
        except KBError as e:
            print(json.dumps({"status": e.status, "message": e.message}), flush=True)
""")


def _race(url, mode, names):
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, url, mode, n], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={"PYTHONPATH": str(ROOT), "PATH": ""}) for n in names]
    try:
        for p in procs:
            line = p.stdout.readline()
            assert line.strip() == "ready", p.stderr.read()
        for p in procs:  # both start writing at once
            p.stdin.write("go\n")
            p.stdin.flush()
        outs = []
        for p in procs:
            out, err = p.communicate(timeout=300)
            assert p.returncode == 0, err
            outs.append(__import__("json").loads(out.strip().splitlines()[-1]))
        return outs
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()


@pytest.fixture
def server_url(oxigraph_servers):
    server = oxigraph_servers[0]
    server.clear()
    kb = open_kb(server.url)
    kb.import_data(BASE, by="setup")
    kb.close()
    return server.url


def test_two_processes_writing_fifty_claims_each_lose_nothing(server_url):
    outs = _race(server_url, "many", ["p1", "p2"])
    assert outs == [{"ok": 50}, {"ok": 50}]
    kb = open_kb(server_url)
    ids = {c["id"] for c in kb.list_claims(limit=500)["claims"]}
    assert {f"p{k}-{i}" for k in (1, 2) for i in range(50)} <= ids
    assert kb.summary()["claims"] == 101
    assert all(len(kb.history("claim", f"p{k}-{i}")) == 1 for k in (1, 2) for i in range(0, 50, 7))
    assert kb.validate_store().conforms


def test_two_processes_editing_the_same_version_one_gets_409(server_url):
    outs = _race(server_url, "edit", ["e1", "e2"])
    statuses = sorted(o["status"] for o in outs)
    assert statuses == [201, 409], outs
    winner = ["e1", "e2"][[o["status"] for o in outs].index(201)]
    kb = open_kb(server_url)
    claim = kb.get_claim("shared")
    assert claim["text"] == {"en": f"Edited by {winner}."}
    assert claim["version"] == 2
    assert [h["action"] for h in kb.history("claim", "shared")] == ["created", "updated"]
    assert kb.validate_store().conforms


def test_two_processes_updating_one_claim_keep_every_version(server_url):
    """Without an expected version a write that lost the race is planned again:
    every one of the 40 updates becomes its own version, numbered 1..41."""
    assert _race(server_url, "same", ["u1", "u2"]) == [{"ok": 20}, {"ok": 20}]
    kb = open_kb(server_url)
    hist = kb.history("claim", "shared")
    assert [h["version"] for h in hist] == list(range(1, 42))
    texts = [t for h in hist[1:] for t in h["added"] if "schema.org/text" in t]
    assert len(texts) == 40 and len(set(texts)) == 40
    last = kb.version_graph("claim", "shared", 41)
    now = kb.get_claim("shared")
    assert {str(o) for o in last.objects(kb.iri("claim", "shared"), URIRef("http://schema.org/text"))} == \
        set(now["text"].values())
    assert now["version"] == 41
    assert kb.validate_store().conforms


def test_a_guarded_write_does_nothing_when_the_version_exists(kb):
    """The store-level guard both backends implement: the whole write is skipped
    when any guarded subject already has a triple in the guard graph."""
    kb.import_data(BASE, by="t")
    v1 = kb.minter.version(kb.iri("claim", "shared"), 1)
    fresh = kb.minter.version(kb.iri("claim", "shared"), 99)
    probe = (kb.iri("claim", "shared"), URIRef("http://example.org/probe"), Literal("x"), kb.current)
    assert kb.store.apply([], [probe], guard=(kb.history_graph, [fresh, v1])) in (False, None)
    assert not kb.store.triples(probe[0], probe[1], None, kb.current)
    assert kb.store.apply([], [probe], guard=(kb.history_graph, [fresh])) in (True, None)
    assert kb.store.triples(probe[0], probe[1], None, kb.current) == [probe[:3]]


def test_a_claim_left_by_a_dead_writer_expires(server_url):
    """A claim older than the lease (its writer died mid-write) does not block
    writes for ever, and is cleared by the next writer of that version."""
    kb = open_kb(server_url)
    v2 = kb.minter.version(kb.iri("claim", "shared"), 2)
    dead = URIRef("urn:uuid:00000000-0000-0000-0000-000000000000")
    old = Literal("2020-01-01T00:00:00+00:00", datatype=URIRef("http://www.w3.org/2001/XMLSchema#dateTime"))
    kb.store.apply([], [(v2, WRITE_RESERVATION, dead, kb.locks_graph),
                        (dead, URIRef("http://www.w3.org/ns/prov#startedAtTime"), old, kb.locks_graph)])
    rec = {"id": "shared", "text": {"en": "After the dead writer."}, "claimant": "acme", "about": ["acme"],
           "sources": ["art"]}
    kb.add_claim(rec, by="alive", expected_version=1)
    assert kb.get_claim("shared")["version"] == 2
    assert not list(kb.store.quads(kb.locks_graph))


def test_the_base_iri_is_kept_on_the_server(server_url):
    kb = open_kb(server_url)
    base = kb.minter.base
    with pytest.raises(KBError, match="created with base IRI"):
        open_kb(server_url, base="https://example.org/other/")
    assert open_kb(server_url).minter.base == base
    assert open_kb(server_url, base=base).get_claim("shared")["version"] == 1
