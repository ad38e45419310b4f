# TEMPORARY scaffold until the stores package lands (rooms-stores branch)
from ..store import RDF_FORMATS, EmbeddedStore, Store, from_ox, nt, open_store, to_ox  # noqa: F401


def _single_writer(self):
    return not self.shared


def _index_path(self):
    if isinstance(self, EmbeddedStore):
        return str(self.path / "index.sqlite") if self.path else None
    return None


def _backup_to(self, target):
    from ..backup import backup_open_store
    from ..errors import KBError
    if not isinstance(self, EmbeddedStore) or self.path is None:
        raise KBError("only a store in a folder can be backed up this way")
    return backup_open_store(self._store, self.path, target)


Store.single_writer = property(_single_writer)
Store.index_path = property(_index_path)
Store.backup_to = _backup_to
