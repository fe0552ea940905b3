"""`redchain migrate` copies a whole graph and its documents through the store port.

SQLite -> SQLite runs for real every time; SQLite -> Neo4j -> SQLite against the real
server tests/conftest.py starts (``NEO4J_URI``), skipped with the reason without one.
"""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

import api.cli.common as common
from api.cli import migrate
from graph.analysis.coverage import coverage_report
from graph.factory import open_store
from graph.neo4j_store import Neo4jStore
from graph.projection import project
from graph.records import Node
from graph.schema import Label
from loaders.demo import demo_tables, write_demo_csv
from loaders.importer import import_paths
from neo4j_server import NEO4J_URI, SERVER_SKIP, clear_server

runner = CliRunner()


def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main():  # a group, so the command is called by name as in `redchain migrate`
        pass

    migrate.register(app)
    return app


def run(*args: str):
    return runner.invoke(cli(), ["migrate", *args])


@pytest.fixture(scope="module")
def demo_csv(tmp_path_factory):
    return write_demo_csv(demo_tables("small", seed=7), tmp_path_factory.mktemp("demo"))


@pytest.fixture
def source_uri(tmp_path, demo_csv):
    uri = f"sqlite:///{tmp_path}/source.db"
    store = open_store(uri)
    import_paths(store, demo_csv)
    store.save_document("coverage_snapshots", "2026-01-01", {"rate": 0.5, "名称": "甲"})
    store.save_document("plans", "p1", {"kind": "contacts", "applied": False})
    store.close()
    return uri


def snapshot(uri: str):
    store = open_store(uri)
    try:
        data = store.read()
        documents = {c: store.documents(c) for c in migrate.document_collections()}
        return data.nodes, data.rels, documents, coverage_report(project(data), by="chain").to_dict()
    finally:
        store.close()


def test_sqlite_to_sqlite_copies_graph_and_documents(tmp_path, source_uri):
    target = f"sqlite:///{tmp_path}/target.db"
    result = run("--from", source_uri, "--to", target, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    nodes, rels, documents, coverage = snapshot(source_uri)
    assert report["added"]["Enterprise"] == sum(n.label is Label.ENTERPRISE for n in nodes)
    assert sum(report["added"].values()) == len(nodes) + len(rels) and not any(report["updated"].values())
    assert report["documents"]["coverage_snapshots"] == 1 and report["documents"]["plans"] == 1
    assert report["version"] == 1
    assert snapshot(target) == (nodes, rels, documents, coverage)


def test_a_non_empty_target_is_refused_without_force(tmp_path, source_uri):
    target = f"sqlite:///{tmp_path}/target.db"
    store = open_store(target)
    store.write([Node(Label.CHAIN, "C-only-here", {"name": "目标库自有"})])
    store.close()

    refused = run("--from", source_uri, "--to", target)
    assert refused.exit_code == 1
    assert "目标库不是空的（版本 1）" in refused.output and "--force" in refused.output
    assert len(snapshot(target)[0]) == 1  # nothing was written

    forced = run("--from", source_uri, "--to", target, "--force", "--json")
    assert forced.exit_code == 0, forced.output
    nodes = snapshot(target)[0]
    assert {n.id for n in nodes} == {n.id for n in snapshot(source_uri)[0]} | {"C-only-here"}

    again = json.loads(run("--from", source_uri, "--to", target, "--force", "--json").stdout)
    assert not any(again["added"].values()) and not any(again["updated"].values())  # idempotent: a re-run changes nothing


def test_the_same_store_is_refused(source_uri):
    result = run("--from", source_uri, "--to", source_uri.replace("sqlite:///", ""))
    assert result.exit_code == 1 and "源库和目标库是同一个库" in result.output


def test_batches_give_the_same_copy(tmp_path, source_uri):
    target = f"sqlite:///{tmp_path}/batched.db"
    result = run("--from", source_uri, "--to", target, "--batch-size", "50")
    assert result.exit_code == 0, result.output
    assert "迁移完成" in result.stdout and "目标库版本" in result.stdout
    assert "复制 " in result.stderr  # plain progress lines off a terminal
    assert snapshot(target)[:3] == snapshot(source_uri)[:3]


def test_an_unreachable_target_is_a_clear_error(source_uri):
    result = run("--from", source_uri, "--to", "bolt://127.0.0.1:9")
    assert result.exit_code == 1 and "无法连接 Neo4j bolt://127.0.0.1:9（数据库 neo4j）：连不上服务器" in result.output


# -- through Neo4j and back -----------------------------------------------------------------------


@pytest.fixture
def neo4j_uri():
    if not NEO4J_URI:
        pytest.skip(SERVER_SKIP)
    store = open_store(NEO4J_URI)
    clear_server(store)
    store.close()
    yield NEO4J_URI
    store = open_store(NEO4J_URI)
    clear_server(store)
    store.close()


def test_sqlite_to_neo4j_and_back(tmp_path, source_uri, neo4j_uri):
    there = run("--from", source_uri, "--to", neo4j_uri, "--json")
    assert there.exit_code == 0, there.output
    refused = run("--from", source_uri, "--to", neo4j_uri)
    assert refused.exit_code == 1 and "目标库不是空的" in refused.output
    back_uri = f"sqlite:///{tmp_path}/back.db"
    back = run("--from", neo4j_uri, "--to", back_uri, "--batch-size", "100", "--json")
    assert back.exit_code == 0, back.output
    assert json.loads(there.stdout)["added"] == json.loads(back.stdout)["added"]
    assert snapshot(back_uri) == snapshot(source_uri)
