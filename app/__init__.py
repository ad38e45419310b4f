"""The ClaimKB web app: pages for analysts, the JSON API, the SPARQL protocol, exports.

``create_app(config=None, kb=None)``: tests hand in a fresh knowledge base.
Views are thin: they parse the request, call the ``kb`` library and render.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from jinja2 import FileSystemBytecodeCache
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from kb import KBError, open_kb
from kb.reads import has_claims
from kb.stores import is_server_url

from . import i18n
from .urls import App
from .users import Users

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seed.yaml"

# every setting, once, with its default and what it does
SETTINGS = {
    "KB_STORE": ("./kb-data", "folder of the embedded store, or a SPARQL server's query URL"),
    "KB_UPDATE_ENDPOINT": (None, "a SPARQL server's update URL, where it differs from the query URL"),
    "KB_BASE": (None, "base IRI for new records (fixed when the store is created)"),
    "DATA_DIR": (None, "folder for accounts and the session secret; default: the store folder, "
                       "or ./kb-data for a server store"),
    "INDEX_DIR": (None, "a server store only: a folder of this process's own for its replica of the claim index "
                        "(kb.replica); without one the list, search and facets are asked in SPARQL"),
    "LOAD_SEED": (True, "load the seed article into an empty store on first start"),
    "SECRET_KEY": (None, "signs session cookies; by default made once and kept in the store folder"),
    "PUBLIC_READS": (True, "let anyone read without signing in; False asks every reader to sign in"),
    "PAGE_SIZE": (20, "claims per page of the list"),
    "PAGE_CACHE_MB": (64, "megabytes of rendered claim pages each server process keeps for readers who are not "
                          "signed in, until the store's next write (app/pagecache.py); 0 keeps none"),
    "PUBLISHER_NAME": ("ClaimKB", "the organisation that publishes the verdicts: the author of each ClaimReview "
                                  "in /claimreview.jsonld and on claim pages"),
    "PUBLISHER_URL": (None, "the publishing organisation's web address (default: this site's)"),
    "QUERY_PAGE_SIZE": (50, "rows per page of the query page's results"),
    "QUERY_TIMEOUT": (5, "seconds a user's SPARQL query (/sparql, the query page) may run before it is stopped "
                         "and answered 503; 0 lets queries run for as long as they take"),
    "QUERY_ROW_LIMIT": (10_000, "most rows (or triples) a user's SPARQL query returns; beyond, the result is cut "
                                "and marked partial (X-ClaimKB-Partial: true); 0 for no limit"),
    "MAX_CONTENT_LENGTH": (2 * 1024 * 1024, "largest request body accepted, in bytes (413 beyond)"),
    "SESSION_COOKIE_SAMESITE": ("Lax", "the session cookie's SameSite attribute"),
    "WTF_CSRF_TIME_LIMIT": (None, "CSRF tokens live as long as the session"),
    "CONTENT_SECURITY_POLICY": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        "the Content-Security-Policy header of every response (scripts only from this site, none inline)"),
    "TRUSTED_PROXIES": (0, "reverse proxies in front (X-Forwarded-Proto/-For/-Host are trusted from this many)"),
    "LOGIN_ATTEMPTS": (5, "failed sign-ins allowed per user name and per client address in LOGIN_WINDOW; "
                          "beyond them /login answers 429 without checking the password (0 turns this off)"),
    "LOGIN_WINDOW": (300, "the sign-in rate limit's window, in seconds (counted in each server process's memory)"),
    "COMMENTS_PUBLIC": (False, "show analysts' comments on claims to everyone who may read (anonymous readers and "
                               "viewers too, on the claim page and GET /api/claims/<id>/comments); never in "
                               "/sparql or the exports"),
    "REVIEW_REQUIRED": (False, "analysts' and admins' writes through the pages and the JSON API (claims, disputes, "
                               "verdicts, relations, edits, withdrawals, restores) become drafts, published when "
                               "another analyst approves them (an admin may approve their own); imports by admins "
                               "(kb load, /admin/import, POST /api/import) publish directly"),
    "FETCH_ALLOW_HOSTS": ((), "hosts a source may be fetched from although they resolve to a loopback or private "
                              "address (a list, or names separated by commas); none by default"),
    "EXPORT_REFRESH": (60, "an embedded store only: seconds without a write after which the exports kept in the "
                           "store folder (those asked for) are written anew in the background, so the next one "
                           "asked for is ready (0: written when next asked for)"),
}
csrf = CSRFProtect()


class SessionInterface(SecureCookieSessionInterface):
    """Session cookies are HttpOnly and SameSite=Lax, and Secure whenever the
    request came over https (directly or, with ProxyFix, behind a proxy)."""

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or (request and request.is_secure))


def _data_dir(app, kb) -> Path | None:
    """Accounts and the session secret: DATA_DIR, else the embedded store's folder,
    else ./kb-data for a server store; None for an in-memory store (tests)."""
    if app.config["DATA_DIR"]:
        return Path(app.config["DATA_DIR"])
    if getattr(kb.store, "path", None) is not None:
        return Path(kb.store.path)
    if is_server_url(str(app.config["KB_STORE"])):
        return Path("./kb-data")
    return None


def _secret_key(folder: Path | None) -> str:
    if folder is None:
        return secrets.token_hex(32)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if not path.exists():
        try:
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        except OSError:  # a read-only store folder: sessions last until the server stops
            return secrets.token_hex(32)
    return path.read_text().strip()


def wants_json() -> bool:
    """Errors of the API, the SPARQL endpoint and non-browser clients are JSON."""
    if request.path.startswith(("/api/", "/sparql", "/export")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def create_app(config: dict | None = None, kb=None) -> Flask:
    app = App(__name__)  # Flask, building each page's links once (app/urls.py)
    # compiled templates are kept on disk (Jinja's per-user cache folder, keyed by each template's source):
    # compiling the list page's templates took ~0.3 s of a fresh process's first page
    app.jinja_options = {**app.jinja_options, "bytecode_cache": FileSystemBytecodeCache()}
    app.config.from_mapping({k: v for k, (v, _) in SETTINGS.items()})
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config.from_prefixed_env("CLAIMKB")  # e.g. CLAIMKB_PUBLIC_READS=false
    if config:
        app.config.from_mapping(config)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    if kb is None:
        kb = open_kb(app.config["KB_STORE"], base=app.config["KB_BASE"],
                     update_endpoint=app.config["KB_UPDATE_ENDPOINT"], index_dir=app.config["INDEX_DIR"])
    # (not kb.summary(): its counts took 60 s of each start at 10k claims, the seed needs only "none")
    if app.config["LOAD_SEED"] and SEED.exists() and not has_claims(kb.data):
        kb.import_yaml(SEED.read_bytes(), by="seed", name=SEED.name)
    folder = _data_dir(app, kb)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(folder)
    app.session_interface = SessionInterface()
    app.extensions["kb"] = kb
    kb.exports.keep_fresh(float(app.config["EXPORT_REFRESH"] or 0))
    app.extensions["users"] = Users(folder / "users.json" if folder else None)

    from . import api, auth, capture, exports, follow, pagecache, pages, pictures, ratelimit, review, sparql

    csrf.init_app(app)
    for bp in (api.bp, auth.bp, capture.bp, exports.bp, pages.bp, pictures.bp, sparql.bp):
        app.register_blueprint(bp)
    csrf.exempt(api.bp)  # the API is authenticated by Bearer tokens, never by cookies
    csrf.exempt(sparql.bp)  # read-only
    follow.init_app(app, csrf)  # comments, following, /changes, the Atom feeds
    review.init_app(app, csrf)  # drafts and their review (REVIEW_REQUIRED)
    i18n.init_app(app)
    auth.init_app(app)
    ratelimit.init_app(app)
    pagecache.init_app(app)  # claim pages kept for readers who are not signed in, until the next write

    @app.after_request
    def security_headers(resp):
        resp.headers.setdefault("Content-Security-Policy", app.config["CONTENT_SECURITY_POLICY"])
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        return resp

    def error(status: int, errors: list[dict], extra: dict | None = None):
        if wants_json():
            return {"errors": errors, **(extra or {})}, status
        return render_template("error.html", status=status, errors=errors), status

    @app.errorhandler(KBError)
    def kb_error(e: KBError):
        body = e.to_dict()
        resp = app.make_response(error(e.status, body.pop("errors"), body))
        if getattr(e, "retry_after", None):
            resp.headers["Retry-After"] = str(e.retry_after)
        return resp

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        message = e.description
        if e.code == 413:  # a 2 MB pasted article, say: what the limit is, and that nothing changed
            message = (f"the request is larger than the {app.config['MAX_CONTENT_LENGTH']:,} bytes this server "
                       "accepts (MAX_CONTENT_LENGTH); nothing was written")
        resp = app.make_response(error(e.code or 500, [{"field": None, "message": message}]))
        if isinstance(e, MethodNotAllowed) and e.valid_methods:  # a 405 names the methods there are
            resp.headers["Allow"] = ", ".join(e.valid_methods)
        return resp

    @app.errorhandler(Exception)
    def unexpected(e: Exception):  # never a traceback to the user
        app.logger.exception("unexpected error")
        return error(500, [{"field": None, "message": "internal error"}])

    return app
