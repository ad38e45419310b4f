"""Pictures of the story: a claim's timeline, a story's timeline, the dispute
network. Each is a page, its data as JSON and an SVG image to download."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from kb import stories
from kb.filters import raw as filters_from

from . import drawing
from .context import get_kb
from .i18n import plain, shorten, translate

bp = Blueprint("pictures", __name__)



def svg_response(template: str, filename: str, **ctx) -> Response:
    body = '<?xml version="1.0" encoding="utf-8"?>\n' + render_template(template, **ctx)
    return Response(body, mimetype="image/svg+xml",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def claim_picture(claim: dict) -> dict:
    data = stories.claim_timeline(get_kb(), claim)
    return {"data": data, "t": drawing.timeline([data]),
            "title": translate("pic.claim_timeline_of", claim=shorten(plain(claim["text"]), 80))}


def busiest_pictures(limit: int = 3) -> list[dict]:
    """The home page's small timelines of the busiest stories."""
    out = []
    for story in stories.busiest_stories(get_kb(), limit=limit):
        out.append({**story, "t": drawing.timeline(story["story"]["claims"], width=380, compact=True)})
    return out


@bp.get("/claims/<rid>/timeline.json")
def claim_timeline_json(rid):
    return jsonify(stories.claim_timeline(get_kb(), rid))


@bp.get("/claims/<rid>/timeline.svg")
def claim_timeline_svg(rid):
    pic = claim_picture(get_kb().get_claim(rid))
    return svg_response("svg/timeline.svg", f"{rid}-timeline.svg", t=pic["t"], title=pic["title"], compact=False)


def _story():
    filters = filters_from(request.args)
    limit = request.args.get("limit", stories.STORY_LIMIT, type=int)
    return filters, stories.story_timeline(get_kb(), limit=limit, **filters)


@bp.get("/timeline")
def story_page():
    filters, data = _story()
    t = drawing.timeline(data["claims"], label_width=260)
    return render_template("timeline.html", data=data, t=t, filters=filters, max_limit=stories.MAX_STORY_LIMIT,
                           title=translate("pic.story_title"), pickers=_filter_choices())


@bp.get("/timeline.json")
def story_json():
    return jsonify(_story()[1])


@bp.get("/timeline.svg")
def story_svg():
    _, data = _story()
    return svg_response("svg/timeline.svg", "story-timeline.svg", t=drawing.timeline(data["claims"], label_width=260),
                        title=translate("pic.story_title"), compact=False)


NETWORK_ARGS = ("about", "stance", "date_from", "date_to")


def _network(drawn: bool = False):
    """The network's data (kept by the library until the next write) and, when
    ``drawn``, its layout (a big component's is kept by app.drawing)."""
    args = {k: request.args[k].strip() for k in NETWORK_ARGS if request.args.get(k, "").strip()}
    data = stories.dispute_network(get_kb(), **args)
    return args, data, drawing.network(data) if drawn else None


@bp.get("/network")
def network_page():
    args, data, n = _network(drawn=True)
    return render_template("network.html", data=data, n=n, filters=args,
                           colours=drawing.STANCE_COLOURS, title=translate("pic.network_title"),
                           pickers=_filter_choices(), json_url=url_for("pictures.network_json", **args),
                           svg_url=url_for("pictures.network_svg", **args))


@bp.get("/network.json")
def network_json():
    return jsonify(_network()[1])


@bp.get("/network.svg")
def network_svg():
    _, _, n = _network(drawn=True)
    return svg_response("svg/network.svg", "dispute-network.svg", n=n,
                        colours=drawing.STANCE_COLOURS, title=translate("pic.network_title"))


def _filter_choices() -> dict:
    k = get_kb()

    def named(kind):  # each name picked in the reader's language once (thousands at 100,000 claims)
        return sorted(({"id": r["id"], "label": plain(r["name"])} for r in k.records(kind)),
                      key=lambda r: r["label"].lower())

    return {"agents": named("agent"), "topics": named("topic"), "stances": list(drawing.STANCE_COLOURS)}
