"""Records (claims, disputes, sources, agents, topics) to and from RDF.

Input records are plain dicts with the keys of the YAML import format (the
JSON API takes the same keys). Building a record's triples is lenient about
what is *missing* – the SHACL shapes judge that, and say which field – but
refuses what cannot be expressed at all: unknown keys, wrong shapes of value,
malformed ids and IRIs, text that is not valid Unicode.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from .errors import Problem
from .ids import Minter, content_id, slugify
from .namespaces import KB, OA, SDO
from .quotes import position_triples, text_triples

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,118}[a-z0-9])?$")
LANG = re.compile(r"^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*$")
DATE_RE = {
    XSD.date: re.compile(r"^-?\d{4}-\d{2}-\d{2}$"),
    XSD.gYearMonth: re.compile(r"^-?\d{4}-\d{2}$"),
    XSD.gYear: re.compile(r"^-?\d{4}$"),
}
# characters that may never appear in an IRI we store (RFC 3987 excluded set)
IRI_BAD = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')
MAX_TEXT = 100_000  # characters in one text field

STANCES = {
    "denies": KB.Denies,
    "disputes": KB.Disputes,
    "qualifies": KB.Qualifies,
    "confirms": KB.Confirms,
    "retracts": KB.Retracts,
}
STANCE_NAMES = {v: k for k, v in STANCES.items()}

AGENT_TYPES = {"Person": SDO.Person, "Organization": SDO.Organization}
SOURCE_TYPES = {"NewsArticle": SDO.NewsArticle, "CreativeWork": SDO.CreativeWork}

# property -> field name, per kind; used to name fields in SHACL reports
FIELDS = {
    "claim": {
        SDO.text: "text", SDO.author: "claimant", SDO.appearance: "sources",
        SDO.about: "about", SDO.dateCreated: "date", KB.quote: "quote",
        KB.sourcing: "sourcing", SKOS.editorialNote: "note", PROV.wasAttributedTo: "recorded_by",
        PROV.generatedAtTime: "recorded_at", RDF.type: "type",
    },
    "dispute": {
        KB.disputes: "claim", KB.party: "party", KB.stance: "stance", SDO.text: "text",
        SDO.dateCreated: "date", SDO.appearance: "sources", KB.quote: "quote", KB.counterClaim: "counter_claim",
        PROV.wasAttributedTo: "recorded_by", PROV.generatedAtTime: "recorded_at",
    },
    "verdict": {SDO.itemReviewed: "claim", SDO.reviewRating: "rating", SDO.reviewBody: "text", SDO.author: "author",
                SDO.datePublished: "date", SDO.citation: "sources", PROV.wasAttributedTo: "recorded_by",
                PROV.generatedAtTime: "recorded_at"},
    "rating": {KB.rating: "rating", SDO.alternateName: "rating", SDO.ratingValue: "rating_value",
               SDO.bestRating: "best_rating", SDO.worstRating: "worst_rating"},
    "relation": {KB.fromClaim: "claim", KB.toClaim: "claim", KB.relationType: "relation",
                 SKOS.editorialNote: "note"},
    "source": {
        SDO.headline: "headline", SDO.publisher: "publisher", SDO.datePublished: "published",
        SDO.inLanguage: "language", SDO.url: "url", SDO.author: "author", RDF.type: "type",
        SDO.translationOfWork: "translation_of", SKOS.editorialNote: "note", SDO.text: "text", KB.digest: "digest",
    },
    "agent": {
        SDO.name: "name", SDO.sameAs: "same_as", SDO.jobTitle: "job_title",
        SDO.worksFor: "works_for", RDF.type: "type",
    },
    "topic": {SKOS.prefLabel: "label"},
    "quote": {
        OA.exact: "quote.exact", OA.prefix: "quote.prefix", OA.suffix: "quote.suffix",
        OA.hasSource: "quote.source", KB.translated: "quote.translated", OA.start: "quote.start",
        OA.end: "quote.end",
    },
}

KEYS = {
    "claim": {"id", "text", "claimant", "sourcing", "about", "sources", "date", "quote", "note", "disputes"},
    "dispute": {"id", "claim", "party", "stance", "text", "date", "sources", "quote", "counter_claim"},
    "source": {"id", "type", "headline", "publisher", "author", "published", "language", "url", "translation_of",
               "note", "text"},
    "agent": {"id", "type", "name", "job_title", "works_for", "same_as"},
    "topic": {"id", "label"},
    "quote": {"source", "exact", "prefix", "suffix", "translated", "start", "end"},
}


def kind_of_types(types) -> str | None:
    types = set(types)
    if SDO.Claim in types:
        return "claim"
    if KB.Dispute in types:
        return "dispute"
    if types & {SDO.NewsArticle, SDO.CreativeWork}:
        return "source"
    if types & {SDO.Person, SDO.Organization}:
        return "agent"
    if SKOS.Concept in types:
        return "topic"
    if OA.TextQuoteSelector in types:
        return "quote"
    if SDO.ClaimReview in types:
        return "verdict"
    if KB.ClaimRelation in types:
        return "relation"
    if SDO.Rating in types:
        return "rating"
    if SDO.Comment in types:
        return "comment"
    return None


@dataclass
class Record:
    """One record: its IRI, kind and triples (its own and its owned fragments)."""

    iri: URIRef
    kind: str
    triples: set = field(default_factory=set)
    local_id: str | None = None

    def graph(self) -> Graph:
        g = Graph()
        for t in self.triples:
            g.add(t)
        return g


# ---- value checks -------------------------------------------------------------

class _Builder:
    """Collects triples and problems while building records from dicts."""

    def __init__(self, minter: Minter, resolver):
        self.minter = minter
        self.resolve_kind = resolver  # (local id, allowed kinds) -> kind
        self.problems: list[Problem] = []

    def problem(self, kind, rid, fld, message, value=None):
        if value is not None and not isinstance(value, str):
            value = repr(value)
        if isinstance(value, str) and len(value) > 200:
            value = value[:200] + "…"
        self.problems.append(Problem(message, record=rid, field=fld, value=value, kind=kind))

    def text(self, kind, rid, fld, value, *, required_str=True) -> str | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.problem(kind, rid, fld, "must be text", value)
            return None
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            self.problem(kind, rid, fld, "contains an invalid character (a lone surrogate)")
            return None
        if len(value) > MAX_TEXT:
            self.problem(kind, rid, fld, f"is too long ({len(value):,} characters; at most {MAX_TEXT:,})")
            return None
        if "\x00" in value:
            self.problem(kind, rid, fld, "contains a NUL character")
            return None
        return unicodedata.normalize("NFC", value)

    def lang_map(self, kind, rid, fld, value) -> list[Literal]:
        """{lang: text} -> language-tagged literals."""
        if value is None:
            return []
        if isinstance(value, str):
            self.problem(
                kind, rid, fld,
                "must give the text per language, e.g. {en: ..., ja: ...}", value)
            return []
        if not isinstance(value, dict):
            self.problem(kind, rid, fld, "must map language codes to text", value)
            return []
        out = []
        for lang, txt in value.items():
            if not isinstance(lang, str) or not LANG.match(lang):
                self.problem(kind, rid, f"{fld}.{lang}", "is not a language code such as ja or en", lang)
                continue
            t = self.text(kind, rid, f"{fld}.{lang}", txt)
            if t is not None:
                out.append(Literal(t, lang=lang.lower()))
        return out

    def date(self, kind, rid, fld, value) -> Literal | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return Literal(value.isoformat(), datatype=XSD.date)
        if isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:04d}"
        if not isinstance(value, str):
            self.problem(kind, rid, fld, "must be a date: YYYY-MM-DD, YYYY-MM or YYYY", value)
            return None
        value = value.strip()
        for datatype, rx in DATE_RE.items():
            if rx.match(value):
                return Literal(value, datatype=datatype)
        # left to the shapes, which name the field and say what a date is
        return Literal(value)

    def iri(self, kind, rid, fld, value, *, schemes=("http", "https")) -> URIRef | None:
        if not isinstance(value, str) or not value:
            self.problem(kind, rid, fld, "must be an IRI", value)
            return None
        if IRI_BAD.search(value):
            self.problem(kind, rid, fld, "is not a valid IRI (it contains spaces, quotes or angle brackets)", value)
            return None
        scheme = value.split(":", 1)[0].lower() if ":" in value else ""
        if scheme not in schemes:
            self.problem(kind, rid, fld, f"must be an absolute {' or '.join(s + '://' for s in schemes)} IRI", value)
            return None
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            self.problem(kind, rid, fld, "contains an invalid character (a lone surrogate)")
            return None
        return URIRef(unicodedata.normalize("NFC", value))

    def ref(self, kind, rid, fld, value, kinds: tuple[str, ...]) -> URIRef | None:
        """A reference: a local id (slug) or a full IRI."""
        if not isinstance(value, str) or not value:
            self.problem(kind, rid, fld, "must be the id of a record or an IRI", value)
            return None
        if ":" in value:
            return self.iri(kind, rid, fld, value, schemes=("http", "https", "urn"))
        if not SLUG.match(value):
            self.problem(kind, rid, fld, "is not a valid id (lowercase letters, digits and hyphens)", value)
            return None
        return self.minter.iri(self.resolve_kind(value, kinds), value)

    def refs(self, kind, rid, fld, value, kinds) -> list[URIRef]:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(kind, rid, fld, "must be a list of ids", value)
            return []
        out = []
        for v in value:
            r = self.ref(kind, rid, fld, v, kinds)
            if r is not None:
                out.append(r)
        return out

    def keys(self, kind, rid, rec: dict) -> None:
        unknown = sorted(set(map(str, rec)) - KEYS[kind])
        for k in unknown:
            self.problem(kind, rid, k, f"is not a field of a {kind} (expected one of: {', '.join(sorted(KEYS[kind]))})")

    def local_id(self, kind, rec, *, index: int, required: bool) -> str | None:
        rid = rec.get("id")
        if rid is None:
            if required:
                self.problem(kind, f"#{index + 1}", "id", f"a {kind} needs an id")
            return None
        if not isinstance(rid, str) or not SLUG.match(rid):
            self.problem(kind, f"#{index + 1}", "id", "is not a valid id (lowercase letters, digits and hyphens)", rid)
            return None
        return rid


# ---- building records ----------------------------------------------------------

def _quote(b: _Builder, kind: str, rid: str, subject: URIRef, value, rec: Record):
    if value is None:
        return
    if not isinstance(value, dict):
        b.problem(kind, rid, "quote", "must be {source: ..., exact: ...}", value)
        return
    unknown = sorted(set(map(str, value)) - KEYS["quote"])
    for k in unknown:
        b.problem(kind, rid, f"quote.{k}", "is not a field of a quote (expected source, exact, prefix, suffix, "
                                           "translated, start, end)")
    q = URIRef(f"{subject}#quote")
    rec.triples.add((subject, KB.quote, q))
    rec.triples.add((q, RDF.type, OA.TextQuoteSelector))
    for key, prop in (("exact", OA.exact), ("prefix", OA.prefix), ("suffix", OA.suffix)):
        if value.get(key) is not None:
            t = b.text(kind, rid, f"quote.{key}", value[key])
            if t is not None:
                rec.triples.add((q, prop, Literal(t)))
    if value.get("source") is not None:
        src = b.ref(kind, rid, "quote.source", value["source"], ("source",))
        if src is not None:
            rec.triples.add((q, OA.hasSource, src))
    translated = value.get("translated")
    if translated is not None and not isinstance(translated, bool):
        b.problem(kind, rid, "quote.translated", "must be true or false", translated)
    elif translated:  # false is what an unmarked quote means: nothing is written
        rec.triples.add((q, KB.translated, Literal(True)))
    rec.triples |= position_triples(b, kind, rid, q, value)  # where in the source's text (kb.quotes)


def build_claim(b: _Builder, rec_in: dict, index: int, local_id: str | None = None) -> Record | None:
    if not isinstance(rec_in, dict):
        b.problem("claim", f"#{index + 1}", None, "a claim must be a mapping of fields", rec_in)
        return None
    rid = local_id or b.local_id("claim", rec_in, index=index, required=False)
    if rid is None and "id" in rec_in:
        return None
    if rid is None:
        text = rec_in.get("text")
        seed = ""
        if isinstance(text, dict):
            seed = str(text.get("en") or next(iter(text.values()), ""))
        base = slugify(seed, 6) or "claim"
        rid = f"{base}-{content_id(repr(sorted(text.items())) if isinstance(text, dict) else repr(text))}"
    b.keys("claim", rid, rec_in)
    s = b.minter.iri("claim", rid)
    rec = Record(s, "claim", local_id=rid)
    t = rec.triples
    t.add((s, RDF.type, SDO.Claim))
    for lit in b.lang_map("claim", rid, "text", rec_in.get("text")):
        t.add((s, SDO.text, lit))
    if rec_in.get("claimant") is not None:
        r = b.ref("claim", rid, "claimant", rec_in["claimant"], ("agent",))
        if r is not None:
            t.add((s, SDO.author, r))
    if rec_in.get("sourcing") not in (None, ""):
        v = b.text("claim", rid, "sourcing", rec_in["sourcing"])
        if v is not None:
            t.add((s, KB.sourcing, Literal(v)))
    for r in b.refs("claim", rid, "about", rec_in.get("about"), ("agent", "topic")):
        t.add((s, SDO.about, r))
    for r in b.refs("claim", rid, "sources", rec_in.get("sources"), ("source",)):
        t.add((s, SDO.appearance, r))
    d = b.date("claim", rid, "date", rec_in.get("date"))
    if d is not None:
        t.add((s, SDO.dateCreated, d))
    _quote(b, "claim", rid, s, rec_in.get("quote"), rec)
    for lit in b.lang_map("claim", rid, "note", rec_in.get("note")):
        t.add((s, SKOS.editorialNote, lit))
    return rec


def dispute_local_id(claim_id: str, rec_in: dict) -> str:
    party = rec_in.get("party") if isinstance(rec_in.get("party"), str) else "party"
    party = party.rsplit("/", 1)[-1]
    stance = rec_in.get("stance") if isinstance(rec_in.get("stance"), str) else "stance"
    parts = [claim_id, "", slugify(party) or "party", slugify(stance) or "stance"]
    if isinstance(rec_in.get("date"), (str, dt.date)):
        parts.append(slugify(str(rec_in["date"])))
    return "-".join(p for p in parts)[:120].strip("-")


def build_dispute(b: _Builder, rec_in: dict, index: int, claim_ref=None) -> Record | None:
    if not isinstance(rec_in, dict):
        b.problem("dispute", f"#{index + 1}", None, "a dispute must be a mapping of fields", rec_in)
        return None
    claim = claim_ref if claim_ref is not None else rec_in.get("claim")
    claim_iri = None
    if claim is not None:
        claim_iri = claim if isinstance(claim, URIRef) else b.ref("dispute", f"#{index + 1}", "claim", claim, ("claim",))
    claim_local = b.minter.local(claim_iri)[1] if claim_iri is not None else None
    rid = b.local_id("dispute", rec_in, index=index, required=False)
    if rid is None and "id" in rec_in:
        return None
    if rid is None:
        rid = dispute_local_id(claim_local or content_id(str(claim_iri)), rec_in)
    b.keys("dispute", rid, rec_in)
    s = b.minter.iri("dispute", rid)
    rec = Record(s, "dispute", local_id=rid)
    t = rec.triples
    t.add((s, RDF.type, KB.Dispute))
    if claim_iri is not None:
        t.add((s, KB.disputes, claim_iri))
    if rec_in.get("party") is not None:
        r = b.ref("dispute", rid, "party", rec_in["party"], ("agent",))
        if r is not None:
            t.add((s, KB.party, r))
    stance = rec_in.get("stance")
    if stance is not None:
        if isinstance(stance, str) and stance.strip().lower() in STANCES:
            t.add((s, KB.stance, STANCES[stance.strip().lower()]))
        else:
            b.problem("dispute", rid, "stance", "must be one of: " + ", ".join(STANCES), stance)
    for lit in b.lang_map("dispute", rid, "text", rec_in.get("text")):
        t.add((s, SDO.text, lit))
    d = b.date("dispute", rid, "date", rec_in.get("date"))
    if d is not None:
        t.add((s, SDO.dateCreated, d))
    for r in b.refs("dispute", rid, "sources", rec_in.get("sources"), ("source",)):
        t.add((s, SDO.appearance, r))
    _quote(b, "dispute", rid, s, rec_in.get("quote"), rec)
    if rec_in.get("counter_claim") is not None:  # the claim the party makes instead (kb.relations)
        r = b.ref("dispute", rid, "counter_claim", rec_in["counter_claim"], ("claim",))
        if r is not None:
            t.add((s, KB.counterClaim, r))
    return rec


def _new_record(b: _Builder, kind: str, rec_in, index: int) -> Record | None:
    """The common start of an agent, source or topic: a mapping with a valid id."""
    if not isinstance(rec_in, dict):
        article = "an" if kind[0] in "aeiou" else "a"
        b.problem(kind, f"#{index + 1}", None, f"{article} {kind} must be a mapping of fields", rec_in)
        return None
    rid = b.local_id(kind, rec_in, index=index, required=True)
    if rid is None:
        return None
    b.keys(kind, rid, rec_in)
    return Record(b.minter.iri(kind, rid), kind, local_id=rid)


def build_source(b: _Builder, rec_in: dict, index: int) -> Record | None:
    rec = _new_record(b, "source", rec_in, index)
    if rec is None:
        return None
    s, rid = rec.iri, rec.local_id
    t = rec.triples
    typ = rec_in.get("type", "NewsArticle")
    if typ not in SOURCE_TYPES:
        b.problem("source", rid, "type", "must be NewsArticle or CreativeWork", typ)
    else:
        t.add((s, RDF.type, SOURCE_TYPES[typ]))
    for lit in b.lang_map("source", rid, "headline", rec_in.get("headline")):
        t.add((s, SDO.headline, lit))
    if rec_in.get("publisher") is not None:
        r = b.ref("source", rid, "publisher", rec_in["publisher"], ("agent",))
        if r is not None:
            t.add((s, SDO.publisher, r))
    if rec_in.get("author") is not None:
        for r in b.refs("source", rid, "author", rec_in["author"], ("agent",)):
            t.add((s, SDO.author, r))
    d = b.date("source", rid, "published", rec_in.get("published"))
    if d is not None:
        t.add((s, SDO.datePublished, d))
    if rec_in.get("language") is not None:
        v = b.text("source", rid, "language", rec_in["language"])
        if v is not None:
            t.add((s, SDO.inLanguage, Literal(v)))
    if rec_in.get("url") not in (None, ""):
        u = b.iri("source", rid, "url", rec_in["url"])
        if u is not None:
            t.add((s, SDO.url, u))
    if rec_in.get("translation_of") is not None:
        r = b.ref("source", rid, "translation_of", rec_in["translation_of"], ("source",))
        if r is not None:
            t.add((s, SDO.translationOfWork, r))
    for lit in b.lang_map("source", rid, "note", rec_in.get("note")):
        t.add((s, SKOS.editorialNote, lit))
    if rec_in.get("text") is not None:  # the source's own text, with its digest (kb.quotes)
        t |= text_triples(b, rid, s, rec_in["text"], rec_in.get("language"))
    return rec


def build_agent(b: _Builder, rec_in: dict, index: int) -> Record | None:
    rec = _new_record(b, "agent", rec_in, index)
    if rec is None:
        return None
    s, rid = rec.iri, rec.local_id
    t = rec.triples
    typ = rec_in.get("type")
    if typ not in AGENT_TYPES:
        b.problem("agent", rid, "type", "must be Person or Organization", typ)
    else:
        t.add((s, RDF.type, AGENT_TYPES[typ]))
    for lit in b.lang_map("agent", rid, "name", rec_in.get("name")):
        t.add((s, SDO.name, lit))
    for lit in b.lang_map("agent", rid, "job_title", rec_in.get("job_title")):
        t.add((s, SDO.jobTitle, lit))
    if rec_in.get("works_for") is not None:
        for r in b.refs("agent", rid, "works_for", rec_in["works_for"], ("agent",)):
            t.add((s, SDO.worksFor, r))
    if rec_in.get("same_as") not in (None, ""):
        for v in rec_in["same_as"] if isinstance(rec_in["same_as"], list) else [rec_in["same_as"]]:
            u = b.iri("agent", rid, "same_as", v)
            if u is not None:
                t.add((s, SDO.sameAs, u))
    return rec


def build_topic(b: _Builder, rec_in: dict, index: int) -> Record | None:
    rec = _new_record(b, "topic", rec_in, index)
    if rec is None:
        return None
    s, rid = rec.iri, rec.local_id
    rec.triples.add((s, RDF.type, SKOS.Concept))
    for lit in b.lang_map("topic", rid, "label", rec_in.get("label")):
        rec.triples.add((s, SKOS.prefLabel, lit))
    return rec


SECTIONS = ("agents", "topics", "sources", "claims")


def build_records(doc, minter: Minter, known_kind) -> tuple[list[Record], list[Problem]]:
    """A YAML/JSON document {agents, topics, sources, claims} -> records.

    ``known_kind(local_id)`` says which kind a local id already has in the
    store (or None); ids defined in the document itself win.
    """
    b = _Builder(minter, None)
    if not isinstance(doc, dict):
        return [], [Problem("the file must be a mapping with the sections " + ", ".join(SECTIONS))]
    for key in doc:
        if key not in SECTIONS:
            b.problem(None, None, str(key), "is not a section of an import (expected: " + ", ".join(SECTIONS) + ")")
    local_kinds: dict[str, str] = {}
    for section, kind in (("agents", "agent"), ("topics", "topic"), ("sources", "source"), ("claims", "claim")):
        for rec in doc.get(section) or []:
            if isinstance(rec, dict) and isinstance(rec.get("id"), str):
                local_kinds.setdefault(rec["id"], kind)

    asked: dict = {}  # (local id, kinds) -> the store's answer: a bulk import names the same few often

    def resolve(local_id, kinds):
        k = local_kinds.get(local_id)
        if k in kinds:
            return k
        key = (local_id, tuple(kinds))
        if key not in asked:
            asked[key] = known_kind(local_id, kinds)
        return asked[key] or kinds[0]

    b.resolve_kind = resolve
    records: list[Record] = []
    seen: dict[URIRef, str] = {}

    def keep(rec):
        if rec is None:
            return
        if rec.iri in seen:
            b.problem(rec.kind, rec.local_id, "id", f"is given twice in this import (also as a {seen[rec.iri]})")
            return
        seen[rec.iri] = rec.kind
        records.append(rec)

    for section, builder in (("agents", build_agent), ("topics", build_topic), ("sources", build_source)):
        items = doc.get(section) or []
        if not isinstance(items, list):
            b.problem(None, None, section, "must be a list of records")
            continue
        for i, rec in enumerate(items):
            keep(builder(b, rec, i))
    claims = doc.get("claims") or []
    if not isinstance(claims, list):
        b.problem(None, None, "claims", "must be a list of records")
        claims = []
    for i, rec_in in enumerate(claims):
        rec = build_claim(b, rec_in, i)
        keep(rec)
        if rec is None or not isinstance(rec_in, dict):
            continue
        disputes = rec_in.get("disputes") or []
        if not isinstance(disputes, list):
            b.problem("claim", rec.local_id, "disputes", "must be a list of disputes")
            continue
        for j, d in enumerate(disputes):
            if isinstance(d, dict) and "claim" in d:
                b.problem("dispute", f"#{j + 1}", "claim", "is implied by the claim it is listed under; leave it out")
                continue
            if isinstance(d, dict) and isinstance(d.get("counter_claim"), dict):  # a new claim, the party's
                defaults = {k: d.get(f) for k, f in (("claimant", "party"), ("sources", "sources"), ("date", "date"))}
                counter = build_claim(b, {**{k: v for k, v in defaults.items() if v},
                                          "about": rec_in.get("about"), **d["counter_claim"]}, j)
                keep(counter)
                d = {**d, "counter_claim": counter.iri if counter is not None else None}
            keep(build_dispute(b, d, j, claim_ref=rec.iri))
    return records, b.problems


def build_one(kind: str, rec_in, minter: Minter, known_kind, *, claim=None) -> tuple[Record | None, list[Problem]]:
    """One record of one kind (the JSON API's writes)."""
    b = _Builder(minter, lambda local_id, kinds: known_kind(local_id, kinds) or kinds[0])
    if kind == "claim":
        rec = build_claim(b, rec_in, 0)
    elif kind == "dispute":
        rec = build_dispute(b, rec_in, 0, claim_ref=claim)
    else:
        rec = {"source": build_source, "agent": build_agent, "topic": build_topic}[kind](b, rec_in, 0)
    return rec, b.problems


def analyst_triples(minter: Minter, name: str) -> set:
    a = minter.analyst(name)
    return {(a, RDF.type, PROV.Agent), (a, RDF.type, KB.Analyst), (a, RDFS.label, Literal(name))}
