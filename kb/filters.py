"""The claim list's filters: one set of keys, parsed once, for the library, the app and the CLI.

Raw filters are what a person gives (a request's arguments, keyword
arguments): local ids or IRIs, dates as text. :func:`parse` turns them into
RDF terms the listing understands, or raises a KBError naming the bad value.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from . import text
from .errors import KBError
from .status import STATUS_ORDER, span
from .verdicts import RATINGS

KEYS = ("q", "status", "party", "claimant", "about", "source", "date_from", "date_to", "date", "language", "verdict")
DATE_KEYS = ("date_from", "date_to", "date")  # applied to the claim set's rows, not in SPARQL (see kb.listing)
_REFS = {"party": "agent", "claimant": "agent", "source": "source"}


def raw(args: Mapping) -> dict:
    """The filters a request or a command gives: the known keys with a value, stripped."""
    out = {}
    for k in KEYS:
        v = args.get(k)
        if isinstance(v, str):
            v = v.strip()
        if v not in (None, ""):
            out[k] = v
    return out


def parse(data, raw_filters: Mapping) -> dict:
    """``{key: RDF term}`` for the given filters (``data``: the shared :class:`kb.dataset.Dataset`)."""
    out = {}
    for k, v in raw_filters.items():
        if k not in KEYS:
            raise KBError(f"unknown filter {k!r} (expected one of: {', '.join(KEYS)})")
        if v in (None, ""):
            continue
        if k in _REFS:
            out[k] = data.iri(_REFS[k], v)
        elif k == "about":
            iri = data.iri("agent", v)
            if not (isinstance(v, URIRef) or str(v).startswith("http")
                    or data.store.triples(iri, RDF.type, None, data.current)):
                iri = data.iri("topic", v)
            out[k] = iri
        elif k == "status":
            if v not in STATUS_ORDER:
                raise KBError(f"unknown status {v!r} (expected one of: {', '.join(STATUS_ORDER)})")
            out[k] = Literal(v)
        elif k == "verdict":
            if v not in RATINGS:
                raise KBError(f"unknown verdict {v!r} (expected one of: {', '.join(RATINGS)})")
            out[k] = Literal(v)
        elif k in ("date_from", "date_to"):
            s = span(v) if len(str(v)) in (4, 7, 10) else None
            if s is None:
                raise KBError(f"{k} must be a date: YYYY-MM-DD, YYYY-MM or YYYY (got {str(v)!r})")
            out[k] = Literal(s["start"] if k == "date_from" else s["end"])
        elif k == "date":
            s = span(v) if len(str(v)) in (4, 7) else None
            if s is None:
                raise KBError(f"date must be a month or a year: YYYY-MM or YYYY (got {str(v)!r})")
            out[k] = Literal(str(v))
        elif k == "q":
            found = text.words(str(v))
            if found:  # folded words (kb.text), joined by spaces; a query of separators only searches nothing
                out[k] = Literal(" ".join(found))
        else:
            out[k] = Literal(str(v).lower())
    return out


def dated(filters: Mapping) -> bool:
    """Whether parsed filters hold a date filter."""
    return any(filters.get(k) is not None for k in DATE_KEYS)


__all__ = ["KEYS", "DATE_KEYS", "raw", "parse", "dated"]
