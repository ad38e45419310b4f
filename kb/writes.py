"""Every write: validated against the shapes, committed as one atomic update,
with a new version of each changed record kept readable for ever.

The commit protocol (:func:`commit`) plans the quads a write deletes and
inserts, guards them against other writers, applies them, and keeps the claim
index in step; the domain writes (:func:`add_claim`, :func:`add_dispute`,
:func:`withdraw`, :func:`restore`) build records and hand them to it.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from . import changelog, indexer, queries, quotes
from .errors import Conflict, InvalidData, KBError, NotFound, Problem
from .ids import content_id, slugify
from .model import Record, analyst_triples, build_one, build_records
from .namespaces import KB, SDO, WRITE_RESERVATION
from .reads import history
from .validation import check, owner
from .validation import engine as chosen_engine

PROV_PREDICATES = {PROV.wasAttributedTo, PROV.generatedAtTime}
# records validated together in a bulk import: pySHACL slows on larger graphs; pyshacl-turbo does not,
# and a larger chunk reads the records the chunk refers to (its context) from the store fewer times
CHUNK = {"pyshacl": 400, "turbo": 2000}
COMMIT_ATTEMPTS = 30  # a write that lost a race with another process is planned again this many times,
# after a random pause that grows with each loss
RESERVE_WAIT = 60.0  # seconds a write waits for other writers' reservations of the same records
RESERVE_LEASE = 120.0  # seconds after which a reservation is taken to be left by a writer that died
# Review before publication (kb.review): while a drafting context is set, a write to the dataset it takes is
# checked as any write (quotes, shapes) and then handed to it, to be kept as a draft instead of applied
DRAFTING: ContextVar = ContextVar("claimkb_drafting", default=None)


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


def now() -> Literal:
    return Literal(dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)


def content(triples) -> set:
    """A record's triples without its provenance (two versions with the same content are the same)."""
    return {t for t in triples if t[1] not in PROV_PREDICATES}


# ---- validation -------------------------------------------------------------------
def _context(data, records: list[Record], pending: dict) -> set:
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
    ctx |= set(data.describe(from_store))
    seconds = {o for _, p, o in ctx if isinstance(o, URIRef) and p not in (RDF.type, KB.stance)}
    for o in seconds:
        if o in pending:
            ctx |= {t for t in pending[o].triples if t[1] == RDF.type}
        else:
            ctx |= set(data.store.triples(o, RDF.type, None, data.current))
    return ctx


def validate(data, records: list[Record], pending: dict, progress=None, engine: str = "pyshacl") -> list[Problem]:
    """The problems the shapes find in these records, seen with what they refer to.
    ``progress(records done, records, claims done)`` is called after each chunk."""
    problems, claims, size = [], 0, CHUNK[engine]
    for i in range(0, len(records), size):
        chunk = records[i : i + size]
        triples = set().union(*(r.triples for r in chunk))
        focus = {t[0] for t in triples}
        triples |= _context(data, chunk, pending)
        problems += check(triples, focus, data.minter, data.shapes, engine=engine)
        if progress:
            claims += sum(r.kind == "claim" for r in chunk)
            progress(min(i + size, len(records)), len(records), claims)
    problems.sort(key=lambda p: (p.record or "", p.field or "", p.message))  # one order, however chunked
    return problems


# ---- the commit protocol --------------------------------------------------------------
def _with_provenance(data, rec: Record, by: str, when: Literal) -> bool:
    """Attribute the record to ``by`` unless it comes with its own provenance."""
    has_prov = any(p in PROV_PREDICATES for s, p, o in rec.triples if s == rec.iri)
    if not has_prov:
        rec.triples.add((rec.iri, PROV.wasAttributedTo, data.minter.analyst(by)))
        rec.triples.add((rec.iri, PROV.generatedAtTime, when))
    return not has_prov


def commit(data, records: list[Record], by: str, *, action: str | None = None, expected: dict | None = None,
           progress=None, history_quads=(), result=None, validated: bool = True,
           engine: str | None = None) -> ImportResult:
    """Validate and write ``records`` as one update; ``expected``: {record IRI: the
    version an edit was made from} (Conflict when the record is at another).

    Several processes may write one server store at once, and a server need not
    make a conditional update serialisable, so:

    1. Each write numbers the versions it creates from what it read (latest + 1);
       version numbers only ever grow by one, so "N+1 does not exist" at write
       time means "nobody wrote this record since I read version N".
    2. On a store with other writers, the write first reserves those version
       IRIs (:func:`reserve`), so at most one writer at a time sends an update
       creating a given version.
    3. The update applies only if none of those versions exists yet (the guard),
       and every version names the write that made it (a fresh activity), so
       reading them back tells whether this write landed. A write that lost is
       planned again from fresh reads; an edit from an expected version then
       fails with Conflict (409)."""
    result = result or ImportResult()
    by = by or "anonymous"
    when = now()
    with data.write_lock:
        pending = {r.iri: r for r in records}
        fresh = {r.iri for r in records if _with_provenance(data, r, by, when)}
        # quotes are checked against their source's text (a withdrawal or a restore keeps them as they were)
        problems = quotes.verify(data, records, pending) if action is None else []
        problems += validate(data, records, pending, progress, chosen_engine(engine)) if validated else []
        if problems:
            raise InvalidData(problems)
        drafting = DRAFTING.get()
        if drafting is not None and drafting.takes(data):
            drafting.store(records, by, action=action, expected=expected, fresh=fresh)
            return result
        for tried in range(COMMIT_ATTEMPTS):
            if tried:
                time.sleep(random.uniform(0, 0.01 * min(tried, 10)))
            attempt = ImportResult()
            token = URIRef(f"urn:uuid:{uuid.uuid4()}")
            deletes, inserts, guarded, changed = _plan(data, records, by, when, action, expected, fresh,
                                                       history_quads, attempt, token)
            if guarded:
                inserts.append((token, RDF.type, PROV.Activity, data.history_graph))
            entry = None
            if not data.store.single_writer and (changed or inserts) and data.logged:
                # the store's change log, which other workers' claim indexes follow (kb.changelog)
                noted = changed or [(r, set()) for r in records]  # (current triples put back: rows may change)
                entry, logged = changelog.entry(data, noted, when, token)
                guarded.append(entry)
                inserts += logged
            if data.store.single_writer and (changed or inserts):
                # the write counter the claim index and the kept values check
                h = URIRef(data.history_graph)
                counters = data.counter_values()
                deletes += [(h, KB.generation, o, data.history_graph) for o in counters]  # (all: see Dataset.generation)
                inserts.append((h, KB.generation, Literal(max((int(o) for o in counters), default=0) + 1),
                                data.history_graph))
            guard = (data.history_graph, guarded) if guarded else None
            reservation = reserve(data, guarded) if guarded and not data.store.single_writer else []
            try:
                landed = data.store.apply(deletes, inserts, guard=guard)
                if landed is None:
                    landed = _landed(data, guarded, token)
            finally:
                if reservation:
                    data.store.apply(reservation, [])
            if landed:
                data.wrote({r.kind for r in records})
                if entry is not None and data.replica is not None:
                    data.replica.wrote(changelog.landed(data, entry), noted)
                elif entry is not None:
                    changelog.landed(data, entry)
                elif data.index is not None and (changed or inserts):
                    indexer.follow(data, changed)
                for name in ("created", "updated", "unchanged"):
                    getattr(result, name).update(getattr(attempt, name))
                return result
        raise Conflict("the records kept being changed by other writers while this write was tried; "
                       "nothing was written, try again")


def reserve(data, versions: list) -> list:
    """Reserve the version IRIs a write is about to create, against other
    processes writing the same server store; returns the reservation's quads
    (to delete when the write is done).

    A reservation is inserted, then all reservations of those versions are read
    back. Writes and reads are atomic and see each other in order, so of two
    writers that reserve at once at least one sees the other's: a writer that
    sees only its own goes on, one that sees another withdraws and tries again
    a moment later (both may withdraw; neither goes on while another holds a
    reservation). Reservations older than RESERVE_LEASE seconds (a writer that
    died) are ignored and removed."""
    graph = data.locks_graph
    query = queries.reservations(graph, versions)
    deadline = time.monotonic() + RESERVE_WAIT
    while True:
        me = URIRef(f"urn:uuid:{uuid.uuid4()}")
        started = dt.datetime.now(dt.UTC)
        quads = [(v, WRITE_RESERVATION, me, graph) for v in versions]
        quads.append((me, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime), graph))
        data.store.apply([], quads)
        _, rows = data.store.select(query, [])
        live, stale = set(), []
        for r in rows:
            if r["w"] == me:
                continue
            at = r["at"].toPython() if r["at"] is not None else None
            if isinstance(at, dt.datetime) and at.tzinfo and (started - at).total_seconds() > RESERVE_LEASE:
                stale += [(r["v"], WRITE_RESERVATION, r["w"], graph), (r["w"], PROV.startedAtTime, r["at"], graph)]
            else:
                live.add(r["w"])
        if not live:
            if stale:
                data.store.apply(stale, [])
            return quads
        data.store.apply(quads, [])
        if time.monotonic() > deadline:
            raise KBError("the store is busy: other writers kept changing the same records; "
                          "nothing was written, try again", status=503)
        time.sleep(random.uniform(0.005, 0.05))


def _plan(data, records, by, when, action, expected, fresh, history_quads, result, token):
    """The quads one write deletes and inserts, the version IRIs it creates,
    and the changed records with their current triples."""
    deletes, inserts = [], [(s, p, o, g) for s, p, o, g in history_quads]
    guarded, changed = [], []
    analyst_added = False
    read = _read_records(data, records)
    for rec in records:
        versions, current, latest = read[rec.iri]
        same = bool(latest) and content(latest) == content(rec.triples)
        if expected and rec.iri in expected:
            _check_expected(data, rec, versions, same, expected[rec.iri])
        if same:
            result.unchanged[rec.kind] += 1
            if current != latest and not current:
                inserts += [(s, p, o, data.current) for s, p, o in latest]
            continue
        n = (versions[-1][0] if versions else 0) + 1
        v = data.minter.version(rec.iri, n)
        guarded.append(v)
        act = action or ("created" if not versions and not current else "updated")
        (result.created if act == "created" else result.updated)[rec.kind] += 1
        changed.append((rec, current))
        deletes += [(s, p, o, data.current) for s, p, o in current]
        inserts += [(s, p, o, data.current) for s, p, o in rec.triples]
        inserts += [(s, p, o, str(v)) for s, p, o in rec.triples]
        meta = [
            (v, RDF.type, KB.Version), (v, RDF.type, PROV.Entity), (v, KB.versionOf, rec.iri),
            (v, KB.versionNumber, Literal(n)), (v, KB.action, Literal(act)),
            (v, PROV.generatedAtTime, when), (v, PROV.wasAttributedTo, data.minter.analyst(by)),
            (v, PROV.wasGeneratedBy, token),
        ]
        if versions:
            meta.append((v, PROV.wasRevisionOf, versions[-1][1]))
        inserts += [(s, p, o, data.history_graph) for s, p, o in meta]
        if not analyst_added and (rec.iri in fresh or act != "created"):
            analyst_added = True
            inserts += [(s, p, o, data.current) for s, p, o in analyst_triples(data.minter, by)]
    return deletes, inserts, guarded, changed


def _read_records(data, records: list[Record]) -> dict:
    """``{record IRI: (its versions [(number, IRI)] oldest first, its current triples with its fragments',
    its latest version's triples)}`` of every record, read together: on a server store a few requests per
    500 records, where a record at a time sent two or three (a 2,000-claim import sent ~7,700 requests)."""
    iris = list(dict.fromkeys(r.iri for r in records))
    versions = data.versions_of(iris)
    current: dict = {i: set() for i in iris}
    for t in data.describe(iris):  # (a fragment's triples, …#quote, are its owner's)
        current[t[0] if t[0] in current else owner(t[0])].add(t)
    latest = {i: str(vs[-1][1]) for i, vs in versions.items() if vs}
    snapshots = data.store.graphs(list(latest.values())) if latest else {}
    return {i: (versions[i], current[i], set(snapshots[latest[i]]) if i in latest else set()) for i in iris}


def check_versions(data, records: list[Record], expected: dict | None) -> dict:
    """{record IRI: its latest version number (0: none)}; Conflict (409) as :func:`commit` gives it
    when ``expected`` names another version than the latest (a draft checks this when it is made)."""
    out, every = {}, data.versions_of([rec.iri for rec in records])
    for rec in records:
        versions = every[rec.iri]
        if expected and rec.iri in expected:
            latest = set(data.store.triples(None, None, None, str(versions[-1][1]))) if versions else set()
            _check_expected(data, rec, versions, bool(latest) and content(latest) == content(rec.triples),
                            expected[rec.iri])
        out[rec.iri] = versions[-1][0] if versions else 0
    return out


def _check_expected(data, rec: Record, versions: list, same: bool, expected: int) -> None:
    """Conflict (409) when an edit was made from another version than the latest."""
    latest_n = versions[-1][0] if versions else 0
    if expected == 0 and latest_n and not same:
        raise Conflict(
            f"{rec.kind} {rec.local_id!r} already exists (version {latest_n}); to change it, "
            "edit it from the version you read; nothing was written",
            expected=0, current=latest_n, changes=history(data, rec.kind, rec.iri))
    if expected != latest_n and expected != 0:
        since = [h for h in history(data, rec.kind, rec.iri) if h["version"] > expected] if versions else []
        who = ", ".join(dict.fromkeys(f"{h['by']} ({h['at']})" for h in since))
        raise Conflict(
            f"{rec.kind} {rec.local_id!r} was changed by someone else "
            f"(you edited version {expected}, it is now at version {latest_n}"
            f"{'; changed by ' + who if who else ''}); nothing was written",
            expected=expected, current=latest_n, changes=since)


def _landed(data, versions: list, token: URIRef) -> bool:
    """Read back which write made each of ``versions``: True if this one
    (``token``) made them all, False if it made none (another write won)."""
    ours = theirs = 0
    for i in range(0, len(versions), 500):
        _, rows = data.store.select(queries.version_makers(data.history_graph, versions[i : i + 500]), [])
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


# ---- domain writes ----------------------------------------------------------------------
def new_id(data, kind: str, names: dict) -> str:
    """A fresh local id for a new record named ``names`` (language -> text)."""
    names = {k: v for k, v in (names or {}).items() if v}
    first = str(names.get("en") or next(iter(names.values()), ""))
    base = slugify(first) or f"{kind}-{content_id(first)}"
    rid, n = base, 1
    while data.describe([data.minter.iri(kind, rid)]):
        n += 1
        rid = f"{base}-{n}"
    return rid


# the fields of a claim or a dispute that may hold a new record instead of a reference to one
NESTED = {"claimant": ("agents", "agent", "name"), "party": ("agents", "agent", "name"),
          "sources": ("sources", "source", "headline")}


def _unnest(data, record: dict, new: dict | None) -> tuple[dict, dict, dict]:
    """A claim or dispute record whose ``claimant``/``party`` or ``sources`` hold new
    records (mappings without ids) -> the record naming them by fresh ids, the new
    records by section, and {new id: the field that held it}."""
    new = {k: list(v) for k, v in (new or {}).items()} if isinstance(new, dict) else new
    if not isinstance(record, dict):
        return record, new, {}
    record, held = dict(record), {}
    taken: set = set()

    def mint(fld, rec):
        section, kind, name_key = NESTED[fld]
        names = rec.get(name_key) if isinstance(rec.get(name_key), dict) else {}
        rid = rec.get("id") or new_id(data, kind, names)
        while rid in taken:
            rid = f"{rid}-{len(taken) + 1}"
        taken.add(rid)
        new.setdefault(section, []).append({**rec, "id": rid})
        held[rid] = fld
        return rid

    for fld in NESTED:
        value = record.get(fld)
        if isinstance(value, dict):
            new = new if isinstance(new, dict) else {}
            record[fld] = mint(fld, value)
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            new = new if isinstance(new, dict) else {}
            record[fld] = [mint(fld, v) if isinstance(v, dict) else v for v in value]
    if held and isinstance(record.get("quote"), dict) and record["quote"].get("source") is None \
            and isinstance(record.get("sources"), list) and record["sources"]:
        record["quote"] = {**record["quote"], "source": record["sources"][0]}
    return record, new, held


def _held_problems(problems: list[Problem], held: dict) -> list[Problem]:
    """Problems of new records given inside a claim or dispute, named by the field that held them."""
    out = []
    for p in problems:
        if p.record in held and p.kind != "claim" and p.kind != "dispute":
            out.append(Problem(p.message, record=p.record, field=f"{held[p.record]}.{p.field or 'id'}",
                               value=p.value, kind=p.kind))
        else:
            out.append(p)
    return out


def _new_records(data, new: dict | None) -> list[Record]:
    """Agents, topics and sources created along with a claim or dispute: all new."""
    if not new:
        return []
    if not isinstance(new, dict) or set(new) - {"agents", "topics", "sources"}:
        raise KBError("new records must be a mapping with the sections agents, topics and sources")
    records, problems = build_records(new, data.minter, data.known_kind)
    problems += [Problem(f"a {r.kind} with this id already exists; choose it instead of adding it again",
                         record=r.local_id, field="id", kind=r.kind)
                 for r in records if data.describe([r.iri])]
    if problems:
        raise InvalidData(problems)
    return records


def add_record(data, kind: str, record: dict, *, by: str, expected_version: int | None = None) -> URIRef:
    """Record (or update) one record of a kind; its IRI."""
    rec, problems = build_one(kind, record, data.minter, data.known_kind)
    if problems or rec is None:
        raise InvalidData(problems or [Problem("the record is empty")])
    expected = {rec.iri: expected_version} if expected_version is not None else None
    commit(data, [rec], by, expected=expected)
    return rec.iri


def add_claim(data, record: dict, *, by: str, expected_version: int | None = None, new: dict | None = None) -> URIRef:
    """Record (or update) a claim, with its nested ``disputes``; its IRI.

    ``expected_version``: the version an edit was made from (Conflict, 409, when
    the claim is at another); 0 records a new claim and refuses to change one that
    exists (sending the same record again changes nothing and is accepted).

    New agents, topics and sources written with it, accepted or refused together
    with the claim: in ``new`` (``{"agents": [...], "sources": [...]}``, as in a
    YAML import), or in the claim's own ``claimant`` and ``sources`` as records
    without ids (``{"type": "Person", "name": {...}}``): their ids are minted from
    their names, and their problems come back under the field that held them."""
    record, new, held = _unnest(data, record, new)
    try:
        extra = _new_records(data, new)
        if extra or (isinstance(record, dict) and record.get("disputes")):
            records, problems = build_records({**(new or {}), "claims": [record]}, data.minter, data.known_kind)
            if problems:
                raise InvalidData(problems)
            claim = next(r for r in records if r.kind == "claim")
            commit(data, records, by, expected={claim.iri: expected_version} if expected_version is not None else None)
            return claim.iri
        return add_record(data, "claim", record, by=by, expected_version=expected_version)
    except InvalidData as e:
        raise InvalidData(_held_problems(e.problems, held)) from None


def add_dispute(data, claim: str, record: dict, *, by: str, new: dict | None = None) -> URIRef:
    """Record a party's stance on a claim; the claim's IRI. ``new`` and new records
    in ``party`` and ``sources`` as for :func:`add_claim`."""
    claim_iri = data.iri("claim", claim)
    if not data.store.triples(claim_iri, RDF.type, SDO.Claim, data.current):
        raise NotFound(f"there is no claim {data.local_id(claim_iri)!r}")
    record, new, held = _unnest(data, record, new)
    try:
        extra = _new_records(data, new)
        record, counter = _counter_claim(data, record, claim_iri, extra)
        extra += counter
        local = {r.local_id: r.kind for r in extra}

        def known(local_id, kinds):
            return local[local_id] if local.get(local_id) in kinds else data.known_kind(local_id, kinds)

        rec, problems = build_one("dispute", record, data.minter, known, claim=claim_iri)
        if problems or rec is None:
            raise InvalidData(problems or [Problem("the dispute is empty")])
        commit(data, extra + [rec], by)
    except InvalidData as e:
        raise InvalidData(_held_problems(e.problems, held)) from None
    return claim_iri


def _counter_claim(data, record, claim_iri, extra: list[Record]) -> tuple[dict, list[Record]]:
    """A dispute's ``counter_claim`` given as a claim record (a mapping without an id): a new claim,
    written with the dispute, that the dispute names. By default it is the party's, in the dispute's
    sources and on its date, about what the disputed claim is about."""
    counter = record.get("counter_claim") if isinstance(record, dict) else None
    if not isinstance(counter, dict):
        return record, []
    disputed = data.graph_of([claim_iri])
    defaults = {"claimant": record.get("party"), "sources": record.get("sources"), "date": record.get("date"),
                "about": [data.local_id(o) for o in disputed.objects(claim_iri, SDO.about)]}
    counter = {**{k: v for k, v in defaults.items() if v}, **counter}
    names = counter.get("text") if isinstance(counter.get("text"), dict) else {}
    counter.setdefault("id", new_id(data, "claim", names))
    local = {r.local_id: r.kind for r in extra}
    rec, problems = build_one("claim", counter, data.minter,
                              lambda i, kinds: local[i] if local.get(i) in kinds else data.known_kind(i, kinds))
    if problems or rec is None:
        raise InvalidData([Problem(p.message, record=p.record, field=f"counter_claim.{p.field or 'id'}",
                                   value=p.value, kind="claim") for p in problems]
                          or [Problem("the counter-claim is empty", field="counter_claim")])
    if data.describe([rec.iri]):
        raise InvalidData([Problem("a claim with this id already exists; name it as the counter-claim instead",
                                   record=rec.local_id, field="counter_claim.id", kind="claim")])
    return {**record, "counter_claim": rec.local_id}, [rec]


def withdraw(data, kind: str, ref: str, *, by: str, reason: str | None = None) -> URIRef:
    """Withdraw a record: it stays readable, with its history, but no longer counts."""
    iri = data.iri(kind, ref)
    triples = set(data.describe([iri]))
    if not triples:
        raise NotFound(f"there is no {kind} {data.local_id(iri)!r}")
    if any(p == KB.withdrawn for _, p, _ in triples):
        raise Conflict(f"{kind} {data.local_id(iri)!r} is already withdrawn")
    triples = content(triples)
    triples.add((iri, KB.withdrawn, now()))
    if reason:
        triples.add((iri, KB.withdrawnReason, Literal(reason)))
    commit(data, [Record(iri, kind, triples, data.local_id(iri))], by, action="withdrawn")
    return iri


def restore(data, kind: str, ref: str, version: int, *, by: str) -> URIRef:
    """Make an earlier version current again (itself a new version)."""
    iri = data.iri(kind, ref)
    versions = dict(data.versions(iri))
    if version not in versions:
        raise NotFound(f"{kind} {data.local_id(iri)!r} has no version {version}")
    triples = content(data.store.triples(None, None, None, str(versions[version])))
    commit(data, [Record(iri, kind, triples, data.local_id(iri))], by, action="restored")
    return iri


__all__ = ["ImportResult", "DRAFTING", "check_versions", "commit", "reserve", "validate", "new_id", "add_record", "add_claim", "add_dispute", "withdraw",
           "restore"]
