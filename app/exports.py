"""Turtle and friends: the whole knowledge base, one claim, a list view, one version."""

from __future__ import annotations

import io

from flask import Blueprint, Response, current_app, request

from kb import KBError
from kb.io import MEDIA_TYPES

bp = Blueprint("exports", __name__)
FORMATS = {"ttl": "turtle", "trig": "trig", "jsonld": "jsonld", "nt": "nt", "nq": "nq"}
LIST_FILTERS = ("status", "party", "claimant", "about", "source", "date_from", "date_to", "date", "language", "q")


def kb():
    return current_app.extensions["kb"]


def turtle(graph, filename: str | None = None) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else {}
    return Response(graph.serialize(format="turtle"), mimetype="text/turtle", headers=headers)


@bp.get("/export.<fmt>")
def export(fmt):
    if fmt not in FORMATS:
        raise KBError(f"no export as .{fmt} (use .ttl, .trig, .jsonld, .nt or .nq)", status=404)
    buf = io.BytesIO()
    kb().export(buf, FORMATS[fmt])
    return Response(buf.getvalue(), mimetype=MEDIA_TYPES[FORMATS[fmt]].split(";")[0],
                    headers={"Content-Disposition": f'attachment; filename="claimkb.{fmt}"'})


@bp.get("/claims/<cid>.ttl")
def claim_turtle(cid):
    return turtle(kb().claim_graph(cid), f"{cid}.ttl" if request.args.get("download") else None)


@bp.get("/claims.ttl")
def list_turtle():
    filters = {k: request.args[k] for k in LIST_FILTERS if request.args.get(k)}
    return turtle(kb().claims_graph(**filters), "claims.ttl")


@bp.get("/<any(claims, agents, sources, topics):section>/<rid>/versions/<int:n>.ttl")
def version_turtle(section, rid, n):
    return turtle(kb().version_graph(section[:-1], rid, n))
