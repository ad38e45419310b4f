"""The analysts' conclusions, written: verdicts on claims and relations between claims.

The facade exposes them as ``kb.verdicts`` and ``kb.relations``
(:class:`Verdicts`, :class:`Relations`); both write through
:func:`kb.writes.commit` (validated by the shapes, one atomic update, a new
version kept for ever). Building and reading them is in :mod:`kb.verdicts`
and :mod:`kb.relations`.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import RDF

from . import relations as relations_
from . import verdicts as verdicts_
from .errors import InvalidData, NotFound, Problem
from .namespaces import KB, SDO
from .writes import commit, withdraw


def _claim(data, ref) -> URIRef:
    c = data.iri("claim", ref)  # (asked once a page: a claim read for it is known to be one, kb.reads.get_claims)
    if not data.once(("claim", c), lambda: bool(data.store.triples(c, RDF.type, SDO.Claim, data.current))):
        raise NotFound(f"there is no claim {data.local_id(c)!r}")
    return c


class Verdicts:
    """``kb.verdicts``: what analysts conclude about claims, apart from their derived status."""

    def __init__(self, data):
        self.data = data

    def add(self, claim, record: dict, *, by: str) -> dict:
        """Record a verdict ``{rating, text: {lang: …}, sources: [ids], date}`` on a claim, by the analyst
        ``by`` (its author); a later verdict supersedes it, the history keeps both. The verdict now current."""
        c = _claim(self.data, claim)
        commit(self.data, [verdicts_.build(self.data, c, record, author=self.data.minter.analyst(by))], by)
        return verdicts_.verdicts_of(self.data, [c])[c]

    def get(self, claim) -> dict | None:
        """A claim's current verdict, or None."""
        c = _claim(self.data, claim)
        return verdicts_.verdicts_of(self.data, [c])[c]

    def history(self, claim) -> list[dict]:
        """Every verdict given on a claim, newest first."""
        return verdicts_.history(self.data, _claim(self.data, claim))

    def scheme(self) -> dict:
        """The rating scheme: notation -> concept, labels, definitions, value on the 1-5 scale."""
        return verdicts_.scheme(self.data)


class Relations:
    """``kb.relations``: claims supporting, contradicting, duplicating or refining one another."""

    def __init__(self, data):
        self.data = data

    def add(self, claim, record: dict, *, by: str) -> dict:
        """Relate a claim to another: ``{relation, claim, note}``. A ``same-as`` that would close a circle
        (every claim of it listed under another, so none listed) is refused."""
        c = _claim(self.data, claim)
        rec = relations_.build(self.data, c, record)
        if (rec.iri, KB.relationType, KB.RelSameAs) in rec.triples:
            to = self.data.iri("claim", record["claim"])
            if to != c and c in relations_.same_as_targets(self.data, to):
                raise InvalidData([Problem(
                    f"{self.data.local_id(to)!r} is already the same as {self.data.local_id(c)!r}: this would "
                    "list each under the other and hide both; relate them the other way, or not at all",
                    record=self.data.local_id(c), field="claim", value=self.data.local_id(to), kind="relation")])
        commit(self.data, [rec], by)
        return self.of(c)

    def withdraw(self, relation: str, *, by: str, reason: str | None = None) -> None:
        """Undo a relation: it stays in the history but no longer counts."""
        withdraw(self.data, "relation", relation, by=by, reason=reason)

    def of(self, claim) -> list[dict]:
        """The standing relations of a claim, both ways."""
        c = _claim(self.data, claim)
        return relations_.relations_of(self.data, [c])[c]

    def names(self) -> dict:
        """The relation scheme: notation -> concept, labels, definitions."""
        return verdicts_.scheme(self.data, KB.RelationScheme)


def conclusions(data, doc, *, by: str):
    """A YAML-shaped import document whose claims may hold a ``verdict`` ({rating, text, sources, date},
    by ``by``) and ``relations`` ([{relation, claim, note}]): the document without them, and a function
    giving their records (to be called once the document's own records are built)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("claims"), list):
        return doc, lambda: []
    claims, found = [], []
    for rec in doc["claims"]:
        if isinstance(rec, dict) and ("verdict" in rec or "relations" in rec):
            found.append((rec.get("id"), rec.get("verdict"), rec.get("relations")))
            rec = {k: v for k, v in rec.items() if k not in ("verdict", "relations")}
        claims.append(rec)

    def records():
        out, problems = [], []
        for cid, verdict, rels in found:
            if not isinstance(cid, str):
                problems.append(Problem("a claim with a verdict or relations needs an id", field="id", kind="claim"))
                continue
            c = data.iri("claim", cid)
            try:
                if verdict is not None:
                    out.append(verdicts_.build(data, c, verdict, author=data.minter.analyst(by)))
                for rel in rels or []:
                    out.append(relations_.build(data, c, rel))
            except InvalidData as e:
                problems += e.problems
        problems += _same_as_circles(data, [(data.iri("claim", cid), data.iri("claim", rel["claim"]))
                                            for cid, _, rels in found if isinstance(cid, str)
                                            for rel in rels or [] if isinstance(rel, dict)
                                            and rel.get("relation") == "same-as" and isinstance(rel.get("claim"), str)])
        if problems:
            raise InvalidData(problems)
        return out

    return {**doc, "claims": claims}, records


def _same_as_circles(data, edges: list) -> list:
    """Problems for the new ``same-as`` edges (from, to) that would close a circle with each other or
    with the standing ones (every claim of it listed under another, so none listed), as
    :meth:`Relations.add` refuses one."""
    new: dict = {}
    for frm, to in edges:
        new.setdefault(frm, set()).add(to)
    problems = []
    for frm, to in edges:
        if frm == to:
            continue  # the relation's own shape refuses a claim related to itself
        seen, todo = {to}, [to]
        while todo:
            c = todo.pop()
            for nxt in relations_.same_as_targets(data, c) | new.get(c, set()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        if frm in seen:
            problems.append(Problem(
                f"{data.local_id(to)!r} is already the same as {data.local_id(frm)!r}: this would list each under "
                "the other and hide both; relate them the other way, or not at all",
                record=data.local_id(frm), field="relations", value=data.local_id(to), kind="claim"))
    return problems


__all__ = ["Verdicts", "Relations", "conclusions"]
