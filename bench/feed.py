"""Time and peak memory of the ClaimReview feed (``/claimreview.jsonld``) through the app.

The store is filled once with ``bench/run.py``'s fill (``bench/generate.py`` documents, written
without validation), then a verdict is written on every tenth claim (``--judged``), also without
validation (setup, not measured), and kept in FOLDER. The feed is then read whole, in a fresh
process each time: the time to its first piece, to its end, and the process's peak memory.

    python bench/feed.py --claims 100000 --folder /tmp/kb-feed-100k
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

ONE = r"""
import json, sys, time
from app import create_app
from kb import open_kb
app = create_app({"LOAD_SEED": False, "SECRET_KEY": "bench"}, kb=open_kb(sys.argv[1]))
c = app.test_client()
hwm = lambda: next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
before = hwm()
t = time.perf_counter()
r = c.get("/claimreview.jsonld")
assert r.status_code == 200 and r.is_streamed, r.status_code
chunks = iter(r.response)
first = next(chunks)
ttfb = time.perf_counter() - t
body = first + b"".join(chunks)  # read it all, as a client would
s = time.perf_counter() - t
n = len(json.loads(body)["dataFeedElement"])
print(json.dumps({"reviews": n, "first_piece_s": round(ttfb, 2), "s": round(s, 2), "mb": round(len(body) / 1e6, 1),
                  "peak_rss_mb": round(hwm() / 1024), "rss_before_mb": round(before / 1024)}))
"""
RATINGS = ["accurate", "mostly-accurate", "mixed", "misleading", "false", "unproven"]


def judge(kb, claims: int, every: int) -> int:
    """A verdict on every ``every``-th claim, written without validation; how many."""
    from kb import verdicts
    from kb.writes import commit

    recs = []
    for i in range(0, claims, every):
        c = kb.iri("claim", f"claim-{i}")
        recs.append(verdicts.build(kb.data, c, {"rating": RATINGS[i % len(RATINGS)],
                                                "text": {"en": f"Reasoning {i}.", "ja": f"理由 {i}。"},
                                                "date": "2025-10-01"}, author=kb.minter.analyst("bench")))
    for i in range(0, len(recs), 5000):
        commit(kb.data, recs[i : i + 5000], "bench", validated=False)
    return len(recs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=10_000)
    ap.add_argument("--every", type=int, default=10, help="a verdict on every N-th claim (10: 10%% judged)")
    ap.add_argument("--folder", type=Path, required=True, help="the store folder (filled when it does not exist)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not args.folder.exists():
        from run import fill  # noqa: PLC0415

        from kb import open_kb  # noqa: PLC0415

        kb = open_kb(str(args.folder))
        t = time.perf_counter()
        fill(kb, args.claims)
        n = judge(kb, args.claims, args.every)
        kb.close()
        print(f"filled {args.claims:,} claims and {n:,} verdicts in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, "-c", ONE, str(args.folder)], capture_output=True, text=True,
                             cwd=HERE.parent, check=True)
        print(out.stdout.strip(), flush=True)


if __name__ == "__main__":
    main()
