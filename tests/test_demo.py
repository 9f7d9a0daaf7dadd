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
