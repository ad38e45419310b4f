"""Deploying kb serve: every setting documented, and several workers on a server store sharing accounts and writes.

Every setting of the served app is named in the README; several workers need a
SPARQL server store (DEPLOY.md), and two gunicorn workers on an Oxigraph or a
Virtuoso server see the same accounts and every write."""

from pathlib import Path

import pytest
from helpers import kb_cmd, start_server, stop

from app import SETTINGS


def test_settings_are_documented():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    missing = [k for k in SETTINGS if k not in readme]
    assert not missing, f"settings missing from the README: {missing}"


def test_several_workers_need_a_server_store(tmp_path):
    r = kb_cmd(tmp_path / "store", "serve", "--workers", "2")
    assert r.returncode == 2 and "needs a SPARQL server store" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.long
@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_two_workers_on_a_server_share_accounts_and_writes(tmp_path, kind):
    import json
    import threading
    import urllib.request

    from servers import OxigraphServer, VirtuosoServer

    ox = (OxigraphServer if kind == "oxigraph" else VirtuosoServer)(tmp_path / kind)
    data = ["--data-dir", str(tmp_path / "data"), "--update-endpoint", ox.update_url]
    try:
        assert kb_cmd(ox.url, *data, "user", "add", "ana", "--role", "analyst", stdin="ana-password\n").returncode == 0
        token = kb_cmd(ox.url, *data, "user", "token", "ana").stdout.strip()
        proc, url = start_server(ox.url, "--workers", "2", "--threads", "2", pre=data)
        try:
            statuses = []

            def write(i):
                body = json.dumps({"id": f"w-{i}", "text": {"en": f"Worker claim {i}"}, "claimant": "openai",
                                   "about": ["openai"], "sources": ["windows-central-ms-ai-self-sufficiency"]})
                req = urllib.request.Request(f"{url}/api/claims", data=body.encode(), headers={
                    "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
                with urllib.request.urlopen(req, timeout=60) as r:
                    statuses.append(r.status)

            threads = [threading.Thread(target=write, args=(i,)) for i in range(12)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert statuses == [201] * 12
            with urllib.request.urlopen(f"{url}/api/claims?limit=1", timeout=30) as r:
                assert json.load(r)["total"] == 31 + 12  # the seed, loaded once, and every write
        finally:
            stop(proc)
    finally:
        ox.stop()
