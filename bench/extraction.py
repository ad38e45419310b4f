"""Main-text extraction compared on real pages with a hand-checked expected text (issue 13 §1):
trafilatura (what ClaimKB uses) against readability-lxml, when it is installed.

The pages are Mozilla Readability's test pages (``test/test-pages/<name>/source.html`` and
``expected.html``, Apache-2.0), not kept in this repository: copy the ones wanted into a
folder of ``<name>/source.html`` + ``<name>/expected.html``. Each extraction is scored
against the expected text by character trigrams (white space removed, so Japanese and
English are scored alike): precision (how much of what was extracted is article), recall
(how much of the article was extracted) and F1; and timed.

    python bench/extraction.py --pages /tmp/rpages --json extraction.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import lxml.html
import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def text_of(html: str) -> str:
    if not html.strip():
        return ""
    return lxml.html.fromstring(html).text_content()


def grams(text: str) -> Counter:
    t = "".join(text.split())
    return Counter(t[i:i + 3] for i in range(len(t) - 2))


def score(got: str, want: str) -> dict:
    g, w = grams(got), grams(want)
    common = sum((g & w).values())
    p = common / max(1, sum(g.values()))
    r = common / max(1, sum(w.values()))
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0}


def with_trafilatura(html: str) -> str:
    from kb.fetch import (
        FetchError,
        article,  # what ClaimKB does (favor_recall)
    )

    try:
        return article(html)["text"]
    except FetchError:
        return ""


def with_trafilatura_default(html: str) -> str:
    return trafilatura.extract(html, output_format="txt", include_comments=False, include_tables=False,
                               deduplicate=False) or ""


def with_trafilatura_precision(html: str) -> str:
    return trafilatura.extract(html, output_format="txt", include_comments=False, include_tables=False,
                               favor_precision=True, deduplicate=False) or ""


def with_readability(html: str) -> str:
    from readability import Document

    return text_of(Document(html).summary(html_partial=True))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", required=True)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    tools = {"claimkb (trafilatura, favor_recall)": with_trafilatura, "trafilatura default": with_trafilatura_default,
             "trafilatura favor_precision": with_trafilatura_precision}
    try:
        import readability  # noqa: F401

        tools["readability-lxml"] = with_readability
    except ImportError:
        print("readability-lxml is not installed: trafilatura alone")
    rows = []
    for folder in sorted(p for p in Path(args.pages).iterdir() if (p / "source.html").exists()):
        html = (folder / "source.html").read_text(encoding="utf-8", errors="replace")
        want = text_of((folder / "expected.html").read_text(encoding="utf-8", errors="replace"))
        row = {"page": folder.name}
        for name, fn in tools.items():
            t = time.perf_counter()
            got = fn(html)
            row[name] = {**score(got, want), "ms": round((time.perf_counter() - t) * 1000, 1)}
        rows.append(row)
        print(row["page"], {k: v for k, v in row.items() if k != "page"}, flush=True)
    summary = {name: {k: round(statistics.median(r[name][k] for r in rows), 3) for k in ("precision", "recall", "f1", "ms")}
               for name in tools}
    print("median over", len(rows), "pages:", summary)
    if args.json:
        Path(args.json).write_text(json.dumps({"pages": rows, "median": summary}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
