"""Durability and concurrency through a real `kb serve`: SIGKILL while clients write, and many writers at once.

Run with -s to see the figures (they are copied into RELIABILITY.md)."""

import http.client
import json
import os
import random
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from helpers import kb_cmd, start_server

from kb import open_kb

SOURCE = "windows-central-ms-ai-self-sufficiency"
SEED_CLAIMS = 31


def claim(cid):
    return {"id": cid, "text": {"en": f"Durability test claim {cid}", "ja": f"耐久試験の主張 {cid}"},
            "claimant": "microsoft", "about": ["openai"], "sources": [SOURCE]}


def post(url, token, body, timeout=30):
    req = urllib.request.Request(f"{url}/api/claims", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            try:
                return resp.status, resp.read()
            except http.client.HTTPException:  # killed while sending the body: the 201 was already sent
                return resp.status, b""
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def get(url, path, accept="application/json", timeout=30):
    req = urllib.request.Request(f"{url}{path}", headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def claims_in_store(url) -> set:
    q = "SELECT ?c WHERE { ?c a schema:Claim }"
    status, body = get(url, "/sparql?" + urllib.parse.urlencode({"query": q}))
    assert status == 200
    return {b["c"]["value"].rsplit("/", 1)[1] for b in json.loads(body)["results"]["bindings"]}


def analyst(store):
    assert kb_cmd(store, "user", "add", "hanako", "--role", "analyst", stdin="a-long-password\n").returncode == 0
    return kb_cmd(store, "user", "token", "hanako").stdout.strip()


def test_sigkill_while_clients_write_loses_no_acknowledged_write(tmp_path):
    rounds = 20
    store = tmp_path / "store"
    token = analyst(store)
    rnd = random.Random(5)
    acked: list[str] = []
    figures = []
    started = time.monotonic()
    for r in range(rounds):
        proc, url = start_server(store)  # the store opens after the kill (it would exit otherwise)
        assert proc.poll() is None
        present = claims_in_store(url)
        missing = [c for c in acked if c not in present]
        assert not missing, f"round {r}: acknowledged writes lost: {missing[:5]}"
        last_round = [c for c in acked if c.startswith(f"k{r - 1}-")]
        for cid in last_round:  # the newest acknowledged writes, one by one through the API
            status, body = get(url, f"/api/claims/{cid}")
            assert status == 200 and json.loads(body)["claimant"]["id"] == "microsoft"
        status, body = get(url, "/api/claims?limit=1")  # the claim index agrees with the store after the crash
        assert status == 200 and json.loads(body)["total"] == len(present)
        figures.append({"round": r, "acknowledged_so_far": len(acked), "present": len(present) - SEED_CLAIMS})

        stop_at = threading.Event()
        round_acked: list[str] = []
        bad: list[int] = []

        def writer(k, r=r, url=url, stop_at=stop_at, round_acked=round_acked, bad=bad):
            i = 0
            while not stop_at.is_set():
                cid = f"k{r}-{k}-{i}"
                i += 1
                try:
                    status, _ = post(url, token, claim(cid), timeout=10)
                except (OSError, http.client.HTTPException):  # the server died mid-request: the outcome is unknown, not acknowledged
                    return
                if status == 201:
                    round_acked.append(cid)
                else:
                    bad.append(status)

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 10
        while len(round_acked) < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rnd.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stop_at.set()
        for t in threads:
            t.join(timeout=15)
        assert not bad, f"writes refused: {bad[:5]}"
        assert round_acked, "no write was acknowledged before the kill"
        acked += round_acked
        if r % 5 == 4:  # the kb command too, now and then: the store opens and conforms after a kill
            v = kb_cmd(store, "validate")
            assert v.returncode == 0, v.stderr
        else:  # otherwise the same check in-process (faster: no interpreter start)
            k = open_kb(str(store))
            try:
                assert k.validate_store().conforms
            finally:
                k.close()
    # after the last kill: open once more and count
    v = kb_cmd(store, "validate")
    assert v.returncode == 0, v.stderr
    proc, url = start_server(store)
    try:
        present = claims_in_store(url)
        lost = [c for c in acked if c not in present]
        for cid in acked[-50:]:
            assert get(url, f"/api/claims/{cid}")[0] == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    elapsed = time.monotonic() - started
    extra = len(present) - SEED_CLAIMS - len(acked)  # in flight at a kill: stored, answer never received
    print(f"\nCRASH: {rounds} SIGKILLs, {len(acked)} writes acknowledged, "
          f"{len(acked) - len(lost)} present after restart, lost {len(lost)}, "
          f"{extra} unacknowledged but complete, {elapsed:.1f} s")
    assert lost == []
    assert extra >= 0


def test_sixteen_writers_with_readers_alongside(tmp_path):
    clients = 16
    per_client = int(os.environ.get("CLAIMKB_TEST_WRITES_PER_CLIENT", "100"))
    store = tmp_path / "store"
    token = analyst(store)
    proc, url = start_server(store, "--threads", "8")
    try:
        statuses: dict[int, int] = {}
        lock = threading.Lock()
        done = threading.Event()
        reads = [0]

        def count(status):
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

        def writer(k):
            for i in range(per_client):
                status, body = post(url, token, claim(f"c{k}-{i}"), timeout=120)
                count(status)
                if status != 201:
                    print("write", status, body[:200])

        def reader(k):
            paths = ["/", "/api/claims", "/api/claims?q=durability", "/api/claims?status=reported&offset=20"]
            i = 0
            while not done.is_set():
                status, _ = get(url, paths[(i + k) % len(paths)],
                                accept="text/html" if paths[(i + k) % len(paths)] == "/" else "application/json",
                                timeout=120)
                i += 1
                with lock:
                    reads[0] += 1
                if status >= 500:
                    count(status)
                assert status == 200

        started = time.monotonic()
        readers = [threading.Thread(target=reader, args=(k,)) for k in range(4)]
        writers = [threading.Thread(target=writer, args=(k,)) for k in range(clients)]
        for t in readers + writers:
            t.start()
        for t in writers:
            t.join()
        elapsed = time.monotonic() - started
        done.set()
        for t in readers:
            t.join()
        present = claims_in_store(url)
        mine = {c for c in present if c.startswith("c") and "-" in c and c.split("-")[0][1:].isdigit()}
        status, body = get(url, "/api/claims?limit=1")
        total = json.loads(body)["total"]
        fivexx = sum(n for s, n in statuses.items() if s >= 500)
        print(f"\nCONCURRENCY: {clients} clients x {per_client} writes = {clients * per_client} sent, "
              f"{statuses.get(201, 0)} acknowledged (201), {len(mine)} new claims stored, {fivexx} 5xx, "
              f"{reads[0]} reads alongside, {elapsed:.1f} s ({clients * per_client / elapsed:.1f} writes/s)")
        assert statuses == {201: clients * per_client}
        assert len(mine) == clients * per_client
        assert total == SEED_CLAIMS + clients * per_client
    finally:
        proc.terminate()
        proc.wait(timeout=10)
