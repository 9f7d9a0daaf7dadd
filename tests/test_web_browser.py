"""In a real browser: headless Chromium (Debian's build) driven by Playwright, on localhost only."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from stature import Workspace
from stature.report import write_report
from stature.web import make_server
from surfaces import CHROMIUM, HOSTILE_NAME, demo_workspace, hostile_workspace, launch_chromium

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser_ready():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: `apt-get install chromium` (CI installs it)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return pytest.importorskip("playwright.sync_api")


class Watch:
    """Every request a page makes, those that failed, console errors and dialogs (a script that ran)."""

    def __init__(self, page):
        self.requests, self.failed, self.errors, self.dialogs = [], [], [], []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url}: {r.failure}"))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))


@pytest.fixture
def served(tmp_path_factory):
    server, app = make_server(demo_workspace(tmp_path_factory), host="127.0.0.1", port=0)
    assert app.networks.wait(120)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_dashboard_search_to_account_page(browser_ready, served, tmp_path, tmp_path_factory):
    with Workspace(demo_workspace(tmp_path_factory), read_only=True) as ws:
        best = ws.sql("""SELECT s.handle FROM scores s WHERE s.run_id = (SELECT max(run_id) FROM score_runs)
                         ORDER BY s.exact DESC LIMIT 1""")[0][0]
    with browser_ready.sync_playwright() as p:
        browser = launch_chromium(p, tmp_path)
        page = browser.new_page()
        watch = Watch(page)
        page.goto(served + "/")
        assert page.locator("#top").is_visible()
        page.fill("input[name=q]", best)
        page.press("input[name=q]", "Enter")
        page.wait_for_url("**/search?q=*")
        page.locator("#account-results a", has_text=f"@{best}").first.click()
        page.wait_for_url("**/accounts/twitter/*")
        assert page.locator("#breakdown h2").inner_text() == "What makes the score"
        assert page.locator("#breakdown svg").count() == 1
        assert page.locator("#breakdown table tr").count() == 6  # a header and five components
        assert page.locator("#topics .grid h3").count() >= 1
        assert page.locator("#topics ul.why li").first.is_visible()  # why, one line per kind of evidence
        shot = tmp_path / "account.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert shot.stat().st_size > 10_000
    assert not watch.failed and not watch.errors and not watch.dialogs
    assert all(url.startswith(served) for url in watch.requests), watch.requests


def test_report_loads_with_no_request_and_no_error(browser_ready, tmp_path, tmp_path_factory):
    reports = []
    with Workspace(demo_workspace(tmp_path_factory), read_only=True) as ws:
        reports.append(Path(write_report(ws, tmp_path / "demo.html")["path"]))
    with hostile_workspace(tmp_path / "hostile.duckdb") as ws:
        reports.append(Path(write_report(ws, tmp_path / "hostile.html", account="mastodon:evil")["path"]))
    with browser_ready.sync_playwright() as p:
        browser = launch_chromium(p, tmp_path)
        for report in reports:
            page = browser.new_page()
            watch = Watch(page)
            page.goto(report.as_uri(), wait_until="load")
            assert page.locator("#breakdown").is_visible() and page.locator("#communities").is_visible()
            if report.name == "hostile.html":  # the hostile name reads as text
                assert page.locator("#profile h1").inner_text() == HOSTILE_NAME
            page.screenshot(path=str(report.with_suffix(".png")))
            assert watch.requests == [report.as_uri()], watch.requests  # the file itself and nothing else
            assert not watch.failed and not watch.errors and not watch.dialogs, (watch.failed, watch.errors)
            page.close()
        browser.close()
