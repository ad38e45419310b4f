"""The WSGI entry point for gunicorn (``kb serve --workers N``): settings come
from ``CLAIMKB_*`` environment variables, e.g. ``CLAIMKB_KB_STORE``."""

from . import create_app

application = create_app()
