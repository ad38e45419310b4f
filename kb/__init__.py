"""ClaimKB: claims, the parties who dispute them, and their sources, as RDF.

Open a knowledge base with :func:`open_kb`; everything else is a method of
:class:`KnowledgeBase`.
"""

from .backup import backup_folder, restore_folder
from .errors import Conflict, InvalidData, KBError, NotFound, Problem, QueryError, QueryTimeout, Report
from .knowledge import ImportResult, KnowledgeBase, QueryResult, derive_status, open_kb

__all__ = [
    "open_kb",
    "backup_folder",
    "restore_folder",
    "KnowledgeBase",
    "ImportResult",
    "QueryResult",
    "derive_status",
    "KBError",
    "InvalidData",
    "NotFound",
    "Conflict",
    "QueryError",
    "QueryTimeout",
    "Problem",
    "Report",
]
__version__ = "0.1.0"
