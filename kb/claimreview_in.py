"""ClaimReview in: schema.org ``ClaimReview`` JSON-LD, as fact-checkers publish it on their
pages and in feeds (one review, a list, or a ``DataFeed``), made into claims and verdicts.

Each review becomes a claim (``claimReviewed``; its claimant from
``itemReviewed.author``; its sources from ``appearance``/``firstAppearance``, else
the review itself) and a verdict by the fact-checker (the review's ``author``). The
rating is mapped onto our scale by its ``alternateName`` (a label of a concept of
``kb:RatingScheme``, in English or Japanese) or else by a ``ratingValue`` on the same
1-5 scale; a rating that maps to nothing is kept with its own name and numbers and no
concept: unmapped, never guessed. Ids come from the review's address and text, so
importing the same feed again changes nothing; records that already exist (an agent
named the same) are referred to, never rewritten. All or nothing: every problem is
reported with the item it concerns.
"""

from __future__ import annotations

import json
import re
import unicodedata
from urllib.parse import urlsplit

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from . import verdicts
from .errors import InvalidData, KBError, Problem
from .ids import content_id, slugify
from .model import LANG, Record, build_records
from .namespaces import SDO
from .writes import commit

# a type as markup writes it: its name under schema.org's context, prefixed, or a full IRI (http or https)
REVIEW_TYPES = {"ClaimReview", "schema:ClaimReview", str(SDO.ClaimReview), str(SDO.ClaimReview).replace("http:", "https:")}
FEED_TYPES = {"DataFeed", "schema:DataFeed", str(SDO.DataFeed), str(SDO.DataFeed).replace("http:", "https:")}
IMPORT_TOPIC = {"id": "imported-fact-checks", "label": {"en": "Imported fact-checks", "ja": "取り込んだファクトチェック"}}
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _types(node) -> set:
    t = node.get("@type") if isinstance(node, dict) else None
    return set(t if isinstance(t, list) else [t]) if t else set()


def items_of(doc) -> list | None:
    """The reviews of a document (one, a list, a ``DataFeed``, an ``@graph``), or None when it holds none."""
    if isinstance(doc, list):
        found = [i for x in doc for i in (items_of(x) or [])]
        return found or None
    if not isinstance(doc, dict):
        return None
    if _types(doc) & REVIEW_TYPES:
        return [doc]
    if _types(doc) & FEED_TYPES:
        out = []
        for el in doc.get("dataFeedElement") or []:  # an element may wrap its review in a DataFeedItem
            out.append(el.get("item") if isinstance(el, dict) and isinstance(el.get("item"), dict) else el)
        return out
    if isinstance(doc.get("@graph"), list):
        return items_of(doc["@graph"])
    return None


def is_claimreview(raw: bytes) -> bool:
    """Whether a JSON-LD document holds schema.org ClaimReviews (rather than ClaimKB's own RDF)."""
    try:
        return items_of(json.loads(raw)) is not None
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False


def _first(value):
    return value[0] if isinstance(value, list) and value else value


def _text(value) -> str | None:
    """A plain string from a JSON-LD value: a string, {"@value"}, or the first of a list."""
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return unicodedata.normalize("NFC", value.strip()) if isinstance(value, str) and value.strip() else None


def _date(value) -> str | None:
    """YYYY-MM-DD from a schema.org Date or DateTime (the time dropped)."""
    v = _text(value)
    m = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$", v or "")
    return m.group(1) if m else None


def _number(value):
    v = _text(value)
    try:
        return float(v) if v is not None else None
    except ValueError:
        return None


def _lang(item: dict, text: str) -> str:
    """The language of a review's texts: its ``inLanguage``, else Japanese when written in kana or kanji."""
    given = _text(item.get("inLanguage")) or _text((item.get("itemReviewed") or {}).get("inLanguage")
                                                   if isinstance(item.get("itemReviewed"), dict) else None)
    if given and LANG.match(given):
        return given.lower()
    return "ja" if JAPANESE.search(text) else "en"


def _slug(text: str, kind: str, words: int = 8) -> str:
    """An id from a name or text in Latin letters; ``<kind>-<digest>`` for one in Japanese (whose
    letters a slug would drop, leaving a stray word that other names share)."""
    slug = slugify(text, words)
    return slug if slug and not JAPANESE.search(text) else f"{kind}-{content_id(text)}"


def _norm(label: str) -> str:
    return re.sub(r"[\s\-_.!?,。、]+", " ", unicodedata.normalize("NFKC", label).lower()).strip()


def rating_labels(scheme: dict) -> dict:
    """{normalised label: notation} of our ratings: notations, preferred and alternative labels, any language."""
    out = {}
    for name, c in scheme.items():
        for label in [name, *c["label"].values(), *c.get("alt", [])]:
            out.setdefault(_norm(label), name)
    return out


def map_rating(scheme: dict, rating: dict) -> str | None:
    """Our rating (its notation) for a review's rating, or None: by its ``alternateName`` (a label in
    any language), else by a whole ``ratingValue`` on our own 1-5 scale. Never a guess across scales."""
    name = _text(rating.get("alternateName")) or _text(rating.get("name"))
    if name:
        return rating_labels(scheme).get(_norm(name))
    value, best, worst = (_number(rating.get(k)) for k in ("ratingValue", "bestRating", "worstRating"))
    if value is not None and (best, worst) == (verdicts.BEST, verdicts.WORST) and value == int(value):
        return {c["value"]: n for n, c in scheme.items() if c["value"] is not None}.get(int(value))
    return None


class _Item:
    """One review made into YAML-shaped records and a verdict; problems named by the item."""

    def __init__(self, data, index: int, node, labels: dict, doc: dict, existing: set):
        self.data, self.index, self.labels, self.doc, self.existing = data, index, labels, doc, existing
        self.where = f"item {index + 1}"
        self.problems: list[Problem] = []
        self.node = node if isinstance(node, dict) else {}
        url = _text(self.node.get("url")) or _text(self.node.get("@id"))
        if url:
            self.where += f" ({url[:120]})"
        if not isinstance(node, dict) or not (_types(node) & REVIEW_TYPES):
            self.problem(None, "is not a ClaimReview")

    def problem(self, fld, message, value=None):
        self.problems.append(Problem(message, record=self.where, field=fld, kind="claimreview",
                                     value=None if value is None else str(value)[:200]))

    def agent(self, node, fld, default_type="Organization") -> str | None:
        """An agent's id for a schema.org Person or Organization (the one already stored, if named so)."""
        node = _first(node)
        if isinstance(node, str):
            node = {"name": node}
        name = _text(node.get("name")) if isinstance(node, dict) else None
        if not name:
            self.problem(fld, "needs a name")
            return None
        rid = _slug(name, "agent")
        if rid not in self.existing and not self.data.describe([self.data.minter.iri("agent", rid)]):
            types = _types(node)
            typ = "Person" if "Person" in types else "Organization" if "Organization" in types else default_type
            rec = {"id": rid, "type": typ, "name": {_lang({}, name) if JAPANESE.search(name) else "en": name}}
            same = _text(node.get("sameAs"))
            if same and same.startswith("http://www.wikidata.org/entity/Q"):
                rec["same_as"] = same
            self.doc["agents"].append(rec)
            self.existing.add(rid)
        return rid

    def source(self, node, lang: str, date: str | None, publisher: str | None) -> str | None:
        """A source for where the claim appeared (a schema.org CreativeWork, or only its URL)."""
        node = _first(node)
        if isinstance(node, str):
            node = {"url": node}
        if not isinstance(node, dict):
            return None
        url = _text(node.get("url")) or _text(node.get("@id"))
        if not url or not url.startswith(("http://", "https://")):
            self.problem("appearance", "needs the URL where the claim appeared", url)
            return None
        rid = f"{slugify(urlsplit(url).netloc, 4) or 'source'}-{content_id(url)}"
        if rid not in self.existing and not self.data.describe([self.data.minter.iri("source", rid)]):
            pub = self.agent(node.get("publisher") or {"name": urlsplit(url).netloc}, "appearance.publisher") \
                if node.get("publisher") or not publisher else publisher
            headline = _text(node.get("headline")) or _text(node.get("name")) or url
            self.doc["sources"].append({
                "id": rid, "type": "CreativeWork", "headline": {lang: headline}, "publisher": pub,
                "published": _date(node.get("datePublished")) or date, "url": url,
                "language": (_text(node.get("inLanguage")) or lang)})
            self.existing.add(rid)
        return rid

    def build(self) -> tuple[dict | None, dict | None]:
        """The claim record and the verdict's parts, or (None, None) when the item is unusable."""
        node = self.node
        if self.problems:
            return None, None
        text = _text(node.get("claimReviewed"))
        if not text:
            self.problem("claimReviewed", "needs the text of the claim reviewed")
        rating = _first(node.get("reviewRating"))
        if not isinstance(rating, dict) or not (_text(rating.get("alternateName")) or _text(rating.get("name"))
                                                or _number(rating.get("ratingValue")) is not None):
            self.problem("reviewRating", "needs a rating: an alternateName or a ratingValue")
        reviewed_on = _date(node.get("datePublished"))
        if not reviewed_on:
            self.problem("datePublished", "needs the date of the review (YYYY-MM-DD)", _text(node.get("datePublished")))
        checker = self.agent(node.get("author"), "author")
        if self.problems:
            return None, None
        lang = _lang(node, text)
        item = node.get("itemReviewed") if isinstance(node.get("itemReviewed"), dict) else {}
        claimant = self.agent(item.get("author"), "itemReviewed.author", "Person") if item.get("author") else checker
        made = _date(item.get("datePublished")) or _date(item.get("dateCreated"))
        appearances = [a for k in ("firstAppearance", "appearance") for a in (
            item.get(k) if isinstance(item.get(k), list) else [item.get(k)]) if a]
        sources = [s for a in appearances if (s := self.source(a, lang, made or reviewed_on, None))]
        review_url = _text(node.get("url"))
        if not sources and review_url:  # the fact-check itself reports the claim
            sources = [self.source({"url": review_url, "headline": node.get("headline") or node.get("name")},
                                   lang, reviewed_on, checker)]
        key = review_url or _text(node.get("@id")) or text
        claim = {"id": f"{_slug(text, 'claim', 6)}-{content_id(key, text)}"[:120], "text": {lang: text},
                 "claimant": claimant, "about": [IMPORT_TOPIC["id"]], "sources": list(dict.fromkeys(sources))}
        if made:
            claim["date"] = made
        name = _text(rating.get("alternateName")) or _text(rating.get("name"))
        concept = map_rating(self.labels, rating)
        values = {k: _number(rating.get(k)) for k in ("ratingValue", "bestRating", "worstRating")}
        body = _text(node.get("reviewBody")) or _text(node.get("description"))
        if not name:  # a bare number: our label when it maps, else the number as given
            v = values["ratingValue"]
            name = concept if concept else (str(int(v)) if v == int(v) else str(v))
        return claim, {"checker": checker, "date": reviewed_on, "url": review_url, "concept": concept,
                       "name": name, "values": values, "body": body, "lang": lang}


def _verdict(data, claim_iri, v: dict) -> Record:
    iri = verdicts.verdict_iri(data, claim_iri)
    t = {(iri, RDF.type, SDO.ClaimReview), (iri, SDO.itemReviewed, claim_iri),
         (iri, SDO.author, data.minter.iri("agent", v["checker"])),
         (iri, SDO.datePublished, Literal(v["date"], datatype=XSD.date))}
    concept = verdicts.RATINGS[v["concept"]] if v["concept"] else None
    vals = v["values"]
    if vals["ratingValue"] is not None:
        t |= verdicts.rating_triples(iri, concept, v["name"], vals["ratingValue"],
                                     vals["bestRating"] if vals["bestRating"] is not None else verdicts.BEST,
                                     vals["worstRating"] if vals["worstRating"] is not None else verdicts.WORST)
    else:
        t |= verdicts.rating_triples(iri, concept, v["name"])
    if v["url"] and v["url"].startswith(("http://", "https://")):
        t.add((iri, SDO.url, URIRef(v["url"])))
    if v["body"]:
        t.add((iri, SDO.reviewBody, Literal(v["body"], lang=v["lang"])))
    return Record(iri, "verdict", t, data.local_id(iri))


def load(data, raw: bytes | str, *, by: str, name: str = "input", progress=None, engine: str = "pyshacl"):
    """Import ClaimReview JSON-LD (one review, a list, or a DataFeed): all or nothing."""
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise InvalidData([Problem(f"{name} is not valid JSON: {e}")]) from None
    items = items_of(doc)
    if not items:
        raise KBError(f"{name} holds no ClaimReview (one, a list, or a DataFeed of them)")
    labels = verdicts.scheme(data)
    out = {"agents": [], "topics": [], "sources": [], "claims": []}
    existing: set = set()
    if not data.describe([data.minter.iri("topic", IMPORT_TOPIC["id"])]):
        out["topics"].append(IMPORT_TOPIC)
    problems, parts, owners = [], [], {}
    for i, node in enumerate(items):
        item = _Item(data, i, node, labels, out, existing)
        before = {k: len(v) for k, v in out.items()}
        claim, verdict = item.build()
        for k in out:
            for rec in out[k][before[k]:]:
                owners[rec["id"]] = item.where
        problems += item.problems
        if claim:
            owners[claim["id"]] = item.where
            out["claims"].append(claim)
            parts.append((claim["id"], verdict))
    records, found = build_records(out, data.minter, data.known_kind)
    problems += [Problem(p.message, record=owners.get(p.record, p.record), field=f"{p.kind}.{p.field}" if p.kind
                         else p.field, value=p.value, kind="claimreview") for p in found]
    if problems:
        raise InvalidData(problems)
    records += [_verdict(data, data.minter.iri("claim", cid), v) for cid, v in parts]
    try:
        return commit(data, records, by, progress=progress, engine=engine)
    except InvalidData as e:  # the shapes' problems, named by the item that brought the record
        raise InvalidData([Problem(p.message, record=owners.get(p.record, p.record), field=p.field, value=p.value,
                                   kind=p.kind) for p in e.problems]) from None


__all__ = ["items_of", "is_claimreview", "rating_labels", "map_rating", "load"]
