"""Verdicts: what analysts conclude about a claim, apart from its derived status.

A verdict is a ``schema:ClaimReview`` of one claim (``schema:itemReviewed``)
with a ``schema:Rating`` (its concept of ``kb:RatingScheme`` by ``kb:rating``,
``ratingValue`` on the 1-5 scale, ``bestRating`` 5, ``worstRating`` 1,
``alternateName``), the reasoning (``schema:reviewBody``, per language), the
evidence (``schema:citation``: sources), its author and its date. A claim has
one verdict record, ``verdicts/<claim id>``: a later verdict is a new version
of it, so the history keeps every earlier one and the claim has one current
verdict. The status rule (:mod:`kb.status`) never reads verdicts.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from . import queries
from .errors import InvalidData, Problem
from .ids import content_id
from .model import LANG, MAX_TEXT, SLUG, Record
from .namespaces import KB, OA, SDO
from .status import end_of, start_of

RATINGS = {
    "accurate": KB.RatingAccurate,
    "mostly-accurate": KB.RatingMostlyAccurate,
    "mixed": KB.RatingMixed,
    "misleading": KB.RatingMisleading,
    "false": KB.RatingFalse,
    "unproven": KB.RatingUnproven,
}
RATING_NAMES = {v: k for k, v in RATINGS.items()}
BEST, WORST = 5, 1
KEYS = {"rating", "text", "sources", "quotes", "date", "author"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def scheme(data, name=KB.RatingScheme) -> dict:
    """``{notation: {"concept", "label": {lang: …}, "definition": {lang: …}, "value": int | None}}`` from
    the vocabulary (the rating scheme, or with ``name`` another scheme such as the relations')."""
    def compute():
        out: dict = {}
        for r in data.select(queries.render(queries.SCHEME_CONCEPTS, scheme=name)):
            c = out.setdefault(str(r["notation"]), {"concept": r["concept"], "label": {}, "definition": {},
                                                   "value": None, "alt": []})
            if r["alt"] is not None:
                c["alt"].append(str(r["alt"]))
            if r["label"] is not None:
                c["label"][r["label"].language or ""] = str(r["label"])
            if r["definition"] is not None:
                c["definition"][r["definition"].language or ""] = str(r["definition"])
            if r["value"] is not None:
                c["value"] = int(r["value"])
        order = list(RATINGS) if name == KB.RatingScheme else sorted(out)
        return {k: out[k] for k in order if k in out}
    return data.kept("concepts", str(name), compute, kinds=())


def verdict_iri(data, claim_iri) -> URIRef:
    """The one verdict record of a claim: ``verdicts/<claim id>``."""
    local = data.minter.local(claim_iri)[1] or content_id(str(claim_iri))
    return data.minter.iri("verdict", local)


def _number(value) -> Literal:
    return Literal(int(value)) if float(value) == int(value) else Literal(str(value), datatype=XSD.decimal)


def rating_triples(v: URIRef, concept, name: str, value=None, best=BEST, worst=WORST) -> set:
    """The rating node ``<verdict>#rating``: its concept (None: unmapped), the name as given, the scale."""
    r = URIRef(f"{v}#rating")
    t = {(v, SDO.reviewRating, r), (r, RDF.type, SDO.Rating), (r, SDO.alternateName, Literal(name))}
    if concept is not None:
        t.add((r, KB.rating, concept))
    if value is not None:
        t |= {(r, SDO.ratingValue, _number(value)), (r, SDO.bestRating, _number(best)),
              (r, SDO.worstRating, _number(worst))}
    return t


def build(data, claim_iri, record, *, author: URIRef) -> Record:
    """An analyst's verdict ``{rating, text: {lang: …}, sources: [ids], date}`` on a claim -> its record;
    InvalidData naming each bad field (a rating outside the scheme among them)."""
    problems: list[Problem] = []
    rid = data.local_id(claim_iri)

    def problem(fld, message, value=None):
        problems.append(Problem(message, record=rid, field=fld, value=None if value is None else str(value)[:200],
                                kind="verdict"))

    if not isinstance(record, dict):
        raise InvalidData([Problem("a verdict must be a JSON object with rating, text and sources")])
    for k in sorted(set(map(str, record)) - KEYS):
        problem(k, f"is not a field of a verdict (expected one of: {', '.join(sorted(KEYS))})")
    v = verdict_iri(data, claim_iri)
    t = {(v, RDF.type, SDO.ClaimReview), (v, SDO.itemReviewed, URIRef(claim_iri)), (v, SDO.author, author)}
    rating = record.get("rating")
    ratings = scheme(data)
    if not isinstance(rating, str) or rating.strip().lower() not in RATINGS:
        problem("rating", "must be one of: " + ", ".join(RATINGS), rating)
    else:
        name = rating.strip().lower()
        t |= rating_triples(v, RATINGS[name], ratings[name]["label"].get("en", name), ratings[name]["value"])
    text = record.get("text")
    if isinstance(text, str):
        text = {"en": text}
    if text is not None and not isinstance(text, dict):
        problem("text", "must map language codes to text, e.g. {en: …, ja: …}", text)
    for lang, body in (text or {}).items():
        if not isinstance(lang, str) or not LANG.match(lang):
            problem(f"text.{lang}", "is not a language code such as ja or en", lang)
        elif not isinstance(body, str) or len(body) > MAX_TEXT or "\x00" in body:
            problem(f"text.{lang}", f"must be text (at most {MAX_TEXT:,} characters)", body)
        elif body.strip():
            t.add((v, SDO.reviewBody, Literal(unicodedata.normalize("NFC", body.strip()), lang=lang.lower())))
    sources = record.get("sources") or []
    for s in [sources] if isinstance(sources, str) else sources if isinstance(sources, list) else [sources]:
        if isinstance(s, str) and (SLUG.match(s) or s.startswith(("http://", "https://"))):
            t.add((v, SDO.citation, data.iri("source", s)))
        else:
            problem("sources", "must be a list of source ids", s)
    quotes = record.get("quotes") or []
    for i, q in enumerate(quotes if isinstance(quotes, list) else [quotes]):
        # the evidence quoted: Web Annotation selectors, checked by the quote shape like a claim's
        if not (isinstance(q, dict) and isinstance(q.get("exact"), str) and q["exact"].strip()
                and isinstance(q.get("source"), str) and (SLUG.match(q["source"]) or q["source"].startswith("http"))):
            problem(f"quotes.{i + 1}", "must be {source: <source id>, exact: <the words quoted>}", q)
            continue
        node = URIRef(f"{v}#quote-{i + 1}")
        src = data.iri("source", q["source"])
        t |= {(v, KB.quote, node), (node, RDF.type, OA.TextQuoteSelector), (node, OA.hasSource, src),
              (node, OA.exact, Literal(unicodedata.normalize("NFC", q["exact"].strip()))), (v, SDO.citation, src)}
    date = record.get("date") or dt.date.today().isoformat()
    if isinstance(date, dt.date):
        date = date.isoformat()
    if not isinstance(date, str) or not DATE.match(date):
        problem("date", "must be a date: YYYY-MM-DD", date)
    else:
        t.add((v, SDO.datePublished, Literal(date, datatype=XSD.date)))
    if problems:
        raise InvalidData(problems)
    return Record(v, "verdict", t, data.local_id(v))


def read(data, g: Graph, v, labels: dict, ratings: dict) -> dict:
    """A verdict's triples as a dict: rating (None when unmapped), label, text, author, date, sources."""
    r = g.value(v, SDO.reviewRating)
    concept = g.value(r, KB.rating) if r is not None else None
    name = RATING_NAMES.get(concept)
    given = g.value(r, SDO.alternateName) if r is not None else None
    label = ratings[name]["label"] if name in ratings else ({given.language or "": str(given)} if given else {})

    def number(p):
        x = g.value(r, p) if r is not None else None
        return x.toPython() if x is not None else None

    author = g.value(v, SDO.author)
    who = labels.get(author) or {"id": data.local_id(author), "iri": str(author), "kind": "other", "name": {}}
    if author is not None and not who["name"] and g.value(author, RDFS.label) is not None:
        who = {**who, "name": {"": str(g.value(author, RDFS.label))}}
    if who["kind"] == "other":  # an analyst: named by its account
        who = {**who, "id": who["id"].rsplit("/", 1)[-1]}
    by = g.value(v, PROV.wasAttributedTo)
    return {
        "id": data.local_id(v), "iri": str(v), "rating": name, "label": label,
        "rating_name": str(given) if given is not None else None, "unmapped": name is None,
        "rating_value": number(SDO.ratingValue), "best_rating": number(SDO.bestRating),
        "worst_rating": number(SDO.worstRating),
        "text": {(o.language or ""): str(o) for o in g.objects(v, SDO.reviewBody)},
        "author": {"id": who["id"], "iri": who["iri"], "kind": who["kind"], "name": who["name"]},
        "date": str(g.value(v, SDO.datePublished) or "") or None,
        "sources": [labels.get(s) or {"id": data.local_id(s), "iri": str(s)} for s in sorted(g.objects(v, SDO.citation))],
        "quotes": [{"source": data.local_id(g.value(q, OA.hasSource)), "exact": str(g.value(q, OA.exact))}
                   for q in sorted(g.objects(v, KB.quote))],
        "recorded_by": data.local_id(by).rsplit("/", 1)[-1] if by is not None else None,
        "recorded_at": str(g.value(v, PROV.generatedAtTime) or "") or None,
    }


def verdicts_of(data, claim_iris, ahead=None) -> dict:
    """``{claim IRI: verdict dict or None}``: each claim's current verdict (a withdrawn one is none); read
    from ``ahead`` (a :class:`kb.ahead.Ahead`) if given."""
    vs = {c: verdict_iri(data, c) for c in claim_iris}
    describe = ahead.describe if ahead is not None else lambda subjects: data.store.describe(subjects, data.current)
    # each verdict with its rating node in one request (a verdict's quotes, if any, in a second)
    g = Graph()
    triples = describe([*vs.values(), *(URIRef(f"{v}#rating") for v in vs.values())])
    quotes = {o for _, p, o in triples if p == KB.quote}
    for t in (*triples, *(describe(quotes) if quotes else ())):
        g.add(t)
    found = {c: v for c, v in vs.items() if (v, RDF.type, SDO.ClaimReview) in g and (v, KB.withdrawn, None) not in g}
    if not found:
        return {c: None for c in claim_iris}
    refs = {o for v in found.values() for p in (SDO.author, SDO.citation) for o in g.objects(v, p)}
    labels = data.labels(refs, ahead)  # an analyst's name is its rdfs:label, which labels() reads too
    ratings = scheme(data)
    return {c: read(data, g, found[c], labels, ratings) if c in found else None for c in claim_iris}


def history(data, claim) -> list[dict]:
    """Every verdict given on a claim, newest first, each with its version and whether it is current."""
    c = data.iri("claim", claim)
    v = verdict_iri(data, c)
    found = data.histories([v])[v]  # (on a claim page read with the claim's history: kb.reads.history)
    versions = [(n, version) for n, version, _, _ in found]
    ratings, out = scheme(data), []
    snaps = {str(version): snapshot for _, version, _, snapshot in found}
    given = []  # (number, its graph): the versions that give a verdict (not those withdrawing it)
    for n, version in versions:
        g = Graph()
        for t in snaps[str(version)]:
            g.add(t)
        if (v, RDF.type, SDO.ClaimReview) in g and (v, KB.withdrawn, None) not in g:
            given.append((n, g))
    # the names of every version's authors and citations, read at once
    labels = data.labels({o for _, g in given for p in (SDO.author, SDO.citation) for o in g.objects(v, p)})
    for n, g in given:
        out.append({**read(data, g, v, labels, ratings), "version": n})
    out.reverse()
    for i, h in enumerate(out):
        h["current"] = i == 0 and h["version"] == versions[-1][0]
    return out


def standing_on(data, claim, date: str) -> dict | None:
    """The verdict standing on ``date`` (a status-as-of view): the newest given on or before it, or None."""
    limit = end_of(date)
    for h in history(data, claim):  # newest first
        if h.get("date") and start_of(h["date"]) <= limit:
            return h
    return None


def ratings_by_claim(data, claims=None) -> dict:
    """``{claim IRI: rating notation or "unmapped"}`` for the claim index: of every claim (``None``)
    or of some, read with plain triple lookups."""
    store, cur = data.store, data.current
    if claims is None:
        pairs = [(v, c) for v, _, c in store.triples(None, SDO.itemReviewed, None, cur)]
    else:
        reviewed = {(v, c) for v, _, c in store.describe([verdict_iri(data, c) for c in claims], cur,
                                                          (SDO.itemReviewed,))}
        pairs = [(v, c) for c in claims if (v := verdict_iri(data, c), c) in reviewed]
    # looked up together (a batch a request on a server store: one each, 10,000 verdicts took 40 min on Virtuoso)
    withdrawn = {v for v, _, _ in store.describe([v for v, _ in pairs], cur, (KB.withdrawn,))}
    rating: dict = {}
    for r, _, o in store.describe([URIRef(f"{v}#rating") for v, _ in pairs], cur, (KB.rating,)):
        rating.setdefault(r, o)
    out = {}
    for v, c in pairs:
        if v in withdrawn:
            continue
        found = rating.get(URIRef(f"{v}#rating"))
        out[c] = RATING_NAMES.get(found, "unmapped") if found is not None else "unmapped"
    return out


__all__ = ["RATINGS", "RATING_NAMES", "scheme", "verdict_iri", "rating_triples", "build", "verdicts_of", "history", "standing_on",
           "ratings_by_claim"]
