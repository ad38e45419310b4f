"""The derived status of a claim and the spans of dates, each written once.

A claim is *retracted* when its claimant retracts it, *disputed* when some
party denies or disputes it, *confirmed* when a party confirms it (and none
denies it), otherwise *reported*; withdrawn disputes do not count. The SPARQL
expression the list query uses is generated from :data:`RULE`
(:func:`kb.queries.status_expr`), and the claim index derives its rows with
:func:`status_of`, so the three readings cannot drift apart.

Dates keep the precision the sources give (``YYYY-MM-DD``, ``YYYY-MM`` or
``YYYY``): :func:`span` says which days such a date covers.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

STATUS_ORDER = ("reported", "confirmed", "disputed", "retracted")

# (status, the stances that give it, whether only the claimant's own stance counts),
# strongest first; a claim none of them matches is "reported"
RULE = (
    ("retracted", ("retracts",), True),
    ("disputed", ("denies", "disputes"), False),
    ("confirmed", ("confirms",), False),
)
DEFAULT = "reported"


def status_of(stances: Iterable[tuple[str, bool]]) -> str:
    """The status given by standing stances, each ``(stance name, taken by the claimant)``."""
    stances = list(stances)
    for status, names, claimant_only in RULE:
        if any(name in names and (by_claimant or not claimant_only) for name, by_claimant in stances):
            return status
    return DEFAULT


def span(value) -> dict | None:
    """``{"start", "end", "precision", "given"}`` for YYYY-MM-DD, YYYY-MM or YYYY
    (the first ten characters of a longer value); None for anything else."""
    if not value:
        return None
    v = str(value)[:10]
    try:
        if len(v) == 10:
            dt.date.fromisoformat(v)
            return {"start": v, "end": v, "precision": "day", "given": v}
        if len(v) == 7 and v[4] == "-":
            y, m = int(v[:4]), int(v[5:7])
            last = calendar.monthrange(y, m)[1]
            return {"start": f"{v}-01", "end": f"{v}-{last:02d}", "precision": "month", "given": v}
        if len(v) == 4:
            int(v)
            return {"start": f"{v}-01-01", "end": f"{v}-12-31", "precision": "year", "given": v}
    except ValueError:
        return None
    return None


def bounds(value) -> tuple[str, str]:
    """The first and last day a date covers, as text to compare; ``("", "")`` for no date
    (so an undated claim is never after a date, and never excluded by an upper bound)."""
    s = span(value)
    return (s["start"], s["end"]) if s else ("", "")


def start_of(value) -> str:
    """The first day a date covers ("" for none)."""
    return bounds(value)[0]


def end_of(value) -> str:
    """The last day a date covers ("" for none)."""
    return bounds(value)[1]


def effective_start(dispute: dict) -> str:
    """When a dispute counts from: its date, else its first source's, else the day it was recorded."""
    return start_of(dispute.get("effective_date") or (dispute.get("recorded_at") or "")[:10])


def derive_status(claim: dict, as_of: str | None = None) -> str:
    """reported / disputed / confirmed / retracted, from the disputes known by ``as_of``
    (a claim as :meth:`kb.KnowledgeBase.get_claim` gives it)."""
    claimant = (claim.get("claimant") or {}).get("iri")
    limit = end_of(as_of) if as_of else None
    return status_of(
        (d["stance"], (d.get("party") or {}).get("iri") == claimant)
        for d in claim["disputes"]
        if not d.get("withdrawn") and not (limit and effective_start(d) > limit)
    )


# where a dispute's date comes from, the surest first (kb.reads gives each dispute its ``dated_by``)
DATED_BY = ("dispute", "source", "recorded")


def status_timeline(claim: dict) -> list[dict]:
    """How the derived status changed, date by date. Each change says where its date comes
    from (``dated_by``): a dispute's own date, or only the date of the source it appears in
    (the status held *by* then, not *from* then), or when it was recorded."""
    given: dict = {}  # first day -> (the date as the sources give it (a month stays a month), dated_by)
    for d in claim["disputes"]:
        if not d.get("withdrawn") and effective_start(d):
            by = d.get("dated_by") or ("dispute" if d.get("date") else "source" if d.get("effective_date")
                                       else "recorded")
            this = (d.get("effective_date") or (d.get("recorded_at") or "")[:10], by)
            day = effective_start(d)
            if day not in given or DATED_BY.index(by) < DATED_BY.index(given[day][1]):
                given[day] = this
    last = DEFAULT
    out = [{"date": claim.get("date"), "as_given": claim.get("date"), "status": DEFAULT,
            "dated_by": "claim" if claim.get("date") else None}]
    for day in sorted(given):
        s = derive_status(claim, day)
        if s != last:
            out.append({"date": day, "as_given": given[day][0], "status": s, "dated_by": given[day][1]})
            last = s
    return out


__all__ = ["STATUS_ORDER", "RULE", "status_of", "span", "bounds", "start_of", "end_of", "derive_status",
           "status_timeline"]
