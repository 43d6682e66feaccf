"""Request and response bodies of the membership APIs (ours, and Open edX's compatible one).

Input serializers only check the shape of a request; the rules (limits, tracks, rights) are the
services'. Output serializers render the models and selectors' rows; Open edX's per-identifier
results are built by `compat.openedx_results` and documented here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from django.urls import NoReverseMatch
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.reverse import reverse

from enrollment_tracks.core.errors import ValidationFailed
from enrollment_tracks.membership import outcomes
from enrollment_tracks.membership.models import (
    JobAction,
    JobItem,
    JobResult,
    JobStatus,
    MembershipJob,
)
from enrollment_tracks.membership.parsing import Entry, parse_csv, parse_text
from enrollment_tracks.membership.planning import JobRequest

COMPAT_ACTIONS = [JobAction.ENROLL.value, JobAction.UNENROLL.value]


# -------------------------------------------------------- Open edX: students_update_enrollment


class StudentsUpdateEnrollmentSerializer(serializers.Serializer[Any]):
    """Open edX's ``students_update_enrollment`` fields (form-encoded or JSON)."""

    action = serializers.ChoiceField(
        choices=COMPAT_ACTIONS, error_messages={"invalid_choice": "Unrecognized action '{input}'"}
    )
    identifiers = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        help_text="Emails and/or usernames separated by commas, spaces or new lines.",
    )
    auto_enroll = serializers.BooleanField(
        default=False, help_text="Invitations enroll the learner once they register."
    )
    email_students = serializers.BooleanField(default=False, help_text="Notify users by email.")
    reason = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, default="", trim_whitespace=False
    )
    async_processing = serializers.BooleanField(
        default=False, help_text="Run as a background job even when the list is short."
    )

    def to_request(self) -> JobRequest:
        data = self.validated_data
        return JobRequest(
            action=data["action"],
            entries=parse_text(data["identifiers"]),
            auto_enroll=data["auto_enroll"],
            notify=data["email_students"],
            reason=data["reason"] or "",
            source="compat",
        )


class CompatStateSerializer(serializers.Serializer[Any]):
    """Open edX's ``EmailEnrollmentState.to_dict()``."""

    user = serializers.BooleanField(help_text="An account with this email or username exists.")
    enrollment = serializers.BooleanField(help_text="The account is actively enrolled.")
    allowed = serializers.BooleanField(help_text="An invitation (CEA) for the email exists.")
    auto_enroll = serializers.BooleanField(help_text="The invitation enrolls on registration.")


class CompatSuccessSerializer(serializers.Serializer[Any]):
    identifier = serializers.CharField()
    before = CompatStateSerializer()
    after = CompatStateSerializer()
    success = serializers.BooleanField()
    state_transition = serializers.CharField(help_text="e.g. `from unenrolled to enrolled`.")


class CompatInvalidSerializer(serializers.Serializer[Any]):
    identifier = serializers.CharField()
    invalidIdentifier = serializers.BooleanField()  # Open edX's key
    success = serializers.BooleanField()
    error_type = serializers.CharField(help_text="`invalid_identifier`")
    error_message = serializers.CharField(help_text="`Invalid email address`")


class CompatErrorSerializer(serializers.Serializer[Any]):
    identifier = serializers.CharField()
    error = serializers.BooleanField()
    success = serializers.BooleanField()
    error_type = serializers.CharField(help_text="`general_error`")
    error_message = serializers.CharField()


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="CompatResult",
        serializers=[CompatSuccessSerializer, CompatInvalidSerializer, CompatErrorSerializer],
        resource_type_field_name=None,
    )
)
class _CompatResultField(serializers.JSONField):
    pass


class CompatSyncResponseSerializer(serializers.Serializer[Any]):
    """The synchronous answer: one result per identifier, in input order."""

    action = serializers.ChoiceField(choices=COMPAT_ACTIONS)
    auto_enroll = serializers.BooleanField()
    results = serializers.ListField(child=_CompatResultField())


class CompatAsyncResponseSerializer(serializers.Serializer[Any]):
    """The answer when the list runs as a background job (Open edX's async variant)."""

    action = serializers.ChoiceField(choices=COMPAT_ACTIONS)
    auto_enroll = serializers.BooleanField()
    async_processing = serializers.BooleanField()
    task_id = serializers.UUIDField(help_text="The membership job's id.")
    task_state = serializers.ChoiceField(choices=JobStatus.choices, help_text="The job's status.")
    message = serializers.CharField(help_text="`Async {action} task submitted for {N} students`")
    total_students = serializers.IntegerField()


COMPAT_RESPONSE = PolymorphicProxySerializer(
    component_name="StudentsUpdateEnrollmentResponse",
    serializers=[CompatSyncResponseSerializer, CompatAsyncResponseSerializer],
    resource_type_field_name=None,
)


def compat_async_body(job: MembershipJob) -> dict[str, Any]:
    return {
        "action": job.action,
        "auto_enroll": job.auto_enroll,
        "async_processing": True,
        "task_id": str(job.pk),
        "task_state": job.status,
        "message": f"Async {job.action} task submitted for {job.total} students",
        "total_students": job.total,
    }


# ------------------------------------------------------------------------- our own job API


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "description": "Separated by commas, spaces or new lines."},
            {"type": "array", "items": {"type": "string"}},
        ]
    }
)
class IdentifiersField(serializers.Field[str, str | list[str], str, Any]):
    """A string of identifiers, or a list of strings (each split the same way)."""

    default_error_messages = {"invalid": "Give a string or a list of strings."}

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, str):
            return data
        if isinstance(data, list) and all(isinstance(item, str) for item in data):
            return "\n".join(data)
        self.fail("invalid")
        raise AssertionError  # pragma: no cover (fail raises)

    def to_representation(self, value: str) -> str:
        return value


class JobCreateSerializer(serializers.Serializer[Any]):
    """A new job. ``dry_run`` (the default) stores the plan only; confirm it to run it."""

    action = serializers.ChoiceField(choices=JobAction.choices)
    identifiers = IdentifiersField(required=False)
    csv = serializers.CharField(
        required=False,
        trim_whitespace=False,
        help_text="CSV text with a header row: `identifier` and an optional `track` column.",
    )
    to_track = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    from_track = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    auto_enroll = serializers.BooleanField(default=False)
    notify = serializers.BooleanField(default=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    dry_run = serializers.BooleanField(
        default=True, help_text="True: only plan. False: plan and queue the job at once."
    )
    request_key = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=64,
        help_text="Idempotency key: the same key from the same person gives back the same job.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "identifiers" in attrs and "csv" in attrs:
            raise serializers.ValidationError(
                {"csv": "Give identifiers or csv, not both."}, code="ambiguous"
            )
        return attrs

    def entries(self) -> list[Entry]:
        data = self.validated_data
        if "csv" not in data:
            return parse_text(data.get("identifiers", ""))
        try:
            return parse_csv(data["csv"].encode("utf-8"))
        except ValidationFailed as error:
            raise ValidationFailed(error.message, code=error.code, field="csv") from None

    def to_request(self) -> JobRequest:
        data = self.validated_data
        return JobRequest(
            action=data["action"],
            entries=self.entries(),
            to_track=data["to_track"],
            from_track=data["from_track"],
            auto_enroll=data["auto_enroll"],
            notify=data["notify"],
            reason=data["reason"],
            source="api",
            request_key=data["request_key"],
        )


class JobOptionsSerializer(serializers.Serializer[Any]):
    to_track = serializers.CharField()
    from_track = serializers.CharField()
    auto_enroll = serializers.BooleanField()
    notify = serializers.BooleanField()
    reason = serializers.CharField()


class JobLinksSerializer(serializers.Serializer[Any]):
    self = serializers.URLField()
    confirm = serializers.URLField()
    cancel = serializers.URLField()
    retry = serializers.URLField()
    results = serializers.URLField()
    results_csv = serializers.URLField(
        required=False, help_text="The results file (only when the Membership page serves it)."
    )


def job_links(job: MembershipJob, request: Request | None) -> dict[str, str]:
    kwargs = {"course_key": job.course.key, "job_id": job.pk}
    names = {
        "self": "job-detail",
        "confirm": "job-confirm",
        "cancel": "job-cancel",
        "retry": "job-retry",
        "results": "job-results",
    }
    links = {
        key: reverse(f"membership-api:{name}", kwargs=kwargs, request=request)
        for key, name in names.items()
    }
    with contextlib.suppress(NoReverseMatch):  # the page serves the file, when it does
        links["results_csv"] = reverse("membership:job-results-csv", kwargs=kwargs, request=request)
    return links


class JobSerializer(serializers.Serializer[MembershipJob]):
    """A job with its plan, status and progress."""

    id = serializers.UUIDField()
    course_id = serializers.CharField(source="course.key")
    action = serializers.ChoiceField(choices=JobAction.choices)
    status = serializers.ChoiceField(choices=JobStatus.choices)
    source = serializers.CharField()  # type: ignore[assignment]  # a field named "source"
    created_by = serializers.CharField(source="created_by.username", allow_null=True)
    total = serializers.IntegerField(help_text="Identifiers in the job.")
    done = serializers.IntegerField(help_text="Identifiers processed so far.")
    progress_percent = serializers.IntegerField()
    plan_counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Dry-run plan: identifiers per bucket."
    )
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Outcomes so far: identifiers per outcome."
    )
    error = serializers.CharField()
    cancel_requested = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    queued_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    options = JobOptionsSerializer(source="*")
    links = serializers.SerializerMethodField()

    @extend_schema_field(JobLinksSerializer)
    def get_links(self, job: MembershipJob) -> dict[str, str]:
        return job_links(job, self.context.get("request"))


class ResultStateSerializer(CompatStateSerializer):
    track = serializers.CharField(help_text="The enrollment's track (blank without one).")


class JobResultRowSerializer(serializers.Serializer[Any]):
    """One identifier: its plan and, once its chunk has run, what happened."""

    position = serializers.IntegerField()
    identifier = serializers.CharField()
    username = serializers.CharField(allow_null=True)
    kind = serializers.CharField()
    plan = serializers.CharField()
    plan_label = serializers.CharField()
    plan_detail = serializers.CharField()
    outcome = serializers.CharField(allow_null=True, help_text="Null until processed.")
    outcome_label = serializers.CharField(allow_null=True)
    before = ResultStateSerializer(allow_null=True)
    after = ResultStateSerializer(allow_null=True)
    transition = serializers.CharField(help_text="The audit trail's transition, if any.")
    error = serializers.CharField()


def _state(result: JobResult, when: str) -> dict[str, Any]:
    return {
        name: getattr(result, f"{when}_{name}")
        for name in ("user", "enrollment", "allowed", "auto_enroll", "track")
    }


def result_rows(
    job: MembershipJob, items: Sequence[JobItem], results: Mapping[int, JobResult]
) -> list[dict[str, Any]]:
    """The rows `JobResultRowSerializer` renders: each item with its result, if any."""
    rows: list[dict[str, Any]] = []
    for item in items:
        result = results.get(item.position)
        rows.append(
            {
                "position": item.position,
                "identifier": item.identifier,
                "username": item.user.username if item.user else None,
                "kind": item.kind,
                "plan": item.plan,
                "plan_label": outcomes.PLAN_LABELS.get(item.plan, item.plan),
                "plan_detail": item.plan_detail,
                "outcome": result.outcome if result else None,
                "outcome_label": (
                    outcomes.outcome_label(result.outcome, notify=job.notify) if result else None
                ),
                "before": _state(result, "before") if result else None,
                "after": _state(result, "after") if result else None,
                "transition": result.transition if result else "",
                "error": result.error if result else "",
            }
        )
    return rows
