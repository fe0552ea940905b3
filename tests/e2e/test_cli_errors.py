"""What a person reads when a command cannot do its work: a missing or damaged data file,
an output path that cannot be written, a chain that does not exist. One line, exit 1,
never a traceback, and nothing created by mistake."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from e2e.conftest import run_redchain

from graph.factory import open_store
from graph.records import Node
from graph.schema import Label

MISSING_HINT = "（store file does not exist）；先用 redchain demo 或 redchain load 导入数据"

# Every command that needs data that is already there.
READERS = [
    ["report"],
    ["history"],
    ["gaps", "uncovered"],
    ["gaps", "orgs"],
    ["gaps", "pairing"],
    ["gaps", "contacts"],
    ["chains", "list"],
    ["chains", "structure", "C01"],
    ["plan", "contacts", "--apply"],
    ["plan", "instructors"],
    ["plan", "pairings"],
    ["plan", "joint-branches"],
    ["view", "chain", "C01"],
    ["view", "entity", "C01"],
    ["view", "gaps"],
    ["token", "create", "--role", "viewer"],
    ["token", "list"],
    ["token", "revoke", "abc"],
    ["audit"],
]


@pytest.mark.parametrize("args", READERS, ids=" ".join)
def test_a_mistyped_store_path_is_refused_not_created(cli, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)  # the view commands would write their HTML here
    missing = tmp_path / "no-such-dir" / "x.db"
    result = cli(*args, "--store", missing)
    assert result.exit_code == 1, (result.output, result.exception)
    assert result.stderr == f"错误: 找不到数据文件 {missing}{MISSING_HINT}\n"
    assert list(tmp_path.iterdir()) == []  # neither the file nor its folder, nor any output


def test_the_default_store_missing_in_a_fresh_folder(tmp_path):
    result = run_redchain("report", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == f"错误: 找不到数据文件 redchain.db{MISSING_HINT}\n"
    assert list(tmp_path.iterdir()) == []


def test_a_sqlite_uri_to_a_missing_file(cli, tmp_path):
    result = cli("chains", "list", "--store", f"sqlite:///{tmp_path}/x.db")
    assert result.exit_code == 1 and f"找不到数据文件 {tmp_path}/x.db（store file does not exist）" in result.stderr


def test_migrate_from_a_missing_store_creates_no_target(cli, tmp_path):
    target = tmp_path / "target.db"
    result = cli("migrate", "--from", tmp_path / "nope.db", "--to", target)
    assert result.exit_code == 1
    assert result.stderr == f"错误: 找不到数据文件 {tmp_path / 'nope.db'}{MISSING_HINT}\n"
    assert not target.exists()


def test_serve_refuses_a_missing_store_before_starting(tmp_path):
    result = run_redchain("serve", "--port", "9", "--store", tmp_path / "x.db", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"错误: 找不到数据文件 {tmp_path / 'x.db'}{MISSING_HINT}\n"


def test_load_demo_and_migrate_create_their_store(cli, tmp_path, hostile_csv, hostile_template):
    loaded = tmp_path / "new" / "loaded.db"
    assert cli("load", hostile_csv, "--store", loaded).exit_code == 0 and loaded.is_file()
    demo = tmp_path / "new" / "demo.db"
    assert cli("demo", "--scale", "small", "--store", demo).exit_code == 0 and demo.is_file()
    copy = tmp_path / "other" / "copy.db"
    assert cli("migrate", "--from", hostile_template, "--to", copy).exit_code == 0 and copy.is_file()


def test_the_library_still_creates_a_store_unless_told_not_to(tmp_path):
    from graph.errors import StoreMissing

    open_store(str(tmp_path / "a" / "new.db")).close()
    assert (tmp_path / "a" / "new.db").is_file()
    with pytest.raises(StoreMissing) as missing:
        open_store(str(tmp_path / "b" / "new.db"), create=False)
    assert missing.value.path == tmp_path / "b" / "new.db" and not (tmp_path / "b").exists()


# -- a damaged data file --------------------------------------------------------------------------


def page_size(path: Path) -> int:
    """The file's page size, from its header (stores are made with 16 KiB pages, older ones have 4 KiB)."""
    with open(path, "rb") as f:
        size = int.from_bytes(f.read(18)[16:18], "big")
    return 65536 if size == 1 else size


def damage(path: Path, first: int, last: int) -> None:
    """Overwrite the pages from byte ``first`` to ``last`` (rounded to pages) with garbage."""
    page = page_size(path)
    first, last = first // page * page, last // page * page
    with open(path, "r+b") as f:
        f.seek(first)
        f.write(b"\xa5" * (last - first))


def written_store(db: Path) -> int:
    """A store of a few thousand enterprises in ``db``; returns the file's size."""
    store = open_store(str(db))
    store.write([Node(Label.ENTERPRISE, f"E{i:05d}", {"name": f"企业{i}" * 5}) for i in range(3000)])
    store.save_document("tokens", "t1", {"note": "一"})
    store.close()
    assert not Path(f"{db}-wal").exists()  # checkpointed on close: the pages are all in the file
    return db.stat().st_size


@pytest.fixture
def damaged_db(tmp_path) -> Path:
    """The middle half of the file overwritten: the graph's pages are hit."""
    db = tmp_path / "damaged.db"
    size = written_store(db)
    damage(db, size // 4, 3 * size // 4)
    return db


@pytest.fixture
def wrecked_db(tmp_path) -> Path:
    """Every page but the first (the schema) overwritten: the small tables too."""
    db = tmp_path / "wrecked.db"
    size = written_store(db)
    damage(db, page_size(db), size)
    return db


def test_report_on_a_damaged_file_says_so(damaged_db):
    result = run_redchain("report", "--store", damaged_db, cwd=damaged_db.parent)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == (f"错误: 无法读取数据文件 {damaged_db}，文件可能已损坏或不是 redchain 数据文件"
                             "（cannot read the SQLite store: database disk image is malformed）\n")


@pytest.mark.parametrize("args", [["history"], ["token", "list"], ["audit"], ["report", "--save"]], ids=" ".join)
def test_other_commands_on_a_damaged_file(cli, wrecked_db, args):
    result = cli(*args, "--store", wrecked_db)
    assert result.exit_code == 1, (result.output, result.exception)
    assert result.stderr.startswith(f"错误: 无法读取数据文件 {wrecked_db}，文件可能已损坏")


def test_a_file_that_is_not_a_database(cli, tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("这不是数据库" * 1000, encoding="utf-8")
    result = cli("report", "--store", text)
    assert result.exit_code == 1
    assert result.stderr == (f"错误: 无法打开数据文件 {text}，文件可能已损坏或不是 redchain 数据文件"
                             "（cannot open the SQLite store: file is not a database）\n")


# -- output that cannot be written ----------------------------------------------------------------

on_linux = pytest.mark.skipif(not sys.platform.startswith("linux") or not os.path.isdir("/proc/self"),
                              reason="/proc is Linux's: nothing can be created in it")


@on_linux
def test_template_into_proc(tmp_path):
    result = run_redchain("template", "/proc/x.xlsx", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == "错误: 无法写入 /proc/x.xlsx: No such file or directory\n"


@on_linux
def test_view_into_proc(cli, hostile_template):
    result = cli("view", "chain", "[red]", "-o", "/proc/x.html", "--store", hostile_template)
    assert result.exit_code == 1
    assert result.stderr == "错误: 无法写入 /proc/x.html: No such file or directory\n"


@on_linux
def test_demo_into_proc_writes_no_store(cli, tmp_path):
    result = cli("demo", "--scale", "small", "--out", "/proc/demo", "--store", tmp_path / "demo.db")
    assert result.exit_code == 1
    assert result.stderr == "错误: 无法写入 /proc/demo: No such file or directory\n"
    assert not (tmp_path / "demo.db").exists()


def test_output_below_a_file(cli, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = cli("template", blocker / "x.xlsx")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"错误: 无法写入 {blocker}") and "Traceback" not in result.output


# -- a chain that does not exist -------------------------------------------------------------------


def test_history_of_an_unknown_chain(cli, hostile_template):
    result = cli("history", "--chain", "NOPE", "--store", hostile_template)
    assert result.exit_code == 1
    assert result.stderr.startswith("错误: 找不到产业链 NOPE；现有产业链：C03 [/x]新能源汽车零部件[bold]:smile:、")


def test_demo_into_a_store_with_data_refuses_unless_told_to_replace(tmp_path):
    from typer.testing import CliRunner

    from api.cli.main import app
    from graph.factory import open_store

    db = tmp_path / "x.db"
    env = {"COLUMNS": "400", "REDCHAIN_STORE": None}
    assert CliRunner().invoke(app, ["demo", "--scale", "small", "--store", str(db)], env=env).exit_code == 0
    refused = CliRunner().invoke(app, ["demo", "--scale", "small", "--seed", "7", "--store", str(db)], env=env)
    assert refused.exit_code == 1
    assert "演示数据会与它们混在一起。加 --replace 先清空图谱数据（令牌、审计日志保留），或用 --store 指定一个新文件" in refused.stderr
    replaced = CliRunner().invoke(app, ["demo", "--scale", "small", "--seed", "7", "--replace", "--store", str(db)], env=env)
    assert replaced.exit_code == 0, replaced.output
    store = open_store(str(db))
    try:
        assert len([n for n in store.read().nodes if n.label.value == "Enterprise"]) == 60
    finally:
        store.close()
