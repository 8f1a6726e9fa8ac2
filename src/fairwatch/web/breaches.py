"""The breach register (5.2): pages. Anyone reports a breach; the DPO keeps the register.

The rules, the gate and the audit entries are in `fairwatch.monitoring.breaches`; these views
only turn forms into calls and errors into messages next to the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from fairwatch.monitoring import breaches
from fairwatch.monitoring.breaches import InvalidBreach
from fairwatch.monitoring.models import Breach
from fairwatch.monitoring.school_settings import settings_for
from fairwatch.roles import Role
from fairwatch.schools.models import RoleAssignment, School
from fairwatch.schools.permissions import Action, may

from .context import no_school, school_for_request
from .forms import add_errors, describe

REPORTED_KEY = "fairwatch_breach_reported"
TABS = [("open", "Open"), ("closed", "Closed"), ("all", "All")]
REPORTABLE = {"yes": True, "no": False, "undecided": None}


# --- forms ---------------------------------------------------------------------------------


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


WHEN_INVALID = "Enter a date and time, for example 05/03/2026 14:30."


class ReportForm(forms.Form):
    what = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=breaches.WHAT_MAX,
        help_text="For example: a Year 4 report was emailed to the wrong parent. Name as few "
        "people as you can; the data protection officer will ask for more if needed.",
        error_messages={"required": "Say what happened."},
    )
    found_at = forms.DateTimeField(
        label="When it was found",
        widget=DateTimeLocal(),
        help_text="Date and time, UK time. It is filled in with now: change it if the breach "
        "was found earlier.",
        error_messages={
            "required": "Give the date and time the breach was found.",
            "invalid": WHEN_INVALID,
        },
    )
    people_affected = forms.CharField(
        label="Who is affected",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: one pupil and their parents.",
    )


class UpdateForm(forms.Form):
    risk = forms.ChoiceField(
        label="Risk to the people affected",
        required=False,
        choices=[("", "Not assessed yet"), ("low", "Low"), ("medium", "Medium"), ("high", "High")],
    )
    reportable = forms.ChoiceField(
        label="Must it be reported to the ICO?",
        widget=forms.RadioSelect,
        choices=[
            ("yes", "Yes: it is likely to put people’s rights and freedoms at risk"),
            ("no", "No: it is unlikely to put anyone at risk"),
            ("undecided", "Not decided yet"),
        ],
        error_messages={"required": "Say whether the breach must be reported to the ICO."},
    )
    ico_reported_at = forms.DateTimeField(
        label="When the ICO was told",
        required=False,
        widget=DateTimeLocal(),
        help_text="Date and time, UK time. Leave empty until you have reported it.",
        error_messages={"invalid": WHEN_INVALID},
    )
    ico_reference = forms.CharField(
        label="ICO reference", required=False, max_length=64, help_text="The ICO’s case number."
    )
    people_affected = forms.CharField(
        label="Who is affected", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    actions = forms.CharField(
        label="What has been done",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For example: asked the parent to delete the email; told the pupil’s family.",
    )
    found_at = forms.DateTimeField(
        label="When it was found",
        widget=DateTimeLocal(),
        help_text="Correct this if the person who reported the breach gave the wrong time: "
        "the 72 hours count from it.",
        error_messages={
            "required": "Give the date and time the breach was found.",
            "invalid": WHEN_INVALID,
        },
    )

    def __init__(self, *args: Any, breach: Breach, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if breach.source != Breach.Source.REPORTED:  # found when the refused access happened
            del self.fields["found_at"]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["reportable"] = REPORTABLE[data["reportable"]]
        return data


def _update_initial(breach: Breach) -> dict[str, Any]:
    decided = {True: "yes", False: "no", None: "undecided"}
    return {
        "risk": breach.risk,
        "reportable": decided[breach.reportable],
        "ico_reported_at": breach.ico_reported_at,
        "ico_reference": breach.ico_reference,
        "people_affected": breach.people_affected,
        "actions": breach.actions,
        "found_at": breach.found_at,
    }


class CloseForm(forms.Form):
    note = forms.CharField(
        label="Closing note",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was done in the end, and why the breach can be closed.",
        error_messages={"required": "Write a closing note before closing the breach."},
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why it is being reopened",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the breach is being reopened."},
    )


# --- helpers -------------------------------------------------------------------------------


def _anchor(bound: forms.BoundField) -> str:
    """The link to a field's control; for radios, the first of them."""
    if isinstance(bound.field.widget, forms.RadioSelect):
        return f"#{bound.auto_id}_0"
    return f"#{bound.id_for_label}"


def _problems(*forms_: forms.Form) -> list[tuple[str, str]]:
    """Every error on the page, each with the link to its field ("" when it has none)."""
    out = []
    for form in forms_:
        if not form.is_bound:
            continue
        for name, errors in form.errors.items():
            anchor = "" if name == "__all__" else _anchor(form[name])
            out.extend((message, anchor) for message in errors)
    return out


def _dpos(school: School) -> list[str]:
    assigned = RoleAssignment.objects.filter(
        person__school=school, role=Role.DPO, ended_at__isnull=True
    ).select_related("person")
    return sorted(a.person.display_name for a in assigned)


# --- pages ---------------------------------------------------------------------------------


@login_required
def register(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    state = request.GET.get("state", "open")
    if state not in breaches.STATES:
        state = "open"
    qs = breaches.register(request.user, school, state=state)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(b, breaches.time_left(b, now)) for b in page]
    open_ones = Breach.objects.filter(school=school, closed_at__isnull=True)
    overdue = sum(
        1
        for b in open_ones.only("found_at", "reportable", "ico_reported_at")
        if breaches.time_left(b, now).overdue
    )
    return render(
        request,
        "web/breaches/register.html",
        {
            "state": state,
            "tabs": TABS,
            "page": page,
            "rows": rows,
            "open_count": open_ones.count(),
            "overdue_count": overdue,
        },
    )


@login_required
def report(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    if request.method != "POST":
        if not may(request.user, Action.REPORT_BREACH, school):
            raise PermissionDenied("You may not report breaches here.")
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = ReportForm(initial={"found_at": now})
    else:
        breaches.permit(request.user, school, Action.REPORT_BREACH, "breach.report")
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                breach = breaches.report(request.user, school, **form.cleaned_data)
            except InvalidBreach as e:
                add_errors(form, e.errors)
            else:
                return _after_report(request, school, breach)
    describe(form)
    return render(request, "web/breaches/report.html", {"form": form, "problems": _problems(form)})


def _after_report(request: HttpRequest, school: School, breach: Breach) -> HttpResponse:
    if may(request.user, Action.MANAGE_BREACHES, school):
        messages.success(request, f"Breach {breach.pk} is on the register.")
        return redirect("breach_detail", breach_id=breach.pk)
    request.session[REPORTED_KEY] = breach.pk
    return redirect("breach_reported")


@login_required
def reported(request: HttpRequest) -> HttpResponse:
    """The reporter's confirmation: the number of their report, nothing from the register."""
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    number = request.session.pop(REPORTED_KEY, None)
    if number is None:
        return redirect("breach_report")
    return render(
        request,
        "web/breaches/reported.html",
        {
            "number": number,
            "dpos": _dpos(school),
            "contact": settings_for(school).privacy_contact,
        },
    )


SAVED = {
    "update": "Your changes are saved.",
    "close": "The breach is closed.",
    "reopen": "The breach is open again.",
}


@login_required
def detail(request: HttpRequest, breach_id: int) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    try:
        breach = breaches.get(request.user, school, breach_id)
    except Breach.DoesNotExist:
        raise Http404("No such breach") from None
    forms_: dict[str, forms.Form] = {
        "update": UpdateForm(breach=breach, initial=_update_initial(breach)),
        "close": CloseForm(),
        "reopen": ReopenForm(),
    }
    extra: list[tuple[str, str]] = []  # problems that belong to the assessment's fields
    do = request.POST.get("do", "") if request.method == "POST" else ""
    if do in forms_:
        if do == "update":
            forms_[do] = UpdateForm(request.POST, breach=breach)
        else:
            forms_[do] = type(forms_[do])(request.POST)
        if _apply(request, breach, do, forms_, extra):
            messages.success(request, SAVED[do])
            return redirect("breach_detail", breach_id=breach.pk)
    for form in forms_.values():
        describe(form)
    return render(
        request,
        "web/breaches/detail.html",
        {
            "breach": breach,
            "countdown": breaches.time_left(breach),
            "update_form": forms_["update"],
            "close_form": forms_["close"],
            "reopen_form": forms_["reopen"],
            "missing": list(breaches.missing_for_closing(breach).values()),
            "problems": extra + _problems(*forms_.values()),
        },
    )


def _apply(
    request: HttpRequest,
    breach: Breach,
    do: str,
    forms_: dict[str, forms.Form],
    extra: list[tuple[str, str]],
) -> bool:
    """Make the change the posted form asks for; False, with the errors placed, if it can't."""
    form, assessment = forms_[do], forms_["update"]
    if not form.is_valid():
        if do == "close":  # say all that is still missing, not only the empty note
            for name, message in breaches.missing_for_closing(breach).items():
                extra.append((message, _anchor(assessment[name])))
        return False
    try:
        if do == "update":
            breaches.update(request.user, breach, **form.values())
        elif do == "close":
            breaches.close(request.user, breach, note=form.cleaned_data["note"])
        else:
            breaches.reopen(request.user, breach, form.cleaned_data["reason"])
    except InvalidBreach as e:
        for name, message in e.errors.items():
            if name in form.fields:
                form.add_error(name, message)
            elif name in assessment.fields:
                extra.append((message, _anchor(assessment[name])))
            else:
                form.add_error(None, message)
        return False
    return True


urlpatterns = [
    path("", register, name="breaches"),
    path("report/", report, name="breach_report"),
    path("report/done/", reported, name="breach_reported"),
    path("<int:breach_id>/", detail, name="breach_detail"),
]
