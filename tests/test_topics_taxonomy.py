"""Taxonomies: the built-in one, a user's CSV and examples, the Klout Topic Ontology."""
from __future__ import annotations

import pytest

from conftest import dataset
from stature.errors import ImportFormatError, StatureError
from stature.topics import builtin, load, load_csv, load_examples, load_klout


def test_builtin_taxonomy_is_a_hierarchy_of_a_few_hundred_topics_with_keywords():
    tax = builtin()
    assert 200 <= len(tax) <= 1000
    assert {"technology", "science", "sports", "music", "food-drink", "lifestyle"} <= set(tax.roots())
    assert tax.ancestors("machine-learning") == ["artificial-intelligence", "technology"]
    assert all(t.description and t.keywords for t in tax)
    assert tax.find("football (soccer)").id == "football-soccer"


def test_user_csv_needs_only_topic_names(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("topic,parent,description\nCooking,,Recipes and kitchens\nBaking,Cooking,\nBirds,,\n")
    tax = load_csv(path)
    assert [t.name for t in tax] == ["Cooking", "Baking", "Birds"]
    assert tax.find("baking").parent == "cooking"
    assert tax.find("Cooking").description == "Recipes and kitchens"


@pytest.mark.parametrize("content, message", [
    ("name,parent\nA,\n", "no `topic` column"),
    ("topic,parent\nA,Nowhere\n", "the parent 'Nowhere'"),
    ("topic,parent\nA,B\nB,A\n", "loop"),
    ("topic\nA\nA\n", "listed twice"),
    ("topic,parent\n,A\n", "line 2"),
    ("", "empty"),
])
def test_bad_taxonomy_csv_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(ImportFormatError, match=message) as info:
        load_csv(path)
    assert str(path) in str(info.value)


def test_examples_attach_to_the_taxonomy_and_unknown_topics_are_named(tmp_path):
    tax_path = tmp_path / "t.csv"
    tax_path.write_text("topic\nCooking\nBirds\n")
    good = tmp_path / "ex.jsonl"
    good.write_text('{"text": "a robin", "topics": ["Birds"]}\n\n{"text": "soup", "topics": ["cooking"]}\n')
    tax = load(tax_path, good)
    assert tax.examples == [("a robin", ["birds"]), ("soup", ["cooking"])]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a robin", "topics": ["Birds"]}\n{"text": "x", "topics": ["Fish"]}\n')
    with pytest.raises(ImportFormatError, match=r"line 2.*'Fish'"):
        load_examples(bad, tax)
    bad.write_text('{"text": 5}\n')
    with pytest.raises(ImportFormatError, match="line 1"):
        load_examples(bad, tax)


def test_missing_taxonomy_file_is_a_clear_error(tmp_path):
    with pytest.raises(StatureError, match="no file"):
        load(tmp_path / "absent.csv")


def test_klout_topic_ontology_loads_with_its_hierarchy_and_translations():
    folder = dataset("klout-opendata/klout_topic_ontology")
    tax = load_klout(folder)
    assert len(tax) >= 8033
    ml = tax.find("Machine Learning")
    assert "artificial-intelligence" in ml.parents
    assert "Aprendizaje automático" in ml.keywords
    assert "technology-super" in tax.ancestors(ml.id)
    assert len(tax.roots()) == 16
    assert load(folder).source == tax.source
