"""The topic commands on a generated community: classify the workspace, then topics and experts."""
from __future__ import annotations

import json

import pytest


@pytest.mark.slow
def test_classify_topics_and_experts_on_a_generated_community(tmp_path, cli):
    from stature.generate import generate

    out = tmp_path / "community"
    generate(out, accounts=200)
    assert cli("-q", "ingest", out).exit_code == 0
    result = cli("-q", "classify")
    assert result.exit_code == 0, result.output
    assert "accounts are known for" in result.output
    truth = json.loads((out / "ground_truth.json").read_text())
    football = [a["handle"] for a in truth["accounts"] if "football" in a["interests"]]
    ranked = json.loads(cli("experts", "Football (Soccer)", "--limit", "10", "--json").output)["experts"]
    assert ranked and sum(e["handle"] in football for e in ranked) >= 0.7 * len(ranked)
    shown = cli("topics", ranked[0]["handle"])
    assert shown.exit_code == 0 and "Football (Soccer)" in shown.output
    assert cli("experts", "No such topic").exit_code == 1


def test_topics_before_classify_says_what_to_run(cli):
    cli("-q", "status")
    result = cli("topics", "someone")
    assert result.exit_code == 1
