"""E-commerce throughput: how many orders per second the fulfilment path sustains, on SQLite
and PostgreSQL.

``python -m bench.ecommerce [--backends sqlite,postgres] [--orders 2000] [--flows 300]``, also
run by ``bench/run.py`` (part ``ecommerce``). Each backend gets a fresh database, seeded in a
child process (not measured: a course with audit and verified at 49 usd, N learners on audit,
N orders paid and not yet fulfilled, each with its capture in the ledger), where then:

* ``fulfil_orders_per_second``: ``services.order_fulfil`` over the N paid orders, one after the
  other, as the payment step and the reconciliation job call it (row locks, the enrollment
  service with its audit row, the order's transition and history row, the receipt queued in
  the outbox, one transaction per order);
* ``fulfil_again_per_second``: the same N orders again: each is a no-op (idempotence);
* ``paid_flow_orders_per_second``: the whole learner path through the services for M more
  learners: checkout (order, processor start) → sandbox card confirmation → paid → fulfilled;
* ``reconcile_seconds``: the reconciliation job over N paid orders (fresh ones), all fulfilled.

Figures go to ``bench/results/latest.json`` as ``<backend>.ecommerce.<metric>``; the other
metrics of the file are kept. It is not a test: nothing is asserted about speed, but a step
whose outcome is wrong (an order not fulfilled, a second audit row) fails the run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bench.databases import measure_in_child

if TYPE_CHECKING:
    from enrollment_tracks.courses.models import CourseRun

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
SQLITE_PATH = ROOT / "var" / "bench" / "ecommerce.sqlite3"
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
POSTGRES_DB = "enrollment_tracks_bench_ecommerce"
COURSE_KEY = "course-v1:BenchX+Shop+2026"
ORDERS = 1_000
FLOWS = 200


class BenchFailed(RuntimeError):
    pass


# ---------------------------------------------------------------------------- parent side


def run_ecommerce(
    backends: list[str],
    orders: int,
    flows: int,
    say: Callable[[str], None],
    failures: list[str],
    admin_url: str = POSTGRES_ADMIN_URL,
) -> dict[str, float]:
    """Measure each backend in a child process; returns the flat metrics."""
    metrics: dict[str, float] = {}
    for backend in backends:
        say(f"== e-commerce on {backend}: seeding {orders:,} paid orders, then measuring")
        figures = measure_in_child(
            module="bench.ecommerce",
            label="e-commerce",
            args=["--orders", str(orders), "--flows", str(flows)],
            backend=backend,
            admin_url=admin_url,
            sqlite_path=SQLITE_PATH,
            postgres_db=POSTGRES_DB,
            root=ROOT,
            say=say,
            failures=failures,
        )
        for name, value in (figures or {}).items():
            metrics[f"{backend}.ecommerce.{name}"] = value
    return metrics


ROWS = [
    ("paid orders fulfilled", "orders", ",.0f"),
    ("fulfilment, orders / second", "fulfil_orders_per_second", ",.1f"),
    ("fulfilment again (no-op), orders / second", "fulfil_again_per_second", ",.1f"),
    ("learners through the whole paid flow", "flows", ",.0f"),
    ("checkout → card → fulfilled, orders / second", "paid_flow_orders_per_second", ",.1f"),
    ("reconciliation of all paid orders  s", "reconcile_seconds", ".2f"),
]


def table(metrics: dict[str, float]) -> list[str]:
    lines = [f"{'':48}{'SQLite':>14}{'PostgreSQL':>14}"]
    for label, suffix, fmt in ROWS:
        cells = []
        for backend in ("sqlite", "postgres"):
            value = metrics.get(f"{backend}.ecommerce.{suffix}")
            cells.append(f"{'—' if value is None else format(value, fmt):>14}")
        lines.append(f"    {label:44}" + "".join(cells))
    return lines


# ---------------------------------------------------------------------------- child side


def _django() -> None:
    for path in (str(ROOT / "src"), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _seed(count: int, prefix: str, course: CourseRun) -> list[int]:
    """``count`` learners on audit, each with a paid, unfulfilled verified order (set-based)."""
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from enrollment_tracks.accounts.models import User
    from enrollment_tracks.core import clock
    from enrollment_tracks.ecommerce.models import LedgerEntry, Order
    from enrollment_tracks.enrollments.models import Enrollment

    now = clock.now() - dt.timedelta(hours=1)
    password = make_password(None)
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(
                username=f"{prefix}{n:06d}",
                email=f"{prefix}{n:06d}@bench.example",
                password=password,
            )
            for n in range(count)
        )
        Enrollment.objects.bulk_create(
            Enrollment(user=user, course=course, track="audit", created=now, updated=now)
            for user in users
        )
        orders = Order.objects.bulk_create(
            Order(
                number=f"ET-{prefix.upper()}{n:06d}",
                user=user,
                course=course,
                track="verified",
                currency="usd",
                price=Decimal(49),
                discount=Decimal(0),
                total=Decimal(49),
                status="paid",
                processor="sandbox",
                payment_reference=f"sbx_pi_{prefix}{n}",
                idempotency_key=f"bench-{prefix}{n}",
                created_at=now,
                updated_at=now,
                paid_at=now,
            )
            for n, user in enumerate(users)
        )
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                order=order,
                kind="capture",
                amount=Decimal(49),
                currency="usd",
                processor="sandbox",
                reference=order.payment_reference,
                created_at=now,
            )
            for order in orders
        )
    return [order.pk for order in Order.objects.filter(number__startswith=f"ET-{prefix.upper()}")]


def child(result: Path, orders: int, flows: int) -> None:
    _django()
    import uuid
    from decimal import Decimal

    from enrollment_tracks.accounts.models import User
    from enrollment_tracks.core.services import site_configuration_update
    from enrollment_tracks.courses.services import course_create
    from enrollment_tracks.courses.types import CourseInput
    from enrollment_tracks.ecommerce import services
    from enrollment_tracks.ecommerce.models import Order
    from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit
    from enrollment_tracks.tracks.services import course_track_create
    from enrollment_tracks.tracks.types import TrackInput

    site_configuration_update(ecommerce_enabled=True, id_verification_enabled=True)
    course = course_create(data=CourseInput(key=COURSE_KEY, title="Bench shop"))
    course_track_create(actor=None, course=course, data=TrackInput(slug="audit"))
    course_track_create(
        actor=None, course=course, data=TrackInput(slug="verified", price=Decimal(49))
    )
    ids = _seed(orders, "f", course)
    figures: dict[str, float] = {"orders": orders, "flows": flows}

    started = time.perf_counter()
    changed = sum(services.order_fulfil(order_id=pk) for pk in ids)
    elapsed = time.perf_counter() - started
    if changed != orders:
        raise BenchFailed(f"{changed} of {orders} orders fulfilled")
    figures["fulfil_seconds"] = elapsed
    figures["fulfil_orders_per_second"] = orders / elapsed

    started = time.perf_counter()
    again = sum(services.order_fulfil(order_id=pk) for pk in ids)
    figures["fulfil_again_per_second"] = orders / (time.perf_counter() - started)
    if again != 0 or EnrollmentAudit.objects.filter(track_after="verified").count() != orders:
        raise BenchFailed("a second fulfilment changed something")

    buyers = User.objects.bulk_create(
        User(username=f"buyer{n:06d}", email=f"buyer{n:06d}@bench.example") for n in range(flows)
    )
    from enrollment_tracks.enrollments.services import enrollment_create

    for buyer in buyers:  # on audit first (not measured)
        enrollment_create(actor=buyer, learner=buyer, course=course)
    started = time.perf_counter()
    for buyer in buyers:
        checkout = services.order_checkout(
            learner=buyer, course=course, track="verified", idempotency_key=uuid.uuid4().hex
        )
        order = Order.objects.get(number=checkout.order_number)
        services.order_payment_confirm(
            order=order, fields={"card_number": "4242424242424242"}, actor=buyer
        )
    figures["paid_flow_orders_per_second"] = flows / (time.perf_counter() - started)
    if Enrollment.objects.filter(user__in=buyers, track="verified").count() != flows:
        raise BenchFailed("a learner of the paid flow is not on verified")

    _seed(orders, "r", course)
    import datetime as dt

    started = time.perf_counter()
    report = services.orders_reconcile(older_than=dt.timedelta(0))
    figures["reconcile_seconds"] = time.perf_counter() - started
    if len(report.fulfilled) != orders or report.failed:
        raise BenchFailed(f"reconciliation fulfilled {len(report.fulfilled)} of {orders}")
    result.write_text(json.dumps(figures))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--orders", type=int, default=ORDERS)
    parser.add_argument("--flows", type=int, default=FLOWS)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.result, args.orders, args.flows)
        return 0
    failures: list[str] = []
    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    metrics = run_ecommerce(backends, args.orders, args.flows, print, failures)
    print(f"\nE-commerce, {args.orders:,} paid orders in one course")
    for line in table(metrics):
        print(line)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    kept = json.loads(args.output.read_text()) if args.output.exists() else {}
    rounded = {name: round(value, 4) for name, value in metrics.items()}
    args.output.write_text(json.dumps({**kept, **rounded}, indent=2, sort_keys=True) + "\n")
    if failures:
        print("Failed steps:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
