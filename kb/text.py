"""Search text: one normalisation for what is indexed and what is asked, and
where a query matched a claim.

:func:`fold` is the normalisation: Unicode NFKC (full-width Latin and digits
become ASCII, half-width katakana become full-width, ｶﾞ becomes ガ), lower
case, and no separators (white space of any width, hyphens and dashes, the
katakana middle dot), so "Data Centre", "data-centre", "datacentre" and
「ｄａｔａ　ｃｅｎｔｒｅ」 are all "datacentre". A query is split into words at
white space; it matches a text holding the words run together (a phrase), or
a claim holding each word somewhere (scattered words).

The claim index folds with Python; SPARQL cannot do NFKC, so
:func:`sparql_folds` gives the replacements a query's characters need on the
data side (see kb.queries.search_filter and ARCHITECTURE.md's note on search).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

SEPARATORS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fb"  # hyphens, dashes, minus, ・ (and white space)
_SEP = re.compile(r"[\s" + re.escape(SEPARATORS) + "]+")
# where a match shows: the claim's text first, then a dispute's or a quote, then names
KINDS = ("text", "quote", "dispute", "claimant", "party", "about")
RANK = {"text": 0, "quote": 1, "dispute": 1, "claimant": 2, "party": 2, "about": 2}
WORDS_RANK = 3  # every word of the query somewhere in the claim, but not together
SNIPPET = 160  # characters of a long field shown around its first match


def fold(text: str) -> str:
    """The searchable form of a text (or of one word of a query)."""
    return _SEP.sub("", unicodedata.normalize("NFKC", text).lower())


def words(query: str) -> list[str]:
    """A query's words, folded, each once, in order (none for a query of separators only)."""
    return list(dict.fromkeys(w for w in (fold(p) for p in unicodedata.normalize("NFKC", query).split()) if w))


def terms(folded: str) -> tuple[str, list[str]]:
    """``(phrase, words)`` of a query parsed by :func:`kb.filters.parse` (its words joined by spaces)."""
    ws = folded.split(" ")
    return "".join(ws), ws


# ---- where it matched -------------------------------------------------------------
def _clusters(text: str):
    """A text's characters with the combining marks that follow each (NFKC composes them)."""
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and (unicodedata.combining(text[j]) or text[j] in "\uff9e\uff9f"):
            j += 1
        yield i, j
        i = j


def fold_map(text: str) -> tuple[str, list[tuple[int, int]]]:
    """:func:`fold` of a text, with each folded character's span in the text."""
    out, spans = [], []
    for i, j in _clusters(text):
        f = fold(text[i:j])
        out.append(f)
        spans += [(i, j)] * len(f)
    return "".join(out), spans


def marks(text: str, needles) -> list[list[int]]:
    """``[[start, end]]`` of each occurrence of the folded ``needles`` in a text, in the text's
    characters (code points), in order, overlapping ones merged."""
    folded, spans = fold_map(text)
    found = []
    for n in needles:
        at = folded.find(n)
        while n and at >= 0:
            found.append([spans[at][0], spans[at + len(n) - 1][1]])
            at = folded.find(n, at + len(n))
    found.sort()
    merged: list[list[int]] = []
    for s, e in found:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return merged


def snippet(text: str, spans: list[list[int]]) -> tuple[str, list[list[int]]]:
    """A long text cut around its first mark (with "…"), and the marks within it."""
    if len(text) <= SNIPPET or not spans:
        return text, spans
    start = max(0, spans[0][0] - SNIPPET // 4)
    end = min(len(text), start + SNIPPET)
    start = max(0, min(start, end - SNIPPET))
    head = "…" if start else ""
    shift = len(head) - start
    kept = [[max(s, start) + shift, min(e, end) + shift] for s, e in spans if s < end and e > start]
    return head + text[start:end] + ("…" if end < len(text) else ""), kept


def fields_of(claim: dict):
    """``(kind, lang, text, record id)`` of each searchable text of a claim as
    :func:`kb.reads.get_claims` gives it, in the order a match is shown."""
    for lang, t in sorted(claim["text"].items()):
        yield "text", lang, t, claim["id"]
    standing = [d for d in claim["disputes"] if not d["withdrawn"]]
    if claim.get("quote"):
        yield "quote", None, claim["quote"]["exact"], claim["id"]
    for d in standing:
        for lang, t in sorted(d["text"].items()):
            yield "dispute", lang, t, d["id"]
        if d.get("quote"):
            yield "quote", None, d["quote"]["exact"], d["id"]
    named = [("claimant", claim["claimant"])] + [("party", d["party"]) for d in standing] + \
        [("about", a) for a in claim["about"]]
    for kind, ref in named:
        for lang, t in sorted((ref or {}).get("name", {}).items()):
            yield kind, lang or None, t, ref["id"]


def where_matched(claim: dict, folded_query: str) -> dict:
    """Where a query (as :func:`kb.filters.parse` gives it) matched a claim: ``{"phrase": bool,
    "fields": [{"field", "lang", "record", "snippet", "marks"}]}``, the best field first
    (the phrase: every field holding it, at most 3; scattered words: the first field holding each)."""
    phrase, ws = terms(folded_query)
    fields = list(fields_of(claim))
    out = []
    for kind, lang, t, rid in fields:
        if phrase in fold(t):
            out.append((kind, lang, t, rid, [phrase]))
    is_phrase = bool(out)
    if is_phrase:
        out.sort(key=lambda f: RANK[f[0]])
        out = out[:3]
    else:
        chosen: dict = {}
        for w in ws:
            for kind, lang, t, rid in fields:
                if w in fold(t):
                    chosen.setdefault((kind, lang, t, rid), []).append(w)
                    break
        out = [(*k, v) for k, v in chosen.items()]
    shown = []
    for kind, lang, t, rid, needles in out:
        cut, spans = snippet(t, marks(t, needles))
        shown.append({"field": kind, "lang": lang, "record": rid, "snippet": cut, "marks": spans})
    return {"phrase": is_phrase, "fields": shown}


# ---- the data side of a SPARQL search ---------------------------------------------------
_PLANES = [(0, 0xD800), (0xE000, 0x10000)]  # the basic plane: compatibility forms outside it are not folded in SPARQL


@cache
def _tables() -> tuple[dict, dict, tuple]:
    """``singles``: folded character -> the characters (other than itself and A-Z) folding to it
    alone; ``pairs``: a kana with a voiced mark -> the two-character spellings NFKC composes to it
    (ｶﾞ -> ガ); ``empty``: the characters folding to nothing (separators of every width)."""
    singles: dict = {}
    empty = []
    for lo, hi in _PLANES:
        for cp in range(lo, hi):
            ch = chr(cp)
            f = fold(ch)
            if f == ch or "A" <= ch <= "Z":
                continue
            if f == "":
                empty.append(ch)
            elif len(f) == 1:
                singles.setdefault(f, []).append(ch)
    pairs: dict = {}
    for cp in range(0x3041, 0x3100):
        t = chr(cp)
        d = unicodedata.normalize("NFD", t)
        if len(d) != 2 or d[1] not in "\u3099\u309a":
            continue
        for b in [d[0], *singles.get(d[0], [])]:
            for m in [d[1], *singles.get(d[1], [])]:
                if fold(b + m) == t and unicodedata.normalize("NFC", b + m) != t:
                    pairs.setdefault(t, []).append(b + m)
    return singles, pairs, tuple(empty)


def sparql_folds(query_chars: str) -> list[tuple[list[str], str]]:
    """The replacements that make the data's characters, as far as a query's
    characters are concerned, what :func:`fold` makes them: ``[(spellings, replacement)]``,
    to apply in order (before lower-casing and removing :func:`separators`).

    Exact for characters whose NFKC form is one character (full-width Latin and digits,
    half-width katakana, ideographic space, …) and for half-width kana with a voiced mark;
    not for the compatibility characters NFKC spells with several (ligatures such as ﬁ,
    ㍻, ⑩, ㈱, ½), nor for those outside the basic plane."""
    singles, pairs, _ = _tables()
    chars = set(query_chars)
    out = []
    for t, spellings in sorted(pairs.items()):  # before the single characters they start with
        if t in chars or unicodedata.normalize("NFD", t)[0] in chars:
            out.append((spellings, t))
    for t in sorted(chars):
        if singles.get(t):
            out.append((singles[t], t))
    return out


def separators() -> tuple[str, ...]:
    """Every character :func:`fold` removes (as far as the basic plane goes)."""
    return _tables()[2]


__all__ = ["fold", "words", "terms", "fold_map", "marks", "snippet", "fields_of", "where_matched",
           "sparql_folds", "separators", "KINDS", "RANK", "WORDS_RANK"]
