"""A worker's replica of the claim index for a server store: the same SQLite
index (:mod:`kb.index`) the embedded store keeps, in a data folder of the
worker's own, following the store's change log (:mod:`kb.changelog`).

- The index remembers its position ``k`` in the log (the index's generation)
  and which store (the write that made log entry 1, and the server's URL) and
  base it was derived from; an index from another store,
  another base or a store that was emptied and filled again is rebuilt whole.
- Before each use of the index (:func:`kb.listing.listing`: the list, search,
  facets, busiest stories, pictures) the replica asks whether ``log/<k+1>``
  exists: one point lookup. If it does, it reads the entries from there on and
  derives again the rows of the claims they name (:func:`kb.indexer.rebuild`).
  So another worker's write shows at this worker's next request.
- This worker's own write is followed at once, in the same call (and its
  entries before it, if any were missed).
- A crash between a write and the index's update (of this process or of the
  index file) leaves the index behind the log: repaired at the next request or
  opening. Deriving a claim's rows again is idempotent, so reading an entry
  twice does no harm.
- The store stays the truth: the index can be deleted at any time, and is
  rebuilt from the store when opened.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import threading
import time
from pathlib import Path

from . import changelog, indexer, queries
from .errors import KBError
from .index import ClaimIndex
from .writes import RESERVE_LEASE

log = logging.getLogger("claimkb")
INDEX_FILE = "claims.sqlite"
BATCH = 64  # entries read at once when catching up
FAR = 1000  # entries behind beyond which the index is built whole rather than followed
SLOTS = 64  # processes that may keep an index in one folder at once
HOLE_CHECK = 1.0  # seconds between looks past a missing entry, at most (see Replica._past_hole)


def attach(data, folder) -> None:
    """Keep a replica of the claim index for ``data``'s server store in ``folder``
    (created if missing); nothing for a store that keeps its own index, or without a folder.

    Several processes may be given one folder (gunicorn's workers): each takes the
    first index file of the folder no other live process holds (a lock on it,
    released when the process ends), so each keeps its own, and a restarted worker
    finds one to catch up from instead of building one."""
    if folder is None or str(folder) == "" or data.store.single_writer:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    path, held = _take_slot(Path(folder))
    try:
        data.index = ClaimIndex(str(path))
        data.replica = Replica(data, held)
        data.replica.open()
    except BaseException:
        held.close()
        raise


def version(data) -> int | None:
    """The version of the store this process reads now, for values kept until the next write
    (the web app's rendered pages): the write counter of a store that keeps one (embedded); on a
    server store, the change-log position of this process's replica, caught up just now (one point
    lookup), so another worker's write changes it at this worker's next request. None when it cannot
    tell (a server store without a replica, a replica that could not catch up or waits past a missing
    entry): nothing may then be kept across requests."""
    if data.store.single_writer:
        return data.generation()
    replica = data.replica
    if replica is None or not replica.sync() or replica._hole_seen is not None:
        return None
    return replica.position


def _take_slot(folder: Path):
    for i in range(SLOTS):
        name = INDEX_FILE if i == 0 else f"claims-{i + 1}.sqlite"
        held = open(folder / f"{name}.lock", "a")  # noqa: SIM115 - kept open while the index is used
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            held.close()
            continue
        return folder / name, held
    raise KBError(f"{SLOTS} processes already keep a claim index in {folder}; give each group its own folder")


class Replica:
    """The position of one worker's claim index in its store's change log, and how it catches up."""

    def __init__(self, data, held=None):
        self.data = data
        self._held = held  # the lock on this process's index file (see attach)
        self.position = 0
        self.lock = threading.RLock()
        self._hole_seen: float | None = None  # when a missing entry with a later one was first seen
        self._hole_checked = 0.0

    # ---- what the index file remembers besides its rows ----------------------------------
    def _meta(self, key: str) -> str | None:
        index = self.data.index
        with index.lock:
            index.db.execute("CREATE TABLE IF NOT EXISTS replica (key TEXT PRIMARY KEY, value TEXT)")
            row = index.db.execute("SELECT value FROM replica WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        index = self.data.index
        with index.lock:
            index.db.execute("CREATE TABLE IF NOT EXISTS replica (key TEXT PRIMARY KEY, value TEXT)")
            index.db.execute("INSERT OR REPLACE INTO replica (key, value) VALUES (?, ?)", (key, value))

    def close(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None

    def _url(self) -> str:
        return str(getattr(self.data.store, "query_url", ""))

    # ---- opening ---------------------------------------------------------------------------
    def open(self) -> None:
        """Rebuild the index when it comes from elsewhere (or is new, or was marked stale),
        else catch up from where it stopped."""
        data = self.data
        with self.lock:
            generation = data.index.generation
            store_id, kept_id = changelog.identity(data), self._meta("store") or ""
            same = (self._meta("base") == data.minter.base and self._meta("url") == self._url()
                    and generation is not None and generation >= 0
                    and ((kept_id and kept_id == store_id) or (generation == 0 and not kept_id))
                    and (generation == 0 or changelog.exists(data, generation)))  # (not a store restored
            # from an older backup, whose log stops before this index's position)
            if not same:
                self.rebuild()
                return
            self.position = generation
        self.sync()

    def rebuild(self) -> None:
        """The whole index from the store, at the log's newest entry."""
        data = self.data
        with self.lock:
            started = time.monotonic()
            self._set_meta("store", "")  # not this store's until rebuilt (a crash meanwhile: rebuilt again)
            self.position = changelog.top(data)
            indexer.rebuild(data)
            self._set_meta("base", data.minter.base)
            self._set_meta("url", self._url())
            self._set_meta("store", changelog.identity(data) if self.position else "")
            log.info("claim index replica rebuilt at change %d in %.1f s", self.position,
                     time.monotonic() - started)

    # ---- following ----------------------------------------------------------------------------
    def sync(self) -> bool:
        """Catch up with the change log (one point lookup when up to date). False when the
        index could not be brought up to date (the caller answers from the store)."""
        data = self.data
        with self.lock:
            k = self.position
            if time.monotonic() - self._hole_checked < HOLE_CHECK:
                found = {k + 1} if changelog.exists(data, k + 1) else set()
            else:  # (the entry after it too, for _past_hole: one request where two went one after the other)
                found = changelog.existing(data, (k + 1, k + 2))
            if k + 1 not in found:
                return self._past_hole(k, k + 2 in found)
            self._hole_seen = None
            if changelog.exists(data, k + FAR):  # far behind (a worker that was stopped): build it whole
                return self._rebuilt()
            claims, sources, named, everything, last, first_by = set(), set(), set(), False, k, None
            while True:
                entries = changelog.read(data, last + 1, BATCH)
                for n in range(last + 1, last + 1 + BATCH):
                    if n not in entries:
                        break
                    e = entries[n]
                    claims |= e["claims"]
                    sources |= e["sources"]
                    named |= e["named"]
                    everything = everything or e["all"]
                    first_by = e["by"] if n == 1 else first_by
                    last = n
                else:
                    continue
                break
            return self._derive(k, last, claims, sources, named, everything, first_by)

    def _derive(self, k, last, claims, sources, named, everything, first_by) -> bool:
        data = self.data
        self.position = last  # the rows written below are at this position (Dataset.generation)
        try:
            if everything:
                indexer.rebuild(data)
            else:
                if sources:
                    claims |= set(data.column(queries.index_query(queries.CLAIMS_OF_SOURCES, sources, "s"), "c"))
                indexer.rebuild(data, claims, named)
            if first_by is not None:
                self._set_meta("store", first_by)
            data.log_seen = max(data.log_seen, last)
            return True
        except Exception:
            log.exception("the claim index replica could not follow changes %d to %d; answering from the store",
                          k + 1, last)
            self.position = k
            return False

    def wrote(self, n: int, changed: list) -> None:
        """After this process's write, logged as entry ``n``: the index follows at once."""
        with self.lock:
            if self.data.index is None:  # it stepped aside (kb.indexer.follow)
                return
            if self.position == n - 1:
                self.position = n
                try:
                    indexer.rebuild(self.data, indexer.affected_claims(self.data, changed), indexer.named_in(changed))
                except Exception:  # left behind the log: caught up at the next request (sync)
                    log.exception("the claim index replica could not follow change %d; following it later", n)
                    self.position = n - 1
                    return
                if n == 1:  # the store's first entry: its identity
                    self._set_meta("store", changelog.identity(self.data))
            else:
                self.sync()

    def _past_hole(self, k: int, after: bool) -> bool:
        """Entry k+1 is missing. A writer takes the lowest free number, so a missing entry
        with a later one present should never be seen; if it is (a store edited by hand, a
        writer of another kind), look past it once it has been missing longer than a
        writer's reservation lasts (the entry after it was written longer ago than that, or
        this process has seen the gap that long), and rebuild whole: what it was is unknown.
        Looked at once every HOLE_CHECK seconds at most (``after``: whether entry k+2 was found, asked with k+1)."""
        now = time.monotonic()
        if now - self._hole_checked < HOLE_CHECK:
            return True
        self._hole_checked = now
        if not after:
            self._hole_seen = None
            return True
        if self._hole_seen is None:
            self._hole_seen = now
        written = changelog.written_at(self.data, k + 2)
        old = written is not None and (dt.datetime.now(dt.UTC) - written).total_seconds() > RESERVE_LEASE
        if not old and now - self._hole_seen < RESERVE_LEASE:
            return True
        log.warning("change %d is missing from the store's change log while %d exists; rebuilding the claim index",
                    k + 1, k + 2)
        self._hole_seen = None
        self.data.log_seen = max(self.data.log_seen, k + 2)  # (the newest entry is found past the gap)
        return self._rebuilt()

    def _rebuilt(self) -> bool:
        try:
            self.rebuild()
            return True
        except Exception:
            log.exception("the claim index replica could not be rebuilt; answering from the store")
            self.position = self.data.index.generation or 0
            return False


__all__ = ["attach", "Replica", "INDEX_FILE"]
