"""JSON API: claims with the list's filters; one claim; record, edit and restore
claims and record disputes (analysts); accounts and bulk imports (admins)."""

import re

from flask import Blueprint, current_app, jsonify, redirect, request, url_for

from kb import KBError, NotFound
from kb.filters import raw as filters_from

from .auth import require_admin, require_writer, users
from .context import get_kb
from .openapi import document
from .review import draft_of_unpublished, made

bp = Blueprint("api", __name__, url_prefix="/api")



@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.get("/claims")
def claims():
    args = filters_from(request.args)
    limit = request.args.get("limit", 20, type=int)
    offset = request.args.get("offset", 0, type=int)
    return jsonify(get_kb().list_claims(**args, limit=limit, offset=offset))


@bp.get("/claims/<cid>")
def claim(cid):
    try:
        return _with_etag(get_kb().get_claim(cid))
    except NotFound:
        n = draft_of_unpublished(cid)  # a claim not yet published: its draft, for analysts
        if n is None:
            raise
        return redirect(url_for("review_api.draft_api", n=n), code=303)


def _with_etag(claim: dict):
    """The claim as JSON, its version as the ETag (for If-Match on PUT)."""
    resp = jsonify(claim)
    resp.headers["ETag"] = f'"{claim["version"]}"'
    return resp


def body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise KBError("the body must be a JSON object with the keys of a YAML record")
    return data


@bp.post("/claims")
def add_claim():
    who = require_writer(token=True)
    # a new claim: an existing one is changed only by PUT, from the version read (no lost updates)
    done = get_kb().add_claim(body(), by=who, expected_version=0)
    return jsonify(done), 202 if "draft" in done else 201


@bp.post("/claims/<cid>/disputes")
def add_dispute(cid):
    who = require_writer(token=True)
    done = get_kb().add_dispute(cid, body(), by=who)
    return jsonify(done), 202 if "draft" in done else 201


@bp.post("/claims/<cid>/verdicts")
def add_verdict(cid):
    """An analyst's verdict (``rating``, ``text``, ``sources``, ``date``): the claim with its verdict now current."""
    who = require_writer(token=True)
    get_kb().verdicts.add(cid, body(), by=who)
    drafted = made()  # with REVIEW_REQUIRED: a draft, published when approved
    return (jsonify(drafted), 202) if drafted else (jsonify(get_kb().get_claim(cid)), 201)


@bp.post("/claims/<cid>/relations")
def add_relation(cid):
    """Relate the claim to another (``relation``, ``claim``, ``note``): the claim with its relations."""
    who = require_writer(token=True)
    get_kb().relations.add(cid, body(), by=who)
    drafted = made()
    return (jsonify(drafted), 202) if drafted else (jsonify(get_kb().get_claim(cid)), 201)


@bp.delete("/claims/<cid>/relations/<rid>")
def withdraw_relation(cid, rid):
    """Undo a relation (it stays in the history)."""
    who = require_writer(token=True)
    if rid not in {r["id"] for r in get_kb().get_claim(cid)["relations"]}:
        raise KBError(f"claim {cid!r} has no standing relation {rid!r}", status=404)
    get_kb().relations.withdraw(rid, by=who)
    drafted = made()
    return (jsonify(drafted), 202) if drafted else jsonify(get_kb().get_claim(cid))


def _edited_version(data: dict) -> int:
    """The version an edit was made from: ``version`` in the body, else ``If-Match``; 428 without either."""
    given = data.pop("version", None)
    if given is None and request.headers.get("If-Match"):
        m = re.fullmatch(r'\s*(?:W/)?"?(\d+)"?\s*', request.headers["If-Match"])
        if not m:
            raise KBError('If-Match must be the version the edit was made from, e.g. If-Match: "3"')
        given = m.group(1)
    if given is None:
        raise KBError("an edit needs the version it was made from: send \"version\" in the body "
                      "(the claim's \"version\" as you read it) or an If-Match header", status=428)
    try:
        version = int(given)
    except (TypeError, ValueError):
        version = 0
    if isinstance(given, bool) or version < 1:
        raise KBError(f"version must be a version number of the claim, 1 or more (got {given!r})")
    return version


@bp.put("/claims/<cid>")
def edit_claim(cid):
    """Replace a claim's record with this one, made from ``version``; 409 if it changed since."""
    who = require_writer(token=True)
    data = body()
    version = _edited_version(data)
    if data.setdefault("id", cid) != cid:
        raise KBError(f"the body's id {data['id']!r} is not this claim's ({cid!r})")
    get_kb().get_claim(cid)  # 404 if there is no such claim: PUT edits, POST /api/claims records
    done = get_kb().add_claim(data, by=who, expected_version=version)
    return (jsonify(done), 202) if "draft" in done else _with_etag(done)


@bp.get("/claims/<cid>/history")
def claim_history(cid):
    """Every version of the claim: who, when, what action, the triples added and removed."""
    return jsonify({"id": cid, "versions": get_kb().history("claim", cid)})


@bp.post("/claims/<cid>/versions/<int:n>/restore")
def restore_claim(cid, n):
    """Make version ``n`` current again; the restoring is itself a new version."""
    who = require_writer(token=True)
    done = get_kb().restore("claim", cid, n, by=who)
    return (jsonify(done), 202) if "draft" in done else jsonify(done)


# ---- sources that keep their text (issue 13) ---------------------------------------------

def allow_hosts() -> list[str]:
    """FETCH_ALLOW_HOSTS: a list, or names separated by commas or spaces."""
    given = current_app.config.get("FETCH_ALLOW_HOSTS") or ()
    if isinstance(given, str):
        given = given.replace(",", " ").split()
    return [str(h) for h in given]


@bp.post("/sources")
def add_source():
    """A new source with its text (``text``, or ``"fetch": true`` with its ``url``)."""
    who = require_writer(token=True)
    return jsonify(get_kb().sources.add(body(), by=who, allow_hosts=allow_hosts())), 201


@bp.get("/sources/<sid>")
def source(sid):
    return jsonify(get_kb().sources.get(sid))


@bp.put("/sources/<sid>")
def recapture_source(sid):
    """Capture the text again (``text`` or ``"fetch": true``), from ``version``: a new version when it changed."""
    who = require_writer(token=True)
    data = body()
    version = _edited_version(data)
    return jsonify(get_kb().sources.recapture(sid, data, by=who, version=version, allow_hosts=allow_hosts()))


# ---- admins: accounts and bulk imports -------------------------------------------------

@bp.get("/users")
def list_users():
    require_admin(token=True)
    return jsonify({"users": users().list()})


@bp.post("/users")
def add_user():
    require_admin(token=True)
    data = body()
    name, role, password = data.get("name"), data.get("role", "analyst"), data.get("password")
    if not all(isinstance(v, str) for v in (name, role, password)):
        raise KBError("a new account needs name, role and password, each a string")
    users().add(name, role, password)
    return jsonify(users().get(name)), 201


@bp.delete("/users/<name>")
def delete_user(name):
    who = require_admin(token=True)
    if name == who:
        raise KBError("you cannot delete your own account (another admin can)", status=409)
    users().delete(name)
    return "", 204


@bp.post("/import")
def bulk_import():
    """A YAML document (DESIGN.md's import format), or JSON-LD (``application/ld+json``: ClaimKB's RDF,
    or schema.org ClaimReviews): validated whole, all or nothing; answers the counts."""
    who = require_admin(token=True)
    data = request.get_data(cache=False)
    if not data:
        raise KBError("send the YAML document as the request body")
    if request.mimetype in ("application/ld+json", "application/json"):
        return jsonify(get_kb().import_rdf(data, "jsonld", by=who, name="the request body").to_dict())
    return jsonify(get_kb().import_yaml(data, by=who, name="the request body").to_dict())
