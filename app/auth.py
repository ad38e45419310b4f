"""Signing in: browser sessions at /login, API tokens as ``Authorization: Bearer``.

Reads are public unless ``PUBLIC_READS`` is False; writes need an analyst (or
an admin), whose name goes into the provenance of what they record.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for

from kb import InvalidData, KBError

from .i18n import translate
from .users import ROLES

bp = Blueprint("auth", __name__)
WRITERS = ("analyst", "admin")
ADMINS = ("admin",)


def users():
    return current_app.extensions["users"]


def _safe_next(nxt: str | None) -> str:
    if not nxt or not nxt.startswith("/") or nxt.startswith("//") or urlsplit(nxt).netloc:
        return url_for("pages.index")
    return nxt


def bearer_user() -> dict | None:
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        return None
    user = users().check_token(auth[7:].strip())
    if user is None:
        raise KBError("the token is not valid", status=401)
    return user


def current_user() -> dict | None:
    return g.get("user")


def require_writer(*, token: bool = False) -> str:
    """The signed-in analyst's name; 401 otherwise, 403 for a viewer.

    ``token=True`` (the JSON API) accepts only a Bearer token, never the
    session cookie, so another site cannot write through a signed-in browser."""
    return _require(WRITERS, token, "recording needs an analyst")


def require_admin(*, token: bool = False) -> str:
    """The signed-in admin's name (accounts, bulk imports); 401 otherwise, 403 for anyone else."""
    return _require(ADMINS, token, "this needs an admin")


def _require(roles, token: bool, why: str) -> str:
    user = bearer_user() if token else current_user()
    if user is None:
        hint = "send Authorization: Bearer TOKEN (kb user token NAME)" if token else "writes need an analyst"
        raise KBError(f"sign in first: {hint}", status=401)
    if user["role"] not in roles:
        raise KBError(f"{user['name']} is a {user['role']}; {why}", status=403)
    return user["name"]


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        user = users().check_password(name, request.form.get("password", ""))
        if user is not None:
            session.clear()  # a fresh session on every sign-in
            session["user"] = user["name"]
            session["signouts"] = users().signouts(user["name"])
            session.permanent = False
            return redirect(_safe_next(request.form.get("next")))
        error = translate("login.failed")
    status = 401 if error else 200
    return render_template("login.html", error=error, next=request.values.get("next", ""),
                           name=request.form.get("name", "")), status


@bp.route("/admin/accounts", methods=["GET", "POST"])
def accounts():
    """Admins: the accounts, a form to add one, a button to delete each (not one's own)."""
    if current_user() is None:
        return redirect(url_for("auth.login", next=request.path))
    require_admin()
    error, status = None, 200
    if request.method == "POST":
        try:
            users().add(request.form.get("name", "").strip(), request.form.get("role", ""),
                        request.form.get("password", ""))
        except KBError as e:
            error, status = e.message, e.status
        else:
            return redirect(url_for("auth.accounts"), code=303)
    return render_template("accounts.html", accounts=users().list(), roles=ROLES, error=error,
                           form=request.form if error else {}), status


@bp.post("/admin/accounts/<name>/delete")
def delete_account(name):
    if require_admin() == name:
        raise KBError("you cannot delete your own account (another admin can)", status=409)
    users().delete(name)
    return redirect(url_for("auth.accounts"), code=303)


@bp.route("/admin/import", methods=["GET", "POST"])
def import_page():
    """Admins: a bulk import from a file, as ``kb load`` and ``POST /api/import`` take it: a YAML
    document, ClaimKB's JSON-LD, or fact-checkers' ClaimReview JSON-LD (one, a list, a DataFeed);
    validated whole, all or nothing, every problem shown with the record it concerns."""
    if current_user() is None:
        return redirect(url_for("auth.login", next=request.path))
    who = require_admin()
    result, problems, error, status, name = None, [], None, 200, None
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        name = (upload.filename if upload else "") or "the file"
        try:
            if not data:
                raise KBError("choose a file to import (YAML, or JSON-LD such as a ClaimReview feed)")
            from .context import get_kb

            if name.lower().endswith((".jsonld", ".json")) or data.lstrip()[:1] in (b"{", b"["):
                result = get_kb().import_rdf(data, "jsonld", by=who, name=name)
            else:
                result = get_kb().import_yaml(data, by=who, name=name)
        except InvalidData as e:
            error, problems, status = e.message, e.problems, e.status
        except KBError as e:
            error, status = e.message, e.status
    return render_template("import.html", result=result, problems=problems, error=error, name=name), status


@bp.post("/logout")
def logout():
    if session.get("user"):
        users().sign_out_everywhere(session["user"])  # so a copy of this cookie is signed out too
    session.clear()
    return redirect(url_for("pages.index"))


def _load_user():
    g.user = None
    name = session.get("user")
    if name:
        g.user = users().get(name)  # the role as it is now; a deleted account is signed out
        if g.user is not None and session.get("signouts", 0) != users().signouts(name):
            g.user = None  # issued before a sign-out
        if g.user is None:
            session.clear()
    if g.user is None and request.headers.get("Authorization"):
        g.user = bearer_user()
    if g.user is None and not current_app.config["PUBLIC_READS"]:
        open_endpoints = ("auth.login", "static", "i18n.switch")
        if request.endpoint not in open_endpoints:
            if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "text/html" \
                    and not request.path.startswith(("/api/", "/sparql")):
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            raise KBError("sign in first: reading needs an account here", status=401)
    return None


def init_app(app):
    app.before_request(_load_user)

    @app.context_processor
    def user_context():
        user = current_user()
        return {"user": user, "can_write": bool(user and user["role"] in WRITERS)}
