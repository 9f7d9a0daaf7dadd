import gzip
import json
import zipfile

import pytest

from stature import ImportFormatError, ingest
from stature.importers.mastodon import author_of, html_to_text

from conftest import dataset

ARCHIVE = "formats/mastodon-archive"
OWNER = "https://indieweb.social/users/dealingwith"


def test_mastodon_archive_counts(workspace):
    ingest(workspace, [dataset(ARCHIVE)])
    s = workspace.status()
    # 1,260 Create activities, of which 35 direct messages are left out
    assert s["posts"] == 1225
    assert s["replies"] == 404
    assert s["interactions"]["repost"] == 326
    assert s["interactions"]["like"] == 1115
    assert s["interactions"]["reply"] == 404
    assert set(s["networks"]) == {"mastodon"}


def test_direct_messages_only_with_include_direct(workspace):
    ingest(workspace, [dataset(ARCHIVE)], include_direct=True)
    assert workspace.status()["posts"] == 1260
    by_visibility = dict(workspace.sql("SELECT visibility, count(*) FROM posts GROUP BY 1"))
    assert by_visibility == {"public": 1169, "unlisted": 16, "followers": 40, "direct": 35}


def test_reimport_changes_nothing(workspace):
    ingest(workspace, [dataset(ARCHIVE)])
    before = workspace.status()
    rows = workspace.sql("SELECT count(*), count(DISTINCT post_id) FROM posts")
    again = ingest(workspace, [dataset(ARCHIVE)])
    assert {f.status for f in again.files} == {"unchanged"}
    assert workspace.status() == before
    assert workspace.sql("SELECT count(*), count(DISTINCT post_id) FROM posts") == rows


def test_zip_of_the_archive_imports_the_same(tmp_path, workspace):
    folder = dataset(ARCHIVE)
    ingest(workspace, [folder])
    expected = {k: v for k, v in workspace.status().items() if k != "workspace"}

    from stature import Workspace
    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in folder.iterdir():
            z.write(path, f"archive/{path.name}")
    with Workspace(tmp_path / "zip.duckdb") as other:
        report = ingest(other, [archive])
        assert [f.format for f in report.files] == ["mastodon"] * 3
        assert {k: v for k, v in other.status().items() if k != "workspace"} == expected


def test_owner_account_comes_from_actor_json(workspace):
    ingest(workspace, [dataset(ARCHIVE)])
    handle, name, bio, created = workspace.sql(
        "SELECT handle, display_name, bio, created_at::DATE::VARCHAR FROM accounts WHERE account_id = ?", [OWNER])[0]
    assert handle == "dealingwith@indieweb.social"
    assert name == "dealingwith"
    assert bio == "ennui. far too much more info at link below"  # HTML summary as plain text
    assert created == "2022-11-07"
    authors = workspace.sql("SELECT DISTINCT author_id FROM posts")
    assert authors == [(OWNER,)]


def test_html_content_becomes_text_with_links_but_not_mentions(workspace):
    ingest(workspace, [dataset(ARCHIVE)])
    url = "https://daniel.industries/2022/11/07/less-twitter-more-indieweb/"
    body, links, lang = workspace.sql("SELECT text, links, lang FROM posts WHERE post_id = ?",
                                      [OWNER + "/statuses/109305976208011760"])[0]
    assert body.startswith("As Twitter crashes and burns")
    assert body.endswith(url) and "<" not in body  # the hidden "https://" span is part of the URL
    assert links == [url]
    assert lang == "en"
    body, links, mentions, reply_to = workspace.sql(
        "SELECT text, links, mentions, reply_to_account_id FROM posts WHERE post_id = ?",
        [OWNER + "/statuses/109309145334822499"])[0]
    assert body == "@mcg 😜"
    assert links == []  # the mention's profile link is not a link
    assert mentions == ["https://social.lol/users/mcg"]
    assert reply_to == "https://social.lol/users/mcg"
    handle = workspace.sql("SELECT handle FROM accounts WHERE account_id = 'https://social.lol/users/mcg'")
    assert handle == [("mcg@social.lol",)]


def test_hashtags_are_read_from_tags(workspace):
    ingest(workspace, [dataset(ARCHIVE)])
    tagged, total, with_links_to_tags = workspace.sql(
        "SELECT count(*) FILTER (WHERE len(hashtags) > 0), sum(len(hashtags)), "
        "count(*) FILTER (WHERE len(list_filter(links, lambda l: l LIKE '%/tags/%')) > 0) FROM posts")[0]
    assert (tagged, total) == (89, 127)  # the Hashtag tags of the 1,225 imported posts
    assert with_links_to_tags == 0  # hashtag anchors are hashtags, not links
    assert all(not h.startswith("#") for (h,) in workspace.sql("SELECT DISTINCT unnest(hashtags) FROM posts"))


def test_reply_author_is_known_for_other_servers_urls(workspace):
    ingest(workspace, [dataset(ARCHIVE)])
    # the parent https://firefish.tech/notes/... has no /users/ pattern: its author is the one mention there
    target = workspace.sql("SELECT reply_to_account_id FROM posts WHERE reply_to_post_id = ?",
                           ["https://firefish.tech/notes/9mqtfd3vukxt8bvr"])
    assert target == [("https://firefish.tech/users/9lqwoyivb8hu3o32",)]
    # a reply in a thread of the owner's own posts answers the owner
    self_replies = workspace.sql("SELECT count(*) FROM posts WHERE reply_to_account_id = ?", [OWNER])[0][0]
    assert self_replies > 100


def test_boost_and_like_targets_are_derived_from_urls(workspace):
    ingest(workspace, [dataset(ARCHIVE)])
    boost = workspace.sql("SELECT source_id, target_id FROM interactions WHERE kind = 'repost' AND post_id = ?",
                          ["https://mastodon.social/users/s0mmer/statuses/109440048909776763"])
    assert boost == [(OWNER, "https://mastodon.social/users/s0mmer")]
    # a non-Mastodon URL: the boosted author is the one account the boost is addressed to
    boost = workspace.sql("SELECT target_id FROM interactions WHERE kind = 'repost' AND post_id = ?",
                          ["https://threads.net/ap/users/17841403891371853/post/18032616151799699/"])
    assert boost == [("https://threads.net/ap/users/17841403891371853/",)]
    likes = dict(workspace.sql("SELECT post_id, target_id FROM interactions WHERE kind = 'like'"))
    assert likes["https://mastodon.social/users/robotspacer/statuses/100532741303956178"] == \
        "https://mastodon.social/users/robotspacer"
    assert likes["https://calckey.social/notes/9f6pj6hk0i"] is None
    assert sum(t is not None for t in likes.values()) == 1105


def test_author_of_reads_only_the_mastodon_status_pattern():
    assert author_of("https://host.example/users/ann/statuses/123") == "https://host.example/users/ann"
    assert author_of("https://host.example/@ann/123") is None
    assert author_of("https://host.example/users/ann/statuses/123/activity") is None
    assert author_of(None) is None


def test_html_is_read_never_run():
    html = ('<p>a &amp; b<script>alert("x")</script></p><p>line<br>two '
            '<a href="javascript:alert(1)">x</a></p><style>p{}</style>')
    assert html_to_text(html) == "a & b\n\nline\ntwo x"


def _write_outbox(folder, items, actor=True):
    folder.mkdir()
    doc = {"@context": "https://www.w3.org/ns/activitystreams", "type": "OrderedCollection",
           "orderedItems": items}
    with gzip.open(folder / "outbox.json.gz", "wt") as f:
        json.dump(doc, f)
    if actor:
        (folder / "actor.json").write_text(json.dumps({
            "@context": "https://www.w3.org/ns/activitystreams", "id": "https://a.example/users/me",
            "type": "Person", "preferredUsername": "me", "followers": "https://a.example/users/me/followers"}))


def test_visibility_follows_the_addressing(tmp_path, workspace):
    me, public = "https://a.example/users/me", "https://www.w3.org/ns/activitystreams#Public"

    def create(n, to, cc):
        return {"type": "Create", "actor": me, "to": to, "cc": cc, "published": "2024-01-01T00:00:00Z",
                "object": {"id": f"{me}/statuses/{n}", "type": "Note", "content": f"<p>post {n}</p>"}}
    _write_outbox(tmp_path / "a", [create(1, [public], []), create(2, [me + "/followers"], [public]),
                                   create(3, [me + "/followers"], []), create(4, ["https://b.example/users/x"], [])])
    ingest(workspace, [tmp_path / "a"], include_direct=True)
    seen = dict(workspace.sql("SELECT text, visibility FROM posts"))
    assert seen == {"post 1": "public", "post 2": "unlisted", "post 3": "followers", "post 4": "direct"}


def test_a_malformed_activity_is_named(tmp_path, workspace):
    _write_outbox(tmp_path / "a", [{"type": "Create", "actor": "https://a.example/users/me", "object": 7}])
    with pytest.raises(ImportFormatError, match=r"outbox\.json\.gz, item 1: a field has the wrong type"):
        ingest(workspace, [tmp_path / "a"])
    assert workspace.status()["posts"] == 0


def test_likes_without_their_actor_are_rejected(tmp_path, workspace):
    lone = tmp_path / "likes.json"
    lone.write_bytes((dataset(ARCHIVE) / "likes.json").read_bytes())
    with pytest.raises(ImportFormatError, match="actor.json"):
        ingest(workspace, [lone])
    assert workspace.status()["interactions"]["like"] == 0


def test_direct_messages_never_become_interactions(tmp_path):
    from stature import Workspace

    counts = []
    for include_direct in (False, True):
        with Workspace(tmp_path / f"{include_direct}.duckdb") as ws:
            ingest(ws, [dataset("formats/mastodon-archive")], include_direct=include_direct)
            counts.append(ws.sql("SELECT kind, count(*) FROM interactions GROUP BY kind ORDER BY kind"))
            direct = ws.sql("SELECT count(*) FROM posts WHERE visibility = 'direct'")[0][0]
            assert direct == (35 if include_direct else 0)
            assert ws.sql("""SELECT count(*) FROM interactions i JOIN posts p
                             ON p.network = i.network AND p.post_id = i.post_id
                             WHERE p.visibility = 'direct'""") == [(0,)]
    assert counts[0] == counts[1]


def test_a_compressed_outbox_is_streamed_and_its_damage_named(tmp_path, workspace):
    import gzip
    import shutil

    from stature import ImportFormatError

    folder = tmp_path / "archive"
    shutil.copytree(dataset("formats/mastodon-archive"), folder)
    data = gzip.decompress((folder / "outbox.json.gz").read_bytes())
    cut = data.index(b'"orderedItems"') + 5000
    (folder / "outbox.json.gz").write_bytes(gzip.compress(data[:cut]))  # cut inside an item
    with pytest.raises(ImportFormatError, match="outbox.json.gz.*not valid JSON"):
        ingest(workspace, [folder])
    assert workspace.status()["posts"] == 0


def _every_html() -> list[str]:
    """Every post, content map, bio and summary of the real archive and the recorded Mastodon API answers."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in ("content", "note", "summary") and isinstance(inner, str):
                    found.append(inner)
                elif key == "contentMap" and isinstance(inner, dict):
                    found.extend(v for v in inner.values() if isinstance(v, str))
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    with gzip.open(dataset(f"{ARCHIVE}/outbox.json.gz")) as f:
        walk(json.load(f))
    walk(json.loads(dataset(f"{ARCHIVE}/actor.json").read_text()))
    for path in sorted(dataset("api-recordings/mastodon").glob("*.json")):
        body = json.loads(path.read_text())["response"]["body"]
        walk(json.loads(body) if isinstance(body, str) else body)
    return found


TRICKY_HTML = ["a < b", "<p>x</p><p>y</p>", "<br/>x<br />y", "<p/>z", "&amp;&lt;&#39;&notit; &amp", "trailing &",
               "<a href='https://x.org/?a=1&amp;b=2'>l</a>", "<script>alert(1)</script>hi", "<!-- c -->t",
               "<a href=https://u.org>u</a>", "<P>Up</P>", "<a class=\"mention\" href=\"https://a\">m</a>",
               "<a rel=\"tag\" href=\"https://t\">#t</a>", "<a href=\"https://x\"class=\"y\">q</a>", "</p >end",
               "<p\n class='a'\n>nl</p>", "x\u00a0y\u2003z", "<textarea><b>t</b></textarea>", "<a href=\"http://x>y\">z</a>",
               "<div>d</div><li>l</li>", "<a download href=\"https://d\">dl</a>", "<a HREF=\"https://CAPS\">c</a>", "",
               "<a <p/>>x", "<pre>p</pre><h12>h</h12><abbr>a</abbr>", "x</br>y<BR>z", "<Script>s</Script>t",
               "</p x>y", "</p/>y", "<p class='a'/>q", "<A href='https://up'>u</A>", "<h6>six</h6><b>b</b>", "&am<b>p;</b>", "&#3<i>9;</i>", "a&#12;b<p>c</p>", "f\fg<p>h</p>",
               "<a href='https://x/?q=&#39;'>e&#39;s</a>"]


def test_fast_html_reading_gives_the_standard_parsers_text_and_links_on_every_real_post():
    from stature.importers.mastodon import _HtmlText, _parsed, _read_simple

    htmls = _every_html()
    assert len(htmls) > 3000
    assert sum(_read_simple(h) is not None for h in htmls) > 0.9 * len(htmls)  # the fast path is the common one
    for html in htmls + TRICKY_HTML:
        parser = _HtmlText()
        parser.feed(html)
        parser.close()
        assert _parsed(html) == (parser.text(), parser.links), html
