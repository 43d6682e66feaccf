"""Sign-up (log in and out are Django's own views). Anyone may use these pages."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from enrollment_tracks.accounts.services import user_register
from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.web.errors import add_to_form
from enrollment_tracks.web.forms import SignupForm


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_register(
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                name=data["name"],
            )
        except DomainError as error:
            add_to_form(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("web:dashboard")
    return render(request, "registration/signup.html", {"form": form}, status=_status(form))


def _status(form: SignupForm) -> int:
    return 400 if form.is_bound and form.errors else 200
