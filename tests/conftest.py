"""Shared fixtures: a fresh knowledge base per test, never environment set at import time.

The library tests run on every backend: ``kb`` (and ``seeded``, ``new_kb``) is
parametrised by backend: ``embedded`` (pyoxigraph in memory), ``oxigraph``
(an Oxigraph server) and ``virtuoso`` (Virtuoso open source), each server
started once per session on free loopback ports (``tests/servers.py``) and
cleared before each test.

The web app's tests share ``app`` and ``client``: the app as served (CSRF on),
with an analyst and a viewer. A test file whose tests need accounts of every
role (and CSRF off) overrides ``app`` with ``app_with_roles``."""

from pathlib import Path

import pytest

pytest.register_assert_rewrite("helpers")  # its asserts (sign_in, export) report like a test's own

from servers import OxigraphServer, VirtuosoServer  # noqa: E402

from app import create_app  # noqa: E402
from kb import open_kb  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "seed.yaml"
BACKENDS = ["embedded", "oxigraph", "virtuoso"]


def pytest_collection_modifyitems(items):
    """The long tests (``@pytest.mark.long``) first: with pytest-xdist (``scripts/test`` runs
    ``-n 4``) each worker then starts on one of them, instead of one worker ending the run alone
    with several. The order is otherwise kept (stable sort)."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(scope="module")
def browser():
    """Chromium for a module's browser tests (tests/browsing.py)."""
    from browsing import launch
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


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


@pytest.fixture
def app():
    """The web app as served (CSRF on) on an empty store, which the seed fills: an analyst (ana) and a viewer (vic)."""
    a = create_app({"TESTING": True}, kb=open_kb(":memory:"))
    users = a.extensions["users"]
    users.add("ana", "analyst", "ana-password")
    users.add("vic", "viewer", "vic-password")
    return a


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_with_roles():
    """The web app with CSRF off and one account per role: ada (admin), ana and bob (analysts), vic (viewer);
    ``app.tokens`` holds each one's Authorization header."""
    a = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, kb=open_kb(":memory:"))
    users = a.extensions["users"]
    for name, role in (("ada", "admin"), ("ana", "analyst"), ("bob", "analyst"), ("vic", "viewer")):
        users.add(name, role, f"{name}-password")
    a.tokens = {name: {"Authorization": f"Bearer {users.token(name)}"} for name in ("ada", "ana", "bob", "vic")}
    return a
