"""Relations between claims: one claim supports, contradicts, is the same as, or refines another.

Each relation is a record of its own (``kb:ClaimRelation``: ``kb:fromClaim``,
``kb:relationType`` a concept of ``kb:RelationScheme``, ``kb:toClaim``, an
optional note, who and when), so it is undone by withdrawing it and kept in
the history. A claim that is the same as another standing claim (a duplicate)
is listed under that one: the list shows the other, "also reported as" this
one; nothing is deleted. The writes are in :mod:`kb.analysis`; this module
builds and reads.
"""

from __future__ import annotations

import unicodedata

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from . import queries
from .errors import InvalidData, Problem
from .ids import content_id, slugify
from .model import LANG, SLUG, Record
from .namespaces import KB

RELATIONS = {
    "supports": KB.RelSupports,
    "contradicts": KB.RelContradicts,
    "same-as": KB.RelSameAs,
    "refines": KB.RelRefines,
}
RELATION_NAMES = {v: k for k, v in RELATIONS.items()}
KEYS = {"relation", "claim", "note"}


def relation_iri(data, from_iri, name: str, to_iri) -> URIRef:
    """``relations/<from>-<relation>-<hash of to>``: the same relation recorded again is the same record."""
    local = data.minter.local(from_iri)[1] or slugify(str(from_iri))
    return data.minter.iri("relation", f"{local[:90]}-{name}-{content_id(str(to_iri))}")


def build(data, from_iri, record) -> Record:
    """``{relation, claim: <other id>, note: {lang: …}}`` from a claim -> the relation's record; InvalidData
    for an unknown relation or a malformed field (the shapes judge the claims: known, not the same one)."""
    rid = data.local_id(from_iri)
    problems: list[Problem] = []

    def problem(fld, message, value=None):
        problems.append(Problem(message, record=rid, field=fld, value=None if value is None else str(value)[:200],
                                kind="relation"))

    if not isinstance(record, dict):
        raise InvalidData([Problem("a relation must be a JSON object with relation and claim")])
    for k in sorted(set(map(str, record)) - KEYS):
        problem(k, f"is not a field of a relation (expected one of: {', '.join(sorted(KEYS))})")
    name = record.get("relation")
    name = name.strip().lower().replace("_", "-").replace(" ", "-") if isinstance(name, str) else name
    if name not in RELATIONS:
        problem("relation", "must be one of: " + ", ".join(RELATIONS), record.get("relation"))
    other = record.get("claim")
    if not isinstance(other, str) or not (SLUG.match(other) or other.startswith(("http://", "https://"))):
        problem("claim", "must be the id of a claim", other)
    note = record.get("note")
    if isinstance(note, str):
        note = {"en": note}
    if note is not None and not (isinstance(note, dict) and all(isinstance(k, str) and LANG.match(k)
                                                                and isinstance(v, str) for k, v in note.items())):
        problem("note", "must map language codes to text, e.g. {en: …}", note)
    if problems:
        raise InvalidData(problems)
    to = data.iri("claim", other)
    r = relation_iri(data, from_iri, name, to)
    t = {(r, RDF.type, KB.ClaimRelation), (r, KB.fromClaim, URIRef(from_iri)), (r, KB.relationType, RELATIONS[name]),
         (r, KB.toClaim, to)}
    for lang, text in (note or {}).items():
        if text.strip():
            t.add((r, SKOS.editorialNote, Literal(unicodedata.normalize("NFC", text.strip()), lang=lang.lower())))
    return Record(r, "relation", t, data.local_id(r))


def same_as_targets(data, claim) -> set:
    """The claims ``claim`` is the same as, directly or through others (standing relations)."""
    seen, todo = set(), [URIRef(claim)]
    while todo:
        c = todo.pop()
        for r in data.select(queries.render(queries.SAME_AS_FROM, claim=c)):
            if r["to"] not in seen:
                seen.add(r["to"])
                todo.append(r["to"])
    return seen


def relations_of(data, claim_iris, ahead=None) -> dict:
    """``{claim IRI: [{"id", "relation", "claim", "direction": "out" | "in", "note"}]}``: the standing relations
    of each claim, both ways; read from ``ahead`` (a :class:`kb.ahead.Ahead` of these claims) if given."""
    out: dict = {URIRef(c): [] for c in claim_iris}
    if not out:
        return out
    store, cur = data.store, data.current
    if ahead is not None:
        rows = _relation_rows(ahead.relations, ahead.describe(ahead.relations))
    elif store.single_writer:  # an embedded store: triple lookups, a tenth of the query's time
        rels = list(dict.fromkeys(r for p in (KB.fromClaim, KB.toClaim) for r, _, _ in store.pointing(out, p, cur)))
        rows = _relation_rows(rels, store.describe(rels, cur, RELATION_PREDICATES))
    else:  # the relations' triples, in one request, sorted out as the embedded store's are
        triples = store.construct(queries.of_claims(queries.RELATIONS_OF, cur, list(out)), [])
        rows = _relation_rows(list(dict.fromkeys(s for s, _, _ in triples)), triples)
    notes: dict = {}  # a relation's note, in each language it has (a row each)
    for r in rows:
        if r["note"] is not None:
            notes.setdefault(r["r"], {})[(r["note"].language or "").lower()] = str(r["note"])
    seen = set()
    for r in rows:
        if r["r"] in seen:
            continue
        seen.add(r["r"])
        name, note = RELATION_NAMES.get(r["type"]), notes.get(r["r"])
        if r["from"] in out:
            out[r["from"]].append({"id": data.local_id(r["r"]), "relation": name, "claim": data.local_id(r["to"]),
                                   "direction": "out", "note": note})
        if r["to"] in out:
            out[r["to"]].append({"id": data.local_id(r["r"]), "relation": name, "claim": data.local_id(r["from"]),
                                 "direction": "in", "note": note})
    for rels in out.values():
        rels.sort(key=lambda x: (x["direction"] != "out", x["relation"] or "", x["claim"]))
    return out


RELATION_PREDICATES = (RDF.type, KB.fromClaim, KB.relationType, KB.toClaim, SKOS.editorialNote, KB.withdrawn)


def _relation_rows(rels: list, triples) -> list[dict]:
    """``{r, from, type, to, note}`` of each standing relation of ``rels`` (one a note, None without),
    from their triples."""
    facts: dict = {}
    for r, p, o in triples:
        facts.setdefault(r, {}).setdefault(p, []).append(o)
    rows = []
    for r in rels:
        f = facts.get(r, {})
        if KB.ClaimRelation not in f.get(RDF.type, ()) or KB.withdrawn in f:
            continue
        rows += [{"r": r, "from": a, "type": t, "to": b, "note": n} for a in f.get(KB.fromClaim, ())
                 for t in f.get(KB.relationType, ()) for b in f.get(KB.toClaim, ())
                 for n in f.get(SKOS.editorialNote, [None])]
    return rows


def same_as_into(data, claims, store=None) -> dict:
    """``{claim IRI: [the IRIs of the claims standing same-as relations say are the same as it]}`` (of ``claims``),
    one a relation as :func:`relations_of` lists them "in": a claim's ``also_reported_as``, kept in its card in
    the claim index (kb.indexer). ``store``: the store to read (kb.indexer.Written after a write)."""
    store, cur = store or data.store, data.current
    rels = list(dict.fromkeys(r for r, _, _ in store.pointing(list(claims), KB.toClaim, cur)))
    out: dict = {}
    for r in _relation_rows(rels, store.describe(rels, cur, RELATION_PREDICATES) if rels else []):
        if r["type"] == KB.RelSameAs and r["to"] in claims and r["r"] not in out.get(r["to"], {}):
            out.setdefault(r["to"], {})[r["r"]] = r["from"]  # (the first row of a relation: relations_of's)
    return {c: list(by.values()) for c, by in out.items()}


def duplicates_by_claim(data, claims=None) -> set:
    """The claims (of ``claims``, or all) that are the same as another standing claim: listed under it."""
    store, cur = data.store, data.current
    if claims is None:
        rels = [r for r, _, _ in store.triples(None, KB.relationType, KB.RelSameAs, cur)]
    else:
        starting = {r for r, _, _ in store.pointing([URIRef(c) for c in claims], KB.fromClaim, cur)}
        rels = [r for r, _, o in store.describe(starting, cur, (KB.relationType,)) if o == KB.RelSameAs]
    # looked up together: a batch a request on a server store, not a few requests a relation
    facts: dict = {}
    for r, p, o in store.describe(rels, cur, (KB.withdrawn, KB.toClaim, KB.fromClaim)):
        facts.setdefault(r, {}).setdefault(p, o)
    standing = {f[KB.toClaim] for f in facts.values() if KB.withdrawn not in f and KB.toClaim in f}
    gone = {c for c, _, _ in store.describe(standing, cur, (KB.withdrawn,))}
    return {f[KB.fromClaim] for f in facts.values()
            if KB.withdrawn not in f and KB.toClaim in f and KB.fromClaim in f and f[KB.toClaim] not in gone}


__all__ = ["RELATIONS", "RELATION_NAMES", "relation_iri", "build", "same_as_targets", "relations_of",
           "same_as_into", "duplicates_by_claim"]
