"""Shared fixtures: a fresh knowledge base per test, never environment set at import time.

The library tests run on every backend: ``kb`` (and ``seeded``, ``new_kb``) is
parametrised by backend, ``embedded`` (pyoxigraph in memory) and ``oxigraph``
(an Oxigraph server started once per session on a free loopback port, cleared
before each test)."""

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from helpers import free_port

from kb import open_kb

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "seed.yaml"
BACKENDS = ["embedded", "oxigraph"]


def _oxigraph_binary() -> str:
    found = str(Path(sys.executable).with_name("oxigraph"))  # pip install oxigraph puts it beside python
    if not Path(found).exists():
        found = shutil.which("oxigraph") or found
    if not Path(found).exists():
        raise RuntimeError("the oxigraph server binary is missing: pip install the test extras (oxigraph)")
    return found


class OxigraphServer:
    """``oxigraph serve`` on loopback; ``url`` is its query endpoint."""

    def __init__(self, folder: Path, *extra: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/query"
        self.update_url = f"http://127.0.0.1:{self.port}/update"
        self.proc = subprocess.Popen([_oxigraph_binary(), "serve", "--location", str(folder),
                                      "--bind", f"127.0.0.1:{self.port}", *extra],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited: {self.proc.stderr.read().decode()}")
            try:
                self.ask()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("oxigraph serve did not answer within 30 s") from None
                time.sleep(0.05)

    def ask(self):
        req = urllib.request.Request(self.url, data=b"ASK {}", headers={"Content-Type": "application/sparql-query"})
        urllib.request.urlopen(req, timeout=2).read()

    def clear(self):
        req = urllib.request.Request(self.update_url, data=b"CLEAR ALL",
                                     headers={"Content-Type": "application/sparql-update"})
        urllib.request.urlopen(req, timeout=30).read()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="session")
def oxigraph_servers(tmp_path_factory):
    """Two Oxigraph servers: one for ``kb``, one for ``new_kb`` (round trips)."""
    servers = []
    try:
        for name in ("a", "b"):
            servers.append(OxigraphServer(tmp_path_factory.mktemp(f"oxigraph-{name}")))
        yield servers
    finally:
        for s in servers:
            s.stop()


def _open(backend, request, index):
    if backend == "embedded":
        return open_kb(":memory:")
    server = request.getfixturevalue("oxigraph_servers")[index]
    server.clear()
    return open_kb(server.url)


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def kb(backend, request):
    k = _open(backend, request, 0)
    yield k
    k.close()


@pytest.fixture
def new_kb(backend, request):
    """Opens a second, empty knowledge base on the same kind of backend."""
    opened = []

    def make():
        if opened:
            raise RuntimeError("new_kb gives one second knowledge base per test")
        opened.append(_open(backend, request, 1))
        return opened[0]

    yield make
    for k in opened:
        k.close()


@pytest.fixture
def seeded(kb):
    kb.import_yaml(SEED.read_bytes(), by="tester")
    return kb


@pytest.fixture(scope="session")
def seed_bytes():
    return SEED.read_bytes()
