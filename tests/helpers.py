"""Starting `kb serve` and running `kb` for the tests that go through a real server."""

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store, *extra, pre=()):
    """kb serve on a free loopback port; returns (process, base URL) once it answers.
    ``pre`` are options of ``kb`` itself (before ``serve``), e.g. ``--data-dir``."""
    port = free_port()
    # the server's output goes to a file: a pipe nobody reads fills up and stalls the server
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "kb.cli", "--store", str(store), *pre, "serve", "--port", str(port),
                             *extra], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    proc.log = log
    for _ in range(300):
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"kb serve exited: {log.read().decode(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}"


def stop(proc):
    proc.terminate()
    proc.wait(timeout=10)


def kb_cmd(store, *args, stdin=None):
    return subprocess.run([sys.executable, "-m", "kb.cli", "--store", str(store), *args], cwd=ROOT,
                          capture_output=True, text=True, input=stdin, timeout=60)
