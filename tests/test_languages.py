"""The interface in English and Japanese: choosing the language, a marker on text shown in another, every text in both."""

import re
from pathlib import Path

from app.i18n import MESSAGES

HTML = {"Accept": "text/html"}
CLAIM = "ms-cancelled-datacentre-deals"
SOURCE = "windows-central-ms-ai-self-sufficiency"
TEMPLATES = Path(__file__).resolve().parent.parent / "app" / "templates"


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
