"""Several OS processes writing one server store at once: no lost or half
writes, and an edit made from a stale version is refused with 409."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from kb import KBError, open_kb
from kb.knowledge import WRITE_CLAIM

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
    kb.store.apply([], [(v2, WRITE_CLAIM, dead, kb.locks_graph),
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
