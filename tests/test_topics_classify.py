"""Post -> topics: text, hashtags, mentions and links; several languages; the --input CLI."""
from __future__ import annotations

import json

import pytest

from stature.topics import builtin, load_csv
from stature.topics.classify import KeywordClassifier, make_classifier
from stature.topics.features import extract, split_camel


@pytest.fixture(scope="module")
def keyword():
    return KeywordClassifier(builtin())


def names(clf, post):
    return [clf.taxonomy[t].name for t, _ in clf.classify([post])[0]]


@pytest.mark.parametrize("text, topic", [
    ("Fine-tuning a transformer on our dataset with PyTorch", "Machine Learning"),
    ("El Real Madrid ganó el partido con un golazo en el último minuto", "Football (Soccer)"),
    ("Η κυβέρνηση ανακοίνωσε πρόωρες εκλογές", "Politics"),
    ("今日は新しいレシピでケーキを焼いた", "Cooking & Recipes"),
    ("ポケモンの新作ゲームを買った", "Video Games"),
    ("Nueva receta de tortilla de patatas para la cena", "Cooking & Recipes"),
])
def test_posts_in_several_languages_get_their_topic(keyword, text, topic):
    assert topic in names(keyword, text)


def test_camelcase_hashtags_mentions_and_link_domains_count(keyword):
    assert split_camel("MachineLearning") == ["machine", "learning"]
    assert "Machine Learning" in names(keyword, extract("so good", hashtags=["MachineLearning"]))
    assert "Machine Learning" in names(keyword, "so good #machinelearning")
    assert "Software Development" in names(keyword, "look at this https://github.com/duckdb/duckdb")
    assert "Astronomy & Space" in names(keyword, extract("wow", mention_names=["NASA"]))
    assert names(keyword, "wow, ok") == []


def test_scores_are_confidences_and_ancestors_follow(keyword):
    topics = dict(keyword.classify(["Deep learning and neural networks for computer vision"])[0])
    assert all(0 < s <= 1 for s in topics.values())
    assert topics["computer-vision"] >= keyword.threshold
    assert "artificial-intelligence" in topics


def test_more_hashtags_of_a_topic_add_nothing(keyword):
    one = keyword.scores(extract("Tonight's sky", hashtags=["Astronomy"]))
    many = keyword.scores(extract("Tonight's sky", hashtags=["Astronomy", "Telescope", "Galaxy", "Nebula", "JWST",
                                                           "Hubble", "Planets", "Cosmos", "Stargazing"]))
    assert many["astronomy-space"] <= one["astronomy-space"] + 0.25
    # stuffing tags of unrelated topics dilutes each of them
    mixed = keyword.scores(extract("Tonight's sky", hashtags=["Astronomy", "Football", "Cooking", "Bitcoin", "Yoga",
                                                            "Fashion", "Poetry", "Jazz", "Tennis"]))
    assert mixed["astronomy-space"] < one["astronomy-space"]


def test_user_taxonomy_is_bridged_to_other_languages(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("topic,parent,description\nFootball,,\"Football matches, clubs and players\"\n"
                    "Cooking,,Cooking at home and recipes\n")
    clf = KeywordClassifier(load_csv(path))
    assert names(clf, "サッカーの試合を見に行った") == ["Football"]
    assert names(clf, "Hoy preparé una receta de mi abuela") == ["Cooking"]
    assert names(KeywordClassifier(load_csv(path), bridge=False), "サッカーの試合を見に行った") == []


def test_examples_model_learns_a_user_taxonomy(tmp_path):
    tax = load_csv(_write(tmp_path / "t.csv", "topic\nBirds\nTrains\n"))
    examples = [("Spotted a robin and a wren at the feeder", ["birds"]),
                ("The heron stood still by the river", ["birds"]),
                ("Owls hunting at dusk over the field", ["birds"]),
                ("The 8:15 express was late again at the station", ["trains"]),
                ("Steam locomotive on the heritage railway today", ["trains"]),
                ("New rail timetable starts on Monday", ["trains"])] * 3
    for model in ("auto", "examples", "static"):
        clf = make_classifier(tax.with_examples(examples), model)
        assert clf.name == ("static" if model == "auto" else model)
        assert [t for t, _ in clf.classify(["A heron and two owls by the river"])[0]][0] == "birds"
        assert [t for t, _ in clf.classify(["The railway station timetable"])[0]][0] == "trains"


def test_static_embeddings_ship_in_the_package_and_place_like_texts_together():
    from stature.topics.static import embedder
    e = embedder()
    v = e.embed(["The football match ended in a draw", "A great soccer game tonight", "Baking sourdough bread"])
    assert v.shape == (3, e.dims) and abs(float(v[0] @ v[0]) - 1) < 1e-5
    assert v[0] @ v[1] > v[0] @ v[2]
    assert e.embed([""])[0].tolist() == [0.0] * e.dims  # nothing known: a zero vector, no error


def test_character_ngrams_stay_within_words():
    from stature.topics.grams import CharGrams, ngrams
    rows, _ = ngrams(["Hola mundo", "a"])
    # " hola ": 4 + 5 + 4 + 3 n-grams of 1-4 characters, " mundo ": 5 + 6 + 5 + 4, " a ": 1 + 2 + 1
    assert (rows == 0).sum() == 36 and (rows == 1).sum() == 4
    grams = CharGrams.fit(["hola mundo", "hola amigo", "mundo"])
    m = grams.transform(["hola", "zzz"])
    assert m.shape == (2, len(grams)) and abs(m[0].multiply(m[0]).sum() - 1) < 1e-9 and m[1].nnz == 0


def test_per_topic_thresholds_give_each_topic_its_best_f1_and_every_post_a_topic():
    import numpy as np

    from stature.topics.linear import LinearModel, per_topic_thresholds

    proba = np.array([[0.9, 0.08], [0.6, 0.3], [0.2, 0.12], [0.1, 0.02]])
    y = np.array([[1, 0], [1, 1], [0, 1], [0, 0]], dtype=bool)
    thresholds = per_topic_thresholds(proba, y)
    assert thresholds[0] > 0.2 and thresholds[0] <= 0.6  # separates 0.6 from 0.2
    assert 0.08 < thresholds[1] <= 0.12                   # takes 0.3 and 0.12, not 0.08
    chosen = LinearModel(np.zeros((1, 2)), np.zeros(2), thresholds).assign(proba)
    assert chosen[:3].tolist() == y[:3].tolist()
    assert chosen[3].tolist() == [True, False]            # none passes: the most probable topic


def test_good_morning_with_a_conference_tag_is_daily_life_not_insects():
    clf = KeywordClassifier(builtin())
    for text in ("Good morning #LeadDevBerlin", "Good morning! Been to the antique market with my mother",
                 "Anything on the agenda for the general meeting?"):
        found = [builtin()[t].name for t, _ in clf.classify([text])[0]]
        assert "Entomology" not in found and "Genetics" not in found, (text, found)
    assert names(clf, "Good morning #LeadDevBerlin")[0] == "Daily Life"


def test_classify_input_writes_one_json_line_per_post(tmp_path, cli):
    posts = tmp_path / "posts.jsonl"
    posts.write_text('{"id": 1, "text": "Training a neural network on GPUs"}\n'
                     '{"id": "b", "text": "El partido de fútbol terminó 2-1", "hashtags": ["LaLiga"]}\n'
                     '{"id": 3, "text": "ok"}\n')
    result = cli("classify", "--input", posts, "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.output.splitlines()]
    assert [x["id"] for x in lines] == [1, "b", 3]
    assert "Machine Learning" in [t["topic"] for t in lines[0]["topics"]]
    assert "Football (Soccer)" in [t["topic"] for t in lines[1]["topics"]]
    assert lines[2]["topics"] == []
    assert all(0 < t["score"] <= 1 for x in lines for t in x["topics"])
    assert not cli.path.exists()  # no workspace needed


def test_classify_input_with_a_bad_line_names_it(tmp_path, cli):
    posts = tmp_path / "posts.jsonl"
    posts.write_text('{"id": 1, "text": "fine"}\n{"id": 2}\n')
    result = cli("classify", "--input", posts, "--json")
    assert result.exit_code == 1
    assert "line 2" in result.output and "posts.jsonl" in result.output


def _write(path, text):
    path.write_text(text)
    return path
