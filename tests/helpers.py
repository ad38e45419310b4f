"""Helpers shared by several test files: running `kb` and `kb serve`, and the web app's test client
(signing in, the whole store as TriG, a claim as a record to send back)."""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store, *extra, pre=()):
    """kb serve on a free loopback port; returns (process, base URL) once it answers.
    ``pre`` are options of ``kb`` itself (before ``serve``), e.g. ``--data-dir``."""
    port = free_port()
    # the server's output goes to a file: a pipe nobody reads fills up and stalls the server
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "kb.cli", "--store", str(store), *pre, "serve", "--port", str(port),
                             *extra], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    proc.log = log
    for _ in range(300):
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"kb serve exited: {log.read().decode(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}"


def stop(proc):
    proc.terminate()
    proc.wait(timeout=10)


def two_workers(server, tmp_path):
    """``kb serve --workers 2 --threads 2`` on the (cleared) SPARQL server ``server``, each worker with a
    claim index replica under ``tmp_path``, and an analyst "ana": (process, base URL, ana's API token)."""
    server.clear()
    store = ["--update-endpoint", server.update_url, "--data-dir", str(tmp_path / "accounts")]
    assert kb_cmd(server.url, *store, "user", "add", "ana", "--role", "analyst", stdin="ana-password\n").returncode == 0
    token = kb_cmd(server.url, *store, "user", "token", "ana").stdout.strip()
    proc, url = start_server(server.url, "--workers", "2", "--threads", "2",
                             pre=[*store, "--index-dir", str(tmp_path / "idx")])
    return proc, url, token


def kb_cmd(store, *args, stdin=None):
    return subprocess.run([sys.executable, "-m", "kb.cli", "--store", str(store), *args], cwd=ROOT,
                          capture_output=True, text=True, input=stdin, timeout=60)


# the kb command as an analyst runs it (KB_USER=cli-tester), with a longer time limit than kb_cmd
KB = [sys.executable, "-m", "kb.cli"]


def run(*args, store, stdin=None, env=None):
    return subprocess.run(
        [*KB, "--store", str(store), *args], capture_output=True, text=True, input=stdin,
        env={**os.environ, "KB_USER": "cli-tester", **(env or {})}, cwd=ROOT, timeout=300,
    )


# ---- the web app, through Flask's test client ----------------------------------------------------

HTML = {"Accept": "text/html"}
SOURCE = "windows-central-ms-ai-self-sufficiency"


def token_of(client, path="/login"):
    r = client.get(path, headers=HTML)
    return re.search(r'name="csrf_token" value="([^"]+)"', r.get_data(as_text=True)).group(1)


def sign_in(client, name="ana", password=None):
    r = client.post("/login", data={"name": name, "password": password or f"{name}-password",
                                    "csrf_token": token_of(client)})
    assert r.status_code == 302
    return r


def export(client) -> bytes:
    r = client.get("/export.trig")
    assert r.status_code == 200
    return r.data


def record_of(c: dict) -> dict:
    """A claim as read from the API, back as the keys of a YAML claim record."""
    rec = {"text": c["text"], "claimant": c["claimant"]["id"], "about": [a["id"] for a in c["about"]],
           "sources": [s["id"] for s in c["sources"]]}
    if c["date"]:
        rec["date"] = c["date"]
    if c["sourcing"]:
        rec["sourcing"] = c["sourcing"]
    if c["quote"]:
        rec["quote"] = {"exact": c["quote"]["exact"], "source": c["quote"]["source"]["id"]}
    return rec


NEW_CLAIM_YAML = f"""
agents:
  - id: fabrikam
    type: Organization
    name: {{en: Fabrikam}}
claims:
  - id: fabrikam-builds-chips
    text: {{en: Fabrikam builds its own AI chips.}}
    claimant: fabrikam
    about: [fabrikam]
    sources: [{SOURCE}]
""".encode()
