from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from enrollment_tracks.courses.models import CourseRun


class JobAction(models.TextChoices):
    ENROLL = "enroll", "Enroll"
    UNENROLL = "unenroll", "Unenroll"
    CHANGE_TRACK = "change_track", "Change track"


class JobStatus(models.TextChoices):
    PLANNED = "planned", "Dry run (not started)"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


#: The job state machine: every status change goes through `state.job_transition`.
TRANSITIONS: dict[str, frozenset[str]] = {
    JobStatus.PLANNED: frozenset({JobStatus.QUEUED, JobStatus.CANCELLED}),
    JobStatus.QUEUED: frozenset({JobStatus.RUNNING, JobStatus.CANCELLED}),
    JobStatus.RUNNING: frozenset(
        {JobStatus.RUNNING, JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}
    ),
    JobStatus.FAILED: frozenset({JobStatus.QUEUED}),
    JobStatus.SUCCEEDED: frozenset(),
    JobStatus.CANCELLED: frozenset(),
}
ACTIVE_STATUSES = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})


class JobSource(models.TextChoices):
    PAGE = "page", "Membership page"
    API = "api", "REST API"
    COMPAT = "compat", "students_update_enrollment"
    COMMAND = "command", "Management command"


class MembershipJob(models.Model):
    """A batch of enrollment changes for one course, planned, then run in chunks."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey(CourseRun, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=JobAction.choices)
    to_track = models.CharField(max_length=100, blank=True)
    from_track = models.CharField(max_length=100, blank=True)
    auto_enroll = models.BooleanField(default=False)
    notify = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    source = models.CharField(max_length=16, choices=JobSource.choices, default=JobSource.PAGE)
    request_key = models.CharField(
        max_length=64,
        blank=True,
        help_text="The submitting form's one-time key: a double click makes one job.",
    )
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.PLANNED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0, help_text="Items processed so far.")
    chunk_size = models.PositiveIntegerField(
        default=0,
        help_text="Items per chunk, fixed when the job first runs: a chunk's results are its "
        "checkpoint.",
    )
    plan_counts = models.JSONField(default=dict)
    counts = models.JSONField(default=dict, help_text="Outcomes so far, per outcome.")
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    runner = models.CharField(max_length=64, blank=True, help_text="The run that owns the job.")

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["course", "created_by", "request_key"],
                condition=~Q(request_key=""),
                name="membership_job_one_per_request_key",
            ),
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="job_done_le_total"
            ),
        ]
        indexes = [models.Index(fields=["course", "-created_at"], name="job_course_created")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} job {self.id} ({self.status})"

    @property
    def progress_percent(self) -> int:
        return 100 if not self.total else int(self.done * 100 / self.total)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class JobTransition(models.Model):
    """Append-only history of a job's status."""

    job = models.ForeignKey(MembershipJob, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.job_id}: {self.from_status} → {self.to_status}"


class ItemKind(models.TextChoices):
    USER = "user", "Registered user"
    EMAIL = "email", "Email without an account"
    INVALID = "invalid", "Invalid identifier"
    UNKNOWN = "unknown", "Unknown user"
    DUPLICATE = "duplicate", "Duplicate"


class JobItem(models.Model):
    """One identifier of a job, as resolved and planned. Written once, at planning."""

    # No database foreign keys on the job's own rows: the job owns them (Django cascades), and
    # PostgreSQL's deferred checks cost ~7 µs a row at commit (DESIGN.md section 6).
    # db_index=False: the unique (job, position) index serves every look-up by job.
    job = models.ForeignKey(
        MembershipJob,
        on_delete=models.CASCADE,
        related_name="items",
        db_constraint=False,
        db_index=False,
    )
    position = models.PositiveIntegerField()
    identifier = models.CharField(max_length=320)
    kind = models.CharField(max_length=16, choices=ItemKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    email = models.CharField(max_length=255, blank=True)
    requested_track = models.CharField(max_length=100, blank=True)
    plan = models.CharField(max_length=32)
    plan_detail = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ("position",)
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="job_item_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.identifier} ({self.plan})"


class JobResult(models.Model):
    """What happened to one item when its chunk ran; inserted with the chunk's changes."""

    job = models.ForeignKey(
        MembershipJob,
        on_delete=models.CASCADE,
        related_name="results",
        db_constraint=False,
        db_index=False,
    )
    position = models.PositiveIntegerField()
    outcome = models.CharField(max_length=32)
    before_user = models.BooleanField(default=False)
    before_enrollment = models.BooleanField(default=False)
    before_track = models.CharField(max_length=100, blank=True)
    before_allowed = models.BooleanField(default=False)
    before_auto_enroll = models.BooleanField(default=False)
    after_user = models.BooleanField(default=False)
    after_enrollment = models.BooleanField(default=False)
    after_track = models.CharField(max_length=100, blank=True)
    after_allowed = models.BooleanField(default=False)
    after_auto_enroll = models.BooleanField(default=False)
    transition = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("position",)
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="job_result_position_unique")
        ]

    def __str__(self) -> str:
        return f"#{self.position}: {self.outcome}"
