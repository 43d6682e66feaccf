"""What a job shows a person: its plan and results in buckets, and the results file (CSV).

Reads only. Each bucket lists the first `LIST_LIMIT` identifiers with one bounded query, so a
page about a 100,000-learner job stays small; the file streams every row from one query.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import F, FilteredRelation, Q, QuerySet

from enrollment_tracks.membership import outcomes as o
from enrollment_tracks.membership.models import JobItem, JobResult, JobStatus, JobTransition
from enrollment_tracks.membership.models import MembershipJob as Job
from enrollment_tracks.membership.parsing import neutralise_cell
from enrollment_tracks.tracks import catalog

LIST_LIMIT = 200
PENDING = "pending"
RESULT_COLUMNS = (
    "identifier",
    "user",
    "before_enrolled",
    "before_track",
    "before_allowed",
    "before_auto_enroll",
    "after_enrolled",
    "after_track",
    "after_allowed",
    "after_auto_enroll",
    "outcome",
    "error",
)
#: Short names of outcomes for the jobs list (the job page uses Open edX's full messages).
SHORT_NAMES: dict[str, str] = {
    o.ENROLLED: "enrolled",
    o.ALLOWED: "allowed to enroll",
    o.AUTOENROLLED: "enrolled on registration",
    o.UNENROLLED: "unenrolled",
    o.NOTUNENROLLED: "not affiliated",
    o.CHANGED: "track changed",
    o.ERROR: "errors",
    o.CANCELLED: "not processed",
    o.ALREADY_ENROLLED: "already enrolled",
    o.ALREADY_ON: "already on the track",
    o.NOT_ON_FROM_TRACK: "not on the “from” track",
    o.NOT_ENROLLED: "not enrolled",
    o.INVALID_IDENTIFIER: "invalid",
    o.UNKNOWN_USER: "unknown",
    o.DUPLICATE: "duplicates",
    o.TRACK_NOT_OFFERED: "track not offered",
}
_SKIP_NOTES = {
    o.INVALID_IDENTIFIER: "Invalid email address or username",
    o.UNKNOWN_USER: "No account matches this username",
    o.DUPLICATE: "Listed more than once; handled once",
    o.TRACK_NOT_OFFERED: "The course does not offer this row's track",
}


@dataclass(frozen=True, slots=True)
class Listed:
    """One identifier in a bucket; ``learner`` is what the audit trail filters on ("" if none)."""

    identifier: str
    learner: str


@dataclass(frozen=True, slots=True)
class Bucket:
    key: str
    label: str
    count: int
    listed: list[Listed] = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(self.count - len(self.listed), 0)


def track_name(slug: str) -> str:
    spec = catalog.CATALOG.get(slug)
    return spec.display_name if spec else slug


def _listed(items: QuerySet[JobItem]) -> list[Listed]:
    """The first ``LIST_LIMIT`` of ``items`` in input order (one query)."""
    rows = items.order_by("position").values_list("identifier", "user__username", "email")[
        :LIST_LIMIT
    ]
    return [Listed(identifier, username or email) for identifier, username, email in rows]


def _change_label(pair: str) -> str:
    before, _, after = pair.partition("→")
    return f"{o.PLAN_LABELS[o.WILL_CHANGE]} from {track_name(before)} to {track_name(after)}"


def plan_buckets(job: Job) -> list[Bucket]:
    """The dry run: one bucket per plan with items, a change of track split per pair."""
    items = JobItem.objects.filter(job=job)
    counts = job.plan_counts
    buckets: list[Bucket] = []
    for key, label in o.PLAN_LABELS.items():
        if not counts.get(key):
            continue
        if key != o.WILL_CHANGE:
            listed = _listed(items.filter(plan=key))
            buckets.append(Bucket(key, label, counts[key], listed))
            continue
        pairs = sorted(k.partition(":")[2] for k in counts if k.startswith(f"{o.WILL_CHANGE}:"))
        for pair in pairs:
            listed = _listed(items.filter(plan=key, plan_detail=pair))
            count = counts[f"{o.WILL_CHANGE}:{pair}"]
            buckets.append(Bucket(f"{key}:{pair}", _change_label(pair), count, listed))
    return buckets


def result_buckets(job: Job) -> list[Bucket]:
    """Outcomes in Open edX's order with its messages, then items not processed (if any)."""
    items = JobItem.objects.filter(job=job)
    results = JobResult.objects.filter(job=job)
    order = [*o.OUTCOME_LABELS, *sorted(set(job.counts) - set(o.OUTCOME_LABELS))]
    buckets: list[Bucket] = []
    for key in order:
        count = job.counts.get(key, 0)
        if not count:
            continue
        positions = results.filter(outcome=key).order_by("position").values("position")
        listed = _listed(items.filter(position__in=positions[:LIST_LIMIT]))
        label = o.outcome_label(key, notify=job.notify)
        buckets.append(Bucket(key, label, count, listed))
    remaining = job.total - job.done
    if remaining > 0:
        key = o.CANCELLED if job.status == JobStatus.CANCELLED else PENDING
        label = o.outcome_label(o.CANCELLED, notify=False) if key == o.CANCELLED else "Not yet:"
        listed = _listed(items.exclude(position__in=results.values("position")))
        buckets.append(Bucket(key, label, remaining, listed))
    return buckets


def count_summary(job: Job) -> list[tuple[str, int]]:
    """(short name, count) of the job's outcomes so far, or of its plan before it runs."""
    if job.status == JobStatus.PLANNED:
        return [
            (o.PLAN_LABELS[key].lower(), job.plan_counts[key])
            for key in o.PLAN_LABELS
            if job.plan_counts.get(key)
        ]
    order = [*SHORT_NAMES, *sorted(set(job.counts) - set(SHORT_NAMES))]
    return [(SHORT_NAMES.get(key, key), job.counts[key]) for key in order if job.counts.get(key)]


@dataclass(frozen=True, slots=True)
class JobLine:
    """A row of the jobs list: the job, its tracks' names and its counts so far."""

    job: Job
    to_track: str
    from_track: str
    counts: list[tuple[str, int]]


def job_lines(jobs: Iterable[Job]) -> list[JobLine]:
    return [
        JobLine(
            job,
            track_name(job.to_track) if job.to_track else "",
            track_name(job.from_track) if job.from_track else "",
            count_summary(job),
        )
        for job in jobs
    ]


def job_history(job: Job) -> QuerySet[JobTransition]:
    return (
        JobTransition.objects.filter(job=job).select_related("actor").order_by("created_at", "id")
    )


class _Line:
    """A file-like object whose ``write`` hands the line back (for streaming ``csv.writer``)."""

    def write(self, value: str) -> str:
        return value


def _flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def results_csv(job: Job) -> Iterator[str]:
    """The results file, line by line: every identifier in input order, with one query.

    Items the job has not reached yet have the outcome "pending" ("cancelled" once the job
    is cancelled). Every cell is neutralised for spreadsheets.
    """
    unprocessed = o.CANCELLED if job.status == JobStatus.CANCELLED else PENDING
    rows = (
        JobItem.objects.filter(job=job)
        .annotate(
            r=FilteredRelation("job__results", condition=Q(job__results__position=F("position")))
        )
        .order_by("position")
        .values_list(
            "identifier",
            "user__username",
            "plan",
            "plan_detail",
            "r__outcome",
            "r__before_enrollment",
            "r__before_track",
            "r__before_allowed",
            "r__before_auto_enroll",
            "r__after_enrollment",
            "r__after_track",
            "r__after_allowed",
            "r__after_auto_enroll",
            "r__error",
        )
    )
    writer = csv.writer(_Line())
    yield writer.writerow(RESULT_COLUMNS)
    for identifier, username, plan, detail, outcome, *state, error in rows.iterator(2000):
        note = _SKIP_NOTES.get(plan, "") if outcome == plan else ""
        if note and detail:
            note = f"{note} ({detail})"
        cells = [
            identifier,
            username or "",
            _flag(state[0]),
            state[1] or "",
            _flag(state[2]),
            _flag(state[3]),
            _flag(state[4]),
            state[5] or "",
            _flag(state[6]),
            _flag(state[7]),
            outcome or unprocessed,
            error or note,
        ]
        yield writer.writerow([neutralise_cell(cell) for cell in cells])
