"""The counts the claim index keeps up to date by each write, so that no list page counts every claim: each
facet's values over the standing claims (``counts``) and each topic's claims, disputes and latest write
(``topics``, for the busiest stories). A mixin of :class:`kb.index.ClaimIndex`, on its connection ``db``,
inside its write transaction, with the changed claims in ``temp.changed``."""

from __future__ import annotations


class KeptCounts:
    db = None  # (ClaimIndex's connection)

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

    def _count_all(self) -> None:
        for name, sql in self.FACETS.items():
            self.db.execute(f"INSERT INTO counts SELECT '{name}', * FROM ({sql.format(w='c.withdrawn = 0')})")
        self.db.execute("INSERT INTO topics " + self.TOPIC_STATS.format(w="1") + " GROUP BY l.value")

    def _count_changed(self, sign: int) -> None:
        """Take the changed claims' share out of the facet counts (-1), or put it back in (+1). Each count is a
        number of claims, so the whole is the sum of every claim's share: a write changes the counts of the
        values its claims have, never reads the others."""
        for name, sql in self.FACETS.items():
            # from the changed claims outwards (CROSS JOIN keeps that order), never a scan of every claim
            sql = sql.replace("FROM claims c", "FROM temp.changed x CROSS JOIN claims c ON c.iri = x.iri") \
                .replace(" JOIN links l", " CROSS JOIN links l").replace(" JOIN texts t", " CROSS JOIN texts t")
            self.db.execute(f"WITH part (value, n) AS ({sql.format(w='c.withdrawn = 0')}) "
                            f"INSERT INTO counts SELECT '{name}', value, {sign} * n FROM part WHERE true "
                            "ON CONFLICT (facet, value) DO UPDATE SET n = n + excluded.n")

    def _topic_shares(self) -> dict[str, tuple[int, int, str]]:
        """{topic: (claims, disputes, latest write)} of the changed standing claims (TOPIC_STATS's share)."""
        return {r[0]: (r[1], r[2], r[3]) for r in self.db.execute(
            "SELECT l.value, COUNT(*), SUM(c.disputes), MAX(c.recorded) FROM temp.changed x "
            "CROSS JOIN links l INDEXED BY links_claim ON l.claim = x.iri CROSS JOIN claims c ON c.iri = l.claim "
            "WHERE l.kind = 'topic' AND c.withdrawn = 0 GROUP BY l.value")}

    def _follow_topics(self, before: dict, after: dict) -> None:
        """Each topic's kept claims and disputes moved by what the changed claims took out (``before``) and put
        in (``after``), not recounted (a topic gathers thousands of claims at 100,000); its latest write is the
        greater of the kept one and the new share's, unless the share taken out held the latest and the one put
        in is older (then that topic alone is recounted)."""
        for t in before.keys() | after.keys():
            (bn, bd, bl), (an, ad, al) = before.get(t, (0, 0, None)), after.get(t, (0, 0, None))
            row = self.db.execute("SELECT claims, disputes, latest FROM topics WHERE topic = ?", (t,)).fetchone()
            kept = row or (0, 0, None)
            claims, disputes = kept[0] + an - bn, kept[1] + ad - bd
            if claims < 0 or (row is None and bn) or (bl is not None and bl >= (kept[2] or "") and
                                                      (al is None or al < bl)):
                self._recount_topics({t})
            elif claims == 0:
                self.db.execute("DELETE FROM topics WHERE topic = ?", (t,))
            else:
                latest = max(x for x in (kept[2], al) if x is not None) if (kept[2], al) != (None, None) else None
                self.db.execute("INSERT OR REPLACE INTO topics VALUES (?, ?, ?, ?)", (t, claims, disputes, latest))

    def _recount_topics(self, topics: set[str]) -> None:
        for t in topics:
            self.db.execute("DELETE FROM topics WHERE topic = ?", (t,))
            self.db.execute("INSERT INTO topics " + self.TOPIC_STATS.format(w="l.value = ?") + " GROUP BY l.value",
                            (t,))


__all__ = ["KeptCounts"]
