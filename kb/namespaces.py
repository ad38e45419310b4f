"""The vocabulary as closed namespaces: a misspelt term raises AttributeError.

No other module spells out a vocabulary IRI; they all come from here.
"""

from pathlib import Path

from rdflib import Namespace
from rdflib.namespace import PROV, RDF, RDFS, SH, SKOS, XSD, DefinedNamespace
from rdflib.term import URIRef


class SDO(DefinedNamespace):
    """schema.org, in its http:// form (rdflib's built-in SDO is https)."""

    _NS = Namespace("http://schema.org/")
    _fail = True

    Claim: URIRef
    ClaimReview: URIRef
    Comment: URIRef
    CreativeWork: URIRef
    DataFeed: URIRef
    NewsArticle: URIRef
    Organization: URIRef
    Person: URIRef
    Rating: URIRef
    about: URIRef
    alternateName: URIRef
    appearance: URIRef
    author: URIRef
    bestRating: URIRef
    citation: URIRef
    claimReviewed: URIRef
    dateCreated: URIRef
    dateModified: URIRef
    datePublished: URIRef
    headline: URIRef
    inLanguage: URIRef
    itemReviewed: URIRef
    jobTitle: URIRef
    name: URIRef
    publisher: URIRef
    ratingValue: URIRef
    reviewBody: URIRef
    reviewRating: URIRef
    sameAs: URIRef
    text: URIRef
    translationOfWork: URIRef
    url: URIRef
    worksFor: URIRef
    worstRating: URIRef


class KB(DefinedNamespace):
    """ClaimKB's own terms: only what no standard vocabulary has."""

    _NS = Namespace("https://w3id.org/claimkb/ns#")
    _fail = True

    # classes
    Dispute: URIRef
    Version: URIRef
    Analyst: URIRef
    # properties
    disputes: URIRef
    party: URIRef
    stance: URIRef
    quote: URIRef
    sourcing: URIRef
    translated: URIRef
    digest: URIRef
    withdrawn: URIRef
    withdrawnReason: URIRef
    versionOf: URIRef
    versionNumber: URIRef
    generation: URIRef
    action: URIRef
    status: URIRef
    # stance scheme
    StanceScheme: URIRef
    Denies: URIRef
    Disputes: URIRef
    Qualifies: URIRef
    Confirms: URIRef
    Retracts: URIRef
    # status scheme
    StatusScheme: URIRef
    Reported: URIRef
    Disputed: URIRef
    Confirmed: URIRef
    Retracted: URIRef
    # sourcing scheme: the conventional hedges (kb:sourcing stays a plain literal, a concept's skos:notation)
    SourcingScheme: URIRef
    Reportedly: URIRef
    Suggested: URIRef
    Apparently: URIRef
    # verdicts: a schema:Rating's concept, and the rating scheme
    rating: URIRef
    RatingScheme: URIRef
    RatingAccurate: URIRef
    RatingMostlyAccurate: URIRef
    RatingMixed: URIRef
    RatingMisleading: URIRef
    RatingFalse: URIRef
    RatingUnproven: URIRef
    # relations between claims, and a dispute's counter-claim
    ClaimRelation: URIRef
    fromClaim: URIRef
    toClaim: URIRef
    relationType: URIRef
    counterClaim: URIRef
    RelationScheme: URIRef
    RelSupports: URIRef
    RelContradicts: URIRef
    RelSameAs: URIRef
    RelRefines: URIRef
    # review before publication (kb.review): drafts, their steps and the state scheme
    Draft: URIRef
    ReviewStep: URIRef
    draftState: URIRef
    assignee: URIRef
    holds: URIRef
    draftRecord: URIRef
    recordKind: URIRef
    fromVersion: URIRef
    concerns: URIRef
    draftNumber: URIRef
    stepOf: URIRef
    stepAction: URIRef
    DraftStateScheme: URIRef
    StateDraft: URIRef
    StateInReview: URIRef
    StateReturned: URIRef
    StatePublished: URIRef


class OA(DefinedNamespace):
    """Web Annotation vocabulary (the terms ClaimKB uses)."""

    _NS = Namespace("http://www.w3.org/ns/oa#")
    _fail = True

    TextQuoteSelector: URIRef
    TextPositionSelector: URIRef
    start: URIRef
    end: URIRef
    exact: URIRef
    prefix: URIRef
    suffix: URIRef
    hasSource: URIRef


class CITO(DefinedNamespace):
    """Citation Typing Ontology (the stance terms it has)."""

    _NS = Namespace("http://purl.org/spar/cito/")
    _fail = True

    refutes: URIRef
    disputes: URIRef
    qualifies: URIRef
    confirms: URIRef


PREFIXES = {
    "schema": str(SDO._NS),
    "kb": str(KB._NS),
    "oa": str(OA._NS),
    "cito": str(CITO._NS),
    "prov": str(PROV),
    "skos": str(SKOS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
}

# longest namespace first, so the most specific prefix names an IRI
_BY_LENGTH = sorted(((ns, p) for p, ns in PREFIXES.items()), key=lambda x: -len(x[0]))


def prefixed_name(iri) -> str | None:
    """``kb:Disputed`` for an IRI under one of :data:`PREFIXES` with a plain local part, else None."""
    s = str(iri)
    for ns, prefix in _BY_LENGTH:
        if s.startswith(ns):
            local = s[len(ns):]
            if local and not any(c in local for c in "/#?: <>\"\\"):
                return f"{prefix}:{local}"
            return None
    return None


WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
# the JSON-LD context fact-checking tools expect on schema.org markup
SCHEMA_CONTEXT = "https://schema.org"

# The vocabulary itself, kept in its own named graph of every store, and published as Turtle
VOCAB_GRAPH = "https://w3id.org/claimkb/ns"
VOCAB_FILE = Path(__file__).resolve().parent.parent / "vocab" / "claimkb.ttl"
# Data IRIs are minted under this base unless a store is made with another
DEFAULT_BASE = "https://w3id.org/claimkb/id/"
# A writer's reservation of the version IRIs it is about to create (in the locks graph only, never exported)
WRITE_RESERVATION = URIRef(str(KB._NS) + "writeReservation")
# A server store's change log (kb.changelog): entries <base>log/1, log/2, … in the history graph, each naming
# what one write changed (left out of exports; read by the claim index replicas, kb.replica)
LOG_CLAIM = URIRef(str(KB._NS) + "logClaim")  # a claim whose index rows the write changed
LOG_SOURCE = URIRef(str(KB._NS) + "logSource")  # a source written (its claims' rows change)
LOG_NAMED = URIRef(str(KB._NS) + "logNamed")  # an agent or topic written (its names are searched)
LOG_ALL = URIRef(str(KB._NS) + "logAll")  # so much changed (a bulk import) that every row is derived again
# A server store's settings (the base IRI; settings.json beside an embedded store):
# one triple in a graph of its own, left out of exports.
SETTINGS_GRAPH = "https://w3id.org/claimkb/settings"
SETTINGS_PREDICATE = str(KB._NS) + "settings"

__all__ = ["SDO", "KB", "OA", "CITO", "PROV", "RDF", "RDFS", "SH", "SKOS", "XSD", "PREFIXES", "prefixed_name"]
