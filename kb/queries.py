"""Every SPARQL text ClaimKB runs, in one place.

Templates are constants. Values never get pasted in as strings: a template
names them as ``$name`` and :func:`render` writes each as an RDF term in
N-Triples syntax, escaped by the RDF library. Optional parts of a query are
chosen among constant fragments, never built from user text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rdflib import Literal, URIRef

from . import status, text
from .namespaces import PREFIXES, WRITE_RESERVATION
from .stores import nt

PROLOGUE = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
_VAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def render(template: str, **bindings) -> str:
    """Fill ``$name`` placeholders with RDF terms (rdflib terms)."""

    def sub(m):
        name = m.group(1)
        if name not in bindings:
            raise KeyError(f"no value for ${name}")
        return nt(bindings[name])

    return PROLOGUE + _VAR.sub(sub, template)


def status_expr() -> str:
    """The derived status of ?c as a SPARQL expression, made from :data:`kb.status.RULE`
    (strongest first; withdrawn disputes do not count). Each test names the stance first
    (a constant where it can), then the party: the selective pattern before the join."""
    expr = f'"{status.DEFAULT}"'
    for i, (name, stances, claimant_only) in reversed(list(enumerate(status.RULE))):
        d = f"?_s{i}"
        terms = [f"kb:{s.capitalize()}" for s in stances]
        test = f"{d} kb:disputes ?c ; kb:stance " + (terms[0] if len(terms) == 1 else f"{d}s")
        test += f" ; kb:party {d}p . ?c schema:author {d}p ." if claimant_only else " ."
        if len(terms) > 1:
            test += f" FILTER({d}s IN ({', '.join(terms)}))"
        expr = (f"IF(EXISTS {{ {test}\n"
                f"              FILTER NOT EXISTS {{ {d} kb:withdrawn {d}w }} }}, \"{name}\",\n  {expr})")
    return "\n  " + expr + "\n"


STATUS_EXPR = status_expr()


def status_of_claims(claims: str) -> str:
    """``OPTIONAL {…} BIND(… AS ?status)``: the derived status of each claim the pattern ``claims``
    binds to ?c, from :data:`kb.status.RULE` as :data:`STATUS_EXPR`, by one grouped lookup of their
    standing disputes (Oxigraph plans STATUS_EXPR's EXISTS as a scan of every dispute of a stance)."""
    rank, name = str(len(status.RULE)), f'"{status.DEFAULT}"'
    for i, (label, stances, claimant_only) in reversed(list(enumerate(status.RULE))):
        test = f"?_s IN ({', '.join(f'kb:{s.capitalize()}' for s in stances)})" + (
            " && BOUND(?_byc)" if claimant_only else "")
        rank, name = f"IF({test}, {i}, {rank})", f'IF(?_rank = {i}, "{label}", {name})'
    return (f"OPTIONAL {{ SELECT ?c (MIN(?_r) AS ?_rank) WHERE {{\n      {claims}\n"
            f"      ?_d kb:disputes ?c ; kb:stance ?_s . FILTER NOT EXISTS {{ ?_d kb:withdrawn ?_dw }}\n"
            f"      OPTIONAL {{ ?_d kb:party ?_p . ?c schema:author ?_p . BIND(true AS ?_byc) }}\n"
            f"      BIND({rank} AS ?_r)\n  }} GROUP BY ?c }}\n"
            f"  BIND(COALESCE({name}, \"{status.DEFAULT}\") AS ?status)")


# fragments of the claim filter, each used only when its value is given
FILTERS = {
    "claimant": "?c schema:author $claimant .",
    "about": "?c schema:about $about .",
    "source": "?c schema:appearance $source .",
    # joins, not FILTER EXISTS: the set is grouped by ?c, so a claim matched twice
    # still counts once (Virtuoso 7.2 answered FILTER EXISTS here wrongly)
    "party": "?_pd kb:disputes ?c ; kb:party $party . FILTER NOT EXISTS { ?_pd kb:withdrawn ?_pw }",
    "language": "?c schema:text ?_lt . FILTER(LANGMATCHES(LANG(?_lt), $language))",
    "verdict": "?_vv schema:itemReviewed ?c ; schema:reviewRating/kb:rating/skos:notation $verdict . "
               "FILTER NOT EXISTS { ?_vv kb:withdrawn ?_vw }",
}
AFTER_FILTERS = {
    "status": "FILTER(?status = $status)",
}
# The date filters (date_from, date_to, date: a value of the date facet) are
# applied to the claim set's rows by the knowledge base (see claim_rows), not
# in SPARQL: Virtuoso 7.2 failed to compile (SQ156) any FILTER on the claim's
# date, made in the grouped subquery, whenever a facet's join followed it.
DATE_FILTERS = ("date_from", "date_to", "date")

# ---- search (kb.text) ----------------------------------------------------------------
# The searchable texts ?_s of ?c, each with its rank ?_r (kb.text.RANK): the claim's texts; its quote
# and its standing disputes' texts and quotes; the names of its claimant, its standing disputes'
# parties and what it is about.
_SEARCH_FIELDS = """
        { ?c schema:text ?_s BIND(%(text)d AS ?_r) }
        UNION { ?c kb:quote ?_q . ?_q oa:exact ?_s BIND(%(quote)d AS ?_r) }
        UNION { ?_d kb:disputes ?c ; schema:text ?_s FILTER NOT EXISTS { ?_d kb:withdrawn ?_w } BIND(%(dispute)d AS ?_r) }
        UNION { ?_d kb:disputes ?c ; kb:quote ?_q . ?_q oa:exact ?_s FILTER NOT EXISTS { ?_d kb:withdrawn ?_w }
                BIND(%(quote)d AS ?_r) }
        UNION { ?c schema:author ?_e . ?_e schema:name ?_s BIND(%(claimant)d AS ?_r) }
        UNION { ?c schema:author ?_e . ?_e skos:prefLabel ?_s BIND(%(claimant)d AS ?_r) }
        UNION { ?c schema:about ?_e . ?_e schema:name ?_s BIND(%(about)d AS ?_r) }
        UNION { ?c schema:about ?_e . ?_e skos:prefLabel ?_s BIND(%(about)d AS ?_r) }
        UNION { ?_d kb:disputes ?c ; kb:party ?_e . ?_e schema:name ?_s FILTER NOT EXISTS { ?_d kb:withdrawn ?_w }
                BIND(%(party)d AS ?_r) }
        UNION { ?_d kb:disputes ?c ; kb:party ?_e . ?_e skos:prefLabel ?_s FILTER NOT EXISTS { ?_d kb:withdrawn ?_w }
                BIND(%(party)d AS ?_r) }"""
SEARCH_FIELDS = _SEARCH_FIELDS % text.RANK
# The claims a search finds, with their rank ?_qrank, in one pass over the texts: the best field holding
# the phrase, else (more than one word) WORDS_RANK when each word is in some field. A text holding the
# phrase holds every word, so only texts holding a word are looked at.
SEARCH = """{ SELECT ?c %(found)s WHERE {
        { %(fields)s }
        %(folded)s
        FILTER(%(any)s)
      } GROUP BY ?c }
      %(after)s"""


def _regex_escape(s: str) -> str:
    """A text as a regular expression matching it (a hyphen outside a class needs no escape)."""
    return re.sub(r"([.\\?*+{}()\[\]^$|])", r"\\\1", s)


NESTED = 6  # REPLACEs nested in one BIND (see _folded)


def _folded(var: str, steps: int) -> str:
    """BINDs giving ``?_n`` the text of ``var`` as kb.text.fold gives it, as far as the query's
    characters can tell: the ``steps`` replacements made from kb.text.sparql_folds ($qf…, $qt…;
    full-width Latin, half-width kana, …), when the text holds one of their spellings ($qgate),
    then lower case, then no separators ($qsep).

    At most NESTED replacements nested in one BIND: Oxigraph 0.5 took twice as long for each REPLACE
    nested in another (20 took minutes), and Virtuoso 7.2 did not answer a BIND a step. Virtuoso
    matches a pattern's non-ASCII characters byte by byte in REGEX and in character classes, but
    REPLACE with alternatives of whole characters works on a stored text or on one given to STR()
    (not on another REPLACE's result as such), except that a non-ASCII replacement for alternatives
    came out as its UTF-8 bytes: so a character folded to a non-ASCII one (half-width kana) is
    replaced one spelling at a time."""
    binds, current = [], f"STR({var})"
    gate = f"STRLEN(REPLACE(STR({var}), $qgate, \"\")) < STRLEN(STR({var}))"
    for k, start in enumerate(range(0, steps, NESTED)):
        expr = current
        for i in range(start, min(steps, start + NESTED)):
            expr = f"STR(REPLACE({expr}, $qf{i}, $qt{i}))"
        # without a spelling to replace, the text as it is (not the BIND before: Virtuoso copies a
        # BIND's expression where its variable is used, and two uses a step doubled the query)
        binds.append(f"BIND(IF({gate}, {expr}, STR({var})) AS ?_f{k})")
        current = f"?_f{k}"
    binds.append(f"BIND(REPLACE(STR(LCASE({current})), $qsep, \"\") AS ?_n)")
    return "\n        ".join(binds)


@lru_cache(maxsize=64)
def search(q: str) -> tuple[str, tuple]:
    """The claim set's search part for a query as kb.filters.parse gives it (folded words
    joined by spaces), and its bindings: the claims found, with ``?_qrank``."""
    phrase, words = text.terms(q)
    folds = text.sparql_folds("".join(words))
    bindings = {"qphrase": Literal(phrase)}
    steps = []  # (spellings, replacement): one spelling at a time for a non-ASCII replacement (see _folded)
    for spellings, to in folds:
        steps += [(spellings, to)] if to.isascii() else [([one], to) for one in spellings]
    for i, (spellings, to) in enumerate(steps):
        bindings[f"qf{i}"] = Literal("|".join(_regex_escape(s) for s in spellings))
        bindings[f"qt{i}"] = Literal(to.replace("\\", "\\\\").replace("$", "\\$"))
    if folds:
        bindings["qgate"] = Literal("|".join(_regex_escape(s) for spellings, _ in folds for s in spellings))
    seps = [c for c in text.separators() if c not in " \t\n\r"]
    bindings["qsep"] = Literal("\\s|" + "|".join(_regex_escape(c) for c in seps))
    parts = {"fields": SEARCH_FIELDS, "folded": _folded("?_s", len(steps))}
    if len(words) == 1:
        return SEARCH % {**parts, "found": "(MIN(?_r) AS ?_qrank)", "any": "CONTAINS(?_n, $qphrase)",
                         "after": ""}, tuple(bindings.items())
    # (Virtuoso 7.2 failed to compile these conditions as HAVING, or as one projected expression)
    held = []
    for i, w in enumerate(words):
        bindings[f"qw{i}"] = Literal(w)
        held.append(f"(MAX(IF(CONTAINS(?_n, $qw{i}), 1, 0)) AS ?_qh{i})")
    return SEARCH % {
        **parts, "found": "(MIN(IF(CONTAINS(?_n, $qphrase), ?_r, 9)) AS ?_qbest) " + " ".join(held),
        "any": " || ".join(f"CONTAINS(?_n, $qw{i})" for i in range(len(words))),
        "after": (f"FILTER(?_qbest < 9 || ({' && '.join(f'?_qh{i} = 1' for i in range(len(words)))}))\n"
                  f"      BIND(IF(?_qbest < 9, ?_qbest, {text.WORDS_RANK}) AS ?_qrank)"),
    }, tuple(bindings.items())


# ?date: the claim's own date, else its earliest source's, "" when neither; ?rank: a search's (kb.text.RANK)
_CLAIM_SET = """
  { SELECT ?c (SAMPLE(?_cd) AS ?cd) (MIN(STR(?_sd)) AS ?sd) (MAX(?_rt) AS ?recorded)%(rank)s WHERE {
      ?c a schema:Claim .
      FILTER NOT EXISTS { ?c kb:withdrawn ?_w }
      %(search)s
      %(same_as)s
      %(filters)s
      OPTIONAL { ?c schema:dateCreated ?_cd }
      OPTIONAL { ?c schema:appearance ?_sa . ?_sa schema:datePublished ?_sd }
      OPTIONAL { ?c prov:generatedAtTime ?_rt }
    } GROUP BY ?c }
  BIND(COALESCE(STR(?cd), ?sd, "") AS ?date)
  BIND(%(status)s AS ?status)
  %(after)s
"""


# a claim that is the same as another standing claim (a duplicate) is listed under that claim
NOT_DUPLICATE = ("FILTER NOT EXISTS { ?_dr kb:fromClaim ?c ; kb:relationType kb:RelSameAs ; kb:toClaim ?_dt . "
                 "FILTER NOT EXISTS { ?_dr kb:withdrawn ?_drw } FILTER NOT EXISTS { ?_dt kb:withdrawn ?_dtw } }")


def _claim_set(filters: dict) -> str:
    searched = filters.get("q") is not None
    return _CLAIM_SET % {
        "rank": " (MIN(?_qrank) AS ?rank)" if searched else "",
        "search": search(str(filters["q"]))[0] if searched else "",
        "same_as": NOT_DUPLICATE,
        "filters": "\n      ".join(FILTERS[k] for k in FILTERS if filters.get(k) is not None),
        "status": STATUS_EXPR,
        "after": "\n  ".join(AFTER_FILTERS[k] for k in AFTER_FILTERS if filters.get(k) is not None),
    }


def _bind(filters: dict) -> dict:
    out = {k: v for k, v in filters.items() if v is not None and k not in DATE_FILTERS and k != "q"}
    if filters.get("q") is not None:
        out.update(search(str(filters["q"]))[1])
    return out


def claim_rows(filters: dict) -> str:
    """Every claim of the set (date filters left to the caller), with its date, record time and
    status, and its rank when there is a search."""
    rank = " ?rank" if filters.get("q") is not None else ""
    return render(f"SELECT ?c ?date ?recorded ?status{rank} WHERE {{" + _claim_set(filters) + "}",
                  **_bind(filters))


def facet_rows(name: str, filters: dict) -> str:
    """The claims of the set (date filters left to the caller) with their values for one facet."""
    return render("SELECT DISTINCT ?c ?value WHERE {" + _claim_set(filters) + FACET_PATTERNS[name] + "}",
                  **_bind(filters))


def claim_list(filters: dict, limit: int, offset: int) -> str:
    """A page of the claim set: newest first; with a search, best match first (kb.text.RANK), then newest."""
    rank = "?rank " if filters.get("q") is not None else ""
    query = (f"SELECT ?c ?status ?date ?recorded {rank}WHERE {{" + _claim_set(filters)
             + f"}}\nORDER BY {rank}DESC(?date) DESC(?recorded) ?c\n" + f"LIMIT {int(limit)} OFFSET {int(offset)}")
    return render(query, **_bind(filters))


def claim_count(filters: dict) -> str:
    return render("SELECT (COUNT(?c) AS ?n) WHERE {" + _claim_set(filters) + "}", **_bind(filters))


FACET_PATTERNS = {
    "status": "",  # grouped by ?status itself (see facet())
    "party": "?_fd kb:disputes ?c ; kb:party ?value . FILTER NOT EXISTS { ?_fd kb:withdrawn ?_fw }",
    "claimant": "?c schema:author ?value .",
    "about": "?c schema:about ?value .",
    "source": "?c schema:appearance ?value .",
    "language": "?c schema:text ?_ft . BIND(LANG(?_ft) AS ?value)",
    "date": "",  # grouped by the whole ?date; facet_months() folds days into months
    "verdict": "?_fv schema:itemReviewed ?c ; schema:reviewRating/kb:rating/skos:notation ?value . "
               "FILTER NOT EXISTS { ?_fv kb:withdrawn ?_fvw }",
}


def facet(name: str, filters: dict) -> str:
    # status and date group by the variable itself: Virtuoso 7.2 ran
    # BIND(?status AS ?value) after FILTER(?status = …) until its time limit,
    # and failed to compile BIND(SUBSTR(?date, 1, 7) AS ?value) with a party filter
    value = {"status": "?status", "date": "?date"}.get(name, "?value")
    head = f"({value} AS ?value)" if value != "?value" else value
    query = (f"SELECT {head} (COUNT(DISTINCT ?c) AS ?n) WHERE {{" + _claim_set(filters) + FACET_PATTERNS[name]
             + f"}} GROUP BY {value} ORDER BY DESC(?n) {value}")
    return render(query, **_bind(filters))


def facet_months(rows: list) -> list:
    """The date facet's rows (one per whole date) folded into months (or
    years, for a year-only date), in facet order: most claims first."""
    months: dict[str, int] = {}
    for value, n in rows:
        if str(value):
            months[str(value)[:7]] = months.get(str(value)[:7], 0) + int(n)
    return sorted(months.items(), key=lambda kv: (-kv[1], kv[0]))


# whether a claim stands (LOAD_SEED's test of an empty store: ASK stops at the first)
ANY_CLAIM = render("ASK { ?claim a schema:Claim FILTER NOT EXISTS { ?claim kb:withdrawn ?_w } }")
# a summary of the whole knowledge base
COUNTS = render("""
SELECT
  (COUNT(DISTINCT ?claim) AS ?claims)
  (COUNT(DISTINCT ?dispute) AS ?disputes)
  (COUNT(DISTINCT ?source) AS ?sources)
  (COUNT(DISTINCT ?agent) AS ?agents)
WHERE {
  { ?claim a schema:Claim FILTER NOT EXISTS { ?claim kb:withdrawn ?_w1 } }
  UNION { ?dispute a kb:Dispute FILTER NOT EXISTS { ?dispute kb:withdrawn ?_w2 } }
  UNION { ?source a ?st FILTER(?st IN (schema:NewsArticle, schema:CreativeWork)) }
  UNION { ?agent a ?at FILTER(?at IN (schema:Person, schema:Organization)) }
}""")

DISPUTES_BY_PARTY = render("""
SELECT ?party ?stance (COUNT(?d) AS ?n) WHERE {
  ?d a kb:Dispute ; kb:party ?party ; kb:stance ?stance .
  FILTER NOT EXISTS { ?d kb:withdrawn ?_w }
} GROUP BY ?party ?stance ORDER BY DESC(?n) ?party""")

STATUS_COUNTS = render("SELECT ?status (COUNT(?c) AS ?n) WHERE {" + _claim_set({}) + "} GROUP BY ?status ORDER BY ?status")

# records of one kind, for pickers and listings
RECORDS_OF_TYPES = """
SELECT DISTINCT ?r WHERE {
  VALUES ?t { %s }
  ?r a ?t .
  FILTER NOT EXISTS { ?r kb:withdrawn ?_w }
}"""


def records_of_types(types) -> str:
    return render(RECORDS_OF_TYPES % " ".join(f"$t{i}" for i in range(len(types))),
                  **{f"t{i}": t for i, t in enumerate(types)})


# claims an agent made, disputes a party took, claims in a source
CLAIMS_BY_CLAIMANT = "SELECT ?c WHERE { ?c schema:author $agent ; a schema:Claim . }"
CLAIMS_ABOUT = "SELECT ?c WHERE { ?c schema:about $entity ; a schema:Claim . }"
# every claim's and dispute's quote of a source (kb.quotes), and the sources that keep their text
QUOTES_OF_SOURCE = """
SELECT ?rec ?claim ?exact ?prefix ?suffix ?start ?end ?withdrawn WHERE {
  ?q oa:hasSource $source ; oa:exact ?exact .
  ?rec kb:quote ?q .
  OPTIONAL { ?rec kb:disputes ?claim }
  OPTIONAL { ?q oa:prefix ?prefix } OPTIONAL { ?q oa:suffix ?suffix }
  OPTIONAL { ?q oa:start ?start ; oa:end ?end }
  OPTIONAL { ?rec kb:withdrawn ?withdrawn }
}"""
SOURCES_WITH_TEXT = render("SELECT ?s WHERE { ?s schema:text ?t ; kb:digest ?d . }")
CLAIMS_IN_SOURCE = "SELECT ?c WHERE { ?c schema:appearance $source ; a schema:Claim . }"
DISPUTES_BY_PARTY_OF = "SELECT ?d ?c ?stance ?withdrawn WHERE { ?d kb:party $agent ; kb:disputes ?c ; kb:stance ?stance . OPTIONAL { ?d kb:withdrawn ?withdrawn } }"

# the labels of the stance and status schemes, from the vocabulary
SCHEME_LABELS = render("""
SELECT ?scheme ?concept ?notation ?label WHERE {
  VALUES ?scheme { kb:StanceScheme kb:StatusScheme kb:SourcingScheme }
  ?concept skos:inScheme ?scheme ; skos:prefLabel ?label .
  OPTIONAL { ?concept skos:notation ?notation }
}""")

# the rating and relation schemes, from the vocabulary: notation, labels, definitions, value on the scale
SCHEME_CONCEPTS = """
SELECT ?concept ?notation ?label ?alt ?definition ?value WHERE {
  ?concept skos:inScheme $scheme ; skos:notation ?notation .
  { ?concept skos:prefLabel ?label } UNION { ?concept skos:altLabel ?alt }
  UNION { ?concept skos:definition ?definition } UNION { ?concept schema:ratingValue ?value }
}"""
# the current verdicts (verdict IRI, claim) and the standing relations touching some claims
VERDICTS = render("SELECT ?v ?c WHERE { ?v a schema:ClaimReview ; schema:itemReviewed ?c . "
                  "FILTER NOT EXISTS { ?v kb:withdrawn ?_w } FILTER NOT EXISTS { ?c kb:withdrawn ?_cw } }")
# the relations from or to some claims, whole (kb.relations sorts out which stand); a path, not a UNION
# of the two directions: Virtuoso took 3x as long over the UNION (BENCHMARKS.md)
RELATIONS_OF = "CONSTRUCT { ?r ?p ?o } WHERE { GRAPH $graph { %(values)s ?r kb:fromClaim|kb:toClaim ?c . ?r ?p ?o } }"
SAME_AS_FROM = """
SELECT ?to WHERE {
  ?r kb:fromClaim $claim ; kb:relationType kb:RelSameAs ; kb:toClaim ?to .
  FILTER NOT EXISTS { ?r kb:withdrawn ?_w }
}"""

# one claim as a graph: the claim, its quote, its disputes and their quotes
# (the query a claim page shows as "the SPARQL for this view")
CLAIM_GRAPH = """
CONSTRUCT { ?s ?p ?o } WHERE {
  { BIND($claim AS ?s) ?s ?p ?o }
  UNION { $claim kb:quote ?s . ?s ?p ?o }
  UNION { ?s kb:disputes $claim ; ?p ?o }
  UNION { ?_d kb:disputes $claim ; kb:quote ?s . ?s ?p ?o }
}"""


def with_prefixes(body: str) -> str:
    """A query text declaring just the prefixes its body uses, so it runs anywhere."""
    used = [k for k in PREFIXES if re.search(rf"(?<![\w:]){k}:", body)]
    return "".join(f"PREFIX {k}: <{PREFIXES[k]}>\n" for k in used) + body.lstrip("\n")


# Example queries for the query page: what analysts ask most. They name
# entities by label, not by IRI, so they work under any base IRI.
EXAMPLES = {
    "disputed-by-party": with_prefixes("""
# Every dispute still standing, by the party that made it
SELECT ?party ?stance ?claim ?text WHERE {
  ?d a kb:Dispute ; kb:party ?p ; kb:stance ?s ; kb:disputes ?claim .
  ?p schema:name ?party .
  ?s skos:prefLabel ?stance .
  ?claim schema:text ?text .
  FILTER(LANG(?party) = "en" && LANG(?stance) = "en" && LANG(?text) = "en")
  FILTER NOT EXISTS { ?d kb:withdrawn ?w }
}
ORDER BY ?party ?claim
LIMIT 500"""),
    "about-entity": with_prefixes("""
# Claims about Microsoft, with their derived status (the first 500 by IRI).
# The status: each claim's strongest standing stance (kb.status.RULE), looked up for these claims at once
SELECT ?c ?text ?status WHERE {
  { SELECT ?c ?text WHERE {
      ?entity schema:name "Microsoft"@en .
      ?c schema:about ?entity ; a schema:Claim ; schema:text ?text .
      FILTER(LANG(?text) = "en")
      FILTER NOT EXISTS { ?c kb:withdrawn ?w }
    } ORDER BY ?c LIMIT 500 }
  """ + status_of_claims('?_e schema:name "Microsoft"@en . ?c schema:about ?_e .') + """
}
ORDER BY ?c"""),
    "who-denies-most": with_prefixes("""
# Parties ranked by how many claims they deny or dispute
SELECT ?party (COUNT(DISTINCT ?c) AS ?claims) WHERE {
  ?d a kb:Dispute ; kb:disputes ?c ; kb:party ?p ; kb:stance ?s .
  FILTER(?s IN (kb:Denies, kb:Disputes))
  FILTER NOT EXISTS { ?d kb:withdrawn ?w }
  ?p schema:name ?party . FILTER(LANG(?party) = "en")
}
GROUP BY ?party
ORDER BY DESC(?claims) ?party"""),
    "never-confirmed": with_prefixes("""
# Claims passed on as hearsay ("reportedly") that no party has confirmed
SELECT ?c ?claimant ?text WHERE {
  ?c kb:sourcing "reportedly" ; a schema:Claim ; schema:author ?a ; schema:text ?text .
  ?a schema:name ?claimant .
  FILTER(LANG(?text) = "en" && LANG(?claimant) = "en")
  FILTER NOT EXISTS { ?c kb:withdrawn ?w }
  MINUS { ?k kb:disputes ?c ; kb:stance kb:Confirms . FILTER NOT EXISTS { ?k kb:withdrawn ?kw } }
}
ORDER BY ?claimant ?c
LIMIT 500"""),
    "false-not-disputed": with_prefixes("""
# Claims our analysts rated false that no party disputes or denies: what the parties say and what we conclude differ
SELECT ?c ?text ?analyst ?reviewed WHERE {
  ?v a schema:ClaimReview ; schema:itemReviewed ?c ; schema:reviewRating/kb:rating kb:RatingFalse ;
     schema:datePublished ?reviewed .
  ?c a schema:Claim ; schema:text ?text . FILTER(LANG(?text) = "en")
  FILTER NOT EXISTS { ?v kb:withdrawn ?vw }
  FILTER NOT EXISTS { ?c kb:withdrawn ?cw }
  MINUS { ?d kb:disputes ?c ; kb:stance ?s . FILTER(?s IN (kb:Denies, kb:Disputes))
          FILTER NOT EXISTS { ?d kb:withdrawn ?dw } }
  OPTIONAL { ?v schema:author/rdfs:label ?analyst }
}
ORDER BY DESC(?reviewed) ?c
LIMIT 500"""),
    "self-contradictions": with_prefixes("""
# Contradicting claims made by the same party
SELECT ?party ?a ?textA ?b ?textB WHERE {
  ?r a kb:ClaimRelation ; kb:fromClaim ?a ; kb:relationType kb:RelContradicts ; kb:toClaim ?b .
  FILTER NOT EXISTS { ?r kb:withdrawn ?rw }
  ?a schema:author ?p ; schema:text ?textA .
  ?b schema:author ?p ; schema:text ?textB .
  ?p schema:name ?party .
  FILTER(LANG(?party) = "en" && LANG(?textA) = "en" && LANG(?textB) = "en")
}
ORDER BY ?party ?a
LIMIT 500"""),
    "story-timeline": with_prefixes("""
# One story in time order: each claim about the topic, and each stance taken on it
SELECT ?when ?event ?who ?text ?c WHERE {
  {
    ?topic skos:prefLabel "Microsoft's data-centre deals"@en .
    ?c schema:about ?topic ; a schema:Claim ; schema:author ?a ; schema:text ?text .
    ?a schema:name ?who .
    BIND("claims" AS ?event)
    OPTIONAL { ?c schema:dateCreated ?made }
    OPTIONAL { ?c schema:appearance/schema:datePublished ?published }
    BIND(COALESCE(?made, ?published) AS ?when)
  } UNION {
    ?topic skos:prefLabel "Microsoft's data-centre deals"@en .
    ?c schema:about ?topic ; a schema:Claim .
    ?d kb:disputes ?c ; kb:party ?a ; kb:stance ?s ; schema:text ?text .
    ?a schema:name ?who .
    ?s skos:prefLabel ?event . FILTER(LANG(?event) = "en")
    FILTER NOT EXISTS { ?d kb:withdrawn ?w }
    OPTIONAL { ?d schema:dateCreated ?said }
    OPTIONAL { ?d schema:appearance/schema:datePublished ?published }
    BIND(COALESCE(?said, ?published) AS ?when)
  }
  FILTER(LANG(?text) = "en" && LANG(?who) = "en")
}
ORDER BY STR(?when) ?c ?event
LIMIT 500"""),
}

# the dispute network: every standing dispute with its party, stance, claim and claimant
NETWORK_FILTERS = {
    "about": "?c schema:about $about .",
    "stance": "FILTER(?stance = $stance)",
}
_NETWORK = """
SELECT ?d ?party ?stance ?c ?claimant ?date ?recorded WHERE {
  ?d a kb:Dispute ; kb:party ?party ; kb:stance ?stance ; kb:disputes ?c .
  FILTER NOT EXISTS { ?d kb:withdrawn ?_dw }
  ?c schema:author ?claimant .
  FILTER NOT EXISTS { ?c kb:withdrawn ?_cw }
  %(same_as)s
  %(filters)s
  OPTIONAL { ?d schema:dateCreated ?_dd }
  OPTIONAL { ?d prov:generatedAtTime ?recorded }
  OPTIONAL { SELECT ?d (MIN(STR(?_sd)) AS ?_first) WHERE { ?d schema:appearance/schema:datePublished ?_sd } GROUP BY ?d }
  BIND(COALESCE(STR(?_dd), ?_first) AS ?date)
}"""


def network(filters: dict) -> str:
    query = _NETWORK % {"same_as": NOT_DUPLICATE, "filters": "\n  ".join(NETWORK_FILTERS[k] for k in NETWORK_FILTERS
                                                                        if filters.get(k) is not None)}
    return render(query, **_bind(filters))


# the busiest stories: topics by how many claims and disputes they gather, latest activity first
BUSY_TOPICS = render("""
SELECT ?topic (COUNT(DISTINCT ?c) AS ?claims) (COUNT(DISTINCT ?d) AS ?disputes) (MAX(?when) AS ?latest) WHERE {
  ?c a schema:Claim ; schema:about ?topic .
  ?topic a skos:Concept .
  FILTER NOT EXISTS { ?c kb:withdrawn ?_w }
  OPTIONAL { ?d kb:disputes ?c . FILTER NOT EXISTS { ?d kb:withdrawn ?_dw } }
  OPTIONAL { ?c prov:generatedAtTime ?when }
}
GROUP BY ?topic
ORDER BY DESC(?disputes) DESC(?claims) DESC(?latest)
LIMIT $limit""".replace("$limit", "12"))

# the claims appearing in some sources, or disputed in them (their index rows follow the sources' dates)
CLAIMS_OF_SOURCES = ("SELECT DISTINCT ?c WHERE { %(values)s ?c a schema:Claim . "
                     "{ ?c schema:appearance ?s } UNION { ?d kb:disputes ?c ; schema:appearance ?s } }")


# the judged claims an agent made or judged (their reviews in the claim index name it)
JUDGED_CLAIMS_OF_AGENTS = ("SELECT DISTINCT ?c WHERE { %(values)s ?v schema:itemReviewed ?c . "
                           "{ ?c schema:author ?a } UNION { ?v schema:author ?a } }")


# the writers' reservations of some version IRIs (see kb.writes), and which write made some versions
_RESERVATIONS = ("SELECT ?v ?w ?at WHERE { GRAPH $graph { %(values)s ?v $reserves ?w "
                 "OPTIONAL { ?w prov:startedAtTime ?at } } }")
_VERSION_MAKERS = "SELECT ?v ?w WHERE { GRAPH $graph { %(values)s ?v prov:wasGeneratedBy ?w } }"


def reservations(graph: str, versions) -> str:
    return render(_RESERVATIONS % {"values": values("v", versions)}, graph=URIRef(graph),
                  reserves=WRITE_RESERVATION)


def version_makers(graph: str, versions) -> str:
    return render(_VERSION_MAKERS % {"values": values("v", versions)}, graph=URIRef(graph))


# claims read at once (kb.ahead), each branch with its VALUES: the claims, their disputes, the quotes of both, the
# verdicts (with their rating nodes), the relations (every triple of each). (A dispute's counter-claim and a verdict's
# quotes, seldom there, are read when found: two branches more cost Virtuoso 2-3 ms more to compile, BENCHMARKS.md)
AHEAD = {"claims": "%(s)s ?s ?p ?o", "disputes": "%(c)s ?s kb:disputes ?c ; ?p ?o",
         "quotes": "%(c)s { ?c kb:quote ?s } UNION { ?_d kb:disputes ?c ; kb:quote ?s } ?s ?p ?o",
         "verdicts": "%(v)s ?s ?p ?o", "relations": "%(c)s ?s kb:fromClaim|kb:toClaim ?c ; ?p ?o"}
# records (the names and sources a claim index says claims name), whole, and what they point to as publisher, author
# or original (kb.ahead): both, or one part of it ("records", "by")
NAMED_AHEAD = {"records": "%(s)s ?s ?p ?o", "by": "%(x)s ?x schema:publisher|schema:author|schema:translationOfWork ?s . ?s ?p ?o"}


def named_ahead(graph: str, records, parts=tuple(NAMED_AHEAD)) -> str:
    fill = {"s": values("s", records), "x": values("x", records)}
    return render("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH $graph { " + " UNION ".join(
        f"{{ {NAMED_AHEAD[k] % fill} }}" for k in parts) + " } }", graph=URIRef(graph))


def claims_ahead(graph: str, history: str, claims, verdicts, parts) -> str:
    """``parts`` of :data:`AHEAD` (and "versions": the claims' version numbers, ?ver ?n) for some claims
    (``verdicts``: their verdicts' IRIs), in one query."""
    fill = {"c": values("c", claims), "s": values("s", claims), "v": values("s", [x for v in verdicts for x in (v, URIRef(f"{v}#rating"))])}
    where = [f"{{ GRAPH $graph {{ {AHEAD[k] % fill} }} }}" for k in parts if k in AHEAD] + (
        [f"{{ GRAPH $history {{ {fill['c']} ?ver kb:versionOf ?c ; kb:versionNumber ?n }} }}"] if "versions" in parts else [])
    numbers = " . ?ver kb:versionOf ?c ; kb:versionNumber ?n" if "versions" in parts else ""
    return render(f"CONSTRUCT {{ ?s ?p ?o{numbers} }} WHERE {{ {' UNION '.join(where)} }}", graph=URIRef(graph), history=URIRef(history))


def of_claims(template: str, graph: str, claims) -> str:
    """One of the queries above, for some claims in one graph."""
    return render(template % {"values": values("c", claims)}, graph=URIRef(graph))


def values(var: str, terms) -> str:
    """A VALUES block of RDF terms, each written by the RDF library's escaping."""
    if terms is None:
        return ""
    return f"VALUES ?{var} {{ {' '.join(nt(t) for t in terms)} }}"


def index_query(template: str, claims=None, var: str = "c") -> str:
    return render(template % {"values": values(var, claims)})
