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
    "source": {"type": "string", "description": "the source quoted (a local id or IRI)"}}}
ERRORS = {"type": "object", "required": ["errors"], "properties": {"errors": {"type": "array", "items": {
    "type": "object", "required": ["field", "message"], "properties": {
        "field": {"type": ["string", "null"], "description": "the YAML key concerned, when there is one"},
        "message": {"type": "string"},
        "record": {"type": ["string", "null"]}, "kind": {"type": ["string", "null"]},
        "value": {"type": ["string", "null"]}}}}}}


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
    {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "text search, English or Japanese"},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 20}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
]
CID = {"name": "cid", "in": "path", "required": True, "schema": {"type": "string"}, "description": "the claim's id"}


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
                     "quote": {"type": ["object", "null"]},
                     "disputes": {"type": "array", "items": {"$ref": "#/components/schemas/Dispute"}},
                     "status_timeline": {"type": "array", "items": {"type": "object"}},
                     "recorded_by": {"type": ["string", "null"]}, "recorded_at": {"type": ["string", "null"]},
                     "withdrawn": {"type": ["string", "null"]}}}
    dispute_out = {"type": "object", "required": ["id", "party", "stance", "text", "date", "sources"],
                   "properties": {"id": {"type": "string"}, "iri": {"type": "string"},
                                  "party": {"$ref": "#/components/schemas/Ref"}, "stance": STANCE,
                                  "text": LANG_MAP, "date": DATE,
                                  "sources": {"type": "array", "items": {"type": "object"}},
                                  "quote": {"type": ["object", "null"]},
                                  "withdrawn": {"type": ["string", "null"]}}}
    claim_in = {"type": "object", "required": ["text", "claimant", "about", "sources"],
                "description": "the keys of a YAML claim record (DESIGN.md, 'The YAML import format')",
                "properties": {"id": {"type": "string"}, "text": LANG_MAP,
                               "claimant": {"type": "string"}, "sourcing": {"type": "string"},
                               "about": {"type": "array", "items": {"type": "string"}},
                               "sources": {"type": "array", "items": {"type": "string"}},
                               "date": {"type": "string"}, "quote": QUOTE_IN,
                               "disputes": {"type": "array", "items": {"$ref": "#/components/schemas/DisputeIn"}}}}
    dispute_in = {"type": "object", "required": ["party", "stance", "text", "sources"],
                  "properties": {"party": {"type": "string"}, "stance": STANCE, "text": LANG_MAP,
                                 "date": {"type": "string"},
                                 "sources": {"type": "array", "items": {"type": "string"}},
                                 "quote": QUOTE_IN}}
    json_of = lambda ref: {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}  # noqa: E731
    secured = [{"bearer": []}]
    return {
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
                                       "422": _error("the record does not satisfy the shapes; nothing written")}},
            },
            "/api/claims/{cid}": {
                "get": {"summary": "One claim with its disputes and derived status", "operationId": "getClaim",
                        "parameters": [CID],
                        "responses": {"200": {"description": "the claim", "content": json_of("Claim")},
                                      "404": _error("no such claim")}},
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
                "DisputeIn": dispute_in, "Errors": ERRORS,
                "ClaimList": {"type": "object", "required": ["claims", "total"], "properties": {
                    "claims": {"type": "array", "items": {"type": "object"}}, "total": {"type": "integer"},
                    "limit": {"type": "integer"}, "offset": {"type": "integer"}}},
            },
        },
    }
