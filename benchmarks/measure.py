"""Run one measured method in its own process: wall time, peak memory, and limits that stop it.

:func:`measured` starts ``python -c CODE`` (or any command) under ``nice``, samples the resident memory
of it and its children every 0.05 s, and ends it when it passes ``limit_mb`` or ``timeout_s``, so a
peer that cannot finish (NetworkX on 10M edges) is reported as such instead of taking the shared
machine down. The child may print one JSON object (as its last line, or as all its output): what it measured itself.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, in KB (0 once gone)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return total


def measured(command: list[str], *, timeout_s: float = 900, limit_mb: float = 6000, env: dict | None = None,
             cwd: Path = ROOT) -> dict:
    """Run ``command``; ``{"ok", "wall_s", "peak_mb", "result" (its last JSON line), "stopped" (why, or None)}``."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    start = time.perf_counter()
    proc = subprocess.Popen(["nice", "-n", "10", *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=cwd, env=full_env, start_new_session=True)
    peak, stopped = 0, None
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        elapsed = time.perf_counter() - start
        if peak / 1024 > limit_mb:
            stopped = f"over {limit_mb / 1024:.0f} GB after {elapsed:.0f} s"
        elif elapsed > timeout_s:
            stopped = f"did not finish within {timeout_s:.0f} s"
        if stopped:
            os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    result = None
    for text in [*reversed(out.strip().splitlines()), out]:
        if text.lstrip().startswith("{"):
            try:
                result = json.loads(text)
                break
            except ValueError:
                continue
    if result and result.get("maxrss_mb"):  # the child's own high-water mark catches what sampling missed
        peak = max(peak, result["maxrss_mb"] * 1024)
    ok = proc.returncode == 0 and stopped is None
    if not ok and stopped is None:
        stopped = f"failed (exit {proc.returncode}): {err.strip().splitlines()[-1] if err.strip() else ''}"
    return {"ok": ok, "wall_s": wall, "peak_mb": peak / 1024, "result": result or {}, "stopped": stopped}


def python(code: str, **kwargs) -> dict:
    """:func:`measured` for a snippet of Python run by this interpreter."""
    return measured([sys.executable, "-c", code], **kwargs)
