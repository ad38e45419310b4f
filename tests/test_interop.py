"""What outside tools read: the JSON-LD export and a claim's JSON-LD (rdflib and a JSON-LD 1.1
processor, PyLD, alike), the SPARQL 1.1 Protocol's malformed requests, prefixes in every
serialised graph, and how the query page shows IRIs."""

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyld import jsonld as pyld
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from app import create_app
from kb import open_kb
from kb.jsonld import CONTEXT
from kb.namespaces import KB, RDF, SDO

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "seed.yaml"
CLAIM = "ms-cancelled-datacentre-deals"
HTML = {"Accept": "text/html"}
SCHEMA = "@prefix schema: <http://schema.org/> ."


@pytest.fixture
def app():
    return create_app({"TESTING": True}, kb=open_kb(":memory:"))


@pytest.fixture
def client(app):
    return app.test_client()


def kb_cli(*args, store):
    return subprocess.run([sys.executable, "-m", "kb.cli", "--store", str(store), *args], capture_output=True,
                          env={**os.environ, "KB_USER": "interop-tester"}, cwd=ROOT, timeout=300)


def turtle_graph(data: bytes) -> Graph:
    return Graph().parse(data=data, format="turtle")


def read_jsonld(data: bytes) -> tuple[Graph, Graph]:
    """The document as rdflib reads it, and as PyLD (a JSON-LD 1.1 processor) turns it into RDF."""
    by_rdflib = Graph().parse(data=data, format="json-ld")
    nquads = pyld.to_rdf(json.loads(data), {"format": "application/n-quads"})
    by_pyld = Graph().parse(data=nquads, format="nt")  # N-Triples: a line naming a graph would not parse
    return by_rdflib, by_pyld


def assert_compacted(data: bytes):
    """One @context with the project's prefixes; every triple in the default graph; and the
    document is what PyLD's compaction with that context makes of it (nothing left expanded)."""
    doc = json.loads(data)
    assert set(doc) == {"@context", "@graph"}
    ctx = doc["@context"]
    for prefix in ("schema", "kb", "prov", "oa", "skos", "xsd"):
        assert ctx[prefix] == CONTEXT[prefix]
    assert ctx["schema"] == "http://schema.org/"
    assert not any("@graph" in node for node in doc["@graph"])  # no named graph inside
    ds = Dataset()
    ds.parse(data=data, format="json-ld")
    assert [str(g.identifier) for g in ds.graphs() if len(g)] == ["urn:x-rdflib:default"]
    assert all(isinstance(q.graph_name, ox.DefaultGraph) for q in ox.parse(data, ox.RdfFormat.JSON_LD))

    def norm(d):
        nodes = d["@graph"] if "@graph" in d else [{k: v for k, v in d.items() if k != "@context"}]
        return sorted(json.dumps({k: sorted(json.dumps(x, sort_keys=True) for x in v) if isinstance(v, list) else v
                                  for k, v in n.items()}, sort_keys=True) for n in nodes)
    assert norm(pyld.compact(doc, ctx)) == norm(doc)


def merged(doc) -> dict:
    """@id -> the node's keys, each with the list of its values (a subject may be split over node objects)."""
    out: dict = {}
    for n in doc["@graph"]:
        m = out.setdefault(n["@id"], {})
        for k, v in n.items():
            if k != "@id":
                m.setdefault(k, []).extend(v if isinstance(v, list) else [v])
    return out


# ---- 1. the JSON-LD export ---------------------------------------------------------------

def test_jsonld_export_is_the_turtle_export_in_the_default_graph(seeded):
    """Library, on every backend: rdflib and PyLD read the same triples as the Turtle export holds."""
    ttl, js = io.BytesIO(), io.BytesIO()
    seeded.export(ttl, "turtle")
    seeded.export(js, "jsonld")
    expected = turtle_graph(ttl.getvalue())
    by_rdflib, by_pyld = read_jsonld(js.getvalue())
    assert len(expected) > 500
    assert isomorphic(by_rdflib, expected) and isomorphic(by_pyld, expected)
    assert len(set(by_rdflib.subjects(RDF.type, SDO.Claim))) == seeded.summary()["claims"] == 31
    assert_compacted(js.getvalue())
    nodes = merged(json.loads(js.getvalue()))
    claim = next(n for i, n in nodes.items() if i.endswith(f"/claims/{CLAIM}"))
    assert claim["@type"] == ["schema:Claim"] and claim["kb:sourcing"] == ["reportedly"]
    assert claim["schema:author"] == [{"@id": str(seeded.iri("agent", "unnamed-reports"))}]
    assert {v["@language"] for v in claim["schema:text"]} == {"en", "ja"}
    dispute = next(n for n in nodes.values() if {"@id": "kb:Denies"} in n.get("kb:stance", []))
    assert dispute["@type"] == ["kb:Dispute"] and dispute["prov:generatedAtTime"][0]["@type"] == "xsd:dateTime"


def test_jsonld_export_of_a_store_folder_has_one_node_per_record(tmp_path):
    """A folder's store dumps a graph subject by subject: each subject is one node object, and the
    round trip through ``kb load`` gives the same graph."""
    k = open_kb(str(tmp_path / "store"))
    try:
        k.import_yaml(SEED.read_bytes(), by="t")
        js, ttl = io.BytesIO(), io.BytesIO()
        k.export(js, "jsonld")
        k.export(ttl, "turtle")
    finally:
        k.close()
    ids = [n["@id"] for n in json.loads(js.getvalue())["@graph"]]
    assert len(ids) == len(set(ids)) == len(set(turtle_graph(ttl.getvalue()).subjects()))
    fresh = open_kb(":memory:")
    fresh.import_rdf(js.getvalue(), "jsonld", by="other")
    out = io.BytesIO()
    fresh.export(out, "turtle")
    assert isomorphic(turtle_graph(out.getvalue()), turtle_graph(ttl.getvalue()))


def test_jsonld_writer_gathers_a_subject_within_its_window():
    """Triples in any order: one node object per subject within the window; beyond it a subject
    may come out twice, and the document still holds exactly the same triples."""
    import random

    from kb import jsonld

    g = Graph()
    for i in range(50):
        s = f"<https://w3id.org/claimkb/id/claims/c{i}>"
        g.parse(data=f'{s} a <http://schema.org/Claim> ; <http://schema.org/text> "t{i}"@en, "x" ; '
                     f'<http://schema.org/dateCreated> "2024-0{1 + i % 9}"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> ; '
                     f'<https://w3id.org/claimkb/ns#stance> <https://w3id.org/claimkb/ns#Denies> .', format="turtle")
    triples = [ox.Triple(*(ox.NamedNode(str(x)) if isinstance(x, URIRef) else
                           ox.Literal(str(x), language=x.language) if x.language else
                           ox.Literal(str(x), datatype=ox.NamedNode(str(x.datatype))) if x.datatype else
                           ox.Literal(str(x)) for x in t)) for t in g]
    random.Random(7).shuffle(triples)
    for window, whole in ((1000, True), (3, False)):
        out = io.BytesIO()
        jsonld.write(iter(triples), out, window=window)
        doc = json.loads(out.getvalue())
        ids = [n["@id"] for n in doc["@graph"]]
        assert (len(ids) == len(set(ids)) == 50) is whole
        by_rdflib, by_pyld = read_jsonld(out.getvalue())
        assert isomorphic(by_rdflib, g) and isomorphic(by_pyld, g)
    node = merged(doc)["https://w3id.org/claimkb/id/claims/c1"]
    assert node["@type"] == ["schema:Claim"] and node["kb:stance"] == [{"@id": "kb:Denies"}]
    assert {"@value": "2024-02", "@type": "xsd:gYearMonth"} in node["schema:dateCreated"]
    assert "x" in node["schema:text"] and {"@value": "t1", "@language": "en"} in node["schema:text"]


def test_jsonld_export_over_http(client):
    r = client.get("/export.jsonld")
    assert r.status_code == 200 and r.mimetype == "application/ld+json"
    assert int(r.headers["Content-Length"]) == len(r.data)
    assert 'filename="claimkb.jsonld"' in r.headers["Content-Disposition"]
    by_rdflib, by_pyld = read_jsonld(r.data)
    expected = turtle_graph(client.get("/export.ttl").data)
    assert isomorphic(by_rdflib, expected) and isomorphic(by_pyld, expected)
    assert len(set(by_rdflib.subjects(RDF.type, SDO.Claim))) == 31
    assert_compacted(r.data)


def test_jsonld_export_from_the_command_line(tmp_path):
    store = tmp_path / "store"
    assert kb_cli("load", str(SEED), store=store).returncode == 0
    r = kb_cli("export", "--format", "jsonld", store=store)
    assert r.returncode == 0, r.stderr
    ttl = kb_cli("export", "--format", "turtle", store=store)
    by_rdflib, by_pyld = read_jsonld(r.stdout)
    expected = turtle_graph(ttl.stdout)
    assert isomorphic(by_rdflib, expected) and isomorphic(by_pyld, expected)
    assert_compacted(r.stdout)
    out = tmp_path / "kb.jsonld"
    assert kb_cli("export", "--format", "jsonld", "-o", str(out), store=store).returncode == 0
    assert out.read_bytes() == r.stdout


# ---- 2. one claim as JSON-LD -----------------------------------------------------------

def test_claim_as_jsonld_by_accept(client):
    r = client.get(f"/claims/{CLAIM}", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.mimetype == "application/ld+json"
    ttl = client.get(f"/claims/{CLAIM}", headers={"Accept": "text/turtle"})
    by_rdflib, by_pyld = read_jsonld(r.data)
    expected = turtle_graph(ttl.data)
    assert len(expected) > 30 and isomorphic(by_rdflib, expected) and isomorphic(by_pyld, expected)
    assert_compacted(r.data)
    assert client.get(f"/claims/{CLAIM}.jsonld").data == r.data
    assert "attachment" in client.get(f"/claims/{CLAIM}.jsonld?download=1").headers["Content-Disposition"]
    # the API's plain JSON is still there for application/json, and the page for a browser
    plain = client.get(f"/claims/{CLAIM}", headers={"Accept": "application/json"})
    assert plain.mimetype == "application/json" and plain.get_json()["id"] == CLAIM
    page = client.get(f"/claims/{CLAIM}", headers=HTML).get_data(as_text=True)
    assert f'type="application/ld+json" href="/claims/{CLAIM}.jsonld"' in page
    assert client.get("/claims/no-such-claim", headers={"Accept": "application/ld+json"}).status_code == 404


def test_construct_as_jsonld_is_compacted_too(client):
    r = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?d kb:party ?p ; kb:stance ?s }"},
                   headers={"Accept": "application/ld+json"})
    assert r.mimetype == "application/ld+json"
    by_rdflib, by_pyld = read_jsonld(r.data)
    assert len(by_rdflib) == 6 and isomorphic(by_rdflib, by_pyld)
    assert_compacted(r.data)


# ---- 3. the SPARQL 1.1 Protocol's malformed requests ------------------------------------

FORM = "application/x-www-form-urlencoded"
CONFLICT = """PREFIX foaf:  <http://xmlns.com/foaf/0.1/>
WITH <http://example/addresses>
DELETE { ?person foaf:givenName 'Bill' }
INSERT { ?person foaf:givenName 'William' }
WHERE {
    ?person foaf:givenName 'Bill'
}"""

# Every bad_* case of the W3C SPARQL 1.1 Protocol test suite (protocol/manifest.ttl), as its
# request is written there: name -> (method, path, body, content type, the status answered here)
BAD = {
    "bad_query_method": ("PUT", "/sparql?query=ASK%20%7B%7D&default-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09"
                         "%2Fsparql%2Fdata%2Fdata0.rdf", b"", FORM, 405),
    "bad_query_method (DELETE)": ("DELETE", "/sparql?query=ASK%20%7B%7D", b"", None, 405),
    "bad_multiple_queries": ("GET", "/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D", None, None, 400),
    "bad_query_wrong_media_type": ("POST", "/sparql", b"ASK {}", "text/plain", 415),
    "bad_query_missing_form_type": ("POST", "/sparql", b"query=ASK%20%7B%7D", None, 415),
    "bad_query_missing_direct_type": ("POST", "/sparql", b"ASK {}", None, 415),
    "bad_query_non_utf8": ("POST", "/sparql", "ASK {}".encode("utf-16"), "application/sparql-query; charset=UTF-16",
                           415),
    "bad_query_syntax": ("GET", "/sparql?query=ASK%20%7B", None, None, 400),
    "bad_update_get": ("GET", "/sparql?update=CLEAR%20ALL", None, None, 400),
    "bad_multiple_updates": ("POST", "/sparql", b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", FORM, 400),
    "bad_update_wrong_media_type": ("POST", "/sparql", b"CLEAR NAMED", "text/plain", 415),
    "bad_update_missing_form_type": ("POST", "/sparql", b"update=CLEAR%20NAMED", None, 415),
    "bad_update_non_utf8": ("POST", "/sparql", "CLEAR NAMED".encode("utf-16"),
                            "application/sparql-update; charset=UTF-16", 415),
    "bad_update_syntax": ("POST", "/sparql", b"update=CLEAR%20XYZ", FORM, 400),
    "bad_update_dataset_conflict": ("POST", "/sparql?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople",
                                    CONFLICT.encode(), "application/sparql-update", 400),
    # beyond the approved list: the protocol validator's bad-update-missing-direct-type, and a
    # request holding both a query and an update
    "bad_update_missing_direct_type": ("POST", "/sparql", b"CLEAR NAMED", None, 415),
    "query and update together": ("POST", "/sparql", b"query=ASK%20%7B%7D&update=CLEAR%20ALL", FORM, 400),
    "query in the URL and in the form": ("POST", "/sparql?query=ASK%20%7B%7D", b"query=ASK%20%7B%7D", FORM, 400),
    "query in the URL and a direct body": ("POST", "/sparql?query=ASK%20%7B%7D", b"ASK {}",
                                           "application/sparql-query", 400),
    "a POST with the query only in the URL": ("POST", "/sparql?query=ASK%20%7B%7D", b"", None, 415),
}


def _send(client, method, path, body, ctype):
    headers = {"Content-Type": ctype} if ctype else {}
    return client.open(path, method=method, data=body, headers=headers)


@pytest.mark.parametrize("case", list(BAD))
def test_malformed_protocol_request_gets_a_4xx(client, app, case):
    method, path, body, ctype, status = BAD[case]
    before = sum(1 for _ in app.extensions["kb"].store.quads())
    r = _send(client, method, path, body, ctype)
    assert r.status_code == status, (case, r.status_code, r.data[:300])
    assert 400 <= r.status_code < 500
    message = r.get_json()["errors"][0]["message"]
    assert message and "Traceback" not in message
    if status == 405:
        assert set(r.headers["Allow"].split(", ")) >= {"GET", "POST"}
    if status == 415:
        assert "UTF-8" in message or "application/sparql-query" in message
    if "update" in case and status == 400:
        assert "read-only" in message
    assert sum(1 for _ in app.extensions["kb"].store.quads()) == before


@pytest.mark.parametrize("method, path, body, ctype", [
    ("GET", "/sparql?query=ASK%20%7B%7D", None, None),  # query_get
    ("POST", "/sparql", b"query=ASK%20%7B%7D", FORM),  # query_post_form
    ("POST", "/sparql", b"ASK {}", "application/sparql-query"),  # query_post_direct
    ("POST", "/sparql", b"ASK {}", "application/sparql-query; charset=UTF-8"),
    ("POST", "/sparql", b"query=ASK%20%7B%7D", f"{FORM}; charset=utf-8"),
])
def test_well_formed_protocol_requests_still_answer(client, method, path, body, ctype):
    r = _send(client, method, path, body, ctype)
    assert r.status_code == 200 and r.get_json()["boolean"] is True


# ---- 4. schema: bound in every serialised graph ----------------------------------------

def _assert_schema_bound(text: str, where: str):
    assert SCHEMA in text, where
    assert "schema1" not in text and "https://schema.org" not in text, where


def test_every_serialised_graph_binds_schema(client, tmp_path):
    construct = "CONSTRUCT WHERE { ?c a schema:Claim ; schema:author ?a }"
    for path, headers in ((f"/claims/{CLAIM}", {"Accept": "text/turtle"}), (f"/claims/{CLAIM}.ttl", {}),
                          ("/claims.ttl?status=disputed", {}), ("/claims.ttl", {}),
                          (f"/claims/{CLAIM}/versions/1.ttl", {}), ("/agents/sam-altman/versions/1.ttl", {}),
                          ("/sources/windows-central-ms-ai-self-sufficiency/versions/1.ttl", {}),
                          (f"/sparql?query={construct}", {"Accept": "text/turtle"}),
                          (f"/sparql?query={construct}&format=ttl", {}), ("/export.ttl", {}), ("/export.trig", {})):
        r = client.get(path, headers=headers)
        assert r.status_code == 200, path
        _assert_schema_bound(r.get_data(as_text=True), path)
    store = tmp_path / "store"
    assert kb_cli("load", str(SEED), store=store).returncode == 0
    r = kb_cli("query", construct, store=store)
    assert r.returncode == 0, r.stderr
    _assert_schema_bound(r.stdout.decode(), "kb query CONSTRUCT")
    for fmt in ("turtle", "trig"):
        _assert_schema_bound(kb_cli("export", "--format", fmt, store=store).stdout.decode(), f"kb export {fmt}")


def test_library_graphs_bind_schema(seeded):
    for g in (seeded.claim_graph(CLAIM), seeded.version_graph("claim", CLAIM, 1),
              seeded.query("CONSTRUCT WHERE { ?c a schema:Claim }").graph):
        _assert_schema_bound(g.serialize(format="turtle"), repr(g))


def test_list_graph_binds_schema(seeded):
    # on every backend: Virtuoso once refused the list's graph (it sorts at most 10,000 rows for a LIMIT, SR353)
    _assert_schema_bound(seeded.claims_graph(status="disputed").serialize(format="turtle"), "claims_graph")


# ---- 5. the query page shows IRIs by label or prefixed name, linked ---------------------

def _cells(page: str) -> list[str]:
    return re.findall(r"<td>(.*?)</td>", page, re.S)


def test_query_page_shows_labels_and_prefixed_names_linked_to_iris(client):
    q = """SELECT ?d ?stance ?type ?status WHERE {
      ?d kb:stance ?stance ; a ?type . FILTER(?stance = kb:Denies)
      VALUES ?status { kb:Disputed }
    } LIMIT 1"""
    page = client.get("/query", query_string={"query": q}, headers=HTML).get_data(as_text=True)
    ns = str(KB._NS)
    d, stance, typ, status = _cells(page)[:4]
    assert d.startswith('<a href="/disputes/')  # a record of ours: its page, as before
    assert stance == f'<a class="iri" href="{ns}Denies" title="kb:Denies {ns}Denies">denies</a>'
    assert typ == f'<a class="iri" href="{ns}Dispute" title="{ns}Dispute">kb:Dispute</a>'
    assert status == f'<a class="iri" href="{ns}Disputed" title="kb:Disputed {ns}Disputed">disputed</a>'
    assert f">{ns}" not in page  # no IRI shown in full
    ja = client.get("/query", query_string={"query": q, "lang": "ja"}, headers=HTML).get_data(as_text=True)
    assert ">否定</a>" in ja and ">係争中</a>" in ja
    # the example that lists each dispute's stance by label, and predicates in a CONSTRUCT
    page = client.get("/query", query_string={"query": "CONSTRUCT WHERE { ?d kb:stance ?s } LIMIT 2"},
                      headers=HTML).get_data(as_text=True)
    assert f'<a class="iri" href="{ns}stance" title="{ns}stance">kb:stance</a>' in page


def test_query_page_links_only_http_iris(client):
    q = 'SELECT ?x WHERE { BIND(IRI("javascript:alert(1)") AS ?x) }'
    page = client.get("/query", query_string={"query": q}, headers=HTML).get_data(as_text=True)
    x = _cells(page)[0]
    assert x == '<span class="iri" title="javascript:alert(1)">javascript:alert(1)</span>'
    assert 'href="javascript:' not in page
