"""Claim pages kept for readers who are not signed in (app/pagecache.py): a write shows at the
next request, on the embedded store and on a server store served by two gunicorn workers; what
is one reader's (their name, CSRF tokens, language) is never served to another."""

import json
import re
import urllib.request

from helpers import HTML, SOURCE, sign_in, stop, two_workers

CLAIM = "ms-cancelled-datacentre-deals"
DISPUTE = {"party": "microsoft", "stance": "confirms", "text": {"en": "Microsoft confirmed it, says the test"},
           "sources": [SOURCE]}


def page(client, path=f"/claims/{CLAIM}", **headers):
    r = client.get(path, headers={**HTML, **headers})
    assert r.status_code == 200, r.status_code
    return r


def test_a_write_shows_at_the_next_request_and_a_kept_page_answers_304(app, client):
    first = page(client)
    again = page(client)
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert client.get(f"/claims/{CLAIM}", headers={**HTML, "If-None-Match": first.headers["ETag"]}).status_code == 304
    assert "Microsoft confirmed it, says the test" not in first.get_data(as_text=True)
    app.extensions["kb"].add_dispute(CLAIM, DISPUTE, by="ana")
    after = page(client)
    assert "Microsoft confirmed it, says the test" in after.get_data(as_text=True)
    assert after.headers["ETag"] != first.headers["ETag"]
    assert client.get(f"/claims/{CLAIM}", headers={**HTML, "If-None-Match": first.headers["ETag"]}).status_code == 200


def test_no_reader_is_served_another_s_name_token_or_language(app):
    anonymous, ana, vic = app.test_client(), app.test_client(), app.test_client()
    before = page(anonymous).get_data(as_text=True)
    assert 'name="csrf_token"' not in before and "Signed in as" not in before
    sign_in(ana)
    sign_in(vic, "vic")
    ana_page, vic_page = page(ana).get_data(as_text=True), page(vic).get_data(as_text=True)
    assert "Signed in as ana" in ana_page and "Signed in as vic" in vic_page
    tokens = [set(re.findall(r'name="csrf_token" value="([^"]+)"', p)) for p in (ana_page, vic_page)]
    assert tokens[0] and tokens[1] and not tokens[0] & tokens[1]
    assert 'action="/claims/ms-cancelled-datacentre-deals/verdicts"' in ana_page  # an analyst's forms
    assert "Signed in as ana" in page(ana).get_data(as_text=True)  # asked again, still their own
    after = page(anonymous).get_data(as_text=True)
    assert after == before  # the anonymous page, kept, has nothing of theirs
    assert "ana" not in re.findall(r"Signed in as (\w+)", after) and 'name="csrf_token"' not in after
    # two languages: the same claim, each reader's own
    en = page(app.test_client(), **{"Accept-Language": "en"}).get_data(as_text=True)
    ja = page(app.test_client(), **{"Accept-Language": "ja"}).get_data(as_text=True)
    assert '<html lang="en">' in en and '<html lang="ja">' in ja
    assert '<html lang="en">' in page(app.test_client(), **{"Accept-Language": "en"}).get_data(as_text=True)
    switched = app.test_client()
    switched.get("/lang/ja")
    assert '<html lang="ja">' in page(switched).get_data(as_text=True)
    assert '<html lang="ja">' in page(app.test_client(), f"/claims/{CLAIM}?lang=ja").get_data(as_text=True)


def _get(url, **headers):
    req = urllib.request.Request(url, headers={"Accept": "text/html", **headers})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.read().decode()


def test_a_page_served_under_two_path_prefixes_links_within_its_own(app):
    """A site served under /kb (a proxy's SCRIPT_NAME) and at the root: each kept page keeps its own links."""
    client = app.test_client()
    for _ in range(2):  # the second time, from what was kept
        at_root = page(client).get_data(as_text=True)
        r = client.get(f"/claims/{CLAIM}", headers=HTML, base_url="http://localhost/kb/")
        assert r.status_code == 200
        at_kb = r.get_data(as_text=True)
        assert 'href="/kb/' in at_kb and 'href="/claims/' not in at_kb
        assert 'href="/kb/' not in at_root and 'href="/claims/' in at_root


def test_a_write_through_one_gunicorn_worker_shows_at_the_other_s_next_page(oxigraph_servers, tmp_path):
    """kb serve --workers 2 on an Oxigraph server, each worker with its claim index replica and its kept
    pages: every worker has kept the page (asked many times), a write through either shows on the next
    page whichever worker answers it."""
    proc, url, token = two_workers(oxigraph_servers[0], tmp_path)
    try:
        for _ in range(12):  # both workers render and keep it
            assert "Microsoft confirmed it" not in _get(f"{url}/claims/{CLAIM}")
        for i in range(3):
            body = json.dumps({**DISPUTE, "text": {"en": f"Microsoft confirmed it, take {i}"}})
            req = urllib.request.Request(f"{url}/api/claims/{CLAIM}/disputes", data=body.encode(), headers={
                "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(req, timeout=60) as r:
                assert r.status == 201
            for _ in range(6):  # whichever worker answers
                assert f"Microsoft confirmed it, take {i}" in _get(f"{url}/claims/{CLAIM}")
    finally:
        stop(proc)
