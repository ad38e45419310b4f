"""Imports: the same data imported again writes nothing, and an import over HTTP is admin-only, checked, all or nothing.

Hostile imports (deep nesting, huge literals, YAML tags and alias bombs, bad IRIs) are in ``test_import_safety.py``."""

import io

import pytest
from helpers import NEW_CLAIM_YAML, SOURCE, export
from rdflib import Graph


@pytest.fixture
def app(app_with_roles):
    """Every role's account and token (``app.tokens``), CSRF off: see ``conftest.py``."""
    return app_with_roles


def _current(kb) -> Graph:
    buf = io.BytesIO()
    kb.export(buf, "turtle")
    return Graph().parse(data=buf.getvalue(), format="turtle")


def test_loading_twice_creates_no_duplicates(kb, seed_bytes):
    first = kb.import_yaml(seed_bytes, by="t")
    size = len(_current(kb))
    second = kb.import_yaml(seed_bytes, by="someone-else")
    assert sum(second.created.values()) == 0 and sum(second.updated.values()) == 0
    assert sum(second.unchanged.values()) == sum(first.created.values())
    assert len(_current(kb)) == size


def test_bulk_import_over_http_is_admin_only_validated_and_all_or_nothing(app, client):
    t = app.tokens
    r = client.post("/api/import", data=NEW_CLAIM_YAML, content_type="application/yaml", headers=t["ada"])
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"created": {"agent": 1, "claim": 1}, "updated": {}, "unchanged": {}}
    assert client.get("/api/claims/fabrikam-builds-chips").get_json()["recorded_by"] == "ada"
    again = client.post("/api/import", data=NEW_CLAIM_YAML, headers=t["ada"]).get_json()
    assert again == {"created": {}, "updated": {}, "unchanged": {"agent": 1, "claim": 1}}
    before = export(client)
    bad = NEW_CLAIM_YAML.replace(b"fabrikam-builds-chips", b"second") + (
        f"  - id: third\n    text: {{en: x}}\n    claimant: nobody\n    about: [fabrikam]\n"
        f"    sources: [{SOURCE}]\n    date: 2024-13-45\n").encode()
    r = client.post("/api/import", data=bad, content_type="application/yaml", headers=t["ada"])
    assert r.status_code == 422
    found = {(e["record"], e["field"]) for e in r.get_json()["errors"]}
    assert {("third", "claimant"), ("third", "date")} <= found
    assert client.get("/api/claims/second").status_code == 404  # the good record was not written either
    for data, status, words in [
        (b"a: &x [1]\nb: *x\n", 400, "anchors and aliases"),
        (b"claims: !!python/object/apply:os.system ['true']\n", 400, "could not determine a constructor"),
        (b"claims: []\nclaims: []\n", 400, "duplicate key"),
        (b"", 400, "send the YAML document"),
        (b"\xff\xfe", 400, "not valid UTF-8"),
        (b"#" * (app.config["MAX_CONTENT_LENGTH"] + 1), 413, ""),
    ]:
        r = client.post("/api/import", data=data, content_type="application/yaml", headers=t["ada"])
        assert r.status_code == status and words in r.get_json()["errors"][0]["message"], r.get_json()
    assert export(client) == before


@pytest.mark.long
def test_a_large_import_into_an_oxigraph_server_started_as_deploy_md_starts_it(tmp_path):
    """A validated import of 2,000 claims into a server store reads its records together, and the server
    stays up. DEPLOY.md starts the Oxigraph server with ``--timeout-s``: it then answers each request in a thread
    of its own, whose stack the import's guard (one branch per version it creates: ~2,900 for 2,000
    generated claims) overflowed as a chain of UNIONs, which aborted the server (the import failed with
    "cannot be reached", and so did every request after it)."""
    import sys  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    from servers import OxigraphServer  # noqa: PLC0415

    from kb import open_kb  # noqa: PLC0415

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from generate import generate  # noqa: PLC0415

    server = OxigraphServer(tmp_path / "oxi", "--timeout-s", "10")
    try:
        kb = open_kb(server.url, update_endpoint=server.update_url)
        doc = generate(2000, seed=1)
        sent, request = [], kb.store._request

        def counting(*a, **kw):
            sent.append(a[0])
            return request(*a, **kw)
        kb.store._request = counting
        report = kb.import_data(doc, by="tester")
        assert report.created["claim"] == 2000
        # the records read together (a few requests per 500), not one to three requests each (~7,700 sent)
        assert len(sent) < 300, len(sent)
        kb.store._request = request
        assert server.proc.poll() is None  # still serving
        rows = kb.query("SELECT (COUNT(?c) AS ?n) WHERE { ?c a schema:Claim }", timeout=30)
        assert int(rows.rows[0]["n"]) == 2000
        kb.close()
    finally:
        server.stop()


@pytest.mark.long
def test_an_import_too_large_for_one_virtuoso_update_is_refused_whole_and_a_smaller_one_lands(tmp_path):
    """Virtuoso 7.2 refuses an update request past 10 MB (SR578, "string concatenation is too large"): an
    import that would need one gets an error naming the limit and what to do, and changes nothing."""
    import sys  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    from servers import VirtuosoServer  # noqa: PLC0415

    from kb import KBError, open_kb  # noqa: PLC0415

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from generate import generate  # noqa: PLC0415

    server = VirtuosoServer(tmp_path / "virtuoso")
    try:
        kb = open_kb(server.url, update_endpoint=server.update_url)
        count = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a schema:Claim }"
        with pytest.raises(KBError, match=r"Virtuoso takes at most 10 MB in one update.*nothing was written") as e:
            kb.import_data(generate(1600, seed=1), by="tester")
        assert e.value.status == 413
        assert int(kb.query(count, timeout=30).rows[0]["n"]) == 0
        assert kb.store.select(f"SELECT ?s WHERE {{ GRAPH <{kb.locks_graph}> {{ ?s ?p ?o }} }}", [])[1] == []
        report = kb.import_data(generate(1000, seed=1), by="tester")
        assert report.created["claim"] == 1000 and int(kb.query(count, timeout=30).rows[0]["n"]) == 1000
        kb.close()
    finally:
        server.stop()
