"""Capturing a source's text on the web: paste it, upload a .txt or saved .html file, or
fetch it from its address (FETCH_ALLOW_HOSTS as the API has it). One library call each
(``kb.sources``); problems are shown beside their fields and nothing is written."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from kb import InvalidData, KBError

from .api import allow_hosts
from .auth import current_user, require_writer
from .context import get_kb
from .i18n import plain

bp = Blueprint("capture", __name__)
FIELDS = ("id", "headline", "publisher", "published", "language", "url", "text")


@bp.route("/sources/new", methods=["GET", "POST"])
def new_source():
    if current_user() is None:
        return redirect(url_for("auth.login", next=request.path))
    who = require_writer()
    form, problems, general = request.form if request.method == "POST" else request.args, {}, []
    if request.method == "POST":
        record = {k: form.get(k, "").strip() for k in FIELDS if form.get(k, "").strip()}
        if "text" in record:
            record["text"] = form["text"]  # as pasted: the library normalises it
        upload = request.files.get("file")
        try:
            if form.get("preview"):  # fetch or read, and fill the form in for the analyst to confirm
                return _preview(form, upload, agents=_agents())
            if upload and upload.filename:
                page = get_kb().sources.extract(upload.read(), upload.filename)
                record = {**{k: v for k, v in page.items() if k in FIELDS}, **record, "text": page["text"]}
            elif form.get("fetch") and "text" not in record:
                record["fetch"] = True
            s = get_kb().sources.add(record, by=who, allow_hosts=allow_hosts())
        except InvalidData as e:
            for p in e.problems:
                problems.setdefault((p.field or "").split(".")[0] or "general", []).append(p.message)
        except KBError as e:  # a page or file that cannot be captured: beside what was given
            problems.setdefault("file" if upload and upload.filename else "url", []).append(e.message)
        else:
            return redirect(url_for("pages.source", rid=s["id"]), code=303)
        general = problems.pop("general", [])
    status = 422 if problems or general else 200
    return render_template("source_form.html", form=form, problems=problems, general=general,
                           agents=_agents()), status


def _agents() -> list[dict]:
    return sorted(get_kb().records("agent"), key=lambda r: plain(r["name"]).lower())


def _preview(form, upload, *, agents):
    """The page's (or file's) text and metadata in the form; what the analyst typed wins."""
    if upload and upload.filename:
        page = get_kb().sources.extract(upload.read(), upload.filename)
    else:
        page = get_kb().sources.fetch(form.get("url"), allow_hosts=allow_hosts())
    filled = MultiDict(form)
    for k in ("headline", "published", "language", "text"):
        if page.get(k) and not form.get(k, "").strip():
            filled[k] = page[k]
    return render_template("source_form.html", form=filled, problems={}, general=[], agents=agents,
                           found=page), 200


@bp.route("/sources/<rid>/capture", methods=["GET", "POST"])
def recapture(rid):
    """Capture a source's text again (pasted, or fetched from its URL): a new version when it changed."""
    if current_user() is None:
        return redirect(url_for("auth.login", next=request.path))
    who = require_writer()
    s = get_kb().sources.get(rid)
    form, problems = request.form if request.method == "POST" else {}, {}
    if request.method == "POST":
        record = {"fetch": True} if form.get("fetch") else {"text": form.get("text", "")}
        try:
            version = int(form.get("version", "0"))
            get_kb().sources.recapture(rid, record, by=who, version=version, allow_hosts=allow_hosts())
        except InvalidData as e:
            for p in e.problems:
                problems.setdefault("text", []).append(p.message)
        except (KBError, ValueError) as e:
            problems.setdefault("url" if form.get("fetch") else "text", []).append(getattr(e, "message", str(e)))
        else:
            return redirect(url_for("pages.source", rid=rid), code=303)
    return render_template("source_recapture.html", s=s, form=form, problems=problems), 422 if problems else 200
