"""First-time list pages with their facets, filtered lists counted from the claim index's columns in
memory against the same lists counted in SQLite (the code before), alternating in one process.

Each list URL (bench/run.py's ``first_lists``: a page far down, an entity, an entity and a status, a
claimant, a topic and a language, a month and a status, a party) is asked once each way, with nothing
kept from the other (the index's kept pages, facets and searches, and the data's kept values, are
dropped before each); which way goes first alternates URL by URL. Prints p50 / p95 / max of each way
and their ratio, and the figures by URL.

    python bench/lists.py --store /tmp/lists-100k --lists 40

The store is only read (no write).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from run import first_lists  # noqa: E402

from app import create_app  # noqa: E402
from kb import open_kb  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--lists", type=int, default=40, help="first-time list URLs")
    args = ap.parse_args()
    kb = open_kb(args.store)
    app = create_app({"TESTING": False, "LOAD_SEED": False, "SECRET_KEY": "bench"}, kb=kb)
    client = app.test_client()
    index = kb.data.index
    index.wait()  # a serving process's state: the columns loaded once, in a thread
    n = kb.list_claims(limit=1)["total"]
    columns_way = index._in_memory

    def sqlite_way(f):  # the code before: only a search from the columns
        return f.get("q") is not None

    def get(url, way):
        index._in_memory = way
        kb.data.forget()
        index.forget()
        t = time.perf_counter()
        r = client.get(url, headers={"Accept": "text/html"})
        ms = (time.perf_counter() - t) * 1000
        assert r.status_code == 200, (url, r.status_code)
        return ms, r.get_data(as_text=True)

    get("/claims/claim-0", columns_way)  # the process's first page (templates compiled): not counted
    ways = {"sqlite": sqlite_way, "columns": columns_way}
    times: dict = {k: {} for k in ways}
    load = [os.getloadavg()[0]]
    for i, url in enumerate(first_lists(n, args.lists)):
        order = list(ways) if i % 2 else list(reversed(ways))
        pages = {}
        for name in order:
            times[name][url], pages[name] = get(url, ways[name])
        assert pages["sqlite"] == pages["columns"], url  # the same page either way
    load.append(os.getloadavg()[0])
    index._in_memory = columns_way
    out = {}
    for name, by in times.items():
        xs = sorted(by.values())
        out[name] = {"p50": round(statistics.median(xs), 1), "p95": round(xs[max(0, int(len(xs) * 0.95) - 1)], 1),
                     "max": round(xs[-1], 1)}
    print(f"{n:,} claims, {len(times['sqlite'])} first-time list pages, load average {load[0]:.1f} -> {load[1]:.1f}")
    print("| way | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|")
    for name, r in out.items():
        print(f"| {name} | {r['p50']} | {r['p95']} | {r['max']} |")
    print(f"columns / sqlite: p50 {out['columns']['p50'] / out['sqlite']['p50']:.2f}, "
          f"p95 {out['columns']['p95'] / out['sqlite']['p95']:.2f}")
    print(json.dumps({name: {u: round(t, 1) for u, t in by.items()} for name, by in times.items()}, ensure_ascii=False))
    kb.close()


if __name__ == "__main__":
    main()
