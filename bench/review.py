"""What review before publication costs the public reads (issue 15 §1): the list page and the SPARQL
examples (/sparql), cold (nothing kept), with REVIEW_REQUIRED off and on, with drafts present.

Drafts are kept beside the published graph, never in it, so the public reads are the same queries over
the same graphs whether review is on or not; this measures that it is so. Run on a COPY of a filled
store (it writes the drafts into it):

    cp -a /tmp/kb-feed-100k /tmp/kb-review-100k
    .venv/bin/python bench/review.py --store /tmp/kb-review-100k --drafts 200

or, without a filled store, ``--fill 10000`` fills a fresh one in a temporary folder first.
"""

from __future__ import annotations

import argparse
import json
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
from kb.queries import EXAMPLES  # noqa: E402


def cold(kb):
    kb.data.forget()
    if kb.data.index is not None and hasattr(kb.data.index, "forget"):
        kb.data.index.forget()


def same_store_calls(kb, apps, reads, get) -> bool:
    """Whether each public read asks the store exactly the same things with review off and on
    (every call to the store, with its arguments), nothing kept between them."""
    store, calls = kb.data.store, []
    names = ("select", "raw_query", "triples", "describe", "quads")
    originals = {n: getattr(store, n) for n in names}

    def logged(name):
        def call(*a, **kw):
            calls.append((name, repr(a), repr(sorted(kw.items()))))
            return originals[name](*a, **kw)
        return call

    for n in names:
        setattr(store, n, logged(n))
    try:
        seen = {}
        for mode in ("off", "on"):
            for r, (url, accept) in reads.items():
                cold(kb)
                calls.clear()
                get(apps[mode], url, accept)
                seen[(mode, r)] = list(calls)
    finally:
        for n in names:
            setattr(store, n, originals[n])
    return all(seen[("off", r)] == seen[("on", r)] for r in reads)


def make_drafts(kb, n: int) -> float:
    """``n`` drafts by two analysts (half of them sent for review), as the form makes them."""
    t = time.perf_counter()
    for i in range(n):
        by = ("hanako", "taro")[i % 2]
        rec = {"text": {"en": f"Draft claim {i} awaiting review", "ja": f"審査待ちの下書き{i}"},
               "claimant": "org-1", "about": ["org-2", "topic-1"], "sources": ["source-0"], "date": "2025-09-11"}
        with kb.review.drafting():
            d = kb.add_claim(rec, by=by)
        if i % 2:
            kb.review.submit(d["draft"], by=by)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", help="a filled embedded store folder (a copy: drafts are written into it)")
    ap.add_argument("--fill", type=int, help="fill a fresh store with this many claims instead")
    ap.add_argument("--drafts", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--examples", default=",".join(EXAMPLES),
                    help="the SPARQL examples to time, by name, separated by commas (default: all)")
    ap.add_argument("--no-baseline", action="store_true",
                    help="skip the first pass (review off, no drafts): at 100k each pass takes many minutes")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    folder = Path(args.store) if args.store else Path(tmp.name) / "store"
    if args.fill:
        kb = open_kb(str(folder))
        bench.fill(kb, args.fill)
        kb.close()
    t = time.perf_counter()
    kb = open_kb(str(folder))
    claims = kb.list_claims(limit=1)["total"]  # (the claim index; kb.summary() derives every status: minutes)
    print(f"opened {claims:,} claims in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    apps = {}
    for mode in ("off", "on"):
        apps[mode] = create_app({"TESTING": False, "LOAD_SEED": False, "SECRET_KEY": "bench", "QUERY_TIMEOUT": 0,
                                 "REVIEW_REQUIRED": mode == "on", "DATA_DIR": tmp.name}, kb=kb).test_client()

    def get(client, url, accept="text/html"):
        r = client.get(url, headers={"Accept": accept})
        assert r.status_code == 200, (url, r.status_code, r.get_data(as_text=True)[:300])

    reads = {"list page": ("/", "text/html")}
    for name, text in EXAMPLES.items():
        if name not in args.examples.split(","):
            continue
        reads[f"sparql {name}"] = ("/sparql?" + urlencode({"query": text}),
                                   "application/sparql-results+json")
    for client in apps.values():  # (each app compiles its templates on its first page)
        get(client, "/")
    if kb.data.index is not None and hasattr(kb.data.index, "wait"):
        kb.data.index.wait()

    def measure(modes) -> dict:
        times = {(m, r): [] for m in modes for r in reads}
        for i in range(args.repeat):  # interleaved, so the machine's other work falls on both alike
            for r, (url, accept) in reads.items():
                for m in (modes if i % 2 == 0 else modes[::-1]):  # (and each mode first half the time)
                    cold(kb)
                    times[(m, r)] += bench.ms(lambda m=m, url=url, accept=accept: get(apps[m], url, accept), 1)
                    print(f"round {i + 1} {m} {r}: {times[(m, r)][-1]:.0f} ms", file=sys.stderr, flush=True)
        return {k: bench.p50(v) for k, v in times.items()}

    before = {} if args.no_baseline else measure(["off"])  # today: review off, no drafts
    print(f"baseline done: {before}", file=sys.stderr, flush=True)
    made = make_drafts(kb, args.drafts)
    print(f"made {args.drafts} drafts in {made:.1f} s", file=sys.stderr, flush=True)
    after = measure(["off", "on"])
    same = same_store_calls(kb, apps, reads, get)
    rows = []
    for r in reads:
        row = {"read": r, "off_no_drafts_p50_ms": before.get(("off", r)), "off_p50_ms": after[("off", r)],
               "on_p50_ms": after[("on", r)]}
        row["on_vs_off"] = round(row["on_p50_ms"] / row["off_p50_ms"], 2) if row["off_p50_ms"] else None
        row["on_vs_no_drafts"] = round(row["on_p50_ms"] / row["off_no_drafts_p50_ms"], 2) \
            if row["off_no_drafts_p50_ms"] else None
        rows.append(row)
        print(json.dumps(row), flush=True)
        print(json.dumps(row), file=sys.stderr, flush=True)
    print(json.dumps({"claims": claims, "drafts": args.drafts, "repeat": args.repeat, "same_store_calls": same,
                      "worst_on_vs_off": max(r["on_vs_off"] for r in rows if r["on_vs_off"])}), flush=True)
    kb.close()


if __name__ == "__main__":
    main()
