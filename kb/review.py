"""Review before publication (``kb.review``): drafts, kept beside the published graph, never in it.

A write made inside :meth:`Review.drafting` goes through :func:`kb.writes.commit` as any write
(provenance, quotes, the shapes: bad data never enters, even as a draft); commit then hands its
records here instead of applying them. A draft is that change set: its records' triples in a
named graph of its own, ``<base>drafts/<n>``, and its metadata in ``<base>graphs/review``: its
state (a concept of ``kb:DraftStateScheme``), author, assignee, times, the records it holds with
the version each was made from, the claims it concerns, and each step (submit, return with its
comment, assign, approve: who, when). Approving runs the real commit with the draft's records,
crediting its author, from the versions the draft was made from (Conflict when a record moved on).

The published view is the current graph, unchanged, so public reads need no filter; no public
read names these graphs (:mod:`kb.sparql` refuses them, the exports leave them out).
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from contextlib import contextmanager

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from . import writes
from .errors import Conflict, InvalidData, KBError, NotFound, Problem
from .model import FIELDS, Record
from .namespaces import KB, SDO, prefixed_name
from .validation import owner

STATES = {KB.StateDraft: "draft", KB.StateInReview: "in-review", KB.StateReturned: "returned",
          KB.StatePublished: "published"}
CONCEPT = {v: k for k, v in STATES.items()}
OPEN = ("draft", "in-review", "returned")
MAX_COMMENT = 5000
SHOWN = (RDF.type, PROV.wasAttributedTo, PROV.generatedAtTime)  # (not shown in a draft's field table)


def _now() -> Literal:
    return Literal(dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)


class _Drafting:
    """The hook :func:`kb.writes.commit` finds while :meth:`Review.drafting` is on."""

    def __init__(self, review, replace: int | None = None):
        self.review, self.replace, self.made = review, replace, None

    def takes(self, data) -> bool:
        """Only writes of the published records become drafts (not comments, not the review's own)."""
        return data.current == self.review.data.current and data.history_graph == self.review.data.history_graph

    def store(self, records, by, *, action, expected, fresh):
        self.made = self.review._store(records, by, action, expected, fresh, self.replace)


class Review:
    """``kb.review``: drafts, their review, and the queue."""

    def __init__(self, data):
        self.data = data
        self.graph = data.minter.graph("review")
        self.prefix = data.minter.base + "drafts/"

    def private_graph(self, graph) -> bool:
        """Whether a graph holds drafts or their review (never public)."""
        g = str(graph)
        return g == self.graph or g.startswith(self.prefix)

    # ---- making drafts ---------------------------------------------------------------
    @contextmanager
    def drafting(self, replace: int | None = None):
        """Writes inside become drafts (``replace``: the draft an author's edit replaces)."""
        hook = _Drafting(self, replace)
        token = writes.DRAFTING.set(hook)
        try:
            yield hook
        finally:
            writes.DRAFTING.reset(token)

    def made(self) -> dict | None:
        """The draft the last write in this drafting context made (once), else None."""
        hook = writes.DRAFTING.get()
        if hook is None or hook.made is None:
            return None
        n, hook.made = hook.made, None
        return self.get(n)

    def _store(self, records, by, action, expected, fresh, replace) -> int:
        data, store = self.data, self.data.store
        latest = writes.check_versions(data, records, expected)
        holders = {}
        for r in records:
            for node, _, _ in store.triples(None, KB.draftRecord, r.iri, self.graph):
                d = URIRef(owner(node))
                if self._state(d) in OPEN:
                    holders[r.iri] = d
        if replace is not None:
            holders.setdefault(None, self.iri(replace))
        held = set(holders.values())
        if len(held) > 1:
            raise Conflict("these records are held by several drafts ("
                           + ", ".join(sorted(str(self.number(d)) for d in held)) + "); nothing was written")
        author = data.minter.analyst(by)
        old_from: dict = {}
        if held:
            d = held.pop()
            meta = self._meta(d)
            who = self._name(meta.get(PROV.wasAttributedTo))
            if meta.get(PROV.wasAttributedTo) != author or self._state(d) not in ("draft", "returned"):
                rec = next((r for r in records if holders.get(r.iri) == d), records[0])
                raise Conflict(f"{rec.kind} {rec.local_id!r} is held by draft {self.number(d)} of {who} "
                               f"({self._state(d)}); nothing was written: wait until it is published or "
                               "returned, or ask its author")
            old_from = {self._one(n, KB.draftRecord): int(self._one(n, KB.fromVersion))
                        for n in self._objects(d, KB.holds)}
            n = self.number(d)
            deletes = [(s, p, o, str(d)) for s, p, o in store.triples(None, None, None, str(d))]
            deletes += [(s, p, o, self.graph) for node in self._objects(d, KB.holds)
                        for s, p, o in store.triples(node, None, None, self.graph)]
            deletes += [(d, p, o, self.graph) for p in (KB.holds, KB.concerns, KB.action, SDO.dateModified)
                        for _, _, o in store.triples(d, p, None, self.graph)]
            store.apply(deletes, self._body(d, records, action, expected, fresh, latest, old_from))
            return n

        def body(d):
            return self._body(d, records, action, expected, fresh, latest, {})

        return self._claim_number(author, by, body)

    def _body(self, d, records, action, expected, fresh, latest, old_from) -> list:
        """A draft's records (in its own graph) and what it holds (in the review graph)."""
        data = self.data
        inserts = [(d, SDO.dateModified, _now(), self.graph)]
        if action:
            inserts.append((d, KB.action, Literal(action), self.graph))
        concerns = set()
        for i, r in enumerate(records, 1):
            node = URIRef(f"{d}#r{i}")
            frm = old_from.get(r.iri, (expected or {}).get(r.iri, latest[r.iri]))
            inserts += [(d, KB.holds, node, self.graph), (node, KB.draftRecord, r.iri, self.graph),
                        (node, KB.recordKind, Literal(r.kind), self.graph),
                        (node, KB.fromVersion, Literal(frm), self.graph)]
            own = r.iri in fresh  # provenance is given when the draft is published, to its author
            inserts += [(s, p, o, str(d)) for s, p, o in r.triples
                        if not (own and s == r.iri and p in writes.PROV_PREDICATES)]
            if r.kind == "claim":
                concerns.add(r.iri)
            concerns |= {o for _, _, o in r.triples if isinstance(o, URIRef)
                         and data.minter.local(o)[0] == "claim"}
        return inserts + [(d, KB.concerns, c, self.graph) for c in concerns]

    def _claim_number(self, author, by: str, body) -> int:
        """Store a new draft (``body(draft IRI)``: its quads) under the next free number. Several
        processes may make drafts at once (a server store behind several workers): the write is
        guarded on the draft's IRI being unused, and a write that finds it taken counts again and
        tries the next number."""
        store, h = self.data.store, URIRef(self.graph)
        for _ in range(50):
            counters = store.triples(h, KB.draftNumber, None, self.graph)
            n = max((int(o) for _, _, o in counters), default=0) + 1
            d, token = self.iri(n), URIRef(f"urn:uuid:{uuid.uuid4()}")
            inserts = [(h, KB.draftNumber, Literal(n), self.graph),
                       (d, RDF.type, KB.Draft, self.graph), (d, KB.draftNumber, Literal(n), self.graph),
                       (d, KB.draftState, KB.StateDraft, self.graph), (d, PROV.wasAttributedTo, author, self.graph),
                       (d, PROV.wasGeneratedBy, token, self.graph),
                       (author, RDFS.label, Literal(by), self.graph), (d, SDO.dateCreated, _now(), self.graph)]
            # a server need not make a guarded update serialisable: first reserve the number as a
            # commit reserves its versions (kb.writes.reserve), so one writer at a time tries it
            reservation = writes.reserve(self.data, [d]) if not store.single_writer else []
            try:
                landed = store.apply([(h, KB.draftNumber, o, self.graph) for _, _, o in counters],
                                     inserts + body(d), guard=(self.graph, [d]))
                if landed is None:  # the store cannot tell: read back which write made the draft
                    makers = {o for _, _, o in store.triples(d, PROV.wasGeneratedBy, None, self.graph)}
                    landed = makers == {token}
            finally:
                if reservation:
                    store.apply(reservation, [])
            if landed:
                return n
            time.sleep(random.uniform(0.001, 0.02))
        raise KBError("other writers kept taking the next draft number; nothing was written, try again", status=503)

    # ---- the steps -------------------------------------------------------------------
    def submit(self, n, *, by: str) -> dict:
        """Send a draft (or a returned one) for review: its author only."""
        d = self._open(n)
        self._author_only(d, by, "send it for review")
        if self._state(d) not in ("draft", "returned"):
            raise Conflict(f"draft {n} is {self._state(d)}; only a draft or a returned one can be sent for review")
        return self._step(d, "submit", by, state=KB.StateInReview)

    def return_(self, n, comment, *, by: str, admin: bool = False) -> dict:
        """Return a draft in review to its author, with a comment saying why (never by its author)."""
        d = self._in_review(n)
        text = comment.strip() if isinstance(comment, str) else ""
        if not text:
            raise InvalidData([Problem("returning a draft needs a comment saying what to change", field="comment")])
        if len(text) > MAX_COMMENT:
            raise InvalidData([Problem(f"a comment is at most {MAX_COMMENT} characters", field="comment")])
        return self._step(d, "return", by, state=KB.StateReturned, comment=text)

    def assign(self, n, to: str | None, *, by: str) -> dict:
        """Assign a draft in review to an analyst (None: to nobody)."""
        d = self._in_review(n)
        old = [(d, KB.assignee, o, self.graph) for _, _, o in self.data.store.triples(d, KB.assignee, None, self.graph)]
        new = [(d, KB.assignee, self.data.minter.analyst(to), self.graph)] if to else []
        if to:
            new.append((self.data.minter.analyst(to), RDFS.label, Literal(to), self.graph))
        self.data.store.apply(old, new)
        return self._step(d, "assign", by, comment=to or "")

    def approve(self, n, *, by: str, own: bool = False) -> dict:
        """Publish a draft in review: the real commit of its records, by its author, from the versions it
        was made from (Conflict, nothing changed, when a record moved on). ``own``: the approver may
        approve their own draft (an admin)."""
        d = self._in_review(n)
        meta = self._meta(d)
        author = self._name(meta.get(PROV.wasAttributedTo))
        if meta.get(PROV.wasAttributedTo) == self.data.minter.analyst(by) and not own:
            raise KBError(f"draft {n} is yours; another analyst must approve it", status=403)
        records, expected = self.records(n)
        action = str(meta[KB.action]) if meta.get(KB.action) else None
        token = writes.DRAFTING.set(None)
        try:
            writes.commit(self.data, records, author, action=action, expected=expected)
        except Conflict as e:
            raise Conflict(f"draft {n} cannot be published as it is: {e.message}", expected=e.expected,
                           current=e.current, changes=e.changes) from None
        finally:
            writes.DRAFTING.reset(token)
        self.data.store.apply([(s, p, o, str(d)) for s, p, o in self.data.store.triples(None, None, None, str(d))],
                              [])
        return self._step(d, "approve", by, state=KB.StatePublished)

    def edit_text(self, n, texts: dict, *, by: str) -> dict:
        """Change the text of a draft's claim (its author, while it is a draft or returned): the draft's
        records written again through the commit protocol (checked by the shapes), replacing it."""
        d = self._open(n)
        self._author_only(d, by, "change it")
        records, expected = self.records(n)
        claim = next((r for r in records if r.kind == "claim"), None)
        if claim is None:
            raise KBError(f"draft {n} holds no claim whose text could change")
        texts = {k: v.strip() for k, v in (texts or {}).items() if isinstance(v, str) and v.strip()}
        claim.triples = {t for t in claim.triples if not (t[0] == claim.iri and t[1] == SDO.text)}
        claim.triples |= {(claim.iri, SDO.text, Literal(v, lang=k)) for k, v in texts.items()}
        meta = self._meta(d)
        with self.drafting(replace=n):
            writes.commit(self.data, records, by, action=str(meta[KB.action]) if meta.get(KB.action) else None,
                          expected=expected)
        return self.get(n)

    def _step(self, d, action: str, by: str, *, state=None, comment: str | None = None) -> dict:
        store = self.data.store
        k = len(store.triples(None, KB.stepOf, d, self.graph)) + 1
        step, when = URIRef(f"{d}#step-{k}"), _now()
        inserts = [(step, RDF.type, KB.ReviewStep, self.graph), (step, KB.stepOf, d, self.graph),
                   (step, KB.stepAction, Literal(action), self.graph),
                   (step, PROV.wasAssociatedWith, self.data.minter.analyst(by), self.graph),
                   (step, RDFS.label, Literal(by), self.graph), (step, PROV.atTime, when, self.graph),
                   (d, SDO.dateModified, when, self.graph)]
        if comment:
            inserts.append((step, RDFS.comment, Literal(comment), self.graph))
        deletes = [(d, SDO.dateModified, o, self.graph) for _, _, o in store.triples(d, SDO.dateModified, None,
                                                                                     self.graph)]
        if state is not None:
            deletes += [(d, KB.draftState, o, self.graph) for _, _, o in store.triples(d, KB.draftState, None,
                                                                                       self.graph)]
            inserts.append((d, KB.draftState, state, self.graph))
        with self.data.write_lock:
            store.apply(deletes, inserts)
        return self.get(self.number(d))

    # ---- reads -----------------------------------------------------------------------
    def iri(self, n) -> URIRef:
        return URIRef(f"{self.prefix}{int(n)}")

    def number(self, d) -> int:
        return int(str(d).rsplit("/", 1)[-1])

    def get(self, n) -> dict:
        """A draft: number, state, author, assignee, times, the claims it concerns, its records and steps."""
        d = self._find(n)
        meta = self._meta(d)
        steps = []
        for s, _, _ in self.data.store.triples(None, KB.stepOf, d, self.graph):
            f = {p: o for _, p, o in self.data.store.triples(s, None, None, self.graph)}
            steps.append({"action": str(f[KB.stepAction]), "by": str(f[RDFS.label]), "at": str(f[PROV.atTime]),
                          "comment": str(f[RDFS.comment]) if f.get(RDFS.comment) else None,
                          "n": int(str(s).rsplit("-", 1)[-1])})
        steps.sort(key=lambda x: x["n"])
        held = []
        for node in self._objects(d, KB.holds):
            iri = self._one(node, KB.draftRecord)
            held.append({"id": self.data.local_id(iri), "iri": str(iri), "kind": str(self._one(node, KB.recordKind)),
                         "from_version": int(self._one(node, KB.fromVersion))})
        held.sort(key=lambda r: (r["kind"] != "claim", r["kind"], r["id"]))
        concerns = sorted(self.data.local_id(c) for c in self._objects(d, KB.concerns))
        returns = [s for s in steps if s["action"] == "return"]
        title: dict = {}
        for r in held[:1]:  # what the queue shows: the first record's text (a claim's, a dispute's, a verdict's)
            iri = URIRef(r["iri"])
            for graph in (str(d), self.data.current):
                for p in (SDO.text, SDO.reviewBody, SDO.name, SDO.headline):
                    title.update({o.language or "": str(o) for _, _, o in self.data.store.triples(iri, p, None, graph)
                                  if isinstance(o, Literal) and (o.language or "") not in title})
                if title:
                    break
        return {"draft": self.number(d), "state": self._state(d), "author": self._name(meta.get(PROV.wasAttributedTo)),
                "assignee": self._name(meta[KB.assignee]) if meta.get(KB.assignee) else None,
                "created": str(meta.get(SDO.dateCreated, "")), "modified": str(meta.get(SDO.dateModified, "")),
                "action": str(meta[KB.action]) if meta.get(KB.action) else None,
                "claims": concerns, "records": held, "steps": steps, "title": title,
                "returned_with": returns[-1]["comment"] if returns and self._state(d) == "returned" else None}

    def records(self, n) -> tuple[list[Record], dict]:
        """The draft's records (as commit takes them) and {record IRI: the version it was made from}."""
        d = self._find(n)
        by_owner: dict = {}
        for s, p, o in self.data.store.triples(None, None, None, str(d)):
            by_owner.setdefault(owner(s), set()).add((s, p, o))
        out, expected = [], {}
        for node in self._objects(d, KB.holds):
            iri = self._one(node, KB.draftRecord)
            out.append(Record(iri, str(self._one(node, KB.recordKind)), by_owner.get(iri, set()),
                              self.data.local_id(iri)))
            expected[iri] = int(self._one(node, KB.fromVersion))
        return out, expected

    def fields(self, n) -> list[dict]:
        """Each record of a draft field by field: the published values beside the draft's (changed marked)."""
        records, _ = self.records(n)
        names = self.data.labels({o for r in records for _, _, o in r.triples if isinstance(o, URIRef)})
        draft_names = {s: o for r in records for s, p, o in r.triples if p in (SDO.name, SDO.headline)}
        out = []
        for r in sorted(records, key=lambda r: (r.kind != "claim", r.kind, r.local_id)):
            published = writes.content(self.data.describe([r.iri]))
            rows = []
            preds = sorted({p for _, p, _ in published | r.triples if p not in SHOWN}, key=str)
            for p in preds:
                old = sorted(self._show(o, names, draft_names) for s, q, o in published if q == p)
                new = sorted(self._show(o, names, draft_names) for s, q, o in r.triples if q == p)
                rows.append({"field": prefixed_name(p) or str(p), "published": old, "draft": new,
                             "name": FIELDS.get(r.kind, {}).get(p) or FIELDS["quote"].get(p),  # as in YAML
                             "changed": old != new})
            out.append({"kind": r.kind, "id": r.local_id, "new": not published, "rows": rows})
        return out

    def _show(self, o, names, draft_names) -> str:
        if isinstance(o, Literal):
            return f"{o} @{o.language}" if o.language else str(o)
        if o in draft_names:
            return str(draft_names[o])
        label = names.get(o, {}).get("name") or {}
        text = label.get("en") or next(iter(label.values()), None)
        return f"{text} ({self.data.local_id(o)})" if text else (prefixed_name(o) or self.data.local_id(o))

    def drafts(self, *, states=OPEN) -> list[dict]:
        """Every draft in one of ``states``, newest first (the review graph is small: drafts only)."""
        out = []
        for d, _, state in self.data.store.triples(None, KB.draftState, None, self.graph):
            if STATES.get(state) in states:
                out.append(self.get(self.number(d)))
        return sorted(out, key=lambda x: -x["draft"])

    def queue(self, me: str, *, limit: int | None = None) -> dict:
        """What awaits ``me`` (in review, not mine, assigned to me or to nobody) and what I sent (open),
        newest first; with ``limit``, at most that many of each read in full (the home page's strip)."""
        awaiting, sent = self._sorted(me)
        return {"awaiting": [self.get(n) for n in awaiting[:limit]], "sent": [self.get(n) for n in sent[:limit]]}

    def counts(self, me: str) -> dict:
        """The header's counts, from the state and the people of each draft only (no records read)."""
        awaiting, sent = self._sorted(me)
        return {"awaiting": len(awaiting), "sent": len(sent)}

    def _sorted(self, me: str) -> tuple[list[int], list[int]]:
        """The numbers of the drafts awaiting ``me`` and of those ``me`` sent, newest first."""
        mine, awaiting, sent = self.data.minter.analyst(me), [], []
        store = self.data.store
        for d, _, state in store.triples(None, KB.draftState, None, self.graph):
            if STATES.get(state) not in OPEN:
                continue
            author = store.triples(d, PROV.wasAttributedTo, None, self.graph)
            if author and author[0][2] == mine:
                sent.append(self.number(d))
            elif state == KB.StateInReview:
                assignee = store.triples(d, KB.assignee, None, self.graph)
                if not assignee or assignee[0][2] == mine:
                    awaiting.append(self.number(d))
        return sorted(awaiting, reverse=True), sorted(sent, reverse=True)

    def of_claim(self, claim) -> list[dict]:
        """The open drafts concerning a claim (its edit, disputes, verdicts, relations)."""
        c = self.data.iri("claim", claim)
        out = [self.get(self.number(d)) for d, _, _ in self.data.store.triples(None, KB.concerns, c, self.graph)]
        return sorted((x for x in out if x["state"] in OPEN), key=lambda x: -x["draft"])

    def holding(self, kind: str, ref) -> dict | None:
        """The open draft holding a record (a claim not yet published, or one being edited), or None."""
        iri = self.data.iri(kind, ref)
        for node, _, _ in self.data.store.triples(None, KB.draftRecord, iri, self.graph):
            d = URIRef(owner(node))
            if self._state(d) in OPEN:
                return self.get(self.number(d))
        return None

    # ---- helpers ---------------------------------------------------------------------
    def _find(self, n) -> URIRef:
        try:
            d = self.iri(n)
        except (TypeError, ValueError):
            raise NotFound(f"there is no draft {n!r}") from None
        if not self.data.store.triples(d, RDF.type, KB.Draft, self.graph):
            raise NotFound(f"there is no draft {n!r}")
        return d

    def _open(self, n) -> URIRef:
        d = self._find(n)
        if self._state(d) not in OPEN:
            raise Conflict(f"draft {n} is already published; it cannot change")
        return d

    def _in_review(self, n) -> URIRef:
        d = self._find(n)
        if self._state(d) != "in-review":
            raise Conflict(f"draft {n} is not in review (it is {self._state(d)}); nothing was changed")
        return d

    def _author_only(self, d, by: str, what: str) -> None:
        if self._meta(d).get(PROV.wasAttributedTo) != self.data.minter.analyst(by):
            raise KBError(f"only the draft's author may {what}", status=403)

    def _meta(self, d) -> dict:
        return {p: o for _, p, o in self.data.store.triples(d, None, None, self.graph)
                if p not in (KB.holds, KB.concerns)}

    def _state(self, d) -> str | None:
        found = self.data.store.triples(d, KB.draftState, None, self.graph)
        return STATES.get(found[0][2]) if found else None

    def _objects(self, s, p) -> list:
        return [o for _, _, o in self.data.store.triples(s, p, None, self.graph)]

    def _one(self, s, p):
        return self.data.store.triples(s, p, None, self.graph)[0][2]

    def _name(self, analyst) -> str | None:
        if analyst is None:
            return None
        found = self.data.store.triples(analyst, RDFS.label, None, self.graph)
        return str(found[0][2]) if found else str(analyst).rsplit("/", 1)[-1]


__all__ = ["Review", "STATES", "OPEN"]
