"""How long the changes of one followed record take (kb.changes), on a synthetic store.

    python bench/changes.py --claims 5000

Changes are replayed from the history's versions each time (no log of their own), so
their cost grows with the claims a followed record touches: this prints it for the
busiest topic, a busy organisation, and one claim.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

from kb import open_kb  # noqa: E402


def timed(fn, runs=5):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=5000)
    args = ap.parse_args()
    kb = open_kb(":memory:")
    t = time.perf_counter()
    kb.import_data(generate(args.claims), by="bench")
    print(f"{args.claims} claims imported in {time.perf_counter() - t:.0f} s")
    topic = kb.summary() and max((r for r in kb.records("topic")),
                                 key=lambda r: len(kb.topic_story(r["id"])["claims"]))["id"]
    for kind, rid in (("topic", topic), ("agent", "org-0"), ("claim", "claim-1")):
        def replay(k=kind, r=rid):
            kb.data.forget()  # measured with nothing kept (a write drops what is kept anyway)
            return kb.changes.of_one(k, r)

        secs, found = timed(replay)
        kept, _ = timed(lambda k=kind, r=rid: kb.changes.of_one(k, r))
        print(f"{kind} {rid}: {len(found)} changes in {secs * 1000:.0f} ms replayed, {kept * 1000:.1f} ms kept "
              "(medians of 5)")


if __name__ == "__main__":
    main()
