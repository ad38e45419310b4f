"""Where a validated bulk import's time goes, by part, optionally beside another tree of the code
(the code before a change) in the same run:

    python bench/import_parts.py --store /tmp/kb-feed-100k --claims 2000 --rounds 2 --compare /path/to/old/tree

Each import: ``--claims`` new claims (bench/generate.py's document, about a third with a dispute)
through ``KnowledgeBase.import_data`` into a fresh COPY of ``--store`` (never written itself), after
one warm-up import of 200. Printed per import: claims/s and the seconds spent building the records,
checking quotes, validating (of which reading the context and pyshacl-turbo), planning the versions,
writing the store and updating the claim index (each part timed by wrapping its function). With
``--compare``, each round runs that tree first, then this one, each in a process of its own.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def one(tree: str, store: str, n: int, rounds: int) -> None:
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, tree)
    from generate import generate

    import kb.imports
    import kb.indexer
    import kb.quotes
    import kb.stores.embedded
    import kb.validation
    import kb.writes
    from kb import open_kb

    spent: dict = {}

    def wrap(owner, name, label):
        f = getattr(owner, name)

        @functools.wraps(f)
        def timed(*a, **k):
            t = time.perf_counter()
            try:
                return f(*a, **k)
            finally:
                spent[label] = spent.get(label, 0) + time.perf_counter() - t
        setattr(owner, name, timed)

    for owner, name, label in ((kb.imports, "build_records", "records"), (kb.quotes, "verify", "quotes"),
                               (kb.writes, "_context", "context"), (kb.validation, "_run_turbo", "turbo"),
                               (kb.writes, "validate", "validation"), (kb.writes, "_plan", "plan"),
                               (kb.stores.embedded.EmbeddedStore, "apply", "store write"),
                               (kb.indexer, "follow", "claim index")):
        wrap(owner, name, label)
    with tempfile.TemporaryDirectory(prefix="import-parts-") as tmp:
        folder = Path(tmp) / "store"
        shutil.copytree(store, folder)
        k = open_kb(str(folder))
        k.import_data(generate(200, seed=1, claims_only="warm"), by="bench")
        for r in range(rounds):
            doc = generate(n, seed=7 + r, claims_only=f"parts{r}")
            spent.clear()
            t = time.perf_counter()
            k.import_data(doc, by="bench")
            s = time.perf_counter() - t
            parts = " ".join(f"{a} {b:.2f}" for a, b in spent.items())
            print(f"{kb.__file__.rsplit('/kb/', 1)[0]}: {n} claims in {s:.2f} s = {n / s:.0f} claims/s "
                  f"(load {os.getloadavg()[0]:.1f}) | {parts}", flush=True)
        k.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True, help="a filled embedded store folder (copied, never written)")
    ap.add_argument("--claims", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=2, help="imports per process")
    ap.add_argument("--compare", help="another tree of the code, measured first in each round")
    ap.add_argument("--repeat", type=int, default=2, help="rounds of processes (with --compare: that tree, then this)")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # (the tree one process measures)
    args = ap.parse_args()
    if args.one:
        one(args.one, args.store, args.claims, args.rounds)
        return
    trees = ([Path(args.compare).resolve()] if args.compare else []) + [HERE.parent]
    for _ in range(args.repeat):
        for tree in trees:
            subprocess.run([sys.executable, str(HERE / "import_parts.py"), "--one", str(tree), "--store", args.store,
                            "--claims", str(args.claims), "--rounds", str(args.rounds)], cwd=tree, check=True)


if __name__ == "__main__":
    main()
