"""The ClaimKB web app (read-only slice): JSON API, SPARQL protocol, exports.

``create_app(config=None, kb=None)``: tests hand in a fresh knowledge base.
"""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from kb import KBError, open_kb
from kb.io import MEDIA_TYPES

from .users import Users

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seed.yaml"

# every setting, once, with its default
DEFAULTS = {
    "KB_STORE": "./kb-data",  # folder of the embedded store
    "LOAD_SEED": True,  # load the seed article into an empty store on first start
}


def create_app(config: dict | None = None, kb=None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    if config:
        app.config.from_mapping(config)
    if kb is None:
        kb = open_kb(app.config["KB_STORE"])
    if app.config["LOAD_SEED"] and kb.summary().get("claims", 0) == 0 and SEED.exists():
        kb.import_yaml(SEED.read_bytes(), by="seed", name=SEED.name)
    app.extensions["kb"] = kb
    store_dir = getattr(kb.store, "path", None)
    app.extensions["users"] = Users(Path(store_dir) / "users.json" if store_dir else None)

    from . import api, sparql

    app.register_blueprint(api.bp)
    app.register_blueprint(sparql.bp)

    @app.errorhandler(KBError)
    def kb_error(e: KBError):
        return jsonify(e.to_dict()), e.status

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        return jsonify({"errors": [{"field": None, "message": e.description}]}), e.code

    @app.errorhandler(Exception)
    def unexpected(e: Exception):  # never a traceback to the user
        app.logger.exception("unexpected error")
        return jsonify({"errors": [{"field": None, "message": "internal error"}]}), 500

    @app.get("/export.<fmt>")
    def export(fmt):
        formats = {"ttl": "turtle", "trig": "trig", "jsonld": "jsonld", "nt": "nt", "nq": "nq"}
        if fmt not in formats:
            raise KBError(f"no export as .{fmt} (use .ttl, .trig, .jsonld, .nt or .nq)", status=404)
        buf = io.BytesIO()
        kb.export(buf, formats[fmt])
        return Response(buf.getvalue(), mimetype=MEDIA_TYPES[formats[fmt]].split(";")[0],
                        headers={"Content-Disposition": f'attachment; filename="claimkb.{fmt}"'})

    @app.get("/claims/<cid>.ttl")
    def claim_turtle(cid):
        return Response(kb.claim_graph(cid).serialize(format="turtle"), mimetype="text/turtle")

    @app.get("/claims/<cid>")
    def claim(cid):
        if request.accept_mimetypes.best_match(["text/turtle", "application/json"]) == "text/turtle":
            return claim_turtle(cid)
        return jsonify(kb.get_claim(cid))

    @app.get("/")
    def index():
        return jsonify(kb.list_claims(**{k: v for k, v in request.args.items()
                                          if k in ("status", "party", "claimant", "about", "source", "q")}))

    return app
