"""The claim index's rows as columns in memory, for what a search does to many
claims at once: rank them, filter them, order them, count them and count their
facets.

A search of a common word finds a quarter of the claims: at 100,000 claims,
joining and grouping 25,000 of them in SQLite took about half a second. Here
each claim has a position, and its status, claimant, month, order keys, links,
languages and searchable fields are integers in numpy arrays, so those steps
are vectorised. The trigram index (SQLite) still finds the fields holding a
text; :class:`kb.index.ClaimIndex` keeps these columns in step with every
write (:meth:`Columns.apply`), and loads them once when it opens.
"""

from __future__ import annotations

import bisect
import heapq

import numpy as np

from .indexchange import Change
from .status import bounds
from .text import RANK, WORDS_RANK

LINKED = ("party", "about", "source")  # facets counted from links; about and party also reach names
UNFOUND = 9
SPARE = 1024  # rows (of links, of languages) made room for at least; appended rows scanned before a sort


class Rows:
    """Rows of integer columns, the first of them a claim's position (a claim's links, its languages),
    appended to and dropped by claim at a cost that does not grow with the rows kept.

    The columns are arrays with room to spare, doubled when full (appending copied every row at each
    write before: ~2 ms at 100,000 claims). A dropped row stays where it is with its other columns set
    to -1, which no kind or value id matches (a lookup table by id has a last, false, entry for it),
    until dropped rows are half of all. A claim's rows are found through the positions sorted once
    (``_sorted``), and a scan of the rows appended since, sorted again when those are an eighth of all."""

    def __init__(self, *dtypes):
        self.dtypes = dtypes
        self.count = 0
        self.dead = 0
        self._cols = [np.empty(0, t) for t in dtypes]
        self._order = np.empty(0, np.int64)  # rows [0, _upto) by position
        self._sorted = np.empty(0, np.int32)  # their positions, in that order
        self._upto = 0

    def col(self, i: int) -> np.ndarray:
        return self._cols[i][: self.count]

    def append(self, *cols) -> None:
        n = len(cols[0])
        if self.count + n > len(self._cols[0]):
            size = max(SPARE, 2 * len(self._cols[0]), self.count + n)
            grown = []
            for c, t in zip(self._cols, self.dtypes, strict=True):
                g = np.empty(size, t)
                g[: self.count] = c[: self.count]
                grown.append(g)
            self._cols = grown
        for c, values in zip(self._cols, cols, strict=True):
            c[self.count : self.count + n] = values
        self.count += n

    def index(self) -> None:
        """Sort the rows by position (when loaded, and when the rows appended since are many)."""
        self._order = np.argsort(self.col(0), kind="stable")
        self._sorted = self.col(0)[self._order]
        self._upto = self.count

    def drop(self, positions: list[int]) -> None:
        """Drop the rows of the claims at these positions."""
        if self.count - self._upto > max(SPARE, self.count // 8):
            self.index()
        p = np.asarray(positions, np.int32)
        lo, hi = np.searchsorted(self._sorted, p, "left"), np.searchsorted(self._sorted, p, "right")
        found = [self._order[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a]
        tail = self.col(0)[self._upto :]
        found.append(self._upto + np.flatnonzero(np.isin(tail, p)))
        rows = np.concatenate(found)
        rows = rows[self._cols[1][rows] != -1]  # (not those dropped before)
        for c in self._cols[1:]:
            c[rows] = -1
        self.dead += len(rows)
        if self.dead * 2 > self.count:
            keep = self.col(1) != -1
            self._cols = [c[: self.count][keep] for c in self._cols]
            self.count, self.dead = len(self._cols[0]), 0
            self.index()


class Columns:
    def __init__(self):
        self.generation = None
        self.n = 0  # positions used
        self.pos: dict[str, int] = {}  # claim IRI -> position
        self.iris: list[str] = []
        self.ids: dict[str, int] = {}  # values (statuses, months, languages, IRIs) -> ids
        self.values: list[str] = []
        self.names: dict[int, list[str]] = {}  # agent or topic id -> folded names
        self._size(0)
        self.links = Rows(np.int32, np.int8, np.int32)  # position, kind (LINKED), value id
        self.langs = Rows(np.int32, np.int32)  # position, language id
        self.field_pos = np.full(0, -1, np.int32)  # by the fields' rowid
        self.field_rank = np.zeros(0, np.int8)
        self.norms: list = []  # by the fields' rowid: the folded text (None: no such field)
        # sorted vocabularies: a claim's order keys are positions in them (newest first: date, recorded, IRI)
        self.vocab: dict[str, list[str]] = {"date": [], "recorded": [], "iri": []}

    link_pos = property(lambda self: self.links.col(0))
    link_kind = property(lambda self: self.links.col(1))  # -1: a dropped row
    link_val = property(lambda self: self.links.col(2))
    lang_pos = property(lambda self: self.langs.col(0))
    lang_val = property(lambda self: self.langs.col(1))

    # ---- building ----------------------------------------------------------------------
    def _size(self, cap: int) -> None:
        """Room for ``cap`` claims (the per-claim columns, kept or made)."""
        old = getattr(self, "status", None)
        made = {"status": np.full(cap, -1, np.int32), "claimant": np.full(cap, -1, np.int32),
                "verdict": np.full(cap, -1, np.int32),
                "month": np.full(cap, -1, np.int32), "live": np.zeros(cap, bool),
                "key_date": np.zeros(cap, np.int64), "key_recorded": np.zeros(cap, np.int64),
                "key_iri": np.zeros(cap, np.int64), "date": np.full(cap, "", object),
                "dstart": np.full(cap, "", object), "dend": np.full(cap, "", object)}
        for name, arr in made.items():
            if old is not None:
                arr[: self.n] = getattr(self, name)[: self.n]
            setattr(self, name, arr)

    def _id(self, value: str) -> int:
        found = self.ids.get(value)
        if found is None:
            found = self.ids[value] = len(self.values)
            self.values.append(value)
        return found

    def _keys(self, name: str, values: list[str]) -> list[int]:
        """The places of ``values`` in a sorted vocabulary, made room for when new (the keys of the
        claims after them move up): one at a time for a few, by merging for many."""
        vocab = self.vocab[name]
        new = sorted(set(values) - set(vocab)) if len(values) > 64 else None
        if new:
            merged = sorted(vocab + new)
            moved = np.array([bisect.bisect_left(merged, v) for v in vocab] or [0], np.int64)
            keys = getattr(self, f"key_{name}")
            keys[: self.n] = moved[keys[: self.n]] if vocab else 0
            self.vocab[name] = vocab = merged
        elif new is None:
            for v in values:
                i = bisect.bisect_left(vocab, v)
                if i == len(vocab) or vocab[i] != v:
                    vocab.insert(i, v)
                    keys = getattr(self, f"key_{name}")[: self.n]
                    keys[keys >= i] += 1
        return [bisect.bisect_left(vocab, v) for v in values]

    def apply(self, change: Change) -> None:
        """Follow one write of the index."""
        if change.everything:
            self.__init__()
            self._all([(r["iri"], r["date"], r["recorded"], r["status"], r["claimant"], r["withdrawn"], r.get("verdict"))
                       for r in change.rows])
        else:
            gone = [self.pos[c] for c in change.claims if c in self.pos]
            if gone:
                self.links.drop(gone)
                self.langs.drop(gone)
                for rowid in change.dropped:
                    if rowid < len(self.field_pos):
                        self.field_pos[rowid] = -1
                        self.norms[rowid] = None
                self.live[gone] = False
            rows = change.rows
            added = [r["iri"] for r in rows if r["iri"] not in self.pos]
            for iri in added:
                self._new(iri)
            if added:
                self.key_iri[[self.pos[i] for i in added]] = self._keys("iri", added)
            if rows:
                date = [r["date"] for r in rows]
                self._set([self.pos[r["iri"]] for r in rows], [r["status"] for r in rows],
                          [r["claimant"] for r in rows], date, [r["withdrawn"] for r in rows],
                          self._keys("date", date), self._keys("recorded", [r["recorded"] for r in rows]),
                          [r.get("verdict") for r in rows])
        self._link(change.links, change.texts)
        self._fields(change.fields)
        for e in change.named:
            self.names.pop(self._id(e), None)
        for e, norm in change.names:
            self.names.setdefault(self._id(e), []).append(norm)
        self.generation = change.generation

    def _new(self, iri: str) -> int:
        p = self.n
        if p >= len(self.status):
            self._size(max(1024, 2 * len(self.status)))
        self.n += 1
        self.pos[iri] = p
        self.iris.append(iri)
        return p

    def _ids(self, values: list) -> list[int]:
        """The ids of many values (new ones made)."""
        ids = self.ids
        for v in set(values):  # not ``set(values) - ids.keys()``: that walks every id (1.2 ms at 100k claims)
            if v not in ids:
                self._id(v)
        return [self.ids[v] for v in values]

    def _ids_or_none(self, values: list) -> list[int]:
        """The ids of values that may be None (-1; None is never given an id)."""
        ids = self._ids([v for v in values if v is not None])
        it = iter(ids)
        return [-1 if v is None else next(it) for v in values]

    def _set(self, p, status: list, claimant: list, date: list, withdrawn: list, key_date, key_recorded,
             verdict: list) -> None:
        """Claims' columns at positions ``p`` (a list or an array), from their index rows' values."""
        self.status[p] = self._ids(status)
        self.claimant[p] = self._ids_or_none(claimant)
        self.verdict[p] = self._ids_or_none(verdict)  # its rating's notation, "unmapped", or none
        self.month[p] = [-1 if not d else i for d, i in zip(date, self._ids([d[:7] for d in date]), strict=True)]
        self.live[p] = [not w for w in withdrawn]
        spans = {d: bounds(d) for d in set(date)}
        for name, values in (("date", date), ("dstart", [spans[d][0] for d in date]),
                             ("dend", [spans[d][1] for d in date])):
            arr = np.empty(len(values), object)
            arr[:] = values
            getattr(self, name)[p] = arr
        self.key_date[p], self.key_recorded[p] = key_date, key_recorded

    def _all(self, rows: list) -> None:
        """Every claim at once, from rows of (iri, date, recorded, status, claimant, withdrawn, verdict)
        (a vocabulary sorted once, not grown claim by claim)."""
        self._size(max(1024, len(rows)))
        iri, date, recorded, status, claimant, withdrawn, verdict = \
            (list(c) for c in zip(*rows, strict=True)) if rows else ([] for _ in range(7))
        keys = {}
        for name, values in (("date", date), ("recorded", recorded), ("iri", iri)):
            self.vocab[name] = sorted(set(values))
            found = {v: i for i, v in enumerate(self.vocab[name])}
            keys[name] = [found[v] for v in values]
        self.iris = iri
        self.pos = {v: i for i, v in enumerate(iri)}
        self.n = len(rows)
        at = np.arange(self.n)
        self.key_iri[at] = keys["iri"]
        self._set(at, status, claimant, date, withdrawn, keys["date"], keys["recorded"], verdict)

    @staticmethod
    def _distinct(*columns) -> list[np.ndarray]:
        """Non-negative integer columns with their repeated rows dropped (sorted)."""
        columns = [np.asarray(c, np.int64) for c in columns]
        sizes = [int(c.max()) + 1 for c in columns]
        key = np.zeros(len(columns[0]), np.int64)
        for c, size in zip(columns, sizes, strict=True):
            key = key * size + c
        key = np.unique(key)
        out = []
        for size in reversed(sizes):
            out.append(key % size)
            key = key // size
        return out[::-1]

    def _link(self, links: list, texts: list) -> None:
        links = [(self.pos[c], k, v) for c, k, v in links if k in LINKED and c in self.pos]
        if links:
            pos, kind, val = self._distinct([r[0] for r in links], [LINKED.index(r[1]) for r in links],
                                            self._ids([r[2] for r in links]))
            self.links.append(pos, kind, val)
        langs = [(self.pos[t[0]], t[1]) for t in texts if t[0] in self.pos]
        if langs:
            pos, val = self._distinct([r[0] for r in langs], self._ids([r[1] for r in langs]))
            self.langs.append(pos, val)

    def _fields(self, fields: list) -> None:
        fields = [f for f in fields if f[1] in self.pos]
        if not fields:
            return
        top = max(f[0] for f in fields) + 1
        if top > len(self.field_pos):
            size = max(top, 2 * len(self.field_pos))
            self.field_pos = np.concatenate([self.field_pos, np.full(size - len(self.field_pos), -1, np.int32)])
            self.field_rank = np.concatenate([self.field_rank, np.zeros(size - len(self.field_rank), np.int8)])
            self.norms += [None] * (size - len(self.norms))
        rowids = [f[0] for f in fields]
        self.field_pos[rowids] = [self.pos[f[1]] for f in fields]
        self.field_rank[rowids] = [RANK["text"] if f[2] == "text" else RANK["dispute"] for f in fields]
        norms = self.norms
        for rowid, _, _, norm in fields:
            norms[rowid] = norm

    def _fields_of(self, marked: np.ndarray) -> np.ndarray:
        """The rowids of the fields of the claims marked (by position)."""
        return np.flatnonzero(np.append(marked, False)[self.field_pos])  # (-1, no claim: the False at the end)

    # ---- searching -------------------------------------------------------------------
    def _lut(self, ids) -> np.ndarray:
        """A table by value id: whether the id is one of ``ids``."""
        lut = np.zeros(len(self.values) + 1, bool)
        lut[np.asarray(ids, np.int64)] = True
        return lut

    def named(self, word: str) -> np.ndarray:
        """Whether each claim's claimant, a party or what it is about has a name holding ``word`` (by position)."""
        out = np.zeros(self.n, bool)
        ids = [e for e, norms in self.names.items() for n in norms if word in n]
        if ids:
            lut = self._lut(ids)
            by_link = lut[self.link_val] & (self.link_kind != LINKED.index("source"))
            out[self.link_pos[by_link]] = True
            out |= lut[self.claimant[: self.n]]
        return out

    def in_fields(self, rowids, rank: int | None = None) -> np.ndarray:
        """Whether each claim has one of some fields (by rowid; of a rank, when given), by position."""
        rowids = np.asarray(rowids, np.int64)
        p = self.field_pos[rowids]
        if rank is not None:
            p = p[self.field_rank[rowids] == rank]
        out = np.zeros(self.n, bool)
        out[p[p >= 0]] = True
        return out

    def fields_with(self, word: str, within: np.ndarray | None = None) -> list[int]:
        """The rowids of the fields holding a folded text, by reading them (of the claims
        ``within``, by position, or of all): for what trigrams cannot find, or need not."""
        norms = self.norms
        if within is None:
            return [i for i, n in enumerate(norms) if n is not None and word in n]
        return [i for i in self._fields_of(within).tolist() if word in norms[i]]

    def search(self, phrase_rowids, phrase: str, every: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The positions of the standing claims a search finds, and their rank: the best field holding
        the phrase (its fields' rowids given), else a name holding it, else WORDS_RANK for the claims
        ``every`` word is in (by position; for a search of several words)."""
        best = np.full(self.n, UNFOUND, np.int8)
        if every is not None:
            best[every] = WORDS_RANK
        best[self.named(phrase)] = RANK["claimant"]
        for rank in sorted({RANK["text"], RANK["dispute"]}, reverse=True):
            best[self.in_fields(phrase_rowids, rank)] = rank
        found = np.flatnonzero((best < UNFOUND) & self.live[: self.n])
        return found, best[found]

    def where(self, found: np.ndarray, f: dict) -> np.ndarray:
        """Which of the found claims the list's other filters keep (as kb.index.ClaimIndex._where does)."""
        keep = np.ones(len(found), bool)
        for i, kind in enumerate(LINKED):
            if f.get(kind) is not None:
                linked = np.zeros(self.n, bool)
                linked[self.link_pos[(self.link_kind == i) & (self.link_val == self.ids.get(str(f[kind]), -2))]] = True
                keep &= linked[found]
        if f.get("claimant") is not None:
            keep &= self.claimant[found] == self.ids.get(str(f["claimant"]), -2)
        if f.get("language") is not None:
            lang = str(f["language"]).lower()
            prefix = lang.replace("%", "").replace("_", "") + "-"
            ids = [i for v, i in self.ids.items() if v == lang or v.lower().startswith(prefix)]
            spoken = np.zeros(self.n, bool)
            spoken[self.lang_pos[self._lut(ids)[self.lang_val]]] = True
            keep &= spoken[found]
        if f.get("status") is not None:
            keep &= self.status[found] == self.ids.get(str(f["status"]), -2)
        if f.get("verdict") is not None:
            keep &= self.verdict[found] == self.ids.get(str(f["verdict"]), -2)
        if f.get("date_from") is not None:
            keep &= (self.dend[found] >= str(f["date_from"])).astype(bool)
        if f.get("date_to") is not None:
            keep &= (self.dstart[found] <= str(f["date_to"])).astype(bool)
        if f.get("date") is not None:
            keep &= self.month[found] == self.ids.get(str(f["date"]), -2)
        return keep

    def listed(self, f: dict) -> np.ndarray:
        """The standing claims a list's filters keep (not a search), newest first, as positions."""
        found = np.flatnonzero(self.live[: self.n])
        found = found[self.where(found, f)]
        return self.order(found, np.zeros(len(found), np.int8))

    def order(self, found: np.ndarray, rank: np.ndarray) -> np.ndarray:
        """The found claims best first, then newest first (date, recorded time, then IRI), as positions."""
        return found[np.lexsort((self.key_iri[found], -self.key_recorded[found], -self.key_date[found], rank))]

    def facets(self, found: np.ndarray, limit: int | None = None) -> dict[str, list[tuple[str, int]]]:
        """The facet counts of some claims, as kb.index.ClaimIndex.FACETS counts them, most first
        (then by value); the first ``limit`` of each, when given."""
        inside = np.zeros(self.n, bool)
        inside[found] = True
        verdict = self.verdict[found]
        unmapped = self.ids.get("unmapped", -2)
        counted = {"status": self.status[found], "claimant": self.claimant[found], "date": self.month[found],
                   "verdict": verdict[verdict != unmapped]}
        linked = inside[self.link_pos]
        for i, kind in enumerate(LINKED):
            counted[kind] = self.link_val[linked & (self.link_kind == i)]
        counted["language"] = self.lang_val[inside[self.lang_pos]]
        out = {}
        for name, vals in counted.items():
            n = np.bincount(vals[vals >= 0], minlength=len(self.values))
            ids = np.flatnonzero(n)
            if limit is not None and len(ids) > limit:
                # those counted more often than the limit-th, and the first values of those counted as often
                least = int(np.partition(n[ids], len(ids) - limit)[len(ids) - limit])
                more = ids[n[ids] > least].tolist()
                tied = heapq.nsmallest(limit - len(more), (self.values[i] for i in ids[n[ids] == least].tolist()))
                rows = [(self.values[i], int(n[i])) for i in more] + [(v, least) for v in tied]
            else:
                rows = [(self.values[i], int(n[i])) for i in ids.tolist()]
            out[name] = sorted(rows, key=lambda r: (-r[1], r[0]))
        return out


def warm(columns: Columns) -> None:
    """Run a search's steps once on nothing (numpy readies some functions on their first call)."""
    columns.links.index()  # (for the rows a write drops)
    columns.langs.index()
    found = np.zeros(0, np.int64)
    columns.facets(found, 1)
    columns.order(found, np.zeros(0, np.int8))
    columns.search([], "", None)


CHUNK = 20_000  # index rows read at a time when loading


def load(db) -> Columns:
    """The columns of an index, read from it in one read transaction (one generation), a chunk
    of rows at a time: at 100,000 claims, the rows read whole and kept as tuples took ~400 MB."""
    columns = Columns()
    db.execute("BEGIN")
    try:
        gen = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        columns._all(db.execute("SELECT iri, date, recorded, status, claimant, withdrawn, verdict FROM claims").fetchall())
        for sql, add in (("SELECT claim, kind, value FROM links WHERE kind != 'topic'", lambda rows: columns._link(rows, [])),
                         ("SELECT claim, lang FROM texts", lambda rows: columns._link([], rows)),
                         ("SELECT rowid, claim, kind, norm FROM fields ORDER BY rowid DESC", columns._fields)):
            cursor = db.execute(sql)
            while rows := cursor.fetchmany(CHUNK):
                add(rows)
        for e, norm in db.execute("SELECT entity, norm FROM names"):
            columns.names.setdefault(columns._id(e), []).append(norm)
        columns.generation = int(gen[0]) if gen else -1
    finally:
        db.execute("COMMIT")
    return columns


__all__ = ["Columns", "Change", "load", "warm", "LINKED"]
