"""Topics in the workspace: classify its posts, compute expertise, read both back.

``classify_workspace`` replaces what a previous run stored (``topics``, ``post_topics``,
``account_topics``) in one transaction, so a workspace holds the topics of one taxonomy at a time.
"""
from __future__ import annotations

from typing import Callable

import orjson
import pyarrow as pa

from ..errors import StatureError
from ..read.topics import has_topics
from ..rules import visibility
from .classify import KeywordClassifier, make_classifier
from .expertise import TopicPost, expertise
from .features import extract
from .taxonomy import Taxonomy, builtin

Progress = Callable[[int, int, str], None]
POST_TOPICS = 10   # most topics stored per post (ancestors included)

_POSTS_SQL = """
WITH m AS (SELECT network, post_id, unnest(mentions) AS id FROM posts WHERE len(mentions) > 0),
names AS (SELECT m.network, m.post_id, list(coalesce(a.handle, a.display_name)) AS names
          FROM m JOIN accounts a ON a.network = m.network AND a.account_id = m.id
          WHERE coalesce(a.handle, a.display_name) IS NOT NULL GROUP BY ALL)
SELECT p.network, p.post_id, p.text, p.hashtags, p.links, n.names
FROM posts p LEFT JOIN names n ON n.network = p.network AND n.post_id = p.post_id
WHERE """ + visibility.where("p") + """
ORDER BY p.network, p.post_id"""


def classify_workspace(ws, taxonomy: Taxonomy | None = None, *, model: str = "auto",
                       progress: Progress | None = None, batch: int = 2000) -> dict:
    """Assign topics to every post, then compute every account's expertise; store both. Returns counts."""
    taxonomy = taxonomy or builtin()
    classifier = make_classifier(taxonomy, model)
    if hasattr(classifier, "max_topics"):
        classifier.max_topics = POST_TOPICS
    total = ws.sql(f"SELECT count(*) FROM posts WHERE {visibility.where()}")[0][0]  # private posts give no topics
    cursor = ws.con.cursor()
    cursor.execute(_POSTS_SQL)
    rows_out = {"network": [], "post_id": [], "topic_id": [], "score": []}
    done = 0
    if progress:
        progress(0, total, "posts")
    while True:
        chunk = cursor.fetchmany(batch)
        if not chunk:
            break
        feats = [extract(text, hashtags=tags or (), mention_names=names or (), links=links or ())
                 for _, _, text, tags, links, names in chunk]
        for (network, post_id, *_), topics in zip(chunk, classifier.classify(feats)):
            for topic, score in topics:
                rows_out["network"].append(network)
                rows_out["post_id"].append(post_id)
                rows_out["topic_id"].append(topic)
                rows_out["score"].append(float(score))
        done += len(chunk)
        if progress:
            progress(done, total, "posts")
    cursor.close()
    experts = _expertise(ws, taxonomy, rows_out)
    with ws.transaction() as con:
        for table in ("topics", "post_topics", "account_topics", "topic_runs"):
            con.execute(f"DELETE FROM {table}")
        con.executemany("INSERT INTO topics VALUES (?, ?, ?, ?)",
                        [[t.id, t.name, list(t.parents), t.description] for t in taxonomy])
        con.register("new_post_topics", pa.table(rows_out))
        con.execute("INSERT INTO post_topics SELECT network, post_id, topic_id, score FROM new_post_topics")
        con.unregister("new_post_topics")
        cols = {k: [] for k in ("network", "account_id", "topic_id", "confidence", "level", "posts", "weeks",
                                "reactors", "lists", "bio", "evidence")}
        for e in experts:
            for k, v in (("network", e.network), ("account_id", e.account_id), ("topic_id", e.topic),
                         ("confidence", e.confidence), ("level", e.level), ("posts", e.posts), ("weeks", e.weeks),
                         ("reactors", e.reactors), ("lists", e.lists), ("bio", e.bio),
                         ("evidence", orjson.dumps(e.evidence).decode())):
                cols[k].append(v)
        con.register("new_account_topics", pa.table(cols))
        con.execute("""INSERT INTO account_topics SELECT network, account_id, topic_id, confidence, level,
                       posts::INTEGER, weeks::INTEGER, reactors::INTEGER, lists::INTEGER, bio, evidence::JSON
                       FROM new_account_topics""")
        con.unregister("new_account_topics")
        con.execute("INSERT INTO topic_runs VALUES (?, ?, ?, now()::TIMESTAMP, ?, ?)",
                    [taxonomy.fingerprint(), taxonomy.source, classifier.name, total,
                     len({(e.network, e.account_id) for e in experts})])
    return {"posts": total, "post_topics": len(rows_out["post_id"]),
            "posts_with_topics": len(set(zip(rows_out["network"], rows_out["post_id"]))),
            "account_topics": len(experts), "accounts": len({(e.network, e.account_id) for e in experts}),
            "taxonomy": taxonomy.source, "model": classifier.name}


def _expertise(ws, taxonomy: Taxonomy, post_topics: dict) -> list:
    con = ws.con
    con.register("pt", pa.table(post_topics))
    try:
        posts = [TopicPost(n, pid, author, topic, score, created, text, int(counted or 0))
                 for n, pid, author, topic, score, created, text, counted in con.execute("""
                 SELECT p.network, p.post_id, p.author_id, pt.topic_id, pt.score, p.created_at, p.text,
                        coalesce(p.like_count, 0) + coalesce(p.repost_count, 0)
                 FROM pt JOIN posts p ON p.network = pt.network AND p.post_id = pt.post_id""").fetchall()]
        reactions = con.execute(f"""
            WITH targets AS (SELECT DISTINCT network, post_id FROM pt),
            r AS (
                SELECT network, reply_to_post_id AS post_id, author_id AS reactor, 'reply' AS kind FROM posts
                WHERE reply_to_post_id IS NOT NULL AND {visibility.interacts()}
                UNION ALL SELECT network, quote_of_post_id, author_id, 'quote' FROM posts
                WHERE quote_of_post_id IS NOT NULL AND {visibility.interacts()}
                UNION ALL SELECT network, post_id, source_id, kind FROM interactions
                WHERE kind IN ('repost', 'like') AND post_id IS NOT NULL)
            SELECT r.network, r.post_id, r.reactor, r.kind FROM r SEMI JOIN targets t
              ON t.network = r.network AND t.post_id = r.post_id""").fetchall()
    finally:
        con.unregister("pt")
    keyword = KeywordClassifier(taxonomy)
    list_rows = con.execute("""SELECT DISTINCT network, member_id, list_id, list_name, owner_id
                               FROM list_memberships WHERE list_name IS NOT NULL""").fetchall()
    names = sorted({r[3] for r in list_rows})
    topics_of_name = dict(zip(names, keyword.classify(names)))
    lists = [(n, member, lid, name, owner, topic, score)
             for n, member, lid, name, owner in list_rows for topic, score in topics_of_name[name]]
    bio_rows = con.execute("SELECT network, account_id, bio FROM accounts WHERE bio IS NOT NULL AND bio <> ''").fetchall()
    bios = [(n, a, topic, score) for (n, a, _), topics in zip(bio_rows, keyword.classify([b for *_, b in bio_rows]))
            for topic, score in topics]
    return expertise(posts, reactions, lists, bios, influence=_influence(ws))


def _influence(ws) -> dict:
    """Influence scores (1-100) from the latest stored score run, where one exists."""
    try:
        from ..analytics import top
        return {(r["network"], r["account_id"]): float(r["score"]) for r in top(ws, limit=0)
                if r.get("account_id") is not None}
    except (ImportError, StatureError):
        return {}


# ---------------------------------------------------------------- reading back


def _require(ws) -> None:
    if not has_topics(ws):
        raise StatureError(f"{ws.path} holds no topics yet; run `stature classify` first.")


def account_topics(ws, spec: str, *, limit: int = 20) -> dict:
    """What the account ``spec`` (``[network:]handle``) is known for, strongest first, with evidence."""
    _require(ws)
    network, account_id = ws.find_account(spec)
    handle = ws.sql("SELECT handle FROM accounts WHERE network = ? AND account_id = ?", [network, account_id])[0][0]
    rows = ws.sql("""SELECT a.topic_id, t.name, a.confidence, a.level, a.posts, a.weeks, a.reactors, a.lists, a.bio,
                            a.evidence
                     FROM account_topics a JOIN topics t USING (topic_id)
                     WHERE a.network = ? AND a.account_id = ?
                     ORDER BY a.confidence DESC, t.name LIMIT ?""", [network, account_id, limit])
    return {"network": network, "account_id": account_id, "handle": handle,
            "topics": [_topic_row(ws, network, r) for r in rows]}


def experts(ws, topic: str, *, limit: int = 20) -> dict:
    """The accounts most credibly known for ``topic`` (a name or id), strongest first, with evidence."""
    _require(ws)
    found = ws.sql("""SELECT topic_id, name FROM topics
                      WHERE lower(name) = lower(?) OR topic_id = lower(?) OR topic_id = ?""", [topic, topic, topic])
    if not found:
        near = ws.sql("SELECT name FROM topics WHERE name ILIKE ? ORDER BY length(name) LIMIT 5", [f"%{topic}%"])
        hint = f" Did you mean: {', '.join(n for (n,) in near)}?" if near else ""
        raise StatureError(f"No topic {topic!r} in the taxonomy last used by `stature classify`.{hint}")
    topic_id, name = found[0]
    rows = ws.sql("""SELECT a.network, a.account_id, ac.handle, a.confidence, a.level, a.posts, a.weeks, a.reactors,
                            a.lists, a.bio, a.evidence
                     FROM account_topics a LEFT JOIN accounts ac USING (network, account_id)
                     WHERE a.topic_id = ? ORDER BY a.confidence DESC, a.account_id LIMIT ?""", [topic_id, limit])
    out = []
    for rank, (network, account_id, handle, conf, lvl, posts, weeks, reactors, lists, bio, evidence) in enumerate(rows, 1):
        row = _topic_row(ws, network, (topic_id, name, conf, lvl, posts, weeks, reactors, lists, bio, evidence))
        out.append({"rank": rank, "network": network, "account_id": account_id, "handle": handle, **row})
    return {"topic": name, "topic_id": topic_id, "experts": out}


def _topic_row(ws, network, row) -> dict:
    topic_id, name, conf, lvl, posts, weeks, reactors, lists, bio, evidence = row
    evidence = orjson.loads(evidence) if evidence else {}
    ids = [r["account_id"] for r in evidence.get("reactors", [])]
    if ids:
        handles = dict(ws.sql("""SELECT account_id, handle FROM accounts
                                 WHERE network = ? AND account_id IN (SELECT unnest(?::VARCHAR[]))""", [network, ids]))
        for r in evidence["reactors"]:
            r["handle"] = handles.get(r["account_id"])
    return {"topic": name, "topic_id": topic_id, "confidence": conf, "level": lvl, "posts": posts, "weeks": weeks,
            "reactors": reactors, "lists": lists, "bio": bio, "evidence": evidence}
