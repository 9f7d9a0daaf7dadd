"""Topic commands: classify, topics, experts."""
from __future__ import annotations

import json

import click

from .main import echo_json, main, progress

MODELS = click.Choice(["auto", "keyword", "examples", "static", "minilm"])


@main.command()
@click.option("--taxonomy", "taxonomy_path", type=click.Path(), metavar="FILE",
              help="A CSV `topic,parent,description` or a Klout ontology folder (default: the built-in taxonomy).")
@click.option("--examples", "examples_path", type=click.Path(), metavar="FILE",
              help='Labelled example posts, JSON lines {"text": ..., "topics": [...]}, to learn the taxonomy from.')
@click.option("--input", "input_path", type=click.Path(), metavar="POSTS.jsonl",
              help='Classify these posts ({"id": ..., "text": ...} per line) instead of the workspace\'s.')
@click.option("--model", type=MODELS, default="auto", show_default=True,
              help="auto: static (embeddings, n-grams and keywords learned from --examples) when examples are "
                   "given, else keyword; examples: keyword features only; minilm needs the `topics` extra.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with --input: one line per post).")
@click.pass_obj
def classify(options, taxonomy_path, examples_path, input_path, model, as_json):
    """Assign topics to posts: the workspace's, or those of --input, each with a score in [0, 1].

    On the workspace, this also computes what each account is known for (`stature topics`). Only public
    posts are classified, each once per taxonomy and model: a re-run classifies only new or changed
    posts; a different taxonomy or model classifies them all again.
    """
    from ..topics import load
    from ..topics.classify import classify_jsonl, make_classifier
    from ..topics.store import classify_workspace

    taxonomy = load(taxonomy_path, examples_path)
    if input_path:
        classifier = make_classifier(taxonomy, model)
        with progress(options, "Classifying", "posts") as update:
            for result in classify_jsonl(input_path, classifier, progress=update):
                if as_json:
                    click.echo(json.dumps(result, ensure_ascii=False))
                else:
                    topics = ", ".join(f"{t['topic']} ({t['score']:.2f})" for t in result["topics"]) or "-"
                    click.echo(f"{result['id']}\t{topics}")
        return
    with options.open() as ws, progress(options, "Classifying", "posts") as update:
        report = classify_workspace(ws, taxonomy, model=model, progress=update)
    if as_json:
        echo_json(report)
        return
    if report["reclassified"]:
        click.echo(f"Re-classifying every post: {report['reclassified']}.")
    click.echo(f"Classified {report['classified']:,} new or changed posts of {report['posts']:,} with "
               f"{report['taxonomy']} ({report['model']} model; {report['already_classified']:,} already were): "
               f"{report['posts_with_topics']:,} have topics ({report['post_topics']:,} assignments); "
               f"{report['accounts']:,} accounts are known for {report['account_topics']:,} topics in all.")


@main.command()
@click.argument("handle")
@click.option("--limit", default=10, show_default=True, help="Most topics to show.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON, with all the evidence.")
@click.pass_obj
def topics(options, handle, limit, as_json):
    """What HANDLE ([NETWORK:]handle or id) is credibly known for, with the evidence."""
    from ..topics.store import account_topics

    with options.open(read_only=True) as ws:
        result = account_topics(ws, handle, limit=limit)
    if as_json:
        echo_json(result)
        return
    who = f"@{result['handle']}" if result["handle"] else result["account_id"]
    said = ", ".join(t["topic"] for t in result.get("self_described", []))
    if not result["topics"]:
        click.echo(f"{who} ({result['network']}) is not credibly known for any topic yet."
                   + (f" Self-described (bio only): {said}." if said else ""))
        return
    click.echo(f"{who} ({result['network']}) is known for:")
    for t in result["topics"]:
        click.echo(f"  {t['topic']:<32} {t['level']:<9} {t['confidence']:.2f}  {_summary(t)}")
        for post in t["evidence"].get("top_posts", [])[:2]:
            click.echo(f"      post {post['post_id']}: {_short(post['text'])}")
    if said:
        click.echo(f"  Self-described (bio only, not counted): {said}")


@main.command()
@click.argument("topic")
@click.option("--limit", default=20, show_default=True, help="Most accounts to show.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON, with all the evidence.")
@click.pass_obj
def experts(options, topic, limit, as_json):
    """The accounts most credibly known for TOPIC, ranked, with their evidence."""
    from ..topics.store import experts as find_experts

    with options.open(read_only=True) as ws:
        result = find_experts(ws, topic, limit=limit)
    if as_json:
        echo_json(result)
        return
    if not result["experts"]:
        click.echo(f"Nobody in this workspace is credibly known for {result['topic']} yet.")
        return
    click.echo(f"Credible voices on {result['topic']}:")
    for e in result["experts"]:
        who = f"@{e['handle']}" if e["handle"] else f"{e['network']}:{e['account_id']}"
        click.echo(f"  {e['rank']:>3}. {who:<28} {e['level']:<9} {e['confidence']:.2f}  {_summary(e)}")


def _summary(t) -> str:
    parts = []
    if t["posts"]:
        parts.append(f"{t['posts']} posts over {t['weeks']} weeks")
    if t["reactors"]:
        credible = sum(1 for r in t["evidence"].get("reactors", []) if r.get("credible"))
        parts.append(f"reactions from {t['reactors']} accounts" + (f" ({credible} credible)" if credible else ""))
    if t["lists"]:
        names = ", ".join(t["evidence"].get("lists", [])[:3])
        parts.append(f"on {t['lists']} lists ({names})")
    if t["bio"]:
        parts.append("stated in the bio")
    return "; ".join(parts)


def _short(text: str, width: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"
