"""A claim as schema.org JSON-LD, the form fact-checking tools read."""

from __future__ import annotations

from rdflib import URIRef

from .namespaces import SCHEMA_CONTEXT, SDO
from .reads import get_claims, scheme_labels


def claim_review(data, ref, *, url: str | None = None) -> dict:
    """schema.org ``Claim`` as JSON-LD for fact-checking tools, wrapped in a
    ``ClaimReview`` when the claim has a verdict (any status but reported)."""
    claim = ref if isinstance(ref, dict) else get_claims(data, [ref])[0]
    types = data.types([claim["claimant"]["iri"]] if claim["claimant"] else [])

    def texts(m):
        return [{"@value": v, "@language": k} for k, v in sorted(m.items())]

    def agent(a):
        if not a:
            return None
        t = types.get(URIRef(a["iri"]))
        return {"@type": "Person" if t == SDO.Person else "Organization", "@id": a["iri"],
                "name": texts(a["name"])}

    def source(s):
        out = {"@type": "NewsArticle", "@id": s["iri"], "headline": texts(s.get("headline") or s["name"])}
        if s.get("url"):
            out["url"] = s["url"]
        if s.get("published"):
            out["datePublished"] = s["published"]
        if s.get("publisher"):
            out["publisher"] = {"@type": "Organization", "name": texts(s["publisher"]["name"])}
        return out

    item = {"@type": "Claim", "@id": claim["iri"], "text": texts(claim["text"]),
            "author": agent(claim["claimant"]),
            "appearance": [source(s) for s in claim["sources"] if s],
            "about": [{"@id": a["iri"], "name": texts(a["name"])} for a in claim["about"]]}
    if claim["sources"] and claim["sources"][0]:
        item["firstAppearance"] = source(claim["sources"][0])
    if claim["date"]:
        item["dateCreated"] = claim["date"]
    item = {k: v for k, v in item.items() if v not in (None, [])}
    if claim["status"] == "reported":
        return {"@context": SCHEMA_CONTEXT, **item}
    labels = scheme_labels(data)["status"].get(claim["status"], {})
    live = [d for d in claim["disputes"] if not d["withdrawn"]]
    review = {
        "@context": SCHEMA_CONTEXT, "@type": "ClaimReview",
        "claimReviewed": claim["text"].get("en") or next(iter(claim["text"].values()), ""),
        "itemReviewed": item,
        "reviewRating": {"@type": "Rating", "alternateName": labels.get("en", claim["status"]),
                         "ratingExplanation": "; ".join(
                             f"{(d['party'] or {}).get('name', {}).get('en', '?')} {d['stance']}" for d in live)},
        "author": {"@type": "Organization", "name": "ClaimKB"},
    }
    dates = [d["recorded_at"][:10] for d in live if d["recorded_at"]]
    if dates:
        review["datePublished"] = max(dates)
    if url:
        review["url"] = url
    return review


__all__ = ["claim_review"]
