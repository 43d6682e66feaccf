"""Domain errors on pages: the one mapping from error codes to HTTP and to form fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404

from enrollment_tracks.core.errors import DomainError, NotFound, PermissionDenied


def raise_for_page(error: DomainError) -> None:
    """Turn a not-found or forbidden domain error into Django's 404 / 403 pages."""
    if isinstance(error, NotFound):
        raise Http404(error.message)
    if isinstance(error, PermissionDenied):
        raise DjangoPermissionDenied(error.message)


def add_to_form(form: forms.Form, error: DomainError) -> None:
    """Show the error beside the field it concerns (or above the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
