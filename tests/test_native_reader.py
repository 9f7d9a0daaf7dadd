"""Big files are read by DuckDB (native readers): the same records as the Python readers."""
import csv as _csv
import gzip
import json

from pathlib import Path

import duckdb
import pytest

import sys

import stature.ingest  # noqa: F401  (the module, shadowed by the function of the same name)
from stature import ImportFormatError, Workspace, ingest
from stature.generate import generate
from stature.workspace import Writer

from conftest import dataset


def _tables(path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    out = {t: sorted(con.execute(f"SELECT * EXCLUDE (import_id) FROM {t}").fetchall(), key=repr)
           for t in ("accounts", "posts", "interactions")}
    con.close()
    return out


@pytest.fixture
def always_native(monkeypatch):
    monkeypatch.setattr(sys.modules["stature.ingest"], "NATIVE_MIN_BYTES", 0)


def test_native_and_python_readers_agree(tmp_path, always_native):
    made = generate(tmp_path / "gen", accounts=300, seed=3)
    tweets = made["paths"]["tweets"]
    for name, native in (("native", True), ("python", False)):
        with Workspace(tmp_path / f"{name}.duckdb") as ws:
            ingest(ws, [tweets], native=native)
    native, python = _tables(tmp_path / "native.duckdb"), _tables(tmp_path / "python.duckdb")
    assert native["posts"] and native["interactions"]
    for table in native:
        assert native[table] == python[table], table


def test_native_reader_gives_way_on_a_malformed_line(tmp_path, always_native):
    from stature import ImportFormatError

    made = generate(tmp_path / "gen", accounts=60, seed=1)
    lines = open(made["paths"]["tweets"]).read().splitlines()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines[:5] + ['{"id_str": "1", "user": '] + lines[5:]) + "\n")
    with Workspace(tmp_path / "ws.duckdb") as ws:
        with pytest.raises(ImportFormatError, match="line 6"):
            ingest(ws, [bad])
        assert ws.status()["posts"] == 0
        report = ingest(ws, [bad], skip_bad=True)
        assert any("line 6" in s for f in report.files for s in f.skipped)
        assert ws.status()["posts"] > 0


def test_native_reader_gives_way_to_lines_it_does_not_know(tmp_path, always_native):
    made = generate(tmp_path / "gen", accounts=60, seed=1)
    lines = open(made["paths"]["tweets"]).read().splitlines()
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join(lines + [json.dumps({"delete": {"status": {"id_str": "5"}}})]) + "\n")
    with Workspace(tmp_path / "a.duckdb") as a, Workspace(tmp_path / "b.duckdb") as b:
        ingest(a, [mixed])
        ingest(b, [made["paths"]["tweets"]], native=False)
        assert a.status()["posts"] == b.status()["posts"]


# --- CSV tables: DuckDB's reader gives what csv_tables gives ------------------------------------------------


@pytest.fixture
def native_runs(monkeypatch, always_native):
    """How many files the native reader staged (0 means every file went to the Python reader)."""
    calls = []
    original = Writer.stage_native

    def spy(self, plan):
        calls.append(plan)
        return original(self, plan)

    monkeypatch.setattr(Writer, "stage_native", spy)
    return calls


def _both(tmp_path, paths, **options) -> tuple[dict, dict]:
    """The tables after importing ``paths`` natively and in Python, each into a fresh workspace."""
    out = []
    for name, native in (("native", True), ("python", False)):
        target = tmp_path / f"{name}.duckdb"
        with Workspace(target) as ws:
            ingest(ws, paths, native=native, **options)
        con = duckdb.connect(str(target), read_only=True)
        out.append({t: sorted(con.execute(f"SELECT * EXCLUDE (import_id) FROM {t}").fetchall(), key=repr)
                    for t in ("accounts", "posts", "interactions", "list_memberships")})
        con.close()
        target.unlink()
    return out[0], out[1]


def _posts_csv(path, rows, header=("post_id", "account_id", "handle", "text", "created_at", "like_count")):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = _csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_native_csv_posts_agree_with_python_on_real_tweets(tmp_path, native_runs):
    """12,118 real tweets (many languages, emoji, links, hashtags, @mentions of one another)."""
    with gzip.open(dataset("fivethirtyeight/mayweather-mcgregor_tweets.csv.gz"), "rt", encoding="utf-8") as f:
        rows = [(r["id"], "u" + r["screen_name"].lower(), r["screen_name"], r["text"], r["created_at"], "")
                for r in _csv.DictReader(f)]
    path = _posts_csv(tmp_path / "posts.csv", rows)
    native, python = _both(tmp_path, [path])
    assert len(native_runs) == 1
    assert len(native["posts"]) == len(rows)
    with_tags = [p for p in native["posts"] if p[14]]
    with_mentions = [p for p in native["posts"] if p[15]]
    assert len(with_tags) > 5000 and len(with_mentions) > 100
    for table in native:
        assert native[table] == python[table], table


def test_native_csv_tables_agree_with_python_on_a_generated_community(tmp_path, native_runs):
    made = generate(tmp_path / "gen", accounts=400, seed=5)
    rows = []
    for line in open(made["paths"]["tweets"], "rb"):
        t = json.loads(line)
        if "retweeted_status" not in t:
            rows.append((t["id_str"], t["user"]["id_str"], t["user"]["screen_name"], t["text"], t["created_at"],
                         t["favorite_count"]))
    posts = _posts_csv(tmp_path / "posts.csv", rows)
    files = [posts] + [made["paths"][k] for k in ("interactions", "accounts", "lists")]
    native, python = _both(tmp_path, files)
    assert len(native_runs) == 4
    assert native["posts"] and native["interactions"] and native["list_memberships"]
    assert any(p[15] for p in native["posts"])  # mentions resolved through the handle column
    for table in native:
        assert native[table] == python[table], table


EDGE_TEXTS = [
    "#a #b\n#c x#d &#e ##f #g#h é#i #ü\u0301x (#paren) #日本語 #١٢٣ #tag_with_underscore",
    "@alice,@bob;@ALICE @" + "a" * 60 + " @nobody x@alice @@alice (@bob)",
    "links https://example.org/a. http://x.y/z?q=1&r=2), https://a.b/c!?; https://t.co/\u3000next https://e.f/\"q",
    "tabs\tand\u00a0odd spaces\u2028line sep https://x.org/\u00a0y",
    "",
    "commas, \"quotes\", and ''apostrophes''",
    "emoji 😃#McGregor@bob https://t.co/mJHDvLfIVc😃",
]


def test_native_csv_matches_python_on_edge_texts_ids_and_numbers(tmp_path, native_runs):
    rows = [(str(i), "\u2003" + ("10" if i % 2 else "20") + " ", ("@alice" if i % 2 else " bob"), text,
             "2024-03-01T10:00:00Z", ("1.", "+5", "7e1", "", ".5", "0", "3")[i % 7])
            for i, text in enumerate(EDGE_TEXTS * 3)]
    native, python = _both(tmp_path, [_posts_csv(tmp_path / "posts.csv", rows)], network="mastodon")
    assert len(native_runs) == 1
    for table in native:
        assert native[table] == python[table], table
    assert any(p[15] for p in native["posts"])


@pytest.mark.parametrize("content, reason", [
    ('post_id,account_id,text\n1,a,fine\n2,b,"x"y\n', "a stray quote"),
    ("post_id,account_id,text\n1,a,fine\n2,b\n", "a short row"),
    ("post_id,account_id,text,like_count\n1,a,fine,1_000\n", "a number float() reads and DuckDB's pattern does not"),
    ("post_id,account_id,text,like_count\n1,a,fine,many\n", "not a number"),
    ("post_id,account_id,text\n1, ,empty author\n", "an empty id"),
    ('post_id,account_id,text\n1,a, "spaced quote"\n', "a blank before a quote"),
    ('post_id,account_id,text\n1,a,"closing" \n', "a blank after a quote"),
    ('post_id,account_id,text\n1,a,"a lone\rcarriage return"\n', "a lone carriage return"),
    ("source,target,kind\na,b,poke\n", "an unknown kind"),
    ("source,target,kind\na,,follow\n", "an empty target"),
])
def test_native_csv_leaves_what_it_cannot_vouch_for_to_python(tmp_path, native_runs, content, reason):
    path = tmp_path / "t.csv"
    path.write_bytes(content.encode("utf-8"))
    native, python = _both(tmp_path, [path], skip_bad=True)
    assert native_runs == [], reason
    assert native == python


def test_native_csv_bad_row_is_named_by_file_and_line(tmp_path, native_runs):
    rows = [(str(i), "a", "a", f"post {i}", "", "1") for i in range(50)]
    path = _posts_csv(tmp_path / "posts.csv", rows)
    lines = path.read_text().splitlines()
    lines[30] = "30,a,a,post 30,,lots"
    path.write_text("\n".join(lines) + "\n")
    with Workspace(tmp_path / "ws.duckdb") as ws:
        with pytest.raises(ImportFormatError, match=r"posts\.csv, line 31: .*like_count.*'lots'"):
            ingest(ws, [path])
        assert ws.status()["posts"] == 0
    assert native_runs == []


def test_native_csv_accepts_crlf_bom_quoted_newlines_and_blank_lines(tmp_path, native_runs):
    text = ('\ufeffpost_id,account_id,handle,text\r\n1,10,alice,"two\r\nlines, @bob"\r\n\r\n'
            '2,20,bob,"say ""hi"" #x"\r\n')
    path = tmp_path / "posts.csv"
    path.write_bytes(text.encode("utf-8"))
    native, python = _both(tmp_path, [path])
    assert len(native_runs) == 1 and native == python
    assert {p[4] for p in native["posts"]} == {"two\r\nlines, @bob", 'say "hi" #x'}


def test_word_class_is_pythons_word_class():
    import re as _re
    from stature.importers.csv_native import WHITESPACE, word_class

    everything = "".join(map(chr, range(0x110000)))
    con = duckdb.connect()
    words = "".join(c for c in everything if _re.match(r"\w", c))
    # the class, applied by DuckDB to every word character Python knows, keeps them all ...
    assert con.execute(f"SELECT length(regexp_replace(?, '[{word_class()}]', '', 'g'))", [words]).fetchone()[0] == 0
    # ... and no other character
    others = "".join(c for c in everything if not _re.match(r"\w", c) and not 0xD800 <= ord(c) < 0xE000)
    assert con.execute(f"SELECT length(regexp_replace(?, '[^{word_class()}]', '', 'g'))", [others]).fetchone()[0] == 0
    assert WHITESPACE == "".join(c for c in everything if c.isspace())


# --- Twitter API v2 pages: DuckDB's reader gives what twitter_v2 gives -----------------------------------

def _bench_data():
    """benchmarks/ingest_data.py, which writes the other formats from a generated community."""
    import importlib.util
    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("ingest_data", ROOT / "benchmarks" / "ingest_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["brexit.jsonl", "mentions_tweet.jsonl"])
def test_native_v2_agrees_with_python_on_real_pages(tmp_path, native_runs, name):
    native, python = _both(tmp_path, [dataset(f"formats/twitter-api-v2/{name}")])
    assert len(native_runs) == 1
    assert native["posts"] or native["interactions"]
    for table in native:
        assert native[table] == python[table], table


def test_native_v2_brexit_counts(tmp_path, native_runs):
    with Workspace(tmp_path / "ws.duckdb") as ws:
        ingest(ws, [dataset("formats/twitter-api-v2/brexit.jsonl")])
        s = ws.status()
    assert len(native_runs) == 1
    assert s["posts"] == 88 and s["accounts"] == 185


def test_native_v2_agrees_with_python_on_generated_pages(tmp_path, native_runs):
    made = generate(tmp_path / "gen", accounts=300, seed=4)
    path = tmp_path / "v2.jsonl"
    _bench_data().twitter_v2(made["paths"]["tweets"], path, page=37)
    native, python = _both(tmp_path, [path])
    assert len(native_runs) == 1
    assert native["posts"] and any(i[1] == "repost" for i in native["interactions"])
    for table in native:
        assert native[table] == python[table], table


def test_native_v2_keeps_what_python_keeps_of_an_account_seen_on_several_pages(tmp_path, native_runs):
    """One staged row an account: the last name given, the highest count, the latest time, a mention
    before the account's own profile, as the Python reader's rows give them merged."""
    page = json.loads(dataset("formats/twitter-api-v2/brexit.jsonl").read_text().splitlines()[0])
    post = next(t for t in page["data"] if t.get("entities", {}).get("mentions")
                and all(r["type"] != "retweeted" for r in t.get("referenced_tweets", ())))
    mentioned = post["entities"]["mentions"][0]["id"]
    first = json.loads(json.dumps(page))  # the mentioned account's profile left out: only the mention names it
    first["includes"]["users"] = [u for u in first["includes"]["users"] if u["id"] != mentioned]
    second = json.loads(json.dumps(page))
    for u in second["includes"]["users"]:
        u["username"] += "_2"
        u["name"] = None
        u["public_metrics"]["followers_count"] = 1
        u["created_at"] = u["created_at"].replace(".000Z", "Z")
    third = json.loads(json.dumps(first))  # mentioned again, not the first time: the second page's name stays
    for u in third["includes"]["users"][::2]:
        u["username"] += "_3"
        u["description"] = "later"
        u["public_metrics"]["followers_count"] += 5
        u["created_at"] = u["created_at"].replace("Z", "+01:00")
    path = tmp_path / "pages.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in (first, second, third)))
    native, python = _both(tmp_path, [path])
    assert len(native_runs) == 1
    for table in native:
        assert native[table] == python[table], table
    handles = {a[1]: a[2] for a in native["accounts"]}
    assert handles[mentioned] == post["entities"]["mentions"][0]["username"] + "_2"
    assert sum(h.endswith("_3") for h in handles.values()) == len(third["includes"]["users"][::2])


@pytest.mark.slow
def test_native_v2_reads_a_page_of_70000_tweets_and_a_tweet_of_5000_mentions_as_python_does(tmp_path, native_runs):
    """The places that order accounts and mentions have room for any list a 64 MiB line can hold: an
    account first mentioned by the 66,000th tweet, or by the 4,500th mention of a tweet, keeps that name."""
    page = json.loads(dataset("formats/twitter-api-v2/brexit.jsonl").read_text().splitlines()[0])
    tweet = next(t for t in page["data"] if t.get("entities", {}).get("mentions")
                 and all(r["type"] != "retweeted" for r in t.get("referenced_tweets", ())))
    small = dict(text="a", created_at=tweet["created_at"], entities={"mentions": tweet["entities"]["mentions"][:1]})
    authors = page["includes"]["users"]
    many = [dict(small, id=str(10**18 + n), author_id=authors[n % 150]["id"]) for n in range(70_000)]
    x, y = "3000000001", "3000000002"
    many[65_999] = dict(many[65_999], entities={"mentions": [{"id": x, "username": "x_data"}]})
    many[-2] = dict(many[-2], entities={"mentions": [{"id": str(2 * 10**9 + j), "username": f"u{j}"} for j in range(5000)]})
    many[-2]["entities"]["mentions"][4499] = {"id": y, "username": "y_first"}
    many[-1] = dict(many[-1], entities={"mentions": [{"id": y, "username": "y_later"}]})
    included = dict(small, id=str(10**18 + 70_000), author_id=authors[0]["id"],
                    entities={"mentions": [{"id": x, "username": "x_included"}]})
    long_page = dict(page, data=many, includes=dict(page["includes"], tweets=[included]))
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps(long_page) + "\n" + json.dumps(page) + "\n")
    native, python = _both(tmp_path, [path])
    assert len(native_runs) == 1 and len(native["posts"]) > 70_000
    for table in native:
        assert native[table] == python[table], table
    handles = {a[1]: a[2] for a in native["accounts"]}
    assert handles[x] == "x_data" and handles[y] == "y_first"


@pytest.mark.parametrize("name", ["users.jsonl", "lists.jsonl"])
def test_native_v2_leaves_other_pages_to_python(tmp_path, native_runs, name):
    native, python = _both(tmp_path, [dataset(f"formats/twitter-api-v2/{name}")])
    assert native_runs == [] and native == python


def test_native_v2_tweet_without_author_is_named_by_line(tmp_path, native_runs):
    lines = dataset("formats/twitter-api-v2/brexit.jsonl").read_text().splitlines()
    page = json.loads(lines[0])
    del page["data"][3]["author_id"]
    path = tmp_path / "bad.jsonl"
    path.write_text(lines[0] + "\n" + json.dumps(page) + "\n")
    with Workspace(tmp_path / "ws.duckdb") as ws:
        with pytest.raises(ImportFormatError, match=r"bad\.jsonl, line 2, item 4"):
            ingest(ws, [path])
    assert native_runs == []


@pytest.mark.slow
def test_native_v2_agrees_with_python_on_every_twarc_test_file(tmp_path, native_runs):
    import tarfile

    with tarfile.open(dataset("formats/twitter-api-v2/twarc_csv_test_data.tgz")) as archive:
        members = [m for m in archive.getmembers() if m.isfile() and m.name.endswith(".jsonl")]
        for member in members:
            path = tmp_path / member.name.replace("/", "_")
            path.write_bytes(archive.extractfile(member).read())
            native, python = _both(tmp_path, [path], skip_bad=True, format="twitter-v2")
            assert native == python, member.name
    assert len(native_runs) >= 10


# --- X archive tweets: DuckDB's reader gives what x_archive gives --------------------------------------------

def test_native_x_archive_agrees_with_python_on_the_real_archive(tmp_path, native_runs):
    native, python = _both(tmp_path, [dataset("formats/x-archive")])
    assert len(native_runs) == 1  # tweet.js; the other files are small JSON the Python reader takes
    assert len(native["posts"]) == 58 and native["interactions"]
    for table in native:
        assert native[table] == python[table], table


def test_native_x_archive_agrees_with_python_on_a_generated_archive(tmp_path, native_runs):
    made = generate(tmp_path / "gen", accounts=300, seed=6)
    _bench_data().x_archive(made["paths"]["tweets"], tmp_path / "archive")
    native, python = _both(tmp_path, [tmp_path / "archive"])
    assert len(native_runs) == 1
    assert native["posts"] and any(i[1] == "repost" for i in native["interactions"])
    for table in native:
        assert native[table] == python[table], table


def test_native_x_archive_record_without_id_is_named(tmp_path, native_runs):
    made = generate(tmp_path / "gen", accounts=40, seed=6)
    archive = tmp_path / "archive"
    _bench_data().x_archive(made["paths"]["tweets"], archive)
    text = (archive / "tweets.js").read_text()
    (archive / "tweets.js").write_text(text.replace('"id_str":', '"idx":', 2).replace('"id":', '"idy":', 2))
    with Workspace(tmp_path / "ws.duckdb") as ws:
        with pytest.raises(ImportFormatError, match=r"tweets\.js, record 1"):
            ingest(ws, [archive])
    assert native_runs == []


# --- the content hash, taken in the pass that reads the file -------------------------------------------------

def _stored_digest(path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    (digest,) = con.execute("SELECT sha256 FROM imports").fetchone()
    con.close()
    return digest


def test_native_readers_hash_the_file_as_they_read_it_never_in_a_pass_of_their_own(tmp_path, native_runs,
                                                                                  monkeypatch):
    import hashlib

    made = generate(tmp_path / "gen", accounts=80, seed=2)
    tweets = Path(made["paths"]["tweets"])
    v2 = tmp_path / "v2.jsonl"
    _bench_data().twitter_v2(tweets, v2, page=20)
    posts = _posts_csv(tmp_path / "posts.csv", [("1", "a", "ann", "hi @bob #tag", "2024-01-01", "3"),
                                                 ("2", "b", "bob", "ok", "2024-01-02", "")])
    archive = tmp_path / "archive"
    _bench_data().x_archive(tweets, archive)
    monkeypatch.setattr(sys.modules["stature.ingest"], "_digest", lambda entry: pytest.fail("hashed again"))
    for n, path in enumerate([tweets, v2, posts, archive / "tweets.js"]):
        with Workspace(tmp_path / f"ws{n}.duckdb") as ws:
            ingest(ws, [path])
        assert _stored_digest(tmp_path / f"ws{n}.duckdb") == hashlib.sha256(path.read_bytes()).hexdigest(), path
    assert len(native_runs) == 4

