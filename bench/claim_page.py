"""What a first-time claim page costs in CPU: ms a page through Flask's test client, and where it goes.

    python bench/claim_page.py --store /tmp/copy-of-kb-feed-10k [--pages 300] [--profile 25]
    python bench/claim_page.py --store /tmp/copy-10k --compare /path/to/a/worktree/of/main

Renders ``--pages`` distinct claim pages (``claim-<i>``, a seeded sample) that this process never
rendered (nothing kept: the page cache is off, each claim read once), as an anonymous reader in
English, and prints ms a page (p50, p95) beside the static file ``/static/style.css`` through the
same client (Flask's routing and hooks: the floor), and the CPU time this process spent a page
(``time.process_time``: less noisy than the clock on a shared machine). ``--profile N`` adds a cProfile of the same
kind of pages (other claims), the top N functions by cumulative time. ``--dump DIR`` writes every
page rendered (anonymous and signed in, English and Japanese: ``--who``, ``--langs``) to DIR, to
compare two versions of the code byte for byte (``diff -r``; CSRF tokens are replaced by "TOKEN").

``--compare TREE`` is the baseline in the same run: each round runs this script in a fresh process
over TREE's code (``PYTHONPATH``) and over this tree's, one after the other, on other claims each
round, and prints both and their ratio. The store is only read; give it a copy all the same.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def p(xs, q):
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(q * len(xs)))], 2)


def run(args) -> dict:
    sys.path.insert(0, str(Path(os.environ.get("PYTHONPATH", HERE)).resolve()))
    from app import create_app  # noqa: PLC0415
    from kb import open_kb  # noqa: PLC0415

    kb = open_kb(args.store)
    app = create_app({"TESTING": False, "LOAD_SEED": False, "SECRET_KEY": "bench", "PAGE_CACHE_MB": 0,
                      "EXPORT_REFRESH": 0}, kb=kb)
    headers = {"anon": {}}
    if "analyst" in args.who:
        users = app.extensions["users"]
        if users.get("bench-ana") is None:
            users.add("bench-ana", "analyst", "bench-password")
        headers["analyst"] = {"Authorization": f"Bearer {users.token('bench-ana')}"}
    client = app.test_client()
    kb.data.index.wait()
    rnd = random.Random(args.seed)
    ids = [f"claim-{i}" for i in rnd.sample(range(1, args.claims), min(args.claims - 1, args.pages + args.profile_pages))]
    page_ids, prof_ids = ids[:args.pages], ids[args.pages:]
    if args.every:  # every claim the list shows (a small store: to compare pages)
        page_ids = [c["id"] for c in kb.list_claims(limit=10**6)["claims"]] + args.every.split(",")[1:]

    def get(url, lang="en", who="anon"):
        r = client.get(url, headers={"Accept": "text/html", "Accept-Language": lang, **headers[who]})
        assert r.status_code == 200, (url, r.status_code, r.data[:300])
        return r.data

    get(f"/claims/{page_ids[0] if args.every else 'claim-0'}")  # templates compiled, the process's first page: not counted
    out = {"code": str(Path(os.environ.get("PYTHONPATH", HERE)).resolve()),
           "load_before": [round(x, 2) for x in os.getloadavg()]}
    static = []
    for _ in range(args.pages):
        t = time.perf_counter()
        get("/static/style.css")
        static.append((time.perf_counter() - t) * 1000)
    took = []
    dump = Path(args.dump) if args.dump else None
    if dump:
        dump.mkdir(parents=True, exist_ok=True)
    cpu = []
    for i, rid in enumerate(page_ids):
        t, c = time.perf_counter(), time.process_time()
        body = get(f"/claims/{rid}")
        took.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        if dump and i < args.dump_pages:
            for lang in args.langs.split(","):
                for who in args.who.split(","):
                    b = body if (lang, who) == ("en", "anon") else get(f"/claims/{rid}", lang, who)
                    text = re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value="TOKEN"', b.decode())
                    (dump / f"{rid}.{lang}.{who}.html").write_text(text)
    out.update(pages=len(took), page_p50_ms=p(took, 0.5), page_p95_ms=p(took, 0.95),
               page_mean_ms=round(statistics.fmean(took), 2), page_cpu_p50_ms=p(cpu, 0.5),
               page_cpu_mean_ms=round(statistics.fmean(cpu), 2), static_p50_ms=p(static, 0.5))
    if prof_ids:
        prof = cProfile.Profile()
        prof.enable()
        for rid in prof_ids:
            get(f"/claims/{rid}")
        prof.disable()
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(args.profile)
        out["profile"] = s.getvalue()
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True, help="a copy of a filled store (only read)")
    ap.add_argument("--claims", type=int, default=10_000, help="claims claim-1 … claim-N to sample from")
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--profile", type=int, default=0, help="print a cProfile's top N (0: none)")
    ap.add_argument("--profile-pages", type=int, default=0, help="pages for the profile (default: --pages)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dump", help="write the pages rendered to this folder")
    ap.add_argument("--dump-pages", type=int, default=10**9)
    ap.add_argument("--langs", default="en,ja")
    ap.add_argument("--who", default="anon,analyst")
    ap.add_argument("--every", help="'list' (and more ids after commas): render every claim listed, not a sample")
    ap.add_argument("--compare", help="a tree with the baseline code")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--json", action="store_true", help="(internal) print one JSON object")
    args = ap.parse_args()
    if args.profile and not args.profile_pages:
        args.profile_pages = args.pages
    if args.json or not args.compare:
        out = run(args)
        if args.json:
            print(json.dumps(out))
            return
        print(out.pop("profile", ""))
        print(json.dumps(out, indent=1))
        return
    rows = {"base": [], "this": []}
    for r in range(args.rounds):
        for name, tree in (("base", args.compare), ("this", str(HERE)))[:: 1 if r % 2 == 0 else -1]:
            cmd = [sys.executable, __file__, "--store", args.store, "--claims", str(args.claims),
                   "--pages", str(args.pages), "--seed", str(args.seed + r), "--json"]
            env = {**os.environ, "PYTHONPATH": tree}
            res = json.loads(subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, cwd=tree)
                             .stdout.strip().splitlines()[-1])
            rows[name].append(res)
            print(f"round {r} {name:4} page p50 {res['page_p50_ms']:6.2f} p95 {res['page_p95_ms']:6.2f} ms "
                  f"(CPU p50 {res['page_cpu_p50_ms']:6.2f} mean {res['page_cpu_mean_ms']:6.2f} ms), "
                  f"static p50 {res['static_p50_ms']:.2f} ms, load {res['load_before'][0]} → {res['load_after'][0]}")
    b = statistics.median(x["page_p50_ms"] for x in rows["base"])
    t = statistics.median(x["page_p50_ms"] for x in rows["this"])
    print(f"median of rounds: base {b:.2f} ms, this {t:.2f} ms a page: {b / t:.2f}× quicker")
    b = statistics.median(x["page_cpu_p50_ms"] for x in rows["base"])
    t = statistics.median(x["page_cpu_p50_ms"] for x in rows["this"])
    print(f"CPU, median of rounds: base {b:.2f} ms, this {t:.2f} ms a page: {b / t:.2f}× less")


if __name__ == "__main__":
    main()
