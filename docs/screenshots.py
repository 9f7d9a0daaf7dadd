"""Make the screenshots in docs/: the report on the demo community and on RumourEval 2017, and the dashboard.

    .venv/bin/python docs/screenshots.py        # needs Debian's chromium and the `test` extra (Playwright)

Each shot is the top of the page, at 1100 px wide, in headless Chromium with nothing fetched.
"""
from __future__ import annotations

import sys
import tarfile
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from stature import Workspace, ingest  # noqa: E402
from stature.demo import run_demo  # noqa: E402
from stature.report import write_report  # noqa: E402
from stature.web import make_server  # noqa: E402
from surfaces import analyse, launch_chromium  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
HEIGHT = 2200


def shoot(page, url: str, out: Path, height: int = HEIGHT) -> None:
    page.goto(url, wait_until="load")
    page.screenshot(path=str(out), full_page=True, clip={"x": 0, "y": 0, "width": 1100, "height": height})
    print(f"{out.relative_to(ROOT)}: {out.stat().st_size / 1024:,.0f} KB")


def main() -> None:
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="stature-shots-"))
    demo = tmp / "demo.duckdb"
    with Workspace(demo) as ws:
        run_demo(ws, report=tmp / "demo.html")
    with tarfile.open(DATASETS / "rumoureval2017" / "rumoureval2017.tgz") as archive:
        members = [m for m in archive.getmembers() if m.name.split("/")[:2] in
                   (["data", "train"], ["data", "dev"], ["data", "test"]) and (m.isdir() or m.isfile())]
        archive.extractall(tmp, members=members, filter="data")
    with Workspace(tmp / "rumoureval.duckdb") as ws:
        ingest(ws, [tmp / "data" / part for part in ("train", "dev", "test")])
        from stature.analytics import score
        for as_of in ("2014-10-31", "2015-01-31", "2015-04-30"):  # the threads' own months, for a history
            score(ws, as_of=as_of)
        analyse(ws)
        write_report(ws, tmp / "rumoureval.html", account="BBCBreaking")
    server, app = make_server(demo, host="127.0.0.1", port=0)
    app.networks.wait(120)  # suggested connections ready before the first shot
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with Workspace(demo, read_only=True) as ws:
        network, account = ws.sql("SELECT network, account_id FROM scores ORDER BY run_id DESC, exact DESC LIMIT 1")[0]
    with sync_playwright() as p:
        browser = launch_chromium(p, tmp)
        page = browser.new_page()
        shoot(page, (tmp / "demo.html").as_uri(), ROOT / "docs" / "report-demo.png")
        shoot(page, (tmp / "rumoureval.html").as_uri(), ROOT / "docs" / "report-rumoureval.png")
        shoot(page, f"{base}/", ROOT / "docs" / "dashboard.png", 1400)
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
