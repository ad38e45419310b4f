"""URLs built once: a page asks for the same links over and over (the menu, the claim's own
exports, the agents and sources it names), and Werkzeug's URL builder took a fifth of a claim
page's rendering (32 calls a page, ~20 µs each).

:class:`App` is Flask with ``url_for`` remembering, per script root, the path it built for an
endpoint and its values, when the path depends on nothing else: inside a request, not external
(no scheme or host in it), no endpoint relative to the blueprint, and no ``url_defaults`` hook
(which could add values from the request). Anything else is built by Flask, as before.
"""

from __future__ import annotations

from flask import Flask
from flask.globals import _cv_request

KEPT_URLS = 20_000  # paths; forgotten all at once beyond


class App(Flask):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict = {}

    def url_for(self, endpoint: str, /, *, _anchor=None, _method=None, _scheme=None, _external=None, **values) -> str:
        ctx = _cv_request.get(None)
        if (ctx is None or _external or _scheme is not None or endpoint[:1] == "."
                or any(self.url_default_functions.values())):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                                   _external=_external, **values)
        # the values' types too: 1 == True, but they make different URLs
        key = (ctx.request.script_root, endpoint, _anchor, _method,
               *((k, type(v), v) for k, v in values.items()))
        try:
            found = self._urls.get(key)
        except TypeError:  # a value that cannot be a key (a list): built each time
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=_external, **values)
        if found is None:
            found = super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=_external, **values)
            if len(self._urls) >= KEPT_URLS:
                self._urls.clear()
            self._urls[key] = found
        return found
