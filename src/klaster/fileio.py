"""Atomic file output shared by every writer (tables, reports, downloads, build scripts).

A writer never leaves a half-written file: it writes to a temporary file in the target's
folder and renames it over the target only when writing succeeded (rename is atomic on
POSIX and Windows within one file system).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from klaster.errors import DataError


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextmanager
def atomic_output(path: str | Path, *, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``.

    The file gets ordinary permissions (0666 less the umask), not mkstemp's private 0600,
    since reports and tables are meant to be shared. On any error the temporary file is
    removed and ``path`` is left as it was.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise DataError("output directory does not exist", file=path.parent)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
