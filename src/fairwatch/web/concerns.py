"""Pages: concerns about staff and their cases (7.3-7.6).

Who sees what, and every step, is `fairwatch.concerns.services`: these views turn forms into
calls and errors into messages next to the fields. A case the viewer does not handle is the
same 404 as an address that does not exist, so its subject never learns of it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from fairwatch.cases.rules import Outcome, State, View
from fairwatch.concerns import services
from fairwatch.concerns.models import Case, Evidence
from fairwatch.concerns.services import InvalidConcern, Upload
from fairwatch.errors import WrongState
from fairwatch.monitoring.school_settings import settings_for
from fairwatch.privacy.exercises import NotAllowed as ExerciseNotAllowed
from fairwatch.schools.models import Person, School
from fairwatch.schools.permissions import Action, may

from .context import SESSION_KEY, no_school, school_for_request
from .forms import describe

TABS = [("open", "Open"), ("closed", "Closed"), ("all", "All")]
PER_PAGE = 50
STATE_WORDS = {
    State.RAISED: "Waiting to be triaged",
    State.ALLEGATION: "Allegation: may meet the harm threshold",
    State.LOW_LEVEL: "Low-level concern",
    State.CLOSED: "Closed",
}
YES_NO = {"yes": True, "no": False}
CSV_COLUMNS = ["ref", "kind", "raised_at", "subjects", "state", "outcome", "lado_due", "what"]


# --- forms ---------------------------------------------------------------------------------
# Fields are optional here: the service says what is missing, in one go, with the same words
# the API uses. The forms only read the values (a date, a choice from the list).


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class FilesField(forms.Field):
    """Any number of files; their size, number and emptiness are the service's to check."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any):
        super().__init__(required=False, **kwargs)

    def clean(self, value: Any) -> list[UploadedFile]:
        return [f for f in (value or []) if f]


def _files(field: str = "evidence") -> FilesField:
    return FilesField(
        label="Evidence files" if field == "evidence" else "Files",
        help_text=f"Screenshots, photos or saved emails. Up to {services.FILES_MAX} files on a "
        f"case, {services.FILE_MAX // (1024 * 1024)} MB each.",
    )


def _text(label: str, rows: int = 4, hint: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class RaiseForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is the concern about?",
        choices=Case.Kind.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Choose what the concern is about from the list."},
    )
    what = _text(
        "What happened",
        rows=6,
        hint="What you saw, read or were told, and where. Write what you know; you do not "
        "need proof.",
    )
    happened_on = forms.DateField(
        label="When it happened",
        required=False,
        help_text="Your best guess will do.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date, for example 20/11/2026."},
    )
    subjects = forms.MultipleChoiceField(
        label="Who it is about",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick one or more colleagues. They are listed by surname.",
        error_messages={"invalid_choice": "Choose colleagues from this school's staff list."},
    )
    pupil_involved = forms.ChoiceField(
        label="May a pupil be involved?",
        choices=[("yes", "Yes, or I am not sure"), ("no", "No")],
        widget=forms.RadioSelect,
        required=False,
        help_text="For example a pupil was contacted, named or shown in a photo.",
        error_messages={"invalid_choice": "Answer yes or no."},
    )
    evidence = _files()

    def __init__(self, *args: Any, colleagues: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["subjects"].choices = colleagues


class TriageForm(forms.Form):
    to = forms.ChoiceField(
        label="Is it an allegation or a low-level concern?",
        widget=forms.RadioSelect,
        required=False,
        choices=[
            (State.ALLEGATION.value, "An allegation: it may meet the harm threshold"),
            (State.LOW_LEVEL.value, "A low-level concern: it goes on the low-level register"),
        ],
        error_messages={"invalid_choice": "Choose an allegation or a low-level concern."},
    )


class HRForm(forms.Form):
    adviser = forms.CharField(
        label="HR adviser",
        required=False,
        help_text="Their name, and their service if they are outside the school.",
    )
    consulted_at = forms.DateTimeField(
        label="When you spoke to them",
        required=False,
        widget=DateTimeLocal(),
        help_text="Date and time, UK time.",
        error_messages={"invalid": "Enter a date and time, for example 05/03/2026 14:30."},
    )
    advice = _text("Their advice")


class LadoForm(forms.Form):
    referred = forms.ChoiceField(
        label="Is it referred to the LADO?",
        widget=forms.RadioSelect,
        required=False,
        choices=[("yes", "Yes, it is referred"), ("no", "No, it is not referred")],
        error_messages={"invalid_choice": "Answer yes or no."},
    )
    reason = _text("Reason for the decision", rows=3)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        required=False,
        help_text="From the least serious to the most serious (7.4).",
        choices=[("", "Choose an outcome")] + [(o.value, o.label) for o in Outcome],
        error_messages={"invalid_choice": "Choose an outcome from the list."},
    )
    reason = _text("Reason for the outcome", rows=4)


class EvidenceForm(forms.Form):
    evidence = _files("more")


class ExerciseLinkForm(forms.Form):
    exercise = forms.CharField(
        label="Monitoring exercise reference",
        required=False,
        max_length=12,
        help_text="For example K7QH2MPX.",
    )


class AlertLinkForm(forms.Form):
    web_alert = forms.IntegerField(
        label="Web alert number",
        required=False,
        min_value=1,
        error_messages={
            "invalid": "Enter the alert's number, for example 42.",
            "min_value": "Enter the alert's number, for example 42.",
        },
    )


class HeldLinkForm(forms.Form):
    held_mail = forms.CharField(
        label="Held mail id", required=False, max_length=40, help_text="As on the held mail page."
    )


LINK_FORMS: dict[str, type[forms.Form]] = {
    "exercise": ExerciseLinkForm,
    "web_alert": AlertLinkForm,
    "held_mail": HeldLinkForm,
}
# The step forms on a case page, by the prefix their fields are posted with.
STEP_FORMS: dict[str, type[forms.Form]] = {
    "triage": TriageForm,
    "hr": HRForm,
    "lado": LadoForm,
    "outcome": OutcomeForm,
    "evidence": EvidenceForm,
    **{f"link_{name}": form for name, form in LINK_FORMS.items()},
}


# --- helpers -------------------------------------------------------------------------------


def _school(request: HttpRequest, ref: str = "") -> School | None:
    """The session's school; for a case's address, the case's school when it is another of
    the user's (a link in an email works whichever school the session is in)."""
    school = school_for_request(request)
    if ref and school is not None:
        other = services.school_of(request.user, ref, school)
        if other is not None and other != school:
            request.session[SESSION_KEY] = other.slug
            request._fairwatch_school = school = other  # type: ignore[attr-defined]
    return school


def _case(request: HttpRequest, school: School, ref: str) -> Case:
    """The case, for someone who handles it; 404 for everyone else (as for no such ref)."""
    try:
        return services.get(request.user, school, ref)
    except Case.DoesNotExist:
        raise Http404("No such page") from None


def _uploads(files: list[UploadedFile]) -> list[Upload]:
    """The files as the service takes them. One more than the limit is read at most, of each
    and of them all, so an oversized upload is refused without being read whole."""
    return [
        Upload(f.name or "file", f.content_type or "", f.read(services.FILE_MAX + 1))
        for f in files[: services.FILES_MAX + 1]
    ]


def _add_errors(form: forms.Form, error: InvalidConcern, problems: list[tuple[str, str]]) -> None:
    """Each message next to its field; one without a field goes in the summary only."""
    for name, message in error.errors.items():
        if name in form.fields:
            form.add_error(name, message)
        else:
            problems.append((message, ""))


def _anchor(bound: forms.BoundField) -> str:
    if isinstance(bound.field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return f"#{bound.auto_id}-group"
    return f"#{bound.id_for_label}"


def _problems(*forms_: forms.Form) -> list[tuple[str, str]]:
    """Every error on the page, each with the link to its field."""
    out = [(message, "") for form in forms_ if form.is_bound for message in form.non_field_errors()]
    for form in forms_:
        if not form.is_bound:
            continue
        for name in form.fields:  # in the order of the page
            label = str(form[name].label)
            label += " " if label.endswith("?") else ": "
            out.extend((label + message, _anchor(form[name])) for message in form[name].errors)
    return out


def _colleague_choices(people: list[Person]) -> list[tuple[str, str]]:
    """Names as people go by them; the email too where two share a name."""
    count = Counter(p.display_name for p in people)
    twice = {n for n, k in count.items() if k > 1}
    choices = []
    for p in people:
        label = p.display_name
        if p.display_name in twice and p.email:
            label += f" ({p.email})"
        if p.kind == Person.Kind.VOLUNTEER:
            label += ", volunteer"
        choices.append((str(p.pk), label))
    return choices


def state_words(case: Case) -> str:
    if case.state == State.CLOSED and case.outcome:
        label = case.outcome_label  # "A referral (LADO, police or DBS)": keep the acronyms
        return f"Closed: {label[:1].lower()}{label[1:]}"
    return STATE_WORDS.get(State(case.state), case.state)


def _subjects(case: Case) -> list[str]:
    return [p.display_name for p in case.subjects.all()]


# --- raising and receipts ------------------------------------------------------------------


@login_required
def concern_raise(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    if school is None:
        return no_school(request)
    people = list(services.colleagues(request.user, school))  # refused (403) if not staff
    choices = _colleague_choices(people)
    extra: list[tuple[str, str]] = []
    if request.method == "POST":
        form = RaiseForm(request.POST, request.FILES, colleagues=choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.raise_concern(
                    request.user,
                    school,
                    kind=data["kind"],
                    what=data["what"],
                    happened_on=data["happened_on"],
                    subjects=[int(i) for i in data["subjects"]],
                    pupil_involved=YES_NO.get(data["pupil_involved"]),
                    files=_uploads(data["evidence"]),
                )
            except InvalidConcern as e:
                _add_errors(form, e, extra)
            else:
                messages.success(
                    request,
                    f"Your concern is received. Its reference is {case.ref}. Thank you for "
                    "raising it.",
                )
                return redirect("concern_receipt", ref=case.ref)
    else:
        form = RaiseForm(colleagues=choices)
    describe(form)
    problems = _problems(form) + extra
    return render(
        request,
        "web/concerns/raise.html",
        {"form": form, "problems": problems, "files_lost": bool(problems and request.FILES)},
        status=400 if problems else 200,
    )


@login_required
def concern_receipts(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    if school is None:
        return no_school(request)
    found = services.receipts(request.user, school)
    return render(request, "web/concerns/receipts.html", {"receipts": found})


@login_required
def concern_receipt(request: HttpRequest, ref: str) -> HttpResponse:
    school = _school(request, ref)
    if school is None:
        raise Http404("No such page")
    try:
        case = services.receipt(request.user, school, ref)
    except Case.DoesNotExist:
        raise Http404("No such page") from None
    return render(request, "web/concerns/receipt.html", {"case": case})


# --- the cases -----------------------------------------------------------------------------


def _filters(request: HttpRequest) -> tuple[str, str]:
    state = request.GET.get("state", "open")
    if state not in services.STATES:
        state = "open"
    return state, request.GET.get("q", "").replace("\x00", "").strip()[:200]


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    if school is None:
        return no_school(request)
    state, q = _filters(request)
    found = services.visible(request.user, school, state=state, q=q)
    closed = services.closures_for(school, found)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [
        {
            "case": c,
            "subjects": _subjects(c),
            "state": state_words(c),
            "clock": services.lado_clock(c, closed, now),
        }
        for c in page
    ]
    return render(
        request,
        "web/concerns/list.html",
        {
            "tabs": TABS,
            "state": state,
            "q": q,
            "searched": bool(q),
            "page": page,
            "rows": rows,
            "may_see_register": may(request.user, Action.VIEW_LOW_LEVEL_REGISTER, school),
        },
    )


def _cell(value: str) -> str:
    """A text a spreadsheet would read as a formula is kept as text."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@login_required
def cases_export(request: HttpRequest) -> HttpResponse:
    """The same list as the cases page, with the same filters, as CSV. (The list is read
    whole to be ordered and filtered by the rules, so it is written whole too.)"""
    school = _school(request)
    if school is None:
        return no_school(request)
    state, q = _filters(request)
    found = services.visible(request.user, school, state=state, q=q)
    closed = services.closures_for(school, found)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for c in found:
        due = services.lado_due(c, closed)
        row = [
            c.ref,
            c.get_kind_display(),
            timezone.localtime(c.raised_at).isoformat(timespec="minutes"),
            "; ".join(_subjects(c)),
            state_words(c),
            c.outcome_label,
            timezone.localtime(due).isoformat(timespec="minutes") if due else "",
            c.what,
        ]
        writer.writerow([_cell(v) for v in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"cases-{school.slug}-{state}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response


def _summary(case: Case) -> dict[str, Any]:
    """What the case page and its printable page both show."""
    school = case.school
    routing = services.routing_of(case)
    return {
        "case": case,
        "state_words": state_words(case),
        "subjects": list(case.subjects.all()),
        "raised_by": services.name_of(school, case.raised_by),
        "routing": routing,
        "handlers": services.handler_names(case, routing),
        "clock": services.lado_clock(case),
        "missing": services.missing(case),
        "triaged_by": services.name_of(school, case.triaged_by),
        "lado_decided_by": services.name_of(school, case.lado_decided_by),
        "closed_by": services.name_of(school, case.closed_by),
        "evidence": list(case.evidence.defer("content")),
        "exercises": list(case.exercises.all()),
        "web_alerts": list(case.web_alerts.all()),
        "held_messages": list(case.held_messages.all()),
    }


def _render_case(
    request: HttpRequest,
    case: Case,
    bound: dict[str, forms.Form] | None = None,
    extra: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    """The case page; with the forms that were posted and their errors, status 400."""
    bound = bound or {}
    step_forms = {
        name: bound.get(name) or form_class(prefix=name) for name, form_class in STEP_FORMS.items()
    }
    if "hr" not in bound and case.hr_consulted_at is None:
        now = timezone.localtime().replace(second=0, microsecond=0)
        step_forms["hr"] = HRForm(prefix="hr", initial={"consulted_at": now})
    for form in step_forms.values():
        describe(form)
    problems = (extra or []) + _problems(*bound.values())
    context = _summary(case) | {
        "forms": step_forms,
        "problems": problems,
        "steps": services.chronology(request.user, case),
        "is_open": case.is_open,
        "may_triage": case.state == State.RAISED,
        "may_decide_lado": case.pupil_involved and case.lado_decided_at is None,
    }
    return render(
        request, "web/concerns/detail.html", context, status=400 if problems or bound else 200
    )


@login_required
def case_detail(request: HttpRequest, ref: str) -> HttpResponse:
    school = _school(request, ref)
    if school is None:
        raise Http404("No such page")
    try:
        case, seen = services.lookup(request.user, school, ref)
    except Case.DoesNotExist:
        raise Http404("No such page") from None
    if seen is not View.CASE:  # the person who raised it: their receipt
        return redirect("concern_receipt", ref=case.ref)
    return _render_case(request, case)


@login_required
def case_print(request: HttpRequest, ref: str) -> HttpResponse:
    school = _school(request, ref)
    if school is None:
        raise Http404("No such page")
    case = _case(request, school, ref)
    context = _summary(case) | {
        "steps": services.chronology(request.user, case),
        "printed_at": timezone.now(),
    }
    return render(request, "web/concerns/print.html", context)


@login_required
def case_evidence(request: HttpRequest, ref: str, evidence_id: int) -> HttpResponse:
    """One evidence file, always downloaded, never shown in the page (it may be anything)."""
    school = _school(request, ref)
    if school is None:
        raise Http404("No such page")
    try:
        found = services.evidence_file(request.user, school, ref, evidence_id)
    except (Case.DoesNotExist, Evidence.DoesNotExist):
        raise Http404("No such page") from None
    response = HttpResponse(bytes(found.content), content_type=services.download_type(found))
    response["Content-Disposition"] = content_disposition_header(True, found.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store"
    return response


# --- the steps -----------------------------------------------------------------------------
# Each is a POST to its own address: done, it goes back to the case with a message; a value
# the step cannot take shows the case page again with the message by the field.

Step = Callable[[HttpRequest, Case, dict[str, Any]], str]


def _step(request: HttpRequest, ref: str, name: str, do: Step) -> HttpResponse:
    school = _school(request, ref)
    if school is None:
        raise Http404("No such page")
    case = _case(request, school, ref)
    form = STEP_FORMS[name](request.POST, request.FILES, prefix=name)
    extra: list[tuple[str, str]] = []
    if form.is_valid():
        try:
            done = do(request, case, form.cleaned_data)
        except Case.DoesNotExist:  # no longer theirs since the page was read
            raise Http404("No such page") from None
        except WrongState as e:
            messages.error(request, f"Not done: {e}")
            return redirect("case_detail", ref=case.ref)
        except InvalidConcern as e:
            _add_errors(form, e, extra)
        else:
            messages.success(request, done)
            return redirect("case_detail", ref=case.ref)
    return _render_case(request, case, {name: form}, extra)


def _triage(request: HttpRequest, case: Case, data: dict[str, Any]) -> str:
    services.triage(request.user, case, data["to"])
    if data["to"] == State.LOW_LEVEL:
        return "Triaged as a low-level concern. It is on the low-level concerns register."
    return "Triaged as an allegation that may meet the harm threshold."


def _hr(request: HttpRequest, case: Case, data: dict[str, Any]) -> str:
    services.record_hr(
        request.user,
        case,
        adviser=data["adviser"],
        consulted_at=data["consulted_at"],
        advice=data["advice"],
    )
    return "The consultation with the HR adviser is recorded."


def _lado(request: HttpRequest, case: Case, data: dict[str, Any]) -> str:
    referred = YES_NO.get(data["referred"])
    services.record_lado(request.user, case, referred=referred, reason=data["reason"])
    return "The LADO decision is recorded."


def _outcome(request: HttpRequest, case: Case, data: dict[str, Any]) -> str:
    services.record_outcome(request.user, case, outcome=data["outcome"], reason=data["reason"])
    return (
        "The outcome is recorded and the case is closed. The person who raised it is told "
        "that it is closed, and nothing more."
    )


def _evidence(request: HttpRequest, case: Case, data: dict[str, Any]) -> str:
    files = _uploads(data["evidence"])
    services.add_evidence(request.user, case, files)
    return f"{len(files)} file{'s' if len(files) != 1 else ''} added."


def _step_view(name: str, do: Step) -> Callable[..., HttpResponse]:
    """The view of one step: signed in, posted, then `_step`."""

    @login_required
    @require_POST
    def view(request: HttpRequest, ref: str) -> HttpResponse:
        return _step(request, ref, name, do)

    view.__name__ = f"case_{name}"
    return view


case_triage = _step_view("triage", _triage)
case_hr = _step_view("hr", _hr)
case_lado = _step_view("lado", _lado)
case_outcome = _step_view("outcome", _outcome)
case_evidence_add = _step_view("evidence", _evidence)


@login_required
@require_POST
def case_link(request: HttpRequest, ref: str) -> HttpResponse:
    which = request.POST.get("link", "")
    if which not in LINK_FORMS:
        which = "exercise"

    def do(request: HttpRequest, case: Case, data: dict[str, Any]) -> str:
        value = data[which]
        try:
            services.link(request.user, case, **{which: value if value != "" else None})
        except InvalidConcern as e:  # "give one of them" belongs to the field left empty
            errors = {which if k == "link" else k: m for k, m in e.errors.items()}
            raise InvalidConcern(errors) from None
        return "Linked to the case."

    return _step(request, ref, f"link_{which}", do)


@login_required
@require_POST
def case_exercise(request: HttpRequest, ref: str) -> HttpResponse:
    """Draft a monitoring exercise about one subject of the case, and go to it."""
    school = _school(request, ref)
    if school is None:
        raise Http404("No such page")
    case = _case(request, school, ref)
    try:
        subject = int(request.POST.get("subject", ""))
    except ValueError:
        subject = 0
    try:
        ex = services.open_exercise(request.user, case, subject)
    except Case.DoesNotExist:
        raise Http404("No such page") from None
    except (WrongState, ExerciseNotAllowed) as e:
        messages.error(request, f"No exercise was opened: {e}")
        return redirect("case_detail", ref=case.ref)
    except InvalidConcern as e:
        return _render_case(request, case, extra=[(m, "") for m in e.errors.values()])
    messages.success(
        request,
        f"Monitoring exercise {ex.ref} is drafted from case {case.ref}, with the concern and "
        "its evidence in the assessment. Finish the assessment and ask for approval.",
    )
    return redirect("exercise_detail", ref=ex.ref)


# --- the low-level concerns register ---------------------------------------------------------


@login_required
def low_level_register(request: HttpRequest) -> HttpResponse:
    """Low-level concerns by member of staff, in order: a pattern over time (Head and DSL)."""
    school = _school(request)
    if school is None:
        return no_school(request)
    entries = services.low_level_register(request.user, school)  # refused: 403
    handled = (
        {c.ref for c in services.visible(request.user, school, state="all")} if entries else set()
    )
    return render(
        request,
        "web/concerns/register.html",
        {
            "entries": entries,
            "handled": handled,
            "months": settings_for(school).low_level_months,
            "may_change": may(request.user, Action.PRIVACY_SETTINGS, school),
        },
    )


urlpatterns = [
    path("", case_list, name="concerns"),
    path("export.csv", cases_export, name="cases_export"),
    path("raise/", concern_raise, name="concern_raise"),
    path("mine/", concern_receipts, name="concern_receipts"),
    path("mine/<str:ref>/", concern_receipt, name="concern_receipt"),
    path("low-level/", low_level_register, name="low_level_register"),
    path("<str:ref>/", case_detail, name="case_detail"),
    path("<str:ref>/print/", case_print, name="case_print"),
    path("<str:ref>/evidence/<int:evidence_id>/", case_evidence, name="case_evidence"),
    path("<str:ref>/evidence/", case_evidence_add, name="case_evidence_add"),
    path("<str:ref>/triage/", case_triage, name="case_triage"),
    path("<str:ref>/hr/", case_hr, name="case_hr"),
    path("<str:ref>/lado/", case_lado, name="case_lado"),
    path("<str:ref>/outcome/", case_outcome, name="case_outcome"),
    path("<str:ref>/link/", case_link, name="case_link"),
    path("<str:ref>/exercise/", case_exercise, name="case_exercise"),
]
