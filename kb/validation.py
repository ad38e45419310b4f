"""SHACL validation: the shapes are loaded once (checked against SHACL-SHACL
by ``kb validate`` and by the tests, not at every start: that check alone takes
about a second); a change is validated as a small graph of the change plus the context
the shapes reach, so the time does not grow with the store."""

from __future__ import annotations

import functools
import logging
import os
import threading
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from .errors import KBError, Problem
from .ids import Minter
from .model import FIELDS, kind_of_types

SHAPES_DIR = Path(__file__).resolve().parent.parent / "shapes"

# rdflib logs a traceback for every ill-typed literal it meets; the shapes
# report those literals properly, so keep the noise off the user's terminal.
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)


@functools.lru_cache(maxsize=4)
def load_shapes(shapes_dir: str | None = None, *, meta_check: bool = False) -> Graph:
    """All ``*.ttl`` in ``shapes/``; with ``meta_check``, checked against SHACL-SHACL."""
    folder = Path(shapes_dir) if shapes_dir else SHAPES_DIR
    g = Graph()
    files = sorted(folder.glob("*.ttl"))
    if not files:
        raise KBError(f"no SHACL shapes found in {folder}")
    for f in files:
        g.parse(f, format="turtle")
    if meta_check:
        from pyshacl.errors import ReportableRuntimeError  # noqa: PLC0415 - see _shacl_validate

        try:
            conforms, _, text = _shacl_validate(Graph(), shacl_graph=g, meta_shacl=True)
        except ReportableRuntimeError as e:  # pyshacl raises rather than reports when the shapes are bad
            conforms, text = False, str(e)
        if not conforms:
            raise KBError(f"the shapes in {folder} are not valid SHACL:\n{text}")
    return g


def _shacl_validate(*args, **kwargs):
    """pySHACL's ``validate``, imported at the first validation: pySHACL and rdflib's SPARQL
    parser it loads take ~0.3 s to import, which a process serving pages only need not pay."""
    from pyshacl import validate  # noqa: PLC0415

    return validate(*args, **kwargs)


_HARVESTED: dict = {}  # id(shapes graph) -> (that graph, pySHACL's ShapesGraph of it, the shapes that target nodes)
_HARVEST_LOCK = threading.Lock()


def _run(data: Graph, shapes: Graph, focus=None):
    """pySHACL's validation of ``data`` against ``shapes``, as ``pyshacl.validate(data, shacl_graph=shapes,
    advanced=False, inference=None, allow_warnings=False)`` does it, with two differences in what is
    repeated, none in what is checked:

    - the shapes are gathered once: ``validate`` makes its ``Validator`` anew each time, which reads
      every shape out of the shapes graph again (15–20% of a write's validation); here each
      ``Validator`` is given the ``ShapesGraph`` the first one gathered;
    - with ``focus``, each shape is evaluated on the nodes it targets that are in ``focus`` only, as
      ``Validator.run`` evaluates it on all it targets: the context of a change (the records it refers
      to, there for the class checks) is not validated, where ``validate`` validated it and
      :func:`check` threw the results away (about half of a write's validation). A node in ``focus`` is
      checked against the same shapes, nested shapes (``sh:node``, ``sh:or``…) included, with the same
      graph and gives the same results. (pySHACL's own ``focus_nodes`` option is no substitute: it
      also skips nested shapes on value nodes outside the list, so they would always conform.) Only
      the shapes that declare a target (11 of the 159 shapes ``shapes/`` gives) are asked for their
      focus nodes: the others (property shapes, shapes reached by ``sh:node`` or ``sh:or``) have none,
      and reading that out of the shapes graph again took ~9 ms a write here;
    - each evaluation of a shape looks its predicates up in pySHACL's list of constraint parameters,
      one comparison of terms after another (~4,000 a write): here the same list answers ``in`` from a
      set (:class:`_Parameters`), the same parameters in the same order.

    One validation at a time (a ``ShapesGraph`` is pySHACL's own object, not made to be shared by threads)."""
    from pyshacl import Validator  # noqa: PLC0415 - see _shacl_validate
    from pyshacl.graph_abstraction import DataGraph  # noqa: PLC0415

    with _HARVEST_LOCK:
        _hashed_parameters()
        validator = Validator(DataGraph.from_rdflib(data), shacl_graph=shapes,
                              options={"inference": None, "advanced": False, "allow_warnings": False,
                                       "logger": _PYSHACL_LOG})
        kept = _HARVESTED.get(id(shapes))
        if kept is not None and kept[0] is shapes:
            validator.shacl_graph = kept[1]
        else:
            targeting = [s for s in validator.shacl_graph.shapes if any(len(list(t)) for t in s.target())]
            kept = _HARVESTED[id(shapes)] = (shapes, validator.shacl_graph, targeting)
        if focus is None:
            return validator.run()
        executor, graph = validator.make_executor(), validator.data_graph
        conforms, reports = True, []
        for shape in kept[2]:  # (in the order of validator.shacl_graph.shapes, as Validator.run)
            targeted = [n for n in shape.focus_nodes(graph) if n in focus]
            if targeted:
                ok, found = shape.validate(executor, graph, focus=targeted)
                conforms, reports = conforms and ok, reports + found
        report, text = Validator.create_validation_report(validator.shacl_graph, conforms, reports)
        return conforms, report, text


_PYSHACL_LOG = logging.getLogger("pyshacl")


class _Parameters(list):
    """pySHACL's list of constraint parameters, whose ``in`` is a set's (its order and items unchanged)."""

    def __init__(self, items):
        super().__init__(items)
        self._set = frozenset(items)

    def __contains__(self, item):
        return item in self._set


def _hashed_parameters() -> None:
    """Give pySHACL's shape evaluation (``pyshacl.shape.Shape.validate``, which keeps the list it reads
    in its module's ``CONSTRAINT_PARAMS``) the constraint parameters as :class:`_Parameters`, once."""
    import pyshacl.shape  # noqa: PLC0415 - see _shacl_validate
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP  # noqa: PLC0415

    kept = getattr(pyshacl.shape, "CONSTRAINT_PARAMS", None)
    if not (kept and isinstance(kept[0], _Parameters)):
        pyshacl.shape.CONSTRAINT_PARAMS = (_Parameters(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)


class ValidationGraph(Graph):
    """The graph a change is validated in. pySHACL hands each ``sh:sparql`` constraint's text to
    this graph's ``query`` at every validation, and rdflib parses it anew each time (pyparsing:
    30–140 ms a query on this machine, two per write of a claim with sources, more than the rest of
    the validation): here each text is parsed once and its prepared form reused. The query, its
    bindings and its answers are pySHACL's own; only the parsing is not repeated."""

    def query(self, query_object, processor="sparql", result="sparql", initNs=None,  # noqa: N803
              initBindings=None, use_store_provided=True, **kwargs):
        if isinstance(query_object, str) and processor == "sparql" and not kwargs:
            ns = initNs or dict(self.namespaces())  # what rdflib would parse the text with
            query_object = _prepared(query_object, tuple(sorted(ns.items())))
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


@functools.lru_cache(maxsize=64)
def _prepared(text: str, namespaces: tuple):
    from rdflib.plugins.sparql import prepareQuery  # noqa: PLC0415 - see _shacl_validate

    return prepareQuery(text, initNs=dict(namespaces))


def owner(node) -> URIRef:
    """A record's fragment nodes (…#quote) belong to the record."""
    s = str(node)
    return URIRef(s.split("#", 1)[0]) if "#" in s else node


# ---- the bulk engine ----------------------------------------------------------------
ENGINES = ("pyshacl", "turbo")


def engine(chosen: str | None = None) -> str:
    """The engine a write or an import validates with: ``chosen``, else the ``CLAIMKB_VALIDATOR``
    environment variable, else pyshacl-turbo (its reports held to pySHACL's by the tests; about a
    third of pySHACL's time on a single write's graph, a tenth on an import's batch)."""
    engine = chosen or os.environ.get("CLAIMKB_VALIDATOR") or "turbo"
    if engine not in ENGINES:
        raise KBError(f"unknown validator {engine!r}: use one of {', '.join(ENGINES)}")
    return engine


_COMPILED: dict = {}  # id(shapes graph) -> (that graph, pyshacl-turbo's compiled shapes)


def _run_turbo(data, shapes: Graph):
    """pyshacl-turbo (a Rust SHACL engine with pySHACL's API) over the whole of ``data`` (an rdflib
    Graph, or a set of triples: see :func:`_turbo_input`): 10-20x
    quicker than pySHACL on an import's batch, ~3x on a single write's change and context. Its results for the records of a batch are held to
    pySHACL's by ``tests/test_validation_engines.py`` (the seed, every record alone, broken records
    of each kind, the field cases of ``tests/test_validation.py``); :func:`check` keeps only the
    results of the batch's own nodes, as with pySHACL. The shapes are compiled once."""
    import pyshacl_turbo  # noqa: PLC0415 - only a bulk import needs it

    if not isinstance(data, Graph):
        data = _turbo_input(data)
    with _HARVEST_LOCK:
        kept = _COMPILED.get(id(shapes))
        if kept is None or kept[0] is not shapes:
            kept = _COMPILED[id(shapes)] = (shapes, pyshacl_turbo.compile_shapes(shapes))
        compiled = kept[1]
        # under the lock too: the compiled shapes are not documented as safe to share between threads
        conforms, report, text = compiled.validate(data)
    return conforms, report, text


def _turbo_input(triples: set):
    """A set of triples in the form pyshacl-turbo makes of an rdflib Graph before validating it
    (``pyshacl_turbo.rdf._term_input``: each term interned once, with the namespaces a new Graph
    binds), without building the Graph: an import's chunk of 2,000 claims is ~40,000 triples, and
    adding them to an rdflib Graph took ~0.5 ms a claim, a third of the validation. (The engine's
    version is pinned; ``tests/test_validation_engines.py`` holds its reports on imports to pySHACL's.)"""
    from pyshacl_turbo.rdf import Input  # noqa: PLC0415 - see _run_turbo
    from pyshacl_turbo.term_input import _TermBatch  # noqa: PLC0415

    nodes: dict = {}
    batch = _TermBatch(nodes)
    for s, p, o in triples:
        batch.append(s, p, o)
    return Input((batch.records, batch.quads), "terms", None, nodes, dict(_namespaces()))


@functools.lru_cache(maxsize=1)
def _namespaces() -> tuple:
    return tuple(Graph().namespaces())


def check(data: Graph | set, focus: set, minter: Minter, shapes: Graph | None = None, *,
          engine: str = "pyshacl") -> list[Problem]:
    """Validate ``data`` (a Graph, or a set of triples); report only results whose focus node is
    in ``focus`` (context nodes are there for class checks and are judged elsewhere). ``engine``:
    pyshacl (the reference) or turbo (see :func:`_run_turbo`; a set of triples is handed to it as
    they are, and made a Graph only to explain the problems found)."""
    shapes = shapes if shapes is not None else load_shapes()
    if engine != "turbo" and not isinstance(data, Graph):
        data = _graph(data)
    if engine == "turbo":
        conforms, results, _ = _run_turbo(data, shapes)
    else:
        conforms, results, _ = _run(data, shapes, focus)
    if conforms:
        return []
    if not isinstance(data, Graph):
        data = _graph(data)
    problems = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        node = results.value(result, SH.focusNode)
        if node not in focus:
            continue
        problems.append(_problem(results, result, node, data, minter))
    problems.sort(key=lambda p: (p.record or "", p.field or "", p.message))
    return problems


def _graph(triples) -> Graph:
    g = ValidationGraph()
    for t in triples:
        g.add(t)
    return g


def _problem(results: Graph, result, node, data: Graph, minter: Minter) -> Problem:
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    message = str(results.value(result, SH.resultMessage) or "does not conform")
    kind = kind_of_types(data.objects(node, RDF.type))
    rec = owner(node)
    rec_kind = kind_of_types(data.objects(rec, RDF.type)) if rec != node else kind
    if kind == "quote":
        fld = FIELDS["quote"].get(path, str(path))
    else:
        fld = FIELDS.get(kind or "", {}).get(path, str(path) if path is not None else None)
    _, local = minter.local(rec)
    return Problem(
        message,
        record=local or str(rec),
        field=fld,
        value=None if value is None else str(value),
        kind=rec_kind,
    )


__all__ = ["load_shapes", "check", "owner", "engine", "ENGINES"]
