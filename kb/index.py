"""The claim index: what the claim list, its search and its facets need, kept
in SQLite beside an embedded store and updated by every write.

It holds only what can be derived from the RDF store (rebuild with
:func:`kb.indexer.rebuild`). Each write bumps a generation number in the
store and in the index; when they differ on opening (a crash between the two),
the index is rebuilt. Search uses an FTS5 trigram index over lower-cased
texts, so Japanese (no spaces between words) is found by substring, exactly
as ``CONTAINS(LCASE(text), q)`` would; one- and two-character searches, which
trigrams cannot serve, scan the texts instead.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import OrderedDict

from .status import bounds

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS claims (
  iri TEXT PRIMARY KEY, date TEXT NOT NULL, dstart TEXT NOT NULL, dend TEXT NOT NULL,
  recorded TEXT NOT NULL, status TEXT NOT NULL, claimant TEXT, withdrawn INTEGER NOT NULL,
  disputes INTEGER NOT NULL, verdict TEXT);
CREATE INDEX IF NOT EXISTS claims_order ON claims (withdrawn, date DESC, recorded DESC, iri);
CREATE INDEX IF NOT EXISTS claims_claimant ON claims (claimant);
CREATE INDEX IF NOT EXISTS claims_status ON claims (status);
CREATE TABLE IF NOT EXISTS links (claim TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS links_claim ON links (claim);
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
CREATE TABLE IF NOT EXISTS topics (topic TEXT PRIMARY KEY, claims INTEGER NOT NULL, disputes INTEGER NOT NULL,
  latest TEXT);
CREATE TABLE IF NOT EXISTS texts (claim TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS texts_claim ON texts (claim);
-- the search table's rowid is the texts row's rowid, so a claim's entries are found by the texts index
-- each judged claim's ClaimReview for the feed, as JSON without the addresses of this site (kb.claimreview)
CREATE TABLE IF NOT EXISTS reviews (claim TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5 (text, content = '', tokenize = 'trigram case_sensitive 1');
"""
VERSION = "7"  # 6: a date's span from kb.status (a month ends on its last day; no date: "")
# 7: each claim's verdict (its rating's notation, "unmapped", or NULL); a duplicate (the same as another
# standing claim) is left out of the list as a withdrawn claim is; each judged claim's ClaimReview


log = logging.getLogger("claimkb")

class ClaimIndex:
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
                for t in ("meta", "claims", "links", "texts", "disputes", "counts", "topics", "search", "reviews"):
                    self.db.execute(f"DROP TABLE IF EXISTS {t}")
            self.db.executescript(SCHEMA)
            self._set_meta("version", VERSION)

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

    # ---- writes ----------------------------------------------------------------------
    def write(self, rows: list[dict], links: list[tuple], texts: list[tuple], claims: set[str], generation: int,
              *, everything: bool = False, disputes: list[tuple] = (), reviews: list[tuple] = ()) -> None:
        """Replace the index rows of ``claims`` (or of all claims) in one transaction."""
        with self.lock:
            self._cache.clear()
            db = self.db
            db.execute("BEGIN")
            try:
                if everything:
                    for t in ("claims", "links", "texts", "disputes", "counts", "topics", "reviews"):
                        db.execute(f"DELETE FROM {t}")
                    db.execute("INSERT INTO search (search) VALUES ('delete-all')")
                else:
                    db.execute("CREATE TEMP TABLE IF NOT EXISTS changed (iri TEXT PRIMARY KEY)")
                    db.execute("DELETE FROM changed")
                    db.executemany("INSERT OR IGNORE INTO changed VALUES (?)", [(c,) for c in claims])
                    topics = self._topics_of_changed()
                    self._count_changed(-1)
                    for c in claims:
                        # a contentless FTS table forgets a row when given back the text it indexed
                        db.execute("INSERT INTO search (search, rowid, text) "
                                   "SELECT 'delete', rowid, lower(text) FROM texts WHERE claim = ?", (c,))
                        db.execute("DELETE FROM claims WHERE iri = ?", (c,))
                        db.execute("DELETE FROM links WHERE claim = ?", (c,))
                        db.execute("DELETE FROM texts WHERE claim = ?", (c,))
                        db.execute("DELETE FROM disputes WHERE claim = ?", (c,))
                        db.execute("DELETE FROM reviews WHERE claim = ?", (c,))
                db.executemany("INSERT INTO claims VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                    (r["iri"], r["date"], *bounds(r["date"]), r["recorded"], r["status"], r["claimant"],
                     int(r["withdrawn"]), r["disputes"], r.get("verdict")) for r in rows])
                db.executemany("INSERT INTO links VALUES (?, ?, ?)", links)
                db.executemany("INSERT INTO disputes VALUES (?, ?, ?, ?, ?, ?)", disputes)
                db.executemany("INSERT OR REPLACE INTO reviews VALUES (?, ?)", reviews)
                for c, lang, text in texts:
                    rowid = db.execute("INSERT INTO texts VALUES (?, ?, ?)", (c, lang, text)).lastrowid
                    db.execute("INSERT INTO search (rowid, text) VALUES (?, ?)", (rowid, text.lower()))
                if everything:
                    self._count_all()
                else:
                    self._count_changed(+1)
                    self._recount_topics(topics | self._topics_of_changed())
                self._set_meta("generation", str(generation))
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:  # SQLite has already rolled back after some errors (a full disk)
                    db.execute("ROLLBACK")
                raise

    def _count_all(self) -> None:
        for name, sql in self.FACETS.items():
            self.db.execute(f"INSERT INTO counts SELECT '{name}', * FROM ({sql.format(w='c.withdrawn = 0')})")
        self.db.execute("INSERT INTO topics " + self.TOPIC_STATS.format(w="1") + " GROUP BY l.value")

    def _count_changed(self, sign: int) -> None:
        """Take the changed claims' share out of the facet counts (-1), or put it back in (+1).
        Each count is a number of claims, so the whole is the sum of every claim's share."""
        for name, sql in self.FACETS.items():
            # from the changed claims outwards (CROSS JOIN keeps that order), never a scan of every claim
            sql = sql.replace("FROM claims c", "FROM temp.changed x CROSS JOIN claims c ON c.iri = x.iri") \
                .replace(" JOIN links l", " CROSS JOIN links l").replace(" JOIN texts t", " CROSS JOIN texts t")
            self.db.execute(f"WITH part (value, n) AS ({sql.format(w='c.withdrawn = 0')}) "
                            f"INSERT INTO counts SELECT '{name}', value, {sign} * n FROM part WHERE true "
                            "ON CONFLICT (facet, value) DO UPDATE SET n = n + excluded.n")
        self.db.execute("DELETE FROM counts WHERE n = 0")

    def _topics_of_changed(self) -> set[str]:
        return {r[0] for r in self.db.execute(
            "SELECT DISTINCT l.value FROM temp.changed x CROSS JOIN links l INDEXED BY links_claim "
            "ON l.claim = x.iri WHERE l.kind = 'topic'")}

    def _recount_topics(self, topics: set[str]) -> None:
        for t in topics:
            self.db.execute("DELETE FROM topics WHERE topic = ?", (t,))
            self.db.execute("INSERT INTO topics " + self.TOPIC_STATS.format(w="l.value = ?") + " GROUP BY l.value",
                            (t,))

    # ---- reads -------------------------------------------------------------------------
    def _where(self, f: dict) -> tuple[str, list]:
        sql, args = ["c.withdrawn = 0"], []
        for kind in ("about", "source", "party"):
            if f.get(kind) is not None:
                # a list of the entity's claims, checked against each claim: 2 to 5 times quicker at
                # 100,000 claims than asking the links once per claim (EXISTS)
                sql.append("c.iri IN (SELECT l.claim FROM links l WHERE l.kind = ? AND l.value = ?)")
                args += [kind, str(f[kind])]
        if f.get("claimant") is not None:
            sql.append("c.claimant = ?")
            args.append(str(f["claimant"]))
        if f.get("language") is not None:
            lang = str(f["language"]).lower()
            sql.append("EXISTS (SELECT 1 FROM texts t WHERE t.claim = c.iri AND (t.lang = ? OR t.lang LIKE ?))")
            args += [lang, lang.replace("%", "").replace("_", "") + "-%"]
        if f.get("q") is not None:
            q = str(f["q"])
            if len(q) >= 3:
                sql.append("c.iri IN (SELECT t.claim FROM texts t WHERE t.rowid IN "
                           "(SELECT rowid FROM search WHERE search MATCH ?))")
                args.append('"' + q.replace('"', '""') + '"')
            else:
                sql.append("EXISTS (SELECT 1 FROM texts t WHERE t.claim = c.iri AND instr(lower(t.text), ?) > 0)")
                args.append(q)
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
            where, args = self._where(f)
            rows = self.db.execute(f"SELECT iri FROM claims c WHERE {where} "
                                   "ORDER BY date DESC, recorded DESC, iri LIMIT ? OFFSET ?",
                                   (*args, limit, offset)).fetchall()
            total = self.db.execute(f"SELECT COUNT(*) FROM claims c WHERE {where}", args).fetchone()[0]
            return [r[0] for r in rows], total

        return self._cached(key, compute)

    FACETS = {
        "status": "SELECT c.status, COUNT(*) FROM claims c WHERE {w} GROUP BY 1",
        "party": "SELECT l.value, COUNT(DISTINCT c.iri) FROM claims c JOIN links l ON l.claim = c.iri "
                 "AND l.kind = 'party' WHERE {w} GROUP BY 1",
        "claimant": "SELECT c.claimant, COUNT(*) FROM claims c WHERE {w} AND c.claimant IS NOT NULL GROUP BY 1",
        "about": "SELECT l.value, COUNT(DISTINCT c.iri) FROM claims c JOIN links l ON l.claim = c.iri "
                 "AND l.kind = 'about' WHERE {w} GROUP BY 1",
        "source": "SELECT l.value, COUNT(DISTINCT c.iri) FROM claims c JOIN links l ON l.claim = c.iri "
                  "AND l.kind = 'source' WHERE {w} GROUP BY 1",
        "language": "SELECT t.lang, COUNT(DISTINCT c.iri) FROM claims c JOIN texts t ON t.claim = c.iri "
                    "WHERE {w} GROUP BY 1",
        "date": "SELECT substr(c.date, 1, 7), COUNT(*) FROM claims c WHERE {w} AND c.date != '' GROUP BY 1",
        "verdict": "SELECT c.verdict, COUNT(*) FROM claims c WHERE {w} AND c.verdict IS NOT NULL "
                   "AND c.verdict != 'unmapped' GROUP BY 1",
    }

    TOPIC_STATS = ("SELECT l.value, COUNT(*), SUM(c.disputes), MAX(c.recorded) FROM links l "
                   "JOIN claims c ON c.iri = l.claim WHERE l.kind = 'topic' AND c.withdrawn = 0 AND {w}")

    def facets(self, f: dict) -> dict[str, list[tuple[str, int]]]:
        key = ("facets", tuple(sorted((k, str(v)) for k, v in f.items())))

        def compute():
            if not f:  # every standing claim: the counts kept by each write
                rows = self.db.execute("SELECT facet, value, n FROM counts").fetchall()
                return {name: sorted(((v, n) for fc, v, n in rows if fc == name), key=lambda r: (-r[1], r[0]))
                        for name in self.FACETS}
            where, args = self._where(f)
            out = {}
            for name, sql in self.FACETS.items():
                rows = self.db.execute(sql.format(w=where), args).fetchall()
                out[name] = sorted(rows, key=lambda r: (-r[1], r[0]))
            return out

        return self._cached(key, compute)

    def busiest_topics(self, limit: int) -> list[tuple[str, int, int]]:
        """(topic, claims, disputes) for the topics gathering most disputes, then claims, then recent ones."""
        return self._cached(("busiest", limit), lambda: [tuple(r) for r in self.db.execute(
            "SELECT topic, claims, disputes FROM topics ORDER BY disputes DESC, claims DESC, latest DESC, topic "
            "LIMIT ?", (limit,))])

    def ordered(self, f: dict) -> list[str]:
        where, args = self._where(f)
        return [r[0] for r in self.db.execute(
            f"SELECT iri FROM claims c WHERE {where} ORDER BY date DESC, recorded DESC, iri", args)]

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
