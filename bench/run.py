"""`make bench`: the batch membership engine at 100,000 learners, on SQLite and PostgreSQL, and
the Enrollment API under gunicorn on PostgreSQL (``bench/api.py``).

``python bench/run.py batch`` runs only the batch scenarios, ``python bench/run.py api`` only the
API scenario; with no argument both run.

For each backend: a fresh database is created and seeded once (``bench/child.py seed``, not
measured), kept as a template, and every scenario then runs in a fresh process against a fresh
copy of it, so that each process's peak RSS is the scenario's own. The figures are printed as a
table and written to ``bench/results/latest.json`` (metric name → number; the figures of parts
not run are kept). See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/run.py`: the package `bench` from the checkout
    sys.path.insert(0, str(ROOT))

from bench import api as api_scenario  # noqa: E402  (after the path above)
from bench import certificates as certificates_scenario  # noqa: E402
from bench import ecommerce as ecommerce_scenario  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "latest.json"
SQLITE_DIR = ROOT / "var" / "bench"
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
POSTGRES_DB = "enrollment_tracks_bench"
POSTGRES_SEED_DB = "enrollment_tracks_bench_seed"

#: Scenario (1), submitted → finished, in seconds (issue 3), and the worker's peak RSS.
TOTAL_TARGETS = {"sqlite": 8.0, "postgres": 5.0}
RSS_TARGET_MB = 300.0
SCENARIOS = ("change_track", "unenroll_reenroll", "naive")


# ---------------------------------------------------------------------------- databases


class Backend:
    name: str
    label: str
    url: str

    def available(self) -> str | None:
        """None when the backend can be measured, else why not."""
        return None

    def create(self) -> None:
        """An empty database, whatever was there before."""
        raise NotImplementedError

    def keep_seed(self) -> None:
        """Keep the seeded database as the template of every scenario."""
        raise NotImplementedError

    def restore_seed(self) -> None:
        """Make the database a fresh copy of the seeded one."""
        raise NotImplementedError

    def finish(self) -> None:
        """Drop the template (the last scenario's database stays for inspection)."""


class SQLite(Backend):
    name = "sqlite"
    label = "SQLite"

    def __init__(self) -> None:
        self.path = SQLITE_DIR / "bench.sqlite3"
        self.seed_path = SQLITE_DIR / "bench-seed.sqlite3"
        self.url = f"sqlite:///{self.path}"

    @staticmethod
    def _remove(path: Path) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def create(self) -> None:
        SQLITE_DIR.mkdir(parents=True, exist_ok=True)
        self._remove(self.path)
        self._remove(self.seed_path)

    def keep_seed(self) -> None:
        # The seeding process checkpointed the WAL and closed: the main file is the database.
        shutil.copyfile(self.path, self.seed_path)

    def restore_seed(self) -> None:
        self._remove(self.path)
        shutil.copyfile(self.seed_path, self.path)

    def finish(self) -> None:
        self._remove(self.seed_path)


class PostgreSQL(Backend):
    name = "postgres"
    label = "PostgreSQL"

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{POSTGRES_DB}"))

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
            for statement in statements:
                conn.execute(statement.encode())

    def available(self) -> str | None:
        try:
            import psycopg
        except ImportError:
            return "psycopg is not installed"
        try:
            with psycopg.connect(self.admin_url, connect_timeout=3) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else "no answer"
            return f"the server at {self.admin_url} does not answer ({first_line})"
        return None

    def create(self) -> None:
        self._admin(
            f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)",
            f"DROP DATABASE IF EXISTS {POSTGRES_SEED_DB} WITH (FORCE)",
            f"CREATE DATABASE {POSTGRES_DB}",
        )

    def keep_seed(self) -> None:
        self._admin(f"CREATE DATABASE {POSTGRES_SEED_DB} TEMPLATE {POSTGRES_DB}")

    def restore_seed(self) -> None:
        self._admin(
            f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)",
            f"CREATE DATABASE {POSTGRES_DB} TEMPLATE {POSTGRES_SEED_DB}",
        )

    def finish(self) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {POSTGRES_SEED_DB} WITH (FORCE)")


# ---------------------------------------------------------------------------- running


class StepFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Options:
    learners: int
    naive_learners: int
    scenarios: tuple[str, ...] = SCENARIOS
    profile: Path | None = None
    sql_report: bool = False
    steps: bool = False


def run_step(backend: Backend, step: str, options: Options) -> dict[str, dict[str, float]]:
    """Run ``bench.child STEP`` in a new Python process against ``backend``'s database."""
    env = dict(os.environ)
    env["DATABASE_URL"] = backend.url
    env["MEMBERSHIP_MAX_IDENTIFIERS"] = str(
        max(options.learners, int(env.get("MEMBERSHIP_MAX_IDENTIFIERS") or 0))
    )
    env.setdefault("LOG_LEVEL", "WARNING")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        result = Path(tmp) / "result.json"
        command = [
            sys.executable,
            "-m",
            "bench.child",
            step,
            "--result",
            str(result),
            "--learners",
            str(options.learners),
            "--naive-learners",
            str(options.naive_learners),
        ]
        if options.profile is not None and step != "seed":
            command += ["--profile", str(options.profile / backend.name)]
        if options.sql_report and step != "seed":
            command.append("--sql-report")
        if options.steps and step != "seed":
            command.append("--steps")
        completed = subprocess.run(command, cwd=ROOT, env=env, check=False)
        if completed.returncode != 0 or not result.exists():
            raise StepFailed(f"{backend.label} {step}: exit status {completed.returncode}")
        figures: dict[str, dict[str, float]] = json.loads(result.read_text())
    return figures


def run_backend(
    backend: Backend, options: Options, say: Callable[[str], None], failures: list[str]
) -> dict[str, float]:
    """Seed once, then each scenario against a fresh copy; returns the flat metrics."""
    metrics: dict[str, float] = {}

    def collect(figures: dict[str, dict[str, float]]) -> None:
        for scenario, values in figures.items():
            for name, value in values.items():
                metrics[f"{backend.name}.{scenario}.{name}"] = value

    started = time.perf_counter()
    say(f"== {backend.label}: fresh database, seeding {options.learners:,} learners")
    backend.create()
    collect(run_step(backend, "seed", options))
    backend.keep_seed()
    try:
        for step in options.scenarios:
            say(f"== {backend.label}: {step}")
            backend.restore_seed()
            try:
                collect(run_step(backend, step, options))
            except StepFailed as error:
                failures.append(str(error))
                say(f"== FAILED: {error}")
    finally:
        backend.finish()
    change = f"{backend.name}.change_track"
    naive = f"{backend.name}.naive_loop"
    if f"{change}.total_seconds" in metrics:
        target = TOTAL_TARGETS[backend.name]
        metrics[f"{change}.target_seconds"] = target
        metrics[f"{change}.target_met"] = float(metrics[f"{change}.total_seconds"] <= target)
        metrics[f"{change}.target_rss_mb"] = RSS_TARGET_MB
        metrics[f"{change}.rss_target_met"] = float(
            metrics[f"{change}.peak_rss_mb"] <= RSS_TARGET_MB
        )
        if f"{naive}.extrapolated_seconds" in metrics:
            metrics[f"{naive}.ratio"] = (
                metrics[f"{naive}.extrapolated_seconds"] / metrics[f"{change}.total_seconds"]
            )
    say(f"== {backend.label}: done in {time.perf_counter() - started:.0f} s (seeding included)")
    return metrics


# ---------------------------------------------------------------------------- report

ROWS: list[tuple[str, str, str, str]] = [
    # (heading or "", label, metric suffix, format)
    ("(1) change of track audit → honor, job path, notify on", "", "", ""),
    ("", "plan (job_plan, the dry run)  s", "change_track.plan_seconds", ".2f"),
    ("", "confirm (job_confirm)  s", "change_track.confirm_seconds", ".3f"),
    ("", "run (runner.job_run)  s", "change_track.run_seconds", ".2f"),
    ("", "total, submitted → finished  s", "change_track.total_seconds", ".2f"),
    ("", "learners / second", "change_track.learners_per_second", ",.0f"),
    ("", "peak RSS of the process  MB", "change_track.peak_rss_mb", ".0f"),
    ("", "peak RSS during the run  MB", "change_track.run_peak_rss_mb", ".0f"),
    ("", "chunks (of chunk_size)", "change_track.chunks", ".0f"),
    ("", "queries per chunk", "change_track.queries_per_chunk", ".1f"),
    ("", "queries of the plan", "change_track.plan_queries", ".0f"),
    ("(2) bulk unenroll, then bulk re-enroll, notify off", "", "", ""),
    ("", "unenroll (plan + run)  s", "unenroll.seconds", ".2f"),
    ("", "re-enroll (plan + run)  s", "reenroll.seconds", ".2f"),
    ("", "total  s", "unenroll_reenroll.total_seconds", ".2f"),
    ("", "queries per chunk, unenroll", "unenroll.queries_per_chunk", ".1f"),
    ("", "queries per chunk, re-enroll", "reenroll.queries_per_chunk", ".1f"),
    ("", "peak RSS of the process  MB", "unenroll_reenroll.peak_rss_mb", ".0f"),
    ("(3) naive per-learner ORM loop (enrollment_change_track)", "", "", ""),
    ("", "learners measured", "naive_loop.learners", ",.0f"),
    ("", "measured  s", "naive_loop.seconds", ".2f"),
    ("", "queries per learner", "naive_loop.queries_per_learner", ".1f"),
    ("", "extrapolated to all learners  s", "naive_loop.extrapolated_seconds", ",.1f"),
    ("", "ratio naive / job (1)", "naive_loop.ratio", ",.1f"),
]


def table(metrics: dict[str, float], backends: list[Backend]) -> str:
    width = 48
    lines = [f"{'':{width}}" + "".join(f"{b.label:>14}" for b in backends)]
    for heading, label, suffix, fmt in ROWS:
        if heading:
            lines.append(heading)
            continue
        cells = []
        for backend in backends:
            value = metrics.get(f"{backend.name}.{suffix}")
            cells.append(f"{'—' if value is None else format(value, fmt):>14}")
        lines.append(f"    {label:{width - 4}}" + "".join(cells))
    return "\n".join(lines)


def targets(metrics: dict[str, float], backends: list[Backend]) -> list[str]:
    lines = []
    for backend in backends:
        key = f"{backend.name}.change_track"
        if f"{key}.total_seconds" not in metrics:
            continue
        total = metrics[f"{key}.total_seconds"]
        rss = metrics[f"{key}.peak_rss_mb"]
        target = TOTAL_TARGETS[backend.name]
        lines.append(
            f"    (1) on {backend.label}: {total:.2f} s for a target of ≤ {target:g} s: "
            f"{'met' if total <= target else 'MISSED'}"
        )
        lines.append(
            f"    (1) on {backend.label}: peak RSS {rss:.0f} MB for a target of "
            f"≤ {RSS_TARGET_MB:g} MB: {'met' if rss <= RSS_TARGET_MB else 'MISSED'}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmarks of the batch membership engine and of the Enrollment API."
    )
    parser.add_argument(
        "part",
        nargs="?",
        choices=("all", "batch", "api", "certificates", "ecommerce"),
        default="all",
        help="batch scenarios, API scenario, certificates, or all of them (default)",
    )
    parser.add_argument(
        "--backends",
        default="sqlite,postgres",
        help="comma-separated, among sqlite and postgres (default: both)",
    )
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--naive-learners", type=int, default=5_000)
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help="comma-separated, among %(default)s (default: all)",
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="the JSON file (default: %(default)s)"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="cProfile every phase into DIR/<backend>/<phase>.prof and print the hot spots",
    )
    parser.add_argument(
        "--sql-report", action="store_true", help="print every phase's slowest statements"
    )
    parser.add_argument(
        "--steps", action="store_true", help="print the time of each engine step, per chunk"
    )
    parser.add_argument(
        "--api-duration",
        type=int,
        default=api_scenario.DURATION_SECONDS,
        help="seconds of each API run (default: %(default)s)",
    )
    parser.add_argument(
        "--api-connections",
        type=int,
        default=api_scenario.CONNECTIONS,
        help="concurrent connections of the API runs (default: %(default)s)",
    )
    parser.add_argument(
        "--api-rounds",
        type=int,
        default=api_scenario.ROUNDS,
        help="rounds of each API run, alternating ours and the ceiling (default: %(default)s)",
    )
    parser.add_argument(
        "--api-learners",
        type=int,
        default=api_scenario.ApiOptions.fresh,
        help="fresh learners seeded for each POST run (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    scenarios = tuple(name.strip() for name in args.scenarios.split(",") if name.strip())
    if any(name not in SCENARIOS for name in scenarios):
        parser.error(f"scenarios are among {', '.join(SCENARIOS)}")
    options = Options(
        learners=args.learners,
        naive_learners=args.naive_learners,
        scenarios=scenarios,
        profile=args.profile.resolve() if args.profile else None,
        sql_report=args.sql_report,
        steps=args.steps,
    )
    known: dict[str, Callable[[], Backend]] = {
        "sqlite": SQLite,
        "postgres": lambda: PostgreSQL(POSTGRES_ADMIN_URL),
    }
    wanted = [name.strip() for name in args.backends.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in known]
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(unknown)}")

    def say(text: str) -> None:
        print(text, flush=True)

    measured: list[Backend] = []
    notes: list[str] = []
    failures: list[str] = []
    metrics: dict[str, float] = {}
    for name in wanted if args.part in ("all", "batch") else []:
        backend = known[name]()
        why_not = backend.available()
        if why_not:
            notes.append(f"{backend.label} skipped: {why_not}.")
            say(f"== {backend.label} skipped: {why_not}.")
            continue
        try:
            metrics.update(run_backend(backend, options, say, failures))
        except StepFailed as error:
            failures.append(str(error))
            say(f"== FAILED: {error}")
        measured.append(backend)
    if args.part in ("all", "batch"):
        metrics["learners"] = options.learners
        metrics["naive_learners"] = options.naive_learners
    if args.part in ("all", "api"):
        api_options = api_scenario.ApiOptions(
            duration=args.api_duration,
            connections=args.api_connections,
            rounds=max(1, args.api_rounds),
            fresh=args.api_learners,
            sql_report=args.sql_report,
        )
        why_not = PostgreSQL(POSTGRES_ADMIN_URL).available()
        if why_not:
            notes.append(f"API scenario skipped (it needs PostgreSQL): {why_not}.")
            say(f"== API scenario skipped: {why_not}.")
        else:
            try:
                metrics.update(api_scenario.run_api(POSTGRES_ADMIN_URL, api_options, say, failures))
            except api_scenario.ApiBenchFailed as error:
                failures.append(str(error))
                say(f"== FAILED: {error}")

    if args.part in ("all", "batch"):
        print()
        print(f"Batch membership engine, {options.learners:,} learners in one course")
        print(table(metrics, measured))
        scale = "" if options.learners == 100_000 else " (they are set for 100,000 learners)"
        print(f"Targets (issue 3), not enforced{scale}:")
        for line in targets(metrics, measured) or ["    nothing measured"]:
            print(line)
    if any(name.startswith("api_") for name in metrics):
        print()
        print(
            f"Enrollment API on PostgreSQL, gunicorn {api_scenario.WORKERS} workers, "
            f"{args.api_connections} connections, "
            f"{args.api_rounds} rounds of {args.api_duration} s per endpoint"
        )
        for line in api_scenario.table(metrics):
            print(line)
        print("Targets (issue 4), not enforced:")
        for line in api_scenario.targets(metrics) or ["    nothing measured"]:
            print(line)
    if args.part in ("all", "certificates"):
        # Certificates at scale (issue 7): its own databases, see bench/certificates.py.
        metrics.update(
            certificates_scenario.run_certificates(
                wanted, args.learners, say, failures, POSTGRES_ADMIN_URL
            )
        )
        print()
        print(f"Certificates, {args.learners:,} learners in one course (target ≤ 30 s)")
        for line in certificates_scenario.table(metrics):
            print(line)
    if args.part in ("all", "ecommerce"):
        # Orders per second of the fulfilment path (issue 5): see bench/ecommerce.py.
        metrics.update(
            ecommerce_scenario.run_ecommerce(
                wanted,
                ecommerce_scenario.ORDERS,
                ecommerce_scenario.FLOWS,
                say,
                failures,
                POSTGRES_ADMIN_URL,
            )
        )
        print()
        print(f"E-commerce, {ecommerce_scenario.ORDERS:,} paid orders in one course")
        for line in ecommerce_scenario.table(metrics):
            print(line)
    for note in notes:
        print(f"Note: {note}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    kept = json.loads(args.output.read_text()) if args.output.exists() else {}
    args.output.write_text(
        json.dumps({**kept, **_rounded(metrics)}, indent=2, sort_keys=True) + "\n"
    )
    print(f"Figures written to {_shown(args.output)}")
    if failures:
        print("Failed steps:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


def _rounded(metrics: dict[str, Any]) -> dict[str, float | int]:
    return {
        name: int(value) if float(value).is_integer() else round(float(value), 4)
        for name, value in metrics.items()
    }


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
