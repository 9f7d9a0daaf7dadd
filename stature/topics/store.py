"""Topics in the workspace: classify its posts, compute expertise, read both back.

Posts are classified once per taxonomy and model: ``topic_posts`` remembers which posts (and a hash of
what was read of each) were classified under the taxonomy and model of ``topic_runs``; a re-run classifies
only the posts that are new or changed, and drops the topics of posts that are gone. A changed taxonomy
or model re-classifies every post, and the result says so. Only public posts are classified or count as
evidence. Expertise is recomputed on every run from all stored post topics, reactions, lists and bios.
"""
from __future__ import annotations

from typing import Callable

import orjson

from ..errors import StatureError
from ..read.topics import has_topics
from ..rules import visibility
from .classify import KeywordClassifier, make_classifier, model_id
from .expertise import SELF_DESCRIBED, TopicPost, expertise
from .features import extract
from .taxonomy import Taxonomy, builtin

Progress = Callable[[int, int, str], None]
POST_TOPICS = 10   # most topics stored per post (ancestors included)

_CONTENT = "hash(p.text, p.hashtags, p.links, p.mentions)"
_PUBLIC = visibility.where("p")  # private posts give no topics and count as no evidence

_POSTS_SQL = f"""
WITH todo AS (SELECT p.network, p.post_id, {_CONTENT} AS content FROM posts p WHERE {_PUBLIC}
              {{only_new}}),
m AS (SELECT p.network, p.post_id, unnest(p.mentions) AS id FROM posts p SEMI JOIN todo t USING (network, post_id)
      WHERE len(p.mentions) > 0),
names AS (SELECT m.network, m.post_id, list(coalesce(a.handle, a.display_name)) AS names
          FROM m JOIN accounts a ON a.network = m.network AND a.account_id = m.id
          WHERE coalesce(a.handle, a.display_name) IS NOT NULL GROUP BY ALL)
SELECT p.network, p.post_id, t.content, p.text, p.hashtags, p.links, n.names
FROM todo t JOIN posts p USING (network, post_id)
LEFT JOIN names n ON n.network = p.network AND n.post_id = p.post_id
ORDER BY p.network, p.post_id"""

_ONLY_NEW = "AND NOT EXISTS (SELECT 1 FROM topic_posts d WHERE d.network = p.network AND d.post_id = p.post_id " \
            f"AND d.content = {_CONTENT})"

# classified posts that are gone, changed or no longer public
_STALE_SQL = f"""SELECT d.network, d.post_id FROM topic_posts d
WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.network = d.network AND p.post_id = d.post_id AND {_PUBLIC}
                  AND d.content = {_CONTENT})"""


def classify_workspace(ws, taxonomy: Taxonomy | None = None, *, model: str = "auto",
                       progress: Progress | None = None, batch: int = 2000) -> dict:
    """Assign topics to the public posts not yet classified under this taxonomy and model (all of them
    when either changed), then compute every account's expertise; store both. Returns counts, and in
    ``reclassified`` why every post was classified again (``None`` when only new posts were)."""
    import pyarrow as pa

    taxonomy = taxonomy or builtin()
    fingerprint, model_name = taxonomy.fingerprint(), model_id(taxonomy, model)
    last = ws.sql("SELECT fingerprint, model FROM topic_runs ORDER BY classified_at DESC LIMIT 1")
    reason = None
    if last and last[0][0] != fingerprint:
        reason = "the taxonomy changed"
    elif last and last[0][1] != model_name:
        reason = f"the model changed ({last[0][1]} -> {model_name})"
    incremental = bool(last) and reason is None
    total = ws.sql(f"SELECT count(*) FROM posts p WHERE {_PUBLIC}")[0][0]
    stale = ws.sql(_STALE_SQL) if incremental else []
    cursor = ws.con.cursor()
    cursor.execute(_POSTS_SQL.format(only_new=_ONLY_NEW if incremental else ""))
    rows_out = {"network": [], "post_id": [], "topic_id": [], "score": []}
    done_out = {"network": [], "post_id": [], "content": []}
    classifier, done = None, 0
    todo = None
    while True:
        chunk = cursor.fetchmany(batch)
        if not chunk:
            break
        if classifier is None:  # built only when there is something to classify
            classifier = make_classifier(taxonomy, model)
            if hasattr(classifier, "max_topics"):
                classifier.max_topics = POST_TOPICS
            todo = ws.sql(f"SELECT count(*) FROM ({_POSTS_SQL.format(only_new=_ONLY_NEW if incremental else '')})")[0][0]
            if progress:
                progress(0, todo, "posts")
        feats = [extract(text, hashtags=tags or (), mention_names=names or (), links=links or ())
                 for _, _, _, text, tags, links, names in chunk]
        for (network, post_id, content, *_), topics in zip(chunk, classifier.classify(feats)):
            done_out["network"].append(network)
            done_out["post_id"].append(post_id)
            done_out["content"].append(content)
            for topic, score in topics:
                rows_out["network"].append(network)
                rows_out["post_id"].append(post_id)
                rows_out["topic_id"].append(topic)
                rows_out["score"].append(float(score))
        done += len(chunk)
        if progress:
            progress(done, todo, "posts")
    cursor.close()
    with ws.transaction() as con:
        if incremental:
            if stale:
                con.register("stale_posts", pa.table({"network": [r[0] for r in stale],
                                                      "post_id": [r[1] for r in stale]}))
                for table in ("post_topics", "topic_posts"):
                    con.execute(f"DELETE FROM {table} t USING stale_posts s "
                                "WHERE t.network = s.network AND t.post_id = s.post_id")
                con.unregister("stale_posts")
        else:
            for table in ("topics", "post_topics", "topic_posts"):
                con.execute(f"DELETE FROM {table}")
            con.executemany("INSERT INTO topics VALUES (?, ?, ?, ?)",
                            [[t.id, t.name, list(t.parents), t.description] for t in taxonomy])
        if done:
            con.register("new_topic_posts", pa.table(done_out, schema=pa.schema(
                [("network", pa.string()), ("post_id", pa.string()), ("content", pa.uint64())])))
            # a changed post is classified again: its earlier topics go first
            con.execute("""DELETE FROM post_topics t USING new_topic_posts n
                           WHERE t.network = n.network AND t.post_id = n.post_id""")
            con.execute("""DELETE FROM topic_posts t USING new_topic_posts n
                           WHERE t.network = n.network AND t.post_id = n.post_id""")
            con.execute("INSERT INTO topic_posts SELECT network, post_id, content FROM new_topic_posts")
            con.unregister("new_topic_posts")
            con.register("new_post_topics", pa.table(rows_out, schema=pa.schema(
                [("network", pa.string()), ("post_id", pa.string()), ("topic_id", pa.string()),
                 ("score", pa.float64())])))
            con.execute("INSERT INTO post_topics SELECT network, post_id, topic_id, score FROM new_post_topics")
            con.unregister("new_post_topics")
        found = _expertise(ws, con, taxonomy)
        experts = [e for e in found if e.known]
        for table in ("account_topics", "self_described_topics", "topic_runs"):
            con.execute(f"DELETE FROM {table}")
        cols = {k: [] for k in ("network", "account_id", "topic_id", "confidence", "level", "posts", "weeks",
                                "reactors", "lists", "bio", "evidence")}
        for e in experts:
            for k, v in (("network", e.network), ("account_id", e.account_id), ("topic_id", e.topic),
                         ("confidence", e.confidence), ("level", e.level), ("posts", e.posts), ("weeks", e.weeks),
                         ("reactors", e.reactors), ("lists", e.lists), ("bio", e.bio),
                         ("evidence", orjson.dumps(e.evidence).decode())):
                cols[k].append(v)
        con.register("new_account_topics", pa.table(cols, schema=pa.schema(
            [("network", pa.string()), ("account_id", pa.string()), ("topic_id", pa.string()),
             ("confidence", pa.float64()), ("level", pa.string()), ("posts", pa.int64()), ("weeks", pa.int64()),
             ("reactors", pa.int64()), ("lists", pa.int64()), ("bio", pa.bool_()), ("evidence", pa.string())])))
        con.execute("""INSERT INTO account_topics SELECT network, account_id, topic_id, confidence, level,
                       posts::INTEGER, weeks::INTEGER, reactors::INTEGER, lists::INTEGER, bio, evidence::JSON
                       FROM new_account_topics""")
        con.unregister("new_account_topics")
        said = [[e.network, e.account_id, e.topic, e.confidence, e.evidence.get("bio_terms", 1)]
                for e in found if not e.known]
        if said:
            con.executemany("INSERT INTO self_described_topics VALUES (?, ?, ?, ?, ?)", said)
        post_topics, with_topics = con.execute(
            "SELECT count(*), count(DISTINCT (network, post_id)) FROM post_topics").fetchone()
        con.execute("INSERT INTO topic_runs VALUES (?, ?, ?, now()::TIMESTAMP, ?, ?)",
                    [fingerprint, taxonomy.source, model_name, total,
                     len({(e.network, e.account_id) for e in experts})])
    return {"posts": total, "classified": done, "already_classified": total - done, "removed": len(stale),
            "reclassified": reason, "post_topics": post_topics, "posts_with_topics": with_topics,
            "account_topics": len(experts), "accounts": len({(e.network, e.account_id) for e in experts}),
            "self_described": len(found) - len(experts), "taxonomy": taxonomy.source, "model": model_name}


def _expertise(ws, con, taxonomy: Taxonomy) -> list:
    posts = [TopicPost(n, pid, author, topic, score, created, text, int(counted or 0))
             for n, pid, author, topic, score, created, text, counted in con.execute(f"""
             SELECT p.network, p.post_id, p.author_id, pt.topic_id, pt.score, p.created_at, p.text,
                    coalesce(p.like_count, 0) + coalesce(p.repost_count, 0)
             FROM post_topics pt JOIN posts p ON p.network = pt.network AND p.post_id = pt.post_id
             WHERE {_PUBLIC}""").fetchall()]
    reactions = con.execute(f"""
        WITH targets AS (SELECT DISTINCT network, post_id FROM post_topics),
        r AS (
            SELECT network, reply_to_post_id AS post_id, author_id AS reactor, 'reply' AS kind FROM posts p
            WHERE reply_to_post_id IS NOT NULL AND {visibility.interacts("p")}
            UNION ALL SELECT network, quote_of_post_id, author_id, 'quote' FROM posts p
            WHERE quote_of_post_id IS NOT NULL AND {visibility.interacts("p")}
            UNION ALL SELECT network, post_id, source_id, kind FROM interactions
            WHERE kind IN ('repost', 'like') AND post_id IS NOT NULL)
        SELECT r.network, r.post_id, r.reactor, r.kind FROM r SEMI JOIN targets t
          ON t.network = r.network AND t.post_id = r.post_id""").fetchall()
    keyword = KeywordClassifier(taxonomy)
    list_rows = con.execute("""SELECT DISTINCT network, member_id, list_id, list_name, owner_id
                               FROM list_memberships WHERE list_name IS NOT NULL""").fetchall()
    names = sorted({r[3] for r in list_rows})
    topics_of_name = dict(zip(names, keyword.classify(names)))
    lists = [(n, member, lid, name, owner, topic, score)
             for n, member, lid, name, owner in list_rows for topic, score in topics_of_name[name]]
    bio_rows = con.execute("SELECT network, account_id, bio FROM accounts WHERE bio IS NOT NULL AND bio <> ''").fetchall()
    bios = [(n, a, topic, score, terms) for n, a, bio in bio_rows
            for topic, score, terms in bio_topics(keyword, bio)]
    return expertise(posts, reactions, lists, bios, influence=_influence(ws), self_described=True)


def bio_topics(keyword: KeywordClassifier, bio: str) -> list[tuple[str, float, int]]:
    """``(topic, score, distinct terms)`` a bio states: the keyword classifier's topics, each with how many
    distinct terms of it (or of the topics under it) the bio holds."""
    feats = extract(bio)
    own = keyword.lexicon.terms(feats)
    terms = dict(own)
    for topic, count in own.items():
        for ancestor, _ in keyword._up.get(topic, ()):
            terms[ancestor] = terms.get(ancestor, 0) + count
    return [(t, s, terms.get(t, 0)) for t, s in keyword.classify([feats])[0]]


def _influence(ws) -> dict:
    """Influence scores (1-100) from the latest stored score run, where one exists."""
    from ..read.scores import latest_scores
    return {key: float(value) for key, value in latest_scores(ws).items()}


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
    said = ws.sql("""SELECT s.topic_id, t.name, s.confidence, s.terms FROM self_described_topics s
                     JOIN topics t USING (topic_id) WHERE s.network = ? AND s.account_id = ?
                     ORDER BY s.confidence DESC, t.name LIMIT ?""", [network, account_id, limit])
    return {"network": network, "account_id": account_id, "handle": handle,
            "topics": [_topic_row(ws, network, r) for r in rows],
            "self_described": [{"topic": name, "topic_id": topic_id, "confidence": conf, "level": SELF_DESCRIBED,
                                "bio_terms": terms} for topic_id, name, conf, terms in said]}


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
    top = evidence.get("top_posts") or []
    if top:  # topics stored before the visibility rule may name private posts: never shown
        public = {p for (p,) in ws.sql(f"""SELECT post_id FROM posts WHERE network = ? AND {visibility.where()}
                                          AND post_id IN (SELECT unnest(?::VARCHAR[]))""",
                                       [network, [p["post_id"] for p in top]])}
        evidence["top_posts"] = [p for p in top if p["post_id"] in public]
    row = {"topic": name, "topic_id": topic_id, "confidence": conf, "level": lvl, "posts": posts, "weeks": weeks,
           "reactors": reactors, "lists": lists, "bio": bio, "evidence": evidence}
    row["why"] = why(row)
    return row


def why(t: dict) -> list[str]:
    """Why an account is known for a topic, one short line per kind of evidence it has (posts, reactions,
    lists, bio), each with what it adds: checkable in seconds against the posts and lists named."""
    ev = t.get("evidence") or {}
    parts = ev.get("components", {})
    out = []
    if t["posts"]:
        span = ""
        if ev.get("first_post") and ev.get("last_post"):
            span = f", {ev['first_post'][:10]} to {ev['last_post'][:10]}"
        out.append(f"posts: {t['posts']} on it over {t['weeks']} weeks{span} (posts and reactions "
                   f"give {parts.get('posts', 0):.2f})")
    if t["reactors"]:
        credible = sum(1 for r in ev.get("reactors", []) if r.get("credible"))
        out.append(f"reactions: from {t['reactors']} accounts" + (f", {credible} credible on it" if credible else ""))
    if t["lists"]:
        names = ", ".join(f"'{n}'" for n in ev.get("lists", [])[:3])
        out.append(f"lists: on {t['lists']} that others curate ({names}; {parts.get('lists', 0):.2f})")
    if t["bio"]:
        out.append(f"bio: states it, which strengthens the above (+{parts.get('bio', 0):.2f} before combining)")
    return out
