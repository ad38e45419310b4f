"""Validated-write latency at several store sizes.

The store is filled with synthetic claims written straight through pyoxigraph
(no validation: this measures writes *into* a large store, not the filling),
then validated claim-with-dispute writes and rejected writes are timed
through the public API.

    python bench/write_latency.py --claims 1000,100000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import pyoxigraph as ox

from kb import InvalidData, open_kb

S = "http://schema.org/"
K = "https://w3id.org/claimkb/ns#"
P = "http://www.w3.org/ns/prov#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def fill(kb, n: int) -> None:
    base, g = kb.minter.base, ox.NamedNode(kb.current)
    nn, lit = ox.NamedNode, ox.Literal
    now = lit("2025-09-01T00:00:00+00:00", datatype=nn("http://www.w3.org/2001/XMLSchema#dateTime"))
    who = nn(base + "analysts/bench")

    def quads():
        for i in range(100):
            a = nn(f"{base}agents/agent-{i}")
            yield ox.Quad(a, RDF_TYPE, nn(S + "Organization"), g)
            yield ox.Quad(a, nn(S + "name"), lit(f"Agent {i}", language="en"), g)
        for i in range(max(1, n // 50)):
            s = nn(f"{base}sources/source-{i}")
            yield ox.Quad(s, RDF_TYPE, nn(S + "NewsArticle"), g)
            yield ox.Quad(s, nn(S + "headline"), lit(f"記事 {i}", language="ja"), g)
            yield ox.Quad(s, nn(S + "publisher"), nn(f"{base}agents/agent-{i % 100}"), g)
            yield ox.Quad(s, nn(S + "datePublished"), lit("2025-09", datatype=nn("http://www.w3.org/2001/XMLSchema#gYearMonth")), g)
            yield ox.Quad(s, nn(S + "inLanguage"), lit("ja"), g)
        for i in range(n):
            c = nn(f"{base}claims/claim-{i}")
            yield ox.Quad(c, RDF_TYPE, nn(S + "Claim"), g)
            yield ox.Quad(c, nn(S + "text"), lit(f"主張 {i} マイクロソフト", language="ja"), g)
            yield ox.Quad(c, nn(S + "text"), lit(f"Claim {i} about Microsoft", language="en"), g)
            yield ox.Quad(c, nn(S + "author"), nn(f"{base}agents/agent-{i % 100}"), g)
            yield ox.Quad(c, nn(S + "about"), nn(f"{base}agents/agent-{(i * 7) % 100}"), g)
            yield ox.Quad(c, nn(S + "appearance"), nn(f"{base}sources/source-{i % max(1, n // 50)}"), g)
            yield ox.Quad(c, nn(P + "wasAttributedTo"), who, g)
            yield ox.Quad(c, nn(P + "generatedAtTime"), now, g)
            if i % 3 == 0:
                d = nn(f"{base}disputes/dispute-{i}")
                yield ox.Quad(d, RDF_TYPE, nn(K + "Dispute"), g)
                yield ox.Quad(d, nn(K + "disputes"), c, g)
                yield ox.Quad(d, nn(K + "party"), nn(f"{base}agents/agent-{(i + 1) % 100}"), g)
                yield ox.Quad(d, nn(K + "stance"), nn(K + "Denies"), g)
                yield ox.Quad(d, nn(S + "text"), lit("否定", language="ja"), g)
                yield ox.Quad(d, nn(S + "appearance"), nn(f"{base}sources/source-0"), g)
                yield ox.Quad(d, nn(P + "wasAttributedTo"), who, g)
                yield ox.Quad(d, nn(P + "generatedAtTime"), now, g)

    kb.store._store.bulk_extend(quads())


def measure(n: int, writes: int) -> dict:
    with tempfile.TemporaryDirectory() as d:
        kb = open_kb(d)
        t = time.perf_counter()
        fill(kb, n)
        fill_s = time.perf_counter() - t
        ok, bad = [], []
        for i in range(writes):
            rec = {"id": f"new-{i}", "text": {"en": f"New claim {i}", "ja": f"新しい主張{i}"},
                   "claimant": "agent-1", "about": ["agent-2"], "sources": ["source-0"], "date": "2025-09-11",
                   "disputes": [{"party": "agent-3", "stance": "denies", "text": {"en": "No"},
                                 "sources": ["source-0"]}]}
            t = time.perf_counter()
            kb.add_claim(rec, by="bench")
            ok.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            try:
                kb.add_claim({**rec, "id": f"bad-{i}", "claimant": "nobody", "date": "2024-13-45"}, by="bench")
            except InvalidData:
                bad.append((time.perf_counter() - t) * 1000)
        kb.close()
    ok.sort()
    return {
        "claims": n, "fill_s": round(fill_s, 1),
        "write_p50_ms": round(statistics.median(ok), 1),
        "write_p95_ms": round(ok[int(len(ok) * 0.95) - 1], 1),
        "reject_p50_ms": round(statistics.median(bad), 1),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", default="1000,100000")
    ap.add_argument("--writes", type=int, default=60)
    args = ap.parse_args()
    rows = [measure(int(n), args.writes) for n in args.claims.split(",")]
    print("| claims | fill s | validated write p50 ms | p95 ms | rejected p50 ms |")
    print("|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['claims']:,} | {r['fill_s']} | {r['write_p50_ms']} | {r['write_p95_ms']} | {r['reject_p50_ms']} |")
    if len(rows) > 1:
        print(f"ratio p50 largest/smallest: {rows[-1]['write_p50_ms'] / rows[0]['write_p50_ms']:.2f}")


if __name__ == "__main__":
    main()
