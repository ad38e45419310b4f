"""schema.org ClaimReview out and in.

Out: ``/claimreview.jsonld``, a DataFeed of every verdict, streamed, read back as
RDF with schema.org's own JSON-LD context shipped in ``tests/data`` (PyLD and
rdflib; nothing fetched). In: the hand-made sample feed in ``tests/data`` through
the library (every backend), ``kb load`` and ``POST /api/import``: all or nothing
with every problem named by its item, ratings mapped by name or by a number on our
own scale, an unmappable one kept unmapped, the fact-checker as the verdict's
author, and a second import that changes nothing."""

import json
import re
from pathlib import Path

import pytest
from helpers import kb_cmd
from pyld import jsonld as pyld
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from app import create_app
from kb import InvalidData, open_kb
from kb.namespaces import SDO

DATA = Path(__file__).resolve().parent / "data"
FEED = DATA / "claimreview-feed.jsonld"
SCHEMA_CONTEXT = json.loads((DATA / "schemaorg-context.jsonld").read_text())
CLAIM = "ms-cancelled-datacentre-deals"
SOURCE = "windows-central-ms-ai-self-sufficiency"
# what each good item of the sample feed becomes: (claim text starts, our rating or None, the name kept)
EXPECTED = {
    "OpenAI has bought every GPU": ("false", "Pants on Fire!"),
    "Microsoft owns half of OpenAI": ("mixed", "Half True"),
    "マイクロソフトはOpenAIとの契約": ("misleading", "ミスリード"),
    "OpenAIは来年までに汎用人工知能": (None, "判定留保"),
    "Sam Altman takes no salary": ("accurate", "accurate"),
    "Stargate will create a million jobs": (None, "Four Pinocchios"),
}


def good_feed() -> bytes:
    """The sample feed without its malformed last item."""
    doc = json.loads(FEED.read_text())
    doc["dataFeedElement"] = doc["dataFeedElement"][:-1]
    return json.dumps(doc, ensure_ascii=False).encode()


def as_rdf(doc: dict) -> tuple[Graph, Graph]:
    """The JSON-LD read as RDF by PyLD and by rdflib, with schema.org's context from the file."""
    def loader(url, options=None):
        assert url.rstrip("/") in ("https://schema.org", "http://schema.org"), url  # nothing else is fetched
        return {"contextUrl": None, "documentUrl": url, "document": SCHEMA_CONTEXT}

    nquads = pyld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": loader})
    by_pyld = Graph().parse(data=nquads, format="nt")
    inline = json.loads(json.dumps(doc).replace('"https://schema.org"', json.dumps(SCHEMA_CONTEXT["@context"])))
    by_rdflib = Graph().parse(data=json.dumps(inline), format="json-ld")
    return by_pyld, by_rdflib


def imported(kb) -> dict:
    out = {}
    for c in kb.list_claims(about="imported-fact-checks", limit=50)["claims"]:
        start = next(k for k in EXPECTED if next(iter(c["text"].values())).startswith(k))
        out[start] = c
    return out


def test_the_feed_is_a_datafeed_of_every_verdict_read_as_rdf(app, client):
    app.config.update(PUBLISHER_NAME="Example Verification Desk", PUBLISHER_URL="https://verify.example.org/")
    kb = app.extensions["kb"]
    r = client.get("/claimreview.jsonld")
    assert r.status_code == 200 and r.is_streamed and r.mimetype == "application/ld+json"
    assert json.loads(r.data)["dataFeedElement"] == []  # no verdict yet: an empty feed
    kb.verdicts.add(CLAIM, {"rating": "misleading", "text": {"en": "Paused, not cancelled."}, "sources": [SOURCE]},
                    by="ana")
    kb.verdicts.add("openai-announced-stargate", {"rating": "accurate"}, by="ana")
    kb.verdicts.add("openai-announced-stargate", {"rating": "mostly-accurate"}, by="ana")  # supersedes
    r = client.get("/claimreview.jsonld")
    doc = json.loads(r.data)
    assert doc["@type"] == "DataFeed" and len(doc["dataFeedElement"]) == 2
    for g in as_rdf(doc):
        reviews = set(g.subjects(RDF.type, SDO.ClaimReview))
        assert len(reviews) == 2
        for rv in reviews:
            claim = g.value(rv, SDO.itemReviewed)
            assert (claim, RDF.type, SDO.Claim) in g and g.value(claim, SDO.author) is not None
            assert g.value(claim, SDO.datePublished) is not None and g.value(claim, SDO.appearance) is not None
            assert isinstance(g.value(rv, SDO.url), URIRef) and str(g.value(rv, SDO.url)).startswith(
                "http://localhost/claims/")
            assert g.value(rv, SDO.claimReviewed) is not None
            org = g.value(rv, SDO.author)
            assert g.value(org, SDO.name) == Literal("Example Verification Desk")
            assert g.value(org, SDO.url) == URIRef("https://verify.example.org/")
            assert g.value(g.value(rv, SDO.reviewRating), SDO.bestRating).toPython() == 5
        ratings = sorted(str(g.value(g.value(rv, SDO.reviewRating), SDO.alternateName)) for rv in reviews)
        assert ratings == ["misleading", "mostly accurate"]
        values = sorted(g.value(g.value(rv, SDO.reviewRating), SDO.ratingValue).toPython() for rv in reviews)
        assert values == [2, 4]


def test_the_feed_at_many_verdicts_is_written_in_pieces(seeded):
    for c in [c["id"] for c in seeded.list_claims(limit=12)["claims"]]:
        seeded.verdicts.add(c, {"rating": "unproven"}, by="ana")
    parts = list(seeded.reviews.feed(url_of=lambda cid: f"https://kb.example/claims/{cid}"))
    assert len(parts) >= 3  # opening, reviews, closing: never one string held whole
    doc = json.loads("".join(parts))
    assert len(doc["dataFeedElement"]) == 12
    assert {d["reviewRating"]["alternateName"] for d in doc["dataFeedElement"]} == {"unproven"}
    assert all("ratingValue" not in d["reviewRating"] for d in doc["dataFeedElement"])  # off the scale


def test_a_feed_with_a_malformed_item_imports_nothing_and_names_the_item(seeded):
    before = seeded.summary()
    with pytest.raises(InvalidData) as e:
        seeded.import_rdf(FEED.read_bytes(), "jsonld", by="ana", name="feed")
    found = {(p.record, p.field) for p in e.value.problems}
    item = "item 7 (https://factdesk.example.org/checks/2025/10/draft)"
    assert found == {(item, "claimReviewed"), (item, "reviewRating"), (item, "datePublished")}
    assert seeded.summary() == before


def test_the_sample_feed_becomes_claims_and_verdicts_and_again_changes_nothing(seeded):
    result = seeded.import_rdf(good_feed(), "jsonld", by="ana", name="feed")
    assert result.created["claim"] == 6 and result.created["verdict"] == 6
    claims = imported(seeded)
    assert set(claims) == set(EXPECTED)
    for start, (rating, name) in EXPECTED.items():
        v = claims[start]["verdict"]
        assert (v["rating"], v["rating_name"], v["unmapped"]) == (rating, name, rating is None), start
    gpu = claims["OpenAI has bought every GPU"]
    assert gpu["claimant"]["name"]["en"] == "Jordan Avery" and gpu["date"] == "2025-09-14"
    assert gpu["verdict"]["author"]["name"]["en"] == "Northwind Fact Desk" and gpu["verdict"]["date"] == "2025-09-18"
    assert gpu["sources"][0]["url"] == "https://podcasts.example.net/episodes/412"
    assert gpu["verdict"]["text"]["en"].startswith("Nvidia's published allocations")
    # an unmapped rating keeps its own words and numbers, never placed on our scale
    pinocchio = claims["Stargate will create a million jobs"]["verdict"]
    assert (pinocchio["rating_value"], pinocchio["best_rating"], pinocchio["label"]) == (4, 4, {"": "Four Pinocchios"})
    assert claims["Stargate will create a million jobs"]["claimant"]["id"] == "openai"  # the seed's, not a copy
    ja = claims["マイクロソフトはOpenAIとの契約"]
    assert "ja" in ja["text"] and ja["verdict"]["author"]["name"]["ja"] == "東都ファクトチェック"
    assert seeded.list_claims(verdict="misleading")["total"] == 1
    again = seeded.import_rdf(good_feed(), "jsonld", by="bob", name="feed")
    assert not again.created and not again.updated and again.unchanged["verdict"] == 6


def test_load_and_the_import_api_take_claimreview(tmp_path):
    store = tmp_path / "store"
    feed = tmp_path / "feed.jsonld"
    feed.write_bytes(good_feed())
    r = kb_cmd(store, "load", str(feed))
    assert r.returncode == 0 and "6 claims" in r.stdout and "6 verdicts" in r.stdout, r.stderr
    r = kb_cmd(store, "load", str(feed))
    assert r.returncode == 0 and "created nothing" in r.stdout and "6 verdicts" in r.stdout
    bad = tmp_path / "bad.jsonld"
    bad.write_bytes(FEED.read_bytes())
    r = kb_cmd(store, "load", str(bad))
    assert r.returncode != 0 and "item 7" in r.stderr and "Traceback" not in r.stderr

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "LOAD_SEED": False}, kb=open_kb(":memory:"))
    app.extensions["users"].add("ada", "admin", "ada-password")
    app.extensions["users"].add("ana", "analyst", "ana-password")
    client = app.test_client()
    ada = {"Authorization": f"Bearer {app.extensions['users'].token('ada')}"}
    ana = {"Authorization": f"Bearer {app.extensions['users'].token('ana')}"}
    assert client.post("/api/import", data=good_feed(), content_type="application/ld+json",
                       headers=ana).status_code == 403
    r = client.post("/api/import", data=FEED.read_bytes(), content_type="application/ld+json", headers=ada)
    assert r.status_code == 422 and {e["record"] for e in r.get_json()["errors"]} == {
        "item 7 (https://factdesk.example.org/checks/2025/10/draft)"}
    assert client.get("/api/claims").get_json()["total"] == 0  # nothing written
    r = client.post("/api/import", data=good_feed(), content_type="application/ld+json", headers=ada)
    assert r.status_code == 200 and r.get_json()["created"]["verdict"] == 6
    r = client.post("/api/import", data=good_feed(), content_type="application/ld+json", headers=ada)
    assert r.get_json()["created"] == {} and r.get_json()["unchanged"]["verdict"] == 6
    # imported verdicts go out in the feed under the fact-checker's name
    doc = json.loads(client.get("/claimreview.jsonld").data)
    authors = {d["author"]["name"][0]["@value"] if isinstance(d["author"]["name"], list) else d["author"]["name"]
               for d in doc["dataFeedElement"]}
    assert {"Northwind Fact Desk", "Contoso Ledger Checks", "東都ファクトチェック"} <= authors


def test_the_feed_from_the_claim_index_is_the_feed_from_the_store(tmp_path):
    """On a store that keeps a claim index, each write keeps the judged claims' reviews there; the feed
    read from it is the one read from the store, after verdicts, imports, a renamed fact-checker and
    a withdrawn claim."""
    kb = open_kb(str(tmp_path / "store"))
    try:
        kb.import_yaml((Path(__file__).resolve().parent.parent / "fixtures" / "seed.yaml").read_bytes(), by="t")
        kb.verdicts.add(CLAIM, {"rating": "false", "sources": [SOURCE]}, by="ana")
        kb.import_rdf(good_feed(), "jsonld", by="ana")
        kb.add_record("agent", {"id": "northwind-fact-desk", "type": "Organization",
                                "name": {"en": "Northwind Verification"}}, by="ana")
        kb.withdraw("claim", "openai-has-bought-every-gpu-nvidia-becd68f3", by="ana")

        def read(use_index):
            index, kb.data.index = kb.data.index, kb.data.index if use_index else None
            try:
                return json.loads("".join(kb.reviews.feed(url_of=lambda c: f"https://kb.example/claims/{c}")))
            finally:
                kb.data.index = index

        assert kb.data.index is not None
        from_index, from_store = read(True), read(False)
        assert from_index == from_store and len(from_index["dataFeedElement"]) == 6
        names = {d["author"]["name"] for d in from_index["dataFeedElement"]}
        assert "Northwind Verification" in names and "Northwind Fact Desk" not in names
    finally:
        kb.close()


def test_the_import_page_takes_the_feed_all_or_nothing(app_with_roles):
    """Issue 14 §4: the import page takes ClaimReview JSON-LD as `kb load` and the API do (admins)."""
    import io

    from helpers import sign_in
    client = app_with_roles.test_client()
    kb = app_with_roles.extensions["kb"]
    sign_in(client, "ana")
    assert client.get("/admin/import").status_code == 403  # an analyst is no admin
    client = app_with_roles.test_client()
    sign_in(client, "ada")
    page = client.get("/admin/import?lang=ja").get_data(as_text=True)
    assert "主張のインポート" in page and 'type="file"' in page
    before = kb.summary()
    r = client.post("/admin/import", data={"file": (io.BytesIO(FEED.read_bytes()), "feed.jsonld")},
                    content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "Nothing was recorded." in page
    assert "item 7 (https://factdesk.example.org/checks/2025/10/draft)" in page and "claimReviewed" in page
    assert kb.summary() == before
    r = client.post("/admin/import", data={"file": (io.BytesIO(good_feed()), "feed.jsonld")},
                    content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and re.search(r"Created: [^<]*claim 6[^<]*verdict 6", page), page[-1500:]
    assert kb.list_claims(verdict="misleading")["total"] == 1
    r = client.post("/admin/import", data={"file": (io.BytesIO(good_feed()), "feed.jsonld")},
                    content_type="multipart/form-data")
    assert r.status_code == 200 and 'data-created="0"' in r.get_data(as_text=True)  # again: nothing changes
