"""A claim as schema.org JSON-LD, the form fact-checking tools read.

What is embedded is a ``Claim``: its texts, its claimant, where it appears and
the stances parties take on it. It is not a ``ClaimReview``: a review's
``reviewRating`` is a verdict, and the derived status (what the parties say:
"disputed" when one denies it) is no one's verdict. A ``ClaimReview`` belongs
here once analysts record verdicts (DESIGN.md, "Verdicts").
"""

from __future__ import annotations

from .namespaces import KB, SCHEMA_CONTEXT, SDO
from .reads import get_claims

STANCE_TERMS = {"denies": KB.Denies, "disputes": KB.Disputes, "qualifies": KB.Qualifies,
                "confirms": KB.Confirms, "retracts": KB.Retracts}
CONTEXT = [SCHEMA_CONTEXT, {"kb": str(KB._NS)}]


def claim_review(data, ref, *, url: str | None = None) -> dict:
    """schema.org ``Claim`` as JSON-LD for fact-checking tools: texts, claimant, appearances (a
    translation with the work it translates) and, as ``kb:Dispute`` nodes pointing at it, each
    standing stance a party takes on it."""
    claim = ref if isinstance(ref, dict) else get_claims(data, [ref])[0]
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

    item = {"@context": CONTEXT, "@type": "Claim", "@id": claim["iri"], "text": texts(claim["text"]),
            "author": agent(claim["claimant"]),
            "appearance": [source(s) for s in claim["sources"] if s],
            "about": [{"@id": a["iri"], "name": texts(a["name"])} for a in claim["about"]]}
    if claim["sources"] and claim["sources"][0]:
        item["firstAppearance"] = {"@id": claim["sources"][0]["iri"]}
    if claim["date"]:
        item["dateCreated"] = claim["date"]
    if url:
        item["url"] = url
    if live:
        # each dispute names the claim it is about (kb:disputes): here, seen from the claim
        item["@reverse"] = {"kb:disputes": [stance(d) for d in live]}
    return {k: v for k, v in item.items() if v not in (None, [])}


__all__ = ["claim_review"]
