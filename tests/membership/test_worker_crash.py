"""Real worker processes on a 20,000-learner job: one is killed (SIGKILL) in the middle, another
takes over; a stopped one (SIGTERM) hands the job back after its current chunk.

Everything runs in real processes (`manage.py run_worker`, `crash_scenario.py` for the seed,
the plan and the figures) against a database of its own, as in production: a file for SQLite,
a fresh database on the server in the PostgreSQL pass. The test process only watches the job's
row through a plain driver connection, fast enough to act between two chunks.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from enrollment_tracks.membership.models import MembershipJob

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = Path(__file__).with_name("crash_scenario.py")
LEARNERS = 20_000
JOB_TABLE = MembershipJob._meta.db_table


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        return
    params = connection.settings_dict
    name = f"crash_{uuid.uuid4().hex[:12]}"
    user = quote(params["USER"] or "postgres")
    password = f":{quote(params['PASSWORD'])}" if params.get("PASSWORD") else ""
    server = f"postgres://{user}{password}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Job:
    """The job's row as the workers leave it, read without Django (autocommit: fresh data)."""

    def __init__(self, database_url: str) -> None:
        if database_url.startswith("sqlite:///"):
            self.db: Any = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        else:
            self.db = psycopg.connect(database_url, autocommit=True)

    def state(self) -> dict[str, Any]:
        cursor = self.db.execute(
            f"SELECT status, done, total, runner, heartbeat_at FROM {JOB_TABLE}"  # noqa: S608
        )
        status, done, total, runner, heartbeat = cursor.fetchone()
        return {
            "status": status,
            "done": done,
            "total": total,
            "runner": runner,
            "heartbeat": heartbeat,
        }

    def wait(self, until: Callable[[dict[str, Any]], bool], *, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        state = self.state()
        while not until(state):
            assert time.monotonic() < deadline, f"timed out; last state {state}"
            time.sleep(0.01)
            state = self.state()
        return state

    def close(self) -> None:
        self.db.close()


def _env(database_url: str, var_dir: Path, chunk: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "VAR_DIR": str(var_dir),  # the workers' emails are written under it, not in the tree
        "MEMBERSHIP_CHUNK_SIZE": str(chunk),
        "MEMBERSHIP_STALE_SECONDS": "2",
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}",
    }


def _step(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(SCENARIO), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


class Workers:
    """``run_worker`` processes; whatever is still running at the end is killed."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = self.logs / f"worker{len(self.started) + 1}.log"
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.1", "--no-startup-delay"],
            env=self.env,
            cwd=ROOT,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.started.append(process)
        return process

    def log(self, number: int) -> str:
        return (self.logs / f"worker{number}.log").read_text()[-3000:]

    def kill_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture
def scenario(database_url: str, tmp_path: Path) -> Iterator[Callable[..., tuple[Job, Workers]]]:
    opened: list[tuple[Job, Workers]] = []

    def prepare(*, learners: int, chunk: int) -> tuple[Job, Workers]:
        env = _env(database_url, tmp_path, chunk)
        _step(env, "seed", str(learners))
        assert _step(env, "plan")["total"] == learners
        pair = (Job(database_url), Workers(env, tmp_path))
        opened.append(pair)
        return pair

    yield prepare
    for job, workers in opened:
        workers.kill_all()
        job.close()


def _figures(workers: Workers) -> dict[str, Any]:
    return _step(workers.env, "verify")


def _expected(learners: int) -> dict[str, Any]:
    return {
        "status": "succeeded",
        "learners": learners,
        "honor_active": learners,
        "audit_rows": learners,
        "audit_learners": learners,
        "outbox": learners,
        "outbox_recipients": learners,
        "results": learners,
        "result_positions": learners,
    }


def in_the_middle(state: dict[str, Any]) -> bool:
    return 0 < state["done"] < state["total"]


def test_a_killed_worker_is_taken_over_and_nobody_is_changed_or_emailed_twice(scenario):
    job, workers = scenario(learners=LEARNERS, chunk=1000)
    first = workers.start()
    middle = job.wait(in_the_middle, timeout=120)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)

    killed_at = job.state()
    assert killed_at["status"] == "running", killed_at
    assert middle["done"] <= killed_at["done"] < LEARNERS, "the job ended before the kill"

    workers.start()
    final = job.wait(lambda s: s["status"] in {"succeeded", "failed"}, timeout=120)
    assert final["status"] == "succeeded", workers.log(2)
    workers.kill_all()

    figures = _figures(workers)
    takeovers = figures.pop("takeovers")
    assert figures == _expected(LEARNERS)
    assert len(takeovers) == 1, takeovers
    assert takeovers[0].endswith(f"at item {killed_at['done']}"), takeovers


def test_a_stopped_worker_hands_the_job_back_after_its_current_chunk(scenario):
    learners = 5000
    job, workers = scenario(learners=learners, chunk=100)
    first = workers.start()
    job.wait(in_the_middle, timeout=120)
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=30) == 0, workers.log(1)

    handed_back = job.state()
    assert handed_back["status"] == "running", handed_back
    assert (handed_back["runner"], handed_back["heartbeat"]) == ("", None)
    assert 0 < handed_back["done"] < learners, "the job ended before the stop"

    workers.start()  # it takes the job at once: the task is queued, the job has no owner
    final = job.wait(lambda s: s["status"] in {"succeeded", "failed"}, timeout=60)
    assert final["status"] == "succeeded", workers.log(2)
    workers.kill_all()

    figures = _figures(workers)
    takeovers = figures.pop("takeovers")
    assert figures == _expected(learners)
    assert takeovers == [f"taken over from a stopped worker at item {handed_back['done']}"]
