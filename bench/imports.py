"""Validated bulk import, claims/s: pyshacl-turbo (the import's engine) against pySHACL (the
reference, the baseline) in the same process, into the same filled store, alternating.

    python bench/imports.py --claims 1000,10000 --folder-100k /tmp/kb-feed-100k --import-claims 2000 --rounds 2

Each size: a store filled by ``bench/run.py``'s fill (validation off: setup), or a COPY of a filled
100k folder (``--folder-100k``; the folder itself is never written). Then, ``--rounds`` times, a
generated document of ``--import-claims`` new claims (with their disputes, naming the store's
agents and sources) is imported through ``KnowledgeBase.import_data`` with each engine in turn.
Printed per import: claims/s, and the seconds in SHACL validation (the engine) and in the rest
(building records, quotes, context, the one store update, the claim index).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import generate  # noqa: E402
from run import fill  # noqa: E402

import kb.writes as writes  # noqa: E402
from kb import open_kb  # noqa: E402

SPENT = {"validate": 0.0}
_validate = writes.validate


def _timed_validate(*args, **kwargs):
    t = time.perf_counter()
    try:
        return _validate(*args, **kwargs)
    finally:
        SPENT["validate"] += time.perf_counter() - t


writes.validate = _timed_validate  # commit() looks it up in its module at each call


def load() -> str:
    return os.getloadavg()[0].__format__(".1f")


def one(kb, n: int, seed: int, engine: str) -> dict:
    doc = generate(n, seed=seed, claims_only=f"imp{seed}-{engine}")
    SPENT["validate"] = 0.0
    t = time.perf_counter()
    result = kb.import_data(doc, by="bench", validator=engine)
    s = time.perf_counter() - t
    assert result.created["claim"] == n, result
    return {"engine": engine, "claims": n, "s": round(s, 2), "claims_per_s": round(n / s),
            "validate_s": round(SPENT["validate"], 2), "rest_s": round(s - SPENT["validate"], 2), "load": load()}


def measure(label: str, kb, n: int, rounds: int) -> dict:
    runs = []
    for r in range(rounds):
        for engine in (("pyshacl", "turbo") if r % 2 == 0 else ("turbo", "pyshacl")):
            row = one(kb, n, seed=100 + len(runs), engine=engine)
            print(f"  {label}: {json.dumps(row)}", flush=True)
            runs.append(row)
    rate = {e: statistics.median(x["claims_per_s"] for x in runs if x["engine"] == e) for e in ("pyshacl", "turbo")}
    out = {"store": label, "pyshacl_claims_per_s": rate["pyshacl"], "turbo_claims_per_s": rate["turbo"],
           "ratio": round(rate["turbo"] / rate["pyshacl"], 2), "runs": runs}
    print(f"{label}: pySHACL {rate['pyshacl']:,.0f} claims/s, turbo {rate['turbo']:,.0f} claims/s "
          f"({out['ratio']}x)", flush=True)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", default="1000", help="store sizes to fill, comma-separated ('' for none)")
    ap.add_argument("--folder-100k", default=None, help="a filled store folder to import into (copied first)")
    ap.add_argument("--import-claims", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    out = []
    with tempfile.TemporaryDirectory(prefix="claimkb-imports-") as tmp:
        for n in [int(x) for x in a.claims.split(",") if x]:
            kb = open_kb(str(Path(tmp) / f"s{n}"))
            fill(kb, n)
            # a generated import names the agents and sources a document of its size has: at most n
            out.append(measure(f"{n:,} claims", kb, min(a.import_claims, n), a.rounds))
            kb.close()
        if a.folder_100k:
            copy = Path(tmp) / "copy"
            subprocess.run(["cp", "-a", a.folder_100k, str(copy)], check=True)
            shutil.rmtree(copy / "query-snapshots", ignore_errors=True)
            kb = open_kb(str(copy))
            out.append(measure(f"copy of {a.folder_100k}", kb, a.import_claims, a.rounds))
            kb.close()
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
