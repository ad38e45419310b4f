"""Time and peak memory of the whole-store exports through the app (``/export.<fmt>``).

The store is filled once with ``bench/run.py``'s fill (``bench/generate.py`` documents,
written without validation) and kept in FOLDER; each export then runs in a fresh process
that reads the whole response, so its peak memory (VmHWM) is that export's alone.

    python bench/export.py --claims 10000 --folder /tmp/kb-export-10k --formats jsonld,ttl
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
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
r = c.get("/export." + sys.argv[2])
size = sum(len(chunk) for chunk in r.response)  # read it all, as a client would
s = time.perf_counter() - t
assert r.status_code == 200, r.status_code
print(json.dumps({"format": sys.argv[2], "s": round(s, 2), "mb": round(size / 1e6, 1),
                  "peak_rss_mb": round(hwm() / 1024), "rss_before_mb": round(before / 1024)}))
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=10_000)
    ap.add_argument("--folder", type=Path, required=True, help="the store folder (filled when it does not exist)")
    ap.add_argument("--formats", default="jsonld,ttl")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not args.folder.exists():
        from run import fill  # noqa: PLC0415

        from kb import open_kb  # noqa: PLC0415

        kb = open_kb(str(args.folder))
        print(f"filled {args.claims} claims in {fill(kb, args.claims):.0f} s", file=sys.stderr)
        kb.close()
    for fmt in args.formats.split(","):
        runs = [json.loads(subprocess.run([sys.executable, "-c", ONE, str(args.folder), fmt], capture_output=True,
                                          text=True, check=True, cwd=HERE.parent, timeout=900).stdout)
                for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["s"])
        print(json.dumps({**best, "runs_s": [r["s"] for r in runs]}))


if __name__ == "__main__":
    main()
