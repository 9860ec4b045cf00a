"""Atomic file output shared by every writer (tables, reports, downloads, build scripts).

A writer never leaves a half-written file: it writes to a temporary file in the target's
folder and renames it over the target only when writing succeeded (rename is atomic on
POSIX and Windows within one file system).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from klaster.errors import DataError


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


#: A temporary without a process id in its name (older klaster) is stale after this long.
STALE_SECONDS = 3600


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (on this host)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def remove_stale_temporaries(path: str | Path, *, suffix: str = ".tmp") -> list[Path]:
    """Remove ``.<name>.<pid>.*<suffix>`` temporaries of ``path`` whose writer process is
    gone (killed mid-write); returns what was removed. Temporaries of live writers stay."""
    path = Path(path)
    prefix = f".{path.name}."
    removed = []
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(suffix)):
            continue
        # ".<name>.<pid>.<random>.tmp" (now) or ".<name>.<random>.tmp" (older klaster);
        # more dots belong to another target ("a" vs "a.csv").
        parts = name[len(prefix):-len(suffix)].split(".")
        try:
            if len(parts) == 2 and parts[0].isdigit():
                stale = not pid_alive(int(parts[0]))
            elif len(parts) == 1:
                stale = time.time() - entry.stat().st_mtime > STALE_SECONDS
            else:
                continue
            if stale and entry.is_file():
                entry.unlink()
                removed.append(entry)
        except OSError:
            continue
    return removed


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
    remove_stale_temporaries(path, suffix=suffix)
    # The writer's process id is in the name, so that a later run can tell a temporary
    # left by a killed writer (SIGKILL runs no clean-up) from one still being written.
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.",
                                suffix=suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
