"""The ``kb`` command. Exit codes: 0 success, 1 invalid data or query, 2 usage
error. Errors go to stderr as one sentence, never a traceback."""

from __future__ import annotations

import csv
import getpass
import json
import os
import sys
import time
from pathlib import Path

import click

from .errors import InvalidData, KBError, QueryError
from .io import format_of
from .knowledge import open_kb
from .stores import is_server_url
from .validation import ENGINES


def _user(name):
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "anonymous"


def _open(ctx):
    o = ctx.obj
    if "kb" not in o:
        o["kb"] = open_kb(o["store"], base=o["base"], update_endpoint=o["update_endpoint"],
                          index_dir=o.get("index_dir"))
        ctx.call_on_close(o["kb"].close)
    return o["kb"]


def _fail(message: str, code: int = 1):
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


class _Group(click.Group):
    """Turns every KBError into one line on stderr and exit 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InvalidData as e:
            if len(e.problems) <= 1:  # one problem, one line
                _fail(f"{e.problems[0] if e.problems else e.message}; nothing was written")
            click.echo(f"error: {len(e.problems)} problem(s); nothing was written:", err=True)
            for p in e.problems:
                click.echo(f"  - {p}", err=True)
            sys.exit(1)
        except KBError as e:
            _fail(e.message, 2 if e.status == 2 else 1)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(0)
        except (OSError, UnicodeError) as e:
            _fail(str(e))


@click.group(cls=_Group)
@click.option("--store", envvar="KB_STORE", default="./kb-data", show_default=True,
              help="A folder for the embedded store, or a SPARQL server's query URL.")
@click.option("--update-endpoint", envvar="KB_UPDATE_ENDPOINT", default=None,
              help="The SPARQL server's update URL, where it differs from the query URL.")
@click.option("--base", envvar="KB_BASE", default=None,
              help="Base IRI for new records (fixed when the store is created).")
@click.option("--data-dir", envvar="KB_DATA_DIR", default=None,
              help="Folder for accounts and the session secret (default: the store folder, "
                   "or ./kb-data for a server store).")
@click.option("--index-dir", envvar="KB_INDEX_DIR", default=None,
              help="A server store only: a folder of this process's own for its replica of the claim index "
                   "(fast list, search and facets; see DEPLOY.md). Without one the list is asked in SPARQL.")
@click.pass_context
def main(ctx, store, update_endpoint, base, data_dir, index_dir):
    """ClaimKB: record claims and who disputes them, as RDF."""
    ctx.obj = {"store": store, "update_endpoint": update_endpoint, "base": base, "data_dir": data_dir,
               "index_dir": index_dir}


def data_dir(store: str, given: str | None) -> Path:
    """Where accounts and the session secret live."""
    if given:
        return Path(given)
    if store == ":memory:":
        raise KBError("an in-memory store has no folder for accounts; give --data-dir")
    return Path("./kb-data") if is_server_url(store) else Path(store)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--as", "as_", envvar="KB_USER", default=None, help="The analyst recording this (default: login name).")
@click.option("--format", "fmt", default=None, help="yaml, turtle, trig, nt, nq or jsonld (default: by file name).")
@click.option("--validator", type=click.Choice(ENGINES), default=None,
              help="SHACL engine: turbo (pyshacl-turbo, held to pySHACL's reports by the tests) or pyshacl "
                   "(the reference). Default: CLAIMKB_VALIDATOR, else turbo.")
@click.pass_context
def load(ctx, files, as_, fmt, validator):
    """Load YAML or RDF files: validated, all or nothing per file."""
    kb = _open(ctx)
    for f in files:
        path = Path(f)
        if not path.is_file():
            _fail(f"no such file: {f}", 2)
        kind = format_of(f, fmt)
        data = path.read_bytes()
        bar, started = None, time.monotonic()

        def rate(claims, started=started):
            return f"{claims / max(time.monotonic() - started, 1e-6):,.0f} claims/s" if claims else ""

        def progress(done, total, claims=0, label=f"validating {path.name}"):
            nonlocal bar
            if bar is None:
                bar = click.progressbar(length=total, label=label, file=sys.stderr, item_show_func=rate,
                                        hidden=total < 1000)
                bar.__enter__()
            bar.update(done - bar.pos, current_item=claims)

        try:
            if kind == "yaml":
                result = kb.import_yaml(data, by=_user(as_), name=path.name, progress=progress,
                                        folder=path.parent, validator=validator)
            else:
                result = kb.import_rdf(data, kind, by=_user(as_), name=path.name, progress=progress,
                                       validator=validator)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
        seconds, n = time.monotonic() - started, result.created["claim"] + result.updated["claim"]
        click.echo(f"{path.name}: {result}" + (f" ({n / seconds:,.0f} claims/s)" if n and seconds >= 1 else ""))


@main.command()
@click.pass_context
def validate(ctx):
    """Check the whole store against the shapes."""
    kb = _open(ctx)
    report = kb.validate_store()
    click.echo(report.text(), err=not report.conforms)
    # quotes a re-captured source no longer holds: a warning (the store still conforms)
    for q in kb.sources.stale():
        where = f"dispute {q['dispute']!r}" if q["dispute"] else f"claim {q['claim']!r}"
        click.echo(f"warning: {where} quotes source {q['source']!r}, whose text no longer holds "
                   f"{q['exact'][:60]!r}", err=True)
    if not report.conforms:
        sys.exit(1)


@main.group()
def source():
    """Sources that keep their text."""


@source.command("add")
@click.option("--url", default=None, help="The article's address (fetched unless --file or - gives the text).")
@click.option("--file", "file_", type=click.Path(dir_okay=False), default=None,
              help="A .txt or saved .html file holding the article.")
@click.argument("stdin", required=False, metavar="[-]")
@click.option("--id", "rid", default=None, help="The source's id (default: made from the headline).")
@click.option("--headline", default=None, help="The headline (default: the page's).")
@click.option("--publisher", default=None, help="The publisher's agent id.")
@click.option("--author", multiple=True, help="An author's agent id (repeatable).")
@click.option("--published", default=None, help="YYYY-MM-DD, YYYY-MM or YYYY (default: the page's).")
@click.option("--language", default=None, help="ja, en, … (default: the page's).")
@click.option("--allow-host", "allow_hosts", multiple=True, envvar="KB_FETCH_ALLOW_HOSTS",
              help="A host that may resolve to a local or private address (FETCH_ALLOW_HOSTS; repeatable).")
@click.option("--as", "as_", envvar="KB_USER", default=None, help="The analyst recording this (default: login name).")
@click.pass_context
def source_add(ctx, url, file_, stdin, rid, headline, publisher, author, published, language, allow_hosts, as_):
    """Capture a source's text: fetched from --url, read from --file, or - (standard input)."""
    if stdin not in (None, "-"):
        _fail(f"unexpected argument {stdin!r} (give - to read the text from standard input)", 2)
    if sum(x is not None for x in (file_, stdin)) > 1 or not (url or file_ or stdin):
        _fail("give one of --url URL, --file FILE or - (the text on standard input)", 2)
    kb = _open(ctx)
    hosts = [h for value in allow_hosts for h in value.replace(",", " ").split()]
    record = {"id": rid, "headline": headline, "publisher": publisher, "author": list(author) or None,
              "published": published, "language": language, "url": url}
    if file_:
        page = kb.sources.extract(Path(file_).read_bytes(), Path(file_).name)
    elif stdin:
        page = kb.sources.extract(sys.stdin.buffer.read(), "stdin.txt")
    else:
        page = kb.sources.fetch(url, allow_hosts=hosts)
    page = {k: v for k, v in page.items() if k in ("text", "headline", "published", "language", "url")}
    s = kb.sources.add({**page, **{k: v for k, v in record.items() if v}}, by=_user(as_))
    click.echo(f"source {s['id']}: {len(s['text']):,} characters captured (sha256 {s['digest'][:12]}…)")


@main.command()
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "turtle"]), default="table",
              show_default=True)
@click.option("--timeout", envvar="CLAIMKB_QUERY_TIMEOUT", type=click.FloatRange(min=0), default=5.0,
              show_default=True, help="Seconds the query may run before it is stopped; 0: no limit.")
@click.pass_context
def query(ctx, query, fmt, timeout):
    """Run a read-only SPARQL query: the text, a file, or - for stdin."""
    if query == "-":
        text = sys.stdin.read()
    elif os.path.isfile(query):
        text = Path(query).read_text(encoding="utf-8")
    else:
        text = query
    res = _open(ctx).query(text, timeout=timeout or None)
    out = click.get_text_stream("stdout")
    if res.form == "ask":
        click.echo(json.dumps({"boolean": res.boolean}) if fmt == "json" else str(res.boolean).lower())
    elif res.graph is not None:
        if fmt not in ("turtle", "table"):
            raise QueryError("CONSTRUCT and DESCRIBE results can be printed as turtle only")
        click.echo(res.graph.serialize(format="turtle"))
    elif fmt == "turtle":
        raise QueryError("SELECT results cannot be printed as turtle; use table, csv or json")
    elif fmt == "csv":
        w = csv.writer(out)
        w.writerow(res.variables)
        for r in res.rows:
            w.writerow(["" if r[v] is None else str(r[v]) for v in res.variables])
    elif fmt == "json":
        click.echo(json.dumps(
            [{v: (None if r[v] is None else str(r[v])) for v in res.variables} for r in res.rows],
            ensure_ascii=False, indent=2))
    else:
        rows = [["" if r[v] is None else str(r[v]) for v in res.variables] for r in res.rows]
        widths = [max([len(v)] + [len(row[i]) for row in rows]) for i, v in enumerate(res.variables)]
        click.echo("  ".join(v.ljust(w) for v, w in zip(res.variables, widths, strict=False)))
        click.echo("  ".join("-" * w for w in widths))
        for row in rows:
            click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)))
        click.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", err=True)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["turtle", "trig", "jsonld", "nt", "nq"]), default="turtle",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="File (default: stdout).")
@click.pass_context
def export(ctx, fmt, output):
    """Export the knowledge base (TriG and N-Quads include every version)."""
    kb = _open(ctx)
    if output:
        tmp = Path(output + ".part")
        with open(tmp, "wb") as f:
            kb.export(f, fmt)
        tmp.replace(output)
    else:
        out = sys.stdout.buffer
        kb.export(out, fmt)
        out.flush()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (gunicorn); above 1 needs a SPARQL server store.")
@click.pass_context
def serve(ctx, host, port, threads, workers):
    """Serve the web app and HTTP interface (waitress; gunicorn with --workers above 1)."""
    o = ctx.obj
    if workers > 1:
        if not is_server_url(o["store"]):
            raise click.UsageError(
                f"--workers {workers} needs a SPARQL server store (--store http://…): an embedded store "
                "can be opened by one process at a time, so run one process with --threads instead")
        env = {**os.environ, "CLAIMKB_KB_STORE": o["store"],
               "CLAIMKB_DATA_DIR": str(data_dir(o["store"], o["data_dir"]).resolve())}
        if o["update_endpoint"]:
            env["CLAIMKB_KB_UPDATE_ENDPOINT"] = o["update_endpoint"]
        if o["base"]:
            env["CLAIMKB_KB_BASE"] = o["base"]
        if o["index_dir"]:  # each worker keeps its own claim index there (kb.replica)
            env["CLAIMKB_INDEX_DIR"] = str(Path(o["index_dir"]).resolve())
        click.echo(f"ClaimKB: {workers} workers × {threads} threads on {o['store']}. "
                   f"Open http://{host}:{port}/; Ctrl-C stops it.", err=True)
        # --preload: the app (and a first start's seeding) is made once, then the workers fork
        # (not with --index-dir: each worker opens the store after the fork, with a claim index of its own)
        args = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
                "--bind", f"{host}:{port}", *([] if o["index_dir"] else ["--preload"]), "--access-logfile", "-",
                "app.wsgi:application"]
        os.execvpe(sys.executable, args, env)
    from waitress import serve as waitress_serve  # noqa: PLC0415 - only needed here

    from app import create_app  # noqa: PLC0415

    app = create_app({"DATA_DIR": str(data_dir(o["store"], o["data_dir"]))}, kb=_open(ctx))
    # the claim index's total, not summary(): its counts took 60 s of each start at 10k claims
    total = app.extensions["kb"].list_claims(limit=1)["total"]
    click.echo(f"ClaimKB: {total} claims. "
               f"Open http://{host}:{port}/ (query page /query, SPARQL endpoint /sparql, "
               f"API /api/claims); Ctrl-C stops it.", err=True)
    waitress_serve(app, host=host, port=port, threads=threads, ident="ClaimKB")


@main.command()
@click.pass_context
def summary(ctx):
    """Counts of claims, disputes by party, and statuses."""
    click.echo(format_summary(_open(ctx).summary()))


def format_summary(s: dict) -> str:
    lines = [
        f"claims: {s.get('claims', 0)}   disputes: {s.get('disputes', 0)}   "
        f"sources: {s.get('sources', 0)}   agents: {s.get('agents', 0)}",
        "statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(s.get("statuses", {}).items())),
        "disputes by party:",
    ]
    for p in s.get("disputes_by_party", []):
        name = p["name"].get("en") or next(iter(p["name"].values()), p["party"])
        lines.append(f"  {name} ({p['party']}): {p['stance']} {p['count']}")
    return "\n".join(lines)




def _store_folder(ctx) -> str:
    store = ctx.find_root().obj["store"]
    if is_server_url(store) or store == ":memory:":
        raise KBError("backups are of a store folder; give --store a folder")
    return store


@main.command()
@click.argument("target", type=click.Path(file_okay=False))
@click.pass_context
def backup(ctx, target):
    """Back up the store (also while kb serve runs) to TARGET, a new folder."""
    from .backup import backup_folder  # noqa: PLC0415

    m = backup_folder(_store_folder(ctx), target, ctx.find_root().obj["data_dir"])
    click.echo(f"backed up {m['quads']} quads to {target} ({m['method']})")


@main.command()
@click.argument("source", type=click.Path(file_okay=False))
@click.pass_context
def restore(ctx, source):
    """Restore the backup SOURCE into --store, which must be a new or empty folder."""
    from .backup import restore_folder  # noqa: PLC0415

    store = _store_folder(ctx)
    m = restore_folder(source, store, ctx.find_root().obj["data_dir"])
    kb = _open(ctx)  # opening rebuilds the claim index
    s = kb.summary()
    click.echo(f"restored {m['quads']} quads (backup of {m['created']}) into {store}: "
               f"{s.get('claims', 0)} claims, {s.get('disputes', 0)} disputes")


@main.group()
def user():
    """Accounts and API tokens for the web app."""


def _users(ctx):
    from app.users import Users  # noqa: PLC0415

    o = ctx.find_root().obj
    folder = data_dir(o["store"], o["data_dir"])
    folder.mkdir(parents=True, exist_ok=True)
    return Users(folder / "users.json")


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["viewer", "analyst", "admin"]), default="analyst", show_default=True)
@click.pass_context
def user_add(ctx, name, role):
    """Add an account; the password is read from stdin when it is not a terminal."""
    if sys.stdin.isatty():
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    _users(ctx).add(name, role, password)
    click.echo(f"added {name} ({role})")


@user.command("token")
@click.argument("name")
@click.pass_context
def user_token(ctx, name):
    """Print a new API token for NAME (send it as Authorization: Bearer TOKEN)."""
    click.echo(_users(ctx).token(name))


@user.command("list")
@click.pass_context
def user_list(ctx):
    for u in _users(ctx).list():
        click.echo(f"{u['name']}\t{u['role']}")


@main.group()
def review():
    """Drafts awaiting review (REVIEW_REQUIRED): list them, approve one (admins)."""


@review.command("list")
@click.option("--all", "everything", is_flag=True, help="Published drafts too.")
@click.pass_context
def review_list(ctx, everything):
    """The open drafts, newest first: number, state, author, assignee, last change, what it holds."""
    kb = _open(ctx)
    states = ("draft", "in-review", "returned", "published") if everything else ("draft", "in-review", "returned")
    for d in kb.review.drafts(states=states):
        held = ", ".join(f"{r['kind']} {r['id']}" + (f" (edit of v{r['from_version']})" if r["from_version"] else "")
                         for r in d["records"])
        click.echo(f"{d['draft']}\t{d['state']}\t{d['author']}\t{d['assignee'] or '-'}\t{d['modified']}\t{held}")


@review.command("approve")
@click.argument("number", type=int)
@click.option("--as", "as_", required=True, help="The admin approving it (an account of the web app).")
@click.pass_context
def review_approve(ctx, number, as_):
    """Publish draft NUMBER (in review) as its author's write; the admin is recorded as the approver."""
    account = _users(ctx).get(as_)
    if account is None or account["role"] != "admin":
        _fail(f"{as_!r} is not an admin account here; approving from the command line is for admins", 1)
    d = _open(ctx).review.approve(number, by=as_, own=True)
    click.echo(f"draft {d['draft']} published: " + ", ".join(f"{r['kind']} {r['id']}" for r in d["records"]))


if __name__ == "__main__":  # pragma: no cover
    main()
