"""The schedule for asking staff to read the policy and reminding them (issue 9): how long
they have, how often they are reminded, the last run, and a button to send what is due now.

For the Headteacher and the trust's administrator. The rules, the gate and the audit trail
are in `fairwatch.policy.reminders`; these views turn requests into calls and errors into
messages.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from fairwatch.policy import reminders

from .context import no_school, school_for_request
from .forms import add_errors, describe

LOW, HIGH = reminders.DEADLINE_DAYS
EVERY_LOW, EVERY_HIGH = reminders.REMIND_EVERY_DAYS


class ScheduleForm(forms.Form):
    deadline_days = forms.IntegerField(
        label="Days staff have to read a new version",
        help_text=f"A whole number from {LOW} to {HIGH}. Counted from the day the version "
        "takes effect, or from the day someone who joins later is first asked.",
        error_messages={
            "required": "Give the days staff have to read a new version.",
            "invalid": f"Give the days as a whole number from {LOW} to {HIGH}.",
        },
    )
    remind_every_days = forms.IntegerField(
        label="Remind them every this many days",
        help_text=f"A whole number from {EVERY_LOW} to {EVERY_HIGH}. 0 sends no reminders: "
        "staff are asked once.",
        error_messages={
            "required": "Give how often to remind staff (0 for never).",
            "invalid": f"Give the days as a whole number from {EVERY_LOW} to {EVERY_HIGH}.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update({"inputmode": "numeric"})


@login_required
@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    found = reminders.schedule(request.user, school)  # gate.Refused → 403
    current = {"deadline_days": found.deadline_days, "remind_every_days": found.remind_every_days}
    if request.method == "POST":
        form = ScheduleForm(request.POST)
        if form.is_valid():
            try:
                reminders.update_settings(
                    request.user,
                    school,
                    form.cleaned_data["deadline_days"],
                    form.cleaned_data["remind_every_days"],
                )
            except reminders.InvalidSchedule as e:
                add_errors(form, e.errors)
            else:
                messages.success(request, "The schedule is saved.")
                return redirect("policy_schedule")
    else:
        form = ScheduleForm(initial=current)
    return render(
        request,
        "web/policy/schedule.html",
        {"form": describe(form), "schedule": found},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def send(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    summary = reminders.send_now(request.user, school)  # gate.Refused → 403
    if summary.sent:
        messages.success(
            request,
            f"Sent {_emails(summary.sent)}: {summary.asked} asking someone for the first time "
            f"and {summary.reminded} {'reminder' if summary.reminded == 1 else 'reminders'}.",
        )
    else:
        messages.info(request, "Nobody was due an email now, so none was sent.")
    return redirect("policy_schedule")


def _emails(count: int) -> str:
    return "1 email" if count == 1 else f"{count} emails"


urlpatterns = [
    path("schedule/", schedule, name="policy_schedule"),
    path("schedule/send/", send, name="policy_schedule_send"),
]
