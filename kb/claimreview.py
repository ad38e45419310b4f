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

from rdflib import URIRef
from rdflib.namespace import RDF

from . import queries
from .namespaces import KB, SCHEMA_CONTEXT, SDO
from .reads import get_claims
from .verdicts import RATINGS, verdict_iri

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


# what the feed reads of each verdict, its rating, its claim, and the claim's claimant and sources
FEED_PREDICATES = (SDO.itemReviewed, SDO.datePublished, SDO.author, SDO.reviewRating, KB.rating, SDO.alternateName,
                   SDO.ratingValue, SDO.bestRating, SDO.worstRating, SDO.text, SDO.dateCreated, SDO.appearance,
                   SDO.name, SDO.url, RDF.type)


def feed(data, *, url_of, publisher: dict | None = None, chunk: int = 1000):
    """Every current verdict as one schema.org ``DataFeed`` of ``ClaimReview`` items, in pieces of
    JSON text to write or stream one after another, ``chunk`` verdicts at a time, so the feed's memory
    does not grow with the store and its first piece comes at once. From the claim index where the
    store keeps one (each judged claim's review is kept there by every write), else read from the store
    (:func:`reviews_of`). ``url_of(claim id)`` is a claim page's address."""
    ours = _organisation(publisher)
    yield '{"@context": ' + json.dumps(CONTEXT) + ', "@type": "DataFeed", "dataFeedElement": ['
    n = 0
    # a server store's replica of the index first catches up with other workers' writes (kb.replica)
    if data.index is not None and (data.replica is None or data.replica.sync()):
        batches = ([json.loads(j) for _, j in rows] for rows in data.index.reviews(chunk))
    else:
        verdicts = sorted(r["c"] for r in data.select(queries.VERDICTS))
        batches = (reviews_of(data, verdicts[i : i + chunk]) for i in range(0, len(verdicts), chunk))
    for batch in batches:
        part = []
        for review in batch:
            part.append((",\n" if n else "\n") + json.dumps(_addressed(data, review, url_of, ours), ensure_ascii=False))
            n += 1
        yield "".join(part)
    yield "\n]}\n"


def _addressed(data, review: dict, url_of, ours: dict) -> dict:
    """A review with this site's addresses: the claim page's, and our organisation as the author of our
    analysts' verdicts (a review with no author of its own)."""
    url = url_of(data.local_id(review["itemReviewed"]["@id"]))
    out = {"@type": "ClaimReview", "@id": review["@id"], "url": url, **review}
    out["itemReviewed"] = {**review["itemReviewed"], "url": url}
    out.setdefault("author", ours)
    return out


def index_rows(data, claims) -> list[tuple]:
    """``[(claim IRI, review JSON)]`` of judged claims, for the claim index."""
    return [(r["itemReviewed"]["@id"], json.dumps(r, ensure_ascii=False, sort_keys=True))
            for i in range(0, len(claims), 1000) for r in reviews_of(data, claims[i : i + 1000])]


def reviews_of(data, claims) -> list[dict]:
    """The ClaimReviews of some judged claims, without this site's addresses (see :func:`_addressed`),
    read with three lookups of only the triples they need (the verdicts and their ratings; the claims;
    the claimants, authors and sources)."""
    vs = [verdict_iri(data, c) for c in claims]
    facts = _facts(data, vs + [URIRef(f"{v}#rating") for v in vs])
    pairs = [(v, facts[v][SDO.itemReviewed][0]) for v in vs if facts[v].get(SDO.itemReviewed)]
    facts.update(_facts(data, [c for _, c in pairs]))
    facts.update(_facts(data, {x for v, c in pairs for x in (*facts[v].get(SDO.author, ()), *facts[c].get(SDO.author, ()),
                                                             *facts[c].get(SDO.appearance, ()))}))
    return [_feed_item(data, v, c, facts) for v, c in pairs]


def _facts(data, subjects) -> dict:
    """{subject: {predicate: [objects]}} of the predicates the feed reads."""
    out: dict = {s: {} for s in subjects}
    for s, p, o in data.store.describe(list(out), data.current, FEED_PREDICATES):
        out[s].setdefault(p, []).append(o)
    return out


def _english(texts) -> str | None:
    """English where given, else Japanese, else any: for the fields aggregators read as one string."""
    by = {t.language or "": str(t) for t in texts or ()}
    return by.get("en") or by.get("ja") or next(iter(by.values()), None)


def _organisation(publisher: dict | None) -> dict:
    org = {"@type": "Organization", "name": (publisher or {}).get("name") or "ClaimKB"}
    if (publisher or {}).get("url"):
        org["url"] = publisher["url"]
    return org


def _feed_item(data, v, c, facts: dict) -> dict:
    """One verdict ``v`` of claim ``c`` as a ClaimReview, from the triples in ``facts`` (without this
    site's addresses, and without an author when it is our analysts')."""
    claim, verdict = facts[c], facts[v]
    rating_node = facts.get(URIRef(f"{v}#rating"), {})

    def one(found, p):
        return found.get(p, [None])[0]

    claimant = None
    if claim.get(SDO.author):
        a = claim[SDO.author][0]
        claimant = {"@type": "Person" if SDO.Person in facts.get(a, {}).get(RDF.type, ()) else "Organization",
                    "@id": str(a), "name": _english(facts.get(a, {}).get(SDO.name))}
    appearance = []
    for s in sorted(claim.get(SDO.appearance, ())):
        src_url = one(facts.get(s, {}), SDO.url)
        appearance.append({"@type": "CreativeWork", "@id": str(s), **({"url": str(src_url)} if src_url else {})})
    published = min((str(p) for s in claim.get(SDO.appearance, ()) for p in facts.get(s, {}).get(SDO.datePublished, ())),
                    default=None)
    made = one(claim, SDO.dateCreated)
    item = {"@type": "Claim", "@id": str(c), "author": claimant, "datePublished": str(made) if made else published,
            "appearance": appearance}
    alt = one(rating_node, SDO.alternateName)
    rating = {"@type": "Rating", "alternateName": str(alt) if alt is not None else None}
    for p, name in ((SDO.ratingValue, "ratingValue"), (SDO.bestRating, "bestRating"), (SDO.worstRating, "worstRating")):
        x = one(rating_node, p)
        if x is not None:
            x = float(x)
            rating[name] = int(x) if x == int(x) else x
    if one(rating_node, KB.rating) is not None:
        rating["kb:rating"] = {"@id": str(one(rating_node, KB.rating))}
    a = one(verdict, SDO.author)
    names = facts.get(a, {}).get(SDO.name)
    # a fact-checker's verdict, imported, is theirs; our analysts' are the publishing organisation's
    author = {"@type": "Organization", "@id": str(a), "name": _english(names)} if names else None
    out = {"@type": "ClaimReview", "@id": str(v), "claimReviewed": _english(claim.get(SDO.text)),
           "itemReviewed": {k: x for k, x in item.items() if x not in (None, [])}, "reviewRating": rating,
           "author": author, "datePublished": str(one(verdict, SDO.datePublished))}
    return {k: x for k, x in out.items() if x is not None}


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
