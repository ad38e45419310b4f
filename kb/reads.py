"""Records read back: claims as dicts (with their disputes, sources, quotes,
provenance and derived status) and their summaries, agents, sources and
topics (their pages' lists of claims: kb.entities), the pickers' records,
history and versions, and records as graphs."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from . import queries
from .ahead import read_claims
from .dataset import together
from .errors import NotFound
from .model import STANCE_NAMES
from .namespaces import KB, OA, PREFIXES, SDO
from .relations import relations_of
from .status import derive_status, start_of, status_timeline
from .text import where_matched
from .verdicts import standing_on, verdict_iri, verdicts_of

SUMMARY_KEYS = ("id", "iri", "text", "claimant", "status", "date", "about", "sources", "verdict", "also_reported_as")
PICKER_TYPES = {"agent": [SDO.Person, SDO.Organization], "source": [SDO.NewsArticle, SDO.CreativeWork],
                "topic": [SKOS.Concept]}
NOT_LABELLED = frozenset((RDF.type, KB.stance, KB.quote, KB.disputes))  # objects of these are no records to label
GRAPH_LABELS = (RDF.type, SDO.name, SDO.headline, SKOS.prefLabel, RDFS.label, SDO.datePublished, SDO.publisher)


def bound_graph() -> Graph:
    """An empty graph with the project's prefixes bound (``schema:`` is http://schema.org/).

    rdflib binds its own set to a new Graph, ``schema:`` among them as https://schema.org/;
    binding ours over it without replacing left ``schema:`` taken, so Turtle printed ``schema1:``.
    None of rdflib's: only ours."""
    g = Graph(bind_namespaces="none")
    for k, v in PREFIXES.items():
        g.bind(k, v)
    return g


def _texts(g, s, p=SDO.text) -> dict:
    return {(o.language or ""): str(o) for o in g.objects(s, p)}


def _quote(data, g, s, labels):
    q = g.value(s, KB.quote)
    if q is None:
        return None
    src = g.value(q, OA.hasSource)
    out = {"exact": str(g.value(q, OA.exact) or "")}
    for k, p in (("prefix", OA.prefix), ("suffix", OA.suffix)):
        if g.value(q, p) is not None:
            out[k] = str(g.value(q, p))
    out["source"] = labels.get(src, {"id": data.local_id(src), "iri": str(src)}) if src else None
    # the quoted words are someone's, in a translation (their own were in another language)
    out["translated"] = bool(g.value(q, KB.translated))
    # where the words are in the source's text: found there when written (kb.quotes), else unverified
    start, end = g.value(q, OA.start), g.value(q, OA.end)
    out["start"], out["end"] = (int(start), int(end)) if start is not None and end is not None else (None, None)
    out["verified"] = out["start"] is not None
    return out


def _note(g, s) -> dict | None:
    """An analyst's note on a record (language -> text), or None."""
    return _texts(g, s, SKOS.editorialNote) or None


def _dated_by(date, effective_date, recorded_at) -> str | None:
    """Where a dispute's date comes from: ``dispute`` (its own), ``source`` (the date of the source
    it appears in: the dispute's own date is not given) or ``recorded`` (when an analyst entered it)."""
    if date is not None:
        return "dispute"
    if effective_date:
        return "source"
    return "recorded" if recorded_at else None


# ---- claims ------------------------------------------------------------------------
def get_claims(data, refs, *, as_of: str | None = None, summaries: bool = False, quotes: bool = True) -> list[dict]:
    """Claims with their disputes, sources, quote, provenance and derived status, read
    together: on a server store in one round of requests (:func:`kb.ahead.read_claims`: the claims,
    their disputes, quotes, verdicts, relations and latest versions, and the names and sources not kept
    yet; it was eight requests at once and two or three rounds after them), after the check of the store's
    version under which the names and sources are kept (Dataset.labels). For ``summaries``
    (:func:`summary_of`) their versions are not read (each claim's is 0), nor their quotes unless
    ``quotes`` (a search says where it matched: in quotes too). An embedded store is read with triple
    lookups (:func:`_local_reads`), a tenth of a millisecond each where a SPARQL query takes three or four."""
    iris = [data.iri("claim", r) for r in refs]
    store = data.store
    version = data.version()  # (checked once: the reads below, and those read ahead, kept under it)
    quotes = quotes or not summaries
    ahead = None
    if store.single_writer:
        claims, disputes, quoted, latest = _local_reads(data, iris, versions=not summaries, quotes=quotes)
        verdicts, relations = verdicts_of(data, iris), relations_of(data, iris)
    else:
        with data.at(version):
            ahead = read_claims(data, iris, quotes=quotes, versions=not summaries, named=_not_kept(data, iris))
            claims, disputes, quoted = (ahead.describe(x) for x in (iris, ahead.disputes, ahead.quotes))
            latest, verdicts, relations = ahead.latest, verdicts_of(data, iris, ahead), relations_of(data, iris, ahead)
    g = Triples((*claims, *disputes, *quoted))
    for c in iris:
        if (c, RDF.type, SDO.Claim) not in g:
            raise NotFound(f"there is no claim {data.local_id(c)!r}")
        data.once(("claim", c), lambda: True)  # (a claim page's later reads know it is one: kb.analysis)
    if ahead is not None and not summaries:  # the claimants' and parties' types, a claim page's ClaimReview's
        with data.at(version):
            data.types([str(o) for _, p, o in g if p in (SDO.author, KB.party)], ahead)  # (keyed as asked: str)
    disputes_of: dict = {c: [] for c in iris}  # one query for the page, not one per claim (a server's round trips)
    for d, _, c in g.triples((None, KB.disputes, None)):
        if c in disputes_of:
            disputes_of[c].append(d)
    with data.at(version):  # (the labels below kept under the version found with the reads above)
        return _claims(data, iris, g, disputes_of, latest, verdicts, relations, as_of, ahead)


def _local_reads(data, iris, *, versions: bool = True, quotes: bool = True) -> tuple:
    """What get_claims reads in SPARQL from a server store, read from an embedded store with triple
    lookups: the claims' triples, their disputes', their quotes' (the claims' and the disputes'), and
    each claim's latest version number (without ``versions``, none; without ``quotes``, no quotes)."""
    store, current = data.store, data.current
    claims = store.describe(iris, current)
    disputes = store.describe([s for s, _, _ in store.pointing(iris, KB.disputes, current)], current)
    quoted = store.describe(list(dict.fromkeys(o for _, p, o in (*claims, *disputes) if p == KB.quote)),
                            current) if quotes else []
    latest = {}
    for c in iris if versions else ():
        found = data.versions(c)
        if found:
            latest[c] = found[-1][0]
    return claims, disputes, quoted, latest


class Triples:
    """A few triples (a page's claims, disputes and quotes) with the lookups :func:`get_claims` makes:
    ``value``, ``objects``, ``triples``, ``in`` and iteration, in the order the triples came (as rdflib's
    Graph gives them); filling an rdflib Graph cost more than the reads that found the triples."""

    def __init__(self, triples=()):
        self._spo: dict = {}
        self._all: list = []
        for s, p, o in triples:
            objects = self._spo.setdefault(s, {}).setdefault(p, {})
            if o not in objects:
                objects[o] = None
                self._all.append((s, p, o))

    def __iter__(self):
        return iter(self._all)

    def __contains__(self, triple) -> bool:
        s, p, o = triple
        objects = self._spo.get(s, {}).get(p, {})
        return bool(objects) if o is None else o in objects

    def objects(self, s, p) -> list:
        return list(self._spo.get(s, {}).get(p, ()))

    def value(self, s, p):
        return next(iter(self._spo.get(s, {}).get(p, ())), None)

    def triples(self, pattern) -> list:
        s, p, o = pattern
        return [t for t in self._all if (s is None or t[0] == s) and (p is None or t[1] == p) and (o is None or t[2] == o)]


def _not_kept(data, iris) -> list:
    """The people, topics and sources the claim index says these claims name (claimant, subjects, sources,
    disputing parties) whose names, or a source's dict, are not kept at the store's version (Dataset.kept_each):
    read beside the claims (kb.ahead), not after them. None without a claim index (a process without a replica)."""
    if data.index is None:
        return []
    named = list(map(URIRef, data.index.named_by([str(i) for i in iris])))
    labels, sources = data.kept_now("labels", named), data.kept_now("sources-True", named)
    return [x for x in named if x not in labels or (labels[x]["kind"] == "source" and x not in sources)]


def _claims(data, iris, g: Triples, disputes_of: dict, latest: dict, verdicts: dict, relations: dict, as_of,
            ahead=None) -> list:
    refs = {o for s, p, o in g if isinstance(o, URIRef) and p not in NOT_LABELLED}
    appearance, counter = SDO.appearance, KB.counterClaim  # (a closed namespace's attribute costs a lookup each time)
    appear = {o for _, p, o in g if p == appearance}  # (the sources: read beside the labels, not after them)
    if ahead is not None:  # (read already: kb.ahead)
        labels, sources_info = data.labels(refs, ahead), _sources_info(data, data.labels(appear, ahead), ahead=ahead)
    else:
        labels, sources_info = together(data, lambda: data.labels(refs),
                                        lambda: _sources_info(data, data.labels(appear)))
    counters = _counter_claims(data, {o for _, p, o in g if p == counter}, ahead)

    def recorded(s):
        by = g.value(s, PROV.wasAttributedTo)
        return {
            "recorded_by": labels.get(by, {}).get("name", {}).get("", data.local_id(by)) if by else None,
            "recorded_at": str(g.value(s, PROV.generatedAtTime) or "") or None,
        }

    out = []
    for c in iris:
        ds = []
        for d in disputes_of[c]:
            srcs = sorted(g.objects(d, SDO.appearance))
            date = g.value(d, SDO.dateCreated)
            effective = str(date) if date is not None else min(
                (sources_info[s]["published"] or "" for s in srcs if s in sources_info), default=None)
            ds.append({
                "id": data.local_id(d), "iri": str(d),
                "party": labels.get(g.value(d, KB.party)),
                "stance": STANCE_NAMES.get(g.value(d, KB.stance)),
                "text": _texts(g, d),
                "date": str(date) if date is not None else None,
                "effective_date": effective,
                "dated_by": _dated_by(date, effective, g.value(d, PROV.generatedAtTime)),
                "sources": [sources_info.get(s, labels.get(s)) for s in srcs],
                "quote": _quote(data, g, d, labels),
                "withdrawn": str(g.value(d, KB.withdrawn)) if g.value(d, KB.withdrawn) else None,
                "counter_claim": counters.get(g.value(d, KB.counterClaim)),
                **recorded(d),
            })
        ds.sort(key=lambda x: (start_of(x["effective_date"]), x["recorded_at"] or "", x["id"]))
        claimant = g.value(c, SDO.author)
        srcs = sorted(g.objects(c, SDO.appearance))
        date = g.value(c, SDO.dateCreated)
        claim = {
            "id": data.local_id(c), "iri": str(c),
            "text": _texts(g, c),
            "claimant": labels.get(claimant),
            "sourcing": str(g.value(c, KB.sourcing)) if g.value(c, KB.sourcing) else None,
            "about": [labels[o] for o in sorted(g.objects(c, SDO.about)) if o in labels],
            "sources": [sources_info.get(s, labels.get(s)) for s in srcs],
            "date": str(date) if date is not None else None,
            "quote": _quote(data, g, c, labels),
            "note": _note(g, c),
            "disputes": ds,
            "version": latest.get(c, 0),
            "withdrawn": str(g.value(c, KB.withdrawn)) if g.value(c, KB.withdrawn) else None,
            **recorded(c),
        }
        claim["status"] = derive_status(claim, as_of)
        claim["status_timeline"] = status_timeline(claim)
        # what analysts conclude (never part of the status), and the claims it relates to, both ways
        claim["verdict"] = verdicts[c]
        if as_of and verdicts[c] is not None:  # the verdict of that date: none yet, or an earlier one
            claim["verdict"] = {k: v for k, v in (standing_on(data, c, as_of) or {}).items()
                                if k not in ("version", "current")} or None
        claim["relations"] = relations[c]
        claim["also_reported_as"] = [r["claim"] for r in relations[c] if r["relation"] == "same-as"
                                     and r["direction"] == "in"]
        out.append(claim)
    return out


def _counter_claims(data, iris, ahead=None) -> dict:
    """{claim IRI: {"id", "iri", "text"}} of the counter-claims disputes carry."""
    g = Triples((ahead.describe(iris) if ahead is not None else data.describe(iris)) if iris else ())
    return {c: {"id": data.local_id(c), "iri": str(c), "text": _texts(g, c)} for c in iris}


def summary_of(claim: dict) -> dict:
    """The fields of a claim a list shows, with its count of standing disputes."""
    return {k: claim[k] for k in SUMMARY_KEYS} | {"disputes": len([d for d in claim["disputes"] if not d["withdrawn"]])}


def card_summaries(data, iris, cards: dict, q: str | None = None) -> list[dict]:
    """The summaries of claims (as :func:`summary_of` gives them) from their cards in the claim index
    (``cards``: :meth:`kb.index.ClaimIndex.cards`, by IRI): of the store only the names and sources they
    point to and the verdicts of those judged are read (the names and sources kept under the store's
    version), sent at once on a server store. A list page read each claim, its disputes, quotes and
    relations: on Virtuoso eight requests, each read again on the next page after a write. With a search
    (``q``, folded), each says where it matched (``match``: kb.text.where_matched), from the card too."""
    own = [cards[str(c)] for c in iris]
    srcs = {URIRef(s) for k in own for s in k["sources"]}
    judged = [c for c, k in zip(iris, own, strict=True) if k["judged"]]

    def names():  # the claimants', subjects' and sources' names in one request, then the sources
        parties = {URIRef(d["party"]) for k in own for d in k["disputes"] if d["party"]} if q is not None else set()
        labels = data.labels({URIRef(x) for k in own for x in (k["claimant"], *k["about"]) if x} | srcs | parties)
        info = _sources_info(data, {s: labels[s] for s in srcs if s in labels})
        return labels, {s: info.get(s, labels[s]) for s in srcs if s in labels}

    (labels, sources_of), verdicts = together(data, names, lambda: verdicts_of(data, judged) if judged else {})
    out = [{"id": data.local_id(c), "iri": str(c), "text": k["text"],
            "claimant": labels.get(URIRef(k["claimant"])) if k["claimant"] else None, "status": k["status"],
            "date": k["date"], "about": [labels[o] for o in map(URIRef, k["about"]) if o in labels],
            "sources": [sources_of.get(URIRef(s)) for s in k["sources"]], "verdict": verdicts.get(c),
            "also_reported_as": k["also_reported_as"], "disputes": k["count"]} for c, k in zip(iris, own, strict=True)]
    if q is not None:  # the claim as kb.text.fields_of reads it: its texts, quote, standing disputes and names
        for s, k in zip(out, own, strict=True):
            quoted = {"exact": k["quote"]} if k["quote"] is not None else None
            disputes = [{"id": d["id"], "text": d["text"], "withdrawn": None, "party": labels.get(URIRef(d["party"]))
                         if d["party"] else None, "quote": {"exact": d["quote"]} if d["quote"] is not None else None}
                        for d in k["disputes"]]
            s["match"] = where_matched({**s, "quote": quoted, "disputes": disputes}, q)
    return out


def indexed_summaries(data, iris, q: str | None = None) -> list[dict] | None:
    """The summaries of claims from their cards in the claim index (:func:`card_summaries`), or None when
    the index lacks one of them. The caller knows the index is in step with the store."""
    cards = data.index.cards([str(i) for i in iris])
    return card_summaries(data, iris, cards, q) if len(cards) == len(iris) else None


def claim_summaries(data, refs, *, in_step: bool) -> list[dict]:
    """Summaries of claims, as a list shows them: from the claim index's cards when it is in step with the
    store (``in_step``: what the caller, reading at one version (Dataset.at), found with :func:`index_in_step`),
    else read from the store. An agent named by 10,000 claims at 100,000 took 8.2 s to read from an embedded
    store, 2.2-2.6 s from the cards."""
    if not refs:
        return []
    iris = [data.iri("claim", r) for r in refs]
    found = indexed_summaries(data, iris) if in_step else None
    return found if found is not None else [summary_of(c) for c in get_claims(data, iris, summaries=True, quotes=False)]


def index_in_step(data, version: int | None) -> bool:
    """Whether the claim index may answer for the store at ``version`` (Dataset.version, found just now: on a
    server store None when its replica could not catch up)."""
    return data.index is not None and (data.replica is None or version is not None)


def _sources_info(data, labels: dict, *, originals: bool = True, ahead=None) -> dict:
    """Sources as dicts; with ``originals``, each translation's original as one too (one step: the
    original's own original, if any, is named by its id only). Kept until the store's next write
    (Dataset.kept_each): the same sources on many pages. Read from ``ahead`` (kb.ahead.Ahead) if given."""
    srcs = [i for i, v in labels.items() if v["kind"] == "source"]
    return data.kept_each(f"sources-{originals}", srcs,
                          lambda missing: _read_sources(data, {s: labels[s] for s in missing}, originals, ahead))


def _read_sources(data, labels: dict, originals: bool, ahead=None) -> dict:
    srcs = list(labels)
    g = Triples(ahead.describe(srcs) if ahead is not None else data.describe(srcs))
    pubs = {o for s in srcs for o in g.objects(s, SDO.publisher)} | {o for s in srcs for o in g.objects(s, SDO.author)}
    pl = data.labels(pubs, ahead)
    of = {s: g.value(s, SDO.translationOfWork) for s in srcs if g.value(s, SDO.translationOfWork) is not None}
    if of and originals:
        found = _sources_info(data, data.labels(set(of.values()), ahead), originals=False, ahead=ahead)
    else:
        found = {}
    out = {}
    for s in srcs:
        url = g.value(s, SDO.url)
        pub = g.value(s, SDO.datePublished)
        orig = of.get(s)
        out[s] = {
            **labels[s],
            "headline": _texts(g, s, SDO.headline),
            "publisher": pl.get(g.value(s, SDO.publisher)),
            "author": [pl[a] for a in g.objects(s, SDO.author) if a in pl],
            "published": str(pub) if pub is not None else None,
            "language": str(g.value(s, SDO.inLanguage) or "") or None,
            "url": str(url) if url else None,
            "translation_of": (found.get(orig) or {"id": data.local_id(orig), "iri": str(orig)}) if orig else None,
            "note": _note(g, s),
        }
    return out


# ---- other records -----------------------------------------------------------------
def get(data, kind: str, ref) -> dict:
    """One record of a kind as a dict (NotFound when the id names no record of that kind)."""
    if kind == "claim":
        return get_claims(data, [ref])[0]
    iri = data.iri(kind, ref)
    labels = data.labels([iri])
    if labels[iri]["kind"] != kind:
        raise NotFound(f"there is no {kind} {data.local_id(iri)!r}")
    if kind == "source":
        return _sources_info(data, labels)[iri]
    g = data.graph_of([iri])
    out = dict(labels[iri])
    if kind == "agent":
        out["type"] = "Person" if (iri, RDF.type, SDO.Person) in g else "Organization"
        out["job_title"] = _texts(g, iri, SDO.jobTitle)
        wf = g.value(iri, SDO.worksFor)
        out["works_for"] = data.labels([wf])[wf] if wf else None
        out["same_as"] = [str(o) for o in g.objects(iri, SDO.sameAs)]
    if kind == "dispute":
        out["claim"] = data.local_id(g.value(iri, KB.disputes))
    return out


def records(data, kind: str) -> list[dict]:
    """All agents, sources or topics (for pickers), kept until a record of that kind is
    written (thousands of labels at 100,000 claims; a claim or a dispute leaves them as they are)."""
    return list(data.kept("records", kind, lambda: _records(data, kind), kinds=(kind,)))


def _records(data, kind: str) -> list[dict]:
    iris = data.column(queries.records_of_types(PICKER_TYPES[kind]), "r")
    iris = [i for i in iris if str(i).startswith(data.minter.base) or kind != "topic"]
    return sorted(data.labels(iris).values(), key=lambda x: x["id"])


def scheme_labels(data) -> dict:
    """``{"stance": {"denies": {"en": …, "ja": …}, …}, "status": {…}, "sourcing": {"reportedly": …}}``
    from the vocabulary (statuses and sourcing hedges by their notation)."""
    return data.kept("scheme-labels", None, lambda: _scheme_labels(data), kinds=())


def _scheme_labels(data) -> dict:
    out: dict = {"stance": {}, "status": {}, "sourcing": {}}
    for r in data.select(queries.SCHEME_LABELS):
        if r["scheme"] == KB.StanceScheme:
            name, key = STANCE_NAMES.get(r["concept"]), "stance"
        else:
            key = "sourcing" if r["scheme"] == KB.SourcingScheme else "status"
            name = str(r["notation"]) if r["notation"] is not None else None
        if name:
            out[key].setdefault(name, {})[r["label"].language or ""] = str(r["label"])
    return out


def concept_labels(data) -> dict:
    """``{concept IRI: {"en": …, "ja": …}}`` for the stance and status concepts of the vocabulary."""
    def compute():
        out: dict = {}
        for r in data.select(queries.SCHEME_LABELS):
            out.setdefault(r["concept"], {})[r["label"].language or ""] = str(r["label"])
        return out
    return data.kept("concept-labels", None, compute, kinds=())


def has_claims(data) -> bool:
    """Whether a claim stands in the store (what ``counts`` would count), asked without counting."""
    return data.store.ask(queries.ANY_CLAIM, data.default_graphs)


def counts(data) -> dict:
    """How many claims, disputes, sources and agents; disputes by party and stance; claims by status."""
    rows = data.select(queries.COUNTS)
    out = {k: int(v) for k, v in rows[0].items()} if rows else {}
    by_party = data.select(queries.DISPUTES_BY_PARTY)
    labels = data.labels({r["party"] for r in by_party})
    parties = [
        {"party": labels[r["party"]]["id"], "name": labels[r["party"]]["name"],
         "stance": STANCE_NAMES.get(r["stance"]), "count": int(r["n"])}
        for r in by_party
    ]
    statuses = data.select(queries.STATUS_COUNTS)
    return {**out, "disputes_by_party": parties, "statuses": {str(r["status"]): int(r["n"]) for r in statuses}}


# ---- history and graphs ----------------------------------------------------------------
def _fmt(t) -> str:
    return " ".join(x.n3() for x in t)


def history(data, kind: str, ref, *, triples: bool = True) -> list[dict]:
    """Every version of a record: who, when, what, and the triples added and removed (N-Triples
    terms, sorted); without ``triples``, how many were added and removed (what a page shows). On a
    server store one request, however many versions (Dataset.histories); a claim's with its verdict's,
    which its page shows too (kb.verdicts.history: read once a page)."""
    iri = data.iri(kind, ref)
    versions = data.histories([iri, verdict_iri(data, iri)] if kind == "claim" else [iri])[iri]
    if not versions:
        raise NotFound(f"there is no {kind} {data.local_id(iri)!r}")
    out, prev = [], set()
    for n, v, about, snapshot in versions:
        meta = {p: o for _, p, o in about}
        snap = set(snapshot)
        by = meta.get(PROV.wasAttributedTo)
        added, removed = snap - prev, prev - snap
        out.append({
            "version": n, "iri": str(v),
            "action": str(meta.get(KB.action)),
            "at": str(meta.get(PROV.generatedAtTime)),
            "by": data.local_id(by).rsplit("/", 1)[-1] if by else None,
            "added": sorted(_fmt(t) for t in added) if triples else len(added),
            "removed": sorted(_fmt(t) for t in removed) if triples else len(removed),
        })
        prev = snap
    return out


def version_graph(data, kind: str, ref, n: int) -> Graph:
    """Version ``n`` of a record, as it was written."""
    iri = data.iri(kind, ref)
    versions = dict(data.versions(iri))
    if n not in versions:
        raise NotFound(f"{kind} {data.local_id(iri)!r} has no version {n}")
    g = bound_graph()
    for t in data.store.triples(None, None, None, str(versions[n])):
        g.add(t)
    return g


def claim_graph(data, ref) -> Graph:
    """One claim as RDF: the claim, its quote, its disputes, and the labels of what they name."""
    c = data.iri("claim", ref)
    g = bound_graph()
    triples = data.describe([c])
    if not triples:
        raise NotFound(f"there is no claim {data.local_id(c)!r}")
    disputes = [s for s, _, _ in data.store.triples(None, KB.disputes, c, data.current)]
    triples += data.describe(disputes)
    for t in triples:
        g.add(t)
    refs = {o for s, p, o in triples if isinstance(o, URIRef) and p not in (RDF.type, KB.stance, KB.quote, KB.disputes)}
    for s, p, o in data.describe(refs):
        if p in GRAPH_LABELS:
            g.add((s, p, o))
    return g


__all__ = ["bound_graph", "get_claims", "summary_of", "card_summaries", "indexed_summaries", "claim_summaries", "index_in_step", "get", "records", "scheme_labels", "concept_labels", "counts", "history", "version_graph", "claim_graph"]
