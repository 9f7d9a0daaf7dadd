from pathlib import Path

from stature.cli.reference import reference

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def test_cli_reference_matches_the_commands():
    assert DOC.read_text() == reference(), "docs/cli.md is stale: python -m stature.cli.reference > docs/cli.md"
