"""Kill a worker (SIGKILL) in the middle of a 20,000-learner job; a new worker finishes it.

Everything runs in real processes against a database of its own (a file for SQLite, a fresh
database on the PostgreSQL server in the PostgreSQL pass), as in production.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = Path(__file__).with_name("crash_scenario.py")
LEARNERS = 20_000


@pytest.fixture
def database_url(tmp_path):
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        return
    params = connection.settings_dict
    name = f"crash_{uuid.uuid4().hex[:12]}"
    user, host = params["USER"] or "postgres", params["HOST"] or "127.0.0.1"
    server = f"postgres://{user}@{host}:{params['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(database_url: str, var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "VAR_DIR": str(var_dir),  # the workers' emails are written under it, not in the tree
        "MEMBERSHIP_CHUNK_SIZE": "500",
        "MEMBERSHIP_STALE_SECONDS": "2",
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}",
    }


def _step(env: dict[str, str], *args: str) -> dict:
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


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def _wait(env: dict[str, str], until, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = _step(env, "status")
        if until(state):
            return state
        time.sleep(0.2)
    raise AssertionError(f"timed out; last state {state}")


def test_a_killed_worker_is_taken_over_and_nobody_is_changed_or_emailed_twice(
    database_url, tmp_path
):
    env = _env(database_url, tmp_path)
    _step(env, "seed", str(LEARNERS))
    assert _step(env, "plan")["total"] == LEARNERS
    first = _worker(env, tmp_path / "worker1.log")
    second = None
    try:
        middle = _wait(env, lambda s: 0 < s["done"] < s["total"], timeout=120)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = _step(env, "status")
        assert killed_at["status"] == "running", killed_at
        assert killed_at["done"] >= middle["done"]
        assert killed_at["done"] < LEARNERS, "the job ended before the kill: no crash tested"
        second = _worker(env, tmp_path / "worker2.log")
        final = _wait(env, lambda s: s["status"] in {"succeeded", "failed"}, timeout=180)
        assert final["status"] == "succeeded", (tmp_path / "worker2.log").read_text()[-3000:]
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)
    figures = _step(env, "verify")
    assert figures == {
        "status": "succeeded",
        "learners": LEARNERS,
        "honor_active": LEARNERS,
        "audit_rows": LEARNERS,
        "audit_learners": LEARNERS,
        "outbox": LEARNERS,
        "outbox_recipients": LEARNERS,
        "results": LEARNERS,
        "result_positions": LEARNERS,
        "takeovers": 1,
    }
