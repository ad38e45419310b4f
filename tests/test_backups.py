"""kb backup and kb restore: consistent while kb serve takes writes; restore -> export isomorphic."""

import json
import threading
import urllib.error
import urllib.request

import pytest
from helpers import ROOT, kb_cmd, start_server, stop
from rdflib import Dataset
from rdflib.compare import isomorphic

from kb import KBError, open_kb, restore_folder

SEED = ROOT / "fixtures" / "seed.yaml"


def quads_of(trig: str) -> set:
    ds = Dataset()
    ds.parse(data=trig, format="trig")
    return {(s, p, o, g) for s, p, o, g in ds.quads((None, None, None, None))}


def same_dataset(a: str, b: str) -> bool:
    """Equal quad sets (no blank nodes are stored, so this is isomorphism), checked graph by graph too."""
    qa, qb = quads_of(a), quads_of(b)
    if qa != qb:
        return False
    da, db = Dataset(), Dataset()
    da.parse(data=a, format="trig")
    db.parse(data=b, format="trig")
    return all(isomorphic(da.graph(g), db.graph(g)) for g in {q[3] for q in qa})


def claim_ids(trig: str) -> set:
    return {str(s).rsplit("/", 1)[1] for s, p, o, g in quads_of(trig)
            if str(p).endswith("22-rdf-syntax-ns#type") and str(o) == "http://schema.org/Claim"
            and str(g).endswith("/graphs/current")}


def test_library_backup_and_restore(tmp_path):
    kb = open_kb(str(tmp_path / "store"))
    try:
        kb.import_yaml(SEED.read_bytes(), by="tester")
        kb.withdraw("claim", "ms-cancelled-datacentre-deals", by="tester", reason="test")
        m = kb.backup(tmp_path / "bk")
        assert m["method"] == "checkpoint" and m["quads"] > 500
        with pytest.raises(KBError, match="not empty"):
            kb.backup(tmp_path / "bk")
        original = tmp_path / "orig.trig"
        with open(original, "wb") as f:
            kb.export(f, "trig")
    finally:
        kb.close()
    restore_folder(tmp_path / "bk", tmp_path / "restored")
    r = open_kb(str(tmp_path / "restored"))
    try:
        again = tmp_path / "again.trig"
        with open(again, "wb") as f:
            r.export(f, "trig")
        assert r.history("claim", "ms-cancelled-datacentre-deals")[-1]["action"] == "withdrawn"
        assert r.list_claims()["total"] == 30  # the claim index was rebuilt from the restored store
    finally:
        r.close()
    assert same_dataset(original.read_text(), again.read_text())


def test_restore_refuses_to_overwrite_and_incomplete_backups(tmp_path):
    store = tmp_path / "store"
    assert kb_cmd(store, "load", str(SEED)).returncode == 0
    r = kb_cmd(store, "backup", str(tmp_path / "bk"))
    assert r.returncode == 0 and "backed up" in r.stdout, r.stderr
    before = kb_cmd(store, "export", "--format", "trig").stdout
    r = kb_cmd(store, "restore", str(tmp_path / "bk"))  # over the live store
    assert r.returncode == 1 and "is not empty" in r.stderr and "never over a store" in r.stderr
    assert "Traceback" not in r.stderr
    assert kb_cmd(store, "export", "--format", "trig").stdout == before
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "x").write_text("x")
    r = kb_cmd(tmp_path / "junk", "restore", str(tmp_path / "bk"))
    assert r.returncode == 1 and "is not empty" in r.stderr
    assert [p.name for p in (tmp_path / "junk").iterdir()] == ["x"]
    r = kb_cmd(tmp_path / "new", "restore", str(tmp_path / "nowhere"))
    assert r.returncode == 1 and "not a complete ClaimKB backup" in r.stderr
    (tmp_path / "bk" / "backup.json").unlink()  # an interrupted backup is not taken for a whole one
    r = kb_cmd(tmp_path / "new", "restore", str(tmp_path / "bk"))
    assert r.returncode == 1 and "not a complete ClaimKB backup" in r.stderr
    assert not (tmp_path / "new").exists()
    r = kb_cmd(store, "backup", str(tmp_path / "bk"))  # the backup folder must be new or empty
    assert r.returncode == 1 and "not empty" in r.stderr
    r = kb_cmd(tmp_path / "nostore", "backup", str(tmp_path / "bk2"))
    assert r.returncode == 1 and "there is no ClaimKB store" in r.stderr


@pytest.mark.long
def test_backup_while_the_server_takes_writes(tmp_path):
    store = tmp_path / "store"
    assert kb_cmd(store, "user", "add", "hanako", "--role", "analyst", stdin="a-long-password\n").returncode == 0
    token = kb_cmd(store, "user", "token", "hanako").stdout.strip()
    proc, url = start_server(store)
    acked, sent, errors = [], [], []
    stop_writing = threading.Event()

    def writer(k):
        i = 0
        while not stop_writing.is_set():
            cid = f"bk-{k}-{i}"
            i += 1
            body = {"id": cid, "text": {"en": f"Backup test claim {cid}"}, "claimant": "microsoft",
                    "about": ["openai"], "sources": ["windows-central-ms-ai-self-sufficiency"]}
            req = urllib.request.Request(f"{url}/api/claims", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {token}"})
            sent.append(cid)
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    if resp.status == 201:
                        acked.append(cid)
            except urllib.error.HTTPError as e:
                errors.append(e.code)

    try:
        threads = [threading.Thread(target=writer, args=(k,)) for k in range(3)]
        for t in threads:
            t.start()
        while len(acked) < 20:
            stop_writing.wait(0.05)
        acked_before = set(acked)
        r = kb_cmd(store, "backup", str(tmp_path / "during"))
        acked_after_backup = len(acked)
        assert r.returncode == 0 and "(snapshot)" in r.stdout, r.stderr
        while len(acked) < acked_after_backup + 5:  # writes go on after the backup
            stop_writing.wait(0.05)
        stop_writing.set()
        for t in threads:
            t.join()
        assert not errors
        # quiet now, server still running: a backup must equal the store exactly
        r = kb_cmd(store, "backup", str(tmp_path / "quiet"))
        assert r.returncode == 0, r.stderr
    finally:
        stop(proc)
    original = kb_cmd(store, "export", "--format", "trig")
    assert original.returncode == 0
    assert set(acked) <= claim_ids(original.stdout)

    r = kb_cmd(tmp_path / "r-quiet", "restore", str(tmp_path / "quiet"))
    assert r.returncode == 0 and "restored" in r.stdout, r.stderr
    restored = kb_cmd(tmp_path / "r-quiet", "export", "--format", "trig").stdout
    assert same_dataset(original.stdout, restored)
    assert kb_cmd(tmp_path / "r-quiet", "user", "list").stdout == kb_cmd(store, "user", "list").stdout
    assert (tmp_path / "r-quiet" / "secret_key").read_text() == (store / "secret_key").read_text()

    # the backup taken mid-writes: a consistent state between the acknowledged writes before and after it
    r = kb_cmd(tmp_path / "r-during", "restore", str(tmp_path / "during"))
    assert r.returncode == 0, r.stderr
    assert kb_cmd(tmp_path / "r-during", "validate").returncode == 0
    during = claim_ids(kb_cmd(tmp_path / "r-during", "export", "--format", "trig").stdout)
    mine = {c for c in during if c.startswith("bk-")}
    assert acked_before <= mine <= set(sent)
    assert len(mine) < len(acked)  # it is the earlier state, not the later one

    # and the restored store serves: the analyst's token still writes
    proc, url = start_server(tmp_path / "r-during")
    try:
        req = urllib.request.Request(f"{url}/api/claims", data=json.dumps(
            {"id": "after-restore", "text": {"en": "After restore"}, "claimant": "microsoft", "about": ["openai"],
             "sources": ["windows-central-ms-ai-self-sufficiency"]}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            assert resp.status == 201
        with urllib.request.urlopen(f"{url}/api/claims?limit=1", timeout=30) as resp:
            assert json.load(resp)["total"] == 31 + len(mine) + 1
    finally:
        stop(proc)


def test_backup_and_restore_take_accounts_from_and_to_the_data_folder(tmp_path, seed_bytes):
    store, data = tmp_path / "store", tmp_path / "data"
    seed = tmp_path / "seed.yaml"
    seed.write_bytes(seed_bytes)
    assert kb_cmd(store, "--data-dir", str(data), "load", str(seed)).returncode == 0
    assert kb_cmd(store, "--data-dir", str(data), "user", "add", "ana", "--role", "analyst",
                  stdin="ana-password\n").returncode == 0
    assert not (store / "users.json").exists() and (data / "users.json").exists()
    r = kb_cmd(store, "--data-dir", str(data), "backup", str(tmp_path / "bk"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "bk" / "users.json").exists()
    r = kb_cmd(tmp_path / "store2", "--data-dir", str(tmp_path / "data2"), "restore", str(tmp_path / "bk"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "data2" / "users.json").exists() and not (tmp_path / "store2" / "users.json").exists()
    r = kb_cmd(tmp_path / "store2", "--data-dir", str(tmp_path / "data2"), "user", "list")
    assert r.stdout.split() == ["ana", "analyst"]
    # never over accounts already there
    r = kb_cmd(tmp_path / "store3", "--data-dir", str(tmp_path / "data2"), "restore", str(tmp_path / "bk"))
    assert r.returncode == 1 and "already has accounts" in r.stderr
