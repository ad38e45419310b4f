"""Storage behind one interface; the backend is chosen by the store name."""

from .base import RDF_FORMATS, EmbeddedStore, RawResult, Store, from_ox, nt, open_store, to_ox
from .server import SparqlStore

__all__ = ["open_store", "Store", "EmbeddedStore", "SparqlStore", "RawResult", "RDF_FORMATS", "to_ox", "from_ox", "nt"]
