"""Shared fixtures: a fresh knowledge base per test, never environment set at import time.

The library tests run on every backend: ``kb`` (and ``seeded``, ``new_kb``) is
parametrised by backend: ``embedded`` (pyoxigraph in memory), ``oxigraph``
(an Oxigraph server) and ``virtuoso`` (Virtuoso open source), each server
started once per session on free loopback ports (``tests/servers.py``) and
cleared before each test."""

from pathlib import Path

import pytest
from servers import OxigraphServer, VirtuosoServer

from kb import open_kb

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "seed.yaml"
BACKENDS = ["embedded", "oxigraph", "virtuoso"]


def _two(kind, start, tmp_path_factory):
    """Two servers of one kind, each in a folder of its own: one for ``kb``, one for ``new_kb`` (round trips)."""
    servers = []
    try:
        for name in ("a", "b"):
            servers.append(start(tmp_path_factory.mktemp(f"{kind}-{name}")))
        yield servers
    finally:
        for s in servers:
            s.stop()


@pytest.fixture(scope="session")
def oxigraph_servers(tmp_path_factory):
    yield from _two("oxigraph", OxigraphServer, tmp_path_factory)


@pytest.fixture(scope="session")
def virtuoso_servers(tmp_path_factory):
    yield from _two("virtuoso", VirtuosoServer, tmp_path_factory)


def _open(backend, request, index):
    if backend == "embedded":
        return open_kb(":memory:")
    server = request.getfixturevalue(f"{backend}_servers")[index]
    server.clear()
    return open_kb(server.url, update_endpoint=server.update_url)


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
