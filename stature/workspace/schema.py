"""The workspace schema and its migrations.

Each migration is a list of SQL statements; ``migrate`` applies the ones a
workspace has not seen yet, in one transaction, and records the version.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import WorkspaceError

MIGRATIONS: list[list[str]] = [
    # 1: the canonical tables
    [
        """CREATE TABLE imports (
            import_id INTEGER PRIMARY KEY,
            path VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            format VARCHAR NOT NULL,
            imported_at TIMESTAMP NOT NULL,
            records JSON,
            skipped INTEGER DEFAULT 0
        )""",
        """CREATE TABLE accounts (
            network VARCHAR NOT NULL,
            account_id VARCHAR NOT NULL,
            handle VARCHAR,
            display_name VARCHAR,
            bio VARCHAR,
            created_at TIMESTAMP,
            followers_count DOUBLE,
            following_count DOUBLE,
            listed_count DOUBLE,
            posts_count DOUBLE,
            mentions_received DOUBLE,
            reposts_received DOUBLE,
            mentions_sent DOUBLE,
            reposts_sent DOUBLE,
            import_id INTEGER
        )""",
        """CREATE TABLE posts (
            network VARCHAR NOT NULL,
            post_id VARCHAR NOT NULL,
            author_id VARCHAR NOT NULL,
            created_at TIMESTAMP,
            text VARCHAR,
            lang VARCHAR,
            reply_to_post_id VARCHAR,
            reply_to_account_id VARCHAR,
            quote_of_post_id VARCHAR,
            quote_of_account_id VARCHAR,
            like_count BIGINT,
            repost_count BIGINT,
            reply_count BIGINT,
            quote_count BIGINT,
            hashtags VARCHAR[],
            mentions VARCHAR[],
            links VARCHAR[],
            visibility VARCHAR NOT NULL,
            import_id INTEGER
        )""",
        """CREATE TABLE interactions (
            network VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            source_id VARCHAR NOT NULL,
            target_id VARCHAR,
            post_id VARCHAR,
            time TIMESTAMP,
            weight DOUBLE,
            import_id INTEGER
        )""",
        """CREATE TABLE list_memberships (
            network VARCHAR NOT NULL,
            list_id VARCHAR NOT NULL,
            member_id VARCHAR NOT NULL,
            list_name VARCHAR,
            owner_id VARCHAR,
            owner_handle VARCHAR,
            import_id INTEGER
        )""",
        """CREATE TABLE identities (
            person_id VARCHAR NOT NULL,
            network VARCHAR NOT NULL,
            account_id VARCHAR NOT NULL
        )""",
    ],
    # 2: influence scores with their history, and the accounts that asked not to be scored
    [
        """CREATE TABLE exclusions (
            network VARCHAR NOT NULL,
            account_id VARCHAR NOT NULL,
            handle VARCHAR,
            excluded_at TIMESTAMP NOT NULL
        )""",
        """CREATE TABLE score_runs (
            run_id INTEGER PRIMARY KEY,
            as_of TIMESTAMP NOT NULL,
            window_days DOUBLE NOT NULL,
            half_life_days DOUBLE NOT NULL,
            computed_at TIMESTAMP NOT NULL,
            engine VARCHAR NOT NULL,
            accounts INTEGER NOT NULL,
            edges BIGINT NOT NULL,
            authority_iterations INTEGER,
            weights JSON
        )""",
        """CREATE TABLE scores (
            run_id INTEGER NOT NULL,
            node_id VARCHAR NOT NULL,
            network VARCHAR,
            account_id VARCHAR,
            handle VARCHAR,
            score INTEGER NOT NULL,
            exact DOUBLE NOT NULL,
            low INTEGER NOT NULL,
            high INTEGER NOT NULL,
            data_level VARCHAR NOT NULL
        )""",
        """CREATE TABLE score_components (
            run_id INTEGER NOT NULL,
            node_id VARCHAR NOT NULL,
            component VARCHAR NOT NULL,
            value DOUBLE NOT NULL,
            percentile DOUBLE NOT NULL,
            weight DOUBLE NOT NULL,
            contribution DOUBLE NOT NULL
        )""",
        """CREATE TABLE score_features (
            run_id INTEGER NOT NULL,
            node_id VARCHAR NOT NULL,
            followers_stat DOUBLE, listed_stat DOUBLE, mentions_stat DOUBLE, reposts_stat DOUBLE,
            followers_seen DOUBLE, engagers INTEGER, posts INTEGER, amplified_posts INTEGER,
            unamplified_posts INTEGER, amplifiers INTEGER, amplifications INTEGER, replied_posts INTEGER,
            unreplied_posts INTEGER, repliers INTEGER, replies INTEGER, max_depth INTEGER, mentioners INTEGER,
            lists INTEGER, authority DOUBLE
        )""",
        """CREATE TABLE score_supporters (
            run_id INTEGER NOT NULL,
            node_id VARCHAR NOT NULL,
            supporter VARCHAR NOT NULL,
            role VARCHAR NOT NULL,
            credit DOUBLE NOT NULL,
            events INTEGER NOT NULL
        )""",
    ],
    # 3: topics: the taxonomy last used, post topics, and account expertise with its evidence
    [
        """CREATE TABLE topic_runs (
            fingerprint VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            model VARCHAR NOT NULL,
            classified_at TIMESTAMP NOT NULL,
            posts BIGINT NOT NULL,
            accounts BIGINT NOT NULL
        )""",
        """CREATE TABLE topics (
            topic_id VARCHAR NOT NULL,
            name VARCHAR NOT NULL,
            parents VARCHAR[],
            description VARCHAR
        )""",
        """CREATE TABLE post_topics (
            network VARCHAR NOT NULL,
            post_id VARCHAR NOT NULL,
            topic_id VARCHAR NOT NULL,
            score DOUBLE NOT NULL
        )""",
        """CREATE TABLE account_topics (
            network VARCHAR NOT NULL,
            account_id VARCHAR NOT NULL,
            topic_id VARCHAR NOT NULL,
            confidence DOUBLE NOT NULL,
            level VARCHAR NOT NULL,
            posts INTEGER NOT NULL,
            weeks INTEGER NOT NULL,
            reactors INTEGER NOT NULL,
            lists INTEGER NOT NULL,
            bio BOOLEAN NOT NULL,
            evidence JSON
        )""",
    ],
    # 4: communities in the interaction graph (the last detection run)
    [
        """CREATE TABLE community_runs (
            computed_at TIMESTAMP NOT NULL,
            method VARCHAR NOT NULL,
            resolution DOUBLE NOT NULL,
            seed INTEGER NOT NULL,
            modularity DOUBLE,
            communities INTEGER NOT NULL,
            accounts INTEGER NOT NULL
        )""",
        """CREATE TABLE communities (
            network VARCHAR NOT NULL,
            account_id VARCHAR NOT NULL,
            community INTEGER NOT NULL
        )""",
    ],
    # 5: provenance: every stored record lists each import (file) that brings it, so replacing one
    # file's import removes only what no other import still brings; an import remembers the options
    # it was read with and a stamp (size, modification time) that spots an untouched file unread
    [
        *(f"ALTER TABLE {table} ADD COLUMN sources INTEGER[]"
          for table in ("accounts", "posts", "interactions", "list_memberships")),
        *(f"UPDATE {table} SET sources = [import_id] WHERE import_id IS NOT NULL"
          for table in ("accounts", "posts", "interactions", "list_memberships")),
        "ALTER TABLE imports ADD COLUMN stamp VARCHAR",
        "ALTER TABLE imports ADD COLUMN options VARCHAR",
    ],
    # 6: topics: the posts classified under the taxonomy and model of topic_runs (with a hash of what was
    # read, so a re-run classifies only new or changed posts), and topics accounts only say of themselves
    [
        """CREATE TABLE topic_posts (
            network VARCHAR NOT NULL,
            post_id VARCHAR NOT NULL,
            content UBIGINT NOT NULL
        )""",
        """CREATE TABLE self_described_topics (
            network VARCHAR NOT NULL,
            account_id VARCHAR NOT NULL,
            topic_id VARCHAR NOT NULL,
            confidence DOUBLE NOT NULL,
            terms INTEGER NOT NULL
        )""",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)


def current_version(con) -> int:
    exists = con.execute(  # duckdb_tables(), not information_schema: its first query costs tens of ms
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return row[0] or 0


def migrate(con, path) -> int:
    """Bring the workspace at ``path`` up to :data:`SCHEMA_VERSION`; return the version it had."""
    version = current_version(con)
    if version > SCHEMA_VERSION:
        raise WorkspaceError(
            f"{Path(path).name} has schema version {version}, newer than this Stature knows ({SCHEMA_VERSION}). "
            "Upgrade Stature to open it."
        )
    if version == SCHEMA_VERSION:
        return version
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMP)")
        for number in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[number - 1]:
                con.execute(statement)
            con.execute("INSERT INTO schema_version VALUES (?, now()::TIMESTAMP)", [number])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return version
