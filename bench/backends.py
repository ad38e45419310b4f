"""ClaimKB on its three backends, measured in one run: the embedded store (a
folder), an Oxigraph server and Virtuoso open source (both over the SPARQL
1.1 protocol, on loopback).

    python bench/backends.py --claims 100000 --writes 40 --pages 40 --json OUT.json

An embedded store is filled with ``bench/run.py``'s ``fill`` (generated
claims written without validation: setup, not measured) and exported as
N-Quads (the knowledge base's graphs with their history). Each server is
started by ``tests/servers.py``, initialised by ``open_kb`` (vocabulary and
settings) and bulk-loaded with the same N-Quads: Oxigraph through its Graph
Store Protocol (``POST /store``), Virtuoso through its bulk loader
(``ld_dir``/``rdf_loader_run`` over ``isql-vt``). The quad counts of the
knowledge base's graphs and the claim totals are checked to agree.

Then, in one process and alternating the backends (each round in a rotated
order, so that the machine's noise falls on all three alike): validated
writes (a claim with a dispute, as ``bench/run.py`` measures them), rejected
writes, claim pages and the list page through the Flask test client (server
time, no network), and first-time searches (a distinct query each time: nothing
kept from an earlier identical request). Prints a markdown table; ``--json``
writes every figure.

The rest of what ``bench/run.py`` measures of the embedded store, on each backend, printed as a
second table with each figure's ratio to the embedded store's:

- a validated bulk import (``kb.import_data``) of ``--import-claims`` generated claims (default as
  run.py's: n/5, 200 to 2,000), ids of each backend's and each run's own, one per backend: claims/s;
- the claim index's part of a first-time search (its page and facets, nothing kept), as run.py's;
- the SPARQL examples (``kb.queries.EXAMPLES``) through ``kb.query``, each on the three backends in
  turn: cold (the first run after a write, its text parsed anew) and warm (p50 of 3), each run
  stopped after ``--sparql-bound`` seconds (default run.py's) and then reported as a string saying
  so. On the embedded store ``kb.query`` runs in its query workers, on their in-memory replica
  (bench/sparql.py); on a server store it is sent to the server (the SPARQL protocol, the store's
  prefixes in front) on a connection of its own whose reads wait at most the bound: the client
  gives up, the server may not, so the Oxigraph server is started with ``--timeout-s`` (the bound
  or 120 s, the larger, plus 5) and Virtuoso stops a query at 120 s itself (MaxQueryExecutionTime,
  tests/servers.py: its answer may then be partial, which the rows compared across backends show);
- the story timeline and network of the entity most claims are about, first time (the dataset's
  and claim index's kept values dropped before each) and warm, and claim timelines (SVG) first/warm;
- the Turtle export: ``kb.export`` written from the store (seconds, MB), then ``/export.ttl`` twice
  (only an embedded store keeps the file: a server store's is written again each time; Virtuoso's
  Turtle has the same triples but is larger, its CONSTRUCT answer not grouped by subject);
  ``--no-export REASON`` leaves them out;
- cold start and RSS: after this process has closed its stores and before the servers stop, a fresh
  process (run.py's ``serving``) opens each backend (the embedded store's folder; a server's URL with
  the replica folder this run built, which it catches up from), times its first list page and reports
  its peak RSS (VmHWM) after ~20 claim pages and searches; for a server, its own RSS then too.

Each server store is opened with a claim index replica in a folder of its own
(``open_kb(index_dir=…)``, kb.replica), built from the server when opened
(timed as ``replica_build_s``); ``--no-replica`` measures a server store as it
was before, its list asked in SPARQL.

``--from FOLDER`` starts from a copy of an embedded store already filled (``bench/feed.py``'s or
``bench/bulk.py``'s, e.g. 100k claims) instead of filling one: its claims are counted, not assumed.

    python bench/backends.py --from /tmp/kb-feed-100k --writes 40 --pages 40 --json backends-100k.json

``--again`` measures once more the stores an earlier run left in ``--workdir`` (its embedded store,
N-Quads and servers' databases, earlier benchmark writes included): no fill, export or load; the
replicas are built anew (the servers listen on new ports). The writes get ids of their own.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (HERE, ROOT / "tests", ROOT):
    sys.path.insert(0, str(p))

import run  # noqa: E402
import sparql  # noqa: E402
from generate import generate  # noqa: E402
from run import fill, first_lists, p50, p95  # noqa: E402
from servers import OxigraphServer, VirtuosoServer, _oxigraph_binary  # noqa: E402

from app import create_app  # noqa: E402
from kb import InvalidData, KBError, open_kb  # noqa: E402
from kb.filters import parse as parse_filters  # noqa: E402
from kb.listing import listing  # noqa: E402
from kb.namespaces import KB  # noqa: E402
from kb.queries import EXAMPLES  # noqa: E402
from kb.sparql import _summary as parsed_queries  # noqa: E402

NAMES = ["embedded", "oxigraph", "virtuoso"]
LIST_BUDGET_S = 120.0  # per backend: a server store has no claim index, its list page asks the server


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def count_quads(kb) -> int:
    """Quads in the knowledge base's own graphs, as export gives them (no locks, no write counter)."""
    q = (f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
         f"FILTER(STRSTARTS(STR(?g), \"{kb.minter.base}\") && ?g != <{kb.locks_graph}> && ?p != <{KB.generation}>) }}")
    _, rows = kb.store.select(q, [])
    return int(rows[0]["n"])


def count_claims(kb, prefix: str = "") -> int:
    """Claims in the current graph (with ``prefix``: those whose id begins with it)."""
    only = f" FILTER(STRSTARTS(STR(?c), \"{kb.iri('claim', prefix)}\"))" if prefix else ""
    _, rows = kb.store.select(f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ GRAPH <{kb.current}> "
                              f"{{ ?c a <http://schema.org/Claim> }}{only} }}", [])
    return int(rows[0]["n"])


def load_oxigraph(server: OxigraphServer, nq: Path) -> None:
    req = urllib.request.Request(f"http://127.0.0.1:{server.port}/store", method="POST",
                                 headers={"Content-Type": "application/n-quads",
                                          "Content-Length": str(nq.stat().st_size)})
    with nq.open("rb") as f:
        req.data = f
        urllib.request.urlopen(req, timeout=3600).read()


def isql(server: VirtuosoServer, sql: str, timeout: float = 3600) -> str:
    out = subprocess.run(["isql-vt", f"127.0.0.1:{server.sql_port}", "dba", "dba", f"exec={sql}"],
                         capture_output=True, text=True, timeout=timeout)
    if out.returncode or "*** Error" in out.stdout + out.stderr:
        raise RuntimeError(f"isql-vt {sql!r}: {out.stdout[-2000:]} {out.stderr[-2000:]}")
    return out.stdout


def load_virtuoso(server: VirtuosoServer, nq: Path) -> None:
    # the file is in the server's folder, which is in its DirsAllowed
    isql(server, f"ld_dir('{nq.parent}', '{nq.name}', 'http://example.org/default'); "
                 f"rdf_loader_run(); checkpoint;")
    errors = isql(server, "SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;")
    if "0 Rows" not in errors:
        raise RuntimeError(f"Virtuoso's bulk loader reported errors: {errors[-2000:]}")


def server_header(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=10) as r:
            return r.headers.get("Server")
    except Exception as e:  # noqa: BLE001 - informative only
        return getattr(e, "headers", {}).get("Server") if hasattr(e, "headers") else None


def versions() -> dict:
    ox_v = subprocess.run([_oxigraph_binary(), "--version"], capture_output=True, text=True).stdout.strip()
    virt = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True)
    virt_v = " ".join((virt.stdout + virt.stderr).splitlines()[:2])
    import pyoxigraph
    return {"pyoxigraph": pyoxigraph.__version__, "oxigraph_server": ox_v, "virtuoso": virt_v}


def rotated(round_: int) -> list[str]:
    k = round_ % len(NAMES)
    return NAMES[k:] + NAMES[:k]


def vm(pid: int, field: str) -> int:
    """A process's VmRSS or VmHWM (its own peak), MB."""
    with open(f"/proc/{pid}/status") as f:
        return round(next(int(line.split()[1]) for line in f if line.startswith(field + ":")) / 1024)


def rounds(get, urls: list[str], before=None) -> dict:
    """Each url asked of the three backends in turn (rotated each round), ``before(name)`` first: ms by backend."""
    out = {k: [] for k in NAMES}
    for i, url in enumerate(urls):
        for name in rotated(i):
            if before:
                before(name)
            took, status, data = get(name, url)
            assert status == 200, (name, url, status, data[:300])
            out[name].append(took)
    return out


def more(args, kbs, get, clients, ids, tag, result) -> None:
    """The figures bench/run.py prints besides those above: the SPARQL examples, the pictures of the largest
    entity, the Turtle export (the validated import is measured after the writes, cold start and RSS last)."""
    bs = result["backends"]
    # the claim index's part of a first-time search (its page and facets, nothing kept: no claims read), as
    # run.py measures it; a server store's is its replica's (none without one)
    part = {k: [] for k in NAMES}
    for i, q in enumerate(q for qs in run.first_searches(result["generated_claims"]).values() for q in qs):
        for name in rotated(i):
            data = kbs[name].data
            if data.index is not None:
                f, chosen = parse_filters(data, {"q": q}), listing(data)
                data.index.forget()
                t = time.perf_counter()
                chosen.page(f, 20, 0), chosen.facets(f)
                part[name].append((time.perf_counter() - t) * 1000)
    for name in NAMES:
        bs[name]["search_first_index_p50_ms"] = p50(part[name]) if part[name] else "no claim index (--no-replica)"
    if hasattr(kbs["embedded"].store, "query_replica"):  # the query workers' replica loaded first, as run.py does
        result["setup"]["sparql_replica_wait"] = sparql.wait_replica(kbs["embedded"])
    for name in NAMES:
        bs[name]["sparql_cold_ms"], bs[name]["sparql_p50_ms"], bs[name]["sparql_rows"] = {}, {}, {}
    for j, ex in enumerate(EXAMPLES):  # each example on the three backends in turn, each right after a write
        for name in rotated(j):
            # each backend's cold run parses the text (rdflib's grammar, 20-200 ms), as the first run in a
            # process does (run.py's): not only the first backend's, which would pay it for the other two
            parsed_queries.cache_clear()
            r = sparql.example(kbs[name], ex, j, 3, timeout=args.sparql_bound, tag=tag, bounded=True)
            bs[name]["sparql_cold_ms"][ex], bs[name]["sparql_p50_ms"][ex] = r["cold_ms"], r["warm_ms"]
            bs[name]["sparql_rows"][ex] = None if r["rows"] is None else len(r["rows"])
    rows = {json.dumps(bs[k]["sparql_rows"], sort_keys=True) for k in NAMES}
    result["same_sparql_rows"] = len(rows) == 1
    if len(rows) > 1:
        log(f"WARNING: the SPARQL examples' rows differ: {rows}")
    log("SPARQL examples measured")

    def forget(name):  # nothing kept from an earlier request, as run.py measures a picture first time
        kbs[name].data.forget()
        if kbs[name].data.index is not None:  # (a server store without a replica keeps no index)
            kbs[name].data.index.forget()

    top = kbs["embedded"].list_claims(limit=1, facets=True)["facets"]["about"][0]
    result["largest_entity"] = {"id": top["value"], "claims": top["count"]}
    for pic, url, times in (("story_timeline", f"/timeline?about={top['value']}", 5),
                            ("network", f"/network?about={top['value']}", 3)):
        first, warm = rounds(get, [url] * 3, forget), rounds(get, [url] * times)
        for name in NAMES:
            bs[name][f"{pic}_first_p50_ms"], bs[name][f"{pic}_p50_ms"] = p50(first[name]), p50(warm[name])
    timelines = [f"/claims/{i}/timeline.svg" for i in ids[:10]]
    first, warm = rounds(get, timelines), rounds(get, timelines)
    for name in NAMES:
        bs[name]["claim_timeline_first_p50_ms"], bs[name]["claim_timeline_p50_ms"] = p50(first[name]), p50(warm[name])
    log("pictures measured")
    for name in rotated(2):
        if args.no_export:
            bs[name].update({k: f"not run: {args.no_export}" for k in
                             ("export_turtle_s", "export_turtle_first_s", "export_turtle_kept_s", "export_mb")})
        else:  # written from the store, then /export.ttl twice (only an embedded store keeps the file)
            try:
                run.export(kbs[name], clients[name], bs[name])
            except KBError as e:  # (Virtuoso 7.2 at 100k: FRVEC, a result past 1,000,000 rows): the figure says so
                log(f"{name}: the export failed: {e}")
                bs[name].update({k: f"failed: {str(e)[:300]}" for k in
                                 ("export_turtle_s", "export_turtle_first_s", "export_turtle_kept_s", "export_mb")})
    log("exports measured")


MORE = {"import_claims_per_s": "import", "search_first_index_p50_ms": "search index's part",
        "sparql_cold_sum_ms": "SPARQL cold", "sparql_warm_sum_ms": "SPARQL warm", "story_timeline_first_p50_ms": "story timeline", "network_first_p50_ms": "network",
        "claim_timeline_first_p50_ms": "claim timeline", "export_turtle_s": "export", "cold_start_s": "cold start",
        "rss_mb": "RSS"}


def ratios(result: dict) -> None:
    """The new figures' ratios to the embedded store's (sums of the SPARQL examples' times: when all ran)."""
    bs = result["backends"]
    for b in bs.values():
        for kind, key in (("cold", "sparql_cold_ms"), ("warm", "sparql_p50_ms")):
            ts = list(b[key].values())
            b[f"sparql_{kind}_sum_ms"] = round(sum(ts), 1) if all(isinstance(t, float) for t in ts) else \
                f"not every example ran: {sum(isinstance(t, str) for t in ts)} stopped"
    e = bs["embedded"]
    for b in bs.values():
        b["more_ratio_to_embedded"] = {k: round(b[k] / max(e[k], 0.01), 2) if all(
            isinstance(x[k], (int, float)) for x in (b, e)) else "—" for k in MORE}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--claims", type=int, default=2000)
    ap.add_argument("--writes", type=int, default=40)
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--json", help="write every figure to this file")
    ap.add_argument("--virtuoso-buffers", type=int, default=200_000, help="NumberOfBuffers (8 KB each)")
    ap.add_argument("--workdir", help="folder for the stores (default: a temporary one, removed afterwards)")
    ap.add_argument("--from", dest="source", help="copy this filled embedded store instead of filling one")
    ap.add_argument("--again", action="store_true", help="measure the stores an earlier run left in --workdir")
    ap.add_argument("--no-replica", action="store_true",
                    help="server stores without a claim index replica (their list asked in SPARQL)")
    ap.add_argument("--import-claims", type=int, help="claims per validated import (default: as bench/run.py)")
    ap.add_argument("--sparql-bound", type=float, default=run.SPARQL_BOUND_S,
                    help="seconds after which a run of a SPARQL example is stopped (and reported as such)")
    ap.add_argument("--no-export", metavar="REASON", help="leave the Turtle exports out, printing why")
    args = ap.parse_args()
    n = args.claims
    started = time.perf_counter()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="kb-backends-"))
    work.mkdir(parents=True, exist_ok=True)
    result: dict = {"claims": n, "writes": args.writes, "pages": args.pages, "command": " ".join(sys.argv),
                    "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}, "versions": versions(),
                    "setup": {}, "backends": {}, "sparql_bound_s": args.sparql_bound}
    setup = result["setup"]
    servers = []
    kbs: dict = {}
    try:
        # 1. fill the embedded store, export its dataset with history
        tag = f"-{int(time.time())}" if args.again else ""
        if args.again:
            kbs["embedded"] = open_kb(str(work / "embedded"))
            n = result["claims"] = count_claims(kbs["embedded"])
            setup["fill_embedded_s"] = "kept from an earlier run"
            log(f"the embedded store of {n:,} claims kept in {work}")
        elif args.source:
            t = time.perf_counter()
            subprocess.run(["cp", "-a", args.source, str(work / "embedded")], check=True)
            shutil.rmtree(work / "embedded" / "query-snapshots", ignore_errors=True)
            kbs["embedded"] = open_kb(str(work / "embedded"))
            n = result["claims"] = count_claims(kbs["embedded"])
            setup["fill_embedded_s"] = f"copied from {args.source} in {time.perf_counter() - t:.1f}"
            log(f"copied the embedded store of {n:,} claims from {args.source}")
        else:
            kbs["embedded"] = open_kb(str(work / "embedded"))
            setup["fill_embedded_s"] = round(fill(kbs["embedded"], n), 1)
            log(f"filled the embedded store with {n:,} claims in {setup['fill_embedded_s']} s")
        vfolder = work / "virtuoso"
        vfolder.mkdir(exist_ok=args.again)
        nq = vfolder / "kb.nq"
        t = time.perf_counter()
        if not args.again:
            with nq.open("wb") as f:
                kbs["embedded"].export(f, "nq")
        setup["export_nq_s"] = round(time.perf_counter() - t, 1)
        setup["export_nq_mb"] = round(nq.stat().st_size / 1e6, 1)
        with nq.open("rb") as f:
            setup["export_nq_quads"] = sum(1 for _ in f)
        log(f"exported {setup['export_nq_quads']:,} quads ({setup['export_nq_mb']} MB) in {setup['export_nq_s']} s")

        # 2. the servers, initialised by open_kb, then bulk-loaded
        t = time.perf_counter()
        # (a large database opens in minutes); a query the client gave up on (a SPARQL example past
        # --sparql-bound, a read past the store's 120 s) stopped by the server too, as Virtuoso's are
        # (MaxQueryExecutionTime): not left running on a 2-core machine while the others are measured
        bound = str(math.ceil(max(args.sparql_bound, 120)) + 5)
        ox_server = OxigraphServer(work / "oxigraph", "--timeout-s", bound, wait=600)
        servers.append(ox_server)
        if not args.again:
            open_kb(ox_server.url, update_endpoint=ox_server.update_url).close()
            load_oxigraph(ox_server, nq)
        setup["load_oxigraph_s"] = round(time.perf_counter() - t, 1)
        log(f"loaded the Oxigraph server in {setup['load_oxigraph_s']} s")
        t = time.perf_counter()
        v_server = VirtuosoServer(vfolder, buffers=args.virtuoso_buffers)
        servers.append(v_server)
        setup["virtuoso_buffers"] = args.virtuoso_buffers
        if not args.again:
            open_kb(v_server.url, update_endpoint=v_server.update_url).close()
            load_virtuoso(v_server, nq)
        setup["load_virtuoso_s"] = round(time.perf_counter() - t, 1)
        log(f"loaded Virtuoso in {setup['load_virtuoso_s']} s")
        result["versions"]["oxigraph_server_header"] = server_header(ox_server.url)
        result["versions"]["virtuoso_server_header"] = server_header(v_server.url)

        for name, srv in (("oxigraph", ox_server), ("virtuoso", v_server)):
            shutil.rmtree(work / f"replica-{name}", ignore_errors=True)  # built anew, timed
            t = time.perf_counter()
            kbs[name] = open_kb(srv.url, update_endpoint=srv.update_url,
                                index_dir=None if args.no_replica else work / f"replica-{name}")
            setup[f"replica_build_{name}_s"] = None if args.no_replica else round(time.perf_counter() - t, 1)
            log(f"opened {name}" + ("" if args.no_replica else
                                    f" with a claim index replica built in {setup[f'replica_build_{name}_s']} s"))
        for name in NAMES:
            b = result["backends"][name] = {}
            t = time.perf_counter()
            b["quads"] = count_quads(kbs[name])
            b["count_quads_s"] = round(time.perf_counter() - t, 2)
            t = time.perf_counter()
            b["claims_total"] = count_claims(kbs[name])
            b["count_claims_s"] = round(time.perf_counter() - t, 2)
            log(f"{name}: {b['quads']:,} quads, {b['claims_total']:,} claims")
        # the generated claims (claim-0…): an earlier run's writes and imports (--again) are not among them
        ng = n if not (args.again or args.source) else count_claims(kbs["embedded"], "claim-")
        result["generated_claims"] = ng
        # the list's own total, from the claim index (embedded; a server store's list asks the server: see /)
        result["backends"]["embedded"]["list_total"] = kbs["embedded"].list_claims(limit=1)["total"]
        quads = {result["backends"][k]["quads"] for k in NAMES} | {setup["export_nq_quads"]}
        totals = {result["backends"][k]["claims_total"] for k in NAMES} | {result["backends"]["embedded"]["list_total"]}
        result["same_quads"], result["same_claims"] = len(quads) == 1, totals == {n}
        if not (result["same_quads"] and result["same_claims"]):
            log(f"WARNING: the backends differ: quads {quads}, claims {totals}")

        # 3. measurements, alternating the backends
        ok = {k: [] for k in NAMES}
        bad = {k: [] for k in NAMES}
        for i in range(args.writes):
            for name in rotated(i):
                rec = {"id": f"bench-{name}-new-{i}{tag}", "text": {"en": f"New claim {i}", "ja": f"新しい主張{i}"},
                       "claimant": "org-1", "about": ["org-2", "topic-1"], "sources": ["source-0"],
                       "date": "2025-09-11",
                       "disputes": [{"party": "org-3", "stance": "denies", "text": {"en": "No"},
                                     "sources": ["source-1"]}]}
                t = time.perf_counter()
                kbs[name].add_claim(rec, by="bench")
                ok[name].append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                try:
                    kbs[name].add_claim({**rec, "id": f"bench-{name}-bad-{i}{tag}", "claimant": "nobody",
                                         "date": "2024-13-45"}, by="bench")
                    raise AssertionError(f"{name}: an invalid claim was accepted")
                except InvalidData:
                    bad[name].append((time.perf_counter() - t) * 1000)
        log("writes measured")
        # a validated bulk import into each store, as bench/run.py's (ids of each backend's and run's own)
        k = args.import_claims or min(2000, max(200, ng // 5))
        for name in rotated(1):  # (one round: not always the embedded store first)
            doc = generate(k, seed=2, claims_only=f"imported-{name}{tag}")
            t = time.perf_counter()
            kbs[name].import_data(doc, by="bench")
            result["backends"][name]["import_claims_per_s"] = round(k / (time.perf_counter() - t))
        log(f"imports of {k:,} claims measured")
        clients = {k: create_app({"TESTING": False, "LOAD_SEED": False, "SECRET_KEY": "bench"}, kb=kbs[k]).test_client()
                   for k in NAMES}
        html = {"Accept": "text/html"}
        rnd = random.Random(3)
        ids = [f"claim-{i}" for i in rnd.sample(range(1, ng), min(args.pages, ng - 1))]  # distinct: first time
        pages = {k: [] for k in NAMES}
        warm = {k: {} for k in NAMES}  # the same pages asked again, and a search asked again

        def get(name, url):
            t = time.perf_counter()
            r = clients[name].get(url, headers=html)
            return (time.perf_counter() - t) * 1000, r.status_code, r.data

        for name in NAMES:  # warm-up, not counted
            _, status, data = get(name, "/claims/claim-0")
            assert status == 200, (name, status, data[:300])
        for i, cid in enumerate(ids):
            for name in rotated(i):
                took, status, data = get(name, f"/claims/{cid}")
                assert status == 200, (name, cid, status, data[:300])
                pages[name].append(took)
        for i, cid in enumerate(ids):
            for name in rotated(i):
                warm[name].setdefault("claim_page", []).append(get(name, f"/claims/{cid}")[0])
        log("claim pages measured")
        for name in NAMES:  # each claim index's columns loaded (a process loads them in a thread after its first
            # list page): the first-time lists below measure lists, not which backend's load ended first
            t = time.perf_counter()
            kbs[name].data.index.wait() if kbs[name].data.index is not None else None
            setup[f"columns_wait_{name}_s"] = round(time.perf_counter() - t, 2)
        for i, url in enumerate(first_lists(ng, max(7, args.pages // 2))):  # filters or pages not asked before
            for name in rotated(i):
                if sum(warm[name].get("list_first", [])) > LIST_BUDGET_S * 1000:
                    continue
                took, status, _ = get(name, url)
                warm[name].setdefault("list_first" if status == 200 else "list_first_failed", []).append(took)
        log("first-time list pages measured")
        lists = {k: [] for k in NAMES}
        list_status = {k: [] for k in NAMES}
        spent = {k: 0.0 for k in NAMES}
        for i in range(max(3, args.pages // 4)):
            for name in rotated(i):
                if spent[name] > LIST_BUDGET_S * 1000 and lists[name]:
                    continue
                took, status, _ = get(name, "/")
                spent[name] += took
                lists[name].append(took)
                list_status[name].append(status)
        log("list pages measured")
        searches = {k: [] for k in NAMES}
        search_status = {k: [] for k in NAMES}
        rnd_q = random.Random(5)
        asked = []
        for i in range(max(3, args.pages // 2)):
            for name in rotated(i):  # each backend its own query, never asked before: first-time searches
                q = f"報道{rnd_q.randrange(ng)}" if i % 2 else f"report {rnd_q.randrange(ng)}"
                took, status, _ = get(name, "/?" + urllib.parse.urlencode({"q": q}))
                asked.append((name, q))
                searches[name].append(took)
                search_status[name].append(status)
        for name, q in asked:  # the same searches again: warm
            warm[name].setdefault("search", []).append(get(name, "/?" + urllib.parse.urlencode({"q": q}))[0])
        log("first-time searches measured, then the same again")
        more(args, kbs, get, clients, ids, tag, result)
        e = result["backends"]["embedded"]
        for name in NAMES:
            b = result["backends"][name]
            b.update(write_p50_ms=p50(ok[name]), write_p95_ms=p95(ok[name]), reject_p50_ms=p50(bad[name]),
                     reject_p95_ms=p95(bad[name]), claim_page_p50_ms=p50(pages[name]),
                     claim_page_p95_ms=p95(pages[name]), list_page_p50_ms=p50(lists[name]),
                     list_page_samples=len(lists[name]), list_page_statuses=sorted(set(list_status[name])),
                     search_p50_ms=p50(searches[name]), search_p95_ms=p95(searches[name]),
                     search_statuses=sorted(set(search_status[name])), replica=name == "embedded" or not args.no_replica,
                     claim_page_warm_p50_ms=p50(warm[name]["claim_page"]),
                     list_page_first_p50_ms=p50(warm[name]["list_first"]) if warm[name].get("list_first") else None,
                     list_page_first_failed=len(warm[name].get("list_first_failed", [])),
                     search_warm_p50_ms=p50(warm[name]["search"]))
        for name in NAMES:
            b = result["backends"][name]
            b["ratio_to_embedded"] = {k: round(b[k] / max(e[k], 0.01), 1) for k in
                                      ("write_p50_ms", "write_p95_ms", "reject_p50_ms", "claim_page_p50_ms",
                                       "claim_page_p95_ms", "list_page_p50_ms", "search_p50_ms")}
        for k in NAMES:
            kbs[k].close()
        kbs.clear()
        clients = get = None  # noqa: F841 - the apps' last references to the stores
        gc.collect()  # the embedded store's lock released before another process opens its folder
        # 4. a fresh process per backend, the servers still up: cold start and the serving process's memory
        for name, srv in (("embedded", None), ("oxigraph", ox_server), ("virtuoso", v_server)):
            b = result["backends"][name]
            if srv is None:
                b.update(run.serving(work / "embedded", ids[:20]))
            else:
                b.update(run.serving(srv.url, ids[:20], update_endpoint=srv.update_url,
                                     index_dir=None if args.no_replica else str(work / f"replica-{name}")))
                b["server_rss_mb"] = vm(srv.proc.pid, "VmRSS")
            log(f"{name}: cold start {b['cold_start_s']} s, RSS {b['rss_mb']} MB")
        ratios(result)
    finally:
        for k in list(kbs):
            try:
                kbs[k].close()
            except Exception:  # noqa: BLE001 - cleaning up after a failure
                pass
        for s in servers:
            s.stop()
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    print(table(result))
    print()
    print(table_more(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False))


def table(r: dict) -> str:
    s = r["setup"]
    lines = [f"{r['claims']:,} claims; {s['export_nq_quads']:,} quads ({s['export_nq_mb']} MB N-Quads); "
             f"fill {s['fill_embedded_s']} s, load Oxigraph {s['load_oxigraph_s']} s, Virtuoso {s['load_virtuoso_s']} s; "
             f"same quads {r['same_quads']}, same claims {r['same_claims']}; wall {r['wall_s']} s; "
             + ("server stores without a replica (list in SPARQL)" if s.get("replica_build_oxigraph_s") is None else
                f"claim index replicas built in {s['replica_build_oxigraph_s']} s (Oxigraph), "
                f"{s['replica_build_virtuoso_s']} s (Virtuoso)"), "",
             "| backend | validated write p50 / p95 ms | rejected write p50 / p95 ms | claim page p50 / p95 ms (warm p50) | "
             "list page p50 ms: first time / warm (samples) | first-time search p50 / p95 ms (warm p50) | "
             "× embedded: write p50 / claim page p50 / list p50 / search p50 |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name in NAMES:
        b = r["backends"][name]
        x = b["ratio_to_embedded"]
        lines.append(f"| {name} | {b['write_p50_ms']} / {b['write_p95_ms']} | {b['reject_p50_ms']} / {b['reject_p95_ms']} | "
                     f"{b['claim_page_p50_ms']} / {b['claim_page_p95_ms']} ({b['claim_page_warm_p50_ms']}) | "
                     f"{b['list_page_first_p50_ms']} / {b['list_page_p50_ms']} "
                     f"({b['list_page_samples']}{'' if b['list_page_statuses'] == [200] else ', HTTP ' + '/'.join(map(str, b['list_page_statuses']))}) | "
                     f"{b['search_p50_ms']} / {b['search_p95_ms']} ({b['search_warm_p50_ms']}) | {x['write_p50_ms']}× / {x['claim_page_p50_ms']}× / "
                     f"{x['list_page_p50_ms']}× / {x['search_p50_ms']}× |")
    return "\n".join(lines)



def table_more(r: dict) -> str:
    """The second table: bench/run.py's other figures, first time / warm, and their ratio to the embedded store's."""
    top = r["largest_entity"]
    lines = [f"Pictures of the largest entity ({top['id']}, {top['claims']:,} claims); SPARQL examples (cold: the first "
             f"run after a write; warm: p50 of 3), {len(EXAMPLES)} summed (slowest warm), each run bounded by "
             f"{r['sparql_bound_s']} s; same rows on every backend {r['same_sparql_rows']}.", "",
             "| backend | import claims/s | search p50 ms, index's part, first time | SPARQL ms: cold / warm sum (slowest) | story timeline p50 ms: first / warm | "
             "network p50 ms: first / warm | claim timeline p50 ms: first / warm | export Turtle s: written / "
             "first / kept (MB) | cold start s | RSS MB (server's) | × embedded: " + " / ".join(MORE.values()) + " |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name in NAMES:
        b = r["backends"][name]
        slow = max(b["sparql_p50_ms"].items(), key=lambda kv: kv[1] if isinstance(kv[1], float) else float("inf"))
        exported = b["export_turtle_s"] if isinstance(b["export_turtle_s"], str) else             f"{b['export_turtle_s']} / {b['export_turtle_first_s']} / {b['export_turtle_kept_s']} ({b['export_mb']})"
        x = b["more_ratio_to_embedded"]
        server = f" ({b['server_rss_mb']})" if "server_rss_mb" in b else ""
        lines.append(f"| {name} | {b['import_claims_per_s']:,} | {b['search_first_index_p50_ms']} | {b['sparql_cold_sum_ms']} / {b['sparql_warm_sum_ms']} "
                     f"({slow[0]} {slow[1]}) | {b['story_timeline_first_p50_ms']} / {b['story_timeline_p50_ms']} | "
                     f"{b['network_first_p50_ms']} / {b['network_p50_ms']} | "
                     f"{b['claim_timeline_first_p50_ms']} / {b['claim_timeline_p50_ms']} | {exported} | "
                     f"{b['cold_start_s']} | {b['rss_mb']}{server} | "
                     + " / ".join(f"{v}×" if not isinstance(v, str) else v for v in x.values()) + " |")
    for name in NAMES:
        b = r["backends"][name]
        lines += ["", f"SPARQL examples on {name}, ms, cold / warm p50 (rows): " + ", ".join(
            f"{k} {b['sparql_cold_ms'][k]} / {v} ({b['sparql_rows'][k]})" for k, v in b["sparql_p50_ms"].items())]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
