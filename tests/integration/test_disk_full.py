"""A full disk: an import fails with a clear message and writes nothing (nor its audit
entry); a server holding the store open goes on reading; once there is room again, the
same import goes in. The store lives
on a small tmpfs mounted for the test (skipped where mounting is not allowed)."""

from __future__ import annotations

import json
import subprocess

import pytest
from typer.testing import CliRunner

from api.cli.main import app
from fixtures_import import SAMPLE, write_csv
from graph.factory import open_store
from loaders.importer import import_paths
from loaders.uscc import make_uscc


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def redchain(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "300", "REDCHAIN_STORE": None})


def test_an_import_on_a_full_disk_writes_nothing_and_says_so(small_disk, tmp_path):
    db = small_disk / "redchain.db"
    store = open_store(str(db))
    import_paths(store, write_csv(tmp_path / "sample", SAMPLE))
    store.close()
    before = json.loads(redchain("report", "--json", "--store", db).stdout)
    audit_before = json.loads(redchain("audit", "--json", "--store", db).stdout)
    serving = open_store(str(db))  # as a running server holds it
    graph_before = serving.read()
    filler = small_disk / "filler"
    with filler.open("wb", buffering=0) as out:  # fill the disk to its last block
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError:
            pass
    rows = [["统一社会信用代码", "名称", "简介"]] + [[make_uscc(f"91430100DF{i:07d}"), f"企业{i}", "说明" * 200] for i in range(3000)]
    big = write_csv(tmp_path / "big", {"企业": rows})
    refused = redchain("load", *big, "--store", db)
    assert refused.exit_code == 1, refused.output
    message = " ".join(refused.output.split())
    # where it fails (opening the journal, or writing) depends on what was on the disk
    assert any(f"无法{doing}数据文件 {db}：磁盘已满或无法写入，本次没有写入任何数据；腾出空间后重试" in message
               for doing in ("写入", "打开")), message
    assert "Traceback" not in refused.output
    assert serving.read() == graph_before  # the server's reads go on, and nothing changed
    filler.unlink()
    serving.close()
    assert json.loads(redchain("report", "--json", "--store", db).stdout) == before
    assert json.loads(redchain("audit", "--json", "--store", db).stdout) == audit_before  # no entry for a write that failed
    assert redchain("load", *big, "--store", db).exit_code == 0
    assert json.loads(redchain("report", "--json", "--store", db).stdout)["totals"]["base"] > before["totals"]["base"]
