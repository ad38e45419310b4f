"""Claim pages under load (issue 16 §8): ``kb serve`` on loopback, driven by ``wrk``
(Debian's ``wrk``, scripts/system-packages) at 32 connections over many distinct claim pages.

    python bench/load.py --claims 10000 --from /tmp/kb-feed-10k --modes embedded,oxigraph

The store is copied from ``--from`` (never written there) or filled with ``bench/run.py``'s fill.
Each mode starts its own server and measures, each for ``--duration`` seconds:

- ``baseline``: ``/static/style.css`` from the same server: what the server itself (waitress or
  gunicorn, Flask's routing and hooks) costs per request on this machine;
- ``first``: claim pages never asked before, each once (a permutation of the first half of the claims):
  nothing kept from an earlier request can serve them;
- ``repeat``: ``--repeat-pages`` other claim pages, asked once each beforehand (not measured; with
  workers ``--warm-passes`` times, as each worker keeps the pages it rendered), then over and over:
  pages kept since the last write (app/pagecache.py) serve them.

Modes: ``embedded`` (``kb serve --threads N`` on the folder) and ``oxigraph`` (an Oxigraph server
loaded with the store's N-Quads, ``kb serve --workers W --threads N --index-dir …``: each worker
keeps a claim index replica). wrk runs on the same 2 cores as the server: its own CPU time and the
server's (with its workers; and the Oxigraph server's) are measured from /proc and printed beside
each figure. A response that is not 2xx counts as an error, as do wrk's socket errors.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (HERE, ROOT / "tests", ROOT):
    sys.path.insert(0, str(p))

from helpers import free_port  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")

LUA = r"""
-- wrk script: GET each path of PATHS in turn (each thread its own stretch), count non-2xx, print JSON
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  n, bad, step = 0, 0, 0
  per = math.floor(#paths / %(threads)d)
  first = tid * per
end
function request()
  local path = paths[(first + step) %% #paths + 1]
  step = step + 1
  return wrk.format("GET", path, {Accept = "text/html"})
end
function response(status, headers, body)
  n = n + 1
  if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local bad_total, n_total = 0, 0
  for _, t in ipairs(threads) do bad_total = bad_total + t:get("bad"); n_total = n_total + t:get("n") end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, "non2xx": %%d, "connect": %%d, "read": %%d, ' ..
    '"write": %%d, "timeout": %%d, "status_errors": %%d, "p50_ms": %%.2f, "p90_ms": %%.2f, "p99_ms": %%.2f, ' ..
    '"max_ms": %%.2f, "mean_ms": %%.2f}\n',
    summary.requests, summary.duration, summary.bytes, bad_total, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000))
end
"""


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cpu_seconds(pids) -> float:
    """User + system CPU of these processes and all their descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(d.name)] = fields
            children.setdefault(int(fields[1]), []).append(int(d.name))
    total, todo = 0, list(pids)
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += int(stats[pid][11]) + int(stats[pid][12])  # utime, stime
            todo += children.get(pid, [])
    return total / TICK


def wait_for(url: str, proc: subprocess.Popen, seconds: float) -> float:
    t = time.perf_counter()
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode}): see its log")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                r.read()
                return time.perf_counter() - t
        except OSError:
            if time.perf_counter() - t > seconds:
                raise RuntimeError(f"{url} did not answer within {seconds:.0f} s") from None
            time.sleep(0.5)


def wrk(base: str, paths: list[str], work: Path, args, watch) -> dict:
    """One wrk run over ``paths``; its figures, its own CPU time, and the CPU time of ``watch``."""
    plist = work / "paths.txt"
    plist.write_text("\n".join(paths) + "\n")
    script = work / "paths.lua"
    script.write_text(LUA % {"paths": plist, "threads": args.wrk_threads})
    cpu0, load0 = cpu_seconds(watch), load_average()
    t = time.perf_counter()
    proc = subprocess.Popen(["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{args.duration}s",
                             "--timeout", "10s", "-s", str(script), base],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    line = next((x for x in out.splitlines() if x.startswith("WRKJSON ")), None)
    if proc.returncode or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {out[-2000:]}")
    r = json.loads(line[len("WRKJSON "):])
    r["req_per_s"] = round(r["requests"] / (r["duration_us"] / 1e6), 1)
    r["errors"] = r["non2xx"] + r["connect"] + r["read"] + r["write"] + r["timeout"]
    r["distinct_paths"] = len(set(paths))
    r["wrk_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 2)
    r["server_cpu_s"] = round(cpu_seconds(watch) - cpu0, 2)
    r["wall_s"] = round(wall, 2)
    r["load_before"], r["load_after"] = load0, load_average()
    return r


def warm(base: str, paths: list[str]) -> None:
    """Ask each page once (not measured), four at a time."""
    from concurrent.futures import ThreadPoolExecutor

    def one(path):
        req = urllib.request.Request(base + path, headers={"Accept": "text/html"})
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, paths))


def measure(name: str, cmd: list[str], env: dict, port: int, ids: tuple[list, list], work: Path, args,
            also_watch=()) -> dict:
    base = f"http://127.0.0.1:{port}"
    logf = (work / f"serve-{name}.log").open("w")
    proc = subprocess.Popen(cmd, env=env, stdout=logf, stderr=subprocess.STDOUT, cwd=str(ROOT))
    try:
        started = wait_for(base + "/static/style.css", proc, args.start_timeout)
        first_ids, repeat_ids = ids
        wait_for(base + f"/claims/{first_ids[-1]}", proc, args.start_timeout)  # every worker up
        log(f"{name}: serving after {started:.1f} s")
        row = {"start_s": round(started, 1), "command": " ".join(cmd)}
        watch = [proc.pid, *also_watch]
        row["baseline"] = wrk(base, ["/static/style.css"], work, args, watch)
        log(f"{name} baseline: {row['baseline']['req_per_s']} req/s")
        row["first"] = wrk(base, [f"/claims/{i}" for i in first_ids[:-1]], work, args, watch)
        log(f"{name} first-time claim pages: {row['first']['req_per_s']} req/s")
        repeat = [f"/claims/{i}" for i in repeat_ids]
        for _ in range(args.warm_passes if name != "embedded" else 1):  # each worker keeps its own pages
            warm(base, repeat)
        row["repeat"] = wrk(base, repeat, work, args, watch)
        log(f"{name} repeated claim pages: {row['repeat']['req_per_s']} req/s")
        return row
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        logf.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--claims", type=int, default=10_000, help="claims in the store (claim-0 … claim-N-1)")
    ap.add_argument("--from", dest="source", help="a filled embedded store folder, copied (default: fill one)")
    ap.add_argument("--modes", default="embedded,oxigraph")
    ap.add_argument("--threads", type=int, default=8, help="kb serve --threads")
    ap.add_argument("--workers", type=int, default=2, help="kb serve --workers (the oxigraph mode)")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--repeat-pages", type=int, default=1000)
    ap.add_argument("--warm-passes", type=int, default=4,
                    help="passes over the repeated pages before they are measured, with --workers (each worker keeps "
                         "the pages it rendered; which worker answers is the kernel's choice)")
    ap.add_argument("--start-timeout", type=float, default=900)
    ap.add_argument("--workdir", help="folder for the copies (default: a temporary one, removed afterwards)")
    ap.add_argument("--json", help="write every figure to this file")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: sudo bash scripts/system-packages (Debian's wrk)")
    work = Path(args.workdir or tempfile.mkdtemp(prefix="kb-load-"))
    work.mkdir(parents=True, exist_ok=True)
    store = work / "store"
    result = {"claims": args.claims, "command": " ".join(sys.argv), "cpus": os.cpu_count(),
              "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[0:1],
              "modes": {}}
    try:
        if not store.exists():
            if args.source:
                t = time.perf_counter()
                subprocess.run(["cp", "-a", args.source, str(store)], check=True)
                log(f"copied {args.source} in {time.perf_counter() - t:.1f} s")
            else:
                from run import fill

                from kb import open_kb
                kb = open_kb(str(store))
                log(f"filled {args.claims:,} claims in {fill(kb, args.claims):.1f} s")
                kb.close()
        rnd = random.Random(8)
        half = args.claims // 2
        first_ids = [f"claim-{i}" for i in rnd.sample(range(half), half)]
        repeat_ids = [f"claim-{i}" for i in rnd.sample(range(half, args.claims), min(args.repeat_pages, half))]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        kb_cmd = [sys.executable, "-m", "kb.cli"]
        modes = args.modes.split(",")
        if "embedded" in modes:
            port = free_port()
            result["modes"]["embedded"] = measure(
                "embedded", [*kb_cmd, "--store", str(store), "serve", "--port", str(port), "--threads",
                             str(args.threads)], env, port, (first_ids, repeat_ids), work, args)
        if "oxigraph" in modes:
            result["modes"]["oxigraph"] = oxigraph_mode(store, kb_cmd, env, (first_ids, repeat_ids), work, args)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    print(table(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


def oxigraph_mode(store: Path, kb_cmd, env, ids, work: Path, args) -> dict:
    from backends import load_oxigraph
    from servers import OxigraphServer

    from kb import open_kb

    nq = work / "kb.nq"
    if not nq.exists():
        kb = open_kb(str(store))
        with nq.open("wb") as f:
            kb.export(f, "nq")
        kb.close()
    shutil.rmtree(work / "oxigraph", ignore_errors=True)
    shutil.rmtree(work / "replicas", ignore_errors=True)
    server = OxigraphServer(work / "oxigraph")
    try:
        t = time.perf_counter()
        open_kb(server.url, update_endpoint=server.update_url).close()
        load_oxigraph(server, nq)
        log(f"loaded the Oxigraph server in {time.perf_counter() - t:.1f} s")
        port = free_port()
        cmd = [*kb_cmd, "--store", server.url, "--update-endpoint", server.update_url, "--index-dir",
               str(work / "replicas"), "--data-dir", str(work / "data"), "serve", "--port", str(port),
               "--workers", str(args.workers), "--threads", str(args.threads)]
        return measure("oxigraph", cmd, env, port, ids, work, args, also_watch=[server.proc.pid])
    finally:
        server.stop()


def table(r: dict) -> str:
    lines = [f"{r['claims']:,} claims; wrk {args_line(r)}", "",
             "| mode | run | distinct pages | req/s | × baseline | p50 / p99 ms | errors (non-2xx) | "
             "wrk CPU s | server CPU s | load before → after |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for mode, row in r["modes"].items():
        base = row["baseline"]["req_per_s"]
        for run in ("baseline", "first", "repeat"):
            x = row[run]
            lines.append(f"| {mode} | {run} | {x['distinct_paths']:,} | {x['req_per_s']} | "
                         f"{x['req_per_s'] / base:.2f} | {x['p50_ms']:.1f} / {x['p99_ms']:.1f} | "
                         f"{x['errors']} ({x['non2xx']}) | {x['wrk_cpu_s']} | {x['server_cpu_s']} | "
                         f"{x['load_before']} → {x['load_after']} |")
    return "\n".join(lines)


def args_line(r: dict) -> str:
    return r["command"]


if __name__ == "__main__":
    main()
