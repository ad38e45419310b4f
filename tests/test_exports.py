"""The whole-store exports over HTTP (``/export.<fmt>``): the same content as the library's
streamed export on every backend, kept on disk by an embedded store between writes and never
served stale after one, and a failure still an error status (kb.export)."""

import io
import time

import pyoxigraph as ox
import pytest

from app import create_app
from kb import open_kb

SEED_CLAIM = "openai-board-fired-altman-not-candid"
SUFFIX = {"turtle": "ttl", "trig": "trig", "nt": "nt", "nq": "nq", "jsonld": "jsonld"}
FORMAT = {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "nt": ox.RdfFormat.N_TRIPLES,
          "nq": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}


def streamed(kb, fmt) -> bytes:
    out = io.BytesIO()
    kb.export(out, fmt)
    return out.getvalue()


def quads(data: bytes, fmt: str) -> set:
    return set(ox.parse(data, format=FORMAT[fmt]))


def client_of(kb):
    return create_app({"TESTING": True, "LOAD_SEED": False, "SECRET_KEY": "test"}, kb=kb).test_client()


def claim(i: int) -> dict:
    return {"id": f"export-test-{i}", "text": {"en": f"Export test claim {i}"}, "claimant": "sam-altman",
            "about": ["openai"], "sources": ["windows-central-ms-ai-self-sufficiency-original"]}


@pytest.fixture
def folder_kb(tmp_path, seed_bytes):
    kb = open_kb(str(tmp_path / "store"))
    kb.import_yaml(seed_bytes, by="tester")
    yield kb
    kb.close()


@pytest.mark.parametrize("fmt", list(SUFFIX))
def test_http_export_of_a_store_folder_is_the_streamed_export(folder_kb, fmt):
    c = client_of(folder_kb)
    first = c.get(f"/export.{SUFFIX[fmt]}")
    assert first.status_code == 200 and int(first.headers["Content-Length"]) == len(first.data)
    assert first.data == streamed(folder_kb, fmt)
    assert quads(first.data, fmt) == quads(streamed(folder_kb, fmt), fmt) and len(quads(first.data, fmt)) > 500
    again = c.get(f"/export.{SUFFIX[fmt]}")  # kept since: the same bytes
    assert again.data == first.data


@pytest.mark.parametrize("backend", ["embedded", "oxigraph"], indirect=True)
@pytest.mark.parametrize("fmt", ["turtle", "nq"])
def test_http_export_is_the_streamed_export_on_a_server_store_too(seeded, fmt):
    r = client_of(seeded).get(f"/export.{SUFFIX[fmt]}")
    assert r.status_code == 200
    assert quads(r.data, fmt) == quads(streamed(seeded, fmt), fmt)


def test_a_write_is_in_the_next_export(folder_kb):
    c = client_of(folder_kb)
    before = c.get("/export.ttl").data
    assert b"Export test claim 1" not in before
    folder_kb.add_claim(claim(1), by="tester")
    after = c.get("/export.ttl").data
    assert b"Export test claim 1" in after and after == streamed(folder_kb, "turtle")
    folder_kb.comments.add(SEED_CLAIM, "a private remark on the export", by="tester")
    for fmt in ("ttl", "nq", "trig"):  # a comment is written, and stays out of every export
        assert b"a private remark" not in c.get(f"/export.{fmt}").data


def test_the_kept_export_is_read_again_without_the_store(folder_kb, monkeypatch):
    c = client_of(folder_kb)
    first = c.get("/export.ttl").data

    def broken(*a, **k):
        raise AssertionError("the store was read again")

    monkeypatch.setattr(folder_kb.store, "dump", broken)
    assert c.get("/export.ttl").data == first
    reopened = client_of(folder_kb)  # another app on the same knowledge base: the file on disk
    assert reopened.get("/export.ttl").data == first


def test_a_write_while_an_export_is_written_is_not_lost(folder_kb, monkeypatch):
    c = client_of(folder_kb)
    dump = folder_kb.store.dump
    wrote = []

    def dump_then_write(out, fmt, graph):
        dump(out, fmt, graph)
        if not wrote:  # another request's write lands just after the store was read
            wrote.append(folder_kb.add_claim(claim(2), by="tester"))

    monkeypatch.setattr(folder_kb.store, "dump", dump_then_write)
    during = c.get("/export.ttl")
    assert during.status_code == 200 and b"Export test claim 2" not in during.data
    after = c.get("/export.ttl").data
    assert b"Export test claim 2" in after and after == streamed(folder_kb, "turtle")


def test_a_failed_export_is_an_error_status_and_keeps_nothing(folder_kb, monkeypatch):
    c = client_of(folder_kb)
    dump = folder_kb.store.dump

    def failing(out, fmt, graph):
        out.write(b"@prefix half: <http://example.org/> .\n")
        raise OSError("disk read error")

    monkeypatch.setattr(folder_kb.store, "dump", failing)
    r = c.get("/export.ttl")
    assert r.status_code == 500 and r.is_json and "half:" not in r.get_data(as_text=True)
    monkeypatch.setattr(folder_kb.store, "dump", dump)
    good = c.get("/export.ttl")
    assert good.status_code == 200 and good.data == streamed(folder_kb, "turtle")
    assert c.get("/export.xyz").status_code == 404


def test_kept_exports_are_written_anew_after_a_quiet_spell(tmp_path, seed_bytes, monkeypatch):
    kb = open_kb(str(tmp_path / "store"))
    kb.import_yaml(seed_bytes, by="tester")
    app = create_app({"TESTING": True, "LOAD_SEED": False, "SECRET_KEY": "test", "EXPORT_REFRESH": 0.2}, kb=kb)
    c = app.test_client()
    c.get("/export.ttl")  # asked for once: kept, and from now on kept fresh
    kb.add_claim(claim(3), by="tester")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(
            b"Export test claim 3" in p.read_bytes() for p in (tmp_path / "store" / "exports").glob("*.ttl")):
        time.sleep(0.1)
    dump = kb.store.dump

    def broken(*a, **k):
        raise AssertionError("the store was read again")

    monkeypatch.setattr(kb.store, "dump", broken)  # the request finds it written already
    r = c.get("/export.ttl")
    assert r.status_code == 200 and b"Export test claim 3" in r.data
    monkeypatch.setattr(kb.store, "dump", dump)
    assert r.data == streamed(kb, "turtle")
    assert not list((tmp_path / "store" / "exports").glob(".writing-*"))
    kb.close()
