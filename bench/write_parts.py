"""Where a validated write's milliseconds go, at two store sizes in one run (issue 16 §4).

Each size: a store filled by ``bench/run.py``'s fill (or an existing store folder, which
is written to: give a copy), then ``--writes`` validated writes of ``bench/run.py``'s
record (a claim with a dispute, a new id each time) through ``KnowledgeBase.add_claim``,
every step of the commit timed by wrapping it:

- ``build``: the record made into RDF and checked for its references (what is left of
  ``kb.writes.add_claim`` before ``commit``, and the commit's own book-keeping);
- ``context``: the store's triples the shapes need (``kb.writes._context``);
- ``validation``: the SHACL engine over the change and that context (``kb.validation``:
  pyshacl-turbo by default, pySHACL with ``CLAIMKB_VALIDATOR=pyshacl``), and turning its report
  into problems;
- ``quotes``: ``kb.quotes.verify``;
- ``plan``: versions, current triples, history (``kb.writes._plan``);
- ``apply``: the one atomic store update (``Store.apply``);
- ``index``: the claim index following the write (``kb.indexer.follow``);
- ``read back``: the claim as JSON, which ``add_claim`` answers (``KnowledgeBase.get_claim``).

With ``--compare-old``, every other write is validated as before issue 16 §4 (the baseline, in
the same run, alternating): ``pyshacl.validate`` over the change and its context, its shapes
gathered anew and the Source shape's ``sh:sparql`` query parsed anew at each write.

    python bench/write_parts.py --claims 1000 --folder-100k /tmp/kb-speed-100k --writes 40 --compare-old

With ``--compare-pyshacl``, every other write is validated by pySHACL (the reference, in
``kb.validation``'s focused run, as single writes were validated before they moved to
pyshacl-turbo), the others by the default engine: the two alternate in one run.

On old code (``git archive main``), copy this file into its ``bench/`` and run it there.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import kb.indexer as kb_indexer  # noqa: E402
import kb.quotes as kb_quotes  # noqa: E402
import kb.validation as kb_validation  # noqa: E402
import kb.writes as kb_writes  # noqa: E402
from kb import open_kb  # noqa: E402

PARTS = ["build", "context", "validation", "quotes", "plan", "apply", "index", "read back"]


def timed(spent: dict, name: str, f):
    def wrapper(*a, **k):
        t = time.perf_counter()
        try:
            return f(*a, **k)
        finally:
            spent[name] += (time.perf_counter() - t) * 1000
    return wrapper


def record(i: int, tag: str) -> dict:
    return {"id": f"parts-{tag}-{i}", "text": {"en": f"New claim {i}", "ja": f"新しい主張{i}"},
            "claimant": "org-1", "about": ["org-2", "topic-1"], "sources": ["source-0"], "date": "2025-09-11",
            "disputes": [{"party": "org-3", "stance": "denies", "text": {"en": "No"}, "sources": ["source-1"]}]}


def old_run(data, shapes, focus=None):
    """The validation as it was: pySHACL's validate, everything validated, the query parsed each time."""
    import pyshacl  # noqa: PLC0415

    return pyshacl.validate(data, shacl_graph=shapes, advanced=False, inference=None, allow_warnings=False)


def measure(k, writes: int, compare_old: bool, compare_pyshacl: bool = False) -> dict:
    spent: dict = defaultdict(float)
    originals = {
        (kb_writes, "_context"): kb_writes._context, (kb_writes, "check"): kb_writes.check,
        (kb_writes, "_plan"): kb_writes._plan, (kb_quotes, "verify"): kb_quotes.verify,
        (kb_indexer, "follow"): kb_indexer.follow,
    }
    names = {"_context": "context", "check": "validation", "_plan": "plan", "verify": "quotes", "follow": "index"}
    for (mod, attr), f in originals.items():
        setattr(mod, attr, timed(spent, names[attr], f))
    apply, get_claim = k.store.apply, k.get_claim
    k.store.apply = timed(spent, "apply", apply)
    k.get_claim = timed(spent, "read back", get_claim)
    prepared, run = kb_validation._prepared, kb_validation._run
    tag = str(time.time_ns())
    default_engine = kb_validation.engine()
    rows = {"new": [], "old": []}
    try:
        k.add_claim(record(-1, tag), by="bench")  # the shapes parsed, the query prepared: not measured
        for i in range(writes):
            old = (compare_old or compare_pyshacl) and i % 2 == 1
            if compare_old:
                kb_validation._prepared = prepared.__wrapped__ if old else prepared  # old: parsed at every write
                kb_validation._run = old_run if old else run
            if compare_pyshacl:
                os.environ["CLAIMKB_VALIDATOR"] = "pyshacl" if old else default_engine
            spent.clear()
            t = time.perf_counter()
            k.add_claim(record(i, tag), by="bench")
            total = (time.perf_counter() - t) * 1000
            parts = dict(spent)
            parts["build"] = total - sum(parts.values())
            rows["old" if old else "new"].append((total, parts))
    finally:
        for (mod, attr), f in originals.items():
            setattr(mod, attr, f)
        del k.store.apply, k.get_claim  # the class's own again
        kb_validation._prepared, kb_validation._run = prepared, run
        if compare_pyshacl:
            os.environ["CLAIMKB_VALIDATOR"] = default_engine
    out = {}
    for k, rs in rows.items():
        if rs:
            out[k] = {"p50_ms": statistics.median(r[0] for r in rs), "mean_ms": statistics.mean(r[0] for r in rs),
                      "parts_mean_ms": {p: statistics.mean(r[1].get(p, 0.0) for r in rs) for p in PARTS},
                      "parts_p50_ms": {p: statistics.median(r[1].get(p, 0.0) for r in rs) for p in PARTS}}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=1000, help="the small store, filled in a temporary folder")
    ap.add_argument("--folder-100k", help="an existing large store folder (written to: give a copy)")
    ap.add_argument("--claims-large", type=int, default=100_000, help="filled when --folder-100k is not given")
    ap.add_argument("--writes", type=int, default=40)
    ap.add_argument("--compare-old", action="store_true")
    ap.add_argument("--compare-pyshacl", action="store_true",
                    help="every other write validated by pySHACL (the reference) instead of the default engine")
    ap.add_argument("--parts", choices=["mean", "p50"], default="mean",
                    help="each step's mean over the writes, or its median (one slow write, a pause of the "
                         "loaded machine, moves the mean of the step it falls in; the medians do not add up "
                         "to the total)")
    args = ap.parse_args()
    from run import fill  # noqa: PLC0415

    results = {}
    with tempfile.TemporaryDirectory() as d:
        small = open_kb(str(Path(d) / "small"))
        fill(small, args.claims)
        big = open_kb(args.folder_100k) if args.folder_100k else open_kb(str(Path(d) / "big"))
        if not args.folder_100k:
            fill(big, args.claims_large)
        big.data.index.wait()
        # counted in the claim index (the store's own count is a scan of minutes at 100k)
        large = big.data.index.db.execute("SELECT COUNT(*) FROM claims").fetchone()[0]
        # the sizes alternate in rounds of ten writes, so both see the same machine
        for _ in range(max(1, args.writes // 10)):
            for name, k in ((f"{args.claims:,}", small), (f"{large:,}", big)):
                r = measure(k, min(10, args.writes), args.compare_old, args.compare_pyshacl)
                for kind, v in r.items():
                    results.setdefault((name, kind), []).append(v)
        small.close()
        big.close()
    print("| claims | write | p50 ms | mean ms | " + " | ".join(PARTS) + f" ({args.parts} ms) |")
    print("|---|---|---:|---:|" + "---:|" * len(PARTS))
    summary = {}
    for (name, kind), rs in results.items():
        p50 = round(statistics.median(r["p50_ms"] for r in rs), 1)  # the median of the rounds' medians
        mean = round(statistics.mean(r["mean_ms"] for r in rs), 1)
        parts = {p: round((statistics.mean if args.parts == "mean" else statistics.median)(
            r[f"parts_{args.parts}_ms"][p] for r in rs), 1) for p in PARTS}
        summary[(name, kind)] = p50
        label = ("pySHACL" if args.compare_pyshacl else "before (validated as before)") if kind == "old" else "now"
        print(f"| {name} | {label} | {p50} | {mean} | " + " | ".join(str(parts[p]) for p in PARTS) + " |")
    sizes = list(dict.fromkeys(n for n, _ in summary))
    if len(sizes) == 2 and (sizes[0], "new") in summary:
        print(f"large / small p50 (now): {summary[(sizes[1], 'new')] / summary[(sizes[0], 'new')]:.2f}")
    if (sizes[-1], "old") in summary:
        print(f"before / now p50 at {sizes[-1]}: {summary[(sizes[-1], 'old')] / summary[(sizes[-1], 'new')]:.2f}")


if __name__ == "__main__":
    main()
