"""Ids and IRIs: local ids (slugs) minted under the store's base IRI, and back."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from rdflib import URIRef

KINDS = {
    # kind: (path segment, rdf types)
    "claim": "claims",
    "dispute": "disputes",
    "source": "sources",
    "agent": "agents",
    "topic": "topics",
    "verdict": "verdicts",
    "relation": "relations",
    "comment": "comments",  # analysts' comments, kept in graphs of their own (kb.comments)
}

class Minter:
    """Turns local ids into IRIs under the base, and back."""

    def __init__(self, base: str):
        if not base.endswith(("/", "#")):
            base += "/"
        self.base = base

    def iri(self, kind: str, local_id: str) -> URIRef:
        return URIRef(f"{self.base}{KINDS[kind]}/{local_id}")

    def local(self, iri) -> tuple[str | None, str | None]:
        """(kind, local id) of an IRI minted here, else (None, None)."""
        s = str(iri)
        if not s.startswith(self.base):
            return None, None
        rest = s[len(self.base):]
        seg, _, local = rest.partition("/")
        for kind, segment in KINDS.items():
            if seg == segment and local and "/" not in local and "#" not in local:
                return kind, local
        return None, None

    def analyst(self, name: str) -> URIRef:
        return URIRef(f"{self.base}analysts/{slugify(name) or 'anonymous'}")

    def graph(self, name: str) -> str:
        return f"{self.base}graphs/{name}"

    def version(self, record_iri, n: int) -> URIRef:
        return URIRef(f"{record_iri}/versions/{n}")


def slugify(text: str, max_words: int = 8) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", text)[:max_words]
    return "-".join(words)[:80].strip("-")


def content_id(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:8]


__all__ = ["KINDS", "Minter", "slugify", "content_id"]
