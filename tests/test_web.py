"""The dashboard: pages, search, the JSON API and its OpenAPI description, one error shape, the token."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

from stature import Workspace
from stature.web import App, is_loopback, make_server, required_token
from stature.web.routes import ROUTES
from surfaces import demo_workspace

HOST = {"Host": "127.0.0.1:8000"}
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never through a proxy


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = App(demo_workspace(tmp_path_factory))
    assert app.networks.wait(120)  # loaded in the background; suggestions need it
    return app


@pytest.fixture(scope="module")
def best(app):
    return app.handle("GET", "/api/top?limit=1", HOST).json()[0]


def assert_error(response, status, code):
    assert response.status == status
    assert response.content_type.startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status and body["error"]["code"] == code
    assert body["error"]["message"]


def test_overview_page_shows_top_accounts_experts_and_communities(app, best):
    r = app.handle("GET", "/", HOST)
    assert r.status == 200 and r.content_type.startswith("text/html")
    page = r.body.decode()
    assert 'id="top"' in page and 'id="experts"' in page and 'id="communities"' in page
    assert f'href="/accounts/twitter/{best["account_id"]}"' in page
    assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "<script" not in page


def test_search_finds_accounts_and_topics(app, best):
    page = app.handle("GET", f"/search?q={best['handle'][:-1].upper()}", HOST).body.decode()
    assert f"@{best['handle']}" in page
    found = app.handle("GET", f"/api/search?q={best['handle']}", HOST).json()
    assert found["accounts"][0]["handle"] == best["handle"] and found["accounts"][0]["score"] == best["score"]
    topics = app.handle("GET", "/api/search?q=travel", HOST).json()["topics"]
    assert topics and all("travel" in t["topic"].lower() or "travel" in t["topic_id"] for t in topics)
    assert app.handle("GET", "/api/search?q=%25", HOST).json()["accounts"] == []  # LIKE wildcards are literal


def test_account_page_shows_score_breakdown_and_topics(app, best):
    r = app.handle("GET", f"/accounts/twitter/{best['account_id']}", HOST)
    page = r.body.decode()
    assert r.status == 200
    assert 'id="breakdown"' in page and 'id="topics"' in page and 'id="network"' in page
    assert "What makes the score" in page and "Topics it is known for" in page
    data = app.handle("GET", f"/api/accounts/twitter/{best['account_id']}", HOST).json()
    assert data["score"]["score"] == best["score"]
    assert sum(c["contribution"] for c in data["score"]["components"]) + 1 == pytest.approx(best["score"])
    assert data["topics"] and data["community"]["community"] >= 1
    assert len(data["history"]) == 4 and data["connections"]["suggestions"]


def test_topic_and_community_pages(app):
    topic = app.handle("GET", "/api/search?q=travel", HOST).json()["topics"][0]
    experts = app.handle("GET", f"/api/topics/{quote(topic['topic_id'])}", HOST).json()
    assert experts["topic"] == topic["topic"]
    assert app.handle("GET", f"/topics/{quote(topic['topic_id'])}", HOST).status == 200
    communities = app.handle("GET", "/api/communities", HOST).json()
    first = communities["communities"][0]
    assert first["community"] == 1 and first["size"] >= communities["communities"][-1]["size"]
    members = app.handle("GET", "/api/communities/1", HOST).json()
    assert members["size"] == first["size"]
    assert "Community 1" in app.handle("GET", "/communities/1", HOST).body.decode()


def test_openapi_describes_every_api_route(app):
    spec = app.handle("GET", "/openapi.json", HOST).json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {r.openapi_path for r in ROUTES if r.api}
    for path, item in spec["paths"].items():
        op = item["get"]
        assert op["summary"] and "200" in op["responses"]
        assert op["responses"]["404"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"
        for name in [p["name"] for p in op["parameters"] if p["in"] == "path"]:
            assert "{" + name + "}" in path
    assert spec["components"]["schemas"]["Error"]["required"] == ["error"]


def test_every_api_error_has_one_json_shape(app):
    assert_error(app.handle("GET", "/no/such/page", HOST), 404, "not_found")
    assert_error(app.handle("GET", "/api/accounts/twitter/nobody-here", HOST), 404, "not_found")
    assert_error(app.handle("GET", "/api/topics/no-such-topic", HOST), 404, "not_found")
    assert_error(app.handle("GET", "/api/communities/9999", HOST), 404, "not_found")
    assert_error(app.handle("GET", "/api/top?limit=lots", HOST), 400, "bad_request")
    r = app.handle("POST", "/api/top", HOST)
    assert_error(r, 405, "method_not_allowed")
    assert r.headers["Allow"] == "GET, HEAD"
    assert_error(app.handle("GET", "/api/status", {"Host": "attacker.example:8000"}), 403, "forbidden_host")


def test_the_dashboard_never_writes(app, tmp_path_factory):
    path = demo_workspace(tmp_path_factory)
    before = path.stat().st_mtime_ns
    for target in ("/", "/api/overview", "/api/top?limit=0", "/search?q=a"):
        assert app.handle("GET", target, HOST).status == 200
    assert path.stat().st_mtime_ns == before
    with Workspace(path, read_only=True) as ws:  # still readable by others meanwhile
        assert ws.status()["accounts"] == 80


def test_token_is_required_when_set(tmp_path_factory):
    app = App(demo_workspace(tmp_path_factory), token="s3cret-token")
    anywhere = {"Host": "dashboard.example.org"}
    r = app.handle("GET", "/api/status", anywhere)
    assert_error(r, 401, "unauthorized")
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert_error(app.handle("GET", "/api/status", {**anywhere, "Authorization": "Bearer wrong"}), 401, "unauthorized")
    assert app.handle("GET", "/api/status", {**anywhere, "Authorization": "Bearer s3cret-token"}).status == 200
    r = app.handle("GET", "/search?q=x&token=s3cret-token", anywhere)  # once in the address, then a cookie
    assert r.status == 303 and r.headers["Location"] == "/search?q=x"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert app.handle("GET", "/", {**anywhere, "Cookie": cookie.split(";")[0]}).status == 200
    assert_error(app.handle("GET", "/api/status?token=nope", anywhere), 401, "unauthorized")


def test_off_loopback_a_token_is_made():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("example.org")
    made = required_token("0.0.0.0", None)
    assert made and len(made) >= 24 and made != required_token("0.0.0.0", None)
    assert required_token("0.0.0.0", "mine") == "mine" and required_token("::", None)
    assert required_token("127.0.0.1", None) is None and required_token("localhost", "given") == "given"


def test_serve_prints_where_and_answers(tmp_path_factory):
    import subprocess
    import sys
    proc = subprocess.Popen([sys.executable, "-m", "stature", "--workspace", str(demo_workspace(tmp_path_factory)),
                             "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("Serving ") and "(read-only" in line
        base = line.split(" at ")[1].split()[0].rstrip("/")
        assert base.startswith("http://127.0.0.1:")
        with DIRECT.open(f"{base}/api/status", timeout=30) as r:
            assert json.loads(r.read())["accounts"] == 80
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_served_over_http_on_loopback(tmp_path_factory, best):
    server, _ = make_server(demo_workspace(tmp_path_factory), host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with DIRECT.open(f"{base}/api/top?limit=1", timeout=30) as r:
            assert r.status == 200 and json.loads(r.read())[0]["account_id"] == best["account_id"]
        with pytest.raises(urllib.error.HTTPError) as missing:
            DIRECT.open(f"{base}/api/nothing", timeout=30)
        assert missing.value.code == 404 and json.loads(missing.value.read())["error"]["code"] == "not_found"
        import socket
        for head in (b"Host: 127.0.0.1\r\nHost: attacker.example\r\n", b""):  # two Host headers, or none
            with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=30) as raw:
                raw.sendall(b"GET /api/status HTTP/1.1\r\n" + head + b"Connection: close\r\n\r\n")
                answer = b""
                while chunk := raw.recv(65536):
                    answer += chunk
            assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
        with DIRECT.open(urllib.request.Request(f"{base}/api/status", method="HEAD"), timeout=30) as r:
            assert r.status == 200 and r.read() == b"" and int(r.headers["Content-Length"]) > 0
    finally:
        server.shutdown()
        server.server_close()


def test_serve_cli_refuses_a_missing_workspace(cli, tmp_path):
    result = cli("--workspace", tmp_path / "none.duckdb", "serve", "--port", 0)
    assert result.exit_code == 1 and "There is no workspace" in result.output


def test_hostile_names_are_escaped_on_the_dashboard(tmp_path):
    from surfaces import HOSTILE_HANDLE, assert_self_contained, hostile_workspace
    hostile_workspace(tmp_path / "hostile.duckdb").close()
    app = App(tmp_path / "hostile.duckdb")
    for target in ("/", "/accounts/mastodon/evil", f"/search?q={quote(HOSTILE_HANDLE)}", "/communities/1"):
        r = app.handle("GET", target, HOST)
        assert r.status == 200, (target, r.body[:200])
        page = r.body.decode()
        assert "<script" not in page and "<img" not in page and "<svg onload" not in page
        assert_self_contained(page, served=True)
    found = app.handle("GET", f"/api/search?q={quote(HOSTILE_HANDLE)}", HOST).json()
    assert found["accounts"][0]["handle"] == HOSTILE_HANDLE  # JSON carries the data as it is


def test_excluded_accounts_are_not_shown(tmp_path):
    from stature.analytics import exclude
    from surfaces import hostile_workspace
    with hostile_workspace(tmp_path / "w.duckdb") as ws:
        exclude(ws, "bob")
    app = App(tmp_path / "w.duckdb")
    assert_html_error(app.handle("GET", "/accounts/mastodon/bob", HOST), 404)
    assert_error(app.handle("GET", "/api/accounts/mastodon/bob", HOST), 404, "not_found")
    assert app.handle("GET", "/api/search?q=bob", HOST).json()["accounts"] == []
    for target in ("/", "/accounts/mastodon/evil", "/api/accounts/mastodon/evil", "/api/overview"):
        body = app.handle("GET", target, HOST).body.decode()
        assert "@bob" not in body and '"bob"' not in body, target



def assert_html_error(response, status):
    assert response.status == status and response.content_type.startswith("text/html")
    page = response.body.decode()
    assert page.startswith("<!DOCTYPE html>") and f"{status}:" in page and 'id="error"' in page


def test_pages_answer_errors_as_html_and_the_api_as_json(app):
    browser = {**HOST, "Accept": "text/html,application/xhtml+xml"}
    assert_html_error(app.handle("GET", "/accounts/twitter/nobody-here", HOST), 404)
    assert_html_error(app.handle("GET", "/communities/abc", HOST), 404)
    assert_html_error(app.handle("GET", "/no/such/page", browser), 404)
    assert_error(app.handle("GET", "/api/nothing", browser), 404, "not_found")  # the API stays JSON for a browser
    assert_html_error(app.handle("GET", "/", {"Host": "attacker.example", "Accept": "text/html"}), 403)


def test_two_host_headers_are_refused(app):
    r = app.handle("GET", "/api/status", [("Host", "127.0.0.1:8000"), ("Host", "attacker.example")])
    assert_error(r, 400, "bad_request")
    assert_error(app.handle("GET", "/api/status", []), 400, "bad_request")
    assert_error(app.handle("GET", "/api/status", [("Host", "attacker.example"), ("Host", "127.0.0.1")]),
                 400, "bad_request")


def test_error_bodies_name_neither_the_workspace_path_nor_a_process(tmp_path_factory):
    import subprocess
    import sys
    path = demo_workspace(tmp_path_factory)
    app = App(path, wait_s=0.5)
    for target in ("/api/accounts/twitter/nobody-here", "/accounts/twitter/nobody-here", "/api/topics/none"):
        body = app.handle("GET", target, HOST).body.decode()
        assert str(path) not in body and path.name not in body and "PID" not in body, body
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from stature import Workspace; "
                               f"ws = Workspace({str(path)!r}); print('held', flush=True); sys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env={**__import__("os").environ, "STATURE_LOCK_WAIT": "30"})
    try:
        assert holder.stdout.readline().strip() == "held"
        for target in ("/api/status", "/"):
            r = app.handle("GET", target, HOST)
            assert r.status == 503 and r.headers["Retry-After"] == "2"
            body = r.body.decode()
            assert "being written" in body and str(path) not in body and "PID" not in body, body
            assert str(holder.pid) not in body
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert app.handle("GET", "/api/status", HOST).status == 200  # free again: answers again


def test_network_loads_in_the_background_and_says_so(tmp_path_factory, best):
    from stature.web.netload import NetworkLoader
    app = App(demo_workspace(tmp_path_factory))
    gate = __import__("threading").Event()
    real = NetworkLoader._load
    app.networks._loading.join(60)  # the first load, started with the app, is done: hold back a fresh one
    app.networks._stamp = None
    app.networks._load = lambda stamp: (gate.wait(60), real(app.networks, stamp))
    page = app.handle("GET", f"/accounts/twitter/{best['account_id']}", HOST).body.decode()
    assert 'data-state="loading"' in page and "Loading the network" in page
    data = app.handle("GET", f"/api/accounts/twitter/{best['account_id']}", HOST).json()
    assert data["network_state"] == "loading" and data["connections"] is None and data["score"]
    assert app.handle("GET", "/api/status", HOST).json()["network"] == "loading"
    gate.set()
    assert app.networks.wait(60)
    data = app.handle("GET", f"/api/accounts/twitter/{best['account_id']}", HOST).json()
    assert data["network_state"] == "ready" and data["connections"]["suggestions"]
    assert 'data-state="loading"' not in app.handle("GET", f"/accounts/twitter/{best['account_id']}", HOST).body.decode()


def test_include_private_is_refused_off_loopback(tmp_path_factory):
    from stature.errors import StatureError
    with pytest.raises(StatureError, match="loopback"):
        make_server(demo_workspace(tmp_path_factory), host="0.0.0.0", port=0, include_private=True)


def test_bluesky_dids_work_in_pages_and_lookups(tmp_path):
    from conftest import dataset
    from stature import ingest
    path = tmp_path / "bsky.duckdb"
    with Workspace(path) as ws:
        ingest(ws, [dataset("formats/bluesky-repo/repo.car")])
        accounts = [a for (a,) in ws.sql("SELECT account_id FROM accounts WHERE network = 'bluesky' ORDER BY 1")]
        assert accounts and all(a.startswith("did:") for a in accounts)
        assert ws.find_account(f"bluesky:{accounts[0]}") == ("bluesky", accounts[0])
        assert ws.find_account(accounts[0]) == ("bluesky", accounts[0])
    app = App(path)
    for account_id in accounts:
        for prefix in ("/accounts", "/api/accounts"):
            r = app.handle("GET", f"{prefix}/bluesky/{quote(account_id, safe='')}", HOST)
            assert r.status == 200, (account_id, r.body[:200])
    assert app.handle("GET", f"/api/accounts/bluesky/{accounts[0]}", HOST).json()["account"]["account_id"] == accounts[0]
