"""Pages: monitoring exercises (7.1–7.3) and activity as pseudonyms and totals.

Each page calls the service in `fairwatch.monitoring`, which applies the rules and writes the
audit trail; nothing here decides who may do what.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from fairwatch.audit import gate
from fairwatch.monitoring import activity, exercises
from fairwatch.monitoring.models import Exercise
from fairwatch.monitoring.school_settings import settings_for
from fairwatch.privacy.exercises import Assessment, NotAllowed, State, System
from fairwatch.schools.models import Person, School

from .context import school_for_request
from .forms import describe

STAFF_KINDS = (Person.Kind.STAFF, Person.Kind.VOLUNTEER)
STATE_LABELS = {
    State.DRAFT: "Draft: the assessment is being written",
    State.ASSESSED: "Assessment complete: waiting for the DPO's review",
    State.REVIEWED: "Reviewed by the DPO: waiting for approval",
    State.APPROVED: "Approved: starts at its start date",
    State.ACTIVE: "Active",
    State.CLOSED: "Closed",
    State.PURGED: "Closed, identified extracts deleted",
}


def _school(request: HttpRequest) -> School:
    school = school_for_request(request)
    if school is None:
        raise PermissionDenied("You have no role at any school.")
    return school


def _staff(request: HttpRequest, school: School, why: str):
    return gate.people(
        request.user,
        school,
        STAFF_KINDS,
        purpose=gate.Purpose.MONITORING,
        detail={"view": why},
    ).by_name()


def _found(request: HttpRequest, school: School, ref: str) -> Exercise:
    try:
        return exercises.get_visible(request.user, school, ref)
    except Exercise.DoesNotExist:
        raise Http404("No such exercise") from None


# --- list and new ------------------------------------------------------------------------------


@login_required
def exercise_list(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    found = exercises.visible(request.user, school)
    for ex in found:
        ex.state_label = STATE_LABELS[State(ex.state)]
    may_ask = bool(_requester_roles(request, school))
    return render(
        request,
        "web/exercises/list.html",
        {"exercises": found, "labels": STATE_LABELS, "may_ask": may_ask},
    )


def _requester_roles(request: HttpRequest, school: School):
    from fairwatch.schools.permissions import roles_at

    return roles_at(request.user, school) & exercises.REQUESTERS


class NewExerciseForm(forms.Form):
    subject = forms.TypedChoiceField(
        label="Whose use of email or the internet is the concern about?",
        coerce=int,
        help_text="The member of staff who would be monitored. They will not be told while "
        "the exercise runs (7.1); they can ask for their data afterwards.",
    )


@login_required
def exercise_new(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    if not _requester_roles(request, school):
        gate.record(
            user=request.user,
            action="exercise.draft",
            outcome="refused",
            school=school,
            clause=exercises.CLAUSE,
            detail={"why": "not a requester"},
        )
        raise PermissionDenied("Only those who handle concerns ask for monitoring exercises.")
    staff = list(_staff(request, school, "choose the subject of an exercise"))
    me = Person.objects.filter(school=school, user=request.user).first()
    choices = [("", "Choose a member of staff")] + [
        (p.pk, f"{p.display_name} ({p.email or p.external_id})") for p in staff if p != me
    ]
    form = NewExerciseForm(request.POST or None)
    form.fields["subject"].choices = choices
    if request.method == "POST" and form.is_valid():
        subject = next(p for p in staff if p.pk == form.cleaned_data["subject"])
        try:
            ex = exercises.draft(request.user, school, subject)
        except NotAllowed as e:
            form.add_error("subject", str(e))
        else:
            messages.success(request, "Draft saved. Now write the privacy impact assessment.")
            return redirect("exercise_assessment", ex.ref)
    return render(request, "web/exercises/new.html", {"form": describe(form)})


# --- one exercise --------------------------------------------------------------------------------


class ApproveForm(forms.Form):
    start = forms.DateTimeField(
        label="Starts",
        help_text="UK time.",
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    end = forms.DateTimeField(
        label="Ends",
        help_text="UK time. It closes by itself then.",
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _people_named(school: School, ids) -> list[Person]:
    return list(Person.objects.filter(school=school, pk__in=list(ids)).by_name())


@login_required
def exercise_detail(request: HttpRequest, ref: str) -> HttpResponse:
    school = _school(request)
    ex = exercises.refresh(_found(request, school, ref))
    exercises.record(
        request.user, school, "exercise.view", "allowed", ex.ref, purpose=gate.Purpose.MONITORING
    )
    form = exercises.rules_form(ex)
    actor = exercises.actor_for(request.user, school)
    limits = settings_for(school)
    start = timezone.localtime().replace(second=0, microsecond=0)
    approve_form = ApproveForm(
        initial={"start": start, "end": start + dt.timedelta(days=limits.default_days)}
    )
    state = State(ex.state)
    return render(
        request,
        "web/exercises/detail.html",
        _detail_context(ex, form, actor, state, limits, approve_form),
    )


def _detail_context(ex, form, actor, state, limits, approve_form) -> dict:
    a = form.assessment
    me = actor.person
    is_requester = me == ex.requester_id
    approver = form.approver_role
    return {
        "ex": ex,
        "a": a,
        "state": state,
        "state_label": STATE_LABELS[state],
        "missing": a.missing(),
        "viewers": _people_named(ex.school, a.viewers),
        "approver_label": approver.label,
        "limits": limits,
        "approve_form": describe(approve_form),
        "can_edit": state is State.DRAFT and is_requester,
        "can_complete": state is State.DRAFT and is_requester,
        "can_review": state is State.ASSESSED and "dpo" in actor.roles,
        "can_approve": state is State.REVIEWED
        and approver in actor.roles
        and me not in (ex.requester_id, ex.subject_id),
        "can_close": state in (State.APPROVED, State.ACTIVE)
        and (me in (ex.approved_by_id, ex.requester_id) or "dpo" in actor.roles),
        "can_extend": state in (State.APPROVED, State.ACTIVE) and is_requester,
        "is_viewer": me in a.viewers,
        "history": _readable_history(ex),
        "extensions": list(ex.extensions.order_by("pk")),
    }


_PERSON_ID = re.compile(r"\bby (the DPO )?(\d+)\b")
_UTC_TIME = re.compile(r"\b(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC\b")


def _readable_history(ex: Exercise) -> list[str]:
    """The rules write people as roster ids and times in UTC; show names and local times."""
    ids = {int(m.group(2)) for line in ex.history for m in _PERSON_ID.finditer(line)}
    names = {p.pk: p.display_name for p in Person.objects.filter(school=ex.school, pk__in=ids)}

    def person(m: re.Match[str]) -> str:
        return f"by {m.group(1) or ''}{names.get(int(m.group(2)), 'person ' + m.group(2))}"

    def local(m: re.Match[str]) -> str:
        when = dt.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=dt.UTC)
        return f"{timezone.localtime(when):%d %b %Y %H:%M}"

    return [_UTC_TIME.sub(local, _PERSON_ID.sub(person, line)) for line in ex.history]


def _action(request: HttpRequest, ref: str, step, done: str) -> HttpResponse:
    school = _school(request)
    ex = _found(request, school, ref)
    try:
        step(ex)
    except NotAllowed as e:
        messages.error(request, f"Not done: {e}.")
    else:
        messages.success(request, done)
    return redirect("exercise_detail", ex.ref)


@login_required
@require_POST
def exercise_complete(request: HttpRequest, ref: str) -> HttpResponse:
    return _action(
        request,
        ref,
        lambda ex: exercises.complete_assessment(request.user, ex),
        "The assessment is complete and waits for the DPO's review.",
    )


@login_required
@require_POST
def exercise_review(request: HttpRequest, ref: str) -> HttpResponse:
    return _action(
        request,
        ref,
        lambda ex: exercises.review(request.user, ex),
        "Reviewed. The exercise now waits for approval.",
    )


@login_required
@require_POST
def exercise_approve(request: HttpRequest, ref: str) -> HttpResponse:
    school = _school(request)
    ex = _found(request, school, ref)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        problems = " ".join(
            f"{form[name].label}: {' '.join(errs)}" for name, errs in form.errors.items()
        )
        messages.error(request, f"Not approved. {problems}")
        return redirect("exercise_detail", ex.ref)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return _action(
        request,
        ref,
        lambda ex: exercises.approve(request.user, ex, start, end),
        f"Approved from {timezone.localtime(start):%d %b %Y %H:%M} "
        f"to {timezone.localtime(end):%d %b %Y %H:%M}.",
    )


@login_required
@require_POST
def exercise_close(request: HttpRequest, ref: str) -> HttpResponse:
    return _action(
        request,
        ref,
        lambda ex: exercises.close(request.user, ex),
        "Closed. Nobody sees identified activity from it any more.",
    )


@login_required
@require_POST
def exercise_extend(request: HttpRequest, ref: str) -> HttpResponse:
    school = _school(request)
    ex = _found(request, school, ref)
    try:
        new = exercises.extend(request.user, ex)
    except NotAllowed as e:
        messages.error(request, f"Not done: {e}.")
        return redirect("exercise_detail", ex.ref)
    messages.success(
        request,
        f"Extension drafted as exercise {new.ref}. It needs a fresh review and approval.",
    )
    return redirect("exercise_assessment", new.ref)


# --- the assessment form -------------------------------------------------------------------------


TEXT_FIELDS = [
    (
        "concern",
        "The concern",
        "The suspected unauthorised or criminal use of email or the internet.",
    ),
    ("evidence", "The evidence so far", "What is known, and how it came to light."),
    ("purpose", "Purpose", "What the monitoring is to establish."),
    ("necessity", "Why monitoring is necessary", "Why the purpose cannot be met without it."),
    (
        "alternatives",
        "Less intrusive alternatives",
        "What else was considered (e.g. asking the person, checking one message) and why it was "
        "rejected.",
    ),
    (
        "data_categories",
        "Kinds of data",
        "E.g. senders, recipients, subjects and times of email; "
        "addresses and categories of websites.",
    ),
    ("effect_on_employee", "Effect on the employee", "How the monitoring will affect them."),
    (
        "effect_on_third_parties",
        "Effect on other people",
        "Colleagues, parents and others whose data is caught with the employee's, and how that is "
        "limited.",
    ),
    (
        "article8_balance",
        "The article 8 balance",
        "The employee's right to respect for private life at work weighed against the aim: why "
        "this monitoring is proportionate.",
    ),
    ("hr_consulted", "HR consulted (7.3)", "Who at EducationHR advised, when, and what they said."),
]


class AssessmentForm(forms.Form):
    systems = forms.MultipleChoiceField(
        label="Systems to be monitored",
        choices=[(System.EMAIL.value, "Email"), (System.INTERNET.value, "Internet")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    window_start = forms.DateField(
        label="Activity from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    window_end = forms.DateField(
        label="Activity to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    viewers = forms.TypedMultipleChoiceField(
        label="Who will see the identified data",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only these people see the employee's activity by name while the exercise "
        "is active. The employee cannot be one of them.",
    )
    retention_days = forms.IntegerField(required=False)  # its limit is the school's, below

    def __init__(self, *args, viewer_choices, longest: int, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for name, label, hint in TEXT_FIELDS:
            fields[name] = forms.CharField(
                label=label,
                help_text=hint,
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        fields.update(self.fields)
        self.fields = fields
        self.fields["viewers"].choices = viewer_choices
        self.fields["retention_days"] = forms.IntegerField(
            label="Keep identified extracts for (days after the exercise closes)",
            required=False,
            min_value=1,
            max_value=longest,
            help_text=f"This school keeps them at most {longest} days.",
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end < start:
            self.add_error("window_end", "The end of the activity dates is before the start.")
        return data

    def assessment(self) -> Assessment:
        d = self.cleaned_data
        return Assessment(
            **{name: d.get(name, "").strip() for name, _, _ in TEXT_FIELDS},
            systems=frozenset(System(s) for s in d.get("systems", [])),
            window_start=d.get("window_start"),
            window_end=d.get("window_end"),
            viewers=frozenset(d.get("viewers", [])),
            retention_days=d.get("retention_days"),
        )


def _initial(a: Assessment) -> dict:
    data = {name: getattr(a, name) for name, _, _ in TEXT_FIELDS}
    data.update(
        systems=sorted(s.value for s in a.systems),
        window_start=a.window_start,
        window_end=a.window_end,
        viewers=sorted(a.viewers),
        retention_days=a.retention_days,
    )
    return data


@login_required
def exercise_assessment(request: HttpRequest, ref: str) -> HttpResponse:
    school = _school(request)
    ex = _found(request, school, ref)
    exercises.record(
        request.user,
        school,
        "exercise.view",
        "allowed",
        ex.ref,
        purpose=gate.Purpose.MONITORING,
        detail={"page": "assessment"},
    )
    current = exercises.assessment_of(ex)
    longest = settings_for(school).extract_retention_days
    staff = [p for p in _staff(request, school, "choose viewers") if p.pk != ex.subject_id]
    choices = [(p.pk, p.display_name) for p in staff]
    if current.retention_days is None:
        current = dataclasses.replace(current, retention_days=longest)
    form = AssessmentForm(
        request.POST or None,
        initial=_initial(current),
        viewer_choices=choices,
        longest=longest,
    )
    me = Person.objects.filter(school=school, user=request.user).values_list("pk", flat=True)
    editable = ex.state == State.DRAFT and ex.requester_id in me
    if request.method == "POST" and editable and form.is_valid():
        try:
            ex = exercises.edit_assessment(request.user, ex, form.assessment())
            if "complete" in request.POST:
                ex = exercises.complete_assessment(request.user, ex)
        except NotAllowed as e:
            messages.error(request, f"Not done: {e}.")
        else:
            if ex.state == State.ASSESSED:
                messages.success(request, "The assessment is complete and goes to the DPO.")
                return redirect("exercise_detail", ex.ref)
            messages.success(request, "Saved.")
            return redirect("exercise_assessment", ex.ref)
    return render(
        request,
        "web/exercises/assessment.html",
        {
            "ex": ex,
            "form": describe(form),
            "editable": editable,
            "missing": exercises.assessment_of(ex).missing(),
            "text_fields": [form[name] for name, _, _ in TEXT_FIELDS],
        },
    )


# --- identified activity ---------------------------------------------------------------------


@login_required
def exercise_activity(request: HttpRequest, ref: str) -> HttpResponse:
    school = _school(request)
    ex = Exercise.objects.filter(school=school, ref=ref).first()
    if ex is None:
        raise Http404("No such exercise")
    try:
        seen = activity.identified(request.user, ex)
    except NotAllowed as e:
        visible = True
        try:
            exercises.get_visible(request.user, school, ref)
        except Exercise.DoesNotExist:
            visible = False
        if not visible:  # do not confirm that an exercise exists to someone outside it
            raise Http404("No such exercise") from None
        return render(request, "web/exercises/refused.html", {"ex": ex, "why": str(e)}, status=403)
    return render(
        request,
        "web/exercises/activity.html",
        {"ex": ex, "seen": seen, "a": exercises.assessment_of(ex)},
    )


# --- activity as pseudonyms and totals -----------------------------------------------------------


@login_required
def activity_overview(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    days = 30
    if request.GET.get("days", "").isdigit():
        days = max(1, min(int(request.GET["days"]), 366))
    view = activity.overview(request.user, school, days=days)
    return render(
        request,
        "web/activity/overview.html",
        {
            "view": view,
            "days": days,
            "systematic": activity.may_open_systematic(request.user, school),
        },
    )


@login_required
def activity_pseudonym(request: HttpRequest, pseudonym: str) -> HttpResponse:
    school = _school(request)
    totals = activity.of_pseudonym(request.user, school, pseudonym[:40])
    return render(request, "web/activity/pseudonym.html", {"totals": totals})


@login_required
def activity_systematic(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    try:
        monitored = activity.systematic(request.user, school)
    except NotAllowed as e:
        raise PermissionDenied(str(e)) from None
    return render(
        request,
        "web/activity/systematic.html",
        {"monitored": monitored, "basis": activity.basis_in_force(school)},
    )


urlpatterns = [
    path("", exercise_list, name="exercises"),
    path("new/", exercise_new, name="exercise_new"),
    path("<str:ref>/", exercise_detail, name="exercise_detail"),
    path("<str:ref>/assessment/", exercise_assessment, name="exercise_assessment"),
    path("<str:ref>/complete/", exercise_complete, name="exercise_complete"),
    path("<str:ref>/review/", exercise_review, name="exercise_review"),
    path("<str:ref>/approve/", exercise_approve, name="exercise_approve"),
    path("<str:ref>/close/", exercise_close, name="exercise_close"),
    path("<str:ref>/extend/", exercise_extend, name="exercise_extend"),
    path("<str:ref>/activity/", exercise_activity, name="exercise_activity"),
]

activity_urlpatterns = [
    path("", activity_overview, name="activity"),
    path("systematic/", activity_systematic, name="activity_systematic"),
    path("<str:pseudonym>/", activity_pseudonym, name="activity_pseudonym"),
]
