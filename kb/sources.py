"""Sources that keep their text: captured (pasted, from a file, or fetched), captured
again (a new version of the source: its history keeps the old text), read with
their quotes placed in the text, and compared with their first capture.

:class:`Sources` is what :class:`kb.knowledge.KnowledgeBase` exposes as
``kb.sources``; the rules live in :mod:`kb.anchoring` (text), :mod:`kb.quotes`
(quotes and their RDF) and :mod:`kb.fetch` (getting a page safely).
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import PROV

from . import fetch, queries, quotes, reads, writes
from .anchoring import difference, paragraphs
from .errors import InvalidData, KBError, NotFound, Problem
from .model import Record, build_one
from .namespaces import KB, SDO

META = ("id", "type", "headline", "publisher", "author", "published", "language", "url", "note", "text")


def _record_in(data, record: dict) -> tuple[dict, list]:
    """The API's source (``headline`` text or a map; ``publisher``/``author`` ids or new
    records) -> a YAML-shaped source record and the new agents it names."""
    if not isinstance(record, dict):
        raise KBError("a source must be a JSON object with its fields")
    unknown = sorted(set(record) - set(META) - {"fetch", "version"})
    if unknown:
        raise InvalidData([Problem(f"is not a field of a source (expected one of: {', '.join(META)}, fetch)",
                                   field=k, kind="source") for k in unknown])
    rec = {k: v for k, v in record.items() if k in META and (v not in (None, "", []) or k == "text")}
    if "text" not in rec:
        raise InvalidData([Problem("a source captured here needs its text: paste it (text), give a file, or fetch it from its url",
                                   field="text", kind="source")])
    if isinstance(rec.get("headline"), str):
        rec["headline"] = {(rec.get("language") or "en").lower(): rec["headline"].strip()}
    agents = []
    for fld in ("publisher", "author"):
        value = rec.get(fld)
        if isinstance(value, dict):
            names = value.get("name") if isinstance(value.get("name"), dict) else {}
            rid = value.get("id") or writes.new_id(data, "agent", names)
            agents.append({**value, "id": rid, "type": value.get("type") or
                           ("Organization" if fld == "publisher" else "Person")})
            rec[fld] = rid
    if "id" not in rec:
        rec["id"] = writes.new_id(data, "source", rec.get("headline") if isinstance(rec.get("headline"), dict)
                                  else {})
    return rec, agents


class Sources:
    """Capture, re-capture and read sources' texts (``kb.sources``)."""

    def __init__(self, data):
        self.data = data

    # ---- capture ---------------------------------------------------------------------
    def add(self, record: dict, *, by: str, allow_hosts=()) -> dict:
        """A new source with its text: ``text``, or ``"fetch": true`` with its ``url`` (the page's
        metadata fills what the record leaves out). 409 if the id is taken."""
        record = dict(record)
        if record.pop("fetch", False):
            page = self.fetch(record.get("url"), allow_hosts=allow_hosts)
            record = {**{k: v for k, v in page.items() if k in META}, **_given(record)}
        rec_in, agents = _record_in(self.data, record)
        records = []
        for i, a in enumerate(agents):
            rec, problems = build_one("agent", a, self.data.minter, self.data.known_kind)
            _refuse(problems, "publisher" if i == 0 else "author")
            records.append(rec)
        rec, problems = build_one("source", rec_in, self.data.minter,
                                  lambda lid, kinds: "agent" if any(a["id"] == lid for a in agents)
                                  else self.data.known_kind(lid, kinds))
        _refuse(problems)
        writes.commit(self.data, records + [rec], by, expected={rec.iri: 0})
        return self.get(rec.iri)

    def recapture(self, ref, record: dict, *, by: str, version: int, allow_hosts=()) -> dict:
        """Capture a source's text again (``text``, or ``"fetch": true`` from its URL): a new
        version of the source when the text changed; its metadata stays as it is."""
        iri = self.data.iri("source", ref)
        extra = sorted(set(record) - {"text", "fetch", "url", "id"})
        if extra:
            raise KBError(f"a re-capture takes the text (text, or fetch with url) and nothing else; "
                          f"{', '.join(extra)} cannot be changed here")
        current = set(self.data.describe([iri]))
        if not any(p == SDO.headline for _, p, _ in current):
            raise NotFound(f"there is no source {self.data.local_id(iri)!r}")
        if record.get("fetch"):
            url = record.get("url") or next((str(o) for _, p, o in current if p == SDO.url), None)
            text = self.fetch(url, allow_hosts=allow_hosts)["text"]
        elif isinstance(record.get("text"), str):
            text = record["text"]
        else:
            raise KBError("a re-capture needs the new text (\"text\") or \"fetch\": true")
        lang = next((str(o) for _, p, o in current if p == SDO.inLanguage), None)
        rec, problems = build_one("source", {"id": "x", "text": text, "language": lang}, self.data.minter,
                                  self.data.known_kind)
        _refuse(problems)
        fresh = {(iri, p, o) for _, p, o in rec.triples if p in (SDO.text, KB.digest)}
        kept = {t for t in current if t[1] not in (SDO.text, KB.digest, PROV.generatedAtTime, PROV.wasAttributedTo)}
        writes.commit(self.data, [Record(iri, "source", kept | fresh, self.data.local_id(iri))], by,
                      expected={iri: version})
        return self.get(iri)

    def fetch(self, url, *, allow_hosts=()) -> dict:
        """A page's text and metadata, for the analyst to confirm (nothing is written)."""
        return fetch.capture(url, allow_hosts=allow_hosts)

    def extract(self, raw: bytes, name: str = "upload") -> dict:
        """An uploaded file's text and metadata: plain text or saved HTML (nothing is written)."""
        return fetch.from_file(raw, name)

    # ---- reading ---------------------------------------------------------------------
    def get(self, ref) -> dict:
        """A source with ``text``, ``digest``, ``captured``, its ``quotes`` placed in the text as it
        is now, the ``stale`` ones (no longer in it), and ``changes`` since the first capture."""
        iri = self.data.iri("source", ref)
        info = reads.get(self.data, "source", iri)
        triples = {p: o for _, p, o in self.data.store.triples(iri, None, None, self.data.current)
                   if p in (SDO.text, KB.digest, PROV.generatedAtTime)}
        text = triples.get(SDO.text)
        ft = quotes.stored_text(self.data, iri) if text is not None else None
        placed = [quotes.placed(ft, q) for q in quotes.quotes_of(self.data, iri)]
        versions = self.data.versions(iri)
        info.update({
            "version": versions[-1][0] if versions else 0,
            "text": str(text) if text is not None else None,
            "digest": str(triples[KB.digest]) if KB.digest in triples else None,
            "captured": str(triples[PROV.generatedAtTime]) if text is not None and PROV.generatedAtTime in triples
            else None,
            "quotes": [_public(self.data, q) for q in placed],
            "stale": [_public(self.data, q) for q in placed if q["stale"]],
            "changes": self._changes(iri, str(text)) if text is not None else None,
        })
        return info

    def _changes(self, iri, text: str) -> dict | None:
        """The difference between the first captured text and this one (None when the same)."""
        store, first = self.data.store, None
        for n, v in self.data.versions(iri):
            found = store.triples(URIRef(iri), SDO.text, None, str(v))
            if found:
                first = (n, str(found[0][2]))
                break
        if first is None or first[1] == text:
            return None
        return {"since_version": first[0], **difference(first[1], text)}

    def reader(self, ref) -> dict:
        """The reader page: the source, its text as paragraphs of segments (each marked with the
        quotes covering it), and the claims and disputes quoting it (claim, claimant, status).
        Kept until the next write (on a store only this process writes)."""
        iri = self.data.iri("source", ref)
        return self.data.kept("reader", str(iri), lambda: self._reader(iri))

    def _reader(self, iri) -> dict:
        s = self.get(iri)
        appear = self.data.column(queries.render(queries.CLAIMS_IN_SOURCE, source=iri), "c")
        wanted = list(dict.fromkeys([*appear, *(URIRef(q["claim_iri"]) for q in s["quotes"])]))
        claims = {c["iri"]: c for c in reads.get_claims(self.data, wanted)} if wanted else {}
        s["claims"] = [reads.summary_of(claims[str(c)]) for c in appear if str(c) in claims]
        for n, q in enumerate(s["quotes"], 1):
            q["n"] = n
            c = claims.get(q["claim_iri"])
            q["claim_record"] = reads.summary_of(c) if c else None
            d = next((d for d in c["disputes"] if d["id"] == q["dispute"]), None) if q["dispute"] and c else None
            q["party"], q["stance"] = (d["party"], d["stance"]) if d else (None, None)
        s["paragraphs"] = _paragraphs(s["text"], [q for q in s["quotes"] if q["at"]]) if s["text"] else []
        return s

    def stale(self) -> list[dict]:
        """Every quote that its source's current text no longer holds (``kb validate`` warns)."""
        return [_public(self.data, q) | {"source": self.data.local_id(q["source"])}
                for q in quotes.stale_quotes(self.data)]


def _given(record: dict) -> dict:
    return {k: v for k, v in record.items() if v not in (None, "", [], {})}


def _refuse(problems, field: str | None = None):
    if problems:
        if field:
            problems = [Problem(p.message, record=p.record, field=f"{field}.{p.field or 'id'}", value=p.value,
                                kind="source") for p in problems]
        raise InvalidData(problems)


def _public(data, q: dict) -> dict:
    """A placed quote as the API gives it."""
    dispute = q["kind"] == "dispute"
    return {"claim": data.local_id(q["claim"]), "dispute": data.local_id(q["record"]) if dispute else None,
            "claim_iri": str(q["claim"]), "exact": q["exact"], "prefix": q["prefix"], "suffix": q["suffix"],
            "start": q["at"][0] if q["at"] else q["start"], "end": q["at"][1] if q["at"] else q["end"],
            "stored_start": q["start"], "stored_end": q["end"], "at": q["at"],
            "verified": q["verified"], "stale": q["stale"], "withdrawn": q["withdrawn"]}


def _paragraphs(text: str, marks: list[dict]) -> list[list[dict]]:
    """Paragraphs as segments ``{text, quotes}``: the quotes (their numbers) covering each."""
    out = []
    for a, b in paragraphs(text):
        inside = [q for q in marks if q["at"][0] < b and q["at"][1] > a]
        cuts = sorted({a, b} | {min(max(x, a), b) for q in inside for x in q["at"]})
        segs = []
        for x, y in zip(cuts, cuts[1:], strict=False):
            if y > x:
                segs.append({"text": text[x:y], "start": x,
                             "quotes": [q["n"] for q in inside if q["at"][0] <= x and q["at"][1] >= y]})
        out.append(segs)
    return out


__all__ = ["Sources"]
