"""Comments on a claim, following records, the changes page and the Atom feeds (issue 15).

Comments are the analysts' (and admins'): others see them only when ``COMMENTS_PUBLIC``
is on. What a user follows is kept with their account (:mod:`app.users`): a reader's own
list, private, needing no history; the changes themselves come from the store's history
(:mod:`kb.changes`), so the page and the feeds can never disagree with it.
"""

from __future__ import annotations

import datetime as dt

from feedgen.feed import FeedGenerator
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from kb import KBError
from kb.changes import FOLLOWABLE

from .auth import WRITERS, bearer_user, current_user, require_writer, users
from .context import get_kb
from .i18n import label, lang, plain, translate

bp = Blueprint("follow", __name__)
api_bp = Blueprint("follow_api", __name__, url_prefix="/api")
FEED_ENTRIES = 50


# ---- who may see comments -------------------------------------------------------------
def comments_visible() -> bool:
    user = current_user()
    return bool(current_app.config["COMMENTS_PUBLIC"] or (user and user["role"] in WRITERS))


def _require_reader_of_comments() -> None:
    if not comments_visible():
        if current_user() is None:
            raise KBError("sign in first: comments are for analysts", status=401)
        raise KBError("comments are for analysts", status=403)


@bp.app_context_processor
def helpers():
    def comments_of(claim_id):
        return get_kb().comments.of(claim_id) if comments_visible() else None

    def following(kind, rid):
        user = current_user()
        return bool(user) and any(f["kind"] == kind and f["id"] == rid for f in users().follows(user["name"]))

    return {"comments_of": comments_of, "following": following, "change_text": change_text,
            "change_link": change_link, "now_iso": _now()}


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


# ---- comments: the claim page's forms and the API ------------------------------------
def _text_field(data) -> str:
    text = data.get("text") if hasattr(data, "get") else None
    if not isinstance(text, str):
        raise KBError("a comment needs its text (\"text\")")
    return text


@bp.post("/claims/<cid>/comments")
def add_comment_form(cid):
    get_kb().comments.add(cid, _text_field(request.form), by=require_writer())
    return redirect(url_for("pages.claim", rid=cid) + "#comments", code=303)


@bp.post("/comments/<cmid>/edit")
def edit_comment_form(cmid):
    c = get_kb().comments.edit(cmid, _text_field(request.form), by=require_writer())
    return redirect(url_for("pages.claim", rid=c["claim"]) + f"#comment-{cmid}", code=303)


@bp.post("/comments/<cmid>/withdraw")
def withdraw_comment_form(cmid):
    c = get_kb().comments.withdraw(cmid, by=require_writer())
    return redirect(url_for("pages.claim", rid=c["claim"]) + f"#comment-{cmid}", code=303)


@api_bp.get("/claims/<cid>/comments")
def comments_api(cid):
    _require_reader_of_comments()
    get_kb().get_claim(cid)  # 404 for no such claim
    return jsonify(get_kb().comments.of(cid))


@api_bp.post("/claims/<cid>/comments")
def add_comment_api(cid):
    who = require_writer(token=True)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise KBError("the body must be a JSON object: {\"text\": …}")
    return jsonify(get_kb().comments.add(cid, _text_field(data), by=who)), 201


@api_bp.put("/comments/<cmid>")
def edit_comment_api(cmid):
    who = require_writer(token=True)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise KBError("the body must be a JSON object: {\"text\": …}")
    return jsonify(get_kb().comments.edit(cmid, _text_field(data), by=who))


@api_bp.delete("/comments/<cmid>")
def withdraw_comment_api(cmid):
    return jsonify(get_kb().comments.withdraw(cmid, by=require_writer(token=True)))


# ---- following ------------------------------------------------------------------------
def _signed_in(*, token: bool = False) -> dict:
    """The signed-in user; ``token``: by a Bearer token only (API writes: never the session cookie)."""
    user = bearer_user() if token else current_user()
    if user is None:
        hint = "send Authorization: Bearer TOKEN" if token else "following is for signed-in users"
        raise KBError(f"sign in first: {hint}", status=401)
    return user


def _target(data) -> tuple[str, str]:
    """The (kind, local id) of a record to follow, checked: it exists."""
    kind, rid = (data.get("kind"), data.get("id")) if hasattr(data, "get") else (None, None)
    if kind not in FOLLOWABLE or not isinstance(rid, str) or not rid:
        raise KBError("give what to follow: {\"kind\": claim, agent, topic or source, \"id\": its id}")
    return kind, get_kb().get(kind, rid)["id"]  # 404 for no such record


def _watch(user, data, follow: bool) -> dict:
    kind, rid = _target(data)
    if follow:
        users().follow(user["name"], kind, rid, _now())
    else:
        users().unfollow(user["name"], kind, rid)
    return {"kind": kind, "id": rid, "following": follow}


@bp.post("/watch")
def watch_form():
    _watch(_signed_in(), request.form, request.form.get("action") != "unfollow")
    nxt = request.form.get("next", "")
    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else url_for("follow.changes"), code=303)


@api_bp.get("/watch")
def watching_api():
    return jsonify(users().follows(_signed_in()["name"]))


@api_bp.post("/watch")
def watch_api():
    return jsonify(_watch(_signed_in(token=True), request.get_json(silent=True) or {}, True))


@api_bp.delete("/watch")
def unwatch_api():
    return jsonify(_watch(_signed_in(token=True), request.get_json(silent=True) or {}, False))


# ---- changes: the page, the API and the feeds -------------------------------------------
def _changes_of(user, everything: bool = False) -> tuple[list[dict], str | None]:
    """The changes since the user's last visit (noted now), or, with ``everything``, since they followed."""
    follows = users().follows(user["name"])
    last = users().visit_changes(user["name"], _now())
    first = min((f["since"] for f in follows), default=None)
    since = first if everything or not last else max(last, first or last)
    found = get_kb().changes.of([(f["kind"], f["id"]) for f in follows], since=since, limit=200)
    return found, since


@bp.get("/changes")
def changes():
    user = current_user()
    if user is None:
        return redirect(url_for("auth.login", next=request.path))
    everything = request.args.get("all") == "1"
    found, since = _changes_of(user, everything)
    follows = users().follows(user["name"])
    names = {(f["kind"], f["id"]): _name(f["kind"], f["id"]) for f in follows}
    return render_template("changes.html", changes=found, since=since, follows=follows, names=names,
                           everything=everything)


@api_bp.get("/changes")
def changes_api():
    found, since = _changes_of(_signed_in())
    return jsonify({"since": since, "changes": [_public(c) for c in found]})


def _public(ch: dict) -> dict:
    return {k: v for k, v in ch.items() if k != "seq"} | {"text": change_text(ch), "link": change_link(ch)}


def _name(kind: str, rid: str) -> dict:
    try:
        rec = get_kb().get(kind, rid)
    except KBError:
        return {"": rid}
    return rec.get("headline") or rec.get("name") or rec.get("text") or {"": rid}


def change_text(ch: dict) -> str:
    """One change in a sentence, in the reader's language: "Microsoft moved from confirms to denies"."""
    kind = ch["kind"]
    if kind == "stance":
        party = plain(ch["party"]["name"]) or ch["party"]["id"]
        old, new = label("stance", ch["from"]), label("stance", ch["to"])
        key = "change.took" if not ch["from"] else "change.withdrew" if not ch["to"] else "change.moved"
        return translate(key, party=party, old=old, new=new)
    if kind == "status":
        return translate("change.status", old=label("status", ch["from"]), new=label("status", ch["to"]))
    if kind == "verdict":  # verdicts are another branch's; their ratings' labels come with them
        return translate("change.verdict", old=ch["from"] or "—", new=ch["to"] or "—")
    if kind == "new-claim":
        return translate("change.new_claim")
    return translate("change.text_captured" if ch.get("first") else "change.text_changed")


def change_link(ch: dict) -> str:
    if "claim" in ch:
        return url_for("pages.claim", rid=ch["claim"]["id"]) + (f"#{ch['dispute']}" if ch.get("dispute") else "")
    return url_for("pages.source", rid=ch["source"]["id"])


def _feed(kind: str, rid: str):
    kb = get_kb()
    rid = kb.get(kind, rid)["id"]
    found = kb.changes.of_one(kind, rid)[:FEED_ENTRIES]
    here = request.base_url
    fg = FeedGenerator()
    fg.id(here)
    fg.title(translate("changes.feed_title", name=plain(_name(kind, rid)) or rid))
    fg.link(href=here, rel="self")
    fg.link(href=url_for(f"pages.{kind}", rid=rid, _external=True), rel="alternate")
    fg.language(lang())
    fg.updated(found[0]["at"] if found else "1970-01-01T00:00:00+00:00")
    for ch in found:
        fe = fg.add_entry(order="append")
        subject = ch["claim"]["text"] if "claim" in ch else ch["source"]["headline"]
        fe.id(f"{here}#{ch['at']}/{ch['kind']}/{(ch.get('party') or {}).get('id', '')}/"
              f"{ch.get('dispute') or (ch.get('claim') or ch.get('source'))['id']}")
        fe.title(change_text(ch))
        fe.link(href=request.host_url.rstrip("/") + change_link(ch))
        fe.updated(ch["at"])
        fe.author(name=ch["by"] or "?")
        fe.summary(plain(subject))
    return current_app.response_class(fg.atom_str(pretty=True), mimetype="application/atom+xml")


@bp.get("/claims/<rid>/changes.atom")
def claim_feed(rid):
    return _feed("claim", rid)


@bp.get("/agents/<rid>/changes.atom")
def agent_feed(rid):
    return _feed("agent", rid)


@bp.get("/topics/<rid>/changes.atom")
def topic_feed(rid):
    return _feed("topic", rid)


@bp.get("/sources/<rid>/changes.atom")
def source_feed(rid):
    return _feed("source", rid)


def init_app(app, csrf):
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # writes take only Bearer tokens, as the rest of the API
