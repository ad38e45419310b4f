"""Storage behind one interface (:class:`Store`); the backend is chosen by the store name.

- :class:`EmbeddedStore` (:mod:`kb.stores.embedded`): pyoxigraph in a folder or
  in memory; users' queries run in killable worker processes
  (:mod:`kb.stores.sandbox`, :mod:`kb.stores.query_worker`).
- :class:`SparqlStore` (:mod:`kb.stores.server`): a SPARQL 1.1 server (Oxigraph
  server, Virtuoso, …) over the SPARQL 1.1 Protocol.

:mod:`kb.stores.base` holds what they share and imports neither.
"""

from __future__ import annotations

from ..errors import KBError
from .base import RDF_FORMATS, RawResult, Store, from_ox, nt, to_ox
from .embedded import EmbeddedStore
from .server import SparqlStore


def is_server_url(name: str) -> bool:
    """Whether a store name is a SPARQL server's URL (http or https) rather than a folder or ``:memory:``."""
    return name.startswith(("http://", "https://"))


def open_store(name: str | None, *, update_endpoint: str | None = None, prefixes=None) -> Store:
    """Pick the backend by name: an http(s) URL is a SPARQL server, anything
    else a folder for the embedded store; ``:memory:`` is an in-memory store."""
    name = name or "./kb-data"
    if is_server_url(name):
        if update_endpoint and not is_server_url(update_endpoint):
            raise KBError(f"the update endpoint must be an http(s) URL (got {update_endpoint!r})", status=2)
        return SparqlStore(name, update_endpoint, prefixes=prefixes)
    if update_endpoint:
        raise KBError("--update-endpoint is for a SPARQL server store; the store here is a folder", status=2)
    if name == ":memory:":
        return EmbeddedStore(None, prefixes=prefixes)
    return EmbeddedStore(name, prefixes=prefixes)


__all__ = ["open_store", "is_server_url", "Store", "EmbeddedStore", "SparqlStore", "RawResult", "RDF_FORMATS",
           "to_ox", "from_ox", "nt"]
