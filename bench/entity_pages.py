"""An agent's and a topic's page when the entity is named by many claims: time and size, first time
and again, through Flask's test client, each round in a fresh process.

    python bench/entity_pages.py --store /tmp/copy-of-kb-feed-10k [--rounds 3] [--compare /path/to/a/worktree/of/main]

The entities are those the store's claims name most: the organisation most claims are about, the
person or organisation who made most claims, and the topic most claims are about. ``--compare TREE``
runs the same rounds over TREE's code (``PYTHONPATH``), alternating with this tree's, and prints the
ratio of each figure (TREE / this). The store is only read; give it a copy all the same.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

ONE = r"""
import json, sys, time
from app import create_app
from kb import open_kb
kb = open_kb(sys.argv[1])
app = create_app({"LOAD_SEED": False, "SECRET_KEY": "bench"}, kb=kb)
c = app.test_client()
P = "PREFIX schema: <http://schema.org/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
def top(pattern):
    r = kb.data.select(P + "SELECT ?e (COUNT(?c) AS ?n) WHERE { " + pattern + " } GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 1")[0]
    return kb.data.local_id(r["e"]), int(r["n"])
pages = {}
for kind, pattern in (("agent, most claims about it", "?c schema:about ?e ; a schema:Claim . ?e a schema:Organization"),
                      ("agent, most claims made", "?c schema:author ?e ; a schema:Claim ."),
                      ("topic, most claims about it", "?c schema:about ?e ; a schema:Claim . ?e a skos:Concept")):
    rid, n = top(pattern)
    path = ("/topics/" if kind.startswith("topic") else "/agents/") + rid
    t = time.perf_counter(); r = c.get(path, headers={"Accept": "text/html"}); first = time.perf_counter() - t
    assert r.status_code == 200, (path, r.status_code)
    t = time.perf_counter(); c.get(path + "?again=1", headers={"Accept": "text/html"}); again = time.perf_counter() - t
    pages[kind] = {"path": path, "claims": n, "first_ms": first * 1000, "again_ms": again * 1000, "kb": len(r.data) / 1024}
print(json.dumps(pages))
"""


def run(tree: Path, store: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run([sys.executable, "-c", ONE, store], env=env, cwd=tree, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", required=True, help="a filled store folder (a copy: it is opened)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--compare", help="a tree of other code to measure beside this one, alternating")
    args = ap.parse_args()
    trees = {"this": HERE.parent} | ({"compare": Path(args.compare).resolve()} if args.compare else {})
    got: dict = {name: [] for name in trees}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            got[name].append(run(tree, args.store))
    print(f"load {os.getloadavg()[0]:.1f} after {args.rounds} rounds; medians of first-time / again ms, page KB")
    print("| page | claims | " + " | ".join(f"{n}: first / again ms, KB" for n in trees)
          + (" | first-time ratio (compare / this) |" if args.compare else " |"))
    print("|---|---:|" + "---:|" * len(trees) + ("---:|" if args.compare else ""))
    for kind, first in got["this"][0].items():
        cells, firsts = [], {}
        for name in trees:
            rows = [r[kind] for r in got[name]]
            firsts[name] = statistics.median(r["first_ms"] for r in rows)
            cells.append(f"{firsts[name]:.0f} / {statistics.median(r['again_ms'] for r in rows):.0f}, {rows[0]['kb']:.0f}")
        ratio = f" | {firsts['compare'] / firsts['this']:.1f}× |" if args.compare else " |"
        print(f"| `{first['path']}` | {first['claims']:,} | " + " | ".join(cells) + ratio)


if __name__ == "__main__":
    main()
