"""A fresh process serves the same pages as one that has served before: what a start no longer
does at once (pySHACL and the SPARQL grammar imported at the first use, the shapes parsed at the
first write, templates compiled from Jinja's bytecode cache) changes no page, and such a process
still validates its first write."""

import json
import re
import subprocess
import sys
from pathlib import Path

from app import create_app
from kb import InvalidData, open_kb

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/?about=openai", "/claims/openai-board-fired-altman-not-candid", "/timeline?about=openai"]
FRESH = r"""
import json, sys
from app import create_app
from kb import open_kb
app = create_app({"TESTING": True, "LOAD_SEED": False, "SECRET_KEY": "test"}, kb=open_kb(sys.argv[1]))
c = app.test_client()
print(json.dumps({p: c.get(p, headers={"Accept": "text/html"}).get_data(as_text=True) for p in sys.argv[2:]}))
"""


def same(html: str) -> str:
    return re.sub(r'(csrf_token" value="|nonce=")[^"]*', r"\1", html)


def test_a_fresh_process_serves_the_same_pages_and_validates_its_first_write(tmp_path, seed_bytes):
    store = tmp_path / "store"
    kb = open_kb(str(store))
    kb.import_yaml(seed_bytes, by="tester")
    c = create_app({"TESTING": True, "LOAD_SEED": False, "SECRET_KEY": "test"}, kb=kb).test_client()
    for p in PAGES:
        c.get(p, headers={"Accept": "text/html"})  # served once: templates compiled and cached, values kept
    warm = {p: c.get(p, headers={"Accept": "text/html"}).get_data(as_text=True) for p in PAGES}
    kb.close()
    out = subprocess.run([sys.executable, "-c", FRESH, str(store), *PAGES], capture_output=True, text=True,
                         cwd=ROOT, timeout=300, check=True)
    fresh = json.loads(out.stdout.strip().splitlines()[-1])
    for p in PAGES:
        assert "openai" in warm[p].lower() and same(fresh[p]) == same(warm[p]), p
    kb = open_kb(str(store))  # nothing validated yet in this handle: the first write is refused all the same
    try:
        kb.add_claim({"id": "cold-bad", "text": {"en": "x"}, "claimant": "nobody", "date": "2024-13-45"}, by="t")
        raise AssertionError("an invalid claim was accepted")
    except InvalidData as e:
        assert e.problems
    finally:
        kb.close()
