"""What changed in what a user follows: computed from the store's history.

Every write keeps a version of each record it changes (``prov:generatedAtTime``,
``prov:wasAttributedTo``, the action), so the changes are read back from those
versions, never from a separate log that could disagree with them. A review
step (drafts, approval) writes versions too, and would be seen here the same way.

Kinds of change (``kind``):

* ``stance``: a party took a stance on a claim (``from`` None), moved from one
  to another (the stance of its latest standing dispute on that claim), or
  withdrew it (``to`` None);
* ``status``: a claim's derived status (:func:`kb.status.status_of`) changed;
* ``new-claim``: a claim about a followed agent or topic, by a followed agent,
  or in a followed source, was recorded;
* ``source-text``: a followed source's text was captured or changed (its digest);
* ``verdict``: a claim's verdict changed — see :func:`verdict_changes`, the hook
  for verdicts when they exist.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import PROV, RDF

from . import queries
from .errors import KBError
from .model import STANCE_NAMES
from .namespaces import KB, SDO
from .status import start_of, status_of

FOLLOWABLE = ("claim", "agent", "topic", "source")


class Changes:
    """``kb.changes``: the changes in followed records, newest first."""

    def __init__(self, data):
        self.data = data

    def of(self, follows, *, since: str | None = None, limit: int | None = None) -> list[dict]:
        """Changes in the followed records ``[(kind, id)]`` at or after ``since`` (an ISO
        date-time; None: all), newest first, each once; each names what it came ``via``."""
        out: dict = {}
        for kind, ref in follows:
            for ch in self.of_one(kind, ref):
                if since is None or ch["at"] >= since:
                    out.setdefault(_key(ch), ch)
        found = sorted(out.values(), key=lambda c: (c["at"], c["seq"]), reverse=True)
        return found[:limit] if limit else found

    def of_one(self, kind: str, ref) -> list[dict]:
        """Every change in one followed record (all time), newest first."""
        if kind not in FOLLOWABLE:
            raise KBError(f"one follows a claim, an agent, a topic or a source, not {kind!r}")
        iri = self.data.iri(kind, ref)
        if not self.data.store.triples(iri, RDF.type, None, self.data.current):
            raise KBError(f"there is no {kind} {self.data.local_id(iri)!r}", status=404)
        # kept until the next write (on a store only this process writes): a feed read many times costs one replay
        return [dict(c) for c in self.data.kept("changes", (kind, iri), lambda: self._replay(kind, iri))]

    def _replay(self, kind: str, iri: URIRef) -> list[dict]:
        via = {"kind": kind, "id": self.data.local_id(iri)}
        claims, new_claims = self._claims(kind, iri)
        out = []
        for c in sorted(claims):
            out += self._claim_changes(c, new=c in new_claims)
        if kind == "source":
            out += self._text_changes(iri)
        for ch in out:
            ch["via"] = via
        return sorted(out, key=lambda c: (c["at"], c["seq"]), reverse=True)

    # ---- which claims -----------------------------------------------------------------
    def _claims(self, kind, iri) -> tuple[set, set]:
        """The claims whose changes count for a followed record, and those whose recording counts."""
        col = self.data.column
        if kind == "claim":
            return {iri}, set()
        if kind == "source":
            found = set(col(queries.render(queries.CLAIMS_IN_SOURCE, source=iri), "c"))
            return found, found
        about = set(col(queries.render(queries.CLAIMS_ABOUT, entity=iri), "c"))
        if kind == "topic":
            return about, about
        made = set(col(queries.render(queries.CLAIMS_BY_CLAIMANT, agent=iri), "c"))
        disputed = set(col(queries.render(queries.DISPUTES_BY_PARTY_OF, agent=iri), "c"))
        return about | made | disputed, about | made

    # ---- versions ---------------------------------------------------------------------
    def _versions(self, iri) -> list[dict]:
        """A record's versions: number, when, by whom, what action, and its triples then."""
        store, hg = self.data.store, self.data.history_graph
        out = []
        for n, v in self.data.versions(iri):
            meta = {p: o for _, p, o in store.triples(v, None, None, hg)}
            by = meta.get(PROV.wasAttributedTo)
            out.append({"n": n, "at": str(meta.get(PROV.generatedAtTime, "")), "action": str(meta.get(KB.action, "")),
                        "by": str(by).rsplit("/", 1)[-1] if by else None,
                        "triples": {(p, o) for s, p, o in store.triples(iri, None, None, str(v))}})
        return out

    def _claim_changes(self, claim: URIRef, *, new: bool) -> list[dict]:
        """Replay the versions of a claim's disputes in the order they were written: each
        party's stance and the claim's derived status before and after each of them."""
        data = self.data
        claimant = next((o for _, _, o in data.store.triples(claim, SDO.author, None, data.current)), None)
        texts = {(o.language or ""): str(o) for _, _, o in data.store.triples(claim, SDO.text, None, data.current)}
        about = {"id": data.local_id(claim), "text": texts}
        out = []
        claim_versions = self._versions(claim)
        if new and claim_versions:
            first = claim_versions[0]
            out.append({"kind": "new-claim", "at": first["at"], "by": first["by"], "claim": about, "seq": (0,)})
        events = []
        for d, _, _ in data.store.triples(None, KB.disputes, claim, data.current):
            for v in self._versions(d):
                date = next((o for p, o in v["triples"] if p == SDO.dateCreated), None)
                # times are to the second: writes within one are replayed in the order of the disputes' dates
                events.append((v["at"], start_of(date), v["n"], str(d), v))
        events.sort(key=lambda e: e[:4])
        standing: dict = {}  # dispute -> (party, stance name, effective start, recorded at)
        parties = {}
        for i, (at, _, _, d, v) in enumerate(events):
            before_status = _status(standing, claimant)
            party = next((o for p, o in v["triples"] if p == KB.party), None)
            before = _stance_of(standing, party)
            stance = STANCE_NAMES.get(next((o for p, o in v["triples"] if p == KB.stance), None))
            if any(p == KB.withdrawn for p, _ in v["triples"]) or party is None:
                standing.pop(d, None)
            else:
                date = next((o for p, o in v["triples"] if p == SDO.dateCreated), None)
                standing[d] = (party, stance, start_of(date) or at[:10], at)
            after = _stance_of(standing, party)
            seq = (1, i)
            if party is not None and before != after:
                parties[party] = None
                out.append({"kind": "stance", "at": at, "by": v["by"], "claim": about, "party": party,
                            "from": before, "to": after, "dispute": data.local_id(URIRef(d)), "seq": seq})
            after_status = _status(standing, claimant)
            if after_status != before_status:
                out.append({"kind": "status", "at": at, "by": v["by"], "claim": about,
                            "from": before_status, "to": after_status, "seq": (2, i)})
        labels = data.labels(list(parties)) if parties else {}
        for ch in out:
            if "party" in ch:
                ch["party"] = {"id": labels[ch["party"]]["id"], "name": labels[ch["party"]]["name"]}
        return out + verdict_changes(data, claim, about)

    def _text_changes(self, source: URIRef) -> list[dict]:
        """The versions of a source whose text (its digest) differs from the version before."""
        out, prev = [], None
        headline = {(o.language or ""): str(o)
                    for _, _, o in self.data.store.triples(source, SDO.headline, None, self.data.current)}
        for i, v in enumerate(self._versions(source)):
            digest = next((str(o) for p, o in v["triples"] if p == KB.digest), None)
            if digest != prev and digest is not None:
                out.append({"kind": "source-text", "at": v["at"], "by": v["by"], "seq": (3, i),
                            "source": {"id": self.data.local_id(source), "headline": headline},
                            "first": prev is None})
            prev = digest
        return out


def verdict_changes(data, claim: URIRef, about: dict) -> list[dict]:
    """The hook for verdicts (``schema:ClaimReview``, another branch): a change of kind
    ``verdict`` (``from``/``to`` the rating's name) for each version of a review of ``claim``
    whose rating differs from the one before. There are no verdicts in this store's model
    yet, so there is nothing to report."""
    return []


def _stance_of(standing: dict, party) -> str | None:
    """A party's stance on the claim: that of its latest standing dispute (by date, then by when recorded)."""
    mine = [v for v in standing.values() if v[0] == party]
    return max(mine, key=lambda v: (v[2], v[3]))[1] if mine else None


def _status(standing: dict, claimant) -> str:
    return status_of((stance, party == claimant) for party, stance, _, _ in standing.values())


def _key(ch: dict) -> tuple:
    return (ch["kind"], ch["at"], ch["claim"]["id"] if "claim" in ch else ch["source"]["id"],
            (ch.get("party") or {}).get("id"), ch.get("from"), ch.get("to"))


__all__ = ["Changes", "FOLLOWABLE", "verdict_changes"]
