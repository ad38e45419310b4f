"""JSON API: claims with the list's filters; one claim; record claims and disputes."""

from flask import Blueprint, current_app, jsonify, request

from kb import KBError

from .auth import require_writer
from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api")
FILTERS = ("status", "party", "claimant", "about", "source", "date_from", "date_to", "date", "language", "q")


def kb():
    return current_app.extensions["kb"]


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.get("/claims")
def claims():
    args = {k: request.args[k] for k in FILTERS if request.args.get(k)}
    limit = request.args.get("limit", 20, type=int)
    offset = request.args.get("offset", 0, type=int)
    return jsonify(kb().list_claims(**args, limit=limit, offset=offset))


@bp.get("/claims/<cid>")
def claim(cid):
    return jsonify(kb().get_claim(cid))


def body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise KBError("the body must be a JSON object with the keys of a YAML record")
    return data


@bp.post("/claims")
def add_claim():
    who = require_writer(token=True)
    return jsonify(kb().add_claim(body(), by=who)), 201


@bp.post("/claims/<cid>/disputes")
def add_dispute(cid):
    who = require_writer(token=True)
    return jsonify(kb().add_dispute(cid, body(), by=who)), 201
