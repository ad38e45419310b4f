"""The claim index: what the claim list, its search and its facets need, kept in SQLite beside an embedded store
and updated by every write. It holds only what can be derived from the RDF store (:func:`kb.indexer.rebuild`).
Each write bumps a generation number in the store and in the index; when they differ on opening (a crash
between the two), the index is rebuilt.

Search (see :mod:`kb.text`) looks in each claim's searchable texts, folded by :func:`kb.text.fold` when indexed: its
own texts, its quote, its standing disputes' texts and quotes (the ``fields`` table, under an FTS5 trigram index, so
Japanese, which has no spaces between words, is found by substring), and the names of its claimant, its parties and
what it is about (the ``names`` table, one row per entity and name, reached through the claim's links: renaming an
agent changes one entity's rows, not its claims'). Phrases and words shorter than three characters, which trigrams
cannot serve, are found by scanning the folded texts. What a search then does to the claims it found (rank, filter,
order, count, facets) is done on the index's columns in memory (:mod:`kb.columns`), kept in step by every write here
and loaded once from the index file, in a thread started by the first list page's facets or by the first search (which
waits for it: ~4 s at 100,000 claims).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from .indexchange import Change
from .indexcounts import KeptCounts
from .status import bounds
from .text import terms

if TYPE_CHECKING:
    import numpy as np


def _numpy_columns():  # kb.columns, imported when first needed (with numpy: 0.1-0.25 s of a fresh process's start)
    from . import columns
    return columns

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS claims (
  iri TEXT PRIMARY KEY, date TEXT NOT NULL, dstart TEXT NOT NULL, dend TEXT NOT NULL,
  recorded TEXT NOT NULL, status TEXT NOT NULL, claimant TEXT, withdrawn INTEGER NOT NULL,
  disputes INTEGER NOT NULL, verdict TEXT, card TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS claims_order ON claims (withdrawn, date DESC, recorded DESC, iri);
CREATE INDEX IF NOT EXISTS claims_claimant ON claims (claimant);
CREATE INDEX IF NOT EXISTS claims_status ON claims (status);
CREATE TABLE IF NOT EXISTS links (claim TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS links_claim ON links (claim, kind, value);
CREATE INDEX IF NOT EXISTS links_value ON links (kind, value, claim);
-- the standing disputes of each claim, for the dispute network: date is the dispute's own or its
-- first source's publication date as given (YYYY, YYYY-MM or YYYY-MM-DD), recorded its write time
CREATE TABLE IF NOT EXISTS disputes (
  iri TEXT NOT NULL, claim TEXT NOT NULL, party TEXT NOT NULL, stance TEXT NOT NULL, date TEXT, recorded TEXT);
CREATE INDEX IF NOT EXISTS disputes_claim ON disputes (claim);
-- the facet counts of all standing claims, and each topic's claims, disputes and latest write, kept
-- up to date by every write (so that neither a fresh process's first list page nor its busiest stories
-- count 100,000 claims)
CREATE TABLE IF NOT EXISTS counts (facet TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (facet, value));
-- the counts a write took to nothing, found without a scan of every count (dropped after each write)
CREATE INDEX IF NOT EXISTS counts_zero ON counts (facet) WHERE n = 0;
CREATE TABLE IF NOT EXISTS topics (topic TEXT PRIMARY KEY, claims INTEGER NOT NULL, disputes INTEGER NOT NULL,
  latest TEXT);
CREATE TABLE IF NOT EXISTS texts (claim TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS texts_claim ON texts (claim, lang);
-- each claim's searchable texts, folded (kb.text.fold), by kind (kb.text.KINDS): 'text', 'quote', 'dispute';
-- the search table's rowid is the fields row's rowid, so a claim's entries are found by the fields index
CREATE TABLE IF NOT EXISTS fields (claim TEXT NOT NULL, kind TEXT NOT NULL, norm TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS fields_claim ON fields (claim);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5 (norm, content = '', tokenize = 'trigram case_sensitive 1');
-- every agent's and topic's names (all languages), folded; a claim reaches them through its claimant and links
CREATE TABLE IF NOT EXISTS names (entity TEXT NOT NULL, norm TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS names_entity ON names (entity);
-- each judged claim's ClaimReview for the feed, as JSON without the addresses of this site (kb.claimreview)
CREATE TABLE IF NOT EXISTS reviews (claim TEXT PRIMARY KEY, json TEXT NOT NULL);
-- values derived from the store at one generation (the busiest stories), as JSON (see ClaimIndex.kept)
CREATE TABLE IF NOT EXISTS kept (key TEXT PRIMARY KEY, generation INTEGER NOT NULL, json TEXT NOT NULL);
"""
ROWS = ("claims", "links", "texts", "disputes", "counts", "topics", "fields", "names", "reviews", "kept")  # (not meta)
SEARCHED = 32  # searches whose claims are kept until the next write
VERSION = "9"  # 8: each claim's verdict (its rating's notation, "unmapped", or NULL); a duplicate (the same as
# another standing claim) is left out of the list as a withdrawn claim is; each judged claim's ClaimReview
# 9: each claim's card (kb.indexer.card: what a list shows of it and where a search may match it)

INSERT_CLAIM = "INSERT INTO claims VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


def _claim_row(r: dict) -> tuple:
    return (r["iri"], r["date"], *bounds(r["date"]), r["recorded"], r["status"], r["claimant"], int(r["withdrawn"]),
            r["disputes"], r.get("verdict"), json.dumps(r["card"], ensure_ascii=False))


log = logging.getLogger("claimkb")

class ClaimIndex(KeptCounts):
    def __init__(self, path: str | None = None):
        self.lock = threading.RLock()
        self._cache: OrderedDict = OrderedDict()
        self.db = None
        try:
            self._open(path)
        except sqlite3.OperationalError as e:
            if not path or not any(w in str(e).lower() for w in ("readonly", "read-only", "unable to open")):
                raise
            # a store folder that cannot be written: keep the index in memory (rebuilt from the store)
            log.info("the claim index %s cannot be written (%s); keeping it in memory", path, e)
            if self.db is not None:
                self.db.close()
            self._open(None)

    def _open(self, path: str | None) -> None:
        self.db = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode = WAL" if path else "PRAGMA journal_mode = MEMORY")
        self.db.execute("PRAGMA synchronous = NORMAL")
        with self.lock:
            if self._meta("version") not in (None, VERSION):
                for t in ("meta", "search", *ROWS):
                    self.db.execute(f"DROP TABLE IF EXISTS {t}")
            self.db.executescript(SCHEMA)
            self._set_meta("version", VERSION)
        self._searched: OrderedDict = OrderedDict()  # a search's claims and ranks, least recent first
        self._pending: list[Change] | None = None  # writes made while the columns load
        self._ready = threading.Event()
        self._path = path if path and self.generation is not None else None  # columns to load from it
        self.columns = None if self._path else _numpy_columns().Columns()
        if self._path is None:  # a new index, or one in memory: filled by the writes to come
            self._ready.set()

    def _columns(self, wait: bool) -> None:
        """Start loading the columns from the index file, once: after the facets of the first list page are
        counted (not before: it would slow the first page of a process), or when first searched (which waits)."""
        with self.lock:
            if self._path is not None and self._pending is None and not self._ready.is_set():
                self._pending = []
                threading.Thread(target=self._load, args=(self._path,), name="claim-index-columns",
                                 daemon=True).start()
        if wait:
            self._ready.wait()

    def _load(self, path: str) -> None:
        """Load the columns from the index file (another connection: writes go on meanwhile, and are
        applied after, from the generation read)."""
        try:
            db = sqlite3.connect(path, isolation_level=None)
            try:
                columns = _numpy_columns().load(db)
            finally:
                db.close()
            _numpy_columns().warm(columns)
        except Exception:
            log.exception("the claim index's columns could not be loaded; reading them again when searched")
            columns = None
        with self.lock:
            pending, self._pending = self._pending or [], None
            if columns is None:
                try:
                    columns = _numpy_columns().load(self.db)
                except sqlite3.ProgrammingError:  # the index closed meanwhile (its knowledge base closed): no one waits
                    self._ready.set()
                    return
            for change in pending:
                if change.everything or columns.generation is None or change.generation > columns.generation:
                    columns.apply(change)
            self.columns = columns
            self._ready.set()

    # ---- bookkeeping ---------------------------------------------------------------
    def _meta(self, key: str) -> str | None:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.OperationalError:
            return None
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    @property
    def generation(self) -> int | None:
        g = self._meta("generation")
        return int(g) if g is not None else None

    def close(self):
        self.db.close()

    def wait(self) -> None:
        """Until the columns a search uses are loaded (kb.columns; a search waits for them itself)."""
        self._columns(wait=True)

    def forget(self) -> None:
        """Drop the pages, facets and searches kept until the next write (benchmarks measure with none)."""
        with self.lock:
            self._cache.clear()
            self._searched.clear()

    # ---- writes ----------------------------------------------------------------------
    def write(self, rows: list[dict], links: list[tuple], texts: list[tuple], claims: set[str], generation: int,
              *, everything: bool = False, disputes: list[tuple] = (), fields: list[tuple] = (),
              names: list[tuple] = (), named: set[str] = frozenset(), reviews: list[tuple] = ()) -> None:
        """Replace the index rows of ``claims`` (or of all claims) and the names of the entities ``named`` (or of
        all) in one transaction. ``fields``: (claim, kind, folded text); ``names``: (entity, folded name);
        ``reviews``: (claim, ClaimReview JSON)."""
        with self.lock:
            self._cache.clear()
            self._searched.clear()
            change = Change(generation, everything, set(claims), rows, links, texts, [], names, set(named))
            db = self.db
            db.execute("BEGIN")
            try:
                if everything:
                    for t in ROWS:
                        db.execute(f"DELETE FROM {t}")
                    db.execute("INSERT INTO search (search) VALUES ('delete-all')")
                else:
                    for e in named:
                        db.execute("DELETE FROM names WHERE entity = ?", (e,))
                    db.execute("CREATE TEMP TABLE IF NOT EXISTS changed (iri TEXT PRIMARY KEY)")
                    db.execute("DELETE FROM changed")
                    db.executemany("INSERT OR IGNORE INTO changed VALUES (?)", [(c,) for c in claims])
                    topics = self._topic_shares()
                    self._count_changed(-1)
                    dropped = db.execute("SELECT rowid, norm FROM fields WHERE claim IN changed").fetchall()
                    # a contentless FTS table forgets a row when given back the text it indexed
                    db.executemany("INSERT INTO search (search, rowid, norm) VALUES ('delete', ?, ?)", dropped)
                    change.dropped += [r[0] for r in dropped]
                    for table in ("fields", "claims", "links", "texts", "disputes", "reviews"):
                        db.execute(f"DELETE FROM {table} WHERE {'iri' if table == 'claims' else 'claim'} IN changed")
                db.executemany(INSERT_CLAIM, map(_claim_row, rows))
                db.executemany("INSERT INTO links VALUES (?, ?, ?)", links)
                db.executemany("INSERT INTO disputes VALUES (?, ?, ?, ?, ?, ?)", disputes)
                db.executemany("INSERT INTO texts VALUES (?, ?, ?)", texts)
                top = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM fields").fetchone()[0]
                db.executemany("INSERT INTO fields VALUES (?, ?, ?)", fields)  # (rowids after the highest)
                db.execute("INSERT INTO search (rowid, norm) SELECT rowid, norm FROM fields WHERE rowid > ?", (top,))
                change.fields += db.execute("SELECT rowid, claim, kind, norm FROM fields WHERE rowid > ? ORDER BY rowid",
                                            (top,)).fetchall()
                db.executemany("INSERT INTO names VALUES (?, ?)", names)
                db.executemany("INSERT OR REPLACE INTO reviews VALUES (?, ?)", reviews)
                if everything:
                    self._count_all()
                else:
                    self._count_changed(+1)
                    self.db.execute("DELETE FROM counts WHERE n = 0")
                    self._follow_topics(topics, self._topic_shares())
                self._set_meta("generation", str(generation))
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:  # SQLite has already rolled back after some errors (a full disk)
                    db.execute("ROLLBACK")
                raise
            if generation >= 0:  # (not when the index is only marked stale)
                if self._pending is not None:  # loading: applied after
                    self._pending.append(change)
                elif self._ready.is_set() or everything:  # (not loaded yet: the load will read it)
                    self.columns = self.columns or _numpy_columns().Columns()
                    self.columns.apply(change)
                    self._path = None
                    self._ready.set()

    def write_all(self, batches, names: list[tuple], generation: int) -> None:
        """Replace the whole index in one transaction with the rows of every claim, given in
        batches (dicts of ``rows``, ``links``, ``texts``, ``disputes``, ``fields``, ``reviews``, as
        :meth:`write` takes them), and ``names``; none of them is kept in memory after its batch.
        The columns are then read from the index as a fresh process reads them (kb.columns)."""
        if self._pending is not None:  # the columns are loading: let that end first
            self._ready.wait()
        with self.lock:
            self._cache.clear()
            self._searched.clear()
            db = self.db
            db.execute("BEGIN")
            try:
                for t in ROWS:
                    db.execute(f"DELETE FROM {t}")
                db.execute("INSERT INTO search (search) VALUES ('delete-all')")
                for b in batches:
                    db.executemany(INSERT_CLAIM, map(_claim_row, b["rows"]))
                    db.executemany("INSERT INTO links VALUES (?, ?, ?)", b["links"])
                    db.executemany("INSERT INTO disputes VALUES (?, ?, ?, ?, ?, ?)", b["disputes"])
                    db.executemany("INSERT INTO texts VALUES (?, ?, ?)", b["texts"])
                    top = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM fields").fetchone()[0]
                    db.executemany("INSERT INTO fields VALUES (?, ?, ?)", b["fields"])
                    db.execute("INSERT INTO search (rowid, norm) SELECT rowid, norm FROM fields WHERE rowid > ?",
                               (top,))
                    db.executemany("INSERT OR REPLACE INTO reviews VALUES (?, ?)", b["reviews"])
                db.executemany("INSERT INTO names VALUES (?, ?)", names)
                self._count_all()
                self._set_meta("generation", str(generation))
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            file = next((r[2] for r in db.execute("PRAGMA database_list") if r[1] == "main"), "")
            self.columns = None
            if file:  # loaded when first needed, in a thread (see _columns)
                self._path = file
                self._ready.clear()
            else:
                self.columns = _numpy_columns().load(db)
                self._ready.set()

    # ---- search --------------------------------------------------------------------------
    ESTIMATE = 2000  # field rows counted, at most, to tell a rare word from a common one

    @staticmethod
    def _fields_with(text: str) -> tuple[str, list]:
        """The rowids of the fields holding a folded text of three characters or more, by trigrams."""
        return "SELECT rowid FROM search WHERE search MATCH ?", ['"' + text.replace('"', '""') + '"']

    def _rowids(self, text: str, within=None) -> list:
        """The rowids of the fields holding a folded text (of the claims at positions ``within``, when given):
        by trigrams, else by reading the folded texts in memory (kb.columns)."""
        if within is None and len(text) >= 3:
            sql, args = self._fields_with(text)
            return [r[0] for r in self.db.execute(sql, args)]
        return self.columns.fields_with(text, within)

    def _common(self, word: str) -> bool:
        """Whether a word is in ESTIMATE fields or more (or too short to tell by trigrams)."""
        if len(word) < 3:
            return True
        sql, args = self._fields_with(word)
        return self.db.execute(f"SELECT COUNT(*) FROM ({sql} LIMIT {self.ESTIMATE})", args).fetchone()[0] \
            >= self.ESTIMATE

    def _search(self, q: str) -> tuple[np.ndarray, np.ndarray]:
        """The positions (kb.columns) of the standing claims a search finds, and their rank, kept until the next
        write. ``q``: folded words joined by spaces (kb.filters)."""
        return self._kept_claims(q, lambda: self._find(q))

    def _kept_claims(self, key, compute):
        """``compute()`` (claims' positions), kept until the next write among the SEARCHED latest."""
        with self.lock:
            if key in self._searched:
                self._searched.move_to_end(key)
                return self._searched[key]
            self._searched[key] = value = compute()
            while len(self._searched) > SEARCHED:
                self._searched.popitem(last=False)
            return value

    def _find(self, q: str) -> tuple[np.ndarray, np.ndarray]:
        cols = self.columns
        phrase, words = terms(q)
        every = None
        if len(words) > 1:
            # scattered words: the claims holding each word in a field or through a name; a common word
            # is looked for only in the fields of the claims holding the rarer ones
            for common, w in sorted((self._common(w), w) for w in words):
                held = cols.in_fields(self._rowids(w, every if common and every is not None else None)) | cols.named(w)
                every = held if every is None else every & held
        return cols.search(self._rowids(phrase), phrase, every)

    def _searched_claims(self, f: dict) -> np.ndarray:
        """The positions of a search's claims that the other filters keep, best first (then newest)."""
        found, rank = self._search(str(f["q"]))
        keep = self.columns.where(found, f)
        return self.columns.order(found[keep], rank[keep])

    # ---- reads -------------------------------------------------------------------------
    def _in_memory(self, f: dict) -> bool:
        """Whether a list is answered from the columns (kb.columns): a search always (it waits for them); a
        filtered list once they are loaded (counting a claimant's facets in SQLite took 1.2-2.8 s at 100,000
        claims, in the columns a few ms). The whole list keeps its counts (``counts``)."""
        return f.get("q") is not None or (bool(f) and self._ready.is_set())

    def _listed(self, f: dict) -> np.ndarray:
        """The positions of the claims a list shows, in its order, kept until the next write."""
        def compute():
            return (self._searched_claims(f) if f.get("q") is not None else self.columns.listed(f)).astype("int32")

        return self._kept_claims(("listed", tuple(sorted((k, str(v)) for k, v in f.items()))), compute)

    def _where(self, f: dict) -> tuple[str, list]:
        """The conditions of a list's filters (but a search: see _searched_claims) on claims ``c``."""
        sql, args = ["c.withdrawn = 0"], []
        for kind in ("about", "source", "party"):
            if f.get(kind) is not None:
                # a list of the entity's claims, checked against each: 2-5x quicker at 100k than EXISTS per claim
                sql.append("c.iri IN (SELECT l.claim FROM links l WHERE l.kind = ? AND l.value = ?)")
                args += [kind, str(f[kind])]
        if f.get("claimant") is not None:
            sql.append("c.claimant = ?")
            args.append(str(f["claimant"]))
        if f.get("language") is not None:
            lang = str(f["language"]).lower()
            sql.append("EXISTS (SELECT 1 FROM texts t WHERE t.claim = c.iri AND (t.lang = ? OR t.lang LIKE ?))")
            args += [lang, lang.replace("%", "").replace("_", "") + "-%"]
        if f.get("status") is not None:
            sql.append("c.status = ?")
            args.append(str(f["status"]))
        if f.get("verdict") is not None:
            sql.append("c.verdict = ?")
            args.append(str(f["verdict"]))
        if f.get("date_from") is not None:
            sql.append("c.dend >= ?")
            args.append(str(f["date_from"]))
        if f.get("date_to") is not None:
            sql.append("c.dstart <= ?")
            args.append(str(f["date_to"]))
        if f.get("date") is not None:
            sql.append("substr(c.date, 1, 7) = ?")
            args.append(str(f["date"]))
        return " AND ".join(sql), args

    def _cached(self, key, compute):
        with self.lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            value = compute()
            self._cache[key] = value
            if len(self._cache) > 256:
                self._cache.popitem(last=False)
            return value

    def page(self, f: dict, limit: int, offset: int) -> tuple[list[str], int]:
        key = ("page", tuple(sorted((k, str(v)) for k, v in f.items())), limit, offset)

        def compute():
            if self._in_memory(f):
                found = self._listed(f)
                return [self.columns.iris[p] for p in found[offset : offset + limit]], len(found)
            where, args = self._where(f)
            rows = self.db.execute(f"SELECT iri FROM claims c WHERE {where} "
                                   "ORDER BY date DESC, recorded DESC, iri LIMIT ? OFFSET ?",
                                   (*args, limit, offset)).fetchall()
            if any(f.get(k) is not None for k in ("about", "source", "party")):
                # counted from the entity's claims (by their primary key), not by scanning every claim in
                # the order index: 1 ms instead of ~100 ms for a topic's 244 claims at 100,000 claims
                where = "+" + where  # "+c.withdrawn": the withdrawn column's index is not used to count
            total = self.db.execute(f"SELECT COUNT(*) FROM claims c WHERE {where}", args).fetchone()[0]
            return [r[0] for r in rows], total

        if f.get("q") is not None:
            self._columns(wait=True)
        return self._cached(key, compute)

    def facets(self, f: dict, limit: int | None = None) -> dict[str, list[tuple[str, int]]]:
        """``{facet: [(value, count)]}``, most first, then by value (the first ``limit`` of each, at least)."""
        key = ("facets", tuple(sorted((k, str(v)) for k, v in f.items())), limit)

        def compute():
            if not f:  # every standing claim: the counts kept by each write
                rows = self.db.execute("SELECT facet, value, n FROM counts").fetchall()
                return {name: sorted(((v, n) for fc, v, n in rows if fc == name), key=lambda r: (-r[1], r[0]))
                        for name in self.FACETS}
            if self._in_memory(f):
                return self.columns.facets(self._listed(f), limit)
            return self.counted(f)

        if f.get("q") is not None:
            self._columns(wait=True)
        try:
            return self._cached(key, compute)
        finally:  # the list page with its facets is served: a search may well follow
            self._columns(wait=False)

    def counted(self, f: dict) -> dict[str, list[tuple[str, int]]]:
        """The facets of a list (not a search) counted in SQLite (before the columns are loaded)."""
        with self.lock:
            where, args = self._where(f)
            out = {}
            for name, sql in self.FACETS.items():
                rows = self.db.execute(sql.format(w=where), args).fetchall()
                out[name] = sorted(rows, key=lambda r: (-r[1], r[0]))
            return out

    def kept(self, key: str, compute):
        """``compute()`` (JSON-able), kept in the index file at the generation it was computed at: never
        stale (a write moves it); a fresh process finds it (the busiest stories: 24 claims not read)."""
        with self.lock:
            gen = self.generation
            row = self.db.execute("SELECT json FROM kept WHERE key = ? AND generation = ?", (key, gen)).fetchone()
        if row is not None:
            return json.loads(row[0])
        value = compute()  # (a write meanwhile moves the generation: what is kept below is never read)
        with self.lock:
            self.db.execute("INSERT OR REPLACE INTO kept SELECT ?, ?, ? WHERE ? >= 0", (key, gen, json.dumps(value), gen))
        return value

    def named_by(self, claims: list[str]) -> list[str]:
        """The people, topics and sources the index says these claims name: claimants, subjects, sources, parties."""
        marks = ",".join("?" * len(claims))
        with self.lock:
            return [v for v, in self.db.execute(
                f"SELECT value FROM links WHERE kind IN ('about', 'source', 'party') AND claim IN ({marks}) "
                f"UNION SELECT claimant FROM claims WHERE claimant IS NOT NULL AND iri IN ({marks})", [*claims, *claims])]

    def _claim_rows(self, columns: str, claims: list[str]) -> list:
        """These ``columns`` of the claims table's rows of those of ``claims`` it holds."""
        rows = []
        with self.lock:
            for i in range(0, len(claims), 5000):  # (SQLite's bound on a statement's parameters)
                part = claims[i : i + 5000]
                rows += self.db.execute(f"SELECT {columns} FROM claims WHERE iri IN ({','.join('?' * len(part))})",
                                        part).fetchall()
        return rows

    def cards(self, claims: list[str]) -> dict[str, dict]:
        """{claim: its card (kb.indexer.card) with its ``status``, its ``count`` of standing disputes and whether
        it is ``judged``}, of those of these claims in the index."""
        rows = self._claim_rows("iri, status, disputes, verdict, card", claims)
        return {c: json.loads(card) | {"status": st, "count": n, "judged": v is not None} for c, st, n, v, card in rows}

    def busiest_topics(self, limit: int) -> list[tuple[str, int, int]]:
        """(topic, claims, disputes) for the topics gathering most disputes, then claims, then recent ones."""
        return self._cached(("busiest", limit), lambda: [tuple(r) for r in self.db.execute(
            "SELECT topic, claims, disputes FROM topics ORDER BY disputes DESC, claims DESC, latest DESC, topic "
            "LIMIT ?", (limit,))])

    def ordered(self, f: dict) -> list[str]:
        if f.get("q") is not None:
            self._columns(wait=True)
        with self.lock:
            if self._in_memory(f):
                return [self.columns.iris[p] for p in self._listed(f)]
            where, args = self._where(f)
            return [r[0] for r in self.db.execute(
                f"SELECT iri FROM claims c WHERE {where} ORDER BY date DESC, recorded DESC, iri", args)]

    def newest_first(self, claims: list[str]) -> list[str]:
        """Those of these claims the index holds (withdrawn ones too), in the list's order: newest first."""
        rows = self._claim_rows("iri, date, recorded", claims)
        rows.sort(key=lambda r: r[0])
        rows.sort(key=lambda r: (r[1], r[2]), reverse=True)  # (stable: ties stay in IRI order, as ORDER BY … iri)
        return [r[0] for r in rows]

    def naming(self, kind: str, value: str, limit: int | None) -> tuple[list[str], int]:
        """The claims (withdrawn ones too) that ``value`` made (``kind`` "claimant") or that name it (``kind``
        "about" or "source"), newest first: the first ``limit`` of them (all with None), and how many."""
        if kind == "claimant":
            among, args = "claims c WHERE c.claimant = ?", [value]
        else:
            among, args = "links l JOIN claims c ON c.iri = l.claim WHERE l.kind = ? AND l.value = ?", [kind, value]
        with self.lock:
            total = self.db.execute(f"SELECT COUNT(*) FROM {among}", args).fetchone()[0]
            rows = self.db.execute(f"SELECT c.iri FROM {among} ORDER BY c.date DESC, c.recorded DESC, c.iri LIMIT ?",
                                   [*args, -1 if limit is None else max(0, int(limit))]).fetchall()
        return [r[0] for r in rows], total

    def reviews(self, batch: int = 1000):
        """Every judged claim's ClaimReview JSON, by claim IRI, a batch of (claim, json) rows at a time."""
        last = ""
        while True:
            with self.lock:
                rows = self.db.execute("SELECT claim, json FROM reviews WHERE claim > ? ORDER BY claim LIMIT ?",
                                       (last, batch)).fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]

    def network(self, f: dict) -> list[tuple]:
        """(dispute, party, stance, claim, claimant, date, recorded) for the standing disputes of the
        claims these filters give (``about`` only, as the network takes it) and of ``stance``."""
        sql = ("SELECT d.iri, d.party, d.stance, d.claim, c.claimant, d.date, d.recorded FROM claims c "
               "JOIN disputes d ON d.claim = c.iri WHERE c.withdrawn = 0 AND c.claimant IS NOT NULL")
        args = []
        if f.get("about") is not None:  # from the entity's links, not a scan of every claim
            sql = sql.replace("FROM claims c", "FROM links l JOIN claims c ON c.iri = l.claim") + \
                " AND l.kind = 'about' AND l.value = ?"
            args.append(str(f["about"]))
        if f.get("stance") is not None:
            sql += " AND d.stance = ?"
            args.append(str(f["stance"]))
        with self.lock:
            return self.db.execute(sql, args).fetchall()
