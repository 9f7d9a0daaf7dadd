"""The dashboard under load: many concurrent clients on loopback, slow clients, an ingest beside it.

    nice python benchmarks/dashboard.py [--clients 300] [--requests 5] [--slow 50]
    nice python benchmarks/dashboard.py --start 10000000 [--before ../before]   # the first answers after start

Builds the demo workspace in a temporary folder, starts `stature serve` on 127.0.0.1 in its own
process, and runs the same load side by side: alone, and with `stature ingest` of the shared Mastodon
archive into the same workspace while the load runs. A mix of pages and API calls is run on a fresh
server (cold: every answer computed once), again (warm: from the cache), and account pages that are
all different (nothing cached). Prints requests/s, median and p99 latency, the answers by status,
and how many slow clients were cut off. The test suite runs
:func:`run_load` smaller (tests/test_web_load.py).

With ``--start FOLLOWS`` it instead times the dashboard's start on the workspace of
``benchmarks/connect.py`` (FOLLOWS follows over FOLLOWS / 10 accounts): from launching `stature serve`
to its "Serving" line, to the first answer of ``/api/status``, and to the first account page with its
suggested connections (the network loaded), once with no network cache (the first start ever) and
once with the cache the first start left; ``--before`` also runs another checkout the same way.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("/api/status", "/api/top?limit=20", "/", "/api/search?q=a", "/api/overview", "/search?q=e")


async def _get(reader, writer, host: str, target: str) -> int:
    writer.write(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\n\r\n".encode())
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def _client(port: int, targets, requests: int, latencies: list, statuses: dict, timeout: float):
    host = f"127.0.0.1:{port}"
    reader = writer = None
    for i in range(requests):
        target = targets[i % len(targets)]
        start = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
            status = await asyncio.wait_for(_get(reader, writer, host, target), timeout)
        except (asyncio.TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
            statuses[type(exc).__name__] = statuses.get(type(exc).__name__, 0) + 1
            if writer is not None:
                writer.close()
            reader = writer = None  # reconnect (the server may close idle keep-alive connections)
            continue
        latencies.append(time.perf_counter() - start)
        statuses[status] = statuses.get(status, 0) + 1
    if writer is not None:
        writer.close()


async def _slow_client(port: int, seconds: float, cut: list):
    """Sends a request head one byte at a time, slower than the server allows; notes when it is cut off."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = f"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: {'y' * 200}\r\n\r\n".encode()
    start = time.perf_counter()
    try:
        for byte in head:
            writer.write(bytes([byte]))
            await writer.drain()
            if reader.at_eof():
                break
            try:  # the server closing the connection shows as EOF
                data = await asyncio.wait_for(reader.read(1), 0.5)
                if not data:
                    break
            except asyncio.TimeoutError:
                pass
            if time.perf_counter() - start > seconds:
                return
        cut.append(time.perf_counter() - start)
    except OSError:
        cut.append(time.perf_counter() - start)
    finally:
        writer.close()


async def _load(port, clients, requests, slow, slow_seconds, timeout, targets, distinct):
    latencies, statuses, cut = [], {}, []
    start = time.perf_counter()
    mine = (lambda i: targets[i * requests:(i + 1) * requests]) if distinct else (
        lambda i: targets[i % len(targets):] + targets[:i % len(targets)])
    tasks = [_client(port, mine(i), requests, latencies, statuses, timeout) for i in range(clients)]
    slow_tasks = [asyncio.ensure_future(_slow_client(port, slow_seconds, cut)) for _ in range(slow)]
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    await asyncio.gather(*slow_tasks)
    return latencies, statuses, cut, elapsed


def run_load(port: int, *, clients: int = 300, requests: int = 5, slow: int = 20, slow_seconds: float = 30.0,
             timeout: float = 60.0, targets=TARGETS, distinct: bool = False) -> dict:
    """``clients`` concurrent keep-alive clients each making ``requests`` GETs, ``slow`` slow clients beside them.
    With ``distinct`` every request asks for its own target (``clients * requests`` of them): nothing cached."""
    latencies, statuses, cut, elapsed = asyncio.run(
        _load(port, clients, requests, slow, slow_seconds, timeout, list(targets), distinct))
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else None
    return {"requests": clients * requests, "answered": len(latencies), "seconds": elapsed,
            "per_second": len(latencies) / elapsed, "p50": pct(0.50), "p99": pct(0.99), "max": latencies[-1],
            "statuses": statuses, "slow_clients": slow, "slow_cut_off": len(cut),
            "slow_cut_after": max(cut) if cut else None}


def serve(workspace, env=None, checkout: Path = ROOT) -> tuple[subprocess.Popen, int]:
    """`stature serve` on 127.0.0.1 and a free port, in its own process; returns it and the port. It runs in
    ``checkout`` (``python -m`` puts the folder it runs in first on the path)."""
    proc = subprocess.Popen([sys.executable, "-m", "stature", "--workspace", str(Path(workspace).resolve()), "serve",
                             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=checkout)
    line = proc.stdout.readline()
    if not line.startswith("Serving "):
        proc.kill()
        raise RuntimeError(f"the dashboard did not start: {line}{proc.stderr.read()}")
    port = int(line.split(" at ")[1].split()[0].rstrip("/").rsplit(":", 1)[1])
    return proc, port


def ingest_beside(workspace, archive) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "stature", "--workspace", str(workspace), "ingest", str(archive)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _row(name, r, ingest=""):
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items(), key=str))
    return (f"{name:<30} {r['answered']:>6}/{r['requests']:<6} {r['per_second']:>8.1f} {r['p50'] * 1000:>8.0f} "
            f"{r['p99'] * 1000:>8.0f} {r['slow_cut_off']:>3}/{r['slow_clients']:<3} {ingest:<10} {statuses}")


def first_answers(workspace, env, account: str, checkout: Path = ROOT) -> dict:
    """Seconds from launching `stature serve` to its "Serving" line, to the first ``/api/status`` and to the
    first page of ``account`` that has its suggested connections."""
    import json
    import urllib.request

    start = time.perf_counter()
    proc, port = serve(workspace, env, checkout)
    serving = time.perf_counter() - start

    def get(path):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=900) as answer:
            return json.loads(answer.read())
    try:
        get("/api/status")
        status = time.perf_counter() - start
        while get(f"/api/accounts/{account}").get("connections") is None:
            time.sleep(0.05)
        return {"serving": serving, "status": status, "connections": time.perf_counter() - start}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def start_times(size: int, before: Path | None = None) -> list[list[str]]:
    """The rows of the start table: with and without the network cache, for this checkout and ``before``."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.connect import workspace

    path = workspace(size)
    rows = []
    for label, checkout in (("this checkout", ROOT), *((("before", before),) if before else ())):
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        for cached in (False, True):
            if not cached:
                subprocess.run(["rm", "-rf", str(path) + ".network"], check=True)
            found = first_answers(path, env, "bench/4242", checkout)
            rows.append([label, "network cached" if cached else "no network cache (first start ever)",
                         f"{found['serving']:.2f}", f"{found['status']:.2f}", f"{found['connections']:.2f}"])
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--slow", type=int, default=50)
    parser.add_argument("--accounts", type=int, default=2000, help="Accounts in the demo workspace.")
    parser.add_argument("--distinct-clients", type=int, default=20,
                        help="Clients asking for 2 account pages each, every one different (nothing cached).")
    parser.add_argument("--start", type=int, metavar="FOLLOWS",
                        help="Instead: time the first answers after start on benchmarks/connect.py's workspace.")
    parser.add_argument("--before", type=Path, help="With --start: another checkout to time the same way.")
    args = parser.parse_args()
    if args.start:
        from benchmarks.run import machine
        print(f"Machine: {machine()}\n")
        print("| checkout | start | \"Serving\" s | first /api/status s | first account page with connections s |")
        print("|---|---|---|---|---|")
        for row in start_times(args.start, args.before):
            print("| " + " | ".join(row) + " |")
        return
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    archive = ROOT.parent / "shared" / "datasets" / "formats" / "mastodon-archive"
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "demo.duckdb"
        subprocess.run([sys.executable, "-m", "stature", "--workspace", str(workspace), "demo", "--accounts",
                        str(args.accounts), "-o", str(Path(tmp) / "report.html")], check=True, env=env, capture_output=True)
        sys.path.insert(0, str(ROOT))
        from stature import Workspace
        with Workspace(workspace, read_only=True) as ws:
            ids = [a for (a,) in ws.sql("SELECT account_id FROM accounts WHERE network = 'twitter' ORDER BY 1")]
        distinct = [f"/api/accounts/twitter/{a}" for a in ids][:args.distinct_clients * 2]
        print(f"dashboard load: {args.clients} concurrent clients x {args.requests} GETs over keep-alive, "
              f"{args.slow} slow clients (one byte of request head every 0.5 s), demo workspace of "
              f"{args.accounts} accounts, on {os.cpu_count()} cores")
        print(f"{'run':<30} {'answered':>13} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'cut':>7} {'ingest':<10} statuses")
        for name, with_ingest in (("alone", False), ("ingest beside it", True)):
            proc, port = serve(workspace, env)
            try:
                job = ingest_beside(workspace, archive) if with_ingest else None
                cold = run_load(port, clients=args.clients, requests=args.requests, slow=args.slow)
                done = ""
                if job is not None:
                    out, err = job.communicate(timeout=300)
                    done = "exit 0" if job.returncode == 0 else f"exit {job.returncode}"
                print(_row(f"{name}: mix, cold", cold, done))
                if not with_ingest:
                    print(_row(f"{name}: mix, warm", run_load(port, clients=args.clients, requests=args.requests,
                                                            slow=0)))
                    print(_row(f"{name}: accounts", run_load(port, clients=args.distinct_clients, requests=2,
                                                            slow=0, targets=distinct, distinct=True)))
            finally:
                proc.terminate()
                proc.wait(timeout=30)


if __name__ == "__main__":
    main()
