"""The Spark engine gives what the DuckDB engine gives: every account's components and score, on real PySpark.

The parity tests share one local Spark (a session-scoped fixture), so the JVM starts once.
"""
import json
import os
import socket
import subprocess
import sys
import tarfile
import textwrap
import time

import pytest

from conftest import ROOT, dataset
from stature import Workspace, ingest
from stature.analytics import score, top
from stature.analytics.engine import open_engine
from stature.analytics.spark_session import Spark, SparkError, check_master
from stature.errors import StatureError
from stature.generate import generate


def _need_pyspark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        message = "PySpark is missing: pip install -e '.[spark]'."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def spark():
    _need_pyspark()
    with Spark("local[2]", config={"spark.driver.memory": "1g"}) as session:  # small data: a small heap
        yield session


def by_node(rows):
    return {r["node_id"]: r for r in rows}


def assert_same_scores(duckdb_rows, spark_rows):
    """Every account's score, range, data level and components agree; authority within 1e-6."""
    expected, got = by_node(duckdb_rows), by_node(spark_rows)
    assert set(got) == set(expected)
    for node, want in expected.items():
        have = got[node]
        assert (have["score"], have["range"], have["data"]) == (want["score"], want["range"], want["data"]), node
        assert have["exact"] == pytest.approx(want["exact"], abs=1e-9), node
        for name, part in want["components"].items():
            other = have["components"][name]
            tolerance = 1e-6 if name == "authority" else 1e-9
            assert other["value"] == pytest.approx(part["value"], rel=1e-9, abs=tolerance), (node, name)
            assert other["percentile"] == pytest.approx(part["percentile"], abs=1e-12), (node, name)
            assert other["contribution"] == pytest.approx(part["contribution"], abs=1e-9), (node, name)


@pytest.mark.slow
def test_rumoureval_scores_agree_between_engines(spark, workspace, tmp_path):
    with tarfile.open(dataset("rumoureval2017/rumoureval2017.tgz")) as archive:
        members = [m for m in archive.getmembers()
                   if m.name.split("/")[:2] in (["data", "train"], ["data", "dev"], ["data", "test"])]
        archive.extractall(tmp_path, members=members, filter="data")
    ingest(workspace, [tmp_path / "data" / part for part in ("train", "dev", "test")])
    # a ten-year window: every reply and retweet of these 2014-2016 threads is in the graph
    on_duckdb = score(workspace, window_days=3650)
    expected = top(workspace, limit=0)
    on_spark = score(workspace, window_days=3650, engine=spark)
    assert (on_spark.accounts, on_spark.scored, on_spark.edges) == (on_duckdb.accounts, on_duckdb.scored,
                                                                   on_duckdb.edges)
    assert on_spark.edges > 5000 and on_spark.scored > 4000
    assert on_spark.authority_iterations == on_duckdb.authority_iterations
    assert workspace.sql("SELECT engine FROM score_runs WHERE run_id = ?", [on_spark.run_id]) == [("spark",)]
    assert_same_scores(expected, top(workspace, limit=0))


@pytest.mark.slow
def test_generated_community_scores_agree_between_engines_through_the_cli(spark, cli, tmp_path):
    generate(tmp_path / "community", accounts=1000, seed=3)
    assert cli("ingest", tmp_path / "community").exit_code == 0
    with Workspace(cli.path) as ws:  # two accounts as one person, and one that asked not to be scored
        ws.link(["twitter:1000000010", "twitter:1000000011"])
    assert cli("exclude", "twitter:1000000001").exit_code == 0
    assert cli("score").exit_code == 0
    expected = json.loads(cli("top", "--limit", "0", "--json").output)
    # the CLI's Spark finds the fixture's session running in this process and uses it
    result = cli("--engine", "spark", "--spark-master", "local[2]", "score")
    assert result.exit_code == 0, result.output
    assert "Scored 998 of 999 accounts" in result.output  # 1,000 accounts, two of them one person
    got = json.loads(cli("top", "--limit", "0", "--json").output)
    assert len(got) == 998 and "1000000001" not in {r["account_id"] for r in got}
    assert any(r["node_id"] != f"{r['network']}:{r['account_id']}" for r in got)  # the linked person
    assert sum(r["data"] == "graph" for r in got) > 900
    assert_same_scores(expected, got)
    assert spark.started  # borrowed, not stopped


@pytest.mark.slow
def test_an_engine_that_started_spark_leaves_no_jvm_and_no_files(tmp_path):
    _need_pyspark()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    script = textwrap.dedent(f"""
        import os, subprocess
        from pyspark import SparkContext
        from stature import Workspace
        from stature.analytics.engine import open_engine
        from stature.analytics.relational import Step
        with Workspace({str(tmp_path / 'w.duckdb')!r}) as ws, open_engine(ws, "spark") as engine:
            engine.run(Step("counted", "SELECT count(*) AS n FROM accounts"))
            engine.publish()
            print("COUNTED", ws.sql("SELECT n FROM counted"), flush=True)
        children = subprocess.run(["ps", "--ppid", str(os.getpid()), "-o", "comm="], capture_output=True,
                                  text=True).stdout.split()
        print("AFTER", SparkContext._gateway is None, [c for c in children if c != "ps"])
    """)
    env = {**os.environ, "TMPDIR": str(scratch), "STATURE_SPARK_MASTER": "local[1]"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "COUNTED [(0,)]" in out.stdout and "AFTER True []" in out.stdout, out.stdout
    assert not any(p.name.startswith("stature-") for p in scratch.iterdir()), list(scratch.iterdir())
    assert not (tmp_path / "spark-warehouse").exists() and not (tmp_path / "metastore_db").exists()


@pytest.mark.parametrize("master", ["local", "local[*]", "local[4]", "local[2,3]", "yarn", "k8s://https://k:443"])
def test_master_urls_that_need_no_connection_are_accepted(master):
    assert check_master(master) == master


@pytest.mark.parametrize("master, message", [
    ("foo", "is not a Spark master URL"),
    ("local[x]", "is not a Spark master URL"),
    ("spark://nohostport", "write spark://HOST:PORT"),
    ("spark://127.0.0.1:1", "Cannot reach the Spark master"),
    ("sc://127.0.0.1:1", "Cannot reach the Spark master"),
])
def test_bad_master_urls_are_clear_errors(master, message):
    with pytest.raises(SparkError, match=message):
        check_master(master)


def test_cli_names_an_unreachable_master(cli):
    assert cli("ingest", dataset("formats/x-archive")).exit_code == 0
    result = cli("--engine", "spark", "--spark-master", "spark://127.0.0.1:1", "score")
    assert result.exit_code == 1
    assert "Error: Cannot reach the Spark master spark://127.0.0.1:1" in result.output
    assert "Traceback" not in result.output


def test_no_java_is_a_clear_error(workspace, monkeypatch):
    monkeypatch.setenv("JAVA_HOME", str(ROOT / "no-such-jdk"))
    with pytest.raises(StatureError, match="needs Java 17 or newer, but JAVA_HOME .* has no bin/java"):
        score(workspace, engine=Spark("local[1]"))


def test_unknown_engine_is_a_clear_error(workspace):
    with pytest.raises(StatureError, match="Unknown engine 'pandas'"):
        with open_engine(workspace, "pandas"):
            pass


@pytest.mark.slow
def test_statistics_only_and_empty_workspaces_agree_between_engines(spark, tmp_path):
    from stature.model import Account
    from stature.workspace import Writer

    with Workspace(tmp_path / "empty.duckdb") as ws:  # nothing to score: no nodes, no edges, no rows
        assert score(ws, as_of="2024-01-01", engine=spark).scored == 0
    with Workspace(tmp_path / "stats.duckdb") as ws:  # no graph: authority is where the surfer jumps
        with ws.transaction() as con:
            writer = Writer(con, 1)
            for i in range(40):
                writer.add(Account("csv", f"s{i}", handle=f"s{i}", followers_count=7 * (i % 13) + 1,
                                   listed_count=i % 5, posts_count=100))
            writer.finish()
        on_duckdb = score(ws, as_of="2024-01-01")
        expected = top(ws, limit=0)
        on_spark = score(ws, as_of="2024-01-01", engine=spark)
        assert on_spark.authority_iterations == on_duckdb.authority_iterations and on_spark.edges == 0
        assert_same_scores(expected, top(ws, limit=0))
        assert {r["data"] for r in expected} == {"statistics"}


@pytest.fixture
def connect_server(tmp_path):
    """A Spark Connect server on a free local port (the one bundled with PySpark), stopped afterwards."""
    _need_pyspark()
    from pyspark.find_spark_home import _find_spark_home

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = open(tmp_path / "connect.log", "wb")
    server = subprocess.Popen(
        [os.path.join(_find_spark_home(), "bin", "spark-submit"), "--master", "local[1]",
         "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
         "--conf", f"spark.connect.grpc.binding.port={port}", "--conf", "spark.ui.enabled=false",
         "--conf", "spark.driver.memory=1g", "spark-internal"],
        stdout=log, stderr=log, cwd=tmp_path)
    try:
        for _ in range(600):
            if server.poll() is not None:
                pytest.fail(f"the Spark Connect server stopped: {(tmp_path / 'connect.log').read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"sc://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.mark.slow
def test_spark_connect_scores_agree_with_duckdb(connect_server, tmp_path):
    generate(tmp_path / "g", accounts=200, seed=5)
    path = tmp_path / "w.duckdb"
    with Workspace(path) as ws:
        ingest(ws, [tmp_path / "g"])
        score(ws)
        expected = top(ws, limit=0)
    # a Connect client cannot share a process with a classic Spark session (other tests keep one): run apart
    client = ("import sys\nfrom stature import Workspace\nfrom stature.analytics import Spark, score\n"
              "with Workspace(sys.argv[1]) as ws, Spark(sys.argv[2]) as remote:\n"
              "    assert remote.connect\n    run = score(ws, engine=remote)\n    print(run.scored, run.edges)\n")
    out = subprocess.run([sys.executable, "-c", client, str(path), connect_server], capture_output=True,
                         text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    scored, edges = map(int, out.stdout.split()[-2:])
    assert scored == 200 and edges > 500
    with Workspace(path) as ws:
        assert_same_scores(expected, top(ws, limit=0))
