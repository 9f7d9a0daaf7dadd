"""The goal file: the documented examples load; every mistake names the file and the key."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from stature import StatureError
from stature.goals import GoalFileError, load_goal

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "goal.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "examples").glob("goal-*.toml")))
def test_the_example_goal_files_load(name):
    goal = load_goal(ROOT / "examples" / name)
    assert goal.name and goal.purpose and goal.topics
    assert not goal.audience.is_empty()
    assert set(goal.outcomes) == {"replies", "reposts", "mentions", "new_followers", "topic_reactions", "link_clicks"}


def test_a_minimal_goal_gets_defaults(tmp_path):
    goal = load_goal(write(tmp_path, 'name = "Be known for sourdough"\ntopics = ["Cooking & Recipes"]\n'))
    assert goal.topics == ("Cooking & Recipes",) and goal.audience.is_empty()
    assert goal.window.days == 180 and goal.window.start is None
    assert goal.outcomes["new_followers"] == 2.0


def test_window_dates_and_a_list_of_outcomes(tmp_path):
    goal = load_goal(write(tmp_path, """name = "x"
topics = ["Science"]
outcomes = ["replies", "mentions"]
[window]
start = 2024-01-01
end = "2024-03-31"
"""))
    assert goal.window.start == datetime(2024, 1, 1) and goal.window.end.date().isoformat() == "2024-03-31"
    assert goal.outcomes["replies"] == 1.0 and goal.outcomes["reposts"] == 0.0


@pytest.mark.parametrize("text, key, words", [
    ('topics = ["Science"]\n', "name", "missing"),
    ('name = "x"\n', "topics", "audience"),
    ('name = "x"\ntopics = "Science"\n', "topics", "list of strings"),
    ('name = "x"\ntopic = ["Science"]\n', "topic", "Did you mean `topics`"),
    ('name = "x"\ntopics = ["Science"]\n[audience]\nbio_keyword = ["a"]\n', "audience.bio_keyword",
     "audience.bio_keywords"),
    ('name = "x"\ntopics = ["Science"]\n[audience]\ntopic_experts = "yes"\n', "audience.topic_experts", "true or false"),
    ('name = "x"\ntopics = ["Science"]\n[outcomes]\nreplies = -1\n', "outcomes.replies", "weight from 0"),
    ('name = "x"\ntopics = ["Science"]\n[outcomes]\nreplies = 0\n', "outcomes", "nothing would count"),
    ('name = "x"\ntopics = ["Science"]\noutcomes = ["clicks"]\n', "outcomes", "link_clicks"),
    ('name = "x"\ntopics = ["Science"]\n[window]\nstart = 2024-05-01\nend = 2024-01-01\n', "window.end", "not after"),
    ('name = "x"\ntopics = ["Science"]\n[window]\ndays = 0\n', "window.days", "above 0"),
    ('name = "x"\ntopics = ["Science"]\n[window]\nstart = "soon"\n', "window.start", "not a date"),
    ('name = "x"\ntopics = ["Science"]\naudience = ["a"]\n', "audience", "must be a table"),
])
def test_a_bad_goal_file_names_the_file_and_the_key(tmp_path, text, key, words):
    path = write(tmp_path, text)
    with pytest.raises(GoalFileError) as caught:
        load_goal(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {key}: ") and words in message
    assert caught.value.key == key


def test_invalid_toml_and_missing_files_are_clear_errors(tmp_path):
    with pytest.raises(GoalFileError, match=r"goal.toml: is not valid TOML .*line 1"):
        load_goal(write(tmp_path, "name = \n"))
    with pytest.raises(StatureError, match="There is no goal file"):
        load_goal(tmp_path / "missing.toml")
    (tmp_path / "binary.toml").write_bytes(b"name = \"\xff\"")
    with pytest.raises(GoalFileError, match="not UTF-8"):
        load_goal(tmp_path / "binary.toml")
