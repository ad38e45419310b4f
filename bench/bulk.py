"""A store of N generated claims in minutes: the N-Quads the library's write path would have
stored for ``bench/run.py``'s fill, loaded with pyoxigraph's bulk loader, then the claim index
rebuilt from the store.

``bench/run.py``'s write-path fill commits the generated document as one write of its agents,
topics and sources, then one write per ``FILL_CHUNK`` claims (validation off); every write of a new
record puts its triples in the current graph and in a version graph of its own, describes the
version in the history graph, names the write (a ``prov:Activity``) and bumps the store's write
counter. :func:`quads` makes the same quads, write by write, without reading the store (every
record is new, so nothing needs reading): ``tests/test_bench_fill.py`` holds the two stores equal,
but for each write's time and its activity's id (a fresh UUID).

    python bench/bulk.py --claims 1000000 --store /tmp/bench-1m/store [--nquads /tmp/bench-1m/claims.nq]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import generate  # noqa: E402

from kb import open_kb  # noqa: E402
from kb.ids import Minter  # noqa: E402
from kb.model import analyst_triples, build_records  # noqa: E402
from kb.namespaces import DEFAULT_BASE, KB  # noqa: E402
from kb.stores.base import XSD_STRING  # noqa: E402
from kb.writes import now  # noqa: E402

FILL_CHUNK = 5000  # claims per write, as bench/run.py's fill


def _term(t) -> str:
    """An rdflib term (an IRI or a literal: the model makes no blank nodes) in N-Quads syntax."""
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, Literal):
        v = str(t).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if t.language:
            return f'"{v}"@{t.language}'
        return f'"{v}"^^<{t.datatype}>' if t.datatype is not None and str(t.datatype) != XSD_STRING else f'"{v}"'
    raise TypeError(f"not an IRI or a literal: {t!r}")


class Fill:
    """The quads of the fill of a generated document, write by write."""

    def __init__(self, doc: dict, base: str = DEFAULT_BASE, by: str = "bench", chunk: int = FILL_CHUNK):
        self.doc, self.by, self.chunk = doc, by, chunk
        self.minter = Minter(base)
        self.current, self.history = self.minter.graph("current"), self.minter.graph("history")
        self.kinds = {}
        for section, kind in (("agents", "agent"), ("topics", "topic"), ("sources", "source"), ("claims", "claim")):
            for rec in doc.get(section) or []:
                self.kinds.setdefault(rec["id"], kind)
        self.writes = 1 + (len(doc["claims"]) + chunk - 1) // chunk

    def part(self, i: int) -> dict:
        """What write ``i`` (0: the agents, topics and sources) commits."""
        if i == 0:
            return {k: self.doc[k] for k in ("agents", "topics", "sources")}
        return {"claims": self.doc["claims"][(i - 1) * self.chunk : i * self.chunk]}

    def quads(self, i: int) -> Iterator[tuple]:
        """The quads (rdflib terms, the graph's IRI as a string) write ``i`` inserts: what
        :func:`kb.writes.commit` inserts for records that are all new (version 1, "created")."""
        minter, current, history = self.minter, self.current, self.history

        def known(local_id, allowed):
            k = self.kinds.get(local_id)
            return k if k in allowed else None

        when = now()
        token = URIRef(f"urn:uuid:{uuid.uuid4()}")
        analyst = minter.analyst(self.by)
        records, problems = build_records(self.part(i), minter, known)
        if problems:
            raise ValueError(f"the generated document has problems: {problems[:3]}")
        for rec in records:
            if not any(p in (PROV.wasAttributedTo, PROV.generatedAtTime) for s, p, _ in rec.triples if s == rec.iri):
                rec.triples.add((rec.iri, PROV.wasAttributedTo, analyst))
                rec.triples.add((rec.iri, PROV.generatedAtTime, when))
            v = minter.version(rec.iri, 1)
            for s, p, o in rec.triples:
                yield s, p, o, current
                yield s, p, o, str(v)
            for p, o in ((RDF.type, KB.Version), (RDF.type, PROV.Entity), (KB.versionOf, rec.iri),
                         (KB.versionNumber, Literal(1)), (KB.action, Literal("created")),
                         (PROV.generatedAtTime, when), (PROV.wasAttributedTo, analyst), (PROV.wasGeneratedBy, token)):
                yield v, p, o, history
        if records:
            for s, p, o in analyst_triples(minter, self.by):
                yield s, p, o, current
            yield token, RDF.type, PROV.Activity, history

    def last(self) -> tuple:
        """The store's write counter after the fill."""
        return URIRef(self.history), KB.generation, Literal(self.writes), self.history

    def nquads(self, i: int) -> bytes:
        """Write ``i``'s quads as N-Quads."""
        lines, ls, lp, lo, body = [], None, None, None, ""
        for s, p, o, g in self.quads(i):
            if s is not ls or p is not lp or o is not lo:  # (a record's triple comes twice: current, version)
                ls, lp, lo, body = s, p, o, f"{_term(s)} {_term(p)} {_term(o)}"
            lines.append(f"{body} <{g}> .\n")
        if i == self.writes - 1:
            s, p, o, g = self.last()
            lines.append(f"{_term(s)} {_term(p)} {_term(o)} <{g}> .\n")
        return "".join(lines).encode()


def quads(doc: dict, base: str = DEFAULT_BASE, by: str = "bench", chunk: int = FILL_CHUNK) -> Iterator[tuple]:
    """The quads a store written by the fill holds beyond its vocabulary, write by write, then its write counter."""
    fill = Fill(doc, base, by, chunk)
    for i in range(fill.writes):
        yield from fill.quads(i)
    yield fill.last()


_FILL: Fill | None = None  # the fill the worker processes make writes of (inherited when they fork)


def _nquads(i: int) -> bytes:
    return _FILL.nquads(i)


def write_nquads(n: int, path: Path, base: str = DEFAULT_BASE, seed: int = 1, chunk: int = FILL_CHUNK,
                 workers: int = 2) -> int:
    """The N-Quads of a store of ``n`` generated claims (beyond its vocabulary) in ``path``, the writes
    made by ``workers`` processes; how many lines."""
    global _FILL
    _FILL = Fill(generate(n, seed=seed), base, chunk=chunk)
    count = 0
    try:
        with open(path, "wb") as f:
            if workers > 1 and _FILL.writes > 2:
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    for block in pool.imap(_nquads, range(_FILL.writes)):
                        count += block.count(b"\n")
                        f.write(block)
            else:
                for i in range(_FILL.writes):
                    block = _nquads(i)
                    count += block.count(b"\n")
                    f.write(block)
    finally:
        _FILL = None
    return count


def bulk_fill(folder: Path, n: int, nquads: Path | None = None, seed: int = 1, chunk: int = FILL_CHUNK) -> dict:
    """A new embedded store in ``folder`` holding what the write-path fill of ``n`` claims would:
    created by the library (its settings, vocabulary and claim index), its data bulk-loaded from
    N-Quads (written to ``nquads``, or to a scratch file deleted after), its claim index rebuilt by
    opening it. Times in seconds."""
    out = {"claims": n}
    kb = open_kb(str(folder))
    base = kb.data.minter.base
    kb.close()
    scratch = nquads is None
    if nquads is not None and nquads.exists():  # made before (the same n and seed): loaded as it is
        out["nquads_kept"] = str(nquads)
    elif scratch:
        fd, name = tempfile.mkstemp(suffix=".nq", dir=folder)
        os.close(fd)
        nquads = Path(name)
    try:
        if "nquads_kept" not in out:
            t = time.perf_counter()
            out["quads"] = write_nquads(n, nquads, base, seed, chunk)
            out["nquads_s"] = round(time.perf_counter() - t, 1)
        out["nquads_mb"] = round(nquads.stat().st_size / 1e6)
        t = time.perf_counter()
        store = ox.Store(str(folder / "oxigraph"))
        # lenient: the IRIs were made by the model's minter, not read from users (skips their re-parsing)
        store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
        store.flush()
        del store
        out["bulk_load_s"] = round(time.perf_counter() - t, 1)
    finally:
        if scratch:
            nquads.unlink()
    t = time.perf_counter()
    kb = open_kb(str(folder))  # the index is behind the store: rebuilt (kb.indexer.open_index)
    out["index_rebuild_s"] = round(time.perf_counter() - t, 1)
    assert kb.data.index.generation == kb.data.generation()
    kb.close()
    out["index_rebuild_peak_rss_mb"] = round(peak_rss_kb() / 1024)
    return out


def peak_rss_kb() -> int:
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--claims", type=int, required=True)
    ap.add_argument("--store", type=Path, required=True, help="a new store folder")
    ap.add_argument("--nquads", type=Path, help="keep the N-Quads in this file (loaded as it is when it exists)")
    args = ap.parse_args()
    if args.store.exists():
        raise SystemExit(f"{args.store} exists: give a new folder")
    print(json.dumps(bulk_fill(args.store, args.claims, args.nquads)))


if __name__ == "__main__":
    main()
