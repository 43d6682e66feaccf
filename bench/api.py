"""The API scenario of ``make bench``: the Enrollment API under gunicorn on PostgreSQL, with wrk.

1. A fresh database (``enrollment_tracks_bench_api``), migrated and seeded by
   ``bench.api_child seed`` (not measured): one course offering audit and honor, enrolled
   learners, fresh learners for each POST run, a signed-in session and a CSRF token each.
2. ``bench.api_child probe``: one request per endpoint through Django's test client (each must
   answer 200, the ceiling's bodies must match ours; statements counted).
3. gunicorn, ``config.wsgi`` with ``DJANGO_SETTINGS_MODULE=bench.settings`` (the project's
   settings plus the ceiling views' paths), 2 workers as ``scripts/run.sh`` starts it, the
   enrollment write throttle off (``ENROLLMENT_WRITE_RATE`` empty).
4. For the POST (``enrollment``, new learners), then the GET (``enrollment/{course_id}``): a
   warm-up of ours and of the ceiling, then ``ROUNDS`` rounds of wrk at ``CONNECTIONS``
   connections for ``DURATION`` seconds each, ours then the ceiling in odd rounds, the ceiling
   then ours in even ones, so that a change of the machine's load weighs on both. Every request
   comes from another learner's session; no POST learner is used twice.
5. ``bench.api_child verify``: each POST run enrolled as many learners as wrk counted answers.

See bench/README.md, section "The API scenario".
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
CREDENTIALS_DIR = ROOT / "var" / "bench" / "api"
LUA_SCRIPT = ROOT / "bench" / "wrk" / "session_requests.lua"
POSTGRES_API_DB = "enrollment_tracks_bench_api"
WORKERS = 2
CONNECTIONS = 16
DURATION_SECONDS = 10
WARMUP_SECONDS = 2
#: Between runs, for the workers to finish what the last run left (wrk stops mid-request).
PAUSE_SECONDS = 1.0
WRK_THREADS = 1  # one event loop saturates 2 sync workers; more would take CPU from them
#: Issue 4's targets.
TARGET_RATIO = 0.70
TARGET_P99_MS = 50.0

ROUNDS = 2


@dataclass(frozen=True)
class Run:
    name: str  # the metrics' prefix
    method: str
    path: str
    learners: str  # the credentials file (bench/api_child.py's sets)
    warmup: str


def _runs() -> tuple[tuple[Run, Run], ...]:
    """(ours, the ceiling) for the POST, then for the GET."""
    from bench import api_child as child

    return (
        (
            Run("api_enrollment_post", "POST", child.API_POST_PATH, "api_post", "api_warmup"),
            Run(
                "ceiling_enrollment_post",
                "POST",
                child.CEILING_POST_PATH,
                "ceiling_post",
                "ceiling_warmup",
            ),
        ),
        (
            Run("api_enrollment_get", "GET", child.API_GET_PATH, "readers", "readers"),
            Run("ceiling_enrollment_get", "GET", child.CEILING_GET_PATH, "readers", "readers"),
        ),
    )


class ApiBenchFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class ApiOptions:
    duration: int = DURATION_SECONDS
    connections: int = CONNECTIONS
    rounds: int = ROUNDS
    fresh: int = 30_000
    readers: int = 20_000
    background: int = 80_000
    sql_report: bool = False  # print each endpoint's statements


# ---------------------------------------------------------------------------- tools


def ensure_wrk(say: Callable[[str], None]) -> str:
    """The path of wrk; installs Debian's package when missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise ApiBenchFailed(
            "wrk is not installed; install it (Debian/Ubuntu: `sudo apt-get install wrk`) "
            "and run again"
        )
    say("== wrk is missing: apt-get install -y wrk")
    install = ["apt-get", "install", "-y", "--no-install-recommends", "wrk"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(install, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=False)
        subprocess.run(install, env=env, check=False)
    found = shutil.which("wrk")
    if not found:
        raise ApiBenchFailed("wrk could not be installed with apt-get; install it and run again")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _admin(admin_url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        for statement in statements:
            conn.execute(statement.encode())


# ---------------------------------------------------------------------------- steps


def _child(step: str, env: dict[str, str], options: ApiOptions) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        result = Path(tmp) / "result.json"
        command = [
            sys.executable,
            "-m",
            "bench.api_child",
            step,
            "--result",
            str(result),
            "--credentials",
            str(CREDENTIALS_DIR),
            "--fresh",
            str(options.fresh),
            "--readers",
            str(options.readers),
            "--background",
            str(options.background),
        ]
        completed = subprocess.run(command, cwd=ROOT, env=env, check=False)
        if completed.returncode != 0 or not result.exists():
            raise ApiBenchFailed(f"API scenario, {step}: exit status {completed.returncode}")
        figures: dict[str, Any] = json.loads(result.read_text())
    return figures


class Server:
    """gunicorn serving config.wsgi with bench.settings, 2 sync workers, on a free port."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.process = subprocess.Popen(
            [
                gunicorn,
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
                "--chdir",
                str(ROOT),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ApiBenchFailed(f"gunicorn exited with status {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise ApiBenchFailed(f"gunicorn did not answer {path} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wrk_run(
    wrk: str,
    url: str,
    method: str,
    path: str,
    learners: str,
    seconds: int,
    connections: int,
    first: int = 0,
) -> dict[str, float]:
    """One wrk run from the ``first`` learner of the set; the figures its Lua ``done`` printed."""
    from bench.api_child import POST_BODY

    command = [
        wrk,
        "-t",
        str(WRK_THREADS),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA_SCRIPT),
        url,
        "--",
        method,
        path,
        str(CREDENTIALS_DIR / f"{learners}.txt"),
        str(WRK_THREADS),
        str(first),
        POST_BODY if method == "POST" else "",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("BENCH_RESULT ")]
    if completed.returncode != 0 or not lines:
        raise ApiBenchFailed(
            f"wrk {method} {path}: exit status {completed.returncode}\n"
            f"{completed.stdout}{completed.stderr}"
        )
    figures: dict[str, float] = json.loads(lines[-1].removeprefix("BENCH_RESULT "))
    return figures


def _errors(figures: dict[str, float]) -> float:
    keys = ("non_2xx_3xx", "connect_errors", "read_errors", "write_errors", "timeouts")
    return sum(figures[key] for key in keys)


def _run_metrics(name: str, rounds: list[dict[str, float]]) -> dict[str, float]:
    """The rounds of one endpoint together: requests per second over all of them, the mean of
    their p50s, the worst of their p99s; and each round's own figures (``_r1_``, ``_r2_``...)."""
    requests = sum(figures["requests"] for figures in rounds)
    seconds = sum(figures["duration_us"] for figures in rounds) / 1e6
    metrics = {
        f"{name}_rps": requests / seconds,
        f"{name}_p50_ms": sum(figures["p50_us"] for figures in rounds) / len(rounds) / 1000,
        f"{name}_p90_ms": max(figures["p90_us"] for figures in rounds) / 1000,
        f"{name}_p99_ms": max(figures["p99_us"] for figures in rounds) / 1000,
        f"{name}_max_ms": max(figures["max_us"] for figures in rounds) / 1000,
        f"{name}_requests": requests,
        f"{name}_errors": sum(_errors(figures) for figures in rounds),
    }
    for number, figures in enumerate(rounds, start=1):
        metrics[f"{name}_r{number}_rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
        metrics[f"{name}_r{number}_p50_ms"] = figures["p50_us"] / 1000
        metrics[f"{name}_r{number}_p99_ms"] = figures["p99_us"] / 1000
    return metrics


def run_api(
    admin_url: str, options: ApiOptions, say: Callable[[str], None], failures: list[str]
) -> dict[str, float]:
    """The whole scenario; returns its flat metrics (``api_*``, ``ceiling_*``)."""
    from bench import api_child

    wrk = ensure_wrk(say)
    database_url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{POSTGRES_API_DB}"))
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
        # Sessions are signed with it by the seed and checked by the server: yours when set,
        # else one per run.
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(48),
        ENROLLMENT_WRITE_RATE="",  # the throttle off: one client makes every request
        DEBUG="false",
        LOG_LEVEL=env.get("LOG_LEVEL", "WARNING"),
    )
    started = time.perf_counter()
    say(f"== API scenario: fresh database {POSTGRES_API_DB}, seeding")
    _admin(
        admin_url,
        f"DROP DATABASE IF EXISTS {POSTGRES_API_DB} WITH (FORCE)",
        f"CREATE DATABASE {POSTGRES_API_DB}",
    )
    shutil.rmtree(CREDENTIALS_DIR, ignore_errors=True)
    _child("seed", env, options)
    probe = _child("probe", env, options)
    metrics: dict[str, float] = {
        key: value for key, value in probe.items() if isinstance(value, int | float)
    }
    for name, statements in probe.get("statements", {}).items():
        say(f"-- {name}: {len(statements)} statements")
        for sql in statements if options.sql_report else []:
            say(f"     {' '.join(sql.split())[:150]}")
    server = Server(env)
    try:
        server.wait_ready(api_child.API_COURSE_PATH)
        for pair in _runs():
            for run in pair:  # once, so that both workers have loaded everything
                wrk_run(
                    wrk,
                    server.url,
                    run.method,
                    run.path,
                    run.warmup,
                    WARMUP_SECONDS,
                    options.connections,
                )
            rounds: dict[str, list[dict[str, float]]] = {run.name: [] for run in pair}
            used = dict.fromkeys(rounds, 0)  # fresh learners used so far, by run
            for number in range(options.rounds):
                # ours, ceiling; then ceiling, ours: a drift of the machine's load is shared
                for run in pair if number % 2 == 0 else reversed(pair):
                    say(
                        f"== API scenario: {run.name} ({run.method} {run.path}), "
                        f"{options.duration} s, round {number + 1} of {options.rounds}"
                    )
                    time.sleep(PAUSE_SECONDS)
                    figures = wrk_run(
                        wrk,
                        server.url,
                        run.method,
                        run.path,
                        run.learners,
                        options.duration,
                        options.connections,
                        first=used[run.name],
                    )
                    rounds[run.name].append(figures)
                    # The next round starts past every learner this one may have enrolled.
                    used[run.name] += int(figures["requests"]) + options.connections
                    if _errors(figures):
                        failures.append(
                            f"API scenario {run.name}: {_errors(figures):.0f} failed requests"
                        )
                    if figures["wrapped"] and run.method == "POST":
                        failures.append(
                            f"API scenario {run.name}: more requests than fresh learners "
                            f"({options.fresh}); raise --api-learners"
                        )
            for name, figures_list in rounds.items():
                metrics.update(_run_metrics(name, figures_list))
    finally:
        server.stop()
    checks = _child("verify", env, options)
    for name in ("api_enrollment_post", "ceiling_enrollment_post"):
        learners = name.replace("_enrollment", "")  # api_post, ceiling_post
        enrolled = checks[f"{learners}_enrolled"]
        answered = metrics.get(f"{name}_requests", 0)
        metrics[f"{name}_enrolled"] = enrolled
        # wrk stops counting at the deadline: up to one request per connection and round may
        # have been served without being counted.
        if not answered <= enrolled <= answered + options.connections * options.rounds:
            failures.append(
                f"API scenario {name}: {enrolled} learners enrolled, {answered} answers"
            )
        if checks[f"{learners}_audit_rows"] != enrolled:
            failures.append(f"API scenario {name}: audit rows do not match the enrollments")
    for what in ("post", "get"):
        ours, ceiling = f"api_enrollment_{what}", f"ceiling_enrollment_{what}"
        if f"{ours}_rps" in metrics and f"{ceiling}_rps" in metrics:
            metrics[f"{ours}_ratio"] = metrics[f"{ours}_rps"] / metrics[f"{ceiling}_rps"]
            metrics[f"{ours}_target_met"] = float(
                metrics[f"{ours}_ratio"] >= TARGET_RATIO
                and metrics[f"{ours}_p99_ms"] <= TARGET_P99_MS
            )
    metrics["api_connections"] = options.connections
    metrics["api_duration_seconds"] = options.duration
    metrics["api_workers"] = WORKERS
    metrics["api_rounds"] = options.rounds
    say(f"== API scenario: done in {time.perf_counter() - started:.0f} s (seeding included)")
    return metrics


# ---------------------------------------------------------------------------- report


def table(metrics: dict[str, float]) -> list[str]:
    lines = [
        f"    {'':30}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'queries':>10}{'ours/ceiling':>14}"
    ]
    for what, label in (("post", "POST enrollment (new learner)"), ("get", "GET enrollment/{id}")):
        for who in ("api", "ceiling"):
            name = f"{who}_enrollment_{what}"
            if f"{name}_rps" not in metrics:
                continue
            ratio = metrics.get(f"api_enrollment_{what}_ratio") if who == "api" else None
            lines.append(
                f"    {(label if who == 'api' else '  ceiling (plain Django view)'):30}"
                f"{metrics[f'{name}_rps']:>10,.0f}{metrics[f'{name}_p50_ms']:>10.1f}"
                f"{metrics[f'{name}_p99_ms']:>10.1f}{metrics.get(f'{name}_queries', 0):>10.0f}"
                f"{'' if ratio is None else format(ratio, '.0%'):>14}"
            )
    return lines


def targets(metrics: dict[str, float]) -> list[str]:
    lines = []
    for what in ("post", "get"):
        name = f"api_enrollment_{what}"
        if f"{name}_ratio" not in metrics:
            continue
        ratio, p99 = metrics[f"{name}_ratio"], metrics[f"{name}_p99_ms"]
        lines.append(
            f"    {what.upper()}: {ratio:.0%} of the ceiling for a target of ≥ {TARGET_RATIO:.0%}: "
            f"{'met' if ratio >= TARGET_RATIO else 'MISSED'}; p99 {p99:.1f} ms for a target of "
            f"≤ {TARGET_P99_MS:g} ms: {'met' if p99 <= TARGET_P99_MS else 'MISSED'}"
        )
    return lines
