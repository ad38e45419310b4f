"""First-time searches at one size, alone: bench/run.py's search steps without the rest of its run.

Fills an embedded store with N generated claims (setup, not measured), then asks bench/run.py's
forty distinct searches once each through the list page (nothing kept from an earlier identical
search), the claim index's part of each with nothing kept, and, for comparison in the same run,
list pages of claims not read before (as a search's are).

    .venv/bin/python bench/search.py --claims 100000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import run as bench  # noqa: E402

from app import create_app  # noqa: E402
from kb import open_kb  # noqa: E402
from kb.filters import parse as parse_filters  # noqa: E402
from kb.listing import listing  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--claims", type=int, default=100_000)
    n = ap.parse_args().claims
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d) / "store"
        kb = open_kb(str(folder))
        t = time.perf_counter()
        bench.fill(kb, n)
        print(f"filled {n:,} claims in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
        kb.close()
        kb = open_kb(str(folder))  # as a server process finds it
        client = create_app({"TESTING": False, "LOAD_SEED": False, "SECRET_KEY": "bench"}, kb=kb).test_client()

        def get(url):
            r = client.get(url, headers={"Accept": "text/html"})
            assert r.status_code == 200, (url, r.status_code)

        get("/")
        kb.data.index.wait()  # the search columns, loaded after the first page
        page, part = {}, {}
        for qs in bench.first_searches(n).values():
            for q in qs:
                page[q] = bench.ms(lambda q=q: get(f"/?{urlencode({'q': q})}"), 1)[0]
                f, chosen = parse_filters(kb.data, {"q": q}), listing(kb.data)
                kb.data.index.forget()
                part[q] = bench.ms(lambda f=f, c=chosen: (c.page(f, 20, 0), c.facets(f)), 1)[0]
        unread = random.Random(23).sample(range(2, max(3, n // 20)), min(20, max(1, n // 20 - 2)))
        lists = [bench.ms(lambda p=p: get(f"/?page={p}"), 1)[0] for p in unread]
        kb.close()
    print(json.dumps({"claims": n, "search_first_p50_ms": bench.p50(list(page.values())),
                      "search_first_p95_ms": bench.p95(list(page.values())),
                      "search_first_index_p50_ms": bench.p50(list(part.values())),
                      "list_unread_p50_ms": bench.p50(lists)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
