"""What one write of the claim index changed, as the index's columns in memory
(:mod:`kb.columns`) follow it: apart from them, so that the index (:mod:`kb.index`)
does not import numpy until it loads its columns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Change:
    """What one write of the index changed (as :meth:`kb.index.ClaimIndex.write` is given it;
    ``fields``: (rowid, claim, kind, folded text))."""

    generation: int
    everything: bool
    claims: set = field(default_factory=set)
    rows: list = field(default_factory=list)
    links: list = field(default_factory=list)
    texts: list = field(default_factory=list)
    fields: list = field(default_factory=list)
    names: list = field(default_factory=list)
    named: set = field(default_factory=set)
    dropped: list = field(default_factory=list)  # the rowids of the fields of ``claims`` taken out


__all__ = ["Change"]
