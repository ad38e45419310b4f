"""The OpenAPI 3.1 description of the JSON API (served at /api/openapi.json)."""

from __future__ import annotations

from functools import cache

LANG_MAP = {"type": "object", "additionalProperties": {"type": "string"},
            "description": "language tag -> text, e.g. {\"en\": \"…\", \"ja\": \"…\"}"}
REF = {"type": "object", "required": ["id", "iri"], "properties": {
    "id": {"type": "string"}, "iri": {"type": "string", "format": "uri"},
    "kind": {"type": "string", "enum": ["agent", "topic", "source", "claim", "dispute"]},
    "name": LANG_MAP}}
DATE = {"type": ["string", "null"], "description": "YYYY-MM-DD, YYYY-MM or YYYY",
        "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}
STATUS = {"type": "string", "enum": ["reported", "disputed", "confirmed", "retracted"]}
STANCE = {"type": "string", "enum": ["denies", "disputes", "qualifies", "confirms", "retracts"]}
QUOTE_IN = {"type": "object", "required": ["exact"], "properties": {
    "exact": {"type": "string"}, "prefix": {"type": "string"}, "suffix": {"type": "string"},
    "start": {"type": "integer", "minimum": 0, "description": "where the quote starts in the source's text "
                                                             "(NFC characters): chooses between occurrences"},
    "end": {"type": "integer", "minimum": 0},
    "source": {"type": "string", "description": "the source quoted (a local id or IRI)"},
    "translated": {"type": "boolean", "description": "the quote gives someone's words in a translation"}}}
NOTE = {"anyOf": [LANG_MAP, {"type": "null"}], "description": "an analyst's note (skos:editorialNote)"}
DATED_BY = {"type": ["string", "null"], "enum": ["dispute", "source", "recorded", None],
            "description": "where the date comes from: the dispute's own, only its source's (the article gives "
                           "none of its own), or when it was recorded"}
ERRORS = {"type": "object", "required": ["errors"], "properties": {"errors": {"type": "array", "items": {
    "type": "object", "required": ["field", "message"], "properties": {
        "field": {"type": ["string", "null"], "description": "the YAML key concerned, when there is one"},
        "message": {"type": "string"},
        "record": {"type": ["string", "null"]}, "kind": {"type": ["string", "null"]},
        "value": {"type": ["string", "null"]}}}}}}
MATCH = {"type": "object", "required": ["phrase", "fields"],
         "description": "with a search (q): where it matched, best first: the query's words together (phrase) "
                        "or each somewhere (scattered words)",
         "properties": {"phrase": {"type": "boolean"}, "fields": {"type": "array", "items": {
             "type": "object", "required": ["field", "snippet", "marks"], "properties": {
                 "field": {"type": "string", "enum": ["text", "quote", "dispute", "claimant", "party", "about"]},
                 "lang": {"type": ["string", "null"]},
                 "record": {"type": "string", "description": "the claim, dispute, agent or topic it belongs to"},
                 "snippet": {"type": "string", "description": "the text, or a part of a long one (with …)"},
                 "marks": {"type": "array", "items": {"type": "array", "items": {"type": "integer"},
                                                       "minItems": 2, "maxItems": 2},
                           "description": "[start, end) of each matched part of the snippet, in characters "
                                          "(Unicode code points)"}}}}}}
ROLE = {"type": "string", "enum": ["viewer", "analyst", "admin"], "default": "analyst"}
VERSION = {"type": "object", "required": ["version", "action", "at", "by", "added", "removed"], "properties": {
    "version": {"type": "integer"}, "iri": {"type": "string"},
    "action": {"type": "string", "enum": ["created", "updated", "withdrawn", "restored"]},
    "at": {"type": "string", "format": "date-time"}, "by": {"type": ["string", "null"]},
    "added": {"type": "array", "items": {"type": "string"}, "description": "triples, N-Triples terms"},
    "removed": {"type": "array", "items": {"type": "string"}}}}


SID = {"name": "sid", "in": "path", "required": True, "schema": {"type": "string"}, "description": "the source's id"}
SOURCE_IN = {"type": "object", "properties": {
    "id": {"type": "string", "description": "default: made from the headline"},
    "type": {"type": "string", "enum": ["NewsArticle", "CreativeWork"]},
    "headline": {"anyOf": [{"type": "string"}, LANG_MAP], "description": "text (in the source's language) or a map"},
    "publisher": {"anyOf": [{"type": "string"}, {"type": "object"}],
                  "description": "an agent's id, or a new organisation {name: {...}}"},
    "author": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}, {"type": "object"}]},
    "published": DATE, "language": {"type": "string"}, "url": {"type": "string", "format": "uri"},
    "note": NOTE, "text": {"type": "string", "description": "the article's text (at most 200,000 characters)"},
    "fetch": {"type": "boolean", "description": "fetch the text from url (the page's metadata fills what is not "
                                                "given); hosts resolving to private addresses are refused unless "
                                                "in FETCH_ALLOW_HOSTS"}}}
SOURCE_QUOTE = {"type": "object", "required": ["claim", "exact", "start", "end", "verified"], "properties": {
    "claim": {"type": "string"}, "dispute": {"type": ["string", "null"]}, "exact": {"type": "string"},
    "start": {"type": ["integer", "null"]}, "end": {"type": ["integer", "null"]},
    "verified": {"type": "boolean", "description": "found in the source's text as it is now"},
    "stale": {"type": "boolean", "description": "no longer in the text after a re-capture"}}}
SOURCE_OUT = {"type": "object", "required": ["id", "iri", "text", "digest", "captured", "quotes"], "properties": {
    "id": {"type": "string"}, "iri": {"type": "string"}, "version": {"type": "integer"},
    "text": {"type": ["string", "null"]},
    "digest": {"type": ["string", "null"], "description": "SHA-256 of the text's UTF-8 bytes, hexadecimal"},
    "captured": {"type": ["string", "null"], "format": "date-time"},
    "quotes": {"type": "array", "items": SOURCE_QUOTE}, "stale": {"type": "array", "items": SOURCE_QUOTE},
    "changes": {"type": ["object", "null"], "description": "since the first capture: characters removed, added, "
                                                           "changed, and the changed paragraphs"}}}


def _source_paths(json_of, secured) -> dict:
    return {
        "/api/sources": {
            "post": {"summary": "Capture a source's text: pasted, or fetched from its URL", "operationId": "addSource",
                     "security": secured, "requestBody": {"required": True, "content": json_of("SourceIn")},
                     "responses": {"201": {"description": "the source as stored", "content": json_of("Source")},
                                   "401": _error("no valid token"), "403": _error("not an analyst"),
                                   "409": _error("a source with this id exists"),
                                   "422": _error("bad text, a page that cannot be captured, or the record does not "
                                                 "satisfy the shapes; nothing written")}},
        },
        "/api/sources/{sid}": {
            "get": {"summary": "A source with its text, digest, capture time and every quote of it",
                    "operationId": "getSource", "parameters": [SID],
                    "responses": {"200": {"description": "the source", "content": json_of("Source")},
                                  "404": _error("no such source")}},
            "put": {"summary": "Capture the text again (a new version when it changed; the metadata stays)",
                    "operationId": "recaptureSource", "parameters": [SID], "security": secured,
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "type": "object", "required": ["version"], "properties": {
                            "version": {"type": "integer", "minimum": 1}, "text": {"type": "string"},
                            "fetch": {"type": "boolean"}}}}}},
                    "responses": {"200": {"description": "the source as now stored", "content": json_of("Source")},
                                  "404": _error("no such source"), "409": _error("changed since that version"),
                                  "422": _error("bad text; nothing written"), "428": _error("no version given")}},
        },
    }


def _error(desc):
    return {"description": desc, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}}


FILTER_PARAMS = [
    {"name": "status", "in": "query", "schema": STATUS},
    {"name": "party", "in": "query", "schema": {"type": "string"}, "description": "an agent who disputes the claim"},
    {"name": "claimant", "in": "query", "schema": {"type": "string"}},
    {"name": "about", "in": "query", "schema": {"type": "string"}, "description": "an agent or topic"},
    {"name": "source", "in": "query", "schema": {"type": "string"}},
    {"name": "date_from", "in": "query", "schema": {"type": "string"}},
    {"name": "date_to", "in": "query", "schema": {"type": "string"}},
    {"name": "date", "in": "query", "schema": {"type": "string"},
     "description": "a value of the date facet: a month (YYYY-MM), or a year for claims dated only to the year"},
    {"name": "language", "in": "query", "schema": {"type": "string"}, "description": "claims with text in it"},
    {"name": "q", "in": "query", "schema": {"type": "string"},
     "description": "text search, English or Japanese, in the claims' texts and quotes, their disputes' and the names "
                    "of their claimant, parties and entities; width, case, spaces and hyphens between words do not "
                    "matter; best match first, each claim with its match"},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 20}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
]
RATING = {"type": "string", "enum": ["accurate", "mostly-accurate", "mixed", "misleading", "false", "unproven"]}
RELATION = {"type": "string", "enum": ["supports", "contradicts", "same-as", "refines"]}
VERDICT = {"type": ["object", "null"], "required": ["rating", "label", "text", "author", "date"],
           "description": "what analysts conclude (a schema:ClaimReview); never part of the derived status",
           "properties": {"rating": {"anyOf": [RATING, {"type": "null"}],
                                     "description": "null: an imported rating that maps onto none of ours"},
                          "label": LANG_MAP, "text": LANG_MAP, "author": {"type": "object"},
                          "date": {"type": "string", "format": "date"}, "unmapped": {"type": "boolean"},
                          "rating_name": {"type": ["string", "null"]}, "rating_value": {"type": ["number", "null"]},
                          "sources": {"type": "array", "items": {"type": "object"}}}}
RELATION_OUT = {"type": "object", "required": ["relation", "claim", "direction"], "properties": {
    "id": {"type": "string", "description": "the relation record (DELETE it to undo)"}, "relation": RELATION,
    "claim": {"type": "string"}, "direction": {"type": "string", "enum": ["out", "in"]},
    "note": {"oneOf": [LANG_MAP, {"type": "null"}], "description": "the analyst's note on the relation, by language"}}}
CID = {"name": "cid", "in": "path", "required": True, "schema": {"type": "string"}, "description": "the claim's id"}


COMMENT = {"type": "object", "required": ["id", "claim", "author", "created", "text", "withdrawn"], "properties": {
    "id": {"type": "string"}, "iri": {"type": "string"}, "claim": {"type": "string"}, "author": {"type": "string"},
    "created": {"type": "string", "format": "date-time"}, "text": {"type": "string"}, "edited": {"type": "boolean"},
    "editable_until": {"type": "string", "description": "its author may change it until then (10 minutes)"},
    "withdrawn": {"type": ["string", "null"], "description": "when it was withdrawn (it stays in the thread)"}}}
CMID = {"name": "cmid", "in": "path", "required": True, "schema": {"type": "string"}, "description": "the comment's id"}
WATCH = {"type": "object", "required": ["kind", "id"], "properties": {
    "kind": {"type": "string", "enum": ["claim", "agent", "topic", "source"]}, "id": {"type": "string"}}}
CHANGE = {"type": "object", "required": ["kind", "at", "text", "link", "via"], "properties": {
    "kind": {"type": "string", "enum": ["stance", "status", "verdict", "new-claim", "source-text"]},
    "at": {"type": "string", "format": "date-time"}, "by": {"type": ["string", "null"]},
    "text": {"type": "string", "description": "the change in a sentence: \"Microsoft moved from confirms to denies\""},
    "link": {"type": "string"}, "from": {"type": ["string", "null"]}, "to": {"type": ["string", "null"]},
    "claim": {"type": "object"}, "party": {"type": "object"}, "source": {"type": "object"}, "via": WATCH}}


def _follow_paths(secured) -> dict:
    """Comments on a claim, following, the changes (app/follow.py)."""
    def of(schema):
        return {"application/json": {"schema": schema}}
    watch = {"requestBody": {"required": True, "content": of(WATCH)}, "security": secured,
             "responses": {"200": {"description": "what is followed now", "content": of(
                 {**WATCH, "properties": {**WATCH["properties"], "following": {"type": "boolean"}}})},
                 "400": _error("not a claim, agent, topic or source"), "401": _error("no valid token"),
                 "404": _error("no such record")}}
    return {
        "/api/claims/{cid}/comments": {
            "get": {"summary": "The analysts' comment thread of a claim, oldest first (analysts and admins, or "
                               "everyone with COMMENTS_PUBLIC)", "operationId": "listComments", "parameters": [CID],
                    "responses": {"200": {"description": "the comments", "content": of(
                        {"type": "array", "items": COMMENT})},
                        "401": _error("not signed in"), "403": _error("not an analyst"),
                        "404": _error("no such claim")}},
            "post": {"summary": "Comment on a claim", "operationId": "addComment", "parameters": [CID],
                     "security": secured, "requestBody": {"required": True, "content": of(
                         {"type": "object", "required": ["text"], "properties": {
                             "text": {"type": "string", "maxLength": 5000}}})},
                     "responses": {"201": {"description": "the comment", "content": of(COMMENT)},
                                   "401": _error("no valid token"), "403": _error("not an analyst"),
                                   "404": _error("no such claim"), "422": _error("no text, or too long")}},
        },
        "/api/comments/{cmid}": {
            "put": {"summary": "Change a comment's text (its author, within 10 minutes of writing it)",
                    "operationId": "editComment", "parameters": [CMID], "security": secured,
                    "requestBody": {"required": True, "content": of(
                        {"type": "object", "required": ["text"], "properties": {
                            "text": {"type": "string", "maxLength": 5000}}})},
                    "responses": {"200": {"description": "the comment", "content": of(COMMENT)},
                                  "401": _error("no valid token"), "403": _error("not its author"),
                                  "404": _error("no such comment"),
                                  "409": _error("fixed (older than 10 minutes) or withdrawn; nothing changed"),
                                  "422": _error("no text, or too long")}},
            "delete": {"summary": "Withdraw a comment (its author): it stays in the thread, marked withdrawn",
                       "operationId": "withdrawComment", "parameters": [CMID], "security": secured,
                       "responses": {"200": {"description": "the comment", "content": of(COMMENT)},
                                     "401": _error("no valid token"), "403": _error("not its author"),
                                     "404": _error("no such comment"), "409": _error("already withdrawn")}},
        },
        "/api/watch": {
            "get": {"summary": "What the signed-in user follows", "operationId": "listWatched",
                    "responses": {"200": {"description": "followed records", "content": of(
                        {"type": "array", "items": WATCH})}, "401": _error("not signed in")}},
            "post": {"summary": "Follow a claim, an agent, a topic or a source", "operationId": "watch", **watch},
            "delete": {"summary": "Stop following it", "operationId": "unwatch", **watch},
        },
        "/api/changes": {
            "get": {"summary": "What changed in what the signed-in user follows since their last visit, newest first "
                               "(the visit is noted)", "operationId": "changes",
                    "responses": {"200": {"description": "the changes", "content": of({
                        "type": "object", "properties": {"since": {"type": ["string", "null"]},
                                                         "changes": {"type": "array", "items": CHANGE}}})},
                        "401": _error("not signed in")}},
        },
    }


DRAFT = {"type": "object", "required": ["draft", "state", "author", "records", "steps"], "properties": {
    "draft": {"type": "integer", "description": "the draft's number (/api/review/{n}, /review/{n})"},
    "state": {"type": "string", "enum": ["draft", "in-review", "returned", "published"]},
    "author": {"type": "string"}, "assignee": {"type": ["string", "null"]},
    "created": {"type": "string"}, "modified": {"type": "string"},
    "action": {"type": ["string", "null"], "description": "withdrawn or restored, for such a write"},
    "claims": {"type": "array", "items": {"type": "string"}, "description": "the claims it writes or concerns"},
    "title": LANG_MAP,
    "records": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "string"}, "iri": {"type": "string"}, "kind": {"type": "string"},
        "from_version": {"type": "integer", "description": "the version it was made from (0: a new record)"}}}},
    "steps": {"type": "array", "items": {"type": "object", "properties": {
        "action": {"type": "string", "enum": ["submit", "return", "assign", "approve"]}, "by": {"type": "string"},
        "at": {"type": "string"}, "comment": {"type": ["string", "null"]}}}},
    "returned_with": {"type": ["string", "null"], "description": "the comment it was returned with"}}}
N = {"name": "n", "in": "path", "required": True, "schema": {"type": "integer"}, "description": "the draft's number"}


def _review_paths(secured) -> dict:
    """Review before publication (app/review.py); with REVIEW_REQUIRED on, the writes answer 202 with the draft."""
    def of(schema):
        return {"application/json": {"schema": schema}}
    gone = _error("no such draft, or not for you: to anyone but analysts and admins drafts do not exist")
    comment = {"requestBody": {"required": False, "content": of({"type": "object", "properties": {
        "comment": {"type": "string", "maxLength": 5000, "description": "why it is returned (required to return)"},
        "to": {"type": ["string", "null"], "description": "assign: the analyst's name (null: nobody)"}}})}}

    def step(summary, op, extra, params):
        return {"post": {"summary": summary, "operationId": op, "parameters": params, "security": secured,
                         **comment, "responses": {
                             "200": {"description": "the draft", "content": of(DRAFT)},
                             "401": _error("no valid token"), "403": _error(extra), "404": gone,
                             "409": _error("not in the state this step needs, or (approve) a record it edits has "
                                           "changed since the draft was made; nothing changed"),
                             "422": _error("return without a comment")}}}
    out = {"/api/review": {"get": {
        "summary": "The signed-in analyst's queue: drafts in review awaiting them (not theirs; assigned to them "
                   "or to nobody), and the open drafts they sent", "operationId": "reviewQueue",
        "responses": {"200": {"description": "the queue", "content": of({"type": "object", "properties": {
            "awaiting": {"type": "array", "items": DRAFT}, "sent": {"type": "array", "items": DRAFT}}})},
            "404": gone}}},
        "/api/review/{n}": {"get": {"summary": "A draft, with its records field by field beside the published "
                                               "version", "operationId": "getDraft", "parameters": [N],
                                    "responses": {"200": {"description": "the draft", "content": of(DRAFT)},
                                                  "404": gone}}}}
    for name, summary, extra in (
            ("submit", "Send a draft (or a returned one) for review: its author", "not its author"),
            ("approve", "Publish a draft in review: written as its author's, from the versions it was made from "
                        "(an analyst never their own; an admin may)", "one's own draft (analysts)"),
            ("return", "Return a draft in review to its author with a comment", "not an analyst"),
            ("assign", "Assign a draft in review to an analyst (to: name, or null)", "not an analyst")):
        out[f"/api/review/{{n}}/{name}"] = step(summary, f"{name}Draft", extra, [N])
        if name != "assign":
            out[f"/api/claims/{{cid}}/{name}"] = step(
                summary + "; the claim's open draft (the claim itself, new or edited; else its one open draft: "
                          "a dispute, verdict or relation)", f"{name}ClaimDraft", extra, [CID])
    return out


DRAFTED_OPS = ("addClaim", "editClaim", "addDispute", "addVerdict", "addRelation", "withdrawRelation", "restoreClaim")


def _with_drafts(doc: dict) -> dict:
    """The writes that become drafts with REVIEW_REQUIRED answer 202 with the draft."""
    for item in doc["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") in DRAFTED_OPS:
                op["responses"]["202"] = {"description": "with REVIEW_REQUIRED on: not published, kept as a draft "
                                                         "awaiting review (see /api/review)",
                                          "content": {"application/json": {"schema": DRAFT}}}
    return doc


@cache
def document() -> dict:
    from kb import __version__

    claim_out = {"type": "object", "required": ["id", "iri", "text", "claimant", "about", "sources", "status",
                                                "disputes"],
                 "properties": {
                     "id": {"type": "string"}, "iri": {"type": "string", "format": "uri"}, "text": LANG_MAP,
                     "claimant": {"anyOf": [{"$ref": "#/components/schemas/Ref"}, {"type": "null"}]},
                     "sourcing": {"type": ["string", "null"]},
                     "about": {"type": "array", "items": {"$ref": "#/components/schemas/Ref"}},
                     "sources": {"type": "array", "items": {"type": "object"}},
                     "date": DATE, "status": STATUS, "version": {"type": "integer"},
                     "quote": {"type": ["object", "null"]}, "note": NOTE,
                     "disputes": {"type": "array", "items": {"$ref": "#/components/schemas/Dispute"}},
                     "status_timeline": {"type": "array", "items": {"type": "object"}},
                     "recorded_by": {"type": ["string", "null"]}, "recorded_at": {"type": ["string", "null"]},
                     "withdrawn": {"type": ["string", "null"]}, "verdict": VERDICT,
                     "relations": {"type": "array", "items": RELATION_OUT},
                     "also_reported_as": {"type": "array", "items": {"type": "string"},
                                          "description": "claims that are the same as this one (duplicates)"}}}
    dispute_out = {"type": "object", "required": ["id", "party", "stance", "text", "date", "sources"],
                   "properties": {"id": {"type": "string"}, "iri": {"type": "string"},
                                  "party": {"$ref": "#/components/schemas/Ref"}, "stance": STANCE,
                                  "text": LANG_MAP, "date": DATE, "dated_by": DATED_BY,
                                  "sources": {"type": "array", "items": {"type": "object"}},
                                  "quote": {"type": ["object", "null"]},
                                  "withdrawn": {"type": ["string", "null"]}}}
    claim_in = {"type": "object", "required": ["text", "claimant", "about", "sources"],
                "description": "the keys of a YAML claim record (DESIGN.md, 'The YAML import format')",
                "properties": {"id": {"type": "string"}, "text": LANG_MAP,
                               "claimant": {"type": "string"}, "sourcing": {"type": "string"},
                               "about": {"type": "array", "items": {"type": "string"}},
                               "sources": {"type": "array", "items": {"type": "string"}},
                               "date": {"type": "string"}, "quote": QUOTE_IN, "note": LANG_MAP,
                               "disputes": {"type": "array", "items": {"$ref": "#/components/schemas/DisputeIn"}}}}
    dispute_in = {"type": "object", "required": ["party", "stance", "text", "sources"],
                  "properties": {"party": {"type": "string"}, "stance": STANCE, "text": LANG_MAP,
                                 "date": {"type": "string"},
                                 "sources": {"type": "array", "items": {"type": "string"}},
                                 "quote": QUOTE_IN,
                                 "counter_claim": {"anyOf": [{"type": "string"}, {"type": "object"}],
                                                   "description": "the claim the party makes instead: a claim record "
                                                                  "(written with the dispute) or a claim's id"}}}
    json_of = lambda ref: {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}  # noqa: E731
    secured = [{"bearer": []}]
    return _with_drafts({
        "openapi": "3.1.0",
        "info": {"title": "ClaimKB JSON API", "version": __version__,
                 "description": "Claims, who disputes them, and their sources. Reads are public unless the "
                                "server says otherwise; writes need an analyst's token (`kb user token NAME`)."},
        "paths": {
            "/api/claims": {
                "get": {"summary": "Claims, newest first, filtered", "operationId": "listClaims",
                        "parameters": FILTER_PARAMS,
                        "responses": {"200": {"description": "a page of claims", "content": json_of("ClaimList")},
                                      "400": _error("a filter has a bad value")}},
                "post": {"summary": "Record a claim", "operationId": "addClaim", "security": secured,
                         "requestBody": {"required": True, "content": json_of("ClaimIn")},
                         "responses": {"201": {"description": "the claim as stored", "content": json_of("Claim")},
                                       "400": _error("the body is not a JSON object"),
                                       "401": _error("no valid token"), "403": _error("not an analyst"),
                                       "409": {"description": "a claim with this id exists and differs (edit it "
                                                              "with PUT); nothing written",
                                               "content": json_of("Conflict")},
                                       "422": _error("the record does not satisfy the shapes; nothing written")}},
            },
            "/api/claims/{cid}": {
                "get": {"summary": "One claim with its disputes and derived status", "operationId": "getClaim",
                        "parameters": [CID],
                        "responses": {"200": {"description": "the claim; its ETag is its version",
                                              "content": json_of("Claim")},
                                      "303": {"description": "to an analyst or admin, a claim not yet published: "
                                                             "its draft (/api/review/{n})"},
                                      "404": _error("no such claim (or, to anyone else, a draft)")}},
                "put": {"summary": "Edit a claim: its whole record, made from the version read",
                        "operationId": "editClaim", "parameters": [
                            CID, {"name": "If-Match", "in": "header", "schema": {"type": "string"},
                                  "description": "the version edited, when the body has no \"version\""}],
                        "security": secured,
                        "requestBody": {"required": True, "content": json_of("ClaimEdit")},
                        "responses": {"200": {"description": "the claim as now stored", "content": json_of("Claim")},
                                      "400": _error("the body is not a JSON object, or a bad version"),
                                      "401": _error("no valid token"), "403": _error("not an analyst"),
                                      "404": _error("no such claim"),
                                      "409": {"description": "the claim changed since that version; nothing written",
                                              "content": json_of("Conflict")},
                                      "422": _error("the record does not satisfy the shapes; nothing written"),
                                      "428": _error("no version given")}},
            },
            "/api/claims/{cid}/disputes": {
                "post": {"summary": "Record a dispute of a claim", "operationId": "addDispute",
                         "parameters": [CID], "security": secured,
                         "requestBody": {"required": True, "content": json_of("DisputeIn")},
                         "responses": {"201": {"description": "the disputed claim as stored",
                                               "content": json_of("Claim")},
                                       "400": _error("the body is not a JSON object"),
                                       "401": _error("no valid token"), "403": _error("not an analyst"),
                                       "404": _error("no such claim"),
                                       "422": _error("the record does not satisfy the shapes; nothing written")}},
            },
            "/api/claims/{cid}/verdicts": {
                "post": {"summary": "Record an analyst's verdict on a claim (it supersedes the one before)",
                         "operationId": "addVerdict", "parameters": [CID], "security": secured,
                         "requestBody": {"required": True, "content": {"application/json": {"schema": {
                             "type": "object", "required": ["rating"], "properties": {
                                 "rating": RATING, "text": LANG_MAP, "date": {"type": "string", "format": "date"},
                                 "sources": {"type": "array", "items": {"type": "string"}},
                                 "quotes": {"type": "array", "items": {
                                     "type": "object", "required": ["source", "exact"],
                                     "properties": {"source": {"type": "string"}, "exact": {"type": "string"}}}}}}}}},
                         "responses": {"201": {"description": "the claim with its verdict", "content": json_of("Claim")},
                                       "400": _error("the body is not a JSON object"),
                                       "401": _error("no valid token"), "403": _error("not an analyst"),
                                       "404": _error("no such claim"),
                                       "422": _error("a rating outside the scheme, or another bad field; nothing "
                                                     "written")}},
            },
            "/api/claims/{cid}/relations": {
                "post": {"summary": "Relate a claim to another: supports, contradicts, same-as, refines",
                         "operationId": "addRelation", "parameters": [CID], "security": secured,
                         "requestBody": {"required": True, "content": {"application/json": {"schema": {
                             "type": "object", "required": ["relation", "claim"], "properties": {
                                 "relation": RELATION, "claim": {"type": "string"}, "note": LANG_MAP}}}}},
                         "responses": {"201": {"description": "the claim with its relations",
                                               "content": json_of("Claim")},
                                       "400": _error("the body is not a JSON object"),
                                       "401": _error("no valid token"), "403": _error("not an analyst"),
                                       "404": _error("no such claim"),
                                       "422": _error("unknown relation or claim, the claim itself, or a same-as "
                                                     "circle; nothing written")}},
            },
            "/api/claims/{cid}/relations/{rid}": {
                "delete": {"summary": "Undo a relation (withdrawn: kept in the history)",
                           "operationId": "withdrawRelation", "security": secured,
                           "parameters": [CID, {"name": "rid", "in": "path", "required": True,
                                                "schema": {"type": "string"}, "description": "the relation's id"}],
                           "responses": {"200": {"description": "the claim", "content": json_of("Claim")},
                                         "401": _error("no valid token"), "403": _error("not an analyst"),
                                         "404": _error("no such claim or relation")}},
            },
            "/api/claims/{cid}/history": {
                "get": {"summary": "Every version of a claim: who, when, what was added and removed",
                        "operationId": "claimHistory", "parameters": [CID],
                        "responses": {"200": {"description": "the versions, oldest first",
                                              "content": json_of("History")},
                                      "404": _error("no such claim")}},
            },
            "/api/claims/{cid}/versions/{n}/restore": {
                "post": {"summary": "Make an earlier version current again (itself a new version)",
                         "operationId": "restoreClaim", "security": secured,
                         "parameters": [CID, {"name": "n", "in": "path", "required": True,
                                              "schema": {"type": "integer", "minimum": 1}}],
                         "responses": {"200": {"description": "the claim as now stored", "content": json_of("Claim")},
                                       "401": _error("no valid token"), "403": _error("not an analyst"),
                                       "404": _error("no such claim or version"),
                                       "409": _error("the claim changed while this was tried")}},
            },
            "/api/users": {
                "get": {"summary": "Accounts and their roles (admins)", "operationId": "listUsers",
                        "security": secured,
                        "responses": {"200": {"description": "the accounts", "content": json_of("Users")},
                                      "401": _error("no valid token"), "403": _error("not an admin")}},
                "post": {"summary": "Add an account (admins)", "operationId": "addUser", "security": secured,
                         "requestBody": {"required": True, "content": json_of("UserIn")},
                         "responses": {"201": {"description": "the account", "content": json_of("User")},
                                       "400": _error("a bad name, role or password"),
                                       "401": _error("no valid token"), "403": _error("not an admin"),
                                       "409": _error("the name is taken")}},
            },
            "/api/users/{name}": {
                "delete": {"summary": "Delete an account and its tokens (admins)", "operationId": "deleteUser",
                           "security": secured,
                           "parameters": [{"name": "name", "in": "path", "required": True,
                                           "schema": {"type": "string"}}],
                           "responses": {"204": {"description": "deleted"},
                                         "401": _error("no valid token"), "403": _error("not an admin"),
                                         "404": _error("no such account"),
                                         "409": _error("an admin cannot delete their own account")}},
            },
            "/api/import": {
                "post": {"summary": "Bulk import of a YAML document (admins): validated whole, all or nothing",
                         "operationId": "bulkImport", "security": secured,
                         "requestBody": {"required": True, "content": {
                             "application/yaml": {"schema": {"type": "string",
                                                             "description": "DESIGN.md's YAML import format"}},
                             "application/ld+json": {"schema": {"description": "ClaimKB's RDF as JSON-LD, or "
                                                                "schema.org ClaimReview markup: one review, a list, "
                                                                "or a DataFeed (each becomes a claim and a verdict)"}}}},
                         "responses": {"200": {"description": "records created, updated and unchanged, by kind",
                                               "content": json_of("ImportResult")},
                                       "400": _error("not valid YAML (the line is named)"),
                                       "401": _error("no valid token"), "403": _error("not an admin"),
                                       "413": _error("larger than MAX_CONTENT_LENGTH"),
                                       "422": _error("some record does not satisfy the shapes; nothing written")}},
            },
            **_source_paths(json_of, secured),
            **_follow_paths(secured),
            **_review_paths(secured),
            "/api/openapi.json": {
                "get": {"summary": "This document", "operationId": "openapi",
                        "responses": {"200": {"description": "OpenAPI 3.1",
                                              "content": {"application/json": {"schema": {"type": "object"}}}}}},
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "a token printed by `kb user token NAME`"}},
            "schemas": {
                "Ref": REF, "Claim": claim_out, "Dispute": dispute_out, "ClaimIn": claim_in,
                "DisputeIn": dispute_in, "Errors": ERRORS, "SourceIn": SOURCE_IN, "Source": SOURCE_OUT,
                "ClaimEdit": {"allOf": [{"$ref": "#/components/schemas/ClaimIn"}, {
                    "type": "object", "properties": {"version": {
                        "type": "integer", "minimum": 1,
                        "description": "the claim's version as read (its \"version\" or ETag)"}}}]},
                "Version": VERSION, "History": {"type": "object", "required": ["versions"], "properties": {
                    "id": {"type": "string"}, "versions": {"type": "array", "items": VERSION}}},
                "Conflict": {"type": "object", "required": ["errors", "current_version", "changes"], "properties": {
                    "errors": ERRORS["properties"]["errors"], "your_version": {"type": "integer"},
                    "current_version": {"type": "integer"},
                    "changes": {"type": "array", "items": VERSION,
                                "description": "the versions made since yours: who, when, added, removed"}}},
                "User": {"type": "object", "required": ["name", "role"], "properties": {
                    "name": {"type": "string"}, "role": ROLE}},
                "UserIn": {"type": "object", "required": ["name", "password"], "properties": {
                    "name": {"type": "string"}, "role": ROLE, "password": {"type": "string", "minLength": 8}}},
                "Users": {"type": "object", "required": ["users"], "properties": {
                    "users": {"type": "array", "items": {"$ref": "#/components/schemas/User"}}}},
                "ImportResult": {"type": "object", "required": ["created", "updated", "unchanged"],
                                 "properties": {k: {"type": "object", "additionalProperties": {"type": "integer"}}
                                                for k in ("created", "updated", "unchanged")}},
                "ClaimList": {"type": "object", "required": ["claims", "total"], "properties": {
                    "claims": {"type": "array", "items": {"$ref": "#/components/schemas/ClaimSummary"}},
                    "total": {"type": "integer"}, "limit": {"type": "integer"}, "offset": {"type": "integer"}}},
                "ClaimSummary": {"type": "object", "required": ["id", "iri", "text", "status"], "properties": {
                    "id": {"type": "string"}, "iri": {"type": "string", "format": "uri"}, "text": LANG_MAP,
                    "claimant": {"anyOf": [{"$ref": "#/components/schemas/Ref"}, {"type": "null"}]},
                    "status": STATUS, "date": DATE,
                    "about": {"type": "array", "items": {"$ref": "#/components/schemas/Ref"}},
                    "sources": {"type": "array", "items": {"type": "object"}},
                    "disputes": {"type": "integer", "description": "how many standing disputes"},
                    "match": MATCH}},
            },
        },
    })
