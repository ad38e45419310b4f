"""ClaimKB benchmark suite: writes, imports, pages, search, SPARQL, export,
memory and cold start, at several store sizes, with an rdflib + pyshacl
baseline measured in the same run.

    python bench/run.py --claims 1000,10000,100000 --json bench-results.json

The store is filled from ``bench/generate.py`` documents written through the
library's own write path with SHACL validation switched off (filling is not
what is measured; the validated bulk import is measured separately, into the
filled store), or with ``--fill bulk`` by loading the N-Quads that write path
would have stored (``bench/bulk.py``: minutes at 1,000,000 claims, not hours):

    python bench/run.py --claims 1000000 --fill bulk --store /tmp/bench-1m/store --baseline ""

Pages and searches are measured first time (distinct claims, filters, pages
and search strings: nothing kept from an earlier identical request) and warm
(asked again). Prints a markdown table; ``--json`` writes every figure.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import sparql  # noqa: E402
from generate import SUBJECTS_EN, SUBJECTS_JA, generate  # noqa: E402

from app import create_app  # noqa: E402
from kb import InvalidData, open_kb  # noqa: E402
from kb.filters import parse as parse_filters  # noqa: E402
from kb.listing import listing  # noqa: E402
from kb.queries import EXAMPLES  # noqa: E402

FIELDS = ["claims", "fill_s", "write_p50_ms", "write_p95_ms", "reject_p50_ms", "import_claims_per_s", "claim_page_p50_ms",
          "claim_page_first_p50_ms", "list_page_first_p50_ms", "story_timeline_first_p50_ms", "network_first_p50_ms",
          "claim_timeline_first_p50_ms", "list_page_p50_ms", "search_p50_ms", "search_first_p50_ms", "search_first_index_p50_ms", "sparql_p50_ms", "export_turtle_s", "export_turtle_first_s", "export_turtle_kept_s", "rss_mb", "cold_start_s",
          "story_timeline_p50_ms", "network_p50_ms", "claim_timeline_p50_ms"]
FILL_CHUNK = 5000
PARITY_MAX = 10_000  # above this, asking the store itself (no index) takes minutes per query: --parity-max
SPARQL_MAX = 100_000  # above this, each example runs once, bounded by SPARQL_BOUND_S: --sparql-max
SPARQL_BOUND_S = 120.0  # --sparql-bound
NO_EXPORT = ""  # why the exports are not measured (--no-export REASON)


def ms(f, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p50(xs):
    return round(statistics.median(xs), 1)


def p95(xs):
    xs = sorted(xs)
    return round(xs[max(0, int(len(xs) * 0.95) - 1)], 1)


def first_searches(n: int) -> dict[str, list[str]]:
    """Searches as analysts type them, each different (so nothing is kept from an earlier identical
    one), by kind: names, words of the claims in English and Japanese (full-width, half-width and
    hyphenated spellings too), numbered reports and people, words apart."""
    rnd = random.Random(17)
    people = max(20, n // 50) - max(20, n // 50) // 2
    units = max(20, n // 50) // 2

    def some(k, top):
        return rnd.sample(range(top), k)

    return {
        "names en": SUBJECTS_EN[:5],
        "names ja": SUBJECTS_JA[5:],
        "phrases en": ["data centre deal", "own AI chips", "ＥＸＣＬＵＳＩＶＥ cloud", "frontier-model team",
                       "for profit restructuring"],
        "phrases ja": ["データセンター契約", "ＡＩチップ", "クラウド契約", "再交渉", "ﾓﾃﾞﾙ"],
        "reports en": [f"report {i}" for i in some(5, n)],
        "reports ja": [f"報道{i}" for i in some(5, n)],
        "people and units": [f"Analyst Person {i}" for i in some(2, people)] + [f"人物{i}" for i in some(2, people)] +
                            [f"unit {i}" for i in some(1, units)],
        "words apart": [f"denies {i}" for i in some(2, n)] + ["Oracle partnership", "グーグル 契約", "Nvidia chips"],
    }


def first_lists(n: int, k: int) -> list[str]:
    """``k`` list pages (with their facets), each with filters or a page no other has: the list as
    analysts narrow it, nothing kept from an earlier identical request (pages, counts and facets
    are kept by filters until the next write)."""
    rnd = random.Random(29)
    orgs, people, topics = max(20, n // 50) // 2, max(20, n // 50) - max(20, n // 50) // 2, max(10, n // 200)
    statuses = ["reported", "confirmed", "disputed", "retracted"]
    kinds = [lambda: {"page": rnd.randrange(2, max(3, n // 20))},
             lambda: {"about": f"org-{rnd.randrange(orgs)}"},
             lambda: {"about": f"org-{rnd.randrange(orgs)}", "status": rnd.choice(statuses)},
             lambda: {"claimant": f"person-{rnd.randrange(people)}"},
             lambda: {"about": f"topic-{rnd.randrange(topics)}", "language": rnd.choice(["ja", "en"])},
             lambda: {"date": f"{2023 + rnd.randrange(3)}-{1 + rnd.randrange(12):02d}", "status": rnd.choice(statuses)},
             lambda: {"party": f"org-{rnd.randrange(orgs)}", "page": 2}]
    out: list[str] = []
    while len(out) < k:
        url = "/?" + urlencode(kinds[len(out) % len(kinds)]())
        if url not in out:
            out.append(url)
    return out


def fill(kb, n: int, chunk: int = FILL_CHUNK) -> float:
    """Write a generated document of n claims without validation (setup, not measured), one write of
    its agents, topics and sources, then one per ``chunk`` claims (bench/bulk.py makes the same quads)."""
    from kb.model import build_records
    from kb.writes import commit

    doc = generate(n)
    t = time.perf_counter()
    first = {k: doc[k] for k in ("agents", "topics", "sources")}
    recs, problems = build_records(first, kb.minter, kb.data.known_kind)
    assert not problems, problems[:3]
    commit(kb.data, recs, "bench", validated=False)
    claims = doc["claims"]
    for i in range(0, len(claims), chunk):
        recs, problems = build_records({"claims": claims[i:i + chunk]}, kb.minter, kb.data.known_kind)
        assert not problems, problems[:3]
        commit(kb.data, recs, "bench", validated=False)
    return time.perf_counter() - t


def measure(n: int, folder: Path, writes: int, pages: int, how: str = "write") -> dict:
    """Every figure at ``n`` claims, in the store ``folder``: filled first (``how``: "write", through
    the library's write path; "bulk", by bench/bulk.py) unless it exists ("kept": filled before)."""
    row = {"claims": n, "fill": how if not folder.exists() else "kept", "load_before": os.getloadavg()}
    if row["fill"] == "bulk":
        from bulk import bulk_fill  # noqa: PLC0415

        row["bulk_fill"] = bulk_fill(folder, n)
        row["fill_s"] = round(sum(v for k, v in row["bulk_fill"].items() if k.endswith("_s")), 1)
    kb = open_kb(str(folder))
    if row["fill"] == "write":
        row["fill_s"] = round(fill(kb, n), 1)
    elif row["fill"] == "kept":
        row["fill_s"] = "—"  # filled before this run
    # validated writes: a claim with a dispute; rejected writes
    ok, bad = [], []
    for i in range(writes):
        rec = {"id": f"bench-new-{i}", "text": {"en": f"New claim {i}", "ja": f"新しい主張{i}"},
               "claimant": "org-1", "about": ["org-2", "topic-1"], "sources": ["source-0"], "date": "2025-09-11",
               "disputes": [{"party": "org-3", "stance": "denies", "text": {"en": "No"}, "sources": ["source-1"]}]}
        t = time.perf_counter()
        kb.add_claim(rec, by="bench")
        ok.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        try:
            kb.add_claim({**rec, "id": f"bench-bad-{i}", "claimant": "nobody", "date": "2024-13-45"}, by="bench")
            raise AssertionError("an invalid claim was accepted")
        except InvalidData:
            bad.append((time.perf_counter() - t) * 1000)
    row.update(write_p50_ms=p50(ok), write_p95_ms=p95(ok), reject_p50_ms=p50(bad))
    # validated bulk import into the filled store
    imp = generate(min(2000, max(200, n // 5)), seed=2, claims_only="imported")
    t = time.perf_counter()
    kb.import_data(imp, by="bench")
    row["import_claims_per_s"] = round(len(imp["claims"]) / (time.perf_counter() - t))
    # pages, through the app (server time, no network)
    app = create_app({"TESTING": False, "LOAD_SEED": False, "SECRET_KEY": "bench"}, kb=kb)
    client = app.test_client()
    kb.data.index.wait()  # the claim index's columns, loaded once per process (in a thread): a serving process's state
    rnd = random.Random(3)
    ids = [f"claim-{i}" for i in rnd.sample(range(1, n), min(pages, n - 1))]  # distinct claims
    html = {"Accept": "text/html"}

    def get(url):
        r = client.get(url, headers=html)
        assert r.status_code == 200, (url, r.status_code, r.data[:300])

    get("/claims/claim-0")  # the process's first page (templates compiled): not counted
    # first time: each claim's page once, never asked before; then the same pages again (warm)
    row["claim_page_first_p50_ms"] = p50([ms(lambda u=f"/claims/{i}": get(u), 1)[0] for i in ids])
    row["claim_page_p50_ms"] = p50([ms(lambda u=f"/claims/{i}": get(u), 1)[0] for i in ids])
    # the list page with its facets: first-time (filters or a page not asked before), then "/" again and again
    lists = first_lists(n, max(7, pages // 2))
    row["list_page_first_ms_by_url"] = {u: round(ms(lambda u=u: get(u), 1)[0], 1) for u in lists}
    row["list_page_first_p50_ms"] = p50(list(row["list_page_first_ms_by_url"].values()))
    row["list_page_first_p95_ms"] = p95(list(row["list_page_first_ms_by_url"].values()))
    row["list_page_p50_ms"] = p50(ms(lambda: get("/"), max(3, pages // 4)))
    # first-time searches: each query once, none asked before (the index keeps a search's claims,
    # pages and facets until the next write), through the list page; then the claim index's part of
    # the same search with nothing kept (kb.listing's page and facets: no claims read); and, for
    # comparison, list pages showing claims not read before (as a search's are)
    kb.data.index.wait()
    first, index_part = {}, {}
    for kind, qs in first_searches(n).items():
        first[kind], index_part[kind] = {}, {}
        for q in qs:
            first[kind][q] = ms(lambda q=q: get(f"/?{urlencode({'q': q})}"), 1)[0]
            parsed, chosen = parse_filters(kb.data, {"q": q}), listing(kb.data)
            kb.data.index.forget()
            index_part[kind][q] = ms(lambda f=parsed, c=chosen: (c.page(f, 20, 0), c.facets(f)), 1)[0]
    every = [t for by in first.values() for t in by.values()]
    row.update(search_first_p50_ms=p50(every), search_first_p95_ms=p95(every), search_first_max_ms=round(max(every), 1),
               search_first_index_p50_ms=p50([t for by in index_part.values() for t in by.values()]),
               search_first_p50_ms_by_kind={kind: p50(list(by.values())) for kind, by in first.items()},
               search_first_index_p50_ms_by_kind={kind: p50(list(by.values())) for kind, by in index_part.items()},
               search_first_ms_by_query={q: round(t, 1) for by in first.values() for q, t in by.items()})
    unread = random.Random(23).sample(range(2, max(3, n // 20)), min(20, max(1, n // 20 - 2)))
    row["list_unread_p50_ms"] = p50([ms(lambda p=p: get(f"/?page={p}"), 1)[0] for p in unread])
    searches = ["データセンター契約", "AIチップ", "data-centre deal", "own AI chips"]
    row["search_p50_ms"] = p50([t for q in searches for t in ms(lambda q=q: get(f"/?q={q}"), max(2, pages // 8))])
    row["search_p50_ms_by_query"] = {q: p50(ms(lambda q=q: get(f"/?q={q}"), 3)) for q in searches}
    if n <= SPARQL_MAX:
        # the examples as users run them (kb.query: the query workers and their in-memory replica, see
        # bench/sparql.py): warm p50, and cold, the first run after a write
        row["sparql_replica_wait"] = sparql.wait_replica(kb)
        examples = sparql.examples(kb, 3)
        row["sparql_p50_ms"] = {name: r["warm_ms"] for name, r in examples.items()}
        row["sparql_cold_ms"] = {name: r["cold_ms"] for name, r in examples.items()}
    else:
        row["sparql_p50_ms"] = sparql_once(kb)
        row["sparql_cold_ms"] = dict(row["sparql_p50_ms"])
    row["sparql_replica"] = kb.store.query_replica()
    # the index gives the store's own answers at this size too
    checks = [{}, {"status": "disputed"}, {"q": "データセンター契約"}, {"about": "org-1", "date": "2024-03"},
              {"q": "Oracle 報道"}, {"q": "Analyst Person 1"}]
    row["index_matches_store"] = (f"not run: above --parity-max {PARITY_MAX:,} claims, the store's own answer to one "
                                  "list takes minutes (measured at 100,000)") if n > PARITY_MAX else all(
        [c["id"] for c in kb.list_claims(**f, limit=50)["claims"]] ==
        [c["id"] for c in kb.list_claims(**f, limit=50, use_index=False)["claims"]]
        and kb.list_claims(**f, facets=True)["facets"] == kb.list_claims(**f, facets=True, use_index=False)["facets"]
        for f in checks)
    # pictures of the entity most claims are about
    top = kb.list_claims(limit=1, facets=True)["facets"]["about"][0]
    row["largest_entity"] = {"id": top["value"], "claims": top["count"]}
    # the pictures of the largest entity with nothing kept from an earlier request (kept values dropped
    # before each), then warm; the claim timeline first time for each claim, then again
    for name, url, times in (("story_timeline", f"/timeline?about={top['value']}", 5),
                             ("network", f"/network?about={top['value']}", 3)):
        first = []
        for _ in range(3):
            kb.data.forget()
            kb.data.index.forget()
            first.append(ms(lambda u=url: get(u), 1)[0])
        row[f"{name}_first_p50_ms"] = p50(first)
        row[f"{name}_p50_ms"] = p50(ms(lambda u=url: get(u), times))
    timelines = [f"/claims/{i}/timeline.svg" for i in ids[:10]]
    row["claim_timeline_first_p50_ms"] = p50([ms(lambda u=u: get(u), 1)[0] for u in timelines])
    row["claim_timeline_p50_ms"] = p50([ms(lambda u=u: get(u), 1)[0] for u in timelines])
    # export: written from the store (as every request did before exports were kept: the baseline), then as
    # /export.ttl serves it: the first request after the writes above writes the kept file, the next reads it
    if NO_EXPORT:
        for name in ("export_turtle_s", "export_turtle_first_s", "export_turtle_kept_s", "export_mb"):
            row[name] = NO_EXPORT
    else:
        export(kb, client, row)
    kb.close()
    kb = app = client = None  # noqa: F841 - drop the last references
    gc.collect()  # release the store's lock before another process opens it
    # a fresh process: cold start to the first page, and the serving process's memory
    row.update(serving(folder, ids[:20]))
    return row


def export(kb, client, row: dict) -> None:
    with tempfile.TemporaryFile() as f:
        t = time.perf_counter()
        kb.export(f, "turtle")
        row["export_turtle_s"] = round(time.perf_counter() - t, 2)
        row["export_mb"] = round(f.tell() / 1e6, 1)
    for name in ("export_turtle_first_s", "export_turtle_kept_s"):
        t = time.perf_counter()
        r = client.get("/export.ttl")
        size = sum(len(chunk) for chunk in r.response)  # read it all, as a client would
        r.close()
        row[name] = round(time.perf_counter() - t, 2)
        assert r.status_code == 200 and size == int(r.headers["Content-Length"]), r.status_code


def sparql_once(kb) -> dict:
    """Each example once, in a query worker stopped after SPARQL_BOUND_S (at 100,000 claims they took
    2-19 s each, three times each): its time in ms, or why there is none."""
    out = {}
    for name, q in EXAMPLES.items():
        t = time.perf_counter()
        try:
            kb.query(q, timeout=SPARQL_BOUND_S)
            out[name] = round((time.perf_counter() - t) * 1000, 1)
        except Exception as e:  # noqa: BLE001 - the time limit, reported as the figure
            out[name] = f"not run to the end: stopped after {time.perf_counter() - t:.0f} s ({type(e).__name__})"
    return out


SERVE = r"""
import json, sys, time
t0 = time.perf_counter()
from app import create_app
from kb import open_kb
app = create_app({"LOAD_SEED": False, "SECRET_KEY": "bench"}, kb=open_kb(**json.loads(sys.argv[1])))
c = app.test_client()
r = c.get("/", headers={"Accept": "text/html"})
cold = time.perf_counter() - t0
assert r.status_code == 200
for cid in sys.argv[2:]:
    c.get("/claims/" + cid, headers={"Accept": "text/html"})
    c.get("/?q=" + cid, headers={"Accept": "text/html"})
# VmHWM: this process's own peak (ru_maxrss would include the parent's, inherited across fork and exec)
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"cold_start_s": round(cold, 2), "rss_mb": round(hwm / 1024)}))
"""


def serving(folder, ids: list[str], **open_args) -> dict:
    """A fresh process opening the store (``open_kb(folder, **open_args)``: a folder, or a server's URL with
    its ``update_endpoint`` and ``index_dir``): seconds to its first list page, and its peak RSS."""
    # bytecode read (and written the first time), as an installed copy has it: with PYTHONDONTWRITEBYTECODE
    # every start compiles every module from source (~0.5 s more here)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", "import app"], cwd=HERE.parent, env=env, check=True, timeout=600)
    out = subprocess.run([sys.executable, "-c", SERVE, json.dumps({"store": str(folder), **open_args}), *ids],
                         capture_output=True, text=True, cwd=HERE.parent, timeout=600, env=env)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def baseline(n: int) -> dict:
    """rdflib's in-memory graph, whole-graph pyshacl, rdflib's SPARQL engine, on the same data."""
    import pyshacl
    from rdflib import Graph

    from kb.validation import load_shapes

    with tempfile.TemporaryDirectory() as d:
        kb = open_kb(d)
        fill(kb, n)
        buf = io.BytesIO()
        kb.export(buf, "nt")
        vocab = io.BytesIO()
        kb.store.dump(vocab, "nt", "https://w3id.org/claimkb/ns")
        kb.close()
    g = Graph()
    t = time.perf_counter()
    g.parse(data=buf.getvalue(), format="nt")
    g.parse(data=vocab.getvalue(), format="nt")
    out = {"claims": n, "parse_s": round(time.perf_counter() - t, 2), "triples": len(g)}
    t = time.perf_counter()
    conforms, _, _ = pyshacl.validate(g, shacl_graph=load_shapes(), advanced=False)
    out["validate_whole_graph_s"] = round(time.perf_counter() - t, 2)
    out["conforms"] = bool(conforms)
    from kb.namespaces import PREFIXES
    out["sparql_ms"] = {name: p50(ms(lambda q=q: list(g.query(q, initNs=PREFIXES)), 1)) for name, q in EXAMPLES.items()}
    return out


def table(rows: list[dict], base: list[dict]) -> str:
    lines = ["Pages and searches: first time (nothing kept from an earlier identical request) / warm (asked again).", "",
             "| claims | fill s | write p50 / p95 ms | reject p50 ms | import claims/s | claim page p50 ms | "
             "list page with facets p50 ms | search p50 ms (index's part, first time) | "
             "SPARQL examples p50 ms (slowest) | export Turtle s: written / first after writes / kept | RSS MB | cold start s | "
             "story timeline / network of the largest entity p50 ms | claim timeline p50 ms |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        slow = max(r["sparql_p50_ms"].items(), key=lambda kv: kv[1] if isinstance(kv[1], float) else float("inf"))
        exported = r["export_turtle_s"] if isinstance(r["export_turtle_s"], str) else \
            f"{r['export_turtle_s']} / {r['export_turtle_first_s']} / {r['export_turtle_kept_s']}"
        lines.append(f"| {r['claims']:,} | {r['fill_s']} ({r['fill']}) | {r['write_p50_ms']} / {r['write_p95_ms']} | "
                     f"{r['reject_p50_ms']} | {r['import_claims_per_s']:,} | "
                     f"{r['claim_page_first_p50_ms']} / {r['claim_page_p50_ms']} | "
                     f"{r['list_page_first_p50_ms']} / {r['list_page_p50_ms']} | "
                     f"{r['search_first_p50_ms']} ({r['search_first_index_p50_ms']}) / {r['search_p50_ms']} | "
                     f"{slow[1]} ({slow[0]}) | {exported} | {r['rss_mb']} | "
                     f"{r['cold_start_s']} | {r['story_timeline_first_p50_ms']} / {r['story_timeline_p50_ms']}; "
                     f"{r['network_first_p50_ms']} / {r['network_p50_ms']} | "
                     f"{r['claim_timeline_first_p50_ms']} / {r['claim_timeline_p50_ms']} |")
    for r in rows:
        lines += ["", f"SPARQL examples at {r['claims']:,} claims, ms, cold (first after a write) / warm p50: " + ", ".join(
            f"{k} {r['sparql_cold_ms'][k]} / {v}" for k, v in r["sparql_p50_ms"].items())]
    if base:
        lines += ["", "Baseline (rdflib in-memory graph, whole-graph pyshacl, rdflib SPARQL), same run:", "",
                  "| claims | triples | parse s | whole-graph validation s | SPARQL examples ms | ClaimKB speed-up per example |",
                  "|---:|---:|---:|---:|---|---|"]
        for b in base:
            ours = next((r for r in rows if r["claims"] == b["claims"]), None)
            ex = ", ".join(f"{k} {v}" for k, v in b["sparql_ms"].items())
            ratio = ", ".join(f"{k} {b['sparql_ms'][k] / max(ours['sparql_p50_ms'][k], 0.01):.0f}×"
                              for k in b["sparql_ms"]) if ours else "—"
            lines.append(f"| {b['claims']:,} | {b['triples']:,} | {b['parse_s']} | {b['validate_whole_graph_s']} | {ex} | {ratio} |")
    return "\n".join(lines)


def main():
    global PARITY_MAX, SPARQL_MAX, SPARQL_BOUND_S, NO_EXPORT
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--claims", default="1000,10000")
    ap.add_argument("--baseline", default="1000,10000", help="sizes for the rdflib + pyshacl baseline ('' for none)")
    ap.add_argument("--writes", type=int, default=40)
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--json", help="write every figure to this file")
    ap.add_argument("--fill", choices=["write", "bulk"], default="write",
                    help="fill each store through the library's write path, or by bench/bulk.py (N-Quads, bulk-loaded)")
    ap.add_argument("--store", type=Path, help="the store folder (one size only): filled when it does not exist, "
                    "else measured as it is (earlier benchmark writes included); kept after the run")
    ap.add_argument("--sparql-max", type=int, default=SPARQL_MAX,
                    help="above this size each SPARQL example runs once, stopped after --sparql-bound seconds")
    ap.add_argument("--sparql-bound", type=float, default=SPARQL_BOUND_S)
    ap.add_argument("--no-export", metavar="REASON", help="leave the Turtle exports out, printing why")
    ap.add_argument("--parity-max", type=int, default=10_000,
                    help="largest size at which the index is checked against the store's own answers")
    args = ap.parse_args()
    PARITY_MAX, SPARQL_MAX, SPARQL_BOUND_S = args.parity_max, args.sparql_max, args.sparql_bound
    NO_EXPORT = f"not run: {args.no_export}" if args.no_export else ""
    sizes = [int(x) for x in args.claims.split(",") if x]
    if args.store and len(sizes) != 1:
        raise SystemExit("--store takes one size (--claims N)")
    rows, base = [], []
    for n in sizes:
        with tempfile.TemporaryDirectory(dir=args.store.parent if args.store else None) as d:
            t = time.perf_counter()
            rows.append(measure(n, args.store or Path(d) / "store", args.writes, args.pages, args.fill))
            print(f"measured {n:,} claims in {time.perf_counter() - t:.0f} s: {json.dumps(rows[-1], ensure_ascii=False)}",
                  file=sys.stderr, flush=True)
    for n in [int(x) for x in args.baseline.split(",") if x]:
        base.append(baseline(n))
        print(f"baseline at {n:,} claims done", file=sys.stderr, flush=True)
    print(table(rows, base))
    result = {"sizes": rows, "baseline": base, "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                                                         "load_at_end": os.getloadavg()},
              "peak_rss_mb_this_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    missing = [f for r in rows for f in FIELDS if f not in r]
    if missing:
        raise SystemExit(f"missing fields: {missing}")


if __name__ == "__main__":
    main()
