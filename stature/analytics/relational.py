"""The relational steps of the score, as SQL over the canonical tables: the one place they are written.

Each step is a ``SELECT`` that becomes a table named after the step; later steps
read earlier ones by name. The SQL is DuckDB's dialect kept to what
``sqlglot.transpile(sql, read="duckdb", write="spark")`` turns into Spark SQL,
so every engine runs these same queries (see ``engine.py``).

The steps come in two stages. :func:`graph_steps` number the nodes (accounts
linked in ``identities`` are one node), select the interactions in the window
with their fading weight, and derive the weighted ``edges`` and per-node
``seeds`` of the interaction graph. The engine then runs PageRank and provides
``authority(idx, authority, standing)``. :func:`score_steps` compute the
per-node features, the five components in absolute units (counts in log2 units),
their points on the fixed calibrated scale (:mod:`.calibration`, the same in
every workspace), the score, its contributions and its range (the closed-form
variance of a Poisson bootstrap over the account's posts and engaging accounts).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..rules.decay import DEFAULT_WINDOW_DAYS, decay_sql, half_life as default_half_life
from ..rules.exclusions import EXCLUDED_ACCOUNTS
from ..rules.identities import node_id
from ..rules.interactions import AMPLIFYING_KINDS, KIND_WEIGHTS, RECIPROCAL_DISCOUNT
from .calibration import points_sql, slope_sql

COMPONENTS = ("audience", "amplification", "conversation", "authority", "recognition")

# How much each component weighs in the score (they sum to 1), the same for every account and workspace:
# readable priors. A grid search of the four weights PeerIndex can judge did no better cross-validated
# (EVALUATION.md), so the priors stay.
COMPONENT_WEIGHTS = {
    "audience": 0.25,
    "amplification": 0.15,
    "conversation": 0.10,
    "authority": 0.20,
    "recognition": 0.30,
}

AUTHORITY = {"damping": 0.85, "tol": 1e-6, "max_iter": 200}
"""How standing flows along the graph (:func:`stature.graph.standing`); every engine iterates exactly this."""
FRESH_DAYS = 30
"""An account younger than this passes on a share of credit in proportion to its age (farms gain little)."""
AMPLIFIER_BUDGET = 25
"""An amplifier gives full credit to up to this many accounts; one amplifying 250 gives each a tenth."""
UNNAMED_CREDIT = 0.5
"""A repost or reply the platform counted but the data does not name counts this much."""
QUIET_POSTS = 5
"""Amplification and conversation are divided by ``1 + posts that drew nothing / QUIET_POSTS``."""
DEPTH_BONUS = 0.5
"""A post's replies count ``1 + DEPTH_BONUS * log2(1 + depth of its thread)`` times."""
MAX_DEPTH = 6
"""Threads are measured to this many levels of replies."""
RANGE_Z = 1.645
"""The range is the score plus or minus this many standard deviations (90% of a normal spread)."""
STATISTICS_SPREAD = 1.0
"""A count taken from account statistics alone is uncertain by this much in log2 units (a factor of two):
it is an all-time figure of unknown date, not the window's."""

LN2 = 0.6931471805599453
_KINDS_SQL = ", ".join(f"'{k}'" for k in KIND_WEIGHTS)
_AMPLIFYING_SQL = ", ".join(f"'{k}'" for k in AMPLIFYING_KINDS)


@dataclass(frozen=True)
class Params:
    as_of: datetime  # naive UTC
    window_days: float = DEFAULT_WINDOW_DAYS
    half_life_days: float | None = None

    @property
    def half_life(self) -> float:
        return self.half_life_days or default_half_life(self.window_days)

    @property
    def start(self) -> datetime:
        return self.as_of - timedelta(days=self.window_days)


@dataclass(frozen=True)
class Step:
    name: str
    sql: str
    joins_as_written: bool = False
    """Join in the order written, each join's right side the one to hash (see ``engine.DuckDBEngine.run``)."""


def _ts(value: datetime) -> str:
    return f"CAST('{value.strftime('%Y-%m-%d %H:%M:%S')}' AS TIMESTAMP)"


def _kind_weight(column: str) -> str:
    cases = " ".join(f"WHEN '{k}' THEN {w!r}" for k, w in KIND_WEIGHTS.items())
    return f"CAST(CASE {column} {cases} ELSE 0.0 END AS DOUBLE)"


def _component_weight(column: str) -> str:
    cases = " ".join(f"WHEN '{c}' THEN {w!r}" for c, w in COMPONENT_WEIGHTS.items())
    return f"CAST(CASE {column} {cases} ELSE 0.0 END AS DOUBLE)"


def _sql_values(p: Params) -> dict:
    # whole microseconds, as a double: exact on both engines (Spark's UNIX_TIMESTAMP would drop the fraction)
    return {
        "as_of": _ts(p.as_of), "start": _ts(p.start), "half_life": repr(float(p.half_life)),
        "age_days": f"(CAST(date_diff('microsecond', {{t}}, {_ts(p.as_of)}) AS DOUBLE) / 86400000000.0)",
    }


def graph_steps(p: Params) -> list[Step]:
    v = _sql_values(p)

    def decay(col):
        return decay_sql(col, v['age_days'].format(t=col), v['half_life'])

    def in_window(col):
        return f"({col} IS NULL OR ({col} > {v['start']} AND {col} <= {v['as_of']}))"

    return [
        Step("node_accounts", f"""
            SELECT a.network, a.account_id, a.handle,
                   {node_id('i.person_id', 'a.network', 'a.account_id')} AS node_id,
                   a.created_at, a.followers_count, a.listed_count, a.mentions_received, a.reposts_received,
                   a.posts_count
            FROM accounts a
            LEFT JOIN identities i ON i.network = a.network AND i.account_id = a.account_id"""),
        Step("excluded", f"""
            SELECT DISTINCT n.node_id
            FROM node_accounts n
            JOIN {EXCLUDED_ACCOUNTS} e ON e.network = n.network AND e.account_id = n.account_id"""),
        Step("nodes", f"""
            SELECT node_id, row_number() OVER (ORDER BY node_id) - 1 AS idx,
                   sum(followers_count) AS followers_stat, sum(listed_count) AS listed_stat,
                   sum(mentions_received) AS mentions_stat, sum(reposts_received) AS reposts_stat,
                   min(created_at) AS created_at,
                   CASE WHEN min(created_at) IS NULL THEN 1.0
                        ELSE least(1.0, greatest(0.0, {v['age_days'].format(t='min(created_at)')}) / {FRESH_DAYS})
                   END AS age_factor,
                   max(CASE WHEN followers_count IS NOT NULL OR listed_count IS NOT NULL
                             OR mentions_received IS NOT NULL OR reposts_received IS NOT NULL
                             OR posts_count IS NOT NULL THEN 1 ELSE 0 END) AS has_stats
            FROM node_accounts GROUP BY node_id"""),
        # each account's node as its integer index: the later steps join and group on integers
        Step("account_nodes", """
            SELECT a.network, a.account_id, n.idx FROM node_accounts a JOIN nodes n ON n.node_id = a.node_id"""),
        Step("node_display", """
            SELECT node_id, network, account_id, handle FROM (
                SELECT node_id, network, account_id, handle,
                       row_number() OVER (PARTITION BY node_id
                           ORDER BY followers_count DESC NULLS LAST, handle NULLS LAST, network, account_id) AS r
                FROM node_accounts) ranked
            WHERE r = 1"""),
        # every interaction in the window, between nodes (their indexes), with its fading weight; a repost's,
        # quote's or reply's post (the one it is about) and time. One join to posts (a post is unique per
        # network), only for the interactions that need it, gives a reply's or quote's parent and, where the
        # interaction names no target, the author of the post it is about. Written big table first, each
        # join's right side the smaller one, and run in that order
        Step("events", f"""
            SELECT x.network, s.idx AS src, t.idx AS dst, x.kind,
                   CASE x.kind WHEN 'reply' THEN p.reply_to_post_id WHEN 'quote' THEN p.quote_of_post_id
                        WHEN 'repost' THEN x.post_id END AS target_post,
                   x.time, greatest(coalesce(x.weight, 1.0), 0.0) * {decay('x.time')} AS decay
            FROM interactions x
            LEFT JOIN posts p ON p.network = x.network
                             AND p.post_id = CASE WHEN x.kind IN ('reply', 'quote') OR x.target_id IS NULL
                                                  THEN x.post_id END
            JOIN account_nodes s ON s.network = x.network AND s.account_id = x.source_id
            JOIN account_nodes t ON t.network = x.network AND t.account_id = coalesce(x.target_id, p.author_id)
            WHERE x.kind IN ({_KINDS_SQL}) AND {in_window('x.time')} AND s.idx <> t.idx""", joins_as_written=True),
        Step("pairs", """
            SELECT src, dst, kind, count(*) AS n, sum(decay) AS w, max(decay) AS top FROM events
            GROUP BY src, dst, kind"""),
        Step("amplify_pairs", f"""
            WITH amp AS (
                SELECT src, dst, sum(n) AS n, sum(w) AS w FROM pairs
                WHERE kind IN ({_AMPLIFYING_SQL}) GROUP BY src, dst)
            SELECT a.src, a.dst, a.n, a.w, CASE WHEN b.src IS NULL THEN 0 ELSE 1 END AS reciprocal
            FROM amp a LEFT JOIN amp b ON b.src = a.dst AND b.dst = a.src"""),
        # what each node passes on as an amplifier: fresh accounts and indiscriminate amplifiers pass little
        Step("standing", f"""
            SELECT n.idx, n.age_factor,
                   least(1.0, {AMPLIFIER_BUDGET} / CAST(greatest(coalesce(t.targets, 0), 1) AS DOUBLE)) AS budget
            FROM nodes n
            LEFT JOIN (SELECT src, count(*) AS targets FROM amplify_pairs GROUP BY src) t ON t.src = n.idx"""),
        # each repost or quote: the amplifier's credit, shared across its amplifications of this account
        Step("amp_events", f"""
            SELECT e.network, e.dst, e.src, e.target_post, e.time,
                   s.age_factor * s.budget * CASE WHEN a.reciprocal = 1 THEN {RECIPROCAL_DISCOUNT!r} ELSE 1.0 END
                       * e.decay / sqrt(CAST(a.n AS DOUBLE)) AS contribution
            FROM events e
            JOIN amplify_pairs a ON a.src = e.src AND a.dst = e.dst
            JOIN standing s ON s.idx = e.src
            WHERE e.kind IN ({_AMPLIFYING_SQL})"""),
        Step("reply_events", """
            SELECT e.network, e.dst, e.src, e.target_post, s.age_factor * e.decay AS contribution
            FROM events e JOIN standing s ON s.idx = e.src
            WHERE e.kind = 'reply'"""),
        # the graph: one edge per pair, kinds weighted and saturating, reciprocal amplification discounted;
        # with how many interactions the pair holds and whether any is explicit (few sums: a group-by into
        # ten million pairs is cheap only while its rows are narrow)
        Step("edges", f"""
            SELECT p.src, p.dst,
                   sum({_kind_weight('p.kind')} * log2(1.0 + p.w)
                       * CASE WHEN r.reciprocal = 1 THEN {RECIPROCAL_DISCOUNT!r} ELSE 1.0 END) AS weight,
                   sum({_kind_weight('p.kind')} * log2(1.0 + p.w)) AS full_weight,
                   sum(p.n) AS events,
                   max(CASE WHEN p.kind IN ('follow', 'repost', 'like') THEN 1 ELSE 0 END) AS explicit
            FROM pairs p
            LEFT JOIN amplify_pairs r ON r.src = p.src AND r.dst = p.dst AND p.kind IN ({_AMPLIFYING_SQL})
            GROUP BY p.src, p.dst"""),
        # each account that mentions another, for explain (its mention credit)
        Step("mention_pairs", """
            SELECT p.src, p.dst, s.age_factor * p.w AS credit, p.n AS events
            FROM pairs p JOIN standing s ON s.idx = p.src WHERE p.kind = 'mention'"""),
        # what each node receives from the accounts that engage it, each counted once and by its age: from the
        # pairs (engagers), from the pairs of one kind (followers, mentioners, repliers) and the amplifiers
        Step("received", """
            WITH engaged AS (
                SELECT e.dst, count(*) AS engagers, sum(s.age_factor) AS engagers_seen, max(e.explicit) AS explicit_in
                FROM edges e JOIN standing s ON s.idx = e.src GROUP BY e.dst),
            by_kind AS (
                SELECT p.dst, sum(CASE WHEN p.kind = 'follow' THEN s.age_factor ELSE 0.0 END) AS followers_seen,
                       sum(CASE WHEN p.kind = 'mention' THEN s.age_factor * p.top ELSE 0.0 END) AS mentioners_seen,
                       sum(CASE WHEN p.kind = 'mention' THEN 1 ELSE 0 END) AS mentioners,
                       sum(CASE WHEN p.kind = 'mention' THEN power(s.age_factor * p.top, 2) ELSE 0.0 END)
                           AS mentioners_sq,
                       sum(CASE WHEN p.kind = 'reply' THEN 1 ELSE 0 END) AS repliers,
                       sum(CASE WHEN p.kind = 'reply' THEN p.n ELSE 0 END) AS replies
                FROM pairs p JOIN standing s ON s.idx = p.src
                WHERE p.kind IN ('follow', 'mention', 'reply') GROUP BY p.dst),
            amplified AS (
                SELECT dst, count(*) AS amplifiers, sum(n) AS amplifications FROM amplify_pairs GROUP BY dst)
            SELECT g.dst AS idx, g.engagers, g.engagers_seen, g.explicit_in,
                   coalesce(k.followers_seen, 0.0) AS followers_seen, coalesce(k.mentioners_seen, 0.0) AS mentioners_seen,
                   coalesce(k.mentioners, 0) AS mentioners, coalesce(k.mentioners_sq, 0.0) AS mentioners_sq,
                   coalesce(k.repliers, 0) AS repliers, coalesce(k.replies, 0) AS replies,
                   coalesce(a.amplifiers, 0) AS amplifiers, coalesce(a.amplifications, 0) AS amplifications
            FROM engaged g
            LEFT JOIN by_kind k ON k.dst = g.dst
            LEFT JOIN amplified a ON a.dst = g.dst"""),
        # what each node sends, and what its out-weights are divided by (at least their sum)
        Step("sent", """
            SELECT src AS idx, max(explicit) AS explicit_out, sum(events) AS sent,
                   greatest(sum(full_weight), sum(weight)) AS out_weight
            FROM edges GROUP BY src"""),
        # where PageRank's surfer jumps: in proportion to the audience, less for fresh accounts
        Step("seeds", """
            SELECT n.idx, n.age_factor
                   * log2(2.0 + greatest(coalesce(n.followers_stat, 0.0), coalesce(r.followers_seen, 0.0))) AS seed
            FROM nodes n LEFT JOIN received r ON r.idx = n.idx"""),
    ]


def score_steps(p: Params) -> list[Step]:
    v = _sql_values(p)
    q = repr(float(QUIET_POSTS))

    def in_window(col):
        return f"({col} IS NULL OR ({col} > {v['start']} AND {col} <= {v['as_of']}))"

    steps = [
        Step("posts_in_window", f"""
            SELECT p.network, p.post_id, n.idx AS author, coalesce(p.repost_count, 0) AS repost_count,
                   coalesce(p.quote_count, 0) AS quote_count, coalesce(p.reply_count, 0) AS reply_count
            FROM posts p JOIN account_nodes n ON n.network = p.network AND n.account_id = p.author_id
            WHERE p.visibility IN ('public', 'unlisted') AND {in_window('p.created_at')}"""),
        Step("reply_links", f"""
            SELECT network, post_id AS child, reply_to_post_id AS parent FROM posts
            WHERE reply_to_post_id IS NOT NULL AND visibility IN ('public', 'unlisted')
              AND {in_window('created_at')}"""),
    ]
    # thread depth without recursion: level k holds (root, post) pairs k replies apart
    steps.append(Step("thread_level_1", "SELECT network, parent AS root, child AS post FROM reply_links"))
    for level in range(2, MAX_DEPTH + 1):
        steps.append(Step(f"thread_level_{level}", f"""
            SELECT d.network, d.root, r.child AS post
            FROM thread_level_{level - 1} d JOIN reply_links r ON r.network = d.network AND r.parent = d.post"""))
    depth_levels = [f"SELECT network, root, {level} AS level FROM thread_level_{level}"
                    for level in range(1, MAX_DEPTH + 1)]
    steps += [
        Step("thread_depth", f"""
            SELECT network, root AS post_id, max(level) AS depth
            FROM ({' UNION ALL '.join(depth_levels)}) levels GROUP BY network, root"""),
        Step("post_amplified", """
            SELECT network, dst, coalesce(target_post, 'event:' || CAST(src AS VARCHAR) || ':' || coalesce(CAST(time AS VARCHAR), ''))
                       AS post_key,
                   sum(contribution) AS reach, count(*) AS events
            FROM amp_events GROUP BY 1, 2, 3"""),
        Step("post_replied", """
            SELECT network, dst, coalesce(target_post, 'account:' || CAST(dst AS VARCHAR)) AS post_key,
                   sum(contribution) AS reach, count(*) AS events, count(DISTINCT src) AS repliers
            FROM (SELECT network, dst, src, target_post, max(contribution) AS contribution
                  FROM reply_events GROUP BY network, dst, src, target_post) r
            GROUP BY 1, 2, 3"""),
        Step("post_reach", f"""
            SELECT coalesce(p.author, a.dst, r.dst) AS idx,
                   CASE WHEN p.post_id IS NULL THEN 0 ELSE 1 END AS known,
                   coalesce(a.reach, 0.0) + {UNNAMED_CREDIT!r}
                       * greatest(0, coalesce(p.repost_count, 0) + coalesce(p.quote_count, 0) - coalesce(a.events, 0))
                       AS amplified,
                   coalesce(r.reach, 0.0) + {UNNAMED_CREDIT!r}
                       * greatest(0, coalesce(p.reply_count, 0) - coalesce(r.events, 0)) AS replied,
                   coalesce(d.depth, 0) AS depth
            FROM posts_in_window p
            FULL OUTER JOIN post_amplified a
                 ON a.network = p.network AND a.post_key = p.post_id AND a.dst = p.author
            FULL OUTER JOIN post_replied r
                 ON r.network = coalesce(p.network, a.network) AND r.post_key = coalesce(p.post_id, a.post_key)
                AND r.dst = coalesce(p.author, a.dst)
            LEFT JOIN thread_depth d ON d.network = p.network AND d.post_id = p.post_id"""),
        Step("post_totals", f"""
            SELECT idx, sum(known) AS posts,
                   sum(CASE WHEN amplified > 0 THEN log2(1.0 + amplified) ELSE 0.0 END) AS amplified_reach,
                   sum(CASE WHEN amplified > 0 THEN power(log2(1.0 + amplified), 2) ELSE 0.0 END) AS amplified_sq,
                   sum(CASE WHEN amplified > 0 THEN 1 ELSE 0 END) AS amplified_posts,
                   sum(CASE WHEN amplified > 0 OR known = 0 THEN 0 ELSE 1 END) AS unamplified_posts,
                   sum(CASE WHEN replied > 0
                            THEN log2(1.0 + replied) * (1.0 + {DEPTH_BONUS!r} * log2(1.0 + depth)) ELSE 0.0 END)
                       AS replied_reach,
                   sum(CASE WHEN replied > 0
                            THEN power(log2(1.0 + replied) * (1.0 + {DEPTH_BONUS!r} * log2(1.0 + depth)), 2)
                            ELSE 0.0 END) AS replied_sq,
                   sum(CASE WHEN replied > 0 THEN 1 ELSE 0 END) AS replied_posts,
                   sum(CASE WHEN replied > 0 OR known = 0 THEN 0 ELSE 1 END) AS unreplied_posts,
                   max(depth) AS max_depth
            FROM post_reach GROUP BY idx"""),
        Step("lists_seen", """
            SELECT m.node_id, count(DISTINCT l.network || ':' || l.list_id) AS lists
            FROM list_memberships l
            JOIN node_accounts m ON m.network = l.network AND m.account_id = l.member_id
            LEFT JOIN node_accounts o ON o.network = l.network AND o.account_id = l.owner_id
            WHERE o.node_id IS NULL OR o.node_id <> m.node_id
            GROUP BY m.node_id"""),
        # each engaging account's share of an account's authority, squared: the bootstrap variance of the sum
        Step("authority_spread", """
            SELECT e.dst AS idx, sum(power(e.weight * f.share, 2)) AS authority_sq
            FROM edges e
            JOIN (SELECT o.idx, a.standing / o.out_weight AS share FROM sent o JOIN authority a ON a.idx = o.idx
                  WHERE o.out_weight > 0) f ON f.idx = e.src
            GROUP BY e.dst"""),
        # every feature of every node, in one row
        Step("features", """
            SELECT n.node_id, n.idx, n.has_stats, n.followers_stat, n.listed_stat, n.mentions_stat, n.reposts_stat,
                   coalesce(r.followers_seen, 0.0) AS followers_seen, coalesce(r.engagers_seen, 0.0) AS engagers_seen,
                   coalesce(r.engagers, 0) AS engagers, coalesce(r.mentioners_seen, 0.0) AS mentioners_seen,
                   coalesce(r.mentioners, 0) AS mentioners, coalesce(r.mentioners_sq, 0.0) AS mentioners_sq,
                   coalesce(t.posts, 0) AS posts, coalesce(t.amplified_reach, 0.0) AS amplified_reach,
                   coalesce(t.amplified_sq, 0.0) AS amplified_sq, coalesce(t.amplified_posts, 0) AS amplified_posts,
                   coalesce(t.unamplified_posts, 0) AS unamplified_posts,
                   coalesce(t.replied_reach, 0.0) AS replied_reach, coalesce(t.replied_sq, 0.0) AS replied_sq,
                   coalesce(t.replied_posts, 0) AS replied_posts,
                   coalesce(t.unreplied_posts, 0) AS unreplied_posts, coalesce(t.max_depth, 0) AS max_depth,
                   coalesce(r.amplifiers, 0) AS amplifiers, coalesce(r.amplifications, 0) AS amplifications,
                   coalesce(r.repliers, 0) AS repliers, coalesce(r.replies, 0) AS replies,
                   coalesce(l.lists, 0) AS lists, coalesce(au.authority, 0.0) AS authority,
                   coalesce(sp.authority_sq, 0.0) AS authority_sq,
                   CASE WHEN r.idx IS NULL AND s.idx IS NULL THEN 0 ELSE 1 END AS in_graph,
                   CASE WHEN coalesce(r.explicit_in, 0) + coalesce(s.explicit_out, 0) > 0 THEN 'graph'
                        WHEN coalesce(t.posts, 0) + coalesce(r.replies, 0) + coalesce(r.engagers, 0)
                             + coalesce(s.sent, 0) > 0 THEN 'posts'
                        WHEN n.has_stats = 1 THEN 'statistics'
                        ELSE 'none' END AS data_level
            FROM nodes n
            LEFT JOIN post_totals t ON t.idx = n.idx
            LEFT JOIN received r ON r.idx = n.idx
            LEFT JOIN sent s ON s.idx = n.idx
            LEFT JOIN lists_seen l ON l.node_id = n.node_id
            LEFT JOIN authority au ON au.idx = n.idx
            LEFT JOIN authority_spread sp ON sp.idx = n.idx"""),
        # each component in absolute units, log2(1 + n) of a count n: followers or engaging accounts; posts
        # amplified, each counted by log2(1 + its reach) (so one viral post is one post), less for posts that
        # drew nothing; the same for replies, plus the accounts that mention it; the standing of the accounts
        # that engage it; lists. A stated total of reposts counts as if one post drew them all. The variance
        # is a Poisson bootstrap's over what n sums (posts, engaging accounts), by the delta method; a count
        # from account statistics alone is uncertain by STATISTICS_SPREAD (an all-time figure, not the window's)
        Step("measures", f"""
            SELECT f.node_id, f.data_level,
                   greatest(coalesce(followers_stat, 0.0), followers_seen, engagers_seen) AS audience_n,
                   amplified_reach / (1.0 + unamplified_posts / {q}) AS amp_n,
                   (amplified_sq / power(1.0 + unamplified_posts / {q}, 2)
                    + unamplified_posts * power(amplified_reach / {q}, 2) / power(1.0 + unamplified_posts / {q}, 4))
                       AS amp_n_var,
                   log2(1.0 + greatest(coalesce(reposts_stat, 0.0), 0.0)) AS amp_stat_n,
                   replied_reach / (1.0 + unreplied_posts / {q}) + mentioners_seen AS conv_n,
                   (replied_sq / power(1.0 + unreplied_posts / {q}, 2)
                    + unreplied_posts * power(replied_reach / {q}, 2) / power(1.0 + unreplied_posts / {q}, 4)
                    + mentioners_sq) AS conv_n_var,
                   greatest(coalesce(mentions_stat, 0.0), 0.0) AS conv_stat_n,
                   authority, authority_sq,
                   greatest(coalesce(listed_stat, 0.0), CAST(lists AS DOUBLE)) AS recognition_n,
                   d.network
            FROM features f
            JOIN node_display d ON d.node_id = f.node_id
            ANTI JOIN excluded x ON x.node_id = f.node_id"""),
        # each component's value and variance; its points on the fixed calibrated scale, read for the network
        # the account is shown under (excluded accounts are never scored, and nobody else's points depend on
        # who is here), its weight and contribution
        Step("contributions", f"""
            WITH components AS (
                SELECT node_id, network, data_level, 'audience' AS component, log2(1.0 + audience_n) AS value,
                       CASE WHEN data_level = 'statistics' THEN {STATISTICS_SPREAD ** 2!r}
                            ELSE audience_n / power((1.0 + audience_n) * {LN2!r}, 2) END AS variance
                FROM measures
                UNION ALL
                SELECT node_id, network, data_level, 'amplification', log2(1.0 + greatest(amp_n, amp_stat_n)),
                       CASE WHEN amp_n >= amp_stat_n THEN amp_n_var / power((1.0 + amp_n) * {LN2!r}, 2)
                            ELSE {STATISTICS_SPREAD ** 2!r} END
                FROM measures
                UNION ALL
                SELECT node_id, network, data_level, 'conversation', log2(1.0 + greatest(conv_n, conv_stat_n)),
                       CASE WHEN conv_n >= conv_stat_n THEN conv_n_var / power((1.0 + conv_n) * {LN2!r}, 2)
                            ELSE {STATISTICS_SPREAD ** 2!r} END
                FROM measures
                UNION ALL
                SELECT node_id, network, data_level, 'authority', log2(1.0 + authority),
                       authority_sq / power((1.0 + authority) * {LN2!r}, 2)
                FROM measures
                UNION ALL
                SELECT node_id, network, data_level, 'recognition', log2(1.0 + recognition_n),
                       CASE WHEN data_level = 'statistics' THEN {STATISTICS_SPREAD ** 2!r}
                            ELSE recognition_n / power((1.0 + recognition_n) * {LN2!r}, 2) END
                FROM measures),
            graded AS (
                SELECT c.node_id, c.data_level, c.component, c.value, c.variance,
                       {points_sql('c.component', 'c.value', 'c.network', COMPONENTS)} AS points,
                       {slope_sql('c.component', 'c.value', 'c.network', COMPONENTS)} AS slope,
                       {_component_weight('c.component')} AS weight
                FROM components c)
            SELECT node_id, component, value, points / 100.0 AS percentile, weight,
                   0.99 * weight * points AS contribution, variance, slope, data_level
            FROM graded"""),
        Step("scored", f"""
            SELECT node_id, 1.0 + sum(contribution) AS exact,
                   {RANGE_Z!r} * sqrt(sum(power(0.99 * weight * slope, 2) * variance)) AS half_width, data_level
            FROM contributions GROUP BY node_id, data_level"""),
        Step("final_scores", """
            SELECT s.node_id, d.network, d.account_id, d.handle,
                   CAST(floor(s.exact + 0.5) AS INTEGER) AS score, s.exact,
                   CAST(floor(greatest(1.0, s.exact - s.half_width) + 0.5) AS INTEGER) AS low,
                   CAST(floor(least(100.0, s.exact + s.half_width) + 0.5) AS INTEGER) AS high,
                   s.data_level
            FROM scored s JOIN node_display d ON d.node_id = s.node_id"""),
        # who amplifies, replies to and mentions each scored account most, for explain
        # (indexes are numbered in node-id order, so ranking on them breaks ties as the node ids would)
        Step("supporters", """
            SELECT d.node_id, o.node_id AS supporter, ranked.role, ranked.credit, ranked.events FROM (
                SELECT dst, src, role, credit, events,
                       row_number() OVER (PARTITION BY dst, role ORDER BY credit DESC, src) AS r
                FROM (SELECT dst, src, 'amplifier' AS role, sum(contribution) AS credit,
                             count(*) AS events FROM amp_events GROUP BY dst, src
                      UNION ALL
                      SELECT dst, src, 'replier', sum(contribution), count(*) FROM reply_events GROUP BY dst, src
                      UNION ALL
                      SELECT dst, src, 'mentioner', credit, events FROM mention_pairs) u) ranked
            JOIN nodes d ON d.idx = ranked.dst
            JOIN nodes o ON o.idx = ranked.src
            WHERE ranked.r <= 5 AND d.node_id IN (SELECT node_id FROM final_scores)"""),
    ]
    return steps
