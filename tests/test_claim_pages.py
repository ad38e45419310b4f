"""Claim pages and the pages around them (agents, sources, topics, disputes): the story, JSON-LD, Turtle and SPARQL.

Through Flask's test client on the app as served (``app`` and ``client`` in
``conftest.py``): a claim page tells its story in time order, with a
ClaimReview; every view offers its Turtle and the SPARQL that gives it; a
claim's IRI answers HTML, Turtle or JSON as asked; the whole store as Turtle."""

import json
import re

from rdflib import Graph, URIRef

HTML = {"Accept": "text/html"}
CLAIM = "ms-cancelled-datacentre-deals"
SOURCE = "windows-central-ms-ai-self-sufficiency"


def test_claim_page_tells_the_story_with_claimreview(client):
    r = client.get(f"/claims/{CLAIM}", headers=HTML)
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "script-src 'self'" in r.headers["Content-Security-Policy"] and "<script>" not in page
    assert 'data-status="disputed"' in page and 'data-stance="denies"' in page
    assert "Sam Altman" in page and "2つの大規模データセンター契約を破棄したと報じられました" in page
    assert page.index("event-reported") < page.index("event-dispute")  # in time order
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    # a schema:Claim with the parties' stances: no ClaimReview, whose rating would be a verdict nobody gave
    assert ld["@type"] == "Claim" and "reviewRating" not in ld and ld["url"].endswith(f"/claims/{CLAIM}")
    assert ld["@reverse"]["kb:disputes"][0]["kb:party"]["@type"] == "Person"
    # a claim nobody disputed is a bare schema:Claim
    page = client.get("/claims/openai-microsoft-signed-mou", headers=HTML).get_data(as_text=True)
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert ld["@type"] == "Claim" and ld["author"]["@type"] == "Organization"
    # history and each version's Turtle
    assert re.search(r"/claims/ms-cancelled-datacentre-deals/versions/1\.ttl", page) is None
    r = client.get(f"/claims/{CLAIM}/versions/1.ttl")
    assert r.status_code == 200 and len(Graph().parse(data=r.data, format="turtle")) > 5
    assert client.get(f"/claims/{CLAIM}/versions/9.ttl").status_code == 404
    # content negotiation on the claim's own IRI
    assert client.get(f"/claims/{CLAIM}", headers={"Accept": "text/turtle"}).mimetype == "text/turtle"
    assert client.get(f"/claims/{CLAIM}", headers={"Accept": "application/json"}).get_json()["id"] == CLAIM


def test_script_in_data_cannot_close_the_json_ld(client, app):
    evil = "</script><script>alert(1)</script>"
    app.extensions["kb"].add_claim({"id": "evil", "text": {"en": evil}, "claimant": "openai", "about": ["openai"],
                                    "sources": [SOURCE]}, by="t")
    page = client.get("/claims/evil", headers=HTML).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;/script&gt;" in page


def test_agent_source_topic_and_dispute_pages(client):
    page = client.get("/agents/sam-altman", headers=HTML).get_data(as_text=True)
    assert "Sam Altman" in page and f"/claims/{CLAIM}#{CLAIM}--sam-altman-denies" in page
    assert "wikidata.org/entity/Q7407093" in page
    page = client.get(f"/sources/{SOURCE}", headers=HTML).get_data(as_text=True)
    assert page.count('<li class="claim"') == 31 and "Windows Central" in page
    page = client.get("/topics/chatgpt", headers=HTML).get_data(as_text=True)
    assert "ChatGPT" in page and f'data-claim="{CLAIM}"' in page
    href = re.search(r'class="download-turtle" href="([^"]+)"', page).group(1)
    g = Graph().parse(data=client.get(href).data, format="turtle")
    assert len(set(g.subjects(URIRef("http://schema.org/about"), None))) == page.count('<li class="claim"')
    r = client.get(f"/disputes/{CLAIM}--sam-altman-denies")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/claims/{CLAIM}#{CLAIM}--sam-altman-denies")
    for path in ("/agents/nobody", "/sources/nothing", "/topics/none", "/claims/none", "/disputes/none"):
        assert client.get(path, headers=HTML).status_code == 404, path


def test_every_list_and_claim_view_offers_turtle_and_its_sparql(client, app):
    page = client.get("/?status=disputed", headers=HTML).get_data(as_text=True)
    href = re.search(r'class="download-turtle" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    g = Graph().parse(data=client.get(href).data, format="turtle")
    claims = set(g.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef("http://schema.org/Claim")))
    assert len(claims) == 3
    # the SPARQL shown for the view gives the same claims when run
    sparql = re.search(r'<pre class="sparql-text">(.*?)</pre>', page, re.S).group(1)
    import html
    rows = app.extensions["kb"].query(html.unescape(sparql)).rows
    assert {str(r["c"]) for r in rows} == {str(c) for c in claims}
    page = client.get(f"/claims/{CLAIM}", headers=HTML).get_data(as_text=True)
    href = re.search(r'class="download-turtle" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    r = client.get(href)
    assert r.headers["Content-Disposition"].startswith("attachment")
    sparql = html.unescape(re.search(r'<pre class="sparql-text">(.*?)</pre>', page, re.S).group(1))
    from rdflib.compare import isomorphic
    shown = app.extensions["kb"].query(sparql).graph
    turtle = Graph().parse(data=r.data, format="turtle")
    assert len(shown) > 20 and all(t in turtle for t in shown)
    assert not isomorphic(shown, Graph())


def test_exports_and_claim_turtle(client):
    r = client.get("/export.ttl")
    assert r.status_code == 200 and len(Graph().parse(data=r.data, format="turtle")) > 500
    r = client.get("/claims/ms-cancelled-datacentre-deals", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.data, format="turtle")
    assert any("サム・アルトマン" in str(o) for o in g.objects())
    assert client.get("/claims/ms-cancelled-datacentre-deals.ttl").data == r.data
    assert client.get("/export.xyz").status_code == 404


def test_links_follow_the_path_the_site_is_served_under(client):
    """Links are built once per path prefix (app/urls.py): the same page under another prefix
    (SCRIPT_NAME: a site served below a path) links under that one, and back again. (Each page
    asked with a query of its own: the page cache keys pages by path and query, not by prefix.)"""
    def links(n, **kw):
        page = client.get(f"/claims/{CLAIM}?n={n}", headers=HTML, **kw).get_data(as_text=True)
        return [u for u in re.findall(r'href="([^"]*)"', page) if u.startswith("/") and "next=" not in u]

    plain, under = links(1), links(2, base_url="http://localhost/kb")
    assert f"/claims/{CLAIM}.ttl?download=1" in plain and f"/kb/claims/{CLAIM}.ttl?download=1" in under
    assert under == ["/kb" + u for u in plain]
    assert links(3) == plain
