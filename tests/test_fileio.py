"""Atomic output: all or nothing, with shareable permissions."""

from __future__ import annotations

import os
import stat

import pytest

from klaster.errors import DataError
from klaster.fileio import atomic_output


def test_success_replaces_target_with_umask_permissions(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    old_mask = os.umask(0o022)
    try:
        with atomic_output(target) as tmp:
            tmp.write_text("new")
    finally:
        os.umask(old_mask)
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_failure_keeps_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_missing_directory_is_named(tmp_path):
    with pytest.raises(DataError, match="output directory does not exist"), \
            atomic_output(tmp_path / "nope" / "x.csv"):
        pass


def test_temporary_of_a_killed_writer_is_removed_on_the_next_write(tmp_path):
    import subprocess
    import sys

    target = tmp_path / "out.csv"
    # A writer killed mid-write (SIGKILL runs no clean-up) leaves its temporary behind.
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    stale = tmp_path / f".out.csv.{child.pid}.abcd1234.tmp"
    stale.write_text("half")
    live = tmp_path / f".out.csv.{os.getpid()}.zzzz9999.tmp"  # a live writer's: kept
    live.write_text("being written")
    other = tmp_path / f".out.csv.bak.{child.pid}.abcd1234.tmp"  # another target's
    other.write_text("x")
    child.kill()
    child.wait()
    with atomic_output(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert not stale.exists() and live.exists() and other.exists()
