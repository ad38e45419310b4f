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
data side (used by kb.queries.search); what it leaves out, where the claim
index and SPARQL can differ, is listed there. Lower case is the server's LCASE
on that side (the same as Python's for the Latin, kana and CJK tested).
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
FORMS = (0xFF00, 0xFFF0)  # the half-width and full-width forms: the compatibility characters SPARQL folds
MARKS = {"\uff9e": "\u3099", "\uff9f": "\u309a"}  # half-width voiced marks -> combining ones
MAX_STEPS = 36  # replacements in one SPARQL search (Virtuoso 7.2 refused 61: "too many opened parentheses")


# every character of the basic plane that fold() removes (tests/test_search.py checks it against a scan)
SEPARATOR_CHARS = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f -\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
                   "\u2006\u2007\u2008\u2009\u200a\u2010\u2011\u2012\u2013\u2014\u2015\u2028\u2029\u202f"
                   "\u205f\u207b\u208b\u2212\u3000\u30fb\ufe31\ufe32\ufe58\ufe63\uff0d\uff65")


@cache
def _tables() -> tuple[dict, dict]:
    """``widths``: a character -> its half-width or full-width spellings (``Ａ``, ``ａ`` -> ``a``;
    ``ｶ`` -> ``カ``); ``voiced``: a kana with a voiced mark -> its base (``ガ`` -> ``カ``)."""
    widths: dict = {}
    for cp in range(*FORMS):
        ch = chr(cp)
        f = fold(ch)
        if len(f) == 1 and f != ch and ch not in MARKS:
            widths.setdefault(f, []).append(ch)
    voiced = {}
    for cp in range(0x3041, 0x3100):
        d = unicodedata.normalize("NFD", chr(cp))
        if len(d) == 2 and d[1] in MARKS.values():
            voiced[chr(cp)] = d[0]
    return widths, voiced


def sparql_folds(query_chars: str) -> list[tuple[list[str], str]]:
    """The replacements that make a stored text's characters, as far as a query's characters
    are concerned, what :func:`fold` makes them: ``[(spellings, replacement)]``, in order, before
    lower-casing and removing :func:`separators`: the half-width and full-width forms of the
    query's characters (and of the bases of its voiced kana); the half-width voiced marks;
    then each voiced kana spelled as its base and a combining mark (ｶﾞ -> カ゛ -> ガ).

    Not folded (the claim index folds them, SPARQL does not find them): the other compatibility
    characters (circled ㋐ and ①, superscripts, ligatures such as ﬁ, ㍻, ㈱, ½, compatibility
    ideographs), and any replacement after the first MAX_STEPS (a query of some thirty kinds
    of kana or more)."""
    widths, voiced = _tables()
    chars = set(query_chars)
    kana = sorted(t for t, base in voiced.items() if t in chars or base in chars)
    bases = chars | {voiced[t] for t in kana}
    out = [(widths[t], t) for t in sorted(bases) if t in widths]
    marks = {unicodedata.normalize("NFD", t)[1] for t in kana}
    out += [([h], m) for h, m in MARKS.items() if m in marks]
    out += [([unicodedata.normalize("NFD", t)], t) for t in kana]
    return out[:MAX_STEPS]


def separators() -> tuple[str, ...]:
    """Every character of the basic plane :func:`fold` removes."""
    return tuple(SEPARATOR_CHARS)


__all__ = ["fold", "words", "terms", "fold_map", "marks", "snippet", "fields_of", "where_matched",
           "sparql_folds", "separators", "KINDS", "RANK", "WORDS_RANK"]
