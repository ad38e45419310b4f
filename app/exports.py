"""Turtle and friends: the whole knowledge base, one claim (Turtle or JSON-LD), a list view, one version."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, current_app, request, stream_with_context, url_for
from werkzeug.wsgi import wrap_file

from kb import KBError
from kb.filters import raw as filters_from
from kb.io import MEDIA_TYPES
from kb.results import serialize_graph

from .context import get_kb

bp = Blueprint("exports", __name__)
FORMATS = {"ttl": "turtle", "trig": "trig", "jsonld": "jsonld", "nt": "nt", "nq": "nq"}


def turtle(graph, filename: str | None = None) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else {}
    return Response(graph.serialize(format="turtle"), mimetype="text/turtle", headers=headers)


def jsonld(graph, filename: str | None = None) -> Response:
    """A graph as compacted JSON-LD (``kb.jsonld``), in the default graph."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else {}
    return Response(serialize_graph(graph, "jsonld"), mimetype="application/ld+json", headers=headers)


@bp.get("/export.<fmt>")
def export(fmt):
    if fmt not in FORMATS:
        raise KBError(f"no export as .{fmt} (use .ttl, .trig, .jsonld, .nt or .nq)", status=404)
    # written whole before the response starts (so a failure is still an error status, not a cut-off
    # file), or kept on disk since the last write (kb.export), then streamed from the file
    f, size = get_kb().export_file(FORMATS[fmt])
    return Response(wrap_file(request.environ, f), mimetype=MEDIA_TYPES[FORMATS[fmt]].split(";")[0],
                    direct_passthrough=True,
                    headers={"Content-Disposition": f'attachment; filename="claimkb.{fmt}"',
                             "Content-Length": str(size)})


def publisher() -> dict:
    """The organisation publishing the verdicts (settings PUBLISHER_NAME, PUBLISHER_URL)."""
    return {"name": current_app.config["PUBLISHER_NAME"],
            "url": current_app.config["PUBLISHER_URL"] or url_for("pages.index", _external=True)}


@bp.get("/claimreview.jsonld")
def claimreview_feed():
    """Every verdict as a schema.org DataFeed of ClaimReview items, streamed as it is read."""
    base = url_for("pages.claim", rid="-", _external=True)[:-1]
    parts = get_kb().reviews.feed(url_of=lambda cid: base + quote(cid), publisher=publisher())
    return Response(stream_with_context(parts), mimetype="application/ld+json")


@bp.get("/claims/<cid>.ttl")
def claim_turtle(cid):
    return turtle(get_kb().claim_graph(cid), f"{cid}.ttl" if request.args.get("download") else None)


@bp.get("/claims/<cid>.jsonld")
def claim_jsonld(cid):
    return jsonld(get_kb().claim_graph(cid), f"{cid}.jsonld" if request.args.get("download") else None)


@bp.get("/claims.ttl")
def list_turtle():
    filters = filters_from(request.args)
    return turtle(get_kb().claims_graph(**filters), "claims.ttl")


@bp.get("/<any(claims, agents, sources, topics):section>/<rid>/versions/<int:n>.ttl")
def version_turtle(section, rid, n):
    return turtle(get_kb().version_graph(section[:-1], rid, n))
