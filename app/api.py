"""JSON API: claims with the list's filters; one claim."""

from flask import Blueprint, current_app, jsonify, request

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
