"""Analysts' comments on a claim: a thread (author, time, text), each editable
by its author for :data:`EDIT_WINDOW`, then fixed; withdrawn, never deleted.

A comment is a ``schema:Comment`` (``schema:about`` the claim, ``schema:author``
the analyst, ``schema:dateCreated``, ``schema:text``), written through the one
commit protocol (:func:`kb.writes.commit`: validated, versioned, kept in the
history), but into graphs of its own: its current triples in
``<base>graphs/comments``, its versions' metadata in ``<base>graphs/comments-history``
and each version as ``<comment>/versions/N``. The public reads never name
those graphs (the default graph of queries is the current graph and the
vocabulary; the exports leave them out; :mod:`kb.sparql` refuses a ``GRAPH``
pattern that could reach them), so keeping comments private costs no filter
on any public query.
"""

from __future__ import annotations

import copy
import datetime as dt
import time
import uuid

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from . import writes
from .errors import Conflict, InvalidData, KBError, NotFound, Problem
from .model import Record
from .namespaces import KB, SDO, VOCAB_GRAPH
from .reads import history

EDIT_WINDOW = dt.timedelta(minutes=10)  # how long a comment's author may still change its text
MAX_CHARS = 5000


class Comments:
    """``kb.comments``: add, edit, withdraw and read the comments on a claim."""

    def __init__(self, data):
        self.data = data
        self.graph = data.minter.graph("comments")
        self.history_graph = data.minter.graph("comments-history")
        # the dataset as comments' writes see it: the same store, lock and shapes, other graphs, no claim index
        self.view = copy.copy(data)
        self.view.current, self.view.history_graph = self.graph, self.history_graph
        self.view.default_graphs = [self.graph, VOCAB_GRAPH]
        self.view.index = None
        # comments change no claim's row: they stay out of the change log other workers' claim indexes follow
        self.view.replica, self.view.logged = None, False

    def private_graph(self, graph) -> bool:
        """Whether a graph holds comments (the current ones, their history, or one version)."""
        g = str(graph)
        return g in (self.graph, self.history_graph) or g.startswith(self.data.minter.base + "comments/")

    # ---- writes ----------------------------------------------------------------------
    def add(self, claim, text, *, by: str, now: dt.datetime | None = None) -> dict:
        """A new comment by ``by`` on ``claim``; the comment as :meth:`get` gives it."""
        claim_iri = self.data.iri("claim", claim)
        if not self.data.store.triples(claim_iri, RDF.type, SDO.Claim, self.data.current):
            raise NotFound(f"there is no claim {self.data.local_id(claim_iri)!r}")
        # ids in the order comments were written (a thread is read oldest first, times are to the second)
        iri = self.data.minter.iri("comment", f"{time.time_ns():x}{uuid.uuid4().hex[:6]}")
        when = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
        triples = {(iri, RDF.type, SDO.Comment), (iri, SDO.about, claim_iri),
                   (iri, SDO.author, self.data.minter.analyst(by)),
                   (iri, SDO.dateCreated, Literal(when.isoformat(), datatype=XSD.dateTime)),
                   (iri, SDO.text, Literal(_text(text)))}
        writes.commit(self.view, [Record(iri, "comment", triples, self.data.local_id(iri))], by)
        return self.get(iri)

    def edit(self, ref, text, *, by: str, now: dt.datetime | None = None) -> dict:
        """Change a comment's text: only its author, only within :data:`EDIT_WINDOW` of writing it."""
        iri, triples = self._own(ref, by, "edit")
        created = next(o for _, p, o in triples if p == SDO.dateCreated).toPython()
        if (now or dt.datetime.now(dt.UTC)) - created > EDIT_WINDOW:
            raise Conflict("a comment can be changed only in the first 10 minutes after it was written; "
                           "it is fixed now (withdraw it, or write another)")
        triples = {t for t in writes.content(triples) if t[1] != SDO.text} | {(iri, SDO.text, Literal(_text(text)))}
        writes.commit(self.view, [Record(iri, "comment", triples, self.data.local_id(iri))], by)
        return self.get(iri)

    def withdraw(self, ref, *, by: str) -> dict:
        """Withdraw a comment (its author only): it stays in the thread, marked withdrawn, with its history."""
        iri, _ = self._own(ref, by, "withdraw")
        writes.withdraw(self.view, "comment", iri, by=by)
        return self.get(iri)

    def _own(self, ref, by: str, what: str):
        iri = self.data.iri("comment", ref)
        triples = set(self.view.describe([iri]))
        if not triples:
            raise NotFound(f"there is no comment {self.data.local_id(iri)!r}")
        if (iri, SDO.author, self.data.minter.analyst(by)) not in triples:
            raise KBError(f"only a comment's author may {what} it", status=403)
        if any(p == KB.withdrawn for _, p, _ in triples):
            raise Conflict("this comment is withdrawn; it stays as it was")
        return iri, triples

    # ---- reads -----------------------------------------------------------------------
    def get(self, ref) -> dict:
        iri = self.data.iri("comment", ref)
        found = self._read([iri])
        if not found:
            raise NotFound(f"there is no comment {self.data.local_id(iri)!r}")
        return found[0]

    def of(self, claim) -> list[dict]:
        """The thread of a claim, oldest first (withdrawn comments included, marked)."""
        claim_iri = self.data.iri("claim", claim)
        return self._read([s for s, _, _ in self.data.store.triples(None, SDO.about, claim_iri, self.graph)])

    def history(self, ref) -> list[dict]:
        """Every version of a comment (who, when, added and removed triples)."""
        return history(self.view, "comment", ref)

    def _read(self, iris) -> list[dict]:
        by_subject: dict = {}
        for s, p, o in self.view.describe(iris):
            by_subject.setdefault(s, {})[p] = o
        out = []
        for iri, f in by_subject.items():
            if f.get(RDF.type) != SDO.Comment:
                continue
            created = f[SDO.dateCreated].toPython()
            versions = self.view.versions(iri)
            out.append({
                "id": self.data.local_id(iri), "iri": str(iri),
                "claim": self.data.local_id(f[SDO.about]),
                "author": self._author(f[SDO.author]),
                "created": str(f[SDO.dateCreated]),
                "text": str(f[SDO.text]),
                "edited": len(versions) > 1 and not f.get(KB.withdrawn),
                "editable_until": (created + EDIT_WINDOW).isoformat(),
                "withdrawn": str(f[KB.withdrawn]) if f.get(KB.withdrawn) else None,
            })
        return sorted(out, key=lambda c: (c["created"], c["id"]))

    def _author(self, analyst: URIRef) -> str:
        """The analyst's name as signed in (kept with the comments: the label of ``analysts/<name>``)."""
        name = self.data.store.triples(analyst, RDFS.label, None, self.graph)
        return str(name[0][2]) if name else str(analyst).rsplit("/", 1)[-1]


def _text(text) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidData([Problem("a comment needs its text", field="text")])
    text = text.strip()
    if len(text) > MAX_CHARS:
        raise InvalidData([Problem(f"a comment is at most {MAX_CHARS} characters (this one has {len(text)})",
                                   field="text", value=None)])
    return text


__all__ = ["Comments", "EDIT_WINDOW", "MAX_CHARS"]
