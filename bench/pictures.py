"""The pictures of the entity most claims are about, and a cold start, on a
store kept between runs (filling 100,000 claims takes minutes; measuring, seconds).

    python bench/pictures.py --store /work/out/store-100k --claims 100000
    # the same figures for another checkout (e.g. the code before a change):
    git archive <commit> | tar -x -C /tmp/claimkb-base
    python bench/pictures.py --store /work/out/store-100k --code /tmp/claimkb-base --label before

The store is filled once with ``bench/run.py``'s ``fill()`` (skipped when it
already holds that many claims). Each measurement runs in a fresh process
with ``--code`` on its path: it opens the store once untimed (an index from
another version of the code is rebuilt then), times each picture (the first
request, the p50 of ``--repeat`` more, the p50 with nothing kept from an
earlier request, and the p50 right after a validated write of a claim about
the entity, which the store then keeps), then a cold start (``create_app`` + ``open_kb`` + the first
``GET /``) in ``--cold`` fresh processes. Prints a markdown row and, with
``--json``, writes every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

MEASURE = r"""
import json, statistics, sys, time
from app import create_app
from kb import open_kb
folder, repeat = sys.argv[1], int(sys.argv[2])
t = time.perf_counter()
kb = open_kb(folder)
opened = time.perf_counter() - t
app = create_app({"TESTING": False, "LOAD_SEED": False, "SECRET_KEY": "bench"}, kb=kb)
c = app.test_client()
top = kb.list_claims(limit=1, facets=True)["facets"]["about"][0]
if len(sys.argv) > 3:
    top = {"value": sys.argv[3], "count": kb.list_claims(about=sys.argv[3], limit=1)["total"]}
out = {"open_untimed_s": round(opened, 2), "entity": top["value"], "entity_claims": top["count"]}
for name, url in [("story_timeline", "/timeline?about="), ("network", "/network?about="),
                  ("story_json", "/timeline.json?about="), ("network_svg", "/network.svg?about="),
                  ("network_json", "/network.json?about=")]:
    times = []
    for i in range(repeat + 1):
        t = time.perf_counter()
        r = c.get(url + top["value"], headers={"Accept": "text/html"})
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (url, r.status_code, r.data[:300])
    out[name + "_first_ms"] = round(times[0], 1)
    out[name + "_p50_ms"] = round(statistics.median(times[1:]), 1)
    # and with nothing kept from an earlier request (the pickers' records, a network's data and layout)
    cold = []
    for i in range(repeat):
        kb.data.forget()  # the pickers' records, the network data and the busiest stories
        import app.drawing as drawing
        if hasattr(drawing, "_LAYOUTS"):
            drawing._LAYOUTS.clear()
        t = time.perf_counter()
        c.get(url + top["value"], headers={"Accept": "text/html"})
        cold.append((time.perf_counter() - t) * 1000)
    out[name + "_uncached_p50_ms"] = round(statistics.median(cold), 1)
    # and right after a validated write of a claim about the entity, with a dispute (what an analyst sees)
    after = []
    for i in range(repeat):
        kb.add_claim({"id": f"pic-bench-{name.replace('_', '-')}-{i}-{time.time_ns()}", "text": {"en": "A new claim"},
                      "claimant": "org-1", "about": [top["value"]], "sources": ["source-0"], "date": "2025-09-11",
                      "disputes": [{"party": "org-3", "stance": "denies", "text": {"en": "No"},
                                    "sources": ["source-1"]}]}, by="bench")
        t = time.perf_counter()
        c.get(url + top["value"], headers={"Accept": "text/html"})
        after.append((time.perf_counter() - t) * 1000)
    out[name + "_after_write_p50_ms"] = round(statistics.median(after), 1)
    if name == "story_json":
        j = r.get_json()
        out["story_shown_of_total"] = [j["shown"], j["total"]]
    if name == "network_json":
        j = r.get_json()
        out["network_disputes"] = j["disputes"]
        out["network_nodes_edges"] = [len(j["nodes"]), len(j["edges"])]
kb.close()
print(json.dumps(out))
"""

COLD = r"""
import json, sys, time
t0 = time.perf_counter()
from app import create_app
from kb import open_kb
app = create_app({"LOAD_SEED": False, "SECRET_KEY": "bench"}, kb=open_kb(sys.argv[1]))
r = app.test_client().get("/", headers={"Accept": "text/html"})
assert r.status_code == 200
print(json.dumps({"cold_start_s": round(time.perf_counter() - t0, 2)}))
"""


def run(code: Path, script: str, *args) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                         cwd=code, env=env, timeout=1800)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_filled(folder: Path, n: int) -> None:
    marker = folder / "bench-filled.json"
    if marker.exists() and json.loads(marker.read_text())["claims"] == n:
        return
    sys.path[:0] = [str(HERE), str(HERE.parent)]
    from run import fill

    from kb import open_kb

    if folder.exists() and any(folder.iterdir()):
        raise SystemExit(f"{folder} holds something other than a filled store of {n} claims; choose another folder")
    kb = open_kb(str(folder))
    seconds = fill(kb, n)
    kb.close()
    marker.write_text(json.dumps({"claims": n, "fill_s": round(seconds, 1)}))
    print(f"filled {n:,} claims in {seconds:.0f} s", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default="/work/out/store-100k", help="store folder, kept between runs")
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--code", default=str(HERE.parent), help="checkout whose code is measured")
    ap.add_argument("--label", default="this checkout")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--cold", type=int, default=3, help="fresh processes for the cold start (median)")
    ap.add_argument("--entity", help="the entity whose pictures are timed (default: the one most claims are about)")
    ap.add_argument("--json", help="append the figures to this JSON file (a list of rows)")
    args = ap.parse_args()
    folder, code = Path(args.store), Path(args.code).resolve()
    ensure_filled(folder, args.claims)
    t = time.perf_counter()
    row = {"label": args.label, "claims": args.claims,
           **run(code, MEASURE, folder, args.repeat, *([args.entity] if args.entity else []))}
    colds = [run(code, COLD, folder)["cold_start_s"] for _ in range(args.cold)]
    row["cold_start_runs_s"] = colds
    row["cold_start_s"] = sorted(colds)[len(colds) // 2]
    print(f"measured in {time.perf_counter() - t:.0f} s: {json.dumps(row)}", file=sys.stderr)
    print("| code | claims | entity (claims) | story timeline p50 ms (nothing kept / after a write) | "
          "network p50 ms (nothing kept / after a write) | timeline.json p50 ms | "
          "network.svg p50 ms (nothing kept / after a write) | cold start s |\n"
          "|---|---:|---|---:|---:|---:|---:|---:|")

    def cell(name):
        return (f"{row[name + '_p50_ms']} ({row[name + '_uncached_p50_ms']} / "
                f"{row.get(name + '_after_write_p50_ms', '—')})")

    print(f"| {row['label']} | {row['claims']:,} | {row['entity']} ({row['entity_claims']:,}) | "
          f"{cell('story_timeline')} | {cell('network')} | {row['story_json_p50_ms']} | "
          f"{cell('network_svg')} | {row['cold_start_s']} |")
    if args.json:
        path = Path(args.json)
        rows = json.loads(path.read_text()) if path.exists() else []
        path.write_text(json.dumps(rows + [row], indent=2))


if __name__ == "__main__":
    main()
