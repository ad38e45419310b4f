"""Shared fixtures: a fresh knowledge base per test, never environment set at import time."""

from pathlib import Path

import pytest

from kb import open_kb

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "seed.yaml"


@pytest.fixture
def kb():
    k = open_kb(":memory:")
    yield k
    k.close()


@pytest.fixture
def seeded(kb):
    kb.import_yaml(SEED.read_bytes(), by="tester")
    return kb


@pytest.fixture(scope="session")
def seed_bytes():
    return SEED.read_bytes()
