"""Analysts' SPARQL (issue 16 §3): each example query of the query page (``kb.queries.EXAMPLES``)
through the public path (``kb.query``: the query workers, with the time limit), cold (the first
query after a write) and warm (p50 of the next ``--repeat``), read from the workers' in-memory
replica of the default graphs and, in the same run, from the on-disk snapshot (the replica off:
how every query ran before); with the rdflib baseline on the same data (``--baseline``).

    python bench/sparql.py --claims 10000 --baseline                       # fills a store first
    cp -a /tmp/kb-feed-100k /tmp/x && python bench/sparql.py --folder /tmp/x  # an existing store (written to)

Both modes must give the same rows for every example (checked). Prints a markdown table; ``--json``
writes every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from kb import open_kb  # noqa: E402
from kb.queries import EXAMPLES  # noqa: E402

TIMEOUT = 900  # seconds: the on-disk snapshot at 100k takes up to minutes on a busy machine


def _write(kb, i: int, tag: str = "") -> None:
    """A validated write (a new claim): what makes the next query cold. No example lists it (org-1's
    claim about org-2, undisputed, not hearsay, not judged), so both modes' rows can be compared."""
    kb.add_claim({"id": f"bench-sparql-{os.getpid()}{tag}-{i}", "text": {"en": f"Bench claim {i}"}, "claimant": "org-1",
                  "about": ["org-2"], "sources": ["source-0"], "date": "2025-09-11"}, by="bench")


def _rows(res) -> list:
    return sorted((tuple(str(r.get(v)) for v in res.variables) for r in res.rows), key=repr)


def examples(kb, repeat: int = 3, names=None) -> dict:
    """{name: {"cold_ms", "warm_ms", "rows"}} through kb.query, each cold run right after a write."""
    return {name: example(kb, name, i, repeat) for i, name in enumerate(names or EXAMPLES)}


def example(kb, name: str, i: int = 0, repeat: int = 3, *, timeout: float = TIMEOUT, tag: str = "",
            bounded: bool = False) -> dict:
    """One example: ``{"cold_ms", "warm_ms", "rows"}``, the cold run right after a write (the ``i``-th
    of this process, with ``tag`` in its id). With ``bounded``, a run stopped after ``timeout`` s is
    reported as a string saying so (the runs after it not run; ``rows`` None) instead of raising."""
    q = EXAMPLES[name]
    _write(kb, i, tag)
    times, res = [], None
    for _ in range(1 + repeat):
        t = time.perf_counter()
        try:
            res = kb.query(q, timeout=timeout)
        except Exception as e:
            if not bounded:
                raise
            why = f"not run to the end: stopped after {time.perf_counter() - t:.0f} s ({type(e).__name__})"
            return {"cold_ms": round(times[0], 1) if times else why, "warm_ms": why, "rows": None}
        times.append((time.perf_counter() - t) * 1000)
    return {"cold_ms": round(times[0], 1), "warm_ms": round(statistics.median(times[1:]), 1) if repeat else None,
            "rows": _rows(res)}


def wait_replica(kb, limit: float = 1800) -> dict:
    """Ask until a worker's replica is loaded (queries meanwhile read the snapshot)."""
    t = time.perf_counter()
    while True:
        kb.query("ASK { ?s ?p ?o }", timeout=TIMEOUT)
        state = kb.store.query_replica()
        if state["state"] != "loading" and state["state"] != "not loaded" or time.perf_counter() - t > limit:
            return {**state, "waited_s": round(time.perf_counter() - t, 1)}
        time.sleep(0.5)


def measure(folder: str, repeat: int, disk: bool, names=None) -> dict:
    """Both modes on the store in ``folder``: the replica first, then (``disk``) the on-disk snapshot."""
    kb = open_kb(folder)
    out = {"quads_note": "default graphs = current + vocabulary"}
    try:
        out["replica"] = wait_replica(kb)
        out["with_replica"] = examples(kb, repeat, names)
        out["replica_after"] = kb.store.query_replica()
    finally:
        kb.close()
    if disk:
        kb = open_kb(folder)
        try:
            kb.store.query_replica_mb = 0
            out["on_disk"] = examples(kb, repeat, names)
        finally:
            kb.close()
        # the rows were read at different writes: each cold run follows one more claim, which no example lists
        out["same_rows"] = {n: out["with_replica"][n]["rows"] == out["on_disk"][n]["rows"] for n in out["on_disk"]}
    return out


def table(res: dict, base: dict | None) -> str:
    lines = ["| example | replica cold ms | replica warm p50 ms | on-disk cold ms | on-disk warm p50 ms | "
             "speed-up (warm) | rdflib ms | vs rdflib (warm) | rows |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in res["with_replica"].items():
        d = res.get("on_disk", {}).get(name)
        b = (base or {}).get("sparql_ms", {}).get(name)
        cells = [name, f"{r['cold_ms']:,}", f"{r['warm_ms']:,}",
                 f"{d['cold_ms']:,}" if d else "—", f"{d['warm_ms']:,}" if d else "—",
                 f"{d['warm_ms'] / r['warm_ms']:.1f}×" if d else "—",
                 f"{b:,}" if b is not None else "—", f"{b / r['warm_ms']:.0f}×" if b is not None else "—",
                 str(len(r["rows"]))]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folder", help="an existing filled store (it is written to: give a copy)")
    ap.add_argument("--claims", type=int, default=10_000, help="without --folder: fill a new store of this size")
    ap.add_argument("--baseline", action="store_true", help="rdflib's engine on the same generated data (--claims)")
    ap.add_argument("--repeat", type=int, default=3, help="warm runs per example")
    ap.add_argument("--no-disk", action="store_true", help="skip the on-disk snapshot mode")
    ap.add_argument("--examples", help="only these examples (comma-separated)")
    ap.add_argument("--json")
    args = ap.parse_args()
    names = args.examples.split(",") if args.examples else None
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as d:
        folder = args.folder
        if folder is None:
            from run import fill  # noqa: PLC0415

            folder = str(Path(d) / "store")
            kb = open_kb(folder)
            fill(kb, args.claims)
            kb.close()
        res = measure(folder, args.repeat, not args.no_disk, names)
    base = None
    if args.baseline:
        from run import baseline  # noqa: PLC0415

        base = baseline(args.claims)
    res["load_before"], res["load_after"] = load, os.getloadavg()
    print(f"replica: {json.dumps(res['replica'])}; after: {json.dumps(res['replica_after'])}")
    print(f"load average before {load[0]:.1f}, after {res['load_after'][0]:.1f}; same rows: {res.get('same_rows')}")
    print(table(res, base))
    if args.json:
        Path(args.json).write_text(json.dumps({**res, "baseline": base}, indent=2, ensure_ascii=False))
    if res.get("same_rows") and not all(res["same_rows"].values()):
        raise SystemExit("the replica and the on-disk snapshot answered differently")


if __name__ == "__main__":
    main()
