"""Backups of an embedded store folder, and restoring one into a new folder.

A backup is a folder::

    backup.json      what was backed up, when, and how (a backup lacking it is incomplete)
    oxigraph/        a complete Oxigraph store
    settings.json    the base IRI (so IRIs stay the same)
    users.json       accounts and hashed tokens, when there are any
    secret_key       the session-signing key, when there is one

The claim index (``index.sqlite``) is not copied: it is derived from the store
and rebuilt when a restored store is first opened.

Consistency: when this process holds the store, Oxigraph's own ``backup``
(a RocksDB checkpoint after a flush) is taken. When another process holds it
(``kb serve`` running), the store is opened read-only, which sees one
point-in-time snapshot of every committed write (each write is one atomic
batch), and that snapshot is copied quad by quad into a new store. Checkpoints
of a read-only open are not used: they miss writes not yet flushed from the
write-ahead log. A backup is written to ``DIR.part`` and renamed to ``DIR`` only
when complete.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from pathlib import Path

import pyoxigraph as ox

from .errors import KBError
from .stores.base import not_writable

FILES = ("settings.json", "users.json", "secret_key")
MANIFEST = "backup.json"
FORMAT = 1


def _is_store(folder: Path) -> bool:
    return (folder / "oxigraph" / "CURRENT").exists()


def _empty_target(target: Path, what: str) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise KBError(f"{what} {str(target)!r} already exists and is not empty; give a new or empty folder")


ACCOUNT_FILES = ("users.json", "secret_key")  # kept in --data-dir when one is given


def _finish(part: Path, target: Path, source: Path, manifest: dict, data_dir: Path | None = None) -> dict:
    for name in FILES:
        f = (data_dir if data_dir is not None and name in ACCOUNT_FILES else source) / name
        if f.exists():
            shutil.copy2(f, part / name)
    (part / MANIFEST).write_text(json.dumps(manifest, indent=2))
    if target.exists():
        target.rmdir()  # empty, checked above
    part.replace(target)
    return manifest


def _count(store: ox.Store) -> int:
    return sum(1 for _ in store.quads_for_pattern(None, None, None, None))


def _manifest(method: str, quads: int) -> dict:
    return {"format": FORMAT, "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "method": method, "quads": quads}


def backup_open_store(store: ox.Store, source: str | os.PathLike, target: str | os.PathLike,
                      data_dir: str | os.PathLike | None = None) -> dict:
    """Back up a store this process has open for writing (see :meth:`KnowledgeBase.backup`)."""
    source, target = Path(source), Path(target)
    data_dir = Path(data_dir) if data_dir else None
    _empty_target(target, "the backup folder")
    part = _part(target)
    try:
        store.flush()
        store.backup(str(part / "oxigraph"))
        copy = ox.Store.read_only(str(part / "oxigraph"))
        quads = _count(copy)
        del copy
        return _finish(part, target, source, _manifest("checkpoint", quads), data_dir)
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise


def _part(target: Path) -> Path:
    part = target.with_name(target.name + ".part")
    shutil.rmtree(part, ignore_errors=True)
    part.mkdir(parents=True)
    return part


def backup_folder(source: str | os.PathLike, target: str | os.PathLike,
                  data_dir: str | os.PathLike | None = None) -> dict:
    """Back up the store in folder ``source`` to the new folder ``target``,
    whether or not another process (``kb serve``) has the store open; accounts
    and the session key come from ``data_dir`` when it is given."""
    source, target = Path(source), Path(target)
    if not _is_store(source):
        raise KBError(f"there is no ClaimKB store in {str(source)!r}")
    _empty_target(target, "the backup folder")
    try:
        store = ox.Store(str(source / "oxigraph"))
    except OSError as e:
        if "lock" not in str(e).lower() and not not_writable(e):
            raise KBError(f"cannot open the store folder {str(source)!r}: {e}") from e
        return _backup_snapshot(source, target, data_dir)  # held by kb serve, or a read-only folder
    try:
        return backup_open_store(store, source, target, data_dir)
    finally:
        store.flush()
        del store


def _backup_snapshot(source: Path, target: Path, data_dir=None) -> dict:
    """The store is held by another process: copy a read-only snapshot."""
    last = None
    for _ in range(5):  # a read-only open can catch a write-ahead log being appended to; try again
        try:
            snapshot = ox.Store.read_only(str(source / "oxigraph"))
            break
        except OSError as e:
            last = e
            time.sleep(0.2)
    else:
        raise KBError(f"cannot read the store folder {str(source)!r} for a backup: {last}")
    part = _part(target)
    try:
        copy = ox.Store(str(part / "oxigraph"))
        n = 0
        batch = []
        for q in snapshot.quads_for_pattern(None, None, None, None):
            batch.append(q)
            if len(batch) >= 10_000:
                copy.extend(batch)
                n += len(batch)
                batch = []
        copy.extend(batch)
        n += len(batch)
        copy.flush()
        del copy, snapshot
        return _finish(part, target, source, _manifest("snapshot", n), Path(data_dir) if data_dir else None)
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise


def restore_folder(backup: str | os.PathLike, target: str | os.PathLike,
                   data_dir: str | os.PathLike | None = None) -> dict:
    """Restore the backup folder ``backup`` into ``target``, a new or empty
    store folder; never over an existing store. Accounts and the session key go
    to ``data_dir`` when it is given (refused if it already has accounts)."""
    backup, target = Path(backup), Path(target)
    data_dir = Path(data_dir) if data_dir else None
    if data_dir is not None and any((data_dir / n).exists() for n in ACCOUNT_FILES if (backup / n).exists()):
        raise KBError(f"the data folder {str(data_dir)!r} already has accounts or a session key; "
                      "restore its accounts into a new or empty data folder")
    manifest_file = backup / MANIFEST
    if not manifest_file.exists() or not _is_store(backup):
        raise KBError(f"{str(backup)!r} is not a complete ClaimKB backup (no {MANIFEST} or no oxigraph/ store)")
    manifest = json.loads(manifest_file.read_text())
    if manifest.get("format") != FORMAT:
        raise KBError(f"{str(backup)!r} is a backup of format {manifest.get('format')!r}; this ClaimKB reads {FORMAT}")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise KBError(f"the store folder {str(target)!r} is not empty; "
                      "a backup is restored only into a new or empty folder, never over a store")
    part = target.with_name(target.name + ".restoring")
    shutil.rmtree(part, ignore_errors=True)
    try:
        part.mkdir(parents=True)
        shutil.copytree(backup / "oxigraph", part / "oxigraph")
        for name in FILES:
            if (backup / name).exists():
                shutil.copy2(backup / name, part / name)
        check = ox.Store.read_only(str(part / "oxigraph"))
        quads = _count(check)
        del check
        if quads != manifest.get("quads"):
            raise KBError(f"the backup in {str(backup)!r} is damaged: {quads} quads where "
                          f"{manifest.get('quads')} were backed up")
        if target.exists():
            target.rmdir()
        part.replace(target)
        if data_dir is not None:
            data_dir.mkdir(parents=True, exist_ok=True)
            for name in ACCOUNT_FILES:
                if (target / name).exists():
                    (target / name).replace(data_dir / name)
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
    return manifest
