"""Usage-export importers, one registered class per format (after Redash's query runners).

Every importer turns its file into rows of one common shape (:data:`COLUMNS`): ``day``, ``user`` (as the
export names them; hashed before storing), ``team``, ``app``, ``active``, ``actions``, ``minutes_saved``.
:func:`detect` picks the importer from the first bytes of a file; :func:`read` returns the rows and the
problems found, each with its row, column and reason, so one preview / validate / commit path serves all.
"""

from reports.importers import generic, github_copilot, m365_copilot  # noqa: F401 - they register themselves
from reports.importers.base import COLUMNS, Importer, Problem, Result, detect, read, register, registry

__all__ = ["COLUMNS", "Importer", "Problem", "Result", "detect", "read", "register", "registry"]
