"""A claim as schema.org JSON-LD, the form fact-checking tools read, and the feed of every verdict.

What is embedded is a ``Claim``: its texts, its claimant, where it appears and
the stances parties take on it. Only when analysts have recorded a verdict is it
wrapped in a ``ClaimReview`` (its ``reviewRating`` the verdict's rating): the
derived status (what the parties say: "disputed" when one denies it) is no
one's verdict and never becomes a rating. :func:`feed` writes every verdict as
one ``DataFeed``, the form fact-check aggregators ingest, streamed.
"""

from __future__ import annotations

import json

from . import queries
from .namespaces import KB, SCHEMA_CONTEXT, SDO
from .reads import get_claims
from .verdicts import RATINGS

STANCE_TERMS = {"denies": KB.Denies, "disputes": KB.Disputes, "qualifies": KB.Qualifies,
                "confirms": KB.Confirms, "retracts": KB.Retracts}
CONTEXT = [SCHEMA_CONTEXT, {"kb": str(KB._NS)}]


def claim_review(data, ref, *, url: str | None = None, publisher: dict | None = None) -> dict:
    """schema.org ``Claim`` as JSON-LD for fact-checking tools: texts, claimant, appearances (a
    translation with the work it translates) and, as ``kb:Dispute`` nodes pointing at it, each
    standing stance a party takes on it; inside a ``ClaimReview`` by ``publisher`` ({name, url})
    when the claim has a verdict."""
    claim = ref if isinstance(ref, dict) else get_claims(data, [ref])[0]
    item = _claim_item(data, claim, url=url)
    if not claim.get("verdict"):
        return {"@context": CONTEXT, **item}
    return {"@context": CONTEXT, **review(claim, item, url=url, publisher=publisher)}


def _first(texts: dict) -> str:
    """One text for a field aggregators read as a plain string: English, else Japanese, else any."""
    return texts.get("en") or texts.get("ja") or next(iter(texts.values()), "")


def review(claim: dict, item: dict, *, url: str | None, publisher: dict | None) -> dict:
    """A claim's verdict as a schema.org ``ClaimReview`` of ``item`` (its ``Claim``)."""
    v = claim["verdict"]
    rating = {"@type": "Rating", "alternateName": _first(v["label"]) if v["rating"] else v["rating_name"]}
    for k, name in (("rating_value", "ratingValue"), ("best_rating", "bestRating"), ("worst_rating", "worstRating")):
        if v.get(k) is not None:
            rating[name] = v[k]
    if v["rating"]:
        rating["kb:rating"] = {"@id": str(RATINGS[v["rating"]])}
    if v["author"]["kind"] == "agent":  # a fact-checker's verdict, imported: theirs
        org = {"@type": "Organization", "@id": v["author"]["iri"], "name": _first(v["author"]["name"])}
    else:  # our analysts': the publishing organisation's
        org = {"@type": "Organization", "name": (publisher or {}).get("name") or "ClaimKB"}
        if (publisher or {}).get("url"):
            org["url"] = publisher["url"]
    out = {"@type": "ClaimReview", "@id": v["iri"], "claimReviewed": _first(claim["text"]),
           "itemReviewed": item, "reviewRating": rating, "author": org, "datePublished": v["date"],
           "reviewBody": [{"@value": t, "@language": k} for k, t in sorted(v["text"].items())]}
    if url:
        out["url"] = url
    return {k: x for k, x in out.items() if x not in (None, [])}


def feed(data, *, url_of, publisher: dict | None = None, chunk: int = 200):
    """Every current verdict as one schema.org ``DataFeed`` of ``ClaimReview`` items, in pieces of
    JSON text to write or stream one after another; ``chunk`` claims are read at a time, so the
    feed's memory does not grow with the store. ``url_of(claim id)`` is a claim page's address."""
    claims = sorted({r["c"] for r in data.select(queries.VERDICTS)})
    yield '{"@context": ' + json.dumps(CONTEXT) + ', "@type": "DataFeed", "dataFeedElement": ['
    n = 0
    for i in range(0, len(claims), chunk):
        part = []
        for c in get_claims(data, claims[i : i + chunk]):
            if c["verdict"]:
                url = url_of(c["id"])
                item = _claim_item(data, c, url=url, stances=False)
                part.append((",\n" if n else "\n") + json.dumps(review(c, item, url=url, publisher=publisher),
                                                                ensure_ascii=False))
                n += 1
        yield "".join(part)
    yield "\n]}\n"


class ClaimReviews:
    """``kb.reviews``: schema.org ClaimReview out (:meth:`feed`) and in (:meth:`load`)."""

    def __init__(self, data):
        self.data = data

    def feed(self, *, url_of, publisher: dict | None = None):
        """The ``DataFeed`` of every verdict, as pieces of JSON text (see :func:`feed`)."""
        return feed(self.data, url_of=url_of, publisher=publisher)


def _claim_item(data, claim: dict, *, url: str | None = None, stances: bool = True) -> dict:
    """The ``Claim`` node of a claim (with the parties' stances on it unless ``stances`` is False)."""
    live = [d for d in claim["disputes"] if not d["withdrawn"]]
    agents = [claim["claimant"]] + [d["party"] for d in live]
    types = data.types([a["iri"] for a in agents if a])

    def texts(m):
        return [{"@value": v, "@language": k} for k, v in sorted(m.items())]

    def agent(a):
        if not a:
            return None
        t = types.get(a["iri"])  # keyed as asked: a plain string (a URIRef is never equal to one)
        return {"@type": "Person" if t == SDO.Person else "Organization", "@id": a["iri"],
                "name": texts(a["name"])}

    def source(s, *, original=True):
        out = {"@type": "NewsArticle", "@id": s["iri"], "headline": texts(s.get("headline") or s.get("name") or {})}
        if s.get("url"):
            out["url"] = s["url"]
        if s.get("published"):
            out["datePublished"] = s["published"]
        if s.get("language"):
            out["inLanguage"] = s["language"]
        if s.get("publisher"):
            out["publisher"] = {"@type": "Organization", "@id": s["publisher"]["iri"],
                                "name": texts(s["publisher"]["name"])}
        if s.get("author"):
            out["author"] = [{"@id": a["iri"], "name": texts(a["name"])} for a in s["author"]]
        if original and s.get("translation_of"):
            out["translationOfWork"] = source(s["translation_of"], original=False)
        return out

    def stance(d):
        out = {"@type": "kb:Dispute", "@id": d["iri"], "kb:party": agent(d["party"]),
               "kb:stance": {"@id": str(STANCE_TERMS[d["stance"]])} if d["stance"] else None,
               "text": texts(d["text"]),
               "appearance": [{"@id": s["iri"]} for s in d["sources"] if s]}
        if d["date"]:
            out["dateCreated"] = d["date"]
        return {k: v for k, v in out.items() if v not in (None, [])}

    item = {"@type": "Claim", "@id": claim["iri"], "text": texts(claim["text"]),
            "author": agent(claim["claimant"]),
            "appearance": [source(s) for s in claim["sources"] if s],
            "about": [{"@id": a["iri"], "name": texts(a["name"])} for a in claim["about"]]}
    if claim["sources"] and claim["sources"][0]:
        item["firstAppearance"] = {"@id": claim["sources"][0]["iri"]}
    if claim["date"]:
        item["dateCreated"] = claim["date"]
    published = claim["date"] or min((s["published"] for s in claim["sources"] if s and s.get("published")),
                                      default=None)
    if published:
        item["datePublished"] = published
    if url:
        item["url"] = url
    if live and stances:
        # each dispute names the claim it is about (kb:disputes): here, seen from the claim
        item["@reverse"] = {"kb:disputes": [stance(d) for d in live]}
    return {k: v for k, v in item.items() if v not in (None, [])}


__all__ = ["claim_review", "review", "feed", "ClaimReviews"]
