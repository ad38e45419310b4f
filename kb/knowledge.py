"""The knowledge base as the app and the command line see it: one facade over
the library's rooms, and :func:`open_kb`.

Each method is a thin call into the room that owns the rule: writes
(:mod:`kb.writes`), imports (:mod:`kb.imports`), reads (:mod:`kb.reads`), the
claim list (:mod:`kb.listing`, :mod:`kb.filters`), users' SPARQL
(:mod:`kb.sparql`) and schema.org JSON-LD (:mod:`kb.claimreview`), all sharing
one :class:`kb.dataset.Dataset`.
"""

from __future__ import annotations

from rdflib import Graph

from . import claimreview, entities, export, imports, indexer, listing, reads, replica, writes
from .analysis import Relations, Verdicts
from .changes import Changes
from .comments import Comments
from .dataset import Dataset
from .errors import Report
from .namespaces import PREFIXES
from .queries import CLAIM_GRAPH, render
from .review import Review
from .sources import Sources
from .sparql import QUERY_TIMEOUT, QueryResult, run_query
from .status import derive_status, status_timeline
from .stores import Store, open_store
from .validation import ValidationGraph, check, load_shapes
from .writes import ImportResult

EXPORT_FORMATS = export.FORMATS


class KnowledgeBase:
    """Open with :func:`open_kb`. Every write is validated against the shapes
    and committed as one atomic update, with a new version of each changed
    record kept readable for ever."""

    def __init__(self, store: Store, base: str | None = None, *, index_dir=None):
        """``index_dir``: a folder of this process's own for a server store's claim index
        replica (:mod:`kb.replica`); without one, a server store's list is asked in SPARQL."""
        self.data = Dataset(store, base)
        self.store, self.minter = store, self.data.minter
        self.current, self.history_graph = self.data.current, self.data.history_graph
        self.locks_graph, self.default_graphs = self.data.locks_graph, self.data.default_graphs
        indexer.open_index(self.data)
        replica.attach(self.data, index_dir)
        self.sources = Sources(self.data)  # sources' texts: capture, re-capture, the reader (kb.sources)
        # analysts' conclusions, each a room of its own: kb.verdicts.add(...), kb.relations.add(...)
        self.verdicts, self.relations = Verdicts(self.data), Relations(self.data)
        self.reviews = claimreview.ClaimReviews(self.data)  # schema.org ClaimReview out (the feed) and in
        self.comments = Comments(self.data)  # analysts' comments on claims, never public (kb.comments)
        self.changes = Changes(self.data)  # what changed in followed records, from the history (kb.changes)
        # drafts kept beside the published graph until another analyst approves them (kb.review)
        self.review = Review(self.data)
        # graphs no public read (users' SPARQL, the exports) reaches: the comments' and the drafts'
        self.private_graph = lambda graph: self.comments.private_graph(graph) or self.review.private_graph(graph)
        self.exports = export.Exports(self.data, self.private_graph)  # kept between writes (kb.export)

    @property
    def index(self):
        """The claim index (SQLite), or None when the store keeps none or it had to step aside."""
        return self.data.index

    def close(self):
        self.exports.close()
        self.data.close()

    def reindex(self, claims=None) -> None:
        """Rebuild the claim index (all of it, or the rows of ``claims``) from the store."""
        indexer.rebuild(self.data, claims)

    def iri(self, kind: str, ref):
        """A local id or a full IRI -> IRI."""
        return self.data.iri(kind, ref)

    def local_id(self, iri) -> str:
        return self.data.local_id(iri)

    # ---- writes ----------------------------------------------------------------------
    def import_data(self, doc, *, by: str, progress=None, validator: str | None = None) -> ImportResult:
        """A YAML-shaped document {agents, topics, sources, claims}: all or nothing. ``validator``:
        ``pyshacl`` or ``turbo`` (default: ``CLAIMKB_VALIDATOR``, else turbo; see kb.validation)."""
        return imports.import_data(self.data, doc, by=by, progress=progress, validator=validator)

    def import_yaml(self, text: bytes | str, *, by: str, name: str = "input", progress=None,
                    folder=None, validator: str | None = None) -> ImportResult:
        """``folder``: where a source's ``text_file`` is read from (a YAML file's folder; None: not at all)."""
        return imports.import_yaml(self.data, text, by=by, name=name, progress=progress, folder=folder,
                                   validator=validator)

    def import_rdf(self, raw: bytes, fmt: str, *, by: str, name: str = "input", progress=None,
                   validator: str | None = None) -> ImportResult:
        """Turtle, TriG, N-Triples, N-Quads or JSON-LD, all or nothing."""
        return imports.import_rdf(self.data, raw, fmt, by=by, name=name, progress=progress, validator=validator)

    def add_record(self, kind: str, record: dict, *, by: str, expected_version: int | None = None) -> dict:
        iri = writes.add_record(self.data, kind, record, by=by, expected_version=expected_version)
        return self.review.made() or self.get(kind, iri)

    def add_claim(self, record: dict, *, by: str, expected_version: int | None = None,
                  new: dict | None = None) -> dict:
        """Record (or update) a claim, with what it names that is new (see :func:`kb.writes.add_claim`)."""
        iri = writes.add_claim(self.data, record, by=by, expected_version=expected_version, new=new)
        return self.review.made() or self.get_claim(iri)

    def add_dispute(self, claim: str, record: dict, *, by: str, new: dict | None = None) -> dict:
        """Record a party's stance on a claim; the claim as it now stands."""
        iri = writes.add_dispute(self.data, claim, record, by=by, new=new)
        return self.review.made() or self.get_claim(iri)

    def new_id(self, kind: str, names: dict) -> str:
        """A fresh local id for a new record named ``names`` (language -> text)."""
        return writes.new_id(self.data, kind, names)

    def withdraw(self, kind: str, ref: str, *, by: str, reason: str | None = None) -> dict:
        """Withdraw a record: it stays readable, with its history, but no longer counts."""
        iri = writes.withdraw(self.data, kind, ref, by=by, reason=reason)
        return self.review.made() or self.get(kind, iri)

    def restore(self, kind: str, ref: str, version: int, *, by: str) -> dict:
        """Make an earlier version current again (itself a new version)."""
        iri = writes.restore(self.data, kind, ref, version, by=by)
        return self.review.made() or self.get(kind, iri)

    # ---- records -------------------------------------------------------------------------
    def get_claim(self, ref, *, as_of: str | None = None) -> dict:
        """A claim with its disputes, sources, quote, provenance and derived status."""
        return reads.get_claims(self.data, [ref], as_of=as_of)[0]

    def get_claims(self, refs, *, as_of: str | None = None) -> list[dict]:
        """:meth:`get_claim` for several claims, read together."""
        return reads.get_claims(self.data, refs, as_of=as_of)

    def get(self, kind: str, ref) -> dict:
        return reads.get(self.data, kind, ref)

    def claim_summary(self, ref) -> dict:
        return reads.summary_of(self.get_claim(ref))

    def agent_story(self, ref, *, limit: int | None = entities.STORY_PAGE) -> dict:
        """What an agent claimed, what is claimed about it, and what it disputed: the newest ``limit`` of
        each (all with ``None``), and how many there are (``claims_total``, ``about_total``, ``disputes_total``)."""
        return entities.agent_story(self.data, ref, limit=limit)

    def topic_story(self, ref, *, limit: int | None = entities.STORY_PAGE) -> dict:
        return entities.topic_story(self.data, ref, limit=limit)

    def source_story(self, ref, *, limit: int | None = entities.STORY_PAGE) -> dict:
        return entities.source_story(self.data, ref, limit=limit)

    def records(self, kind: str) -> list[dict]:
        """All agents, sources or topics (for pickers)."""
        return reads.records(self.data, kind)

    def scheme_labels(self) -> dict:
        """``{"stance": {"denies": {"en": …, "ja": …}, …}, "status": {…}}`` from the vocabulary."""
        return reads.scheme_labels(self.data)

    def concept_labels(self) -> dict:
        """``{IRI: {"en": …, "ja": …}}`` of the stance and status concepts (for showing query results)."""
        return reads.concept_labels(self.data)

    def history(self, kind: str, ref, *, triples: bool = True) -> list[dict]:
        """Every version of a record: who, when, what, and the triples added and removed (without
        ``triples``: how many)."""
        return reads.history(self.data, kind, ref, triples=triples)

    def version_graph(self, kind: str, ref, n: int) -> Graph:
        return reads.version_graph(self.data, kind, ref, n)

    def claim_graph(self, ref) -> Graph:
        """One claim as RDF: the claim, its quote, its disputes, and the labels of what they name."""
        return reads.claim_graph(self.data, ref)

    def claim_query(self, ref) -> str:
        """A CONSTRUCT query giving one claim with its quote and disputes."""
        return render(CLAIM_GRAPH, claim=self.iri("claim", ref))

    def claim_review(self, ref, *, url: str | None = None, publisher: dict | None = None) -> dict:
        """schema.org JSON-LD of a claim (a dict from :meth:`get_claim`, or its id): a ``Claim``, in a
        ``ClaimReview`` by ``publisher`` ({name, url}) when it has a verdict (the feed of every
        verdict, and ClaimReview imports: :attr:`reviews`)."""
        return claimreview.claim_review(self.data, ref, url=url, publisher=publisher)

    def summary(self) -> dict:
        """Counts of claims, disputes, sources and agents; disputes by party; claims by status."""
        return reads.counts(self.data)

    # ---- the claim list ------------------------------------------------------------------
    def list_claims(self, *, limit: int = 20, offset: int = 0, facets: bool = False, use_index: bool = True,
                    **filters) -> dict:
        """Claims newest first, filtered (the keys of :data:`kb.filters.KEYS`); with facet counts when asked.
        ``use_index=False`` asks the store itself (the same answers, slower: a check of the index)."""
        return listing.list_claims(self.data, filters, limit=limit, offset=offset, facets=facets,
                                   use_index=use_index)

    def claim_page(self, *, limit: int = 20, offset: int = 0, **filters):
        """The IRIs of one page of :meth:`list_claims` and the total, without reading the claims."""
        return listing.claim_page(self.data, filters, limit=limit, offset=offset)

    def list_query(self, *, limit: int = 20, offset: int = 0, **filters) -> str:
        """The SPARQL text behind :meth:`list_claims` with these filters."""
        return listing.list_query(self.data, filters, limit=limit, offset=offset)

    def claims_graph(self, **filters) -> Graph:
        """The claims a list view shows (all pages), each as :meth:`claim_graph` gives it."""
        g = reads.bound_graph()
        for c in listing.claims_of(self.data, filters):
            g += reads.claim_graph(self.data, c)
        return g

    # ---- SPARQL, export, validation, backup -------------------------------------------------
    def query(self, text: str, bindings: dict | None = None, *, timeout: float | None = QUERY_TIMEOUT,
              row_limit: int | None = None) -> QueryResult:
        """A user's read-only SPARQL query (see :func:`kb.sparql.run_query`)."""
        return run_query(self.data, text, bindings, timeout=timeout, row_limit=row_limit,
                         hidden=self.private_graph)

    def export(self, out, fmt: str = "turtle") -> None:
        """Stream the knowledge base to the binary file ``out``: the current graph (Turtle, N-Triples,
        JSON-LD: in the default graph, JSON-LD compacted with :data:`kb.jsonld.CONTEXT`)
        or the whole dataset with history (TriG, N-Quads); never the comments (:mod:`kb.comments`) nor the
        drafts and their review (:mod:`kb.review`)."""
        export.write(self.data, out, fmt, self.private_graph)

    def export_file(self, fmt: str = "turtle"):
        """The export as ``(binary file at its start, size)``, written whole (a failure raises
        here); an embedded store's is kept on disk until the next write (:mod:`kb.export`)."""
        return self.exports.open(fmt)

    def validate_store(self) -> Report:
        """The whole current graph against the shapes (batch use); the shapes
        themselves are first checked against SHACL-SHACL."""
        load_shapes(meta_check=True)
        g = ValidationGraph()
        for s, p, o, _ in self.store.quads(self.current):
            g.add((s, p, o))
        return Report(check(g, set(g.subjects()), self.minter, self.data.shapes))

    def backup(self, target) -> dict:
        """Back up this store to the new folder ``target`` (see :mod:`kb.backup`); writes
        wait while the checkpoint is taken. Returns the backup's manifest."""
        with self.data.write_lock:
            return self.store.backup_to(target)


def open_kb(store: str | Store | None = None, *, base: str | None = None,
            update_endpoint: str | None = None, index_dir=None) -> KnowledgeBase:
    """Open a knowledge base: a folder (embedded store, created if missing),
    ``:memory:``, or a SPARQL server's query URL (with ``index_dir``, a folder of
    this process's own for its replica of the claim index)."""
    if not isinstance(store, Store):
        store = open_store(store, update_endpoint=update_endpoint, prefixes=PREFIXES)
    return KnowledgeBase(store, base=base, index_dir=index_dir)


__all__ = ["KnowledgeBase", "open_kb", "ImportResult", "QueryResult", "derive_status", "status_timeline"]
