"""JSON API: claims with the list's filters; one claim."""

from flask import Blueprint, current_app, jsonify, request

from kb import KBError

bp = Blueprint("api", __name__, url_prefix="/api")
FILTERS = ("status", "party", "claimant", "about", "source", "date_from", "date_to", "language", "q")


def kb():
    return current_app.extensions["kb"]


@bp.get("/claims")
def claims():
    args = {k: request.args[k] for k in FILTERS if request.args.get(k)}
    limit = request.args.get("limit", 20, type=int)
    offset = request.args.get("offset", 0, type=int)
    return jsonify(kb().list_claims(**args, limit=limit, offset=offset))


@bp.get("/claims/<cid>")
def claim(cid):
    return jsonify(kb().get_claim(cid))


def analyst() -> str:
    """The analyst behind a write: a Bearer token of an analyst or admin."""
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        raise KBError("sign in first: send Authorization: Bearer TOKEN (kb user token NAME)", status=401)
    user = current_app.extensions["users"].check_token(auth[7:].strip())
    if user is None:
        raise KBError("the token is not valid", status=401)
    if user["role"] not in ("analyst", "admin"):
        raise KBError(f"{user['name']} is a {user['role']}; recording needs an analyst", status=403)
    return user["name"]


def body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise KBError("the body must be a JSON object with the keys of a YAML record")
    return data


@bp.post("/claims")
def add_claim():
    who = analyst()
    return jsonify(kb().add_claim(body(), by=who)), 201


@bp.post("/claims/<cid>/disputes")
def add_dispute(cid):
    who = analyst()
    return jsonify(kb().add_dispute(cid, body(), by=who)), 201
