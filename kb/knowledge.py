"""The knowledge base: validated, versioned writes and the reads built on them."""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
import unicodedata
import uuid
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from . import queries
from .errors import Conflict, InvalidData, KBError, NotFound, Problem, QueryError, Report
from .index import ClaimIndex, bounds
from .io import load_yaml
from .model import (
    MAX_TEXT,
    STANCE_NAMES,
    Minter,
    Record,
    analyst_triples,
    build_one,
    build_records,
    content_id,
    kind_of_types,
    slugify,
)
from .namespaces import KB, OA, PREFIXES, SDO
from .sparql import check_query
from .stores import RDF_FORMATS, Store, from_ox, open_store
from .validation import check, load_shapes, owner

log = logging.getLogger("claimkb")
LABEL_PREDICATES = (SDO.name, SDO.headline, SKOS.prefLabel, RDFS.label)
FACET_LIMIT = 20  # values per facet, most frequent first
DEFAULT_BASE = "https://w3id.org/claimkb/id/"
VOCAB_FILE = Path(__file__).resolve().parent.parent / "vocab" / "claimkb.ttl"
VOCAB_GRAPH = "https://w3id.org/claimkb/ns"
PROV_PREDICATES = {PROV.wasAttributedTo, PROV.generatedAtTime}
CHUNK = 400  # records validated together in a bulk import
STATUS_ORDER = ("reported", "confirmed", "disputed", "retracted")
COMMIT_ATTEMPTS = 30  # a write that lost a race with another process is planned again this many times,
# after a random pause that grows with each loss (two processes updating one claim in a loop: with 5
# attempts and no pause, one of them lost 5 races in a row on a loaded machine)
CLAIM_WAIT = 60.0  # seconds a write waits for other writers' claims on the same records
CLAIM_LEASE = 120.0  # seconds after which a claim is taken to be left by a writer that died
WRITE_CLAIM = URIRef(str(KB._NS) + "writeClaim")  # internal: in the locks graph only, never exported


def _now() -> Literal:
    return Literal(dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)


def _dated(filters: dict) -> bool:
    return any(filters.get(k) is not None for k in queries.DATE_FILTERS)


def _order_key(term) -> tuple:
    """SPARQL's ORDER BY for facet values: IRIs before literals, then by text."""
    return (0 if isinstance(term, URIRef) else 1, str(term))


def _date_start(value: str | None) -> str:
    if not value:
        return ""
    return value + "-01-01"[: 10 - len(value)]


@dataclass
class ImportResult:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    def to_dict(self):
        return {"created": dict(self.created), "updated": dict(self.updated), "unchanged": dict(self.unchanged)}

    def __str__(self):
        def fmt(c):
            return ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in sorted(c.items())) or "nothing"

        return f"created {fmt(self.created)}; updated {fmt(self.updated)}; unchanged {fmt(self.unchanged)}"


@dataclass
class QueryResult:
    form: str
    variables: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    partial: bool = False  # cut at ``row_limit`` rows (or triples): there were more
    row_limit: int | None = None


QUERY_TIMEOUT = 5.0  # seconds a user's query may run (KnowledgeBase.query)


class KnowledgeBase:
    """Open with :func:`open_kb`. Every write is validated against the shapes
    and committed as one atomic update, with a new version of each changed
    record kept readable for ever."""

    def __init__(self, store: Store, base: str | None = None):
        self.store = store
        settings = store.read_settings()
        stored_base = settings.get("base")
        if base and stored_base and base != stored_base:
            raise KBError(
                f"this store was created with base IRI {stored_base!r}; "
                f"opening it with {base!r} would change every IRI"
            )
        self.minter = Minter(base or stored_base or DEFAULT_BASE)
        if not stored_base:
            store.write_settings({**settings, "base": self.minter.base})
        self.current = self.minter.graph("current")
        self.history_graph = self.minter.graph("history")
        self.locks_graph = self.minter.graph("locks")
        self.default_graphs = [self.current, VOCAB_GRAPH]
        self._write_lock = threading.RLock()
        self._scheme_labels: dict | None = None
        self._records_cache: dict = {}
        self._kind_writes: Counter = Counter()  # writes of each record kind by this process (see records())
        self._kept: OrderedDict = OrderedDict()  # see kept()
        self._kept_lock = threading.Lock()
        self.shapes = load_shapes()
        self._ensure_vocab()
        self.index = None
        if store.single_writer:
            self.index = ClaimIndex(store.index_path)
            if self.index.generation != self._generation():
                self.reindex()

    # ---- set-up ----------------------------------------------------------------
    def _ensure_vocab(self):
        """The vocabulary graph as ``vocab/claimkb.ttl`` has it now (a store
        made by an earlier version gets the changes; no blank nodes there)."""
        want = set(Graph().parse(VOCAB_FILE, format="turtle"))
        have = set(self.store.triples(None, None, None, VOCAB_GRAPH))
        if have != want:
            try:
                self.store.apply([(s, p, o, VOCAB_GRAPH) for s, p, o in have - want],
                                 [(s, p, o, VOCAB_GRAPH) for s, p, o in want - have])
            except KBError as e:  # a read-only store keeps the vocabulary it has
                log.warning("the vocabulary graph could not be brought up to date: %s", e)

    def close(self):
        if self.index is not None:
            self.index.close()
        self.store.close()

    KEPT = 64  # values kept by kept(), the least recently asked for dropped first

    def kept(self, name: str, key, compute):
        """``compute()``, kept until the next write (the embedded store has one
        writer, this process, and counts its writes); a server store, which
        other processes write without that count, computes it each time."""
        if not self.store.single_writer:
            return compute()
        full = (name, self._generation(), key)
        with self._kept_lock:
            if full in self._kept:
                self._kept.move_to_end(full)
                return self._kept[full]
        value = compute()
        with self._kept_lock:
            self._kept[full] = value
            while len(self._kept) > self.KEPT:
                self._kept.popitem(last=False)
        return value

    # ---- the claim index ----------------------------------------------------------
    def _generation(self) -> int:
        found = self.store.triples(URIRef(self.history_graph), KB.generation, None, self.history_graph)
        return int(found[0][2]) if found else 0

    def reindex(self, claims=None) -> None:
        """Rebuild the claim index (all of it, or the rows of ``claims``) from the store.

        Read with plain triple lookups and derived here by the same rules as the
        list query (status, date, recorded time); a test holds the two to the same answers."""
        if self.index is None:
            return
        cur = self.current
        everything = claims is None
        if everything:
            ids = {s for s, _, _ in self.store.triples(None, RDF.type, SDO.Claim, cur)}
            triples = [t for p in (SDO.dateCreated, SDO.appearance, PROV.generatedAtTime, SDO.author, KB.withdrawn,
                                   SDO.about, SDO.text) for t in self.store.triples(None, p, None, cur)]
            links = self.store.triples(None, KB.disputes, None, cur)
        else:
            ids = {URIRef(c) for c in claims if self.store.triples(URIRef(c), RDF.type, SDO.Claim, cur)}
            triples = self.store.describe(ids, cur)
            links = [t for c in ids for t in self.store.triples(None, KB.disputes, c, cur)]
        facts: dict = defaultdict(lambda: defaultdict(list))
        for s_, p, o in triples:
            if s_ in ids:
                facts[s_][p].append(o)
        disputes: dict = defaultdict(list)
        dispute_iris = [d for d, _, c in links if c in ids]
        dfacts: dict = defaultdict(dict)
        for d, p, o in self.store.describe(dispute_iris, cur):
            if p in (KB.party, KB.stance, KB.withdrawn, SDO.dateCreated, PROV.generatedAtTime):
                dfacts[d][p] = o
            elif p == SDO.appearance or p == RDF.type and o == KB.Dispute:
                dfacts[d].setdefault(p, []).append(o)
        for d, _, c in links:
            if c in ids and KB.withdrawn not in dfacts[d]:
                disputes[c].append(dfacts[d])
        sources = {o for c in ids for o in facts[c][SDO.appearance]}
        sources |= {o for c in ids for d in disputes[c] for o in d.get(SDO.appearance, ())}
        published = {s_: min(str(o) for _, _, o in found) for s_ in sources
                     if (found := self.store.triples(s_, SDO.datePublished, None, cur))}
        abouts = {o for c in ids for o in facts[c][SDO.about]}
        topics = {a for a in abouts if self.store.triples(a, RDF.type, SKOS.Concept, cur)}
        dispute_rows = []
        for d, _, c in links:
            if c in ids and KB.withdrawn not in dfacts[d]:
                f = dfacts[d]
                if RDF.type in f and KB.party in f and KB.stance in f:  # as the network query asks
                    dates = [published[s_] for s_ in f.get(SDO.appearance, ()) if s_ in published]
                    date = str(f[SDO.dateCreated]) if SDO.dateCreated in f else min(dates) if dates else None
                    dispute_rows.append((str(d), str(c), str(f[KB.party]), str(f[KB.stance]), date,
                                         str(f[PROV.generatedAtTime]) if PROV.generatedAtTime in f else None))
        rows, link_rows, texts = [], [], []
        for c in ids:
            f, ds = facts[c], disputes[c]
            author = f[SDO.author][0] if f[SDO.author] else None
            stances = {d.get(KB.stance) for d in ds}
            if any(d.get(KB.stance) == KB.Retracts and d.get(KB.party) == author for d in ds):
                status = "retracted"
            elif stances & {KB.Denies, KB.Disputes}:
                status = "disputed"
            elif KB.Confirms in stances:
                status = "confirmed"
            else:
                status = "reported"
            dates = [published[s_] for s_ in f[SDO.appearance] if s_ in published]
            date = str(f[SDO.dateCreated][0]) if f[SDO.dateCreated] else min(dates) if dates else ""
            rows.append({"iri": str(c), "date": date, "status": status,
                         "recorded": max((str(o) for o in f[PROV.generatedAtTime]), default=""),
                         "claimant": str(author) if author is not None else None,
                         "withdrawn": bool(f[KB.withdrawn]), "disputes": len(ds)})
            link_rows += [(str(c), "about", str(o)) for o in f[SDO.about]]
            link_rows += [(str(c), "topic", str(o)) for o in f[SDO.about] if o in topics]
            link_rows += [(str(c), "source", str(o)) for o in f[SDO.appearance]]
            link_rows += [(str(c), "party", str(d[KB.party])) for d in ds if KB.party in d]
            texts += [(str(c), (o.language or "").lower(), str(o)) for o in f[SDO.text]]
        self.index.write(rows, link_rows, texts, {str(c) for c in claims or ()}, self._generation(),
                         everything=everything, disputes=dispute_rows)

    def _update_index(self, changed) -> None:
        """After a write: the store has it, so the index must follow or step aside."""
        try:
            self.reindex(self._affected_claims(changed))
        except Exception:
            log.exception("the claim index could not be updated; rebuilding it")
            try:
                self.reindex()
            except Exception:
                log.exception("the claim index could not be rebuilt; answering from the store")
                try:
                    self.index.write([], [], [], set(), -1)  # stale: rebuilt when next opened
                except Exception:  # a full disk: its generation is already behind the store's, so stale anyway
                    log.exception("the claim index could not be marked stale")
                self.index = None

    def _affected_claims(self, changed: list[tuple[Record, set]]) -> set:
        """Claims whose index rows a write changes: claims written, claims of disputes
        written (before and after), claims appearing in sources written."""
        out, sources = set(), []
        for rec, old in changed:
            if rec.kind == "claim":
                out.add(rec.iri)
            elif rec.kind == "dispute":
                out |= {o for s, p, o in rec.triples | old if p == KB.disputes}
            elif rec.kind == "source":
                sources.append(rec.iri)
        if sources:
            out |= set(self._column(queries.index_query(queries.CLAIMS_OF_SOURCES, sources, "s"), "c"))
        return out

    # ---- helpers ---------------------------------------------------------------
    def iri(self, kind: str, ref: str) -> URIRef:
        """A local id or a full IRI -> IRI."""
        if isinstance(ref, URIRef) or (isinstance(ref, str) and ref.startswith(("http://", "https://"))):
            return URIRef(ref)
        return self.minter.iri(kind, ref)

    def local_id(self, iri) -> str:
        return self.minter.local(iri)[1] or str(iri)

    def _known_kind(self, local_id: str, kinds) -> str | None:
        for kind in kinds:
            if self.store.triples(self.minter.iri(kind, local_id), RDF.type, None, self.current):
                return kind
        return None

    def _describe(self, iris) -> list:
        """Current triples of records, with their owned fragments (…#quote)."""
        iris = list(dict.fromkeys(iris))
        out = self.store.describe(iris, self.current)
        frags = {o for s, p, o in out if isinstance(o, URIRef) and "#" in o and owner(o) == s}
        if frags:
            out += self.store.describe(frags, self.current)
        return out

    def _versions(self, iri) -> list[tuple[int, URIRef]]:
        vs = []
        for v, _, _ in self.store.triples(None, KB.versionOf, URIRef(iri), self.history_graph):
            for _, _, n in self.store.triples(v, KB.versionNumber, None, self.history_graph):
                vs.append((int(n), v))
        return sorted(vs)

    # ---- the write path --------------------------------------------------------
    def _context(self, records: list[Record], pending: dict) -> set:
        """Triples the shapes need beyond the change: the records it refers to
        and the types of what those refer to."""
        own = {r.iri for r in records}
        refs = set()
        for r in records:
            for _s, p, o in r.triples:
                if isinstance(o, URIRef) and p not in (RDF.type, KB.stance) and owner(o) not in own:
                    refs.add(owner(o))
        ctx = set()
        from_store = []
        for ref in refs:
            if ref in pending:
                ctx |= pending[ref].triples
            else:
                from_store.append(ref)
        ctx |= set(self._describe(from_store))
        seconds = {o for _, p, o in ctx if isinstance(o, URIRef) and p not in (RDF.type, KB.stance)}
        for o in seconds:
            if o in pending:
                ctx |= {t for t in pending[o].triples if t[1] == RDF.type}
            else:
                ctx |= set(self.store.triples(o, RDF.type, None, self.current))
        return ctx

    def _validate(self, records: list[Record], pending: dict, progress=None) -> list[Problem]:
        problems = []
        for i in range(0, len(records), CHUNK):
            chunk = records[i : i + CHUNK]
            data = Graph()
            focus = set()
            for r in chunk:
                for t in r.triples:
                    data.add(t)
                    focus.add(t[0])
            for t in self._context(chunk, pending):
                data.add(t)
            problems += check(data, focus, self.minter, self.shapes)
            if progress:
                progress(min(i + CHUNK, len(records)), len(records))
        return problems

    def _with_provenance(self, rec: Record, by: str, when: Literal) -> bool:
        """Attribute the record to ``by`` unless it comes with its own provenance."""
        has_prov = any(p in PROV_PREDICATES for s, p, o in rec.triples if s == rec.iri)
        if not has_prov:
            rec.triples.add((rec.iri, PROV.wasAttributedTo, self.minter.analyst(by)))
            rec.triples.add((rec.iri, PROV.generatedAtTime, when))
        return not has_prov

    @staticmethod
    def _content(triples) -> set:
        return {t for t in triples if t[1] not in PROV_PREDICATES}

    def _commit(self, records: list[Record], by: str, *, action: str | None = None,
                expected: dict | None = None, progress=None, history_quads=(), result=None) -> ImportResult:
        result = result or ImportResult()
        by = by or "anonymous"
        when = _now()
        with self._write_lock:
            pending = {r.iri: r for r in records}
            fresh = {r.iri for r in records if self._with_provenance(r, by, when)}
            problems = self._validate(records, pending, progress)
            if problems:
                raise InvalidData(problems)
            # Several processes may write one server store at once, and a
            # server need not make a conditional update serialisable (Oxigraph
            # server 0.5 evaluates an update's WHERE on a snapshot and does not
            # detect a concurrent write of the same quads: two "insert version
            # N+1 unless it exists" updates sent at once both apply). So:
            # 1. Each write numbers the versions it creates from what it read
            #    (latest + 1); version numbers only ever grow by one, so "N+1
            #    does not exist" at write time means "nobody wrote this record
            #    since I read version N": no edit is lost.
            # 2. On a store with other writers, the write first claims those
            #    version IRIs (see _claim: an insert, then a read-back; only a
            #    writer that sees no other live claim goes on), so at most one
            #    writer at a time sends an update creating a given version.
            # 3. The update itself applies only if none of those versions exists
            #    yet (the guard), and every version names the write that made it
            #    (prov:wasGeneratedBy a fresh urn:uuid activity), so reading them
            #    back tells whether this write landed. A write that lost is
            #    planned again from fresh reads; an edit made from an expected
            #    version then fails with Conflict (409).
            for tried in range(COMMIT_ATTEMPTS):
                if tried:
                    time.sleep(random.uniform(0, 0.01 * min(tried, 10)))
                attempt = ImportResult()
                token = URIRef(f"urn:uuid:{uuid.uuid4()}")
                deletes, inserts, guarded, changed = self._plan(records, by, when, action, expected, fresh,
                                                                history_quads, attempt, token)
                if guarded:
                    inserts.append((token, RDF.type, PROV.Activity, self.history_graph))
                if self.store.single_writer and (changed or inserts):
                    # the write counter the embedded store's claim index checks
                    # (a server store has no such index)
                    generation = self._generation()
                    h = URIRef(self.history_graph)
                    if generation:
                        deletes.append((h, KB.generation, Literal(generation), self.history_graph))
                    inserts.append((h, KB.generation, Literal(generation + 1), self.history_graph))
                guard = (self.history_graph, guarded) if guarded else None
                claim = self._claim(guarded) if guarded and not self.store.single_writer else []
                try:
                    landed = self.store.apply(deletes, inserts, guard=guard)
                    if landed is None:
                        landed = self._landed(guarded, token)
                finally:
                    if claim:
                        self.store.apply(claim, [])
                if landed:
                    for kind in {r.kind for r in records}:  # the pickers' labels of that kind are stale
                        self._kind_writes[kind] += 1
                    if self.index is not None and (changed or inserts):
                        self._update_index(changed)
                    for name in ("created", "updated", "unchanged"):
                        getattr(result, name).update(getattr(attempt, name))
                    return result
            raise Conflict("the records kept being changed by other writers while this write was tried; "
                           "nothing was written, try again")

    def _claim(self, versions: list) -> list:
        """Claim the version IRIs a write is about to create, against other
        processes writing the same server store; returns the claim's quads (to
        delete when the write is done).

        A claim is inserted, then all claims on those versions are read back.
        Writes and reads are atomic and see each other in order, so of two
        writers that claim at once at least one sees the other's claim: a
        writer that sees only its own goes on, one that sees another withdraws
        and tries again a moment later (both may withdraw; neither goes on
        while another holds a claim). Claims older than CLAIM_LEASE seconds
        (a writer that died) are ignored and removed."""
        graph = self.locks_graph
        values = " ".join(f"<{v}>" for v in versions)
        deadline = time.monotonic() + CLAIM_WAIT
        while True:
            me = URIRef(f"urn:uuid:{uuid.uuid4()}")
            started = dt.datetime.now(dt.UTC)
            quads = [(v, WRITE_CLAIM, me, graph) for v in versions]
            quads.append((me, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime), graph))
            self.store.apply([], quads)
            _, rows = self.store.select(
                f"SELECT ?v ?w ?at WHERE {{ GRAPH <{graph}> {{ VALUES ?v {{ {values} }} ?v <{WRITE_CLAIM}> ?w "
                f"OPTIONAL {{ ?w <{PROV.startedAtTime}> ?at }} }} }}", [])
            live, stale = set(), []
            for r in rows:
                if r["w"] == me:
                    continue
                at = r["at"].toPython() if r["at"] is not None else None
                if isinstance(at, dt.datetime) and at.tzinfo and (started - at).total_seconds() > CLAIM_LEASE:
                    stale += [(r["v"], WRITE_CLAIM, r["w"], graph), (r["w"], PROV.startedAtTime, r["at"], graph)]
                else:
                    live.add(r["w"])
            if not live:
                if stale:
                    self.store.apply(stale, [])
                return quads
            self.store.apply(quads, [])
            if time.monotonic() > deadline:
                raise KBError("the store is busy: other writers kept changing the same records; "
                              "nothing was written, try again", status=503)
            time.sleep(random.uniform(0.005, 0.05))

    def _plan(self, records, by, when, action, expected, fresh, history_quads, result, token):
        """The quads one write deletes and inserts, the version IRIs it creates,
        and the changed records with their current triples."""
        deletes, inserts = [], [(s, p, o, g) for s, p, o, g in history_quads]
        guarded, changed = [], []
        analyst_added = False
        for rec in records:
            versions = self._versions(rec.iri)
            current = set(self._describe([rec.iri]))
            latest = set(self.store.triples(None, None, None, str(versions[-1][1]))) if versions else set()
            same = bool(latest) and self._content(latest) == self._content(rec.triples)
            if expected and rec.iri in expected:
                latest_n = versions[-1][0] if versions else 0
                if expected[rec.iri] == 0 and latest_n and not same:
                    raise Conflict(
                        f"{rec.kind} {rec.local_id!r} already exists (version {latest_n}); to change it, "
                        "edit it from the version you read; nothing was written",
                        expected=0, current=latest_n, changes=self.history(rec.kind, rec.iri))
                if expected[rec.iri] != latest_n and expected[rec.iri] != 0:
                    since = [h for h in self.history(rec.kind, rec.iri) if h["version"] > expected[rec.iri]] \
                        if versions else []
                    who = ", ".join(dict.fromkeys(f"{h['by']} ({h['at']})" for h in since))
                    raise Conflict(
                        f"{rec.kind} {rec.local_id!r} was changed by someone else "
                        f"(you edited version {expected[rec.iri]}, it is now at version {latest_n}"
                        f"{'; changed by ' + who if who else ''}); nothing was written",
                        expected=expected[rec.iri], current=latest_n, changes=since)
            if same:
                result.unchanged[rec.kind] += 1
                if current != latest and not current:
                    inserts += [(s, p, o, self.current) for s, p, o in latest]
                continue
            n = (versions[-1][0] if versions else 0) + 1
            v = self.minter.version(rec.iri, n)
            guarded.append(v)
            act = action or ("created" if not versions and not current else "updated")
            (result.created if act == "created" else result.updated)[rec.kind] += 1
            changed.append((rec, current))
            deletes += [(s, p, o, self.current) for s, p, o in current]
            inserts += [(s, p, o, self.current) for s, p, o in rec.triples]
            inserts += [(s, p, o, str(v)) for s, p, o in rec.triples]
            meta = [
                (v, RDF.type, KB.Version), (v, RDF.type, PROV.Entity), (v, KB.versionOf, rec.iri),
                (v, KB.versionNumber, Literal(n)), (v, KB.action, Literal(act)),
                (v, PROV.generatedAtTime, when), (v, PROV.wasAttributedTo, self.minter.analyst(by)),
                (v, PROV.wasGeneratedBy, token),
            ]
            if versions:
                meta.append((v, PROV.wasRevisionOf, versions[-1][1]))
            inserts += [(s, p, o, self.history_graph) for s, p, o in meta]
            if not analyst_added and (rec.iri in fresh or act != "created"):
                analyst_added = True
                inserts += [(s, p, o, self.current) for s, p, o in analyst_triples(self.minter, by)]
        return deletes, inserts, guarded, changed

    def _landed(self, versions: list, token: URIRef) -> bool:
        """Read back which write made each of ``versions``: True if this one
        (``token``) made them all, False if it made none (another write won)."""
        ours = theirs = 0
        for i in range(0, len(versions), 500):
            values = " ".join(f"<{v}>" for v in versions[i : i + 500])
            _, rows = self.store.select(
                f"SELECT ?v ?w WHERE {{ GRAPH <{self.history_graph}> {{ VALUES ?v {{ {values} }} "
                f"?v <{PROV.wasGeneratedBy}> ?w }} }}", [])
            for r in rows:
                if r["w"] == token:
                    ours += 1
                else:
                    theirs += 1
        if ours == len(versions) and not theirs:
            return True
        if not ours:
            return False
        raise KBError("the SPARQL server applied a conditional update only in part or twice "
                      f"({ours} of {len(versions)} versions written by this write, {theirs} by others); "
                      "it does not keep SPARQL updates atomic, so ClaimKB cannot write to it safely", status=500)

    # ---- public writes ----------------------------------------------------------
    def import_data(self, doc, *, by: str, progress=None) -> ImportResult:
        """A YAML-shaped document {agents, topics, sources, claims}: all or nothing."""
        records, problems = build_records(doc, self.minter, self._known_kind)
        if problems:
            raise InvalidData(problems)
        return self._commit(records, by, progress=progress)

    def import_yaml(self, data: bytes | str, *, by: str, name: str = "input", progress=None) -> ImportResult:
        doc = load_yaml(data, name=name)
        if doc is None:
            raise KBError(f"{name} is empty")
        return self.import_data(doc, by=by, progress=progress)

    def import_rdf(self, data: bytes, fmt: str, *, by: str, name: str = "input", progress=None) -> ImportResult:
        """Turtle, TriG, N-Triples, N-Quads or JSON-LD: the triples of the
        current (or default) graph are records; a TriG export's history graphs
        come along unchanged."""
        if fmt not in RDF_FORMATS or fmt == "xml":
            raise KBError(f"cannot import format {fmt!r}")
        try:
            quads = list(ox.parse(data, format=RDF_FORMATS[fmt], base_iri=None))
        except SyntaxError as e:
            raise InvalidData([Problem(f"{name} is not valid {fmt}: {e}")]) from e
        except (ValueError, OSError, RecursionError) as e:
            raise InvalidData([Problem(f"{name} could not be read as {fmt}: {e}")]) from e
        except MemoryError as e:  # pyoxigraph caps one token (a literal or an IRI) at 16 MiB
            raise InvalidData([Problem(f"{name} could not be read as {fmt}: it holds a literal or IRI "
                                       f"larger than the parser accepts ({e})")]) from e
        if not quads:
            why = " (a JSON-LD processor drops nodes whose IRIs are not valid)" if fmt == "jsonld" else ""
            raise InvalidData([Problem(f"{name} holds no triples{why}; nothing was written")])
        by_subject: dict = defaultdict(set)
        history = []
        problems = []
        for q in quads:
            if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
                problems.append(Problem("blank nodes are not accepted: every node needs an IRI", record=name))
                break
            s, p, o = from_ox(q.subject), from_ox(q.predicate), _nfc(from_ox(q.object))
            if isinstance(o, Literal) and len(o) > MAX_TEXT:
                problems.append(Problem(f"a literal of {len(o):,} characters is too long (at most {MAX_TEXT:,})",
                                        record=self.minter.local(owner(s))[1] or str(s), field=str(p)))
                break
            g = q.graph_name
            gname = None if isinstance(g, ox.DefaultGraph) else g.value
            if gname is None or gname == self.current:
                by_subject[s].add((s, p, o))
            elif gname == VOCAB_GRAPH:
                continue
            elif p == KB.generation:
                continue  # another store's write counter
            elif gname == self.history_graph or gname.startswith(self.minter.base):
                history.append((s, p, o, gname))
            else:
                problems.append(Problem(f"graph <{gname}> is not one of this knowledge base's graphs", record=name))
                break
        if problems:
            raise InvalidData(problems)
        records: dict = {}
        for s, triples in by_subject.items():
            key = owner(s)
            rec = records.get(key)
            if rec is None:
                rec = records[key] = Record(key, "other", local_id=self.minter.local(key)[1] or str(key))
            rec.triples |= triples
        analysts = set()
        for rec in records.values():
            types = [o for s, p, o in rec.triples if s == rec.iri and p == RDF.type]
            rec.kind = kind_of_types(types) or ("analyst" if KB.Analyst in types else "other")
            if rec.kind == "analyst":
                analysts.add(rec.iri)
        recs = [r for r in records.values() if r.iri not in analysts]
        for r in recs:
            # an import replaces a record's whole description: a fragment of one would wipe the rest
            if r.kind == "other" and (self.minter.local(r.iri)[0] or self._describe([r.iri])):
                problems.append(Problem(
                    "has no rdf:type in the import; an import replaces a record's whole description, "
                    "so give all of it (a claim, dispute, source, agent or topic)",
                    record=r.local_id, field="type"))
        if problems:
            raise InvalidData(problems)
        # history graphs of a dataset are restored as they are, only into a store that lacks them
        for _, _, _, g in history:
            if g != self.history_graph and self.store.has_graph(g):
                raise InvalidData([Problem(f"version graph <{g}> already exists in this store", record=name)])
        analyst_quads = [(s, p, o, self.current) for a in analysts for s, p, o in records[a].triples]
        with self._write_lock:
            if history:
                self.store.apply([], list(history) + analyst_quads)
                try:
                    return self._commit(recs, by, progress=progress)
                except Exception:
                    self.store.apply(list(history), [])
                    raise
            return self._commit(recs, by, progress=progress, history_quads=analyst_quads)

    def add_record(self, kind: str, record: dict, *, by: str, expected_version: int | None = None) -> dict:
        rec, problems = build_one(kind, record, self.minter, self._known_kind)
        if problems or rec is None:
            raise InvalidData(problems or [Problem("the record is empty")])
        expected = {rec.iri: expected_version} if expected_version is not None else None
        self._commit([rec], by, expected=expected)
        return self.get(kind, rec.iri)

    def _new_records(self, new: dict | None) -> list[Record]:
        """Agents, topics and sources created along with a claim or dispute: all new."""
        if not new:
            return []
        if not isinstance(new, dict) or set(new) - {"agents", "topics", "sources"}:
            raise KBError("new records must be a mapping with the sections agents, topics and sources")
        records, problems = build_records(new, self.minter, self._known_kind)
        problems += [Problem(f"a {r.kind} with this id already exists; choose it instead of adding it again",
                             record=r.local_id, field="id", kind=r.kind)
                     for r in records if self._describe([r.iri])]
        if problems:
            raise InvalidData(problems)
        return records

    def new_id(self, kind: str, names: dict) -> str:
        """A fresh local id for a new record named ``names`` (language -> text)."""
        names = {k: v for k, v in (names or {}).items() if v}
        first = str(names.get("en") or next(iter(names.values()), ""))
        base = slugify(first) or f"{kind}-{content_id(first)}"
        rid, n = base, 1
        while self._describe([self.minter.iri(kind, rid)]):
            n += 1
            rid = f"{base}-{n}"
        return rid

    def add_claim(self, record: dict, *, by: str, expected_version: int | None = None,
                  new: dict | None = None) -> dict:
        """Record (or update) a claim; its nested ``disputes`` are written with it.

        ``expected_version``: the version an edit was made from (Conflict, 409, when
        the claim is at another); 0 records a new claim and refuses to change one that
        exists (sending the same record again changes nothing and is accepted).

        ``new`` holds agents, topics and sources to create in the same write
        (``{"agents": [...], "sources": [...]}``, as in a YAML import): the
        claim and what it names are accepted or refused together."""
        extra = self._new_records(new)
        if extra or (isinstance(record, dict) and record.get("disputes")):
            records, problems = build_records({**(new or {}), "claims": [record]}, self.minter, self._known_kind)
            if problems:
                raise InvalidData(problems)
            claim = next(r for r in records if r.kind == "claim")
            expected = {claim.iri: expected_version} if expected_version is not None else None
            self._commit(records, by, expected=expected)
            return self.get_claim(claim.iri)
        return self.add_record("claim", record, by=by, expected_version=expected_version)

    def add_dispute(self, claim: str, record: dict, *, by: str, new: dict | None = None) -> dict:
        """Record a party's stance on a claim; ``new`` as for :meth:`add_claim`."""
        claim_iri = self.iri("claim", claim)
        if not self.store.triples(claim_iri, RDF.type, SDO.Claim, self.current):
            raise NotFound(f"there is no claim {self.local_id(claim_iri)!r}")
        extra = self._new_records(new)
        local = {r.local_id: r.kind for r in extra}

        def known(local_id, kinds):
            return local[local_id] if local.get(local_id) in kinds else self._known_kind(local_id, kinds)

        rec, problems = build_one("dispute", record, self.minter, known, claim=claim_iri)
        if problems or rec is None:
            raise InvalidData(problems or [Problem("the dispute is empty")])
        self._commit(extra + [rec], by)
        return self.get_claim(claim_iri)

    def withdraw(self, kind: str, ref: str, *, by: str, reason: str | None = None) -> dict:
        """Withdraw a record: it stays readable, with its history, but no longer counts."""
        iri = self.iri(kind, ref)
        triples = set(self._describe([iri]))
        if not triples:
            raise NotFound(f"there is no {kind} {self.local_id(iri)!r}")
        if any(p == KB.withdrawn for _, p, _ in triples):
            raise Conflict(f"{kind} {self.local_id(iri)!r} is already withdrawn")
        triples = {t for t in triples if t[1] not in PROV_PREDICATES}
        triples.add((iri, KB.withdrawn, _now()))
        if reason:
            triples.add((iri, KB.withdrawnReason, Literal(reason)))
        rec = Record(iri, kind, triples, self.local_id(iri))
        self._commit([rec], by, action="withdrawn")
        return self.get(kind, iri)

    def restore(self, kind: str, ref: str, version: int, *, by: str) -> dict:
        """Make an earlier version current again (itself a new version)."""
        iri = self.iri(kind, ref)
        versions = dict(self._versions(iri))
        if version not in versions:
            raise NotFound(f"{kind} {self.local_id(iri)!r} has no version {version}")
        triples = {t for t in self.store.triples(None, None, None, str(versions[version])) if t[1] not in PROV_PREDICATES}
        rec = Record(iri, kind, triples, self.local_id(iri))
        self._commit([rec], by, action="restored")
        return self.get(kind, iri)

    # ---- reads -----------------------------------------------------------------
    def _graph_of(self, iris) -> Graph:
        g = Graph()
        for t in self._describe(iris):
            g.add(t)
        return g

    def _labels(self, iris) -> dict:
        """IRI -> {id, iri, kind, name{lang: text}} for agents, sources, topics, analysts."""
        iris = list(dict.fromkeys(iris))
        types, names = defaultdict(list), defaultdict(dict)
        for s, p, o in self.store.describe(iris, self.current, (RDF.type, *LABEL_PREDICATES)):
            if p == RDF.type:
                types[s].append(o)
            elif p in LABEL_PREDICATES:
                names[s].setdefault(p, {})[o.language or ""] = str(o)
        out = {}
        for iri in iris:
            merged = {}
            for p in LABEL_PREDICATES:  # later predicates win, as before
                merged.update(names[iri].get(p, {}))
            out[iri] = {"id": self.local_id(iri), "iri": str(iri), "kind": kind_of_types(types[iri]) or "other",
                        "name": merged}
        return out

    @staticmethod
    def _texts(g: Graph, s, p=SDO.text) -> dict:
        return {(o.language or ""): str(o) for o in g.objects(s, p)}

    def _quote(self, g: Graph, s, labels):
        q = g.value(s, KB.quote)
        if q is None:
            return None
        src = g.value(q, OA.hasSource)
        out = {"exact": str(g.value(q, OA.exact) or "")}
        for k, p in (("prefix", OA.prefix), ("suffix", OA.suffix)):
            if g.value(q, p) is not None:
                out[k] = str(g.value(q, p))
        out["source"] = labels.get(src, {"id": self.local_id(src), "iri": str(src)}) if src else None
        return out

    def get_claim(self, ref, *, as_of: str | None = None) -> dict:
        """A claim with its disputes, sources, quote, provenance and derived status."""
        return self.get_claims([ref], as_of=as_of)[0]

    def get_claims(self, refs, *, as_of: str | None = None) -> list[dict]:
        """:meth:`get_claim` for several claims, read together: one lookup of their
        triples, of their disputes' and of every label, however many claims."""
        iris = [self.iri("claim", r) for r in refs]
        g = self._graph_of(iris)
        for c in iris:
            if (c, RDF.type, SDO.Claim) not in g:
                raise NotFound(f"there is no claim {self.local_id(c)!r}")
        disputes_of = {c: [s for s, _, _ in self.store.triples(None, KB.disputes, c, self.current)] for c in iris}
        for t in self._describe([d for ds in disputes_of.values() for d in ds]):
            g.add(t)
        refs = {o for s, p, o in g if isinstance(o, URIRef) and p not in (RDF.type, KB.stance, KB.quote, KB.disputes)}
        labels = self._labels(refs)
        sources_info = self._sources_info(labels)

        def recorded(s):
            by = g.value(s, PROV.wasAttributedTo)
            return {
                "recorded_by": labels.get(by, {}).get("name", {}).get("", self.local_id(by)) if by else None,
                "recorded_at": str(g.value(s, PROV.generatedAtTime) or "") or None,
            }

        out = []
        for c in iris:
            ds = []
            for d in disputes_of[c]:
                srcs = sorted(g.objects(d, SDO.appearance))
                date = g.value(d, SDO.dateCreated)
                ds.append({
                    "id": self.local_id(d), "iri": str(d),
                    "party": labels.get(g.value(d, KB.party)),
                    "stance": STANCE_NAMES.get(g.value(d, KB.stance)),
                    "text": self._texts(g, d),
                    "date": str(date) if date is not None else None,
                    "effective_date": str(date) if date is not None else min(
                        (sources_info[s]["published"] or "" for s in srcs if s in sources_info), default=None),
                    "sources": [sources_info.get(s, labels.get(s)) for s in srcs],
                    "quote": self._quote(g, d, labels),
                    "withdrawn": str(g.value(d, KB.withdrawn)) if g.value(d, KB.withdrawn) else None,
                    **recorded(d),
                })
            ds.sort(key=lambda x: (_date_start(x["effective_date"]), x["recorded_at"] or "", x["id"]))
            claimant = g.value(c, SDO.author)
            srcs = sorted(g.objects(c, SDO.appearance))
            date = g.value(c, SDO.dateCreated)
            versions = self._versions(c)
            claim = {
                "id": self.local_id(c), "iri": str(c),
                "text": self._texts(g, c),
                "claimant": labels.get(claimant),
                "sourcing": str(g.value(c, KB.sourcing)) if g.value(c, KB.sourcing) else None,
                "about": [labels[o] for o in sorted(g.objects(c, SDO.about)) if o in labels],
                "sources": [sources_info.get(s, labels.get(s)) for s in srcs],
                "date": str(date) if date is not None else None,
                "quote": self._quote(g, c, labels),
                "disputes": ds,
                "version": versions[-1][0] if versions else 0,
                "withdrawn": str(g.value(c, KB.withdrawn)) if g.value(c, KB.withdrawn) else None,
                **recorded(c),
            }
            claim["status"] = derive_status(claim, as_of)
            claim["status_timeline"] = status_timeline(claim)
            out.append(claim)
        return out

    def _sources_info(self, labels: dict) -> dict:
        srcs = [i for i, v in labels.items() if v["kind"] == "source"]
        if not srcs:
            return {}
        g = self._graph_of(srcs)
        pubs = {o for s in srcs for o in g.objects(s, SDO.publisher)} | {o for s in srcs for o in g.objects(s, SDO.author)}
        pl = self._labels(pubs)
        out = {}
        for s in srcs:
            url = g.value(s, SDO.url)
            pub = g.value(s, SDO.datePublished)
            out[s] = {
                **labels[s],
                "headline": self._texts(g, s, SDO.headline),
                "publisher": pl.get(g.value(s, SDO.publisher)),
                "author": [pl[a] for a in g.objects(s, SDO.author) if a in pl],
                "published": str(pub) if pub is not None else None,
                "language": str(g.value(s, SDO.inLanguage) or "") or None,
                "url": str(url) if url else None,
            }
        return out

    def get(self, kind: str, ref) -> dict:
        if kind == "claim":
            return self.get_claim(ref)
        iri = self.iri(kind, ref)
        labels = self._labels([iri])
        if labels[iri]["kind"] != kind:
            raise NotFound(f"there is no {kind} {self.local_id(iri)!r}")
        if kind == "source":
            return self._sources_info(labels)[iri]
        g = self._graph_of([iri])
        out = dict(labels[iri])
        if kind == "agent":
            out["type"] = "Person" if (iri, RDF.type, SDO.Person) in g else "Organization"
            out["job_title"] = self._texts(g, iri, SDO.jobTitle)
            wf = g.value(iri, SDO.worksFor)
            out["works_for"] = self._labels([wf])[wf] if wf else None
            out["same_as"] = [str(o) for o in g.objects(iri, SDO.sameAs)]
        if kind == "dispute":
            out["claim"] = self.local_id(g.value(iri, KB.disputes))
        return out

    def agent_story(self, ref) -> dict:
        """What an agent claimed and what it disputed."""
        a = self.iri("agent", ref)
        info = self.get("agent", a)
        claimed = self._column(queries.render(queries.CLAIMS_BY_CLAIMANT, agent=a), "c")
        about = self._column(queries.render(queries.CLAIMS_ABOUT, entity=a), "c")
        _, rows = self.store.select(queries.render(queries.DISPUTES_BY_PARTY_OF, agent=a), self.default_graphs)
        info["claims"] = [self.claim_summary(c) for c in claimed]
        info["about"] = [self.claim_summary(c) for c in about]
        info["disputes"] = [{"dispute": self.local_id(r["d"]), "stance": STANCE_NAMES.get(r["stance"]),
                             "withdrawn": r["withdrawn"] is not None, "claim": self.claim_summary(r["c"])}
                            for r in rows]
        return info

    def topic_story(self, ref) -> dict:
        """A topic and the claims about it."""
        t = self.iri("topic", ref)
        info = self.get("topic", t)
        info["claims"] = [self.claim_summary(c) for c in
                          self._column(queries.render(queries.CLAIMS_ABOUT, entity=t), "c")]
        return info

    def source_story(self, ref) -> dict:
        s = self.iri("source", ref)
        info = self.get("source", s)
        claims = self._column(queries.render(queries.CLAIMS_IN_SOURCE, source=s), "c")
        info["claims"] = [self.claim_summary(c) for c in claims]
        return info

    def _column(self, query, var):
        _, rows = self.store.select(query, self.default_graphs)
        return [r[var] for r in rows]

    def claim_summary(self, c) -> dict:
        return self._summary(self.get_claim(c))

    @staticmethod
    def _summary(claim: dict) -> dict:
        return {k: claim[k] for k in ("id", "iri", "text", "claimant", "status", "date", "about", "sources")} | {
            "disputes": len([d for d in claim["disputes"] if not d["withdrawn"]])
        }

    def list_claims(self, *, status=None, party=None, claimant=None, about=None, source=None,
                    date_from=None, date_to=None, date=None, language=None, q=None,
                    limit: int = 20, offset: int = 0, facets: bool = False, use_index: bool = True) -> dict:
        """Claims newest first, filtered; with facet counts when asked.

        Answered from the claim index when the store has one; ``use_index=False``
        asks the store itself (the same answers, slower: a check of the index)."""
        filters = self._filters(status=status, party=party, claimant=claimant, about=about, source=source,
                                date_from=date_from, date_to=date_to, date=date, language=language, q=q)
        limit = max(1, min(int(limit), 500))
        offset = max(0, int(offset))
        iris, total = self._page(filters, limit, offset, use_index)
        out = {"claims": [self._summary(c) for c in self.get_claims(iris)], "total": total, "limit": limit, "offset": offset}
        if facets:
            out["facets"] = self._facets(filters, use_index)
        return out

    def _dated_rows(self, filters: dict) -> list:
        """The claim set with date filters, asked of the store without them and
        filtered here (as the claim index does), newest first."""
        _, rows = self.store.select(queries.claim_rows(filters), self.default_graphs)
        keep = []
        for r in rows:
            date = str(r["date"] or "")
            start, end = bounds(date)
            if filters.get("date_from") is not None and not end >= str(filters["date_from"]):
                continue
            if filters.get("date_to") is not None and not start <= str(filters["date_to"]):
                continue
            if filters.get("date") is not None and date[:7] != str(filters["date"]):
                continue
            keep.append(r)
        keep.sort(key=lambda r: str(r["c"]))
        keep.sort(key=lambda r: (str(r["date"] or ""), str(r["recorded"] or "")), reverse=True)
        return keep

    def claim_page(self, *, limit: int = 20, offset: int = 0, **filters) -> tuple[list[URIRef], int]:
        """The IRIs of one page of :meth:`list_claims` (newest first) and the total, without reading the claims."""
        return self._page(self._filters(**filters), max(1, min(int(limit), 500)), max(0, int(offset)))

    def _page(self, filters: dict, limit: int, offset: int, use_index: bool = True) -> tuple[list[URIRef], int]:
        if self.index is not None and use_index:
            iris, total = self.index.page(filters, limit, offset)
            return [URIRef(i) for i in iris], total
        if _dated(filters):
            rows = self._dated_rows(filters)
            return [r["c"] for r in rows[offset : offset + limit]], len(rows)
        _, rows = self.store.select(queries.claim_list(filters, limit, offset), self.default_graphs)
        _, count = self.store.select(queries.claim_count(filters), self.default_graphs)
        return [r["c"] for r in rows], int(count[0]["n"]) if count else 0

    def _filters(self, **f) -> dict:
        out = {}
        kinds = {"party": "agent", "claimant": "agent", "source": "source"}
        for k, v in f.items():
            if v in (None, ""):
                continue
            if k in kinds:
                out[k] = self.iri(kinds[k], v)
            elif k == "about":
                iri = self.iri("agent", v)
                if not (v.startswith("http") or self.store.triples(iri, RDF.type, None, self.current)):
                    iri = self.iri("topic", v)
                out[k] = iri
            elif k == "status":
                if v not in STATUS_ORDER:
                    raise KBError(f"unknown status {v!r} (expected one of: {', '.join(STATUS_ORDER)})")
                out[k] = Literal(v)
            elif k in ("date_from", "date_to"):
                v = str(v)
                if not (len(v) in (4, 7, 10) and v[:4].isdigit()):
                    raise KBError(f"{k} must be a date: YYYY-MM-DD, YYYY-MM or YYYY (got {v!r})")
                out[k] = Literal(_date_start(v) if k == "date_from" else v + "-12-31"[len(v) - 4:] if len(v) < 10 else v)
            elif k == "date":
                v = str(v)
                if not (len(v) in (4, 7) and v[:4].isdigit() and (len(v) == 4 or v[4] == "-" and v[5:].isdigit())):
                    raise KBError(f"date must be a month or a year: YYYY-MM or YYYY (got {v!r})")
                out[k] = Literal(v)
            elif k == "q":
                out[k] = Literal(unicodedata.normalize("NFC", str(v)).lower())
            else:
                out[k] = Literal(str(v).lower())
        return out

    def list_query(self, *, limit: int = 20, offset: int = 0, **filters) -> str:
        """The SPARQL text behind :meth:`list_claims` with these filters."""
        return queries.claim_list(self._filters(**filters), max(1, min(int(limit), 500)), max(0, int(offset)))

    def claim_query(self, ref) -> str:
        """A CONSTRUCT query giving one claim with its quote and disputes."""
        return queries.render(queries.CLAIM_GRAPH, claim=self.iri("claim", ref))

    def scheme_labels(self) -> dict:
        """``{"stance": {"denies": {"en": …, "ja": …}, …}, "status": {…}}`` from the vocabulary."""
        if self._scheme_labels is None:
            _, rows = self.store.select(queries.SCHEME_LABELS, self.default_graphs)
            out: dict = {"stance": {}, "status": {}}
            for r in rows:
                if r["scheme"] == KB.StanceScheme:
                    name, key = STANCE_NAMES.get(r["concept"]), "stance"
                else:
                    name, key = str(r["notation"]) if r["notation"] is not None else None, "status"
                if name:
                    out[key].setdefault(name, {})[r["label"].language or ""] = str(r["label"])
            self._scheme_labels = out
        return self._scheme_labels

    def claim_review(self, ref, *, url: str | None = None) -> dict:
        """schema.org ``Claim`` as JSON-LD for fact-checking tools, wrapped in a
        ``ClaimReview`` when the claim has a verdict (any status but reported)."""
        claim = ref if isinstance(ref, dict) else self.get_claim(ref)
        types = self._types([claim["claimant"]["iri"]] if claim["claimant"] else [])

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
            return {"@context": "https://schema.org", **item}
        labels = self.scheme_labels()["status"].get(claim["status"], {})
        live = [d for d in claim["disputes"] if not d["withdrawn"]]
        review = {
            "@context": "https://schema.org", "@type": "ClaimReview",
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

    def _types(self, iris) -> dict:
        return {i: o for i in iris for _, _, o in self.store.triples(URIRef(i), RDF.type, None, self.current)}

    def facets(self, filters: dict, *, use_index: bool = True) -> dict:
        """Facet counts of the claims these filters (list_claims' keywords) give."""
        return self._facets(self._filters(**filters), use_index)

    def _facets(self, filters: dict, use_index: bool = True) -> dict:
        if self.index is not None and use_index:
            counted = {name: [(URIRef(v) if v.startswith(("http://", "https://")) else Literal(v), n)
                              for v, n in rows[:FACET_LIMIT]] for name, rows in self.index.facets(filters).items()}
        elif _dated(filters):
            rows = self._dated_rows(filters)
            members = {r["c"] for r in rows}
            counted = {}
            for name in queries.FACET_PATTERNS:
                found: Counter = Counter()
                if name == "status":
                    found.update(r["status"] for r in rows)
                elif name == "date":
                    found.update(Literal(str(r["date"])[:7]) for r in rows if str(r["date"]))
                else:
                    _, values = self.store.select(queries.facet_rows(name, filters), self.default_graphs)
                    found.update(v["value"] for v in values if v["c"] in members)
                counted[name] = sorted(found.items(), key=lambda kv: (-kv[1], _order_key(kv[0])))[:FACET_LIMIT]
        else:
            counted = {}
            for name in queries.FACET_PATTERNS:
                _, rows = self.store.select(queries.facet(name, filters), self.default_graphs)
                pairs = [(r["value"], int(r["n"])) for r in rows]
                if name == "date":
                    pairs = [(Literal(v), n) for v, n in queries.facet_months(pairs)]
                counted[name] = pairs[:FACET_LIMIT]
        iris = [v for rows in counted.values() for v, _ in rows if isinstance(v, URIRef)]
        labels = self._labels(iris) if iris else {}
        return {name: [{"value": labels[v]["id"] if v in labels else str(v),
                        "label": labels[v]["name"] if v in labels else None, "count": n} for v, n in rows]
                for name, rows in counted.items()}

    def records(self, kind: str) -> list[dict]:
        """All agents, sources or topics (for pickers). Kept until the next write
        of a record of that kind (thousands of labels at 100,000 claims, asked for
        by every page with a picker; a claim or a dispute leaves them as they are);
        a server store, which other processes write, is asked each time. The
        embedded store has one writer, this process, so its own writes are all."""
        if not self.store.single_writer:
            return self._records(kind)
        key = (self._kind_writes[kind], kind)
        cached = self._records_cache.get(kind)
        if cached and cached[0] == key:
            return list(cached[1])
        out = self._records(kind)
        self._records_cache[kind] = (key, out)
        return list(out)

    def _records(self, kind: str) -> list[dict]:
        types = {"agent": [SDO.Person, SDO.Organization], "source": [SDO.NewsArticle, SDO.CreativeWork],
                 "topic": [SKOS.Concept]}[kind]
        iris = self._column(queries.records_of_types(types), "r")
        iris = [i for i in iris if str(i).startswith(self.minter.base) or kind != "topic"]
        labels = self._labels(iris)
        return sorted(labels.values(), key=lambda x: x["id"])

    def history(self, kind: str, ref) -> list[dict]:
        """Every version of a record: who, when, what, and the triples added and removed."""
        iri = self.iri(kind, ref)
        versions = self._versions(iri)
        if not versions:
            raise NotFound(f"there is no {kind} {self.local_id(iri)!r}")
        out, prev = [], set()
        for n, v in versions:
            meta = Graph()
            for t in self.store.triples(v, None, None, self.history_graph):
                meta.add(t)
            snap = set(self.store.triples(None, None, None, str(v)))
            by = meta.value(v, PROV.wasAttributedTo)
            out.append({
                "version": n, "iri": str(v),
                "action": str(meta.value(v, KB.action)),
                "at": str(meta.value(v, PROV.generatedAtTime)),
                "by": self.local_id(by).rsplit("/", 1)[-1] if by else None,
                "added": sorted(_fmt(t) for t in snap - prev),
                "removed": sorted(_fmt(t) for t in prev - snap),
            })
            prev = snap
        return out

    def version_graph(self, kind: str, ref, n: int) -> Graph:
        iri = self.iri(kind, ref)
        versions = dict(self._versions(iri))
        if n not in versions:
            raise NotFound(f"{kind} {self.local_id(iri)!r} has no version {n}")
        g = _bound_graph()
        for t in self.store.triples(None, None, None, str(versions[n])):
            g.add(t)
        return g

    def claim_graph(self, ref) -> Graph:
        """One claim as RDF: the claim, its quote, its disputes, and the labels of what they name."""
        c = self.iri("claim", ref)
        g = _bound_graph()
        triples = self._describe([c])
        if not triples:
            raise NotFound(f"there is no claim {self.local_id(c)!r}")
        disputes = [s for s, _, _ in self.store.triples(None, KB.disputes, c, self.current)]
        triples += self._describe(disputes)
        for t in triples:
            g.add(t)
        refs = {o for s, p, o in triples if isinstance(o, URIRef) and p not in (RDF.type, KB.stance, KB.quote, KB.disputes)}
        for s, p, o in self._describe(refs):
            if p in (RDF.type, SDO.name, SDO.headline, SKOS.prefLabel, RDFS.label, SDO.datePublished, SDO.publisher):
                g.add((s, p, o))
        return g

    def claims_graph(self, **filters) -> Graph:
        """The claims a list view shows (all pages), each as :meth:`claim_graph` gives it."""
        f = self._filters(**filters)
        if self.index is not None:
            iris = self.index.ordered(f)
        else:
            _, rows = self.store.select(queries.claim_list(f, 1_000_000, 0), self.default_graphs)
            iris = [r["c"] for r in rows]
        g = _bound_graph()
        for c in iris:
            g += self.claim_graph(c)
        return g

    def summary(self) -> dict:
        _, rows = self.store.select(queries.COUNTS, self.default_graphs)
        counts = {k: int(v) for k, v in rows[0].items()} if rows else {}
        _, by_party = self.store.select(queries.DISPUTES_BY_PARTY, self.default_graphs)
        labels = self._labels({r["party"] for r in by_party})
        parties = [
            {"party": labels[r["party"]]["id"], "name": labels[r["party"]]["name"],
             "stance": STANCE_NAMES.get(r["stance"]), "count": int(r["n"])}
            for r in by_party
        ]
        _, statuses = self.store.select(queries.STATUS_COUNTS, self.default_graphs)
        return {**counts, "disputes_by_party": parties, "statuses": {str(r["status"]): int(r["n"]) for r in statuses}}

    def query(self, text: str, bindings: dict | None = None, *, timeout: float | None = QUERY_TIMEOUT,
              row_limit: int | None = None) -> QueryResult:
        """A read-only SPARQL query over the current graph (plus the vocabulary).
        ``bindings`` fix the values of selected variables (SEP-0007).

        A query still running after ``timeout`` seconds is stopped and a
        KBError with status 503 raised (``None`` or 0: no limit; on the
        embedded store such a query then runs in this process, see
        :mod:`kb.stores.sandbox`). With ``row_limit``, at most that many rows (or
        triples) come back and ``partial`` tells whether there were more."""
        checked = check_query(text, allowed_graphs=set(self.default_graphs) | {self.history_graph})
        binds = None
        if bindings:
            binds = {k.lstrip("?$"): v if isinstance(v, (URIRef, Literal)) else Literal(v)
                     for k, v in bindings.items()}
        try:
            res = self.store.raw_query(checked.text, self.default_graphs, form=checked.form, bindings=binds,
                                       timeout=timeout, row_limit=row_limit)
        except SyntaxError as e:
            raise QueryError(f"the query is malformed: {e}") from e
        except RuntimeError as e:
            raise QueryError(f"the query could not run: {e}") from e
        if checked.form == "ask":
            return QueryResult("ask", boolean=bool(res.boolean))
        if checked.form in ("construct", "describe"):
            g = _bound_graph()
            for t in res.triples:
                g.add(t)
            return QueryResult(checked.form, graph=g, partial=res.partial, row_limit=row_limit)
        return QueryResult("select", variables=res.variables, rows=res.rows, partial=res.partial,
                           row_limit=row_limit)

    def export(self, out, fmt: str = "turtle") -> None:
        """Stream the knowledge base: the current graph (Turtle, N-Triples,
        JSON-LD) or the whole dataset with history (TriG, N-Quads)."""
        if fmt not in ("turtle", "trig", "nt", "nq", "jsonld"):
            raise KBError(f"unknown export format {fmt!r} (expected turtle, trig, jsonld, nt or nq)")
        graph = None if fmt in ("trig", "nq") else self.current
        if graph is None:
            # the vocabulary, the store's write counter and the writers' claims are this store's own, not content;
            # a server may hold other graphs too (Virtuoso's own, other applications'): only ours, under the base
            base = self.minter.base
            quads = (q for q in self.store.quads()
                     if q[3].startswith(base) and q[3] != self.locks_graph and q[1] != KB.generation)
            from .stores import to_ox

            ox.serialize(
                (ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(g)) for s, p, o, g in quads),
                out, RDF_FORMATS[fmt], **({"prefixes": PREFIXES} if fmt == "trig" else {}))
            return
        self.store.dump(out, fmt, graph)

    def validate_store(self) -> Report:
        """The whole current graph against the shapes (batch use); the shapes
        themselves are first checked against SHACL-SHACL."""
        load_shapes(meta_check=True)
        g = Graph()
        for s, p, o, _ in self.store.quads(self.current):
            g.add((s, p, o))
        focus = set(g.subjects())
        return Report(check(g, focus, self.minter, self.shapes))

    def backup(self, target) -> dict:
        """Back up this embedded store to the new folder ``target`` (see :mod:`kb.backup`);
        writes wait while the checkpoint is taken. Returns the backup's manifest."""
        with self._write_lock:
            return self.store.backup_to(target)


def _nfc(term):
    """Literals are stored in Unicode NFC, so the same text is stored once."""
    if isinstance(term, Literal):
        text = str(term)
        norm = unicodedata.normalize("NFC", text)
        if norm != text:
            return Literal(norm, lang=term.language, datatype=term.datatype)
    return term


def _fmt(t) -> str:
    return " ".join(x.n3() for x in t)


def _bound_graph() -> Graph:
    g = Graph()
    for k, v in PREFIXES.items():
        g.bind(k, v)
    return g


def _effective(d) -> str:
    return _date_start(d.get("effective_date") or (d.get("recorded_at") or "")[:10])


def derive_status(claim: dict, as_of: str | None = None) -> str:
    """reported / disputed / confirmed / retracted, from the disputes known by ``as_of``."""
    claimant = (claim.get("claimant") or {}).get("iri")
    limit = None
    if as_of:
        v = str(as_of)
        limit = v + "-12-31"[len(v) - 4:] if len(v) < 10 else v
    stances = set()
    for d in claim["disputes"]:
        if d.get("withdrawn"):
            continue
        if limit and _effective(d) > limit:
            continue
        party = (d.get("party") or {}).get("iri")
        if d["stance"] == "retracts":
            if party == claimant:
                stances.add("retracted")
        elif d["stance"] in ("denies", "disputes"):
            stances.add("disputed")
        elif d["stance"] == "confirms":
            stances.add("confirmed")
    for s in ("retracted", "disputed", "confirmed"):
        if s in stances:
            return s
    return "reported"


def status_timeline(claim: dict) -> list[dict]:
    """How the derived status changed, date by date."""
    given: dict = {}  # first day -> the date as the sources give it (a month stays a month)
    for d in claim["disputes"]:
        if not d.get("withdrawn") and _effective(d):
            given.setdefault(_effective(d), d.get("effective_date") or (d.get("recorded_at") or "")[:10])
    last = "reported"
    out = [{"date": claim.get("date"), "as_given": claim.get("date"), "status": "reported"}]
    for day in sorted(given):
        s = derive_status(claim, day)
        if s != last:
            out.append({"date": day, "as_given": given[day], "status": s})
            last = s
    return out


def open_kb(store: str | Store | None = None, *, base: str | None = None,
            update_endpoint: str | None = None) -> KnowledgeBase:
    """Open a knowledge base: a folder (embedded store, created if missing),
    ``:memory:``, or a SPARQL server's query URL."""
    if not isinstance(store, Store):
        store = open_store(store, update_endpoint=update_endpoint, prefixes=PREFIXES)
    return KnowledgeBase(store, base=base)
