"""Virtuoso's list page against the embedded store's, at 10k claims (issue 16 part 1), and what
keeping the labels and the sources of the pages across requests gives (``Dataset.kept_each``, until
the store's next write): Virtuoso with nothing kept from an earlier request (``Dataset.forget()``
before each page) and as served. One process, the variants alternating page by page (each round in
a rotated order), each list page a page not asked before in that variant:

    python bench/virtuoso_list.py --from /tmp/kb-feed-10k --rounds 9

The embedded store is copied from ``--from`` (or filled with bench/run.py's fill), exported as
N-Quads and bulk-loaded into a Virtuoso of its own (bench/backends.py's loader), opened with a
claim index replica. Prints the medians and the ratios to the embedded store's.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (HERE, ROOT / "tests", ROOT):
    sys.path.insert(0, str(p))

from backends import load_virtuoso, log  # noqa: E402
from servers import VirtuosoServer  # noqa: E402

from app import create_app  # noqa: E402
from kb import open_kb  # noqa: E402

VARIANTS = ["embedded", "virtuoso, nothing kept from an earlier request", "virtuoso"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--from", dest="source", help="a filled embedded store folder (copied)")
    ap.add_argument("--claims", type=int, default=10_000, help="claims to fill without --from")
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--workdir")
    args = ap.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="kb-virtuoso-list-"))
    work.mkdir(parents=True, exist_ok=True)
    server = None
    try:
        if not (work / "store").exists():
            if args.source:
                subprocess.run(["cp", "-a", args.source, str(work / "store")], check=True)
            else:
                from run import fill
                k = open_kb(str(work / "store"))
                fill(k, args.claims)
                k.close()
        embedded = open_kb(str(work / "store"))
        vfolder = work / "virtuoso"
        fresh = not vfolder.exists()
        vfolder.mkdir(exist_ok=True)
        if fresh:
            with (vfolder / "kb.nq").open("wb") as f:
                embedded.export(f, "nq")
        server = VirtuosoServer(vfolder, buffers=200_000)
        if fresh:
            open_kb(server.url, update_endpoint=server.update_url).close()
            load_virtuoso(server, vfolder / "kb.nq")
            log("loaded Virtuoso")
        t = time.perf_counter()
        virtuoso = open_kb(server.url, update_endpoint=server.update_url, index_dir=work / "replica")
        log(f"opened Virtuoso with its replica in {time.perf_counter() - t:.1f} s")
        # the second handle's replica: a copy (the server's URL is in it: a new port rebuilds an index)
        virtuoso.close()
        shutil.rmtree(work / "replica-cold", ignore_errors=True)
        shutil.copytree(work / "replica", work / "replica-cold")
        virtuoso = open_kb(server.url, update_endpoint=server.update_url, index_dir=work / "replica")
        # the variant with nothing kept has a handle of its own: its forget() leaves the other's kept values
        cold = open_kb(server.url, update_endpoint=server.update_url, index_dir=work / "replica-cold")
        kbs = {VARIANTS[0]: embedded, VARIANTS[1]: cold, VARIANTS[2]: virtuoso}
        clients = {v: create_app({"TESTING": False, "LOAD_SEED": False, "SECRET_KEY": "b"}, kb=k).test_client()
                   for v, k in kbs.items()}
        took = {v: [] for v in VARIANTS}
        for i in range(args.rounds + 1):
            order = VARIANTS[i % len(VARIANTS):] + VARIANTS[:i % len(VARIANTS)]
            for v in order:
                if v == VARIANTS[1]:
                    kbs[v].data.forget()
                page = 2 + i * len(VARIANTS) + VARIANTS.index(v)  # a page no variant asked before
                t = time.perf_counter()
                r = clients[v].get(f"/?page={page}", headers={"Accept": "text/html"})
                ms = (time.perf_counter() - t) * 1000
                assert r.status_code == 200, (v, r.status_code)
                if i:  # the first round warms each variant up
                    took[v].append(ms)
        e = statistics.median(took[VARIANTS[0]])
        print(f"list page `/?page=N` at {embedded.list_claims(limit=1)['total']:,} claims, {args.rounds} pages each, "
              f"load {' '.join(Path('/proc/loadavg').read_text().split()[:3])}\n")
        print("| variant | list page p50 ms | min–max ms | × embedded |\n|---|---:|---:|---:|")
        for v in VARIANTS:
            m = statistics.median(took[v])
            print(f"| {v} | {m:.0f} | {min(took[v]):.0f}–{max(took[v]):.0f} | {m / e:.2f} |")
        for k in kbs.values():
            k.close()
    finally:
        if server is not None:
            server.stop()
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
