"""Time and peak memory of the whole-store exports through the app (``/export.<fmt>``).

The store is filled once with ``bench/run.py``'s fill (``bench/generate.py`` documents,
written without validation) and kept in FOLDER. Each format is measured in a fresh process
that reads whole responses, so its peak memory (VmHWM) is that export's alone:

- ``written``: the export written from the store into a spooled file, as every request did
  before exports were kept (``KnowledgeBase.export``, the baseline);
- ``after a write``: ``/export.<fmt>`` right after a validated write, which writes the kept
  file anew (what the first request after a write pays);
- ``kept``: ``/export.<fmt>`` again, served from the file kept since (what every later
  request until the next write pays);
- ``after a quiet spell``: ``/export.<fmt>`` after another write and ``EXPORT_REFRESH`` (1 s here)
  without one, once the background thread has written the kept file anew.

The three are measured in the same process, one after the other, so the ratios compare like
with like on a shared machine.

    python bench/export.py --claims 10000 --folder /tmp/kb-export-10k --formats ttl,jsonld
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

ONE = r"""
import json, sys, tempfile, time
from app import create_app
from kb import open_kb
FORMATS = {"ttl": "turtle", "trig": "trig", "jsonld": "jsonld", "nt": "nt", "nq": "nq"}
folder, fmt, tag = sys.argv[1:4]
kb = open_kb(folder)
app = create_app({"LOAD_SEED": False, "SECRET_KEY": "bench", "EXPORT_REFRESH": 1}, kb=kb)
c = app.test_client()
hwm = lambda: round(next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024)
out = {"format": fmt, "rss_before_mb": hwm()}

def get():
    t = time.perf_counter()
    r = c.get("/export." + fmt)
    size = sum(len(chunk) for chunk in r.response)  # read it all, as a client would
    r.close()
    assert r.status_code == 200, r.status_code
    return round(time.perf_counter() - t, 2), size

t = time.perf_counter()
with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
    kb.export(spool, FORMATS[fmt])
    size = spool.tell()
out.update(written_s=round(time.perf_counter() - t, 2), mb=round(size / 1e6, 1), written_peak_rss_mb=hwm())
kb.add_claim({"id": f"bench-export-{tag}", "text": {"en": "Export bench"}, "claimant": "org-1",
              "about": ["org-2"], "sources": ["source-0"]}, by="bench")
out["after_write_s"], size1 = get()
out["after_write_peak_rss_mb"] = hwm()
out["kept_s"], size2 = get()
out["kept_peak_rss_mb"] = hwm()
assert size1 == size2, (size1, size2)
kb.add_claim({"id": f"bench-export-{tag}-2", "text": {"en": "Export bench"}, "claimant": "org-1",
              "about": ["org-2"], "sources": ["source-0"]}, by="bench")
from pathlib import Path
kept = Path(folder) / "exports" / f"{kb.data.generation()}.{fmt}"
t = time.perf_counter()
while not kept.exists():
    time.sleep(0.2)
out["background_s"] = round(time.perf_counter() - t, 1)  # the quiet spell and the background writing
out["after_quiet_s"], _ = get()
out["written_over_kept"] = round(out["written_s"] / max(out["kept_s"], 0.01), 1)
print(json.dumps(out))
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=10_000)
    ap.add_argument("--folder", type=Path, required=True, help="the store folder (filled when it does not exist)")
    ap.add_argument("--formats", default="ttl,jsonld")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    if not args.folder.exists():
        from run import fill  # noqa: PLC0415

        from kb import open_kb  # noqa: PLC0415

        kb = open_kb(str(args.folder))
        print(f"filled {args.claims} claims in {fill(kb, args.claims):.0f} s", file=sys.stderr)
        kb.close()
    import time  # noqa: PLC0415

    for fmt in args.formats.split(","):
        for i in range(args.repeat):
            tag = f"{fmt}-{i}-{time.time_ns()}"
            out = subprocess.run([sys.executable, "-c", ONE, str(args.folder), fmt, tag], capture_output=True,
                                 text=True, cwd=HERE.parent, timeout=1800)
            if out.returncode:
                raise RuntimeError(out.stderr[-2000:])
            print(out.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
