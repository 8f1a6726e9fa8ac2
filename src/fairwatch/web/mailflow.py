"""Pages: the school's check tokens (clause 4). Mail add-ins use one to have each email
checked before it is sent. The Headteacher, the IT manager or the organisation's
administrator issues them (the secret is shown once) and revokes them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers

from fairwatch.api.check import MAX_BYTES
from fairwatch.mailflow import tokens
from fairwatch.mailflow.models import SchoolToken
from fairwatch.schools.models import School
from fairwatch.schools.permissions import Action, may

from .context import no_school, school_for_request
from .forms import describe

WHO = "The Headteacher, the IT manager or the organisation's administrator manages check tokens."


class IssueForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="Where it will be used, so you can tell tokens apart later: for example, "
        "“Outlook add-in, office computers”.",
        error_messages={
            "required": "Enter a name for the token",
            "max_length": "Use 100 characters or fewer",
        },
    )


def _school(request: HttpRequest) -> School | None:
    return school_for_request(request)


@login_required
def check_tokens(request: HttpRequest) -> HttpResponse:
    """The school's tokens, and a form to issue one."""
    school = _school(request)
    if school is None:
        return no_school(request)
    form = IssueForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            token, secret = tokens.issue(request.user, school, form.cleaned_data["name"])
        except ValueError as e:
            form.add_error("name", str(e)[:1].upper() + str(e)[1:])
        else:
            return _issued(request, token, secret)
    listed = list(tokens.tokens(request.user, school))  # refused (and recorded) if not allowed
    return render(
        request,
        "web/mailflow/tokens.html",
        {"tokens": listed, "form": describe(form), "max_mb": MAX_BYTES // (1024 * 1024)},
    )


def _issued(request: HttpRequest, token: SchoolToken, secret: str) -> HttpResponse:
    """The one time the secret is shown; never cached, never put in the session."""
    response = render(
        request,
        "web/mailflow/issued.html",
        {
            "token": token,
            "secret": secret,
            "endpoint": request.build_absolute_uri(reverse("api:check_email")),
            "max_mb": MAX_BYTES // (1024 * 1024),
        },
    )
    add_never_cache_headers(response)
    return response


@login_required
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Asks first; revoking on POST stops the token working at once."""
    school = _school(request)
    if school is None:
        return no_school(request)
    if not may(request.user, Action.MANAGE_CHECK_TOKENS, school) and request.method != "POST":
        raise PermissionDenied(WHO)
    token = SchoolToken.objects.filter(school=school, pk=token_id).select_related("school").first()
    if token is None:
        raise Http404("No such token at this school")
    if request.method == "POST":
        tokens.revoke(request.user, token)  # gated: a refusal is recorded, then 403
        messages.success(
            request, f"Revoked “{token.name}”: add-ins using it can no longer check mail."
        )
        return redirect("check_tokens")
    if token.revoked_at is not None:
        messages.info(request, f"“{token.name}” is already revoked.")
        return redirect("check_tokens")
    return render(request, "web/mailflow/revoke.html", {"token": token})


urlpatterns = [
    path("tokens/", check_tokens, name="check_tokens"),
    path("tokens/<int:token_id>/revoke/", revoke_token, name="revoke_check_token"),
]
