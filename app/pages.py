"""The analysts' pages: the claim list, a claim's story, agents, sources and
topics, and the forms to record a claim or a dispute."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from kb import InvalidData, NotFound
from kb.dataset import together
from kb.filters import raw as filters_from

from .auth import current_user, require_writer
from .context import get_kb
from .exports import claim_jsonld, claim_turtle, publisher
from .i18n import lang, plain
from .pagecache import keep_page, kept_page, page_key
from .pictures import busiest_pictures, claim_picture
from .review import draft_of_unpublished, draft_url, made

bp = Blueprint("pages", __name__)
FACETS = ("status", "verdict", "party", "claimant", "about", "source", "date", "language")
STANCES = ("denies", "disputes", "qualifies", "confirms", "retracts")



def _prefers(*types: str) -> str | None:
    return request.accept_mimetypes.best_match(list(types))


def list_url(filters: dict, **change) -> str:
    args = {k: v for k, v in {**filters, **change}.items() if v not in (None, "")}
    return url_for("pages.index") + (f"?{urlencode(args)}" if args else "")


@bp.app_template_global()
def record_url(kind: str, rid: str) -> str:
    return url_for({"claim": "pages.claim", "agent": "pages.agent", "source": "pages.source",
                    "topic": "pages.topic", "dispute": "pages.dispute"}[kind], rid=rid)


@bp.app_template_global()
def marked(snippet: str, marks: list) -> Markup:
    """A search match's snippet with its matched parts in <mark> (``marks``: [[start, end]] in characters)."""
    out, at = [], 0
    for start, end in marks:
        out += [escape(snippet[at:start]), Markup("<mark>"), escape(snippet[start:end]), Markup("</mark>")]
        at = end
    out.append(escape(snippet[at:]))
    return Markup("").join(out)


@bp.get("/")
def index():
    filters = filters_from(request.args)
    size = current_app.config["PAGE_SIZE"]
    page = max(1, request.args.get("page", 1, type=int))
    if _prefers("text/html", "application/json") == "application/json":
        return jsonify(get_kb().list_claims(**filters, limit=size, offset=(page - 1) * size))
    data = get_kb().list_claims(**filters, limit=size, offset=(page - 1) * size, facets=True)
    busiest = busiest_pictures() if not filters and page == 1 else []
    return render_template(
        "index.html", data=data, busiest=busiest, filters=filters, page=page, size=size, facets=FACETS,
        pages=max(1, -(-data["total"] // size)), list_url=list_url,
        sparql=get_kb().list_query(limit=size, offset=(page - 1) * size, **filters),
        turtle_url=url_for("exports.list_turtle", **filters))


@bp.get("/claims/<rid>")
def claim(rid):
    best = _prefers("text/html", "text/turtle", "application/json", "application/ld+json")
    if best == "text/turtle":
        return claim_turtle(rid)
    if best == "application/ld+json":  # the claim's graph, as Turtle gives it
        return claim_jsonld(rid)
    key = page_key("claim", rid) if best == "text/html" else None
    kept = kept_page(key)
    if kept is not None:
        return kept
    data = get_kb().data
    # the store's version, found once for the page (the key's, or now): every read below is kept under
    # it, and a server store's replica is not asked again whether another worker wrote (Dataset.at)
    with data.at(key.version if key is not None else data.version()):
        return _claim_page(rid, key, best)


def _claim_page(rid, key, best):
    kb = get_kb()
    # on a server store the claim (one request: kb.ahead) and its history with its verdicts' (one) are read at
    # once (kb.dataset.together); the verdicts' history is then the one read with the claim's (read once a page)
    reads = [lambda: kb.get_claim(rid)]
    if best != "application/json":
        reads += [lambda: kb.history("claim", rid, triples=False)]
    try:
        c, *more = together(kb.data, *reads)
    except NotFound:
        n = draft_of_unpublished(rid)  # a claim not yet published: its draft, for analysts
        if n is None:
            raise
        return redirect(url_for("review.draft", n=n))
    if best == "application/json":
        return jsonify(c)
    history, verdicts = more[0], kb.verdicts.history(rid)
    review = kb.claim_review(c, url=url_for("pages.claim", rid=rid, _external=True), publisher=publisher())
    # JSON-LD inside <script>: escape "<" so no text can close the element
    review_json = Markup(json.dumps(review, ensure_ascii=False).replace("<", "\\u003c"))
    related = {r["claim"] for r in c["relations"]}
    return keep_page(key, render_template(
        "claim.html", c=c, review_json=review_json, story=_story(c), history=history,
        sparql=kb.claim_query(rid), pic=claim_picture(c), verdicts=verdicts,
        ratings=kb.verdicts.scheme(), relation_names=list(kb.relations.names()),
        related={x["id"]: x for x in kb.get_claims(sorted(related))} if related else {}))


def _story(c: dict) -> list[dict]:
    """The claim's events in time order: made, reported in each source, each dispute."""
    events = []
    if c["date"]:
        events.append({"kind": "made", "date": c["date"], "who": c["claimant"]})
    for s in c["sources"]:
        if s:
            events.append({"kind": "reported", "date": s.get("published"), "source": s})
    for d in c["disputes"]:
        events.append({"kind": "dispute", "date": d["date"] or d["effective_date"], "dispute": d})
    order = {"made": 0, "reported": 1, "dispute": 2}
    events.sort(key=lambda e: (e["date"] or "9999", order[e["kind"]]))
    return events


@bp.get("/disputes/<rid>")
def dispute(rid):
    d = get_kb().get("dispute", rid)
    return redirect(url_for("pages.claim", rid=d["claim"]) + f"#{d['id']}")


def _view(**filters) -> dict:
    """The Turtle and the SPARQL of the claim list these filters give."""
    return {"turtle_url": url_for("exports.list_turtle", **filters),
            "sparql": get_kb().list_query(limit=500, **filters), "json_url": url_for("api.claims", **filters)}


@bp.get("/agents/<rid>")
def agent(rid):
    a = get_kb().agent_story(rid)
    return render_template("agent.html", a=a, view=_view(claimant=a["id"]))


@bp.get("/sources/<rid>")
def source(rid):
    """The reader page: the source's text with its quotes marked, and what quotes it (kb.sources)."""
    s = get_kb().sources.reader(rid)
    return render_template("source.html", s=s, view=_view(source=s["id"]))


@bp.get("/topics/<rid>")
def topic(rid):
    t = get_kb().topic_story(rid)
    return render_template("topic.html", t=t, view=_view(about=t["id"]))


# ---- forms -------------------------------------------------------------------------

def _pickers() -> dict:
    k = get_kb()
    agents = sorted(k.records("agent"), key=lambda r: plain(r["name"]).lower())
    topics = sorted(k.records("topic"), key=lambda r: plain(r["name"]).lower())
    sources = sorted(k.records("source"), key=lambda r: plain(r["name"]).lower())
    return {"agents": agents, "topics": topics, "sources": sources, "stances": STANCES}


def _lang_map(form, prefix: str) -> dict:
    return {lang: form.get(f"{prefix}_{lang}", "").strip() for lang in ("en", "ja")
            if form.get(f"{prefix}_{lang}", "").strip()}


def _new_agent(form, prefix: str) -> dict | None:
    """A new claimant or party typed into the form (the library mints its id)."""
    names = _lang_map(form, f"{prefix}_name")
    if not names:
        return None
    return {"type": form.get(f"{prefix}_type") or "Person", "name": names}


def _new_source(form) -> dict | None:
    headline = form.get("new_source_headline", "").strip()
    if not headline:
        return None
    language = form.get("new_source_language", "").strip() or None
    rec = {"type": "NewsArticle", "headline": {language or "en": headline},
           "publisher": form.get("new_source_publisher") or None,
           "published": form.get("new_source_published", "").strip() or None,
           "language": language, "url": form.get("new_source_url", "").strip() or None}
    return {k: v for k, v in rec.items() if v is not None}


def _with_sources(form, record: dict) -> dict:
    """The fields both forms share: sources (a new one first), date, and the quote of the first source."""
    sources = form.getlist("sources")
    new_src = _new_source(form)
    if new_src:
        sources = [new_src, *sources]
    record = {**record, "sources": sources, "date": form.get("date", "").strip() or None}
    if form.get("quote", "").strip():
        record["quote"] = {"exact": form["quote"].strip()}
        if sources and not new_src:
            record["quote"]["source"] = sources[0]
        # where in the source's text the words were selected (the reader page sends them)
        if form.get("quote_source") in sources:
            record["quote"]["source"] = form["quote_source"]
        record["quote"].update({k: form[f"quote_{k}"] for k in ("prefix", "suffix", "start", "end")
                                if form.get(f"quote_{k}", "") != ""})
    return {k: v for k, v in record.items() if v not in (None, "", [])}


# a problem of a new record typed into a form comes back under the field that held it ("claimant.name")
NEW_FIELDS = {"claimant": "new_claimant", "party": "new_party", "sources": "new_source"}


def _form_problems(e: InvalidData) -> tuple[dict, list]:
    """SHACL problems -> {form field: [messages]}, plus those that name no field."""
    by_field: dict = {}
    general = []
    for p in e.problems:
        if not p.field:
            general.append(p.message)
            continue
        head, dot, _ = p.field.partition(".")
        key = NEW_FIELDS[head] if dot and head in NEW_FIELDS else head
        by_field.setdefault(key, []).append(p.message)
    return by_field, general


@bp.route("/claims/new", methods=["GET", "POST"])
def new_claim():
    if current_user() is None:
        return redirect(url_for("auth.login", next=request.path))
    who = require_writer()
    # a GET may prefill the form (the reader page sends the source and the quote it selected)
    form, problems, general = request.form if request.method == "POST" else request.args, {}, []
    if request.method == "POST":
        claimant = _new_agent(form, "new_claimant") or form.get("claimant") or None
        record = _with_sources(form, {"text": _lang_map(form, "text"), "claimant": claimant,
                                      "about": form.getlist("about"),
                                      "sourcing": form.get("sourcing", "").strip() or None})
        try:
            c = get_kb().add_claim(record, by=who)
        except InvalidData as e:
            problems, general = _form_problems(e)
        else:
            return redirect(draft_url(c) or url_for("pages.claim", rid=c["id"]), code=303)
    status = 422 if problems or general else 200
    return render_template("claim_form.html", form=form, problems=problems, general=general,
                           **_pickers()), status


@bp.route("/claims/<rid>/disputes/new", methods=["GET", "POST"])
def new_dispute(rid):
    if current_user() is None:
        return redirect(url_for("auth.login", next=request.path))
    who = require_writer()
    c = get_kb().get_claim(rid)
    form, problems, general = request.form if request.method == "POST" else request.args, {}, []
    if request.method == "POST":
        party = _new_agent(form, "new_party") or form.get("party") or None
        record = _with_sources(form, {"party": party, "stance": form.get("stance") or None,
                                      "text": _lang_map(form, "text")})
        if _lang_map(form, "counter_claim"):  # the claim the party makes instead: a claim of its own
            record["counter_claim"] = {"text": _lang_map(form, "counter_claim")}
        try:
            done = get_kb().add_dispute(rid, record, by=who)
        except InvalidData as e:
            problems, general = _form_problems(e)
        else:
            return redirect(draft_url(done) or url_for("pages.claim", rid=c["id"]), code=303)
    status = 422 if problems or general else 200
    return render_template("dispute_form.html", c=c, form=form, problems=problems, general=general,
                           **_pickers()), status


# ---- the analysts' conclusions, from the claim page ------------------------------------

@bp.post("/claims/<rid>/verdicts")
def new_verdict(rid):
    who = require_writer()
    sources, quote = request.form.getlist("sources"), request.form.get("quote", "").strip()
    get_kb().verdicts.add(rid, {"rating": request.form.get("rating") or None, "text": _lang_map(request.form, "text"),
                                "sources": sources,
                                "quotes": [{"source": sources[0], "exact": quote}] if quote and sources else []},
                          by=who)
    return redirect(draft_url(made()) or url_for("pages.claim", rid=rid) + "#verdict", code=303)


@bp.post("/claims/<rid>/relations")
def new_relation(rid):
    who = require_writer()
    record = {"relation": request.form.get("relation", ""), "claim": request.form.get("claim", "").strip()}
    note = request.form.get("note", "").strip()
    if note:  # in the language the analyst is reading in
        record["note"] = {lang(): note}
    get_kb().relations.add(rid, record, by=who)
    return redirect(draft_url(made()) or url_for("pages.claim", rid=rid) + "#relations", code=303)


@bp.post("/claims/<rid>/relations/<relation>/withdraw")
def withdraw_relation(rid, relation):
    who = require_writer()
    get_kb().relations.withdraw(relation, by=who)
    return redirect(draft_url(made()) or url_for("pages.claim", rid=rid) + "#relations", code=303)
