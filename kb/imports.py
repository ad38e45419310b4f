"""Bulk imports, all or nothing: YAML documents in the import format, and RDF
(Turtle, TriG, N-Triples, N-Quads, JSON-LD), validated whole before anything is written."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal
from rdflib.namespace import RDF

from . import analysis, changelog, claimreview_in
from .errors import InvalidData, KBError, Problem
from .io import load_yaml
from .model import MAX_TEXT, Record, build_records, kind_of_types
from .namespaces import KB, VOCAB_GRAPH
from .stores import RDF_FORMATS, from_ox
from .validation import engine as chosen_engine
from .validation import owner
from .writes import ImportResult, commit


def import_data(data, doc, *, by: str, progress=None, validator: str | None = None) -> ImportResult:
    """A YAML-shaped document {agents, topics, sources, claims}: all or nothing. A claim may hold its
    ``verdict`` and ``relations`` (:func:`kb.analysis.conclusions`). ``validator``: the SHACL engine
    (:func:`kb.validation.engine`)."""
    engine = chosen_engine(validator)
    doc, conclusions = analysis.conclusions(data, doc, by=by)
    records, problems = build_records(doc, data.minter, data.known_kind)
    if problems:
        raise InvalidData(problems)
    return commit(data, records + conclusions(), by, progress=progress, engine=engine)


def import_yaml(data, text: bytes | str, *, by: str, name: str = "input", progress=None,
                folder=None, validator: str | None = None) -> ImportResult:
    doc = load_yaml(text, name=name)
    if doc is None:
        raise KBError(f"{name} is empty")
    return import_data(data, read_text_files(doc, folder), by=by, progress=progress, validator=validator)


def read_text_files(doc, folder):
    """Sources' ``text_file`` (a path relative to the YAML file's ``folder``, inside it) -> ``text``."""
    sources = doc.get("sources") if isinstance(doc, dict) else None
    if not isinstance(sources, list) or not any(isinstance(s, dict) and "text_file" in s for s in sources):
        return doc
    problems, out = [], []
    for i, s in enumerate(sources):
        if not isinstance(s, dict) or "text_file" not in s:
            out.append(s)
            continue
        s, rid = dict(s), s.get("id") or f"#{i + 1}"
        name = s.pop("text_file")
        if "text" in s:
            problems.append(Problem("give text or text_file, not both", record=rid, field="text_file", kind="source"))
        elif folder is None:
            problems.append(Problem("is read only from a YAML file on disk; send the text itself (text)",
                                    record=rid, field="text_file", kind="source"))
        else:
            root = Path(folder).resolve()
            path = (root / str(name)).resolve()
            if not path.is_relative_to(root) or not path.is_file():
                problems.append(Problem("must name a file in the YAML file's folder", record=rid,
                                        field="text_file", value=str(name), kind="source"))
            else:
                try:
                    s["text"] = path.read_bytes().decode("utf-8-sig")
                except UnicodeDecodeError:
                    problems.append(Problem("is not UTF-8 text", record=rid, field="text_file", value=str(name),
                                            kind="source"))
        out.append(s)
    if problems:
        raise InvalidData(problems)
    return {**doc, "sources": out}


def _nfc(term):
    """Literals are stored in Unicode NFC, so the same text is stored once."""
    if isinstance(term, Literal):
        text = str(term)
        norm = unicodedata.normalize("NFC", text)
        if norm != text:
            return Literal(norm, lang=term.language, datatype=term.datatype)
    return term


def _parse(raw: bytes, fmt: str, name: str) -> list:
    if fmt not in RDF_FORMATS or fmt == "xml":
        raise KBError(f"cannot import format {fmt!r}")
    try:
        quads = list(ox.parse(raw, format=RDF_FORMATS[fmt], base_iri=None))
    except SyntaxError as e:
        raise InvalidData([Problem(f"{name} is not valid {fmt}: {e}")]) from e
    except (ValueError, OSError, RecursionError) as e:
        raise InvalidData([Problem(f"{name} could not be read as {fmt}: {e}")]) from e
    except MemoryError as e:  # pyoxigraph caps one token (a literal or an IRI) at 16 MiB
        raise InvalidData([Problem(f"{name} could not be read as {fmt}: it holds a literal or IRI "
                                   f"larger than the parser accepts ({e})")]) from e
    if not quads:
        why = " (a JSON-LD processor drops nodes whose IRIs are not valid)" if fmt == "jsonld" else ""
        raise InvalidData([Problem(f"{name} holds no triples{why}; nothing was written")])
    return quads


def _sort_quads(data, quads: list, name: str) -> tuple[dict, list]:
    """The current (or default) graph's triples by subject, and the history quads of a dataset."""
    by_subject: dict = defaultdict(set)
    history = []
    for q in quads:
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
            raise InvalidData([Problem("blank nodes are not accepted: every node needs an IRI", record=name)])
        s, p, o = from_ox(q.subject), from_ox(q.predicate), _nfc(from_ox(q.object))
        if isinstance(o, Literal) and len(o) > MAX_TEXT:
            raise InvalidData([Problem(f"a literal of {len(o):,} characters is too long (at most {MAX_TEXT:,})",
                                       record=data.minter.local(owner(s))[1] or str(s), field=str(p))])
        g = q.graph_name
        gname = None if isinstance(g, ox.DefaultGraph) else g.value
        if gname is None or gname == data.current:
            by_subject[s].add((s, p, o))
        elif gname == VOCAB_GRAPH or p == KB.generation or changelog.is_entry(data, s):
            continue  # the vocabulary, or another store's write counter or change log
        elif gname == data.history_graph or gname.startswith(data.minter.base):
            history.append((s, p, o, gname))
        else:
            raise InvalidData([Problem(f"graph <{gname}> is not one of this knowledge base's graphs", record=name)])
    return by_subject, history


def import_rdf(data, raw: bytes, fmt: str, *, by: str, name: str = "input", progress=None,
               validator: str | None = None) -> ImportResult:
    """Turtle, TriG, N-Triples, N-Quads or JSON-LD: the triples of the current (or
    default) graph are records; a TriG export's history graphs come along unchanged. JSON-LD holding
    schema.org ClaimReviews (fact-checkers' markup and feeds) becomes claims and verdicts instead."""
    engine = chosen_engine(validator)
    if fmt == "jsonld" and claimreview_in.is_claimreview(raw):
        return claimreview_in.load(data, raw, by=by, name=name, progress=progress, engine=engine)
    by_subject, history = _sort_quads(data, _parse(raw, fmt, name), name)
    records: dict = {}
    for s, triples in by_subject.items():
        key = owner(s)
        rec = records.get(key)
        if rec is None:
            rec = records[key] = Record(key, "other", local_id=data.minter.local(key)[1] or str(key))
        rec.triples |= triples
    analysts = set()
    for rec in records.values():
        types = [o for s, p, o in rec.triples if s == rec.iri and p == RDF.type]
        rec.kind = kind_of_types(types) or ("analyst" if KB.Analyst in types else "other")
        if rec.kind == "analyst":
            analysts.add(rec.iri)
    recs = [r for r in records.values() if r.iri not in analysts]
    # an import replaces a record's whole description: a fragment of one would wipe the rest
    problems = [Problem("has no rdf:type in the import; an import replaces a record's whole description, "
                        "so give all of it (a claim, dispute, source, agent or topic)",
                        record=r.local_id, field="type")
                for r in recs if r.kind == "other" and (data.minter.local(r.iri)[0] or data.describe([r.iri]))]
    if problems:
        raise InvalidData(problems)
    # history graphs of a dataset are restored as they are, only into a store that lacks them
    for _, _, _, g in history:
        if g != data.history_graph and data.store.has_graph(g):
            raise InvalidData([Problem(f"version graph <{g}> already exists in this store", record=name)])
    analyst_quads = [(s, p, o, data.current) for a in analysts for s, p, o in records[a].triples]
    with data.write_lock:
        if history:
            data.store.apply([], list(history) + analyst_quads)
            try:
                return commit(data, recs, by, progress=progress, engine=engine)
            except Exception:
                data.store.apply(list(history), [])
                raise
        return commit(data, recs, by, progress=progress, history_quads=analyst_quads, engine=engine)


__all__ = ["import_data", "import_yaml", "import_rdf"]
