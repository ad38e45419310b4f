"""Sources that keep their text (issue 13 §7): capturing a pasted 20,000-character article,
the reader page of an article with 100 quotes, and what verifying a quote adds to a write.

Server time through the Flask test client (no network) on an embedded on-disk store
holding the seed; p50 (and p90) of several requests.

    python bench/sources.py --runs 15 --json sources.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from kb import open_kb  # noqa: E402
from kb.model import build_one  # noqa: E402
from kb.quotes import verify  # noqa: E402

SENTENCE = "第{i}段落の文。マイクロソフトは自社のチップを使ってコストを下げると述べた。"


def article(chars: int) -> str:
    """Japanese paragraphs of about 200 characters, each opening with its own number."""
    paras, n, i = [], 0, 0
    while n < chars:
        p = (SENTENCE.format(i=i) * 6)[:200]
        paras.append(p)
        n += len(p) + 1
        i += 1
    return "\n".join(paras)[:chars]


def timed(fn, runs: int) -> dict:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    out.sort()
    return {"p50_ms": round(statistics.median(out), 1), "p90_ms": round(out[int(len(out) * 0.9) - 1], 1),
            "runs": runs}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--chars", type=int, default=20_000)
    ap.add_argument("--quotes", type=int, default=100)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        kb = open_kb(str(Path(folder) / "store"))
        app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "DATA_DIR": folder}, kb=kb)
        app.extensions["users"].add("bench", "analyst", "bench-password")
        auth = {"Authorization": f"Bearer {app.extensions['users'].token('bench')}"}
        client = app.test_client()
        text = article(args.chars)
        meta = {"headline": "長い記事", "publisher": "windows-central", "published": "2025-09", "language": "ja"}

        n = iter(range(10_000))

        def capture():
            r = client.post("/api/sources", json={**meta, "id": f"long-{next(n)}", "text": text}, headers=auth)
            assert r.status_code == 201, r.get_json()

        results["capture_20k_pasted"] = {**timed(capture, args.runs), "chars": len(text)}
        print("capture of a pasted", len(text), "character article:", results["capture_20k_pasted"], flush=True)

        # 100 claims, each quoting its own paragraph of one article
        kb.sources.add({**meta, "id": "quoted", "text": text}, by="bench")
        for i in range(args.quotes):
            kb.add_claim({"id": f"q-{i}", "text": {"ja": f"主張{i}"}, "claimant": "microsoft", "about": ["microsoft"],
                          "sources": ["quoted"], "quote": {"source": "quoted", "exact": f"第{i}段落の文。"}}, by="bench")

        def reader():
            r = client.get("/sources/quoted", headers={"Accept": "text/html"})
            assert r.status_code == 200 and r.data.count(b"<mark ") == args.quotes

        reader()
        results["reader_100_quotes"] = timed(reader, args.runs)
        print("reader page with", args.quotes, "quotes:", results["reader_100_quotes"], flush=True)

        def reader_cold():
            kb.data.forget()  # nothing kept from an earlier request (as on a server store, or after a write)
            reader()

        results["reader_100_quotes_nothing_kept"] = timed(reader_cold, args.runs)
        print("  the same, nothing kept:", results["reader_100_quotes_nothing_kept"], flush=True)

        # what verification adds to a validated write: the same claim written against the source with text,
        # and against one without (the quote then is kept unverified and nothing is looked up)
        kb.import_data({"sources": [{"id": "no-text", "type": "NewsArticle", "headline": {"ja": "本文なし"},
                                     "publisher": "windows-central", "published": "2025-09", "language": "ja"}]},
                       by="bench")
        m = iter(range(100_000))

        def write(source):
            def go():
                i = next(m)
                kb.add_claim({"id": f"w-{i}", "text": {"ja": f"書き込み{i}"}, "claimant": "microsoft",
                              "about": ["microsoft"], "sources": [source],
                              "quote": {"source": source, "exact": f"第{i % 90}段落の文。"}}, by="bench")
            return go

        with_text, without = [], []
        for _ in range(args.runs * 2):  # alternated, so both see the same machine
            with_text.append(timed(write("quoted"), 1)["p50_ms"])
            without.append(timed(write("no-text"), 1)["p50_ms"])
        rec, _ = build_one("claim", {"id": "v", "text": {"ja": "x"}, "claimant": "microsoft", "about": ["microsoft"],
                                     "sources": ["quoted"], "quote": {"source": "quoted", "exact": "第77段落の文。"}},
                           kb.minter, kb.data.known_kind)

        def verify_only():
            assert not verify(kb.data, [rec], {})

        results["write_verification"] = {
            "write_with_text_p50_ms": round(statistics.median(with_text), 1),
            "write_without_text_p50_ms": round(statistics.median(without), 1),
            "verify_call": timed(verify_only, args.runs * 10),
        }
        results["write_verification"]["added_p50_ms"] = round(
            results["write_verification"]["write_with_text_p50_ms"]
            - results["write_verification"]["write_without_text_p50_ms"], 1)
        print("verification in a write:", results["write_verification"], flush=True)
        kb.close()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
