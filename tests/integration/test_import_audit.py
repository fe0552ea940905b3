"""A write and its audit entry commit together: a committed import always has its entry,
a failed one (here: the disk fills up mid-import) has none and changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.core import audit
from graph.factory import open_store
from loaders.demo import demo_tables, write_demo_csv


def _redchain(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "REDCHAIN_STORE"} | {"COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "api.cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


@pytest.fixture
def small_disk(tmp_path):
    """A real 6 MB file system (tmpfs), so a write can meet a full disk for real."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount_point)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here (needs root): {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def _fill(folder: Path, leave: int) -> None:
    """Fill the file system, then give back ``leave`` bytes: room to open the store, not to import."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    os.truncate(filler, max(0, filler.stat().st_size - leave))


def test_committed_import_has_its_entry_in_the_same_version(tmp_path):
    folder = tmp_path / "csv"
    write_demo_csv(demo_tables("small", 2024), folder)
    db = tmp_path / "x.db"
    result = _redchain("load", folder, "--store", db, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    store = open_store(str(db))
    try:
        (entry,) = [e for e in audit.entries(store) if e["action"] == "import"]
        assert entry["details"]["version"] == store.version() == 1 and entry["principal"] == "cli"
    finally:
        store.close()


def test_an_import_that_meets_a_full_disk_leaves_neither_data_nor_entry(tmp_path, small_disk):
    first, second = tmp_path / "first", tmp_path / "second"
    tables = demo_tables("small", 2024)
    write_demo_csv({"chains": tables["chains"]}, first)
    write_demo_csv(tables, second)
    db = small_disk / "x.db"
    assert _redchain("load", first, "--store", db, cwd=tmp_path).returncode == 0
    store = open_store(str(db))
    before = (store.version(), len(store.read().nodes), audit.entries(store))
    store.close()

    _fill(small_disk, leave=64 * 1024)
    result = _redchain("load", second, "--store", db, cwd=tmp_path)

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "database or disk is full" in result.stderr and "未写入任何数据" in result.stderr
    (small_disk / "filler").unlink()
    store = open_store(str(db))
    try:
        assert (store.version(), len(store.read().nodes), audit.entries(store)) == before
    finally:
        store.close()
