"""A Spark session for the Spark engine: ``local[*]`` out of the box, a cluster master URL, or Spark Connect.

PySpark is imported only here and in :mod:`.spark_engine`, inside the functions
that need it. A :class:`Spark` names where to run and starts nothing until used;
:meth:`Spark.stop` ends what :meth:`Spark.start` began, the local JVM included,
so a long-lived Python process does not collect JVMs. The JVM's own log goes to
a file (:attr:`Spark.log_path`), not the terminal; its last lines are quoted
when Spark fails to start.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from ..errors import StatureError

MASTER_ENV = "STATURE_SPARK_MASTER"
"""The master URL when none is given: ``local[*]``, ``local[N]``, ``spark://HOST:PORT``, ``yarn``,
``k8s://...``, or ``sc://HOST[:PORT]`` for Spark Connect."""
DEFAULT_MASTER = "local[*]"
INSTALL_HINT = "pip install 'stature[spark]'"

_LOCAL = re.compile(r"local(\[(\*|\d+)(,\d+)?\])?|local-cluster\[\d+,\d+,\d+\]")
_HOST_PORT = re.compile(r"\[?([A-Za-z0-9_.:-]+?)\]?:(\d{1,5})")


class SparkError(StatureError):
    """Spark is missing, cannot start, or cannot be reached."""


def java_version(java: str) -> int:
    """The major version of the ``java`` executable (8 for 1.8)."""
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SparkError(f"Could not run {java} -version to check for Java 17 ({exc}).") from None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not found:
        raise SparkError(f"{java} -version did not say which Java it is; Spark needs Java 17 or newer.")
    major, minor = int(found.group(1)), int(found.group(2) or 0)
    return minor if major == 1 else major


def find_java() -> str:
    """The Java Spark will use (``$JAVA_HOME/bin/java``, else ``java`` on the PATH); it must be 17 or newer."""
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not Path(java).exists():
        where = f"JAVA_HOME ({home}) has no bin/java" if home else "there is no java on the PATH"
        raise SparkError(f"The Spark engine needs Java 17 or newer, but {where}. Install a JDK "
                         "(e.g. apt-get install openjdk-17-jre-headless) or use --engine duckdb.")
    version = java_version(java)
    if version < 17:
        raise SparkError(f"The Spark engine needs Java 17 or newer; {java} is Java {version}. "
                         "Point JAVA_HOME at a newer JDK.")
    return java


def check_master(master: str) -> str:
    """``master`` if it is a Spark master URL this engine can use; reachable, for ``spark://`` and ``sc://``."""
    master = master.strip()
    if _LOCAL.fullmatch(master) or master == "yarn" or master.startswith("k8s://"):
        return master
    for scheme, default_port in (("spark://", None), ("sc://", 15002)):
        if master.startswith(scheme):
            rest = master[len(scheme):].split("/", 1)[0].split(";", 1)[0]
            for address in rest.split(","):
                if default_port and ":" not in address:
                    address = f"{address}:{default_port}"
                found = _HOST_PORT.fullmatch(address)
                if not found:
                    raise SparkError(f"{master!r} is not a Spark master URL: write {scheme}HOST:PORT.")
                _reachable(master, found.group(1), int(found.group(2)))
            return master
    raise SparkError(f"{master!r} is not a Spark master URL: use local[*], local[N], spark://HOST:PORT, yarn, "
                     "k8s://..., or sc://HOST:PORT for Spark Connect.")


def _reachable(master: str, host: str, port: int) -> None:
    try:
        with socket.create_connection((host, port), timeout=5):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SparkError(f"Cannot reach the Spark master {master} at {host}:{port} ({reason}); "
                         "is the cluster running?") from None


class Spark:
    """Where the Spark engine runs: a master URL (default ``$STATURE_SPARK_MASTER`` or ``local[*]``).

    Use as a context manager, or call :meth:`start` and :meth:`stop`. ``config``
    adds Spark settings (``{"spark.driver.memory": "8g"}``); ``spark-defaults.conf``
    applies as usual. One Spark can serve many runs, one at a time. Where this
    process already runs a classic Spark session (a notebook's), that one is
    used and left running.
    """

    def __init__(self, master: str | None = None, *, config: dict | None = None):
        self._explicit = bool(master or os.environ.get(MASTER_ENV))
        self.master = (master or os.environ.get(MASTER_ENV) or DEFAULT_MASTER).strip()
        self._borrowed = False
        self.config = dict(config or {})
        self.session = None
        self.log_path: Path | None = None
        self._gateway = None
        self._scratch: str | None = None

    @property
    def started(self) -> bool:
        return self.session is not None

    @property
    def local(self) -> bool:
        return bool(_LOCAL.fullmatch(self.master))

    @property
    def connect(self) -> bool:
        return self.master.startswith("sc://")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def __repr__(self):
        return f"Spark({self.master!r}{', started' if self.started else ''})"

    def settings(self) -> dict[str, str]:
        """Stature's defaults (UTC, no UI, a scratch warehouse), then :attr:`config` over them."""
        cores = os.cpu_count() or 2
        out = {"spark.app.name": "stature", "spark.sql.session.timeZone": "UTC", "spark.ui.enabled": "false",
               "spark.ui.showConsoleProgress": "false", "spark.sql.warehouse.dir": str(Path(self._scratch) / "warehouse")}
        if self.local:
            out.update({"spark.sql.shuffle.partitions": str(max(4, 2 * cores)), "spark.driver.memory": "4g",
                        "spark.local.dir": str(Path(self._scratch) / "local")})
        out.update({k: str(v) for k, v in self.config.items()})
        return out

    def start(self) -> "Spark":
        """Start the session (and, for a classic master, the JVM that drives it); a started Spark is reused."""
        if self.started:
            return self
        check_master(self.master)
        if not self.connect:
            find_java()
        try:
            import pyspark  # noqa: F401
            import sqlglot  # noqa: F401  (transpiles the steps)
        except ImportError as exc:
            raise SparkError(f"The Spark engine needs {exc.name}: {INSTALL_HINT}.") from None
        self._scratch = tempfile.mkdtemp(prefix="stature-spark-")
        self.log_path = Path(self._scratch) / "spark.log"
        try:
            self.session = self._connect() if self.connect else self._classic()
        except SparkError:
            self.stop()
            raise
        except Exception as exc:  # pyspark's own errors, with the JVM's last words
            message = f"Spark could not start with master {self.master}: {_first_line(exc)}{self._log_tail()}"
            self.stop()
            raise SparkError(message) from None
        return self

    def _classic(self):
        from pyspark import SparkConf, SparkContext
        from pyspark.java_gateway import launch_gateway
        from pyspark.sql import SparkSession

        running = SparkContext._active_spark_context
        if running is not None:  # a session this process already has (a notebook's, a test's): borrow it
            if running.master != self.master and self._explicit:
                raise SparkError(f"This process already runs Spark with master {running.master}; it cannot start "
                                 f"another with {self.master}. Leave the master out to use the running one.")
            self._borrowed = True
            self.master = running.master
            session = SparkSession(running).newSession()  # its own settings and views
            session.conf.set("spark.sql.session.timeZone", "UTC")
            return session
        conf = SparkConf(loadDefaults=False).setMaster(self.master)
        for key, value in self.settings().items():
            conf.set(key, value)
        log = open(self.log_path, "ab")
        try:
            self._gateway = launch_gateway(conf, popen_kwargs={"stdout": log, "stderr": log})
        finally:
            log.close()
        context = SparkContext(conf=conf, gateway=self._gateway)
        context.setLogLevel("ERROR")
        return SparkSession(context)

    def _connect(self):
        try:
            from pyspark.sql import SparkSession
            builder = SparkSession.builder.remote(self.master)
        except ImportError as exc:
            raise SparkError(f"Spark Connect needs its client libraries ({exc.name} is missing): "
                             "pip install 'pyspark[connect]'.") from None
        # the server owns its static settings; the session's time zone is what the steps rely on
        for key, value in {"spark.sql.session.timeZone": "UTC", **self.config}.items():
            builder = builder.config(key, str(value))
        return builder.getOrCreate()

    def stop(self) -> None:
        """Stop the session, end the local JVM and remove the scratch folder; safe to call twice."""
        session, self.session = self.session, None
        if self._borrowed:  # not ours to stop
            session, self._borrowed = None, False
        if session is not None:
            try:
                session.stop()
            except Exception:  # the JVM may already be gone; ending it below is what matters
                pass
        gateway, self._gateway = self._gateway, None
        if gateway is not None:
            _end_jvm(gateway)
        if self._scratch:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def _log_tail(self, lines: int = 8) -> str:
        try:
            text = self.log_path.read_text(errors="replace").strip().splitlines()
        except (OSError, AttributeError):
            return ""
        tail = [line for line in text if line.strip()][-lines:]
        return (" The JVM said:\n  " + "\n  ".join(tail)) if tail else ""


def _end_jvm(gateway) -> None:
    """Close the gateway and the JVM behind it (it exits when its stdin closes), and forget it."""
    from pyspark import SparkContext

    try:
        gateway.shutdown()
    except Exception:
        pass
    proc = getattr(gateway, "proc", None)
    if proc is not None:
        try:
            proc.stdin.close()
            proc.wait(timeout=30)
        except Exception:
            proc.kill()
            proc.wait()
    if SparkContext._gateway is gateway:
        SparkContext._gateway = None
        SparkContext._jvm = None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
