"""Hostile imports: each is refused with a message naming the problem, and the store is unchanged.

Through the library and through ``kb load`` (exit 1, one line, no traceback);
"unchanged" is a full TriG export (every graph, every version) byte-identical
before and after. Issue 5, items 5–8.

YAML object tags, a simple alias, a top-level duplicate key and an oversized
file are in ``test_yaml_safety`` (through ``kb load`` they are among
``LOAD_CASES``); lone surrogates and NUL given as Python text in
``test_validation.py::test_lone_surrogate_and_nul_refused``; URLs with a space
or a non-http scheme in ``test_validation.py::CASES``. The same YAML sent to
``POST /api/import`` is in ``test_imports.py``."""

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import kb_cmd, run

from kb import KBError, open_kb
from kb.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "seed.yaml"
CLAIM = "ms-cancelled-datacentre-deals"
SOURCE = "windows-central-ms-ai-self-sufficiency"
BIG = 50 * 1024 * 1024
DEEP = 100_000


@pytest.fixture(scope="module")
def seeded():
    k = open_kb(":memory:")
    k.import_yaml(SEED.read_bytes(), by="tester")
    yield k
    k.close()


def export(kb) -> bytes:
    buf = io.BytesIO()
    kb.export(buf, "trig")
    return buf.getvalue()


def claim_nt(kb, date_literal: str) -> bytes:
    """The claim's own triples (and its quote's) as N-Triples, with its date replaced."""
    iri = str(kb.iri("claim", CLAIM))
    buf = io.BytesIO()
    kb.export(buf, "nt")
    lines = [ln for ln in buf.getvalue().decode().splitlines()
             if ln.startswith((f"<{iri}>", f"<{iri}#")) and "schema.org/dateCreated" not in ln]
    lines.append(f"<{iri}> <http://schema.org/dateCreated> {date_literal} .")
    return "\n".join(lines).encode()


C = "<https://w3id.org/claimkb/id/claim/x>"
TEXT = "<http://schema.org/text>"
URL = "<http://schema.org/url>"
XSD_DATE = "<http://www.w3.org/2001/XMLSchema#date>"

# name, format, the bytes (made lazily: some are 50 MB), words the message must contain
RDF_CASES = [
    ("turtle nested 100,000 blank nodes deep", "turtle",
     lambda kb: b"@prefix : <http://e/> .\n:s :p " + b"[ :p " * DEEP + b":o" + b" ]" * DEEP + b" .", "blank nodes"),
    ("turtle nested 100,000 collections deep", "turtle",
     lambda kb: b"@prefix : <http://e/> .\n:s :p " + b"( " * DEEP + b")" * DEEP + b" .", "blank nodes"),
    ("JSON-LD nested 100,000 objects deep", "jsonld",
     lambda kb: (('{"@id": "http://e/s", "http://e/p": ' * DEEP) + '"x"' + "}" * DEEP).encode(), "stack size"),
    ("turtle 50 MB literal", "turtle",
     lambda kb: f'{C} {TEXT} "'.encode() + b"a" * BIG + b'"@en .', "larger than the parser accepts"),
    ("N-Triples 50 MB literal", "nt",
     lambda kb: f'{C} {TEXT} "'.encode() + b"a" * BIG + b'"@en .', "larger than the parser accepts"),
    ("JSON-LD 50 MB literal", "jsonld",
     lambda kb: json.dumps({"@id": C[1:-1], TEXT[1:-1]: "a" * BIG}).encode(), "larger than the parser accepts"),
    ("turtle 50 MB IRI", "turtle",
     lambda kb: f"{C} {URL} <http://e/".encode() + b"a" * BIG + b"> .", "larger than the parser accepts"),
    ("turtle 2 MB literal (under the parser's cap, over the text limit)", "turtle",
     lambda kb: f'{C} {TEXT} "'.encode() + b"a" * (2 * 1024 * 1024) + b'"@en .', "too long"),
    ("turtle lone surrogate escape \\uD800", "turtle",
     lambda kb: f'{C} {TEXT} "x\\uD800y"@en .'.encode(), "not a valid unicode character"),
    ("N-Triples lone surrogate escape \\uDC00", "nt",
     lambda kb: f'{C} {TEXT} "x\\uDC00y" .'.encode(), "not a valid unicode character"),
    ("JSON-LD lone surrogate escape", "jsonld",
     lambda kb: b'{"@id": "https://w3id.org/claimkb/id/claim/x", "http://schema.org/text": "a\\ud800b"}',
     "not valid jsonld"),
    ("turtle IRI with \\u0020 (a space)", "turtle",
     lambda kb: f"{C} {URL} <http://e/a\\u0020b> .".encode(), "Invalid IRI code point ' '"),
    ("turtle IRI with \\u003E (>)", "turtle",
     lambda kb: f"{C} {URL} <http://e/a\\u003Eb> .".encode(), "Invalid IRI code point '>'"),
    ("turtle subject IRI with \\u0020", "turtle",
     lambda kb: f'<http://e/a\\u0020b> {TEXT} "x" .'.encode(), "Invalid IRI code point"),
    ("turtle prefix IRI with \\u0020", "turtle",
     lambda kb: f"@prefix e: <http://e/a\\u0020> . {C} {URL} e:x .".encode(), "Invalid IRI code point"),
    ("TriG graph name with \\u0020", "trig",
     lambda kb: f'<http://e/g\\u0020x> {{ {C} {TEXT} "a" }}'.encode(), "Invalid IRI code point"),
    ("JSON-LD IRIs with a space and > (dropped by the processor)", "jsonld",
     lambda kb: json.dumps({"@id": "http://e/a b", URL[1:-1]: {"@id": "http://e/x>y"}}).encode(), "no triples"),
    ("JSON-LD remote @context", "jsonld",
     lambda kb: json.dumps({"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": C[1:-1], "name": "x"}).encode(),
     "remote context"),
    ("turtle \"2024-13-45\"^^xsd:date on a whole claim", "turtle",
     lambda kb: claim_nt(kb, f'"2024-13-45"^^{XSD_DATE}'), "valid date"),
    ("N-Triples \"2025-02-30\"^^xsd:date on a whole claim", "nt",
     lambda kb: claim_nt(kb, f'"2025-02-30"^^{XSD_DATE}'), "valid date"),
    ("empty turtle", "turtle", lambda kb: b"# nothing\n", "no triples"),
]

BOMB = (b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)).encode())
CLAIM_YAML = ("claims:\n- id: c\n  text: {en: x}\n  claimant: microsoft\n  about: [microsoft]\n"
              f"  sources: [{SOURCE}]\n")
YAML_CASES = [
    ("alias bomb (billion laughs)", BOMB, "anchors and aliases"),
    ("duplicate key inside a record", b"agents:\n- id: z\n  id: y\n  type: Person\n  name: {en: Z}\n",
     "duplicate key 'id'"),
    ("object tag !!python/name", b"claims: !!python/name:os.system\n", "could not determine a constructor"),
    ("nested 100,000 lists deep", b"claims: " + b"[" * DEEP + b"]" * DEEP, "nested too deeply"),
    ("lone surrogate as a YAML escape", b'agents:\n- id: z\n  type: Person\n  name: {en: "bad \\ud800 name"}\n',
     "lone surrogate"),
    ("lone surrogate as raw bytes (CESU-8)", b'agents:\n- id: z\n  type: Person\n  name: {en: "bad \xed\xa0\x80"}\n',
     "not valid UTF-8"),
    ("date: 2024-13-45 unquoted", (CLAIM_YAML + "  date: 2024-13-45\n").encode(), "field 'date'"),
    ("published: 2025-02-30 unquoted", b"sources:\n- id: s\n  headline: {en: x}\n  publisher: microsoft\n"
     b"  language: en\n  published: 2025-02-30\n", "field 'published'"),
    ("claimant IRI with a space", CLAIM_YAML.replace("claimant: microsoft", "claimant: 'http://e/a b'").encode(),
     "not a valid IRI"),
    ("about IRI with >", CLAIM_YAML.replace("about: [microsoft]", "about: ['http://e/a>b']").encode(),
     "not a valid IRI"),
    ("same_as IRI with >", b"agents:\n- id: z\n  type: Person\n  name: {en: Z}\n"
     b"  same_as: 'http://www.wikidata.org/entity/Q1>x'\n", "not a valid IRI"),
    ("url with \\u0020 in a YAML escape", b'sources:\n- id: s\n  headline: {en: x}\n  publisher: microsoft\n'
     b'  language: en\n  published: 2025\n  url: "https://e.org/a\\u0020b"\n', "not a valid IRI"),
    ("id with a space and >", b"agents:\n- id: 'a b>c'\n  type: Person\n  name: {en: Z}\n", "not a valid id"),
]


@pytest.mark.parametrize("name,fmt,make,words", RDF_CASES, ids=[c[0] for c in RDF_CASES])
def test_hostile_rdf_is_refused_and_the_store_unchanged(seeded, name, fmt, make, words):
    before = export(seeded)
    with pytest.raises(KBError) as err:
        seeded.import_rdf(make(seeded), fmt, by="t", name="f")
    assert words in err.value.message, err.value.message
    assert err.value.status in (400, 413, 422)
    assert export(seeded) == before


@pytest.mark.parametrize("name,data,words", YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_hostile_yaml_is_refused_and_the_store_unchanged(seeded, name, data, words):
    before = export(seeded)
    with pytest.raises(KBError) as err:
        seeded.import_yaml(data, by="t", name="f.yaml")
    assert words in err.value.message, err.value.message
    assert export(seeded) == before


def test_yaml_safety(kb):
    from kb import KBError

    with pytest.raises(KBError, match="duplicate key"):
        kb.import_yaml(b"claims: []\nclaims: []\n", by="t")
    with pytest.raises(KBError, match="not valid YAML"):
        kb.import_yaml(b"!!python/object/apply:os.system ['echo hi']\n", by="t")
    with pytest.raises(KBError, match="anchors and aliases"):
        kb.import_yaml(b"a: &x [1]\nb: *x\n", by="t")
    with pytest.raises(KBError, match="too large"):
        kb.import_yaml(b"#" * (21 * 1024 * 1024), by="t")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE r [
 <!ENTITY a "lol"> <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"> <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"> <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"> <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY passwd SYSTEM "file:///etc/passwd">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:s="http://schema.org/">
 <rdf:Description rdf:about="https://w3id.org/claimkb/id/claim/x"><s:text>&g;&passwd;</s:text></rdf:Description>
</rdf:RDF>
"""


def test_rdf_xml_is_not_an_import_format(seeded):
    """RDF/XML (and so its entities: billion laughs, SYSTEM file:///etc/passwd) is refused before any parsing."""
    before = export(seeded)
    with pytest.raises(KBError, match="cannot import format 'xml'"):
        seeded.import_rdf(BILLION_LAUGHS, "xml", by="t")
    assert export(seeded) == before


# ---- the same through `kb load` ---------------------------------------------------------

@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("store") / "kb"
    r = CliRunner().invoke(main, ["--store", str(folder), "load", str(SEED)])
    assert r.exit_code == 0, r.output
    return folder


def cli(store, *args):
    return CliRunner().invoke(main, ["--store", str(store), *args])


def cli_export(store) -> bytes:
    r = CliRunner().invoke(main, ["--store", str(store), "export", "--format", "trig"])
    assert r.exit_code == 0
    return r.stdout_bytes


LOAD_CASES = [
    # file name, content, --format, words
    ("nested.ttl", RDF_CASES[0][2], None, "blank nodes"),
    ("collections.ttl", RDF_CASES[1][2], None, "blank nodes"),
    ("big.nt", RDF_CASES[4][2], None, "larger than the parser accepts"),
    ("surrogate.ttl", RDF_CASES[8][2], None, "not a valid unicode character"),
    ("space.ttl", RDF_CASES[11][2], None, "Invalid IRI code point"),
    ("gt.ttl", RDF_CASES[12][2], None, "Invalid IRI code point"),
    ("date.nt", RDF_CASES[19][2], None, "valid date"),
    ("laughs.rdf", lambda kb: BILLION_LAUGHS, None, "cannot tell the format"),
    ("laughs.rdf", lambda kb: BILLION_LAUGHS, "xml", "unknown format 'xml'"),
    ("laughs.ttl", lambda kb: BILLION_LAUGHS, None, "not valid turtle"),
    ("tag.yaml", lambda kb: b"!!python/object/apply:os.system ['touch /tmp/claimkb-pwned']\n", None,
     "could not determine a constructor"),
    ("bomb.yaml", lambda kb: BOMB, None, "anchors and aliases"),
    ("dup.yaml", lambda kb: YAML_CASES[1][1], None, "duplicate key"),
    ("big.yaml", lambda kb: b"#" * (21 * 1024 * 1024), None, "too large"),
    ("date.yaml", lambda kb: YAML_CASES[6][1], None, "valid date"),
    ("surrogate.yaml", lambda kb: YAML_CASES[4][1], None, "lone surrogate"),
    ("iri.yaml", lambda kb: YAML_CASES[8][1], None, "not a valid IRI"),
]


@pytest.mark.parametrize("fname,make,fmt,words", LOAD_CASES, ids=[f"{c[0]}-{c[2]}" for c in LOAD_CASES])
def test_kb_load_refuses_in_one_line(store, seeded, tmp_path, fname, make, fmt, words):
    f = tmp_path / fname
    f.write_bytes(make(seeded))  # the seeded library store and the CLI's store hold the same seed
    before = cli_export(store)
    r = cli(store, "load", str(f), *(["--format", fmt] if fmt else []))
    assert r.exit_code == 1, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], r.stderr
    assert cli_export(store) == before
    assert not Path("/tmp/claimkb-pwned").exists()


def test_kb_load_as_a_process_prints_no_traceback(tmp_path):
    """The worst two as a real process: a 50 MB literal and 100,000 levels of nesting."""
    store = tmp_path / "s"
    (tmp_path / "big.ttl").write_bytes(RDF_CASES[3][2](None))
    (tmp_path / "deep.yaml").write_bytes(YAML_CASES[3][1])
    for name, words in (("big.ttl", "larger than the parser accepts"), ("deep.yaml", "nested too deeply")):
        r = kb_cmd(store, "load", str(tmp_path / name))
        assert r.returncode == 1 and "Traceback" not in r.stderr and "Error:" not in r.stderr, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and words in r.stderr
    r = kb_cmd(store, "summary")
    assert r.returncode == 0 and "claims: 0" in r.stdout


@pytest.mark.parametrize("content,words", [
    ("claims: [unclosed", "not valid YAML"),
    ("- just\n- a list\n", "must be a mapping"),
    ("agents:\n  - {id: a, type: Person, name: {en: A}}\nagents: []\n", "duplicate key"),
])
def test_malformed_yaml_files(tmp_path, content, words):
    f = tmp_path / "f.yaml"
    f.write_text(content)
    r = run("load", str(f), store=tmp_path / "s")
    assert r.returncode == 1 and words in r.stderr, r.stderr
