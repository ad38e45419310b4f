"""kb serve on waitress, queried by an outside SPARQL client."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, TURTLE, SPARQLWrapper

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    store = tmp_path_factory.mktemp("serve") / "store"
    proc = subprocess.Popen([sys.executable, "-m", "kb.cli", "--store", str(store), "serve", "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def client(url, fmt):
    w = SPARQLWrapper(f"{url}/sparql")
    w.setReturnFormat(fmt)
    return w


def test_sparqlwrapper_select_json_csv_and_ask(server):
    q = "PREFIX schema: <http://schema.org/> SELECT ?c WHERE { ?c a schema:Claim } ORDER BY ?c"
    w = client(server, JSON)
    w.setQuery(q)
    rows = w.query().convert()["results"]["bindings"]
    assert len(rows) == 25
    w = client(server, CSV)
    w.setQuery(q)
    assert len(w.query().convert().decode().strip().splitlines()) == 26
    w = client(server, JSON)
    w.setQuery("PREFIX schema: <http://schema.org/> ASK { ?c a schema:Claim }")
    assert w.query().convert()["boolean"] is True


def test_sparqlwrapper_construct(server):
    w = client(server, TURTLE)
    w.setQuery("PREFIX kb: <https://w3id.org/claimkb/ns#> CONSTRUCT WHERE { ?d kb:party ?p }")
    g = Graph().parse(data=w.query().convert(), format="turtle")
    assert len(g) == 4
