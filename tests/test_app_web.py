"""Every page, route and status code of the web app, through Flask's test client."""

import json
import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from rdflib import Graph, URIRef

from app import SETTINGS, create_app
from app.i18n import MESSAGES
from kb import open_kb

HTML = {"Accept": "text/html"}
CLAIM = "ms-cancelled-datacentre-deals"
SOURCE = "windows-central-ms-ai-self-sufficiency"
TEMPLATES = Path(__file__).resolve().parent.parent / "app" / "templates"


@pytest.fixture
def app():
    a = create_app({"TESTING": True}, kb=open_kb(":memory:"))
    users = a.extensions["users"]
    users.add("ana", "analyst", "ana-password")
    users.add("vic", "viewer", "vic-password")
    return a


@pytest.fixture
def client(app):
    return app.test_client()


def token_of(client, path="/login"):
    r = client.get(path, headers=HTML)
    return re.search(r'name="csrf_token" value="([^"]+)"', r.get_data(as_text=True)).group(1)


def sign_in(client, name="ana", password=None):
    r = client.post("/login", data={"name": name, "password": password or f"{name}-password",
                                    "csrf_token": token_of(client)})
    assert r.status_code == 302
    return r


def claim_form(**fields):
    base = {"text_en": "Fabrikam will build its own AI chips.", "text_ja": "ファブリカムは独自のAIチップを作る。",
            "claimant": "microsoft", "about": ["openai", "chatgpt"], "sources": [SOURCE], "date": "2025-09-12"}
    return {**base, **fields}


def test_list_page_search_facets_and_paging(client):
    r = client.get("/", headers=HTML)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert page.count('<li class="claim"') == 20 and "1 / 2" in page
    assert 'data-facet="status"' in page and 'data-value="disputed"' in page
    page2 = client.get("/?page=2", headers=HTML).get_data(as_text=True)
    assert page2.count('<li class="claim"') == 11
    ids1 = set(re.findall(r'<li class="claim" data-claim="([^"]+)"', page))
    ids2 = set(re.findall(r'<li class="claim" data-claim="([^"]+)"', page2))
    assert not ids1 & ids2 and len(ids1 | ids2) == 31
    # the facet counts are the list's own: clicking "disputed" gives that many
    n = int(re.search(r'data-value="disputed">[^<]*</a> <span class="n">(\d+)', page).group(1))
    assert client.get("/?status=disputed", headers=HTML).get_data(as_text=True).count('<li class="claim"') == n == 3
    # search in Japanese and English; a month from the date facet
    assert f'data-claim="{CLAIM}"' in client.get("/?q=データセンター契約", headers=HTML).get_data(as_text=True)
    assert f'data-claim="{CLAIM}"' in client.get("/?q=DATA-CENTRE deals", headers=HTML).get_data(as_text=True)
    # a date facet value: the claims dated to that month, or dated only to that year
    n = int(re.search(r'data-value="2025">[^<]*</a> <span class="n">(\d+)', page).group(1))
    assert client.get("/?date=2025", headers=HTML).get_data(as_text=True).count('<li class="claim"') == n == 2
    assert client.get("/?date=2025-09", headers=HTML).get_data(as_text=True).count('<li class="claim"') == 20
    assert client.get("/api/claims?date_from=2025-01-01&date_to=2025-12-31").get_json()["total"] == 31
    assert "No claims match." in client.get("/?q=zzzz-nothing", headers=HTML).get_data(as_text=True)
    assert client.get("/?status=maybe", headers=HTML).status_code == 400
    # JSON by Accept, like the API
    assert client.get("/", headers={"Accept": "application/json"}).get_json()["total"] == 31


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


def test_record_a_claim_then_dispute_it(client, app):
    assert client.get("/claims/new", headers=HTML).headers["Location"].startswith("/login")
    sign_in(client)
    tok = token_of(client, "/claims/new")
    r = client.post("/claims/new", data={**claim_form(), "csrf_token": tok})
    assert r.status_code == 303
    cid = r.headers["Location"].rsplit("/", 1)[1]
    c = app.extensions["kb"].get_claim(cid)
    assert c["text"]["ja"] == "ファブリカムは独自のAIチップを作る。" and c["recorded_by"] == "ana"
    assert c["status"] == "reported" and {a["id"] for a in c["about"]} == {"openai", "chatgpt"}
    r = client.post(f"/claims/{cid}/disputes/new", data={
        "csrf_token": tok, "party": "openai", "stance": "denies", "text_en": "OpenAI denies it.",
        "sources": [SOURCE], "date": "2025-09-13", "quote": "no such plan"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/claims/{cid}")
    c = app.extensions["kb"].get_claim(cid)
    assert c["status"] == "disputed" and c["disputes"][0]["quote"]["exact"] == "no such plan"
    assert c["disputes"][0]["recorded_by"] == "ana"


def test_inline_new_agent_and_source_are_written_with_the_claim(client, app):
    sign_in(client)
    tok = token_of(client, "/claims/new")
    r = client.post("/claims/new", data={**claim_form(claimant="", sources=[]), "csrf_token": tok,
                                         "new_claimant_name_en": "Fabrikam", "new_claimant_name_ja": "ファブリカム",
                                         "new_claimant_type": "Organization",
                                         "new_source_headline": "Fabrikam's chips", "new_source_publisher": "windows-central",
                                         "new_source_published": "2025-09", "new_source_language": "en",
                                         "new_source_url": "https://example.org/fabrikam"})
    assert r.status_code == 303
    c = app.extensions["kb"].get_claim(r.headers["Location"].rsplit("/", 1)[1])
    assert c["claimant"]["id"] == "fabrikam" and c["claimant"]["name"]["ja"] == "ファブリカム"
    assert c["sources"][0]["url"] == "https://example.org/fabrikam"
    # a bad inline source refuses the whole write: no new agent either
    before = app.extensions["kb"].summary()
    r = client.post("/claims/new", data={**claim_form(claimant="", sources=[], text_en="Another one"),
                                         "csrf_token": tok, "new_claimant_name_en": "Northwind",
                                         "new_source_headline": "No date, bad url", "new_source_url": "ftp://x"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and 'data-field="new_source"' in page
    assert app.extensions["kb"].summary() == before
    assert 'value="Northwind"' in page and "Another one" in page  # the form stays filled


def test_form_problems_are_shown_beside_their_fields(client, app):
    sign_in(client)
    tok = token_of(client, "/claims/new")
    before = app.extensions["kb"].summary()
    r = client.post("/claims/new", data={"csrf_token": tok, "text_en": "Half a claim", "date": "2024-13-45",
                                         "claimant": "nobody-known"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    fields = set(re.findall(r'class="field-error" role="alert" data-field="([^"]+)"', page))
    assert fields == {"claimant", "date", "about", "sources"}
    assert "Half a claim" in page and 'value="2024-13-45"' in page
    assert app.extensions["kb"].summary() == before
    r = client.post(f"/claims/{CLAIM}/disputes/new", data={"csrf_token": tok, "party": "openai",
                                                           "stance": "likes", "text_en": "x"})
    assert r.status_code == 422 and 'data-field="stance"' in r.get_data(as_text=True)
    assert client.get("/claims/nope/disputes/new", headers=HTML).status_code == 404


def test_csrf_roles_and_sessions(client, app):
    r = client.post("/login", data={"name": "ana", "password": "ana-password"})
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    r = client.post("/login", data={"name": "ana", "password": "wrong", "csrf_token": token_of(client)})
    assert r.status_code == 401 and "wrong" in r.get_data(as_text=True)
    r = sign_in(client)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    r = client.post("/claims/new", data=claim_form())  # signed in, but no CSRF token
    assert r.status_code == 400
    # a viewer can read but not record
    viewer = app.test_client()
    sign_in(viewer, "vic")
    assert viewer.get("/claims/new", headers=HTML).status_code == 403
    r = viewer.post("/claims/new", data={**claim_form(), "csrf_token": token_of(viewer, "/")})
    assert r.status_code == 403
    # signing out ends the session
    client.post("/logout", data={"csrf_token": token_of(client, "/")})
    assert client.get("/claims/new", headers=HTML).status_code == 302
    # login never redirects off the site
    r = app.test_client().post("/login", data={"name": "ana", "password": "ana-password", "next": "//evil.example/",
                                               "csrf_token": token_of(c := app.test_client())})
    assert True if r.status_code == 400 else not r.headers["Location"].startswith("//")
    r = c.post("/login", data={"name": "ana", "password": "ana-password", "next": "https://evil.example/",
                               "csrf_token": token_of(c)})
    assert r.headers["Location"] == "/"


def test_secure_cookie_behind_https(app):
    c = app.test_client()
    r = c.get("/login", headers=HTML, base_url="https://kb.example")
    tok = re.search(r'name="csrf_token" value="([^"]+)"', r.get_data(as_text=True)).group(1)
    r = c.post("/login", data={"name": "ana", "password": "ana-password", "csrf_token": tok},
               base_url="https://kb.example", headers={"Referer": "https://kb.example/login"})
    assert r.status_code == 302 and "Secure" in r.headers["Set-Cookie"]


def test_private_reads_when_configured():
    app = create_app({"TESTING": True, "PUBLIC_READS": False}, kb=open_kb(":memory:"))
    app.extensions["users"].add("vic", "viewer", "vic-password")
    c = app.test_client()
    assert c.get("/", headers=HTML).headers["Location"].startswith("/login")
    assert c.get("/api/claims").status_code == 401
    assert c.get("/sparql", query_string={"query": "ASK {}"}).status_code == 401
    tok = app.extensions["users"].token("vic")
    assert c.get("/api/claims", headers={"Authorization": f"Bearer {tok}"}).status_code == 200
    sign_in(c, "vic")
    assert c.get("/", headers=HTML).status_code == 200


def test_language_choice(client):
    assert '<html lang="ja">' in client.get("/", headers={**HTML, "Accept-Language": "ja,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="en">' in client.get("/", headers={**HTML, "Accept-Language": "fr"}).get_data(as_text=True)
    page = client.get(f"/claims/{CLAIM}?lang=ja", headers=HTML).get_data(as_text=True)
    assert "係争中" in page and "主張者" in page
    r = client.get("/lang/ja?next=/agents/sam-altman")
    assert r.status_code == 302 and r.headers["Location"] == "/agents/sam-altman"
    assert "lang=ja" in r.headers["Set-Cookie"]
    page = client.get("/agents/sam-altman", headers=HTML).get_data(as_text=True)
    assert '<html lang="ja">' in page and "サム・アルトマン" in page
    assert client.get("/lang/ja?next=https://evil.example/").headers["Location"] == "/"


def test_fallback_marker_when_a_text_lacks_the_chosen_language(client, app):
    app.extensions["kb"].add_claim({"id": "en-only", "text": {"en": "Only in English"}, "claimant": "openai",
                                    "about": ["openai"], "sources": [SOURCE]}, by="t")
    page = client.get("/claims/en-only?lang=ja", headers=HTML).get_data(as_text=True)
    assert re.search(r'<span lang="en">Only in English</span> <abbr class="fallback" title="[^"]+">en</abbr>', page)
    page = client.get("/claims/en-only?lang=en", headers=HTML).get_data(as_text=True)
    assert 'class="fallback"' not in page.split("<main>")[1].split("other-texts")[0]


def test_every_interface_text_exists_in_both_languages():
    used = set()
    for t in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r'_\("([a-z_.0-9]+)"', t.read_text()))
    used |= set(re.findall(r'translate\("([a-z_.0-9]+)"', (TEMPLATES.parent / "auth.py").read_text()))
    used = {k for k in used if not k.endswith(".")}  # dynamic keys are listed below
    from app.pages import FACETS
    from kb.filters import KEYS as FILTERS
    used |= {f"facet.{k}" for k in FACETS + FILTERS}
    used |= {f"action.{a}" for a in ("created", "updated", "withdrawn", "restored")}
    used |= {f"error.{n}" for n in (400, 401, 403, 404, 409, 413, 422, 500)}
    missing = {k for k in used if k not in MESSAGES}
    assert not missing, missing
    assert all(set(v) == {"en", "ja"} and all(v.values()) for v in MESSAGES.values())


def test_query_page(client):
    page = client.get("/query", headers=HTML).get_data(as_text=True)
    assert page.count("data-example=") == 5 and "codemirror.js" in page
    for name in ("disputed-by-party", "about-entity", "who-denies-most", "never-confirmed", "story-timeline"):
        r = client.get(f"/query?example={name}", headers=HTML)
        assert r.status_code == 200 and "<table class=\"results\">" in r.get_data(as_text=True), name
        assert int(re.search(r'class="row-count">(\d+) rows', r.get_data(as_text=True)).group(1)) > 0, name
    r = client.get("/query", query_string={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "page": 2}, headers=HTML)
    page = r.get_data(as_text=True)
    assert "2 / " in page and page.count("<tr>") == 51  # a header row and 50 results
    r = client.get("/query", query_string={"query": "SELECT ?x WHERE {"}, headers=HTML)
    assert r.status_code == 400 and "malformed" in r.get_data(as_text=True)
    r = client.get("/query", query_string={"query": "CONSTRUCT WHERE { ?d kb:party ?p }"}, headers=HTML)
    assert "3 triples" in r.get_data(as_text=True) and 'data-format="ttl"' in r.get_data(as_text=True)
    assert client.get("/static/vendor/codemirror/sparql.js").status_code == 200


def test_sparql_protocol_formats(client):
    q = "SELECT ?c WHERE { ?c a schema:Claim } ORDER BY ?c LIMIT 3"
    for accept, mime in (("application/sparql-results+xml", "application/sparql-results+xml"),
                         ("application/xml", "application/sparql-results+xml"),
                         ("text/tab-separated-values", "text/tab-separated-values"),
                         ("application/sparql-results+json", "application/sparql-results+json")):
        r = client.get("/sparql", query_string={"query": q}, headers={"Accept": accept})
        assert r.status_code == 200 and r.mimetype == mime, accept
    r = client.get("/sparql", query_string={"query": q}, headers={"Accept": "application/sparql-results+xml"})
    assert r.data.count(b"<result>") == 3
    tsv = client.get("/sparql", query_string={"query": q, "format": "tsv"}).get_data(as_text=True).splitlines()
    assert tsv[0] == "?c" and tsv[1].startswith("<https://")
    r = client.get("/sparql", query_string={"query": "ASK { ?c a schema:Claim }"},
                   headers={"Accept": "application/sparql-results+xml"})
    assert b"<boolean>true</boolean>" in r.data
    r = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?d kb:party ?p }"},
                   headers={"Accept": "application/ld+json"})
    assert r.mimetype == "application/ld+json" and len(Graph().parse(data=r.data, format="json-ld")) == 3
    r = client.get("/sparql", query_string={"query": q, "format": "csv"})
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    assert client.get("/sparql", query_string={"query": q, "format": "ttl"}).status_code == 400
    r = client.post("/sparql", data={"update": "DROP ALL"})
    assert r.status_code == 400 and "read-only" in r.get_json()["errors"][0]["message"]
    assert client.get("/sparql", headers=HTML).headers["Location"] == "/query"
    assert client.get("/sparql").status_code == 400


def test_openapi_document_is_valid_and_covers_the_api(client, app):
    doc = client.get("/api/openapi.json").get_json()
    validate(doc)
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule) for r in app.url_map.iter_rules()
              if r.rule.startswith("/api/")}
    assert routes == set(doc["paths"])


def test_api_writes(client, app):
    tok = app.extensions["users"].token("ana")
    viewer = app.extensions["users"].token("vic")
    claim = {"text": {"en": "API claim"}, "claimant": "openai", "about": ["openai"], "sources": [SOURCE]}
    assert client.post("/api/claims", json=claim).status_code == 401
    assert client.post("/api/claims", json=claim, headers={"Authorization": "Bearer nope.x"}).status_code == 401
    assert client.post("/api/claims", json=claim, headers={"Authorization": f"Bearer {viewer}"}).status_code == 403
    r = client.post("/api/claims", json={**claim, "date": "2024-13-45"}, headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "date"
    r = client.post("/api/claims", data="[]", content_type="application/json",
                    headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 400
    r = client.post("/api/claims", json=claim, headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 201 and r.get_json()["recorded_by"] == "ana"
    # a signed-in browser session is not enough for the API (no cookie-borne writes)
    sign_in(client)
    assert client.post("/api/claims", json=claim).status_code == 401


def test_errors_are_html_for_pages_and_json_for_the_api():
    app = create_app({"TESTING": True}, kb=open_kb(":memory:"))

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    client = app.test_client()
    r = client.get("/claims/nope", headers=HTML)
    assert r.status_code == 404 and r.mimetype == "text/html" and "there is no claim" in r.get_data(as_text=True)
    r = client.get("/no/such/page", headers=HTML)
    assert r.status_code == 404 and r.mimetype == "text/html"
    r = client.get("/api/no-such")
    assert r.status_code == 404 and r.get_json()["errors"][0]["field"] is None
    for headers in (HTML, {"Accept": "application/json"}):
        r = client.get("/boom", headers=headers)
        assert r.status_code == 500 and b"secret detail" not in r.data and b"Traceback" not in r.data
    assert client.get("/boom", headers={"Accept": "application/json"}).get_json() == {
        "errors": [{"field": None, "message": "internal error"}]}
    app.extensions["users"].add("ana", "analyst", "ana-password")
    big = app.config["MAX_CONTENT_LENGTH"] + 1
    r = client.post("/api/claims", data=b"x" * big, content_type="application/json",
                    headers={"Authorization": f"Bearer {app.extensions['users'].token('ana')}"})
    assert r.status_code == 413 and r.get_json()["errors"][0]["message"]


def test_settings_are_documented():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    missing = [k for k in SETTINGS if k not in readme]
    assert not missing, f"settings missing from the README: {missing}"
