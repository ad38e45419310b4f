"""Cold start to the first page, by phase, for one or more versions of the code on one store.

Each run is a fresh process: import the app, ``open_kb``, ``create_app``, then the first
``GET /`` (the home page with its facets and busiest stories), as ``bench/run.py``'s
cold start measures it. The versions alternate run by run, so each sees the same machine;
the medians are printed side by side with their ratio to the first version.

    git archive main | tar -x -C /tmp/claimkb-main     # the code before
    python bench/cold.py --store /tmp/kb-speed-100k --code /tmp/claimkb-main,. --runs 5

The store is only read (a write would move the claim index, which each version checks at
opening). A version that finds the claim index made by another version rebuilds it: run
each version once beforehand if their index formats differ (``--warm``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ONE = r"""
import json, sys, time
t0 = time.perf_counter()
from app import create_app
from kb import open_kb
t1 = time.perf_counter()
kb = open_kb(sys.argv[1])
t2 = time.perf_counter()
app = create_app({"LOAD_SEED": False, "SECRET_KEY": "bench"}, kb=kb)
t3 = time.perf_counter()
r = app.test_client().get("/", headers={"Accept": "text/html"})
t4 = time.perf_counter()
assert r.status_code == 200, r.status_code
print(json.dumps({"imports": t1 - t0, "open_kb": t2 - t1, "create_app": t3 - t2, "first_page": t4 - t3,
                  "total": t4 - t0}))
"""
PHASES = ["imports", "open_kb", "create_app", "first_page", "total"]


def once(code: Path, store: str) -> dict:
    # bytecode written and read, as an installed copy has it (PYTHONDONTWRITEBYTECODE would make every start
    # compile every module from source: ~0.5 s more here)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(code)!r})\n" + ONE, store],
                         capture_output=True, text=True, cwd=code, timeout=900, env=env)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--code", default=".", help="comma-separated code folders (the first is the baseline)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warm", action="store_true", help="one unmeasured run of each version first")
    args = ap.parse_args()
    codes = [Path(c).resolve() for c in args.code.split(",")]
    if args.warm:  # also writes each version's bytecode
        for c in codes:
            once(c, args.store)
    runs: dict = {c: [] for c in codes}
    for _ in range(args.runs):
        for c in codes:
            runs[c].append(once(c, args.store))
    print("| code | " + " | ".join(f"{p} s" for p in PHASES) + " | total × first |")
    print("|---|" + "---:|" * (len(PHASES) + 1))
    first = None
    for c in codes:
        med = {p: statistics.median(r[p] for r in runs[c]) for p in PHASES}
        first = first or med["total"]
        print(f"| {c} | " + " | ".join(f"{med[p]:.2f}" for p in PHASES) + f" | {med['total'] / first:.2f} |")
    print(json.dumps({str(c): runs[c] for c in codes}))


if __name__ == "__main__":
    main()
