"""CSV tables: posts, interactions and account statistics, each told by its header."""
from __future__ import annotations

import csv

import pytest

from stature import ImportFormatError, ingest
from stature.importers import detect, entries

from conftest import dataset


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


POSTS = """Post_ID , Account_ID,handle,text,created_at,reply_to_post_id,reply_to_account_id,like_count,lang
1,10,alice,"Hello #OpenData, see https://example.org/a. cc @Bob @nobody",2024-03-01T10:00:00Z,,,5,en
2,20,bob,"@alice agreed, ""quoted"" and
a second line",2024-03-01T11:00:00Z,1,10,2,en
3,30,carol,Mentioning @ALICE by any case,Wed Feb 10 18:59:53 +0000 2021,,,,en
"""


def test_posts_table_is_recognised_by_its_header(tmp_path):
    path = write(tmp_path / "anything.txt", POSTS)
    assert detect(entries(path)[0]).name == "csv"


def test_posts_table_imports_posts_replies_hashtags_links_and_known_mentions(tmp_path, workspace):
    report = ingest(workspace, [write(tmp_path / "posts.csv", POSTS)])
    assert report.files[0].format == "csv"
    s = workspace.status()
    assert s["posts"] == 3 and s["replies"] == 1
    rows = workspace.sql("SELECT post_id, hashtags, links, mentions, like_count, lang, network, "
                         "strftime(created_at, '%Y-%m-%d %H:%M') FROM posts ORDER BY post_id")
    assert rows[0][1:7] == (["OpenData"], ["https://example.org/a"], ["20"], 5, "en", "csv")
    assert rows[1][3] == ["10"]          # @alice is the handle of account 10
    assert rows[2][3] == ["10"]          # matched case-insensitively
    assert rows[2][7] == "2021-02-10 18:59"
    text = workspace.sql("SELECT text FROM posts WHERE post_id = '2'")[0][0]
    assert text == '@alice agreed, "quoted" and\na second line'
    # @nobody has no known id: it stays in the text only
    mentions = workspace.sql("SELECT source_id, target_id FROM interactions WHERE kind = 'mention' ORDER BY 1")
    assert mentions == [("10", "20"), ("20", "10"), ("30", "10")]
    assert workspace.sql("SELECT source_id, target_id FROM interactions WHERE kind = 'reply'") == [("20", "10")]
    handles = dict(workspace.sql("SELECT account_id, handle FROM accounts"))
    assert handles == {"10": "alice", "20": "bob", "30": "carol"}


def test_network_comes_from_the_option(tmp_path, workspace):
    ingest(workspace, [write(tmp_path / "posts.csv", POSTS)], network="mastodon")
    assert workspace.sql("SELECT DISTINCT network FROM posts") == [("mastodon",)]


INTERACTIONS = """source,target,kind,time,weight,post_id
a,b,follow,2024-01-01,,
a,c,Mention,,2.5,
b,a,repost,1700000000,,p1
c,,like,,,p9
b,c,block,,,
"""


def test_interactions_table_imports_each_kind(tmp_path, workspace):
    ingest(workspace, [write(tmp_path / "edges.csv", INTERACTIONS)], network="x")
    rows = workspace.sql("SELECT kind, source_id, target_id, post_id, weight, strftime(time, '%Y-%m-%d') "
                         "FROM interactions ORDER BY kind")
    assert rows == [
        ("block", "b", "c", None, None, None),
        ("follow", "a", "b", None, None, "2024-01-01"),
        ("like", "c", None, "p9", None, None),
        ("mention", "a", "c", None, 2.5, None),
        ("repost", "b", "a", "p1", None, "2023-11-14"),
    ]


def test_unknown_interaction_kind_is_a_bad_record(tmp_path, workspace):
    path = write(tmp_path / "edges.csv", "source,target,kind\na,b,follow\na,b,poke\n")
    with pytest.raises(ImportFormatError, match=r"line 3: .*'poke' is not one of"):
        ingest(workspace, [path])
    assert workspace.status()["interactions"]["follow"] == 0


STATS = """account_id,handle,followers_count,following_count,listed_count,mentions_received,posts_count
1,@ann,1200,300,12,7.69082373179,
2,ben,5,10,0,0.1005,2.83
"""


def test_account_statistics_keep_fractional_rates(tmp_path, workspace):
    ingest(workspace, [write(tmp_path / "stats.csv", STATS)])
    rows = workspace.sql("SELECT account_id, handle, followers_count, mentions_received, posts_count "
                         "FROM accounts ORDER BY account_id")
    assert rows == [("1", "ann", 1200.0, 7.69082373179, None), ("2", "ben", 5.0, 0.1005, 2.83)]


def test_header_of_no_known_table_is_not_matched(tmp_path):
    for header in ("name,party\n", "account_id,colour\n", "source,target\n", "post_id,text\n",
                   "account_id,account_id,handle\n"):
        path = write(tmp_path / "other.csv", header + "x,y\n")
        assert detect(entries(path)[0]) is None, header


@pytest.mark.parametrize("row, why", [
    ("3,carl,12,4", "has 4 columns where the header has 3"),
    ("3,carl,many", "the followers_count column holds 'many', which is not a number"),
    (",carl,12", "the account_id column is empty"),
    ("3,carl,-1", "should be a number, 0 or more"),
    ("3,carl,nan", "should be a number, 0 or more"),
])
def test_bad_row_is_named_with_its_line(tmp_path, workspace, row, why):
    path = write(tmp_path / "stats.csv", f"account_id,handle,followers_count\n1,ann,5\n\n2,ben,6\n{row}\n")
    with pytest.raises(ImportFormatError) as caught:
        ingest(workspace, [path])
    assert "line 5" in str(caught.value) and why in str(caught.value)
    assert workspace.status()["accounts"] == 0  # the file imports all or nothing


def test_bad_csv_quoting_is_named_with_its_line(tmp_path, workspace):
    path = write(tmp_path / "edges.csv", "source,target,kind\na,b,follow\n\"c" + "x" * (2 << 20) + ",d,follow\n")
    with pytest.raises(ImportFormatError, match=r"line 3: is not valid CSV"):
        ingest(workspace, [path])


def test_skip_bad_lists_bad_rows_and_imports_the_rest(tmp_path, cli):
    path = write(tmp_path / "edges.csv", "source,target,kind,weight\na,b,follow,\nb,c,stalk,\n"
                                         "c,a,follow,heavy\nc,d\nd,a,follow,1\n")
    result = cli("ingest", "--skip-bad", path)
    assert result.exit_code == 0, result.output
    assert "line 3" in result.output and "'stalk'" in result.output
    assert "line 4" in result.output and "'heavy'" in result.output
    assert "line 5" in result.output and "has 2 columns" in result.output
    assert "added 3 accounts, 0 posts, 2 interactions" in result.output


def test_progress_reports_every_byte(tmp_path):
    from stature.importers import Context
    path = write(tmp_path / "posts.csv", POSTS)
    entry = entries(path)[0]
    seen = []
    ctx = Context(progress=seen.append)
    ctx.entry = entry
    list(detect(entry).read(entry, ctx))
    assert sum(seen) == path.stat().st_size


PEER_FIELDS = {"follower_count": "followers_count", "following_count": "following_count",
               "listed_count": "listed_count", "mentions_received": "mentions_received",
               "retweets_received": "reposts_received", "mentions_sent": "mentions_sent",
               "retweets_sent": "reposts_sent", "posts": "posts_count"}


def peerindex_users(path) -> list[tuple]:
    """The distinct users of PeerIndex's pairs: a user is its feature vector (it carries no id)."""
    users = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            for side in "AB":
                vector = tuple(row[f"{side}_{name}"] for name in PEER_FIELDS)
                users.setdefault(vector, len(users) + 1)
    return list(users)


def test_peerindex_users_import_as_account_statistics(tmp_path, workspace):
    users = peerindex_users(dataset("peerindex/pairs_dev.csv"))
    path = tmp_path / "peerindex_users.csv"
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["account_id", *PEER_FIELDS.values()])
        for number, vector in enumerate(users, 1):
            out.writerow([f"u{number}", *vector])
    report = ingest(workspace, [path], network="peerindex")
    assert report.files[0].format == "csv"
    assert workspace.status()["accounts"] == len(users) == 386
    stored = workspace.sql("SELECT followers_count, following_count, listed_count, mentions_received, "
                           "reposts_received, mentions_sent, reposts_sent, posts_count FROM accounts "
                           "WHERE network = 'peerindex' ORDER BY account_id[2:]::INT")
    assert [tuple(float(v) for v in u) for u in users] == stored
    assert any(v != int(v) for row in stored for v in row)  # the rates are fractional


def test_list_memberships_table_imports_lists(tmp_path, workspace):
    path = write(tmp_path / "lists.csv", "list_id,member_id,list_name,owner_id,owner_handle\n"
                                         "ann/space,2,Space people,1,@ann\nann/space,3,Space people,1,ann\n")
    ingest(workspace, [path])
    rows = workspace.sql("SELECT list_id, member_id, list_name, owner_id, owner_handle FROM list_memberships "
                         "ORDER BY member_id")
    assert rows == [("ann/space", "2", "Space people", "1", "ann"), ("ann/space", "3", "Space people", "1", "ann")]


def test_network_column_wins_over_the_option(tmp_path, workspace):
    path = write(tmp_path / "edges.csv", "network,source,target,kind\ntwitter,a,b,follow\n,b,a,follow\n")
    ingest(workspace, [path], network="bluesky")
    assert workspace.sql("SELECT network, source_id FROM interactions ORDER BY 1") == [
        ("bluesky", "b"), ("twitter", "a")]
