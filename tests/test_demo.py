import json


def test_demo_generates_imports_and_scores(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the demo writes its report into the current folder
    result = cli("demo", "--accounts", 60, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    status, generated = out["status"], out["generated"]
    assert status["posts"] == generated["posts"] > 0
    assert status["interactions"]["follow"] == generated["follows"] > 0
    assert status["interactions"]["repost"] == generated["reposts"] > 0
    assert out["top"] and out["top"][0]["score"] >= out["top"][-1]["score"]


def test_demo_prints_what_the_workspace_holds(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("demo", "--accounts", 40)
    assert result.exit_code == 0, result.output
    assert "now holds" in result.output and "Most influential accounts" in result.output
    assert "replys" not in result.output


def test_demo_uses_its_own_workspace_and_says_where(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from stature.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STATURE_WORKSPACE", raising=False)
    result = CliRunner().invoke(main, ["demo", "--accounts", 30], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "stature-demo.duckdb").exists()
    assert not (tmp_path / "stature.duckdb").exists()  # a user's own workspace is never the demo's
    assert "Demo workspace: stature-demo.duckdb" in result.output
    assert "--workspace stature-demo.duckdb" in result.output  # the next commands point at it


def test_demo_into_a_named_workspace_stays_there(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("demo", "--accounts", 30)
    assert result.exit_code == 0, result.output
    assert f"Demo workspace: {cli.path}" in result.output
    assert not (tmp_path / "stature-demo.duckdb").exists()
