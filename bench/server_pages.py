"""First-time claim pages and list pages on a server store beside the embedded store (issue 16 part 1):
what each costs in wall time, in this process's CPU and in the server's CPU, and how many requests a
page sends the server. One process; the embedded store and the server store alternate page by page,
each page one not asked before in either:

    python bench/server_pages.py --from /tmp/kb-feed-10k --workdir /tmp/vl10k --kind virtuoso
    python bench/server_pages.py --from /tmp/kb-feed-10k --workdir /tmp/vl10k --kind oxigraph

The embedded store is copied from ``--from`` into ``--workdir`` (kept there for the next run), exported
as N-Quads and bulk-loaded into the server (bench/backends.py's loaders), which is opened with a claim
index replica. Run it on two checkouts one after the other to compare code (``--root``: the checkout
whose ``kb`` and ``app`` are measured; the default is this one).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--from", dest="source", required=True, help="a filled embedded store folder (copied once)")
ap.add_argument("--workdir", required=True, help="kept between runs: the store, the server's data, the replicas")
ap.add_argument("--kind", choices=("virtuoso", "oxigraph"), default="virtuoso")
ap.add_argument("--pages", type=int, default=25, help="pages of each kind per store (after one to warm up)")
ap.add_argument("--root", default=str(Path(__file__).resolve().parent.parent), help="the checkout to measure")
args = ap.parse_args()
ROOT = Path(args.root).resolve()
for p in (ROOT / "bench", ROOT / "tests", ROOT):
    sys.path.insert(0, str(p))

from backends import load_oxigraph, load_virtuoso  # noqa: E402
from servers import OxigraphServer, VirtuosoServer  # noqa: E402

from app import create_app  # noqa: E402
from kb import open_kb  # noqa: E402
from kb.stores import server as server_store  # noqa: E402

counted = {"n": 0}
counting_lock = threading.Lock()
_request = server_store.SparqlStore._request


def counting(self, *a, **kw):  # every request a page sends the server, from any thread
    with counting_lock:
        counted["n"] += 1
    return _request(self, *a, **kw)


server_store.SparqlStore._request = counting


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    if not (work / "store").exists():
        subprocess.run(["cp", "-a", args.source, str(work / "store")], check=True)
    embedded = open_kb(str(work / "store"))
    nq = work / "virtuoso" / "kb.nq"  # (in Virtuoso's folder: its bulk loader reads only from there)
    if not nq.exists():
        nq.parent.mkdir(exist_ok=True)
        with nq.open("wb") as f:
            embedded.export(f, "nq")
    folder = work / args.kind
    loaded = work / f"{args.kind}.loaded"  # (beside the server's folder: Virtuoso's also holds the N-Quads)
    fresh = not loaded.exists()
    folder.mkdir(exist_ok=True)
    server = VirtuosoServer(folder, buffers=200_000) if args.kind == "virtuoso" else OxigraphServer(folder)
    try:
        if fresh:
            open_kb(server.url, update_endpoint=server.update_url).close()
            (load_virtuoso if args.kind == "virtuoso" else load_oxigraph)(server, nq)
            loaded.write_text("yes")
        t = time.perf_counter()
        served = open_kb(server.url, update_endpoint=server.update_url, index_dir=work / f"replica-{args.kind}")
        print(f"{args.kind} opened with its replica in {time.perf_counter() - t:.1f} s", flush=True)
        clients = {name: create_app({"TESTING": False, "LOAD_SEED": False, "SECRET_KEY": "b"}, kb=k).test_client()
                   for name, k in (("embedded", embedded), (args.kind, served))}
        total = embedded.list_claims(limit=1)["total"]
        figures: dict = {}
        for what in ("claim page", "list page"):
            for name in clients:
                figures[(what, name)] = {"ms": [], "cpu": [], "server": [], "requests": []}
            for i in range(args.pages + 1):
                for j, (name, client) in enumerate(clients.items() if i % 2 else reversed(clients.items())):
                    k = 2 * i + (j if i % 2 else 1 - j)  # each page a new one, in either store
                    path = f"/claims/claim-{(k * 7919) % total}" if what == "claim page" else f"/?page={2 + k}"
                    counted["n"] = 0
                    c0, s0, t0 = time.process_time(), cpu_of(server.proc.pid), time.perf_counter()
                    r = client.get(path, headers={"Accept": "text/html"})
                    ms = (time.perf_counter() - t0) * 1000
                    assert r.status_code == 200, (name, path, r.status_code)
                    if i:  # the first round warms each up
                        f = figures[(what, name)]
                        f["ms"].append(ms)
                        f["cpu"].append((time.process_time() - c0) * 1000)
                        f["server"].append((cpu_of(server.proc.pid) - s0) * 1000 if name != "embedded" else 0)
                        f["requests"].append(counted["n"])
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        print(f"\n{total:,} claims, {args.pages} first-time pages of each kind per store, code {ROOT}, load {load}\n")
        print("| page | store | p50 ms | × embedded | this process's CPU ms a page | server's CPU ms a page "
              "| requests a page |\n|---|---|---:|---:|---:|---:|---:|")
        for (what, name), f in figures.items():
            base = statistics.median(figures[(what, "embedded")]["ms"])
            print(f"| {what} | {name} | {statistics.median(f['ms']):.1f} | {statistics.median(f['ms']) / base:.2f} "
                  f"| {statistics.mean(f['cpu']):.1f} | {statistics.mean(f['server']):.1f} "
                  f"| {statistics.mean(f['requests']):.1f} |")
        served.close()
        embedded.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
