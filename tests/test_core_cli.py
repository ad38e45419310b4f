"""The kb command, run as a user runs it: exit codes, messages, crash safety."""

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from rdflib import Graph
from rdflib.compare import isomorphic

from kb import open_kb

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "seed.yaml"
KB = [sys.executable, "-m", "kb.cli"]


def run(*args, store, stdin=None, env=None):
    return subprocess.run(
        [*KB, "--store", str(store), *args], capture_output=True, text=True, input=stdin,
        env={**os.environ, "KB_USER": "cli-tester", **(env or {})}, cwd=ROOT, timeout=300,
    )


def test_load_summary_validate_query_export(tmp_path):
    store = tmp_path / "store"
    r = run("load", str(SEED), store=store)
    assert r.returncode == 0, r.stderr
    assert "31 claims" in r.stdout
    r = run("summary", store=store)
    assert r.returncode == 0 and "Sam Altman (sam-altman): denies 1" in r.stdout
    assert run("validate", store=store).returncode == 0
    r = run("query", "SELECT (COUNT(?c) AS ?n) WHERE { ?c a schema:Claim }", "--format", "csv", store=store)
    assert r.returncode == 0 and r.stdout.splitlines() == ["n", "31"]
    r = run("query", "-", "--format", "json", store=store,
            stdin="ASK { ?d kb:party <https://w3id.org/claimkb/id/agents/sam-altman> }")
    assert r.stdout.strip() == '{"boolean": true}'
    out = tmp_path / "all.ttl"
    assert run("export", "-o", str(out), store=store).returncode == 0
    g = Graph().parse(out, format="turtle")
    store2 = tmp_path / "store2"
    assert run("load", str(out), store=store2).returncode == 0
    out2 = tmp_path / "again.ttl"
    run("export", "-o", str(out2), store=store2)
    assert isomorphic(g, Graph().parse(out2, format="turtle"))


def test_provenance_records_the_analyst(tmp_path):
    store = tmp_path / "s"
    run("load", str(SEED), store=store, env={"KB_USER": "hanako"})
    r = run("query", "SELECT DISTINCT ?who WHERE { ?c a schema:Claim ; prov:wasAttributedTo ?who }",
            "--format", "csv", store=store)
    assert r.stdout.splitlines()[1].endswith("/analysts/hanako")


def test_errors_are_one_sentence_with_exit_codes(tmp_path):
    store = tmp_path / "s"
    bad = tmp_path / "bad.yaml"
    bad.write_text("claims:\n  - id: x\n    text: {en: hi}\n    claimant: nobody\n")
    r = run("load", str(bad), store=store)
    assert r.returncode == 1
    assert "nothing was written" in r.stderr and "claimant" in r.stderr and "Traceback" not in r.stderr
    r = run("query", "DELETE WHERE { ?s ?p ?o }", store=store)
    assert r.returncode == 1 and "read-only" in r.stderr and "Traceback" not in r.stderr
    r = run("query", "SELECT * WHERE {", store=store)
    assert r.returncode == 1 and "malformed" in r.stderr
    r = run("load", str(tmp_path / "missing.yaml"), store=store)
    assert r.returncode == 2 and "no such file" in r.stderr
    r = run("frobnicate", store=store)
    assert r.returncode == 2
    r = run("load", str(SEED), "--format", "xml", store=store)
    assert r.returncode == 1 and "unknown format" in r.stderr


def test_store_locked_by_another_process_is_a_clear_error(tmp_path):
    store = tmp_path / "s"
    kb = open_kb(str(store))
    try:
        r = run("summary", store=store)
        assert r.returncode == 1 and "in use by another process" in r.stderr and "Traceback" not in r.stderr
    finally:
        kb.close()


def big_import(n: int) -> dict:
    rnd = random.Random(7)
    return {
        "agents": [{"id": f"org-{i}", "type": "Organization", "name": {"en": f"Org {i}", "ja": f"組織{i}"}}
                   for i in range(20)],
        "sources": [{"id": "bulk-source", "headline": {"en": "Bulk"}, "publisher": "org-0", "published": "2025-09",
                     "language": "en"}],
        "claims": [{"id": f"bulk-{i}", "text": {"en": f"Claim number {i}", "ja": f"主張{i}番"},
                    "claimant": f"org-{rnd.randrange(20)}", "about": [f"org-{rnd.randrange(20)}"],
                    "sources": ["bulk-source"],
                    "disputes": [{"party": "org-1", "stance": "denies", "text": {"en": "no"},
                                  "sources": ["bulk-source"]}] if i % 3 == 0 else []}
                   for i in range(n)],
    }


def count_claims(store) -> int:
    kb = open_kb(str(store))
    try:
        assert kb.validate_store().conforms
        return kb.summary()["claims"]
    finally:
        kb.close()


def test_sigkill_during_large_import_leaves_before_or_after(tmp_path):
    n = 3000
    big = tmp_path / "big.yaml"
    big.write_text(yaml.safe_dump(big_import(n), allow_unicode=True))
    template = tmp_path / "template"
    assert run("load", str(SEED), store=template).returncode == 0
    started = time.monotonic()
    full = tmp_path / "full"
    shutil.copytree(template, full)
    assert run("load", str(big), store=full).returncode == 0
    duration = time.monotonic() - started
    assert count_claims(full) == 31 + n
    outcomes = []
    for i, frac in enumerate([0.3, 0.55, 0.7, 0.8, 0.9, 0.97]):
        store = tmp_path / f"kill-{i}"
        shutil.copytree(template, store)
        proc = subprocess.Popen([*KB, "--store", str(store), "load", str(big)], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * frac)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        got = count_claims(store)
        assert got in (31, 31 + n), f"half-written import: {got} claims"
        outcomes.append(got)
    print("outcomes after SIGKILL:", outcomes)


@pytest.mark.parametrize("content,words", [
    ("claims: [unclosed", "not valid YAML"),
    ("- just\n- a list\n", "must be a mapping"),
    ("agents:\n  - {id: a, type: Person, name: {en: A}}\nagents: []\n", "duplicate key"),
])
def test_malformed_yaml_files(tmp_path, content, words):
    f = tmp_path / "f.yaml"
    f.write_text(content)
    r = run("load", str(f), store=tmp_path / "s")
    assert r.returncode == 1 and words in r.stderr, r.stderr


def test_validate_reports_data_that_bypassed_the_shapes(tmp_path):
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    store = tmp_path / "s"
    assert run("load", str(SEED), store=store).returncode == 0
    kb = open_kb(str(store))
    try:  # write around the validated path, as a restored backup or another tool might
        c = kb.iri("claim", "ms-cancelled-datacentre-deals")
        kb.store.apply([], [(c, URIRef("http://schema.org/dateCreated"),
                             Literal("2024-13-45", datatype=XSD.date), kb.current)])
    finally:
        kb.close()
    r = run("validate", store=store)
    assert r.returncode == 1
    assert "ms-cancelled-datacentre-deals" in r.stderr and "'date'" in r.stderr and "valid date" in r.stderr


def test_unreachable_server_store_is_a_clear_error(tmp_path):
    r = run("summary", store="http://127.0.0.1:9/query")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "http://127.0.0.1:9/query cannot be reached" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_cli_on_a_server_store_with_its_update_endpoint(oxigraph_servers, tmp_path):
    server = oxigraph_servers[0]
    server.clear()
    url = server.url
    r = subprocess.run([*KB, "--store", url, "--update-endpoint", server.update_url, "load", str(SEED)],
                       capture_output=True, text=True, cwd=ROOT, timeout=300,
                       env={**os.environ, "KB_USER": "cli-tester"})
    assert r.returncode == 0, r.stderr
    assert "31 claims" in r.stdout
    # the update endpoint from the environment; the query endpoint from --store
    r = run("summary", store=url, env={"KB_UPDATE_ENDPOINT": server.update_url})
    assert r.returncode == 0 and "Sam Altman (sam-altman): denies 1" in r.stdout
    assert run("validate", store=url).returncode == 0
    r = run("query", "SELECT (COUNT(?c) AS ?n) WHERE { ?c a schema:Claim }", "--format", "csv", store=url)
    assert r.returncode == 0 and r.stdout.splitlines() == ["n", "31"]
    out = tmp_path / "all.trig"
    assert run("export", "--format", "trig", "-o", str(out), store=url).returncode == 0
    local = tmp_path / "local"
    assert run("load", str(out), store=local).returncode == 0
    a = subprocess.run([*KB, "--store", str(local), "export", "--format", "nq"], capture_output=True, cwd=ROOT)
    b = subprocess.run([*KB, "--store", url, "export", "--format", "nq"], capture_output=True, cwd=ROOT)
    assert a.returncode == b.returncode == 0
    assert set(a.stdout.splitlines()) == set(b.stdout.splitlines()) and len(a.stdout.splitlines()) > 1000
    # an update endpoint that takes no updates: one clear sentence naming it, nothing written
    server.clear()
    r = run("load", str(SEED), store=url, env={"KB_UPDATE_ENDPOINT": url})
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert f"the SPARQL server at {url} refused the update" in r.stderr and "KB_UPDATE_ENDPOINT" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
