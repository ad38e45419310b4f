"""bench/backends.py prints, for each of the three backends, every figure bench/run.py prints for the
embedded store (so that BENCHMARKS.md can give one table per backend): run whole at 300 claims (about
20 s: two servers started, three fresh serving processes), no figure missing or None; and a SPARQL example
stopped at its bound is reported as a string, not raised."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kb.errors import QueryTimeout

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import run  # noqa: E402
import sparql  # noqa: E402

# run.py's name -> backends.py's, where they differ (backends.py's first tables came first: claim page and
# search first time under the plain name, warm under *_warm_*)
RENAMED = {"claim_page_first_p50_ms": "claim_page_p50_ms", "claim_page_p50_ms": "claim_page_warm_p50_ms",
           "search_first_p50_ms": "search_p50_ms", "search_p50_ms": "search_warm_p50_ms"}


@pytest.mark.long
def test_every_figure_of_run_py_on_every_backend(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "backends.py"), "--claims", "300", "--writes", "2",
                          "--pages", "3", "--json", str(tmp_path / "r.json")],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["same_quads"] and result["same_claims"] and result["same_sparql_rows"]
    for name, b in result["backends"].items():
        for field in run.FIELDS:
            if field not in ("claims", "fill_s"):  # the run's, not a backend's
                value = b[RENAMED.get(field, field)]
                assert value is not None and value != {}, (name, field)
        assert all(isinstance(v, float) for v in [*b["sparql_p50_ms"].values(), *b["sparql_cold_ms"].values()]), name
        assert b["import_claims_per_s"] > 0 and b["rss_mb"] > 0 and b["export_mb"] > 0, name
    assert "× embedded: import" in out.stdout and "SPARQL examples on virtuoso" in out.stdout


class _StoppedKB:
    """A knowledge base whose writes pass and whose queries stop at the bound after ``ok`` runs."""

    def __init__(self, ok: int):
        self.ok = ok

    def add_claim(self, rec, by):
        pass

    def query(self, q, timeout):
        if self.ok == 0:
            raise QueryTimeout(timeout)
        self.ok -= 1


def test_a_sparql_example_stopped_at_its_bound_is_reported_not_raised():
    stopped = sparql.example(_StoppedKB(0), "about-entity", timeout=1, bounded=True)
    assert stopped["cold_ms"].startswith("not run to the end") and stopped["rows"] is None
    warm_stopped = sparql.example(_StoppedKB(2), "about-entity", timeout=1, bounded=True)
    assert isinstance(warm_stopped["cold_ms"], float) and warm_stopped["warm_ms"].startswith("not run to the end")
    with pytest.raises(QueryTimeout):
        sparql.example(_StoppedKB(0), "about-entity", timeout=1)
