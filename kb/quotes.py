"""Quotes checked against their source's text, and that text in RDF.

A source that keeps its text holds it as ``schema:text`` (tagged with the
source's language) with ``kb:digest``, the SHA-256 digest of the text. A
claim's or a dispute's quote (``…#quote``, an ``oa:TextQuoteSelector``) of
such a source must occur in that text, compared after NFC with runs of white
space folded (:mod:`kb.anchoring`); the write that records it also records where
(the same node is then an ``oa:TextPositionSelector`` with ``oa:start`` and
``oa:end``). A quote of a source without text is kept unverified: no position.

:func:`verify` runs inside the commit protocol (:func:`kb.writes.commit`) on
every write of a claim or a dispute. The folded text of a stored source is
kept until a source is next written (:meth:`kb.dataset.Dataset.kept`), so a
write pays for a lookup, not for reading and folding 20,000 characters.
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from . import queries
from .anchoring import Folded, TextError, anchor, crosses_paragraph, digest, fold, normalise
from .errors import Problem
from .namespaces import KB, OA, SDO

NOT_FOUND = "not found in the source's text"
ACROSS = "spans a paragraph break in the source's text; quote one paragraph at a time"
POSITION = (OA.start, OA.end)
_LANG = re.compile(r"^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*$")


# ---- building records (called by kb.model) ---------------------------------------------------
def text_triples(b, rid: str, subject: URIRef, value, language) -> set:
    """A source's text and its digest (problems go to the builder ``b``, under ``text``)."""
    try:
        text = normalise(value)
    except TextError as e:
        b.problem("source", rid, "text", str(e))
        return set()
    lang = language.lower() if isinstance(language, str) and _LANG.match(language) else None
    return {(subject, SDO.text, Literal(text, lang=lang)), (subject, KB.digest, Literal(digest(text)))}


def position_triples(b, kind: str, rid: str, q: URIRef, value: dict) -> set:
    """``start`` and ``end`` given with a quote: a hint of which occurrence is meant (checked at write)."""
    out = set()
    for key, prop in (("start", OA.start), ("end", OA.end)):
        v = value.get(key)
        if v is None or v == "":
            continue
        try:
            n = int(v)
        except (TypeError, ValueError):
            n = -1
        if isinstance(v, bool) or n < 0:
            b.problem(kind, rid, f"quote.{key}", "must be a character offset: a whole number, 0 or more", v)
            continue
        out.add((q, prop, Literal(n)))
    if out:
        out.add((q, RDF.type, OA.TextPositionSelector))
    return out


# ---- a source's text as stored ---------------------------------------------------------
def stored_text(data, source) -> Folded | None:
    """The current text of a source, folded (kept until a source is written), or None."""
    return data.kept("source-text", str(source), lambda: _read_text(data, source), kinds=("source",))


def _read_text(data, source) -> Folded | None:
    found = data.store.triples(URIRef(source), SDO.text, None, data.current)
    return Folded.of(str(found[0][2])) if found else None


def _pending_text(rec) -> Folded | None:
    for s, p, o in rec.triples:
        if p == SDO.text and s == rec.iri:
            return Folded.of(str(o))
    return None


# ---- verifying quotes when they are written ------------------------------------------------
def verify(data, records, pending: dict) -> list[Problem]:
    """Anchor every quote of these claims and disputes in its source's text, adding its
    position to the record; the problems of quotes that are not in it."""
    problems = []
    texts: dict = {}
    for rec in records:
        if rec.kind not in ("claim", "dispute"):
            continue
        q = next((o for s, p, o in rec.triples if s == rec.iri and p == KB.quote), None)
        if q is None:
            continue
        fields = {p: o for s, p, o in rec.triples if s == q}
        src = fields.get(OA.hasSource)
        exact = fields.get(OA.exact)
        if src is None or exact is None:
            continue  # the shapes say what is missing
        if src not in texts:
            texts[src] = _pending_text(pending[src]) if src in pending else stored_text(data, src)
        ft = texts[src]
        given = fields.get(OA.start)
        rec.triples -= {(q, p, o) for p, o in fields.items() if p in POSITION}
        rec.triples.discard((q, RDF.type, OA.TextPositionSelector))
        if ft is None:
            continue  # a source without text: the quote stays unverified
        where = anchor(ft, str(exact), _str(fields.get(OA.prefix)), _str(fields.get(OA.suffix)),
                       int(given) if given is not None else None)
        if where is None:
            problems.append(Problem(NOT_FOUND, record=rec.local_id, field="quote", value=str(exact), kind=rec.kind))
        elif crosses_paragraph(ft.text, *where):
            problems.append(Problem(ACROSS, record=rec.local_id, field="quote", value=str(exact), kind=rec.kind))
        else:
            rec.triples |= {(q, RDF.type, OA.TextPositionSelector), (q, OA.start, Literal(where[0])),
                            (q, OA.end, Literal(where[1]))}
    return problems


def _str(term) -> str | None:
    return None if term is None else str(term)


# ---- quotes of a source as they stand ---------------------------------------------------------
def quotes_of(data, source) -> list[dict]:
    """Every claim's and dispute's quote of a source: ``{record, kind, claim, exact, prefix,
    suffix, start, end}`` (positions as stored; None when the quote was not verified)."""
    rows = data.select(queries.render(queries.QUOTES_OF_SOURCE, source=URIRef(source)))
    out = []
    for r in rows:
        dispute = r["claim"] is not None
        out.append({
            "record": r["rec"], "kind": "dispute" if dispute else "claim",
            "claim": r["claim"] if dispute else r["rec"], "exact": str(r["exact"]),
            "prefix": _str(r["prefix"]), "suffix": _str(r["suffix"]),
            "start": int(r["start"]) if r["start"] is not None else None,
            "end": int(r["end"]) if r["end"] is not None else None,
            "withdrawn": r["withdrawn"] is not None,
        })
    out.sort(key=lambda x: (x["start"] if x["start"] is not None else 1 << 60, str(x["record"])))
    return out


def placed(ft: Folded | None, quote: dict) -> dict:
    """A stored quote against the source's text as it is now: ``verified`` (its stored position
    still holds it), and where it is now (``at``: a span, or None when it is no longer there)."""
    if ft is None:
        return {**quote, "verified": False, "at": None, "stale": False}
    s, e = quote["start"], quote["end"]
    if s is not None and e is not None and e <= len(ft.text) and fold(ft.text[s:e]) == fold(quote["exact"]):
        return {**quote, "verified": True, "at": (s, e), "stale": False}
    at = anchor(ft, quote["exact"], quote["prefix"], quote["suffix"], s)
    # a quote written before the text was captured, or one a re-capture moved, is found again;
    # one that is not (or no longer) in the text is stale
    return {**quote, "verified": at is not None, "at": at, "stale": at is None}


def stale_quotes(data) -> list[dict]:
    """Quotes of sources with text that their source's current text no longer holds."""
    out = []
    for src in data.column(queries.SOURCES_WITH_TEXT, "s"):
        ft = stored_text(data, src)
        for q in quotes_of(data, src):
            p = placed(ft, q)
            if p["stale"] and not q["withdrawn"]:
                out.append({**p, "source": src})
    return out


__all__ = ["NOT_FOUND", "text_triples", "position_triples", "stored_text", "verify", "quotes_of", "placed",
           "stale_quotes"]
