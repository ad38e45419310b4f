"""The whole knowledge base as one file (``kb export``, ``/export.<fmt>``): what each format
holds, and the exports kept on disk between writes.

Turtle, N-Triples and JSON-LD hold the current graph (in the default graph); TriG and
N-Quads the whole dataset with its history. None holds the comments' graphs
(:mod:`kb.comments`), the writers' reservations, the change log or the write counter.

Writing an export is bounded by reading the store: at 100,000 claims pyoxigraph's own
serializer (``Store.dump``, in Rust) takes 14–25 s here for the 119 MB of Turtle, about as
long as merely iterating the graph's 2M quads, because each term of each quad is looked
up on disk. So the export of an embedded store is kept in its folder (``exports/``),
labelled with the store's write counter (:meth:`Dataset.generation`), and served again as
it is until the next write: only the first export asked for after a write pays for the
scan. A file is kept only when no write landed while it was written (the counter is
read before and after), and a process that wrote without moving the counter (the
vocabulary brought up to date) writes anew. Server stores, which other processes write,
keep nothing: every export is written from the store.

With :meth:`Exports.keep_fresh` (``kb serve``: the setting ``EXPORT_REFRESH``), the kept
exports are written anew in a background thread once no write has landed for that many
seconds, so the export a user asks for after a spell of writes is usually ready.
pyoxigraph releases the GIL while it reads the store, so the pages go on being served.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path

import pyoxigraph as ox

from . import changelog, jsonld
from .errors import KBError
from .namespaces import KB, PREFIXES
from .stores import RDF_FORMATS, to_ox

log = logging.getLogger("claimkb")
FORMATS = ("turtle", "trig", "nt", "nq", "jsonld")
SUFFIX = {"turtle": "ttl", "trig": "trig", "nt": "nt", "nq": "nq", "jsonld": "jsonld"}
# an export written for one request only (no folder to keep it in) stays in memory up to this size
SPOOL_BYTES = 8 * 1024 * 1024


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise KBError(f"unknown export format {fmt!r} (expected turtle, trig, jsonld, nt or nq)")


def write(data, out, fmt: str, private_graph) -> None:
    """Stream the export in ``fmt`` to the binary file ``out``; ``private_graph(g)``: whether
    graph ``g`` holds comments."""
    check_format(fmt)
    if fmt == "jsonld":
        jsonld.dump_graph(data.store, data.current, out)
        return
    if fmt not in ("trig", "nq"):
        data.store.dump(out, fmt, data.current)
        return
    # the vocabulary, the store's write counter, change log and the writers' reservations are this store's own,
    # not content; a server may hold other graphs too (its own, other applications'): only ours
    base = data.minter.base
    quads = (q for q in data.store.quads()
             if q[3].startswith(base) and q[3] != data.locks_graph and q[1] != KB.generation
             and not changelog.is_entry(data, q[0])
             and not private_graph(q[3]))
    ox.serialize((ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(g)) for s, p, o, g in quads),
                 out, RDF_FORMATS[fmt], **({"prefixes": PREFIXES} if fmt == "trig" else {}))


class Exports:
    """The exports kept in an embedded store's folder, one file per format, each labelled with
    the write counter it was written at (``exports/<generation>.<suffix>``)."""

    def __init__(self, data, private_graph):
        self.data, self.private_graph = data, private_graph
        store = data.store
        self.folder = (Path(store.index_path).parent / "exports"
                       if store.single_writer and store.index_path and not store.read_only else None)
        self._lock = threading.Lock()  # one export written at a time; the others wait for it, then share it
        self._made: dict[str, tuple[int, int]] = {}  # format -> (generation, store version) of files made here
        self._quiet: float | None = None  # keep_fresh's seconds without a write
        self._timer: threading.Timer | None = None
        if self.folder is not None and self.folder.exists():  # left by a process that stopped while writing one
            for left in self.folder.glob(".writing-*"):
                left.unlink(missing_ok=True)

    def keep_fresh(self, quiet: float | None) -> None:
        """Write the kept exports anew once ``quiet`` seconds pass without a write (None or 0: only when asked
        for). Only the formats asked for since the store was opened, or found kept in its folder."""
        if self.folder is None:
            return
        self._quiet = quiet or None
        if self._quiet and self._wrote not in self.data.on_write:
            self.data.on_write.append(self._wrote)

    def _wrote(self) -> None:
        if not self._quiet:
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(self._quiet, self._refresh)
        self._timer.daemon = True
        self._timer.start()

    def _refresh(self) -> None:
        kept = {p.suffix[1:] for p in self.folder.glob("*.*") if not p.name.startswith(".")} \
            if self.folder.exists() else set()
        for fmt in FORMATS:
            if SUFFIX[fmt] in kept or fmt in self._made:
                try:
                    self.open(fmt)[0].close()  # written anew when stale (a write since), else as it is
                except Exception:  # noqa: BLE001 - the next request writes it and reports the failure
                    log.warning("the kept %s export could not be written anew", fmt, exc_info=True)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def open(self, fmt: str):
        """The export in ``fmt`` as ``(binary file at its start, size in bytes)``; the caller closes
        it. Written whole before it is returned, so a failure raises here and not halfway through
        a response."""
        check_format(fmt)
        if self.folder is None:
            return self._spooled(fmt)
        with self._lock:
            generation = self.data.generation()
            path = self.folder / f"{generation}.{SUFFIX[fmt]}"
            if path.exists() and self._made.get(fmt, (generation, self.data.store.version)) == (
                    generation, self.data.store.version):
                f = open(path, "rb")  # noqa: SIM115 - handed to the caller
                return f, os.fstat(f.fileno()).st_size
            return self._write(fmt, generation, path)

    def _spooled(self, fmt: str):
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        try:
            write(self.data, spool, fmt, self.private_graph)
            size = spool.tell()
            spool.seek(0)
        except BaseException:
            spool.close()
            raise
        return spool, size

    def _write(self, fmt: str, generation: int, path: Path):
        self.folder.mkdir(exist_ok=True)
        version = self.data.store.version
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".writing-", suffix="." + SUFFIX[fmt])
        try:
            with os.fdopen(fd, "wb") as out:
                write(self.data, out, fmt, self.private_graph)
            f = open(tmp, "rb")  # noqa: SIM115 - handed to the caller
        except BaseException:
            os.unlink(tmp)
            raise
        if (self.data.generation(), self.data.store.version) != (generation, version):
            os.unlink(tmp)  # a write landed meanwhile: this file is one request's, the open handle keeps it
        else:
            os.replace(tmp, path)
            self._made[fmt] = (generation, version)
            for old in self.folder.glob(f"*.{SUFFIX[fmt]}"):
                if old != path and not old.name.startswith("."):
                    old.unlink(missing_ok=True)
        return f, os.fstat(f.fileno()).st_size
