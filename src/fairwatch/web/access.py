"""Subject access requests (policy 3.2 and 5): staff ask for their own data; the DPO releases
it or records an exemption: pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fairwatch.catalogue import model_catalogue
from fairwatch.monitoring import access
from fairwatch.monitoring.models import AccessRequest
from fairwatch.monitoring.school_settings import settings_for

from .context import school_for_request

TOO_LONG = {"max_length": f"Keep this to {access.REASON_MAX} characters or fewer"}


class AskForm(forms.Form):
    note = forms.CharField(
        label="What you are looking for (optional)",
        help_text="For example a period of time or a kind of data. You do not have to say why "
        "you are asking.",
        required=False,
        max_length=access.NOTE_MAX,
        widget=forms.Textarea,
        error_messages={"max_length": f"Keep the note to {access.NOTE_MAX} characters or fewer"},
    )


class PartialForm(forms.Form):
    exemption = forms.CharField(
        label="The exemption relied on, and why",
        help_text="Kept for the record. The person is told only that some information is "
        "withheld under an exemption, not which or why.",
        max_length=access.REASON_MAX,
        widget=forms.Textarea,
        error_messages={"required": "Say which exemption applies, and why", **TOO_LONG},
    )
    withhold = forms.MultipleChoiceField(
        label="Leave out of the download",
        help_text="Leave all unticked if what you withhold is held outside Fairwatch.",
        choices=list(access.SECTIONS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ExemptForm(forms.Form):
    reason = forms.CharField(
        label="The exemption relied on, and why",
        help_text="For example: an investigation is open and telling them now would prejudice "
        "it. Kept for the record; the person is told only that their data is withheld under "
        "an exemption.",
        max_length=access.REASON_MAX,
        widget=forms.Textarea,
        error_messages={"required": "Give the reason and the exemption relied on", **TOO_LONG},
    )


def _policy_anchor(clause: str) -> str:
    return model_catalogue().get(clause).anchor


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return render(request, "web/no_school.html", status=403)
    form = AskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access.request(request.user, school, form.cleaned_data["note"])
        except access.Invalid as problem:
            form.add_error("note", str(problem))
        except access.Unavailable as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(
                request,
                "Your request has been sent to the data protection officer. They will answer "
                "within one month; the answer will appear on this page.",
            )
            return redirect("my_data")
    mine = access.mine(request.user, school)
    now = timezone.now()
    return render(
        request,
        "web/access/my_data.html",
        {
            "form": form,
            "rows": [
                {
                    "request": r,
                    "withheld": access.withheld(r),
                    "can_download": r.state == AccessRequest.State.RELEASED
                    and r.available_until is not None
                    and r.available_until > now,
                }
                for r in mine
            ],
            "waiting": next((r for r in mine if r.state == AccessRequest.State.PENDING), None),
            "days": settings_for(school).access_download_days,
            "contact": access.privacy_contact(school),
            "anchor_monitored": _policy_anchor("3.2"),
            "anchor_data": _policy_anchor("5"),
            "anchor_exercises": _policy_anchor("7.1"),
        },
    )


@login_required
@require_http_methods(["GET"])
def my_data_download(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return render(request, "web/no_school.html", status=403)
    req = get_object_or_404(
        AccessRequest.objects.select_related("person", "school").defer("archive"),
        school=school,
        pk=pk,
    )
    try:
        data = access.download(request.user, req)
    except access.Unavailable as problem:
        messages.error(request, str(problem))
        return redirect("my_data")
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{access.filename_for(req)}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET"])
def access_requests(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return render(request, "web/no_school.html", status=403)
    listed = access.all_requests(request.user, school)
    return render(
        request,
        "web/access/requests.html",
        {
            "waiting": [x for x in listed if x.request.state == AccessRequest.State.PENDING],
            "decided": [x for x in listed if x.request.state != AccessRequest.State.PENDING],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def access_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return render(request, "web/no_school.html", status=403)
    try:
        item = access.get(request.user, school, pk, to_decide=True)
    except AccessRequest.DoesNotExist:
        raise Http404("no such request") from None
    req = item.request
    partial = PartialForm(prefix="partial")
    exempt = ExemptForm(prefix="exempt")
    problem = ""
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "release":
                access.release(request.user, req)
                done = f"Released. {req.person.display_name} can now download their data."
            elif step == "partial":
                partial = PartialForm(request.POST, prefix="partial")
                done = ""
                if partial.is_valid():
                    access.release(
                        request.user,
                        req,
                        exemption=partial.cleaned_data["exemption"],
                        withhold=partial.cleaned_data["withhold"],
                    )
                    done = (
                        f"Released with some information withheld. {req.person.display_name} "
                        "can now download their data and is told that some is withheld."
                    )
            elif step == "exempt":
                exempt = ExemptForm(request.POST, prefix="exempt")
                done = ""
                if exempt.is_valid():
                    access.exempt(request.user, req, exempt.cleaned_data["reason"])
                    done = (
                        f"Withheld. {req.person.display_name} is told that their data is "
                        "withheld under an exemption."
                    )
            else:
                done, problem = "", "Choose what to do with the request."
        except access.Invalid as e:
            done = ""
            (partial if step == "partial" else exempt).add_error(None, str(e))
        except access.Unavailable as e:
            done, problem = "", str(e)
        if done:
            messages.success(request, done)
            return redirect("access_request_detail", pk=req.pk)
    errors = [
        (field.id_for_label, error)
        for form in (partial, exempt)
        for field in form
        for error in field.errors
    ]
    errors += [("", e) for form in (partial, exempt) for e in form.non_field_errors()]
    if problem:
        errors.append(("", problem))
    return render(
        request,
        "web/access/detail.html",
        {
            "item": item,
            "req": req,
            "own": req.person.user_id == request.user.pk,
            "partial": partial,
            "exempt": exempt,
            "errors": errors,
            "days": settings_for(school).access_download_days,
            "withheld": access.withheld(req),
        },
    )


urlpatterns: list = [
    path("", my_data, name="my_data"),
    path("<int:pk>/download/", my_data_download, name="my_data_download"),
    path("requests/", access_requests, name="access_requests"),
    path("requests/<int:pk>/", access_request_detail, name="access_request_detail"),
]
