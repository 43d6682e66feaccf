"""Certificate pages.

* The instructor dashboard's Certificates tab and its forms: course team of the course and
  global staff only (`course_team_only`); a certificate or job of another course is a 404.
* The verify page and the PDF: public, by the certificate's random id (valid or revoked).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from enrollment_tracks.certificates import reports, selectors, services
from enrollment_tracks.certificates.eligibility import REASON_TEXT, ListEntry
from enrollment_tracks.certificates.forms import (
    ConfigurationForm,
    ExceptionForm,
    GradesUploadForm,
    PassingGradeForm,
    RevokeForm,
)
from enrollment_tracks.certificates.grades_csv import parse_grades_csv
from enrollment_tracks.certificates.models import GenerationJob, GradeSource
from enrollment_tracks.certificates.pdf import certificate_pdf
from enrollment_tracks.certificates.rendering import certificate_view
from enrollment_tracks.certificates.types import GradeResult
from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.web.errors import add_to_form, raise_for_page
from enrollment_tracks.web.views.common import current_user
from enrollment_tracks.web.views.instructor import course_team_only

CERTIFICATES_LISTED = 200


def _tab(
    request: HttpRequest,
    course: CourseRun,
    *,
    status: int = 200,
    grade_results: list[GradeResult] | None = None,
    **forms: Any,
) -> HttpResponse:
    unavailable = selectors.certificates_unavailable_reason(course)
    configuration = selectors.configuration_get(course)
    rows = selectors.learner_rows_of_course(course)
    jobs = list(selectors.generation_jobs(course)[:5])
    context = {
        "course": course,
        "tab": "certificates",
        "unavailable": unavailable,
        "configuration": configuration,
        "active": selectors.certificates_active(course),
        "passing_grade": selectors.passing_grade_of(course),
        "counts": selectors.status_counts(rows),
        "reasons": REASON_TEXT,
        "certificates": selectors.certificates_of_course(course)[:CERTIFICATES_LISTED],
        "exceptions": selectors.exceptions_of_course(course),
        "grade_history": selectors.grade_history_of_course(course, limit=20),
        "jobs": jobs,
        "current_job": jobs[0] if jobs else None,
        "grade_results": grade_results,
        "grade_errors": sum(1 for r in grade_results or [] if r.is_error),
        "config_form": forms.get("config_form")
        or ConfigurationForm(initial=ConfigurationForm.initial_from(configuration)),
        "passing_form": forms.get("passing_form")
        or PassingGradeForm(initial={"passing_grade": selectors.passing_grade_of(course)}),
        "grades_form": forms.get("grades_form") or GradesUploadForm(),
        "exception_form": forms.get("exception_form") or ExceptionForm(),
        "revoke_form": RevokeForm(),
    }
    return render(request, "certificates/tab.html", context, status=status)


def _back(course: CourseRun, anchor: str = "") -> HttpResponse:
    response = redirect("certificates:tab", course_key=course.key)
    response["Location"] += f"#{anchor}" if anchor else ""
    return response


@never_cache
@require_GET
@course_team_only
def certificates_tab(request: HttpRequest, course: CourseRun) -> HttpResponse:
    return _tab(request, course)


@require_POST
@course_team_only
def configuration_save(request: HttpRequest, course: CourseRun) -> HttpResponse:
    form = ConfigurationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.configuration_save(
                actor=current_user(request),
                course=course,
                data=form.to_input(),
                logo=form.cleaned_data.get("organisation_logo"),
                signatures=form.signatures(),
            )
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, "Certificate configuration saved.")
            return _back(course, "configuration")
    return _tab(request, course, status=400, config_form=form)


@require_POST
@course_team_only
def passing_grade_save(request: HttpRequest, course: CourseRun) -> HttpResponse:
    form = PassingGradeForm(request.POST)
    if form.is_valid():
        try:
            row = services.passing_grade_set(
                actor=current_user(request),
                course=course,
                percent=form.cleaned_data["passing_grade"],
            )
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, f"Passing grade set to {row.percent} %.")
            return _back(course, "grades")
    return _tab(request, course, status=400, passing_form=form)


@require_POST
@course_team_only
def grades_upload(request: HttpRequest, course: CourseRun) -> HttpResponse:
    """Record the CSV's grades and show one result per row (like the Membership tab's)."""
    form = GradesUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            entries = parse_grades_csv(form.cleaned_data["file"].read())
            results = services.grades_record(
                actor=current_user(request), course=course, entries=entries, source=GradeSource.CSV
            )
        except DomainError as error:
            add_to_form(form, error)
        else:
            return _tab(request, course, grade_results=results)
    return _tab(request, course, status=400, grades_form=form)


@require_POST
@course_team_only
def exception_add(request: HttpRequest, course: CourseRun) -> HttpResponse:
    form = ExceptionForm(request.POST)
    if form.is_valid():
        try:
            entry = services.exception_set(
                actor=current_user(request),
                course=course,
                identifier=form.cleaned_data["user"],
                kind=ListEntry(form.cleaned_data["kind"]),
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, f"{entry.user} put on the {entry.kind} list.")
            return _back(course, "lists")
    return _tab(request, course, status=400, exception_form=form)


@require_POST
@course_team_only
def exception_remove(request: HttpRequest, course: CourseRun, username: str) -> HttpResponse:
    try:
        services.exception_remove(course=course, identifier=username)
    except DomainError as error:
        raise_for_page(error)
        raise
    messages.success(request, f"{username} removed from the lists.")
    return _back(course, "lists")


@require_POST
@course_team_only
def generate(request: HttpRequest, course: CourseRun) -> HttpResponse:
    try:
        job = services.generation_job_start(actor=current_user(request), course=course)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Certificate generation queued ({job.total} enrollments).")
    return _back(course, "generate")


@never_cache
@require_GET
@course_team_only
def job_progress(request: HttpRequest, course: CourseRun, job_id: uuid.UUID) -> HttpResponse:
    try:
        job: GenerationJob = selectors.generation_job_get(course, job_id)
    except DomainError as error:
        raise_for_page(error)
        raise
    return render(request, "certificates/_job.html", {"course": course, "job": job})


@require_POST
@course_team_only
def revoke(request: HttpRequest, course: CourseRun, verify_uuid: str) -> HttpResponse:
    try:
        certificate = selectors.certificate_of_course(course, verify_uuid)
    except DomainError as error:
        raise_for_page(error)
        raise
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for revoking.")
        return _back(course, "issued")
    try:
        services.certificate_revoke(
            actor=current_user(request), certificate=certificate, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Certificate of {certificate.user.username} revoked.")
    return _back(course, "issued")


@require_GET
@course_team_only
def report(request: HttpRequest, course: CourseRun) -> HttpResponse:
    response = HttpResponse("".join(reports.report_csv(course)), content_type="text/csv")
    filename = f"certificates-{course.org}-{course.number}-{course.run}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ------------------------------------------------------------------ public pages


def _public_certificate(verify_uuid: str) -> Any:
    try:
        return selectors.certificate_by_verify_uuid(verify_uuid)
    except DomainError as error:
        raise_for_page(error)
        raise


@require_GET
def verify_page(request: HttpRequest, verify_uuid: str) -> HttpResponse:
    """Public and printable: the certificate, and whether it is valid or revoked."""
    view = certificate_view(_public_certificate(verify_uuid))
    context = {"certificate": view, "verify_url": request.build_absolute_uri(view.verify_path)}
    return render(request, "certificates/verify.html", context)


@require_GET
def pdf_download(request: HttpRequest, verify_uuid: str) -> HttpResponse:
    view = certificate_view(_public_certificate(verify_uuid))
    body = certificate_pdf(view, request.build_absolute_uri(view.verify_path))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{view.verify_uuid}.pdf"'
    return response
