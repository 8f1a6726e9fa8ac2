"""The school's policy (issue 9): reading and acknowledging the version in force, who has
acknowledged it, and every version with what changed between any two.

The rules, the gate and the audit trail are in `fairwatch.policy.store`; these views only
turn requests into calls and errors into messages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import dateformat, timezone
from django.views.decorators.http import require_http_methods

from fairwatch.policy import contacts, reminders, store
from fairwatch.policy import versions as rules
from fairwatch.policy.models import PolicyVersion
from fairwatch.policy.store import InvalidPolicy
from fairwatch.schools.models import School
from fairwatch.schools.permissions import Action, may

from .context import no_school, school_for_request
from .forms import describe


def _when(at) -> str:
    return dateformat.format(timezone.localtime(at), "j F Y \\a\\t H:i")


def _publisher(row: PolicyVersion) -> str:
    return store.publisher_name(row.school, row) or "Fairwatch (the model policy it ships)"


# --- reading and acknowledging -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def read(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    row = store.to_read(school)
    if request.method == "POST":
        return _acknowledge(request, school, row)
    person = store.me(request.user, school)
    context: dict[str, Any] = {"row": row, "person": person}
    if row is not None:
        context["version"] = store.as_version(row)
        context["contacts"] = contacts.by_clause(contacts.for_school(school))
        context["people"] = contacts.people_by_clause(request.user, school)
        if person is not None:
            covering = store.covering(person, school, row)
            last = store.last_acknowledged(person, school)
            context["covering"] = covering
            context["covering_when"] = _when(covering.at) if covering else ""
            context["last"] = last
            context["last_when"] = _when(last.at) if last else ""
            if covering is None and last is not None:
                context["changes"] = store.what_changed_for(person, school)
    return render(request, "web/policy/read.html", context)


def _acknowledge(request: HttpRequest, school: School, row: PolicyVersion | None) -> HttpResponse:
    posted = request.POST.get("version", "")
    if row is None:
        messages.info(request, "There is no version of the policy for you to acknowledge yet.")
        return redirect("policy_read")
    if posted != str(row.number):
        messages.info(
            request,
            f"Version {row.number} is now the one to read. Read what changed below, then "
            "acknowledge it.",
        )
        return redirect("policy_read")
    try:
        ack = store.acknowledge(request.user, school, row.number)  # gate.Refused → 403
    except (InvalidPolicy, PolicyVersion.DoesNotExist) as e:
        text = " ".join(e.errors.values()) if isinstance(e, InvalidPolicy) else ""
        messages.error(request, text or "That version of the policy does not exist.")
        return redirect("policy_read")
    messages.success(request, f"You acknowledged version {row.number} on {_when(ack.at)}.")
    return redirect("policy_read")


# --- who has acknowledged ------------------------------------------------------------------


def _count_row(label: str, count) -> tuple[str, Any, int]:
    """A row of a table of counts: its label, the count, and the share acknowledged."""
    return (label, count, _percent(count.acknowledged, count.asked))


def _percent(done: int, asked: int) -> int:
    return round(100 * done / asked) if asked else 0


@login_required
def acknowledgements(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    report = store.outstanding(request.user, school)  # gate.Refused → 403
    earlier = [
        (each, _percent(len(each.acknowledged), each.asked))
        for each in store.acknowledgements(request.user, school)
        if report is None or each.number != report.number
    ]
    by_role, by_group, waiting = [], [], []
    if report is not None:
        by_role = [_count_row(count.role.label, count) for count in report.by_role]
        by_group = [_count_row(each.label, each) for each in report.by_group]
        # Each person's deadline and reminders so far (the report was read through the gate),
        # agreed more time only for a viewer who may know of it.
        standing = reminders.standing(school, report, request.user)
        waiting = [(reader, standing.get(reader.person_id)) for reader in report.outstanding]
    return render(
        request,
        "web/policy/acknowledgements.html",
        {
            "report": report,
            "percent": _percent(len(report.acknowledged), report.asked) if report else 0,
            "by_role": by_role,
            "by_group": by_group,
            "waiting": waiting,
            "show_reminders": reminders.may_see_adjustments(request.user, school),
            "may_schedule": may(request.user, Action.PUBLISH_POLICY, school),
            "earlier": list(reversed(earlier)),
        },
    )


# --- versions and what changed -------------------------------------------------------------


class CompareForm(forms.Form):
    def __init__(self, *args: Any, numbers: list[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [(str(n), f"Version {n}") for n in numbers]
        listed = ", ".join(str(n) for n in numbers)
        for name, label in (("from", "From version"), ("to", "To version")):
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=choices,
                error_messages={
                    "required": f"Choose the version to compare {name}.",
                    "invalid_choice": "There is no version “%(value)s”. "
                    f"Choose one of the school’s versions: {listed}.",
                },
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("from") and data.get("from") == data.get("to"):
            self.add_error("to", "Choose a different version from the one you compare from.")
        return data


def _compare_form(request: HttpRequest, numbers: list[int]) -> CompareForm:
    if "from" in request.GET or "to" in request.GET:
        form = CompareForm(request.GET, numbers=numbers)
    else:
        initial = {"from": str(numbers[-2] if len(numbers) > 1 else numbers[0])}
        form = CompareForm(initial={**initial, "to": str(numbers[-1])}, numbers=numbers)
    for name in ("from", "to"):
        form.fields[name].widget.attrs["id"] = f"compare-{name}"
    return describe(form)


@login_required
def versions_list(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    rows = store.rows(school)
    current = store.in_force(school, timezone.localdate())
    shown = [
        {
            "row": row,
            "version": store.as_version(row),
            "publisher": _publisher(row),
            "in_force": current is not None and current.number == row.number,
        }
        for row in reversed(rows)
    ]
    numbers = [row.number for row in rows]
    form = _compare_form(request, numbers)
    return render(
        request,
        "web/policy/versions.html",
        {"versions": shown, "form": form, "several": len(numbers) > 1},
    )


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    found = {version.number: version for version in store.versions(school)}
    form = _compare_form(request, sorted(found))
    changes = None
    old = new = None
    if form.is_bound and form.is_valid():
        old, new = found[int(form.cleaned_data["from"])], found[int(form.cleaned_data["to"])]
        changes = rules.diff(old, new)
    return render(
        request,
        "web/policy/compare.html",
        {"form": form, "old": old, "new": new, "changes": changes, "several": len(found) > 1},
        status=400 if form.is_bound and form.errors else 200,
    )


urlpatterns = [
    path("read/", read, name="policy_read"),
    path("acknowledgements/", acknowledgements, name="policy_acknowledgements"),
    path("versions/", versions_list, name="policy_versions"),
    path("versions/compare/", compare, name="policy_compare"),
]
