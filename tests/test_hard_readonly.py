"""A store folder that cannot be written: reads go on, the first write fails with one sentence
(KBError / exit 1 / HTTP 503 JSON), and nothing already stored is lost.

As an ordinary user the folder is made read-only with chmod. Root ignores file modes, so
as root (CI) the folder is bind-mounted read-only instead; where mounting is not permitted
either, only this test is skipped, with that reason."""

import contextlib
import gc
import json
import os
import stat
import subprocess
import urllib.error
import urllib.request

import pytest
from helpers import ROOT, kb_cmd, start_server, stop

from kb import KBError, open_kb

SEED = ROOT / "fixtures" / "seed.yaml"
NEW = """claims:
  - id: read-only-test
    text: {en: A claim sent to a read-only store}
    claimant: microsoft
    about: [openai]
    sources: [windows-central-ms-ai-self-sufficiency]
"""


@contextlib.contextmanager
def read_only(folder, tmp_path):
    """Yield a path to ``folder`` that this process cannot write."""
    if os.geteuid() != 0:
        modes = {}
        for p in [folder, *folder.rglob("*")]:
            modes[p] = p.stat().st_mode
            p.chmod(stat.S_IMODE(modes[p]) & ~0o222)
        try:
            yield folder, "chmod a-w"
        finally:
            for p, m in modes.items():
                p.chmod(stat.S_IMODE(m))
        return
    ro = tmp_path / "read-only-view"
    ro.mkdir()
    r = subprocess.run(["mount", "--bind", str(folder), str(ro)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"running as root, where chmod does not stop writes, and a read-only bind mount "
                    f"is not permitted here: {r.stderr.strip()}")
    try:
        r = subprocess.run(["mount", "-o", "remount,bind,ro", str(ro)], capture_output=True, text=True)
        if r.returncode != 0:
            pytest.skip(f"running as root and cannot remount the bind mount read-only: {r.stderr.strip()}")
        yield ro, "read-only bind mount"
    finally:
        subprocess.run(["umount", str(ro)], check=True)


def export(store):
    r = kb_cmd(store, "export", "--format", "nq")
    assert r.returncode == 0, r.stderr
    return sorted(r.stdout.splitlines())


def test_read_only_store_folder(tmp_path):
    store = tmp_path / "store"
    assert kb_cmd(store, "load", str(SEED)).returncode == 0
    assert kb_cmd(store, "user", "add", "hanako", "--role", "analyst", stdin="a-long-password\n").returncode == 0
    token = kb_cmd(store, "user", "token", "hanako").stdout.strip()
    before = export(store)
    new = tmp_path / "new.yaml"
    new.write_text(NEW)
    with read_only(store, tmp_path) as (ro, how):
        with pytest.raises(OSError):  # the folder really is read-only for this process
            (ro / "probe").write_text("x")
        # the library: opens for reading, refuses the first write with one sentence
        kb = open_kb(str(ro))
        try:
            assert kb.summary()["claims"] == 31 and kb.list_claims()["total"] == 31
            with pytest.raises(KBError) as e:
                kb.import_yaml(NEW, by="tester")
            assert e.value.status == 503 and "is read-only" in e.value.message and "nothing was written" in e.value.message
        finally:
            kb.close()
        # the command line: exit 1, one sentence, no traceback; reads still work
        r = kb_cmd(ro, "load", str(new))
        assert r.returncode == 1, (how, r.stdout, r.stderr)
        assert r.stderr.strip().count("\n") == 0 and "is read-only" in r.stderr and "Traceback" not in r.stderr
        assert "claims: 31" in kb_cmd(ro, "summary").stdout
        r = kb_cmd(ro, "backup", str(tmp_path / "bk"))  # a read-only store can still be backed up
        assert r.returncode == 0 and "(snapshot)" in r.stdout, r.stderr
        assert kb_cmd(tmp_path / "restored", "restore", str(tmp_path / "bk")).returncode == 0
        assert export(tmp_path / "restored") == before
        # the server: starts, serves reads, answers a write 503 with JSON
        proc, url = start_server(ro)
        try:
            with urllib.request.urlopen(f"{url}/api/claims?limit=1", timeout=30) as resp:
                assert json.load(resp)["total"] == 31
            body = {"id": "read-only-test", "text": {"en": "x"}, "claimant": "microsoft", "about": ["openai"],
                    "sources": ["windows-central-ms-ai-self-sufficiency"]}
            req = urllib.request.Request(f"{url}/api/claims", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {token}"})
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(req, timeout=30)
            assert e.value.code == 503
            msg = json.load(e.value)["errors"][0]["message"]
            assert "is read-only" in msg and "nothing was written" in msg
            with urllib.request.urlopen(f"{url}/api/claims?limit=1", timeout=30) as resp:
                assert json.load(resp)["total"] == 31  # still serving
        finally:
            stop(proc)
    # nothing already stored is lost, and the folder takes writes again once writable
    assert export(store) == before
    assert kb_cmd(store, "validate").returncode == 0
    r = kb_cmd(store, "load", str(new))
    assert r.returncode == 0 and "created 1 claim" in r.stdout, r.stderr


def test_a_store_folder_that_cannot_be_created_is_one_sentence(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = kb_cmd(blocker / "store", "load", str(SEED))
    assert r.returncode == 1 and "cannot open the store folder" in r.stderr and "Traceback" not in r.stderr


def test_full_store_folder(tmp_path):
    """A store on a small file system that fills up: the write that does not fit is refused with one
    sentence, every write acknowledged before it is there after more space is given and the store reopened."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs for the store folder (no other way to fill a disk safely)")
    mnt = tmp_path / "small"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"mounting a small tmpfs is not permitted here: {r.stderr.strip()}")
    try:
        store = mnt / "store"
        kb = open_kb(str(store))
        acked, refused = [], None
        try:
            kb.import_yaml(SEED.read_bytes(), by="tester")
            for i in range(5000):
                try:
                    kb.add_claim({"id": f"full-{i}", "text": {"en": f"{i} " + "x" * 2000}, "claimant": "microsoft",
                                  "about": ["openai"], "sources": ["windows-central-ms-ai-self-sufficiency"]},
                                 by="tester")
                    acked.append(f"full-{i}")
                except KBError as e:
                    refused = e
                    break
            assert refused is not None, "the file system never filled"
            assert refused.status == 503 and "is full (no space left on device)" in refused.message
            assert "\n" not in refused.message
            with pytest.raises(KBError, match="no space left|could not be written"):  # and stays refused
                kb.add_claim({"id": "after-full", "text": {"en": "small"}, "claimant": "microsoft",
                              "about": ["openai"], "sources": ["windows-central-ms-ai-self-sufficiency"]}, by="t")
        finally:
            with contextlib.suppress(Exception):
                kb.close()
        subprocess.run(["mount", "-o", "remount,size=64m", str(mnt)], check=True)  # space again
        r = kb_cmd(store, "validate")
        assert r.returncode == 0, r.stderr
        kb = open_kb(str(store))
        try:
            ids = {c["id"] for c in kb.list_claims(limit=10_000)["claims"]}
            assert set(acked) <= ids and len(ids) == 31 + len(acked)  # the index was rebuilt and agrees
            assert kb.get_claim(acked[-1])["id"] == acked[-1]
        finally:
            kb.close()
        print(f"\nFULL: {len(acked)} writes acknowledged before the disk filled, all present after reopening")
    finally:
        refused = kb = None  # an exception's frames keep the store's files open
        gc.collect()
        if subprocess.run(["umount", str(mnt)]).returncode != 0:
            subprocess.run(["umount", "-l", str(mnt)], check=True)
