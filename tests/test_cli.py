"""The kb command as a user runs it: load to export, the analyst named by KB_USER, exit codes, errors, server stores.

What the command does on the way is tested by subject: ``kb load`` refusing
hostile files in ``test_import_safety.py``, ``kb validate`` in
``test_validation.py``, a store that is locked or unreachable in
``test_store.py``, a SIGKILL during ``kb load`` in ``test_durability.py``,
``kb backup`` and ``kb restore`` in ``test_backups.py``."""

import os
import subprocess

import pytest
from helpers import KB, ROOT, run
from rdflib import Graph
from rdflib.compare import isomorphic

SEED = ROOT / "fixtures" / "seed.yaml"


@pytest.mark.long
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


@pytest.mark.long
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
