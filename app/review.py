"""Review before publication (issue 15): with ``REVIEW_REQUIRED`` on, the analysts' and admins' writes
through the pages and the JSON API become drafts (:mod:`kb.review`); the queue, a draft's page, its steps
(submit, return with a comment, assign, approve) and the same steps in the JSON API.

Drafts are for analysts and admins only: to anyone else a draft's page or id is 404, as if it did not
exist (a draft's existence is not public). YAML and RDF imports by admins publish directly.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for

from kb import KBError, NotFound

from .auth import WRITERS, current_user, require_writer, users
from .context import get_kb
from .i18n import MESSAGES, translate

bp = Blueprint("review", __name__)
api_bp = Blueprint("review_api", __name__, url_prefix="/api")

# the writes that become drafts when review is required (every other write publishes as before:
# imports by admins, comments, captured sources' texts, accounts, follows)
DRAFTED = {"pages.new_claim", "pages.new_dispute", "pages.new_verdict", "pages.new_relation",
           "pages.withdraw_relation", "api.add_claim", "api.add_dispute", "api.add_verdict", "api.add_relation",
           "api.withdraw_relation", "api.edit_claim", "api.restore_claim"}


def review_required() -> bool:
    return bool(current_app.config["REVIEW_REQUIRED"])


def _start_drafting():
    if review_required() and request.method != "GET" and request.endpoint in DRAFTED:
        g.drafting = get_kb().review.drafting()
        g.drafting.__enter__()


def _stop_drafting(_exc=None):
    hook = g.pop("drafting", None)
    if hook is not None:
        hook.__exit__(None, None, None)


def draft_url(made: dict | None) -> str | None:
    """Where a write that became a draft sends the browser (None: it was published)."""
    return url_for("review.draft", n=made["draft"]) if made and "draft" in made else None


def draft_of_unpublished(claim_id) -> int | None:
    """The draft holding a claim not yet published, for an analyst or admin; None for anyone else
    (to them the claim does not exist)."""
    user = current_user()
    if not user or user["role"] not in WRITERS:
        return None
    held = get_kb().review.holding("claim", claim_id)
    return held["draft"] if held else None


def made() -> dict | None:
    """The draft the last write of this request made, if it made one."""
    return get_kb().review.made()


def _reader() -> dict:
    """The signed-in analyst or admin; to anyone else drafts do not exist (404)."""
    user = current_user()
    if user is None or user["role"] not in WRITERS:
        raise NotFound("there is no such draft")
    return user


def _draft(n) -> dict:
    _reader()
    return get_kb().review.get(n)


@bp.app_context_processor
def helpers():
    def review_counts():
        user = current_user()
        if not user or user["role"] not in WRITERS:
            return None
        return get_kb().review.counts(user["name"])

    def drafts_of(claim_id):
        user = current_user()
        return get_kb().review.of_claim(claim_id) if user and user["role"] in WRITERS else []

    def my_drafts():
        user = current_user()
        return get_kb().review.queue(user["name"], limit=6) if user and user["role"] in WRITERS else None

    def field_label(row) -> str:
        """A draft's field by its name in the reader's language, else its YAML name, else its RDF name."""
        return translate(f"field.{row['name']}") if f"field.{row['name']}" in MESSAGES else row["name"] or row["field"]

    return {"review_counts": review_counts, "drafts_of": drafts_of, "my_drafts": my_drafts, "age": age,
            "field_label": field_label,
            "review_on": review_required()}


def age(when: str) -> str:
    """How long ago, shortly (5 min, 3 h, 2 d; in the reader's language)."""
    try:
        then = dt.datetime.fromisoformat(when)
    except (TypeError, ValueError):
        return ""
    s = max(0, int((dt.datetime.now(dt.UTC) - then).total_seconds()))
    if s < 3600:
        return translate("review.age_min", n=s // 60)
    return translate("review.age_h", n=s // 3600) if s < 86400 else translate("review.age_d", n=s // 86400)


# ---- pages -------------------------------------------------------------------------
@bp.get("/review")
def queue():
    if current_user() is None:
        return redirect(url_for("auth.login", next=request.path))
    me = _reader()
    return render_template("review_queue.html", q=get_kb().review.queue(me["name"]))


@bp.get("/review/<int:n>")
def draft(n):
    d = _draft(n)
    me = current_user()
    analysts = [u["name"] for u in users().list() if u["role"] in WRITERS]
    return render_template("draft.html", d=d, fields=get_kb().review.fields(n), me=me, analysts=analysts,
                           mine=d["author"] == me["name"], admin=me["role"] == "admin")


@bp.post("/review/<int:n>/<any(submit, approve, return, assign, edit):step>")
def step_form(n, step):
    _draft(n)
    who = require_writer()
    _do(n, step, who, request.form)
    return redirect(url_for("review.draft", n=n), code=303)


def _do(n, step: str, who: str, data) -> dict:
    review = get_kb().review
    if step == "submit":
        return review.submit(n, by=who)
    if step == "approve":
        return review.approve(n, by=who, own=current_user()["role"] == "admin")
    if step == "return":
        return review.return_(n, data.get("comment"), by=who)
    if step == "assign":
        to = (data.get("to") or "").strip() or None
        if to is not None:
            user = users().get(to)
            if user is None or user["role"] not in WRITERS:
                raise KBError(f"{to!r} is not an analyst; a draft is assigned to an analyst or an admin")
        return review.assign(n, to, by=who)
    if step == "edit":
        texts = {code: data.get(f"text_{code}", "") for code in ("en", "ja")}
        return review.edit_text(n, texts, by=who)
    raise NotFound(f"there is no step {step!r} (submit, approve, return, assign, edit)")


# ---- the JSON API --------------------------------------------------------------------
def _body() -> dict:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


@api_bp.get("/review")
def queue_api():
    me = _reader()
    return jsonify(get_kb().review.queue(me["name"]))


@api_bp.get("/review/<int:n>")
def draft_api(n):
    d = _draft(n)
    return jsonify({**d, "fields": get_kb().review.fields(n)})


def step_api(n, step):
    who = require_writer(token=True)
    _draft(n)
    return jsonify(_do(n, step, who, _body()))


for _step in ("submit", "approve", "return", "assign"):
    api_bp.add_url_rule(f"/review/<int:n>/{_step}", f"{_step}_draft", step_api, methods=["POST"],
                        defaults={"step": _step})


def claim_step_api(cid, step):
    """submit, approve, return: the claim's open draft (a new claim, or an edit of it; else its only
    open draft concerning it: a dispute, a verdict, a relation)."""
    who = require_writer(token=True)
    review = get_kb().review
    found = review.holding("claim", cid)
    if found is None:
        open_ = review.of_claim(cid)
        if len(open_) > 1:
            raise KBError(f"claim {cid!r} has {len(open_)} open drafts ("
                          + ", ".join(str(x["draft"]) for x in open_) + "); use /api/review/<n>/" + step, status=409)
        found = open_[0] if open_ else None
    if found is None:
        raise NotFound(f"claim {cid!r} has no open draft")
    return jsonify(_do(found["draft"], step, who, _body()))


for _step in ("submit", "approve", "return"):
    api_bp.add_url_rule(f"/claims/<cid>/{_step}", f"{_step}_claim_draft", claim_step_api, methods=["POST"],
                        defaults={"step": _step})


def init_app(app, csrf):
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # writes take only Bearer tokens, as the rest of the API
    app.before_request(_start_drafting)
    app.teardown_request(_stop_drafting)
