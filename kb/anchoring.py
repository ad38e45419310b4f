"""A source's text, as plain text: normalised and digested when it is captured,
folded to compare quotes with it, anchored (where a quote is), cut into
paragraphs, and compared with an earlier capture.

Offsets are character offsets into the stored text (Unicode NFC), as a Web
Annotation ``oa:TextPositionSelector`` gives them. Nothing here knows RDF.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import re
import unicodedata
from dataclasses import dataclass

MAX_SOURCE_TEXT = 200_000  # characters in a source's text (a long article is about 60,000)
_SPACE = re.compile(r"\s+")
_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
CONTEXT = 32  # characters of prefix and suffix an anchored quote keeps


class TextError(ValueError):
    """Text that cannot be a source's text, or a quote that is not in it: one sentence."""


def normalise(text: str) -> str:
    """The text as it is stored: NFC, line ends as ``\\n``, no trailing spaces on lines, no
    blank lines at either end. Refuses what text cannot hold."""
    if not isinstance(text, str):
        raise TextError("the text must be a string")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise TextError("the text contains an invalid character (a lone surrogate)") from None
    if "\ufffd" in text and text.count("\ufffd") > max(3, len(text) // 100):
        raise TextError("the text is full of replacement characters (invalid byte sequences): "
                        "it was not decoded with its own character set")
    if _BAD.search(text):
        raise TextError("the text contains control characters (it looks like a binary file, not text)")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    if not text:
        raise TextError("the text is empty")
    if len(text) > MAX_SOURCE_TEXT:
        raise TextError(f"the text is too long ({len(text):,} characters; at most {MAX_SOURCE_TEXT:,})")
    return text


def digest(text: str) -> str:
    """The SHA-256 digest of the stored text's UTF-8 bytes, in hexadecimal."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fold(text: str) -> str:
    """What quotes are compared as: NFC, each run of white space one space, none at the ends."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


@dataclass(frozen=True)
class Folded:
    """A stored text folded, with where each folded character came from."""

    text: str
    folded: str
    starts: tuple  # starts[i]: the offset in ``text`` of folded character i; one more at the end

    @classmethod
    def of(cls, text: str) -> Folded:
        pieces, starts, last = [], [], 0
        for m in _SPACE.finditer(text):
            pieces.append(text[last:m.start()])
            starts.extend(range(last, m.start()))
            pieces.append(" ")
            starts.append(m.start())
            last = m.end()
        pieces.append(text[last:])
        starts.extend(range(last, len(text)))
        starts.append(len(text))
        return cls(text, "".join(pieces), tuple(starts))

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Folded ``[i, j)`` -> offsets ``[start, end)`` in the stored text."""
        return self.starts[i], self.starts[j - 1] + 1

    def folded_at(self, start: int) -> int:
        """The folded offset of a stored offset."""
        return bisect.bisect_left(self.starts, start)


def _agree(a: str, b: str, backwards: bool) -> int:
    """How many characters two strings share from their ends (``backwards``) or starts."""
    n = 0
    pairs = zip(reversed(a), reversed(b), strict=False) if backwards else zip(a, b, strict=False)
    for x, y in pairs:
        if x != y:
            break
        n += 1
    return n


def anchor(ft: Folded, exact: str, prefix: str | None = None, suffix: str | None = None,
           start: int | None = None) -> tuple[int, int] | None:
    """Where ``exact`` is in the text: ``(start, end)`` in stored offsets, or None.

    Where it occurs more than once, the occurrence whose surroundings agree most
    with ``prefix`` and ``suffix`` (ties: the one at ``start``, then the first)."""
    q = fold(exact)
    if not q:
        return None
    hits, i = [], ft.folded.find(q)
    while i >= 0:
        hits.append(i)
        i = ft.folded.find(q, i + 1)
    if not hits:
        return None
    if len(hits) > 1:
        p, s = fold(prefix or ""), fold(suffix or "")
        near = ft.folded_at(start) if start is not None else None

        def score(h):
            before = ft.folded[max(0, h - len(p) - 1):h].rstrip()
            after = ft.folded[h + len(q):h + len(q) + len(s) + 1].lstrip()
            return (_agree(before, p.rstrip(), True) + _agree(after, s.lstrip(), False), h == near)

        hits.sort(key=score, reverse=True)
    return ft.span(hits[0], hits[0] + len(q))


def context(text: str, start: int, end: int) -> tuple[str, str]:
    """The prefix and suffix of a span (at most CONTEXT characters, within its paragraph)."""
    before = text[max(0, start - CONTEXT):start].rsplit("\n", 1)[-1]
    after = text[end:end + CONTEXT].split("\n", 1)[0]
    return before, after


def crosses_paragraph(text: str, start: int, end: int) -> bool:
    return "\n" in text[start:end]


def paragraphs(text: str) -> list[tuple[int, int]]:
    """The paragraphs of a stored text: its non-empty lines, as ``(start, end)`` offsets."""
    out, at = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((at, at + len(line)))
        at += len(line) + 1
    return out


def difference(old: str, new: str) -> dict:
    """How a text changed: characters removed and added, and the changed paragraphs
    as segments ``(op, text)`` (``equal``, ``delete``, ``insert``)."""
    a, b = old.split("\n"), new.split("\n")
    changes, removed, added = [], 0, 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        was, now = "\n".join(a[i1:i2]), "\n".join(b[j1:j2])
        segments = []
        for op2, k1, k2, m1, m2 in difflib.SequenceMatcher(None, was, now, autojunk=False).get_opcodes():
            if op2 == "equal":
                segments.append(("equal", was[k1:k2]))
                continue
            if k2 > k1:
                segments.append(("delete", was[k1:k2]))
                removed += k2 - k1
            if m2 > m1:
                segments.append(("insert", now[m1:m2]))
                added += m2 - m1
        changes.append(segments)
    return {"removed": removed, "added": added, "changed": removed + added, "paragraphs": changes}


__all__ = ["MAX_SOURCE_TEXT", "TextError", "normalise", "digest", "fold", "Folded", "anchor", "context",
           "crosses_paragraph", "paragraphs", "difference"]
