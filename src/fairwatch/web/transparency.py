"""Pages: what monitoring is in force (3.2, 7.2.1), its basis, the privacy settings."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from fairwatch.catalogue import model_catalogue
from fairwatch.monitoring import transparency as service
from fairwatch.schools.permissions import Action, may, require

from .context import no_school, school_for_request
from .forms import add_errors, describe


def _days_field(name: str, label: str, hint: str) -> forms.IntegerField:
    low, high = service.LIMITS[name]
    return forms.IntegerField(
        label=label,
        help_text=f"{hint} Between {low} and {high} days.",
        min_value=low,
        max_value=high,
        error_messages={
            "required": service.days_error(name),
            "invalid": service.days_error(name),
            "min_value": service.days_error(name),
            "max_value": service.days_error(name),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "days"}),
    )


def _months_field(name: str, label: str, hint: str) -> forms.IntegerField:
    low, high = service.MONTH_LIMITS[name]
    error = service.months_error(name)
    return forms.IntegerField(
        label=label,
        help_text=f"{hint} Between {low} and {high} months.",
        min_value=low,
        max_value=high,
        error_messages={k: error for k in ("required", "invalid", "min_value", "max_value")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "days"}),
    )


class SettingsForm(forms.Form):
    default_days = _days_field(
        "default_days",
        "Usual length of a monitoring exercise",
        "The length an exercise is usually approved for (7.1).",
    )
    max_days = _days_field(
        "max_days",
        "Longest a monitoring exercise may last",
        "Going on longer needs a fresh approval (7.2).",
    )
    activity_retention_days = _days_field(
        "activity_retention_days",
        "Keep pseudonymised activity for",
        "Email check findings and web logs, with pseudonyms instead of names (5.1).",
    )
    extract_retention_days = _days_field(
        "extract_retention_days",
        "Keep an exercise's extracts for",
        "What the people named on an exercise saw, counted from when it ends (7.1).",
    )
    access_download_days = _days_field(
        "access_download_days",
        "Keep a subject access download available for",
        "How long a member of staff can download their released data.",
    )
    low_level_months = _months_field(
        "low_level_months",
        "Keep low-level concerns for this many months after someone leaves",
        "Low-level concerns about a member of staff are kept while they work here, and then "
        "for this long after they leave, when they are deleted.",
    )
    privacy_contact = forms.CharField(
        label="Who staff ask about monitoring",
        help_text="Shown on the monitoring page. Leave blank to show the data protection "
        "officer's name and email address from the staff roster.",
        required=False,
        max_length=service.CONTACT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": f"Keep who staff ask about monitoring to {service.CONTACT_MAX} "
            "characters or fewer."
        },
    )

    def clean(self):
        data = super().clean()
        # The limits that span fields (the usual length within the longest), for fields that
        # are themselves valid; the service checks them all again when saving.
        for field, message in service.settings_errors(data).items():
            if field in data and field not in self.errors:
                self.add_error(field, message)
        return data


class BasisForm(forms.Form):
    reason = forms.CharField(
        label="Why these accounts are monitored",
        help_text="In plain words every member of staff will read, for example: e-safety "
        "monitors look at harmful material as part of their role, and the school needs to "
        "see that their accounts are used only for that work.",
        max_length=service.BASIS_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter why these accounts are monitored.",
            "max_length": f"Keep the reason to {service.BASIS_TEXT_MAX} characters or fewer.",
        },
    )
    legal_basis = forms.CharField(
        label="Legal basis",
        help_text="The article of the UK GDPR the school relies on, for example article "
        "6(1)(f) legitimate interests or 6(1)(e) public task, and where its assessment is "
        "kept.",
        max_length=service.BASIS_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter the legal basis.",
            "max_length": f"Keep the legal basis to {service.BASIS_TEXT_MAX} characters or fewer.",
        },
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why it is withdrawn",
        help_text="Kept in the audit trail with the withdrawal.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "Enter why the basis is withdrawn.",
            "max_length": "Keep the reason to 500 characters or fewer.",
        },
    )


@login_required
def transparency(request: HttpRequest) -> HttpResponse:
    """What monitoring is in force here, for everyone at the school (3.2). No personal data
    of those monitored is shown, so reading it is not an audited access."""
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    require(request.user, Action.VIEW_SCHOOL, school)
    return render(
        request,
        "web/transparency/notice.html",
        {
            "notice": service.notice(school),
            "may_record_basis": may(request.user, Action.RECORD_BASIS, school),
            "may_edit_settings": may(request.user, Action.PRIVACY_SETTINGS, school),
        },
    )


@login_required
def systematic_basis(request: HttpRequest) -> HttpResponse:
    """Record, replace or withdraw the basis for monitoring e-safety monitors (7.2.1)."""
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    record_form = BasisForm(prefix="record")
    withdraw_form = WithdrawForm(prefix="withdraw")
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "withdraw":
            withdraw_form = WithdrawForm(request.POST, prefix="withdraw")
            if withdraw_form.is_valid():
                try:
                    service.withdraw_basis(
                        request.user, school, withdraw_form.cleaned_data["reason"]
                    )
                except service.NothingInForce as nothing:
                    messages.info(request, str(nothing))
                except service.Invalid as bad:
                    add_errors(withdraw_form, bad.errors)
                else:
                    messages.success(
                        request,
                        "The basis is withdrawn. E-safety monitors' accounts are no longer "
                        "monitored continuously, and the monitoring page says so.",
                    )
                    return redirect("systematic_basis")
        else:
            record_form = BasisForm(request.POST, prefix="record")
            if record_form.is_valid():
                try:
                    service.record_basis(request.user, school, **record_form.cleaned_data)
                except service.Invalid as bad:
                    add_errors(record_form, bad.errors)
                else:
                    messages.success(
                        request,
                        "The basis is recorded and shown to every member of staff on the "
                        "monitoring page.",
                    )
                    return redirect("systematic_basis")
    history = service.basis_history(request.user, school)  # gated and audited
    current = next((b for b in history if b.in_force), None)
    return render(
        request,
        "web/transparency/basis.html",
        {
            "history": history,
            "current": current,
            "record_form": describe(record_form),
            "withdraw_form": describe(withdraw_form),
            "monitored_accounts": service.monitored_accounts(school),
            "clause": model_catalogue().get(service.BASIS_CLAUSE),
        },
    )


@login_required
def privacy_settings(request: HttpRequest) -> HttpResponse:
    """The school's limits for exercises and how long monitoring data is kept."""
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                service.update_settings(request.user, school, **form.cleaned_data)
            except service.Invalid as bad:
                add_errors(form, bad.errors)
            else:
                messages.success(request, "The privacy settings are saved.")
                return redirect("privacy_settings")
        else:
            # Someone who may not change the settings is refused (and recorded) before any
            # error is shown.
            service.read_settings(request.user, school)
    else:
        current = service.read_settings(request.user, school)
        form = SettingsForm(initial=service.settings_values(current))
    return render(request, "web/transparency/settings.html", {"form": describe(form)})


urlpatterns = [
    path("", transparency, name="transparency"),
    path("basis/", systematic_basis, name="systematic_basis"),
    path("settings/", privacy_settings, name="privacy_settings"),
]
