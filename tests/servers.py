"""SPARQL servers started on loopback for the tests and the benchmarks:
Oxigraph's server (PyPI ``oxigraph``) and Virtuoso open source (Debian
``virtuoso-opensource``). Each runs in a folder of its own and is stopped by
``stop()``; ``url`` is the query endpoint, ``store_args`` what ``open_kb`` and
``kb --store … --update-endpoint …`` take."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from helpers import free_port


def _oxigraph_binary() -> str:
    found = str(Path(sys.executable).with_name("oxigraph"))  # pip install oxigraph puts it beside python
    if not Path(found).exists():
        found = shutil.which("oxigraph") or found
    if not Path(found).exists():
        raise RuntimeError("the oxigraph server binary is missing: pip install the test extras (oxigraph)")
    return found


class _Server:
    name = "server"
    url = update_url = ""

    @property
    def store_args(self) -> dict:
        return {"store": self.url, "update_endpoint": self.update_url}

    @property
    def cli_args(self) -> list[str]:
        return ["--store", self.url, "--update-endpoint", self.update_url]

    def _wait(self, seconds: float):
        deadline = time.monotonic() + seconds
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_text()}")
            try:
                self.ask()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"{self.name} did not answer within {seconds:.0f} s: {self.log_text()}") from None
                time.sleep(0.1)

    def log_text(self) -> str:
        return ""

    def ask(self):
        data = urllib.parse.urlencode({"query": "ASK {}"}).encode()
        urllib.request.urlopen(urllib.request.Request(self.url, data=data), timeout=2).read()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class OxigraphServer(_Server):
    """``oxigraph serve`` on loopback."""

    name = "oxigraph serve"

    def __init__(self, folder: Path, *extra: str, wait: float = 30):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/query"
        self.update_url = f"http://127.0.0.1:{self.port}/update"
        self.proc = subprocess.Popen([_oxigraph_binary(), "serve", "--location", str(folder),
                                      "--bind", f"127.0.0.1:{self.port}", *extra],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait(wait)

    def log_text(self):
        return self.proc.stderr.read().decode(errors="replace") if self.proc.poll() is not None else ""

    def clear(self):
        req = urllib.request.Request(self.update_url, data=b"CLEAR ALL",
                                     headers={"Content-Type": "application/sparql-update"})
        urllib.request.urlopen(req, timeout=30).read()


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {d}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
CheckpointInterval = 60
ServerThreads = 20

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {vsp}
ServerThreads = 40
MaxClientConnections = 40
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
"""

VIRTUOSO_SYSTEM_GRAPHS = ("http://www.openlinksw.com/", "http://www.w3.org/ns/ldp#", "http://localuriqaserver/")


def _virtuoso_vsp() -> str:
    for d in Path("/var/lib").glob("virtuoso-opensource-*/vsp"):
        return str(d)
    out = subprocess.run(["dpkg", "-L", "virtuoso-opensource-7"], capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.endswith("/vsp"):
            return line
    raise RuntimeError("Virtuoso's vsp folder is missing: apt-get install virtuoso-opensource")


class VirtuosoServer(_Server):
    """Virtuoso open source on loopback, with a database of its own in ``folder``:
    queries at ``/sparql`` (anonymous, read-only), updates at ``/sparql-auth``
    (HTTP Digest, dba/dba: a fresh database's admin)."""

    name = "virtuoso-t"

    def __init__(self, folder: Path, *, buffers: int = 20000):
        binary = shutil.which("virtuoso-t")
        if binary is None:
            raise RuntimeError("virtuoso-t is missing: apt-get install virtuoso-opensource (.ci/run does)")
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.http_port, self.sql_port = free_port(), free_port()
        ini = folder / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(d=folder, sql_port=self.sql_port, http_port=self.http_port,
                                           vsp=_virtuoso_vsp(), buffers=buffers, dirty=buffers * 3 // 4))
        self.url = f"http://127.0.0.1:{self.http_port}/sparql"
        self.update_url = f"http://dba:dba@127.0.0.1:{self.http_port}/sparql-auth"
        # +foreground: without it virtuoso-t forks and the process here is not the server
        self.proc = subprocess.Popen([binary, "+configfile", str(ini), "+foreground"], cwd=folder,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait(90)

    def log_text(self):
        log = self.folder / "virtuoso.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def clear(self):
        """Drop every graph but Virtuoso's own (CLEAR ALL would take its system graphs too), in SQL: at
        10,000 claims (15,000 graphs, one per version) SPARQL's list of the graphs took over 120 s, and
        a CLEAR per graph would follow (the tests after the 10k test on that server failed at setup);
        this takes about 5 s."""
        keep = " OR ".join(f"__ro2sq(G) LIKE '{g}%'" for g in VIRTUOSO_SYSTEM_GRAPHS)
        sql = f"log_enable(3,1); DELETE FROM DB.DBA.RDF_QUAD WHERE NOT ({keep});"
        # (not pytest's name of the test in isql's environment: a test whose parameter is a long text
        # has a name longer than one variable may be, and isql-vt would not start)
        env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
        out = subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={sql}"],
                             capture_output=True, text=True, timeout=600, env=env)
        if out.returncode or "*** Error" in out.stdout + out.stderr:
            raise RuntimeError(f"isql-vt {sql!r}: {out.stdout[-2000:]} {out.stderr[-2000:]}")
