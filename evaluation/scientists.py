"""Expertise from lists and bios on twitter-scientists (Ke, Ahn & Sugimoto 2017).

Each of 45,867 scientists carries a profession taken from the bio and the professions named by the
Twitter Lists that include them ("astronomer:2,physicist:1"). The dataset keeps only those extracted
words, so each becomes, for Stature, a bio text and one list per count whose name is the profession
(owned by a different curator each). The question: does the top topic of :func:`expertise` agree with
the profession the lists name most, mapped to the built-in taxonomy by the hand-written table
``GOLD`` below (written from the profession names, before any run)?

Three views, beside a majority-topic baseline:
- bio only -> the lists' profession (independent evidence). A bio alone never makes a topic an account
  is known for: what it gives is a *self-described* topic, and only where the bio names the topic with
  two or more distinct terms; the row counts the top self-described topic (and checks that no account is
  known for anything from its bio alone);
- half the list memberships -> the profession named most by the other half (accounts on 2+ lists);
- bio and all lists (what `stature topics` would show; partly circular, as the target comes from the
  same lists).

    .venv/bin/python evaluation/scientists.py
"""
from __future__ import annotations

import json
import random
import sys
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stature.topics import builtin  # noqa: E402
from stature.topics.classify import KeywordClassifier  # noqa: E402
from stature.topics.expertise import expertise  # noqa: E402
from stature.topics.store import bio_topics  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets" / "twitter-scientists" / "twitter_scientists.json.zip"

GOLD = {
    "psychologist": "psychology", "clinical psychologist": "clinical-psychology",
    "social psychologist": "social-psychology", "school psychologist": "psychology",
    "child psychologist": "psychology", "sports psychologist": "psychology", "sport psychologist": "psychology",
    "forensic psychologist": "psychology", "historian": "history", "genealogist": "genealogy",
    "archaeologist": "archaeology", "archeologist": "archaeology", "physicist": "physics",
    "nutritionist": "nutrition-diet", "food scientist": "nutrition-diet", "economist": "economics",
    "meteorologist": "weather-meteorology", "climatologist": "climate-science",
    "atmospheric scientist": "weather-meteorology", "sociologist": "sociology", "astronomer": "astronomy-space",
    "astrophysicist": "astrophysics-cosmology", "space scientist": "astronomy-space",
    "astrobiologist": "astronomy-space", "political scientist": "political-science",
    "anthropologist": "anthropology", "biologist": "biology", "evolutionary biologist": "ecology-evolution",
    "ecologist": "ecology-evolution", "life scientist": "biology", "marine biologist": "oceanography-marine-science",
    "zoologist": "zoology-wildlife", "mammalogist": "zoology-wildlife", "ornithologist": "ornithology-birding",
    "entomologist": "entomology", "botanist": "botany-plants", "paleobotanist": "paleontology",
    "mycologist": "botany-plants", "horticulturist": "agriculture-farming", "neuroscientist": "neuroscience",
    "linguist": "linguistics", "statistician": "statistics", "biostatistician": "statistics",
    "actuarie": "insurance", "geographer": "geography", "geologist": "earth-sciences",
    "geoscientist": "earth-sciences", "earth scientist": "earth-sciences", "geochemist": "earth-sciences",
    "volcanologist": "volcanoes-earthquakes", "glaciologist": "climate-science",
    "oceanographer": "oceanography-marine-science", "paleontologist": "paleontology",
    "epidemiologist": "medical-research", "pathologist": "medical-research", "immunologist": "medical-research",
    "medical scientist": "medical-research", "virologist": "microbiology-virology",
    "microbiologist": "microbiology-virology", "biochemist": "biochemistry-molecular-biology",
    "molecular biologist": "biochemistry-molecular-biology", "bioinformatician": "biochemistry-molecular-biology",
    "biotechnologist": "biochemistry-molecular-biology", "geneticist": "genetics", "chemist": "chemistry",
    "crystallographer": "chemistry", "mathematician": "mathematics", "social scientist": "social-sciences",
    "demographer": "demography", "criminologist": "criminology", "computer scientist": "technology",
    "information scientist": "data-science", "environmental scientist": "climate-environment",
}


def read():
    with zipfile.ZipFile(DATA) as z:
        name = next(n for n in z.namelist() if n.endswith(".json") and not n.startswith("__MACOSX"))
        for line in z.read(name).decode("utf-8").splitlines():
            if line.strip():
                yield json.loads(line)


def parse_lists(field: str | None) -> list[str]:
    """``"astronomer:2,physicist:1"`` -> ``["astronomer", "astronomer", "physicist"]``."""
    out = []
    for part in (field or "").split(","):
        if ":" in part:
            prof, count = part.rsplit(":", 1)
            out.extend([prof.strip()] * int(count))
    return out


def target(professions: list[str]) -> str:
    counts = Counter(professions)
    return GOLD[sorted(counts, key=lambda p: (-counts[p], p))[0]]


def top_topics(people, use_bio: bool, lists_of) -> dict[str, str | None]:
    """Top expertise topic per handle from the bio and/or the given list memberships."""
    keyword = KeywordClassifier(builtin())
    names = sorted({p for person in people for p in lists_of(person)} | {"x"})
    list_topics = dict(zip(names, keyword.classify([n + "s" for n in names])))
    bios = [p for p in people if use_bio and p[3]]
    stated = {}
    found_bios = [stated.setdefault(p[3], bio_topics(keyword, p[3])) for p in bios]
    lists, bio_rows = [], []
    for person in people:
        for i, prof in enumerate(lists_of(person)):
            for topic, score in list_topics[prof]:
                lists.append(("twitter", person[0], f"{person[0]}/{i}", prof + "s", f"curator-{person[0]}-{i}",
                              topic, score))
    for person, topics in zip(bios, found_bios):
        bio_rows.extend(("twitter", person[0], t, s, n) for t, s, n in topics)
    best: dict[str, tuple[float, str]] = {}
    known = 0
    for e in expertise([], (), lists, bio_rows, self_described=True):
        known += e.known
        if (e.known or not lists) and (e.account_id not in best or e.confidence > best[e.account_id][0]):
            best[e.account_id] = (e.confidence, e.topic)
    if not lists:
        assert known == 0, "a bio alone made a known-for topic"
    return {p[0]: best.get(p[0], (0, None))[1] for p in people}


def report(title, people, gold, predicted, majority):
    n = len(people)
    hit = sum(predicted[p[0]] == gold[p[0]] for p in people)
    tax = builtin()
    family = sum(predicted[p[0]] is not None and (predicted[p[0]] == gold[p[0]]
                 or predicted[p[0]] in tax.ancestors(gold[p[0]]) or gold[p[0]] in tax.ancestors(predicted[p[0]]))
                 for p in people)
    base = sum(gold[p[0]] == majority for p in people)
    none = sum(predicted[p[0]] is None for p in people)
    print(f"| {title} | {n:,} | {hit / n:.3f} | {family / n:.3f} | {base / n:.3f} | {none / n:.3f} |")


def main():
    people = [r for r in read() if r[4]]
    gold = {p[0]: target(parse_lists(p[4])) for p in people}
    counts = Counter(gold.values())
    majority = counts.most_common(1)[0][0]
    print(f"{len(people):,} scientists on lists; majority topic {majority} "
          f"({counts[majority] / len(people):.1%}).\n")
    print("| evidence -> lists' profession | accounts | top topic agrees | same branch | majority baseline "
          "| no topic |")
    print("|---|---|---|---|---|---|")
    predicted = top_topics(people, True, lambda p: [])
    report("bio only (top self-described topic)", people, gold, predicted, majority)
    with_bio = [p for p in people if p[3]]
    report("bio only (top self-described topic), accounts with a bio", with_bio, gold, predicted, majority)
    raw = sum(GOLD.get(p[3]) == gold[p[0]] for p in with_bio) / len(with_bio)
    print(f"| (bio profession word mapped by the GOLD table itself, accounts with a bio) | {len(with_bio):,} "
          f"| {raw:.3f} | | | |")
    rng = random.Random(0)
    halves = {}
    for p in people:
        memberships = parse_lists(p[4])
        if len(memberships) >= 2:
            rng.shuffle(memberships)
            halves[p[0]] = (memberships[::2], memberships[1::2])
    split = [p for p in people if p[0] in halves]
    split_gold = {h: target(b) for h, (a, b) in halves.items()}
    predicted = top_topics(split, False, lambda p: halves[p[0]][0])
    report("half the lists -> the other half", split, split_gold, predicted, majority)
    predicted = top_topics(split, True, lambda p: halves[p[0]][0])
    report("bio + half the lists -> the other half", split, split_gold, predicted, majority)
    predicted = top_topics(people, True, lambda p: parse_lists(p[4]))
    report("bio + all lists (partly circular)", people, gold, predicted, majority)


if __name__ == "__main__":
    main()
