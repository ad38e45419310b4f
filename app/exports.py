"""Turtle and friends: the whole knowledge base, one claim, a list view, one version."""

from __future__ import annotations

import io

from flask import Blueprint, Response, request

from kb import KBError
from kb.filters import raw as filters_from
from kb.io import MEDIA_TYPES

from .context import get_kb

bp = Blueprint("exports", __name__)
FORMATS = {"ttl": "turtle", "trig": "trig", "jsonld": "jsonld", "nt": "nt", "nq": "nq"}



def turtle(graph, filename: str | None = None) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else {}
    return Response(graph.serialize(format="turtle"), mimetype="text/turtle", headers=headers)


@bp.get("/export.<fmt>")
def export(fmt):
    if fmt not in FORMATS:
        raise KBError(f"no export as .{fmt} (use .ttl, .trig, .jsonld, .nt or .nq)", status=404)
    buf = io.BytesIO()
    get_kb().export(buf, FORMATS[fmt])
    return Response(buf.getvalue(), mimetype=MEDIA_TYPES[FORMATS[fmt]].split(";")[0],
                    headers={"Content-Disposition": f'attachment; filename="claimkb.{fmt}"'})


@bp.get("/claims/<cid>.ttl")
def claim_turtle(cid):
    return turtle(get_kb().claim_graph(cid), f"{cid}.ttl" if request.args.get("download") else None)


@bp.get("/claims.ttl")
def list_turtle():
    filters = filters_from(request.args)
    return turtle(get_kb().claims_graph(**filters), "claims.ttl")


@bp.get("/<any(claims, agents, sources, topics):section>/<rid>/versions/<int:n>.ttl")
def version_turtle(section, rid, n):
    return turtle(get_kb().version_graph(section[:-1], rid, n))
