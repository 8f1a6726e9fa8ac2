"""Adapting the policy (issue 9): the Headteacher's (or org admin's) draft of the school's next
version, the organisation's model and what changed in it, merging that in, and publishing.

The same pages serve a school's policy (`/policy/adapt/…`) and the organisation's model
(`/policy/model/…`, its admins only); `Scope` says which. The rules, the gate and the trail
are in `fairwatch.policy.adapt`; these views turn requests into calls and errors into
messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fairwatch.policy import adapt, store
from fairwatch.policy.models import Draft, ModelVersion
from fairwatch.policy.store import InvalidPolicy
from fairwatch.policy.versions import ChangeRow
from fairwatch.schools.models import Organisation, School

from .context import no_school, school_for_request
from .forms import add_errors, describe


@dataclass(frozen=True)
class Scope:
    """Which policy the pages are adapting: the school's, or its organisation's model."""

    name: str  # "adapt" or "model": the url names' prefix
    owner: School | Organisation
    school: School

    @property
    def is_model(self) -> bool:
        return isinstance(self.owner, Organisation)

    def url(self, page: str = "", *args: Any) -> str:
        return reverse(f"policy_{self.name}{'_' + page if page else ''}", args=args)

    @property
    def title(self) -> str:
        if self.is_model:
            return f"{self.owner.name}’s model policy"
        return f"{self.school.name}’s policy"


def _scope(request: HttpRequest, name: str) -> Scope | None:
    school = school_for_request(request)
    if school is None:
        return None
    owner: School | Organisation = school.organisation if name == "model" else school
    return Scope(name, owner, school)


# --- the draft -----------------------------------------------------------------------------


class PublishForm(forms.Form):
    effective_from = forms.DateField(
        label="Takes effect on",
        help_text="The day the new version is in force, for example 1 January 2027. "
        "Write it as day/month/year or 2027-01-01.",
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
        error_messages={
            "required": "Give the day the new version takes effect.",
            "invalid": "Write the day as day/month/year, for example 01/01/2027.",
        },
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    paragraphs = forms.CharField(
        label="Paragraphs affected",
        max_length=200,
        help_text="For the table of changes, as the model writes it: “6.5”, “Para 2 and 6.10”.",
        error_messages={"required": "Say which paragraphs changed."},
    )
    summary = forms.CharField(
        label="Summary of the change",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say in a sentence what changed, for staff to read."},
    )
    duties_changed = forms.TypedChoiceField(
        label="Must staff read and acknowledge it?",
        choices=[
            ("yes", "Yes: it changes what staff must do"),
            ("no", "No: it only tidies the words"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
        error_messages={"required": "Say whether staff must read it."},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def overview(request: HttpRequest, name: str) -> HttpResponse:
    scope = _scope(request, name)
    if scope is None:
        return no_school(request)
    found = adapt.draft(request.user, scope.owner)  # gate.Refused → 403
    form = None
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step == "start":
            adapt.start(request.user, scope.owner)
            messages.success(request, "Your draft has started from the version in force.")
            return redirect(scope.url())
        if step == "rebase":
            number = adapt.rebase(request.user, scope.school)
            messages.success(
                request,
                f"Your policy's words stay as they are; it is now based on version {number} "
                "of the model.",
            )
            return redirect(scope.url())
        if step == "discard":
            adapt.discard(request.user, scope.owner)
            messages.success(
                request, "The draft was thrown away. The published versions are as they were."
            )
            return redirect(scope.url())
        if step == "publish":
            form = describe(PublishForm(request.POST))
            if form.is_valid():
                data = form.cleaned_data
                try:
                    row = adapt.publish(
                        request.user,
                        scope.owner,
                        effective_from=data["effective_from"],
                        changes=[
                            ChangeRow(
                                timezone.localdate(),
                                data["paragraphs"].strip(),
                                data["summary"].strip(),
                            )
                        ],
                        duties_changed=data["duties_changed"],
                        note=data["note"],
                    )
                except InvalidPolicy as exc:
                    add_errors(form, exc.errors)
                else:
                    messages.success(request, _published(scope, row))
                    return redirect(scope.url())
        else:
            raise Http404("No such step.")
    return _render_overview(request, scope, found, form)


def _published(scope: Scope, row) -> str:
    day = row.effective_from.strftime("%-d %B %Y")
    if scope.is_model:
        return (
            f"Version {row.number} of the model is published. Each school's Headteacher has been "
            "sent a link to bring it into their policy."
        )
    if row.duties_changed:
        return (
            f"Version {row.number} is published, in force from {day}. Staff are asked to read it."
        )
    return (
        f"Version {row.number} is published, in force from {day}. Nobody needs to acknowledge it."
    )


def _render_overview(
    request: HttpRequest, scope: Scope, found: Draft | None, form: PublishForm | None
) -> HttpResponse:
    context: dict[str, Any] = {"scope": scope, "draft": found}
    if not scope.is_model:
        context["upstream"] = adapt.upstream(scope.school)
        context["based_on"] = adapt.based_on(scope.school)
    if found is not None:
        changes = adapt.changes(found, scope.owner)
        clauses = adapt.clauses_of(found)
        changed = {each.id: each for each in changes}
        waiting = adapt.conflicts(found)
        context.update(
            clauses=[(clause, changed.get(clause.id)) for clause in clauses.values()],
            changes=changes,
            conflicts=waiting,
            removed=[each for each in changes if each.new is None],
            rebase=not scope.is_model and not changes and adapt.moved_base(found),
        )
        if form is None:
            paragraphs = ", ".join(each.id for each in changes)
            form = describe(
                PublishForm(
                    initial={
                        "effective_from": timezone.localdate().isoformat(),
                        "paragraphs": paragraphs,
                        "duties_changed": "yes",
                    }
                )
            )
        context["form"] = form
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, "web/policy/adapt/overview.html", context, status=status)


# --- one clause ------------------------------------------------------------------------------


class ClauseForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=adapt.TITLE_MAX,
        error_messages={"required": "Give the clause a title."},
    )
    text = forms.CharField(
        label="Words",
        required=False,
        max_length=adapt.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Leave a blank line between paragraphs.",
    )
    applies = forms.TypedChoiceField(
        label="Does this clause apply at the school?",
        choices=[("yes", "Yes"), ("no", "No: it does not apply here")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the clause applies."},
    )
    reason = forms.CharField(
        label="Why it does not apply",
        required=False,
        max_length=adapt.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only when it does not apply. Staff see this reason with the clause.",
    )


class AddForm(forms.Form):
    clause = forms.CharField(
        label="Clause number",
        max_length=20,
        help_text="Numbered like the policy’s own: 6.12, or 7.2.2.",
        error_messages={"required": "Give the clause a number."},
    )
    title = ClauseForm.base_fields["title"]
    text = ClauseForm.base_fields["text"]


@login_required
@require_http_methods(["GET", "POST"])
def clause(request: HttpRequest, name: str, clause_id: str) -> HttpResponse:
    scope = _scope(request, name)
    if scope is None:
        return no_school(request)
    # Looking does not start a draft: the first change does (in the service).
    found = adapt.draft(request.user, scope.owner)
    clauses = adapt.clauses_of(found) if found else adapt.latest_clauses(scope.owner)
    if clause_id not in clauses:
        raise Http404(f"There is no clause {clause_id} in the draft.")
    current = clauses[clause_id]
    own = not scope.is_model and clause_id not in adapt.model_clauses_for(scope.school)
    if request.method == "POST" and request.POST.get("step") == "remove":
        try:
            adapt.remove(request.user, scope.owner, clause_id)
        except InvalidPolicy as exc:
            messages.error(request, " ".join(exc.errors.values()))
            return redirect(scope.url("clause", clause_id))
        messages.success(request, f"Clause {clause_id} was taken out of the draft.")
        return redirect(scope.url())
    if request.method == "POST":
        form = describe(ClauseForm(request.POST))
        if (
            form.is_valid()
            and not form.cleaned_data["applies"]
            and not form.cleaned_data["reason"].strip()
        ):
            form.add_error("reason", "Say why the clause does not apply at the school.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                adapt.edit(
                    request.user, scope.owner, clause_id, title=data["title"], text=data["text"]
                )
                if (
                    data["applies"] != current.applicable
                    or data["reason"].strip() != current.reason
                ):
                    adapt.set_applies(
                        request.user, scope.owner, clause_id, data["applies"], data["reason"]
                    )
            except InvalidPolicy as exc:
                add_errors(form, exc.errors)
            else:
                messages.success(request, f"Clause {clause_id} is changed in the draft.")
                return redirect(scope.url() + f"#draft-{clause_id.replace('.', '-')}")
    else:
        form = describe(
            ClauseForm(
                initial={
                    "title": current.title,
                    "text": current.text,
                    "applies": "yes" if current.applicable else "no",
                    "reason": current.reason,
                }
            )
        )
    return render(
        request,
        "web/policy/adapt/clause.html",
        {"scope": scope, "clause": current, "form": form, "own": own},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def add(request: HttpRequest, name: str) -> HttpResponse:
    scope = _scope(request, name)
    if scope is None:
        return no_school(request)
    adapt.draft(request.user, scope.owner)  # gate.Refused → 403
    if request.method == "POST":
        form = describe(AddForm(request.POST))
        if form.is_valid():
            data = form.cleaned_data
            try:
                adapt.add(
                    request.user,
                    scope.owner,
                    data["clause"],
                    title=data["title"],
                    text=data["text"],
                )
            except InvalidPolicy as exc:
                add_errors(form, exc.errors)
            else:
                messages.success(request, f"Clause {data['clause'].strip()} is added to the draft.")
                return redirect(scope.url())
    else:
        form = describe(AddForm())
    return render(
        request,
        "web/policy/adapt/add.html",
        {"scope": scope, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- upstream: what changed in the model, and merging it ---------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def upstream(request: HttpRequest) -> HttpResponse:
    scope = _scope(request, "adapt")
    if scope is None:
        return no_school(request)
    may = adapt.may_adapt(request.user, scope.school)
    if request.method == "POST":
        try:
            result = adapt.merge_upstream(request.user, scope.school)  # gate.Refused → 403
        except InvalidPolicy as exc:
            messages.error(request, " ".join(exc.errors.values()))
            return redirect("policy_upstream")
        taken = len(result.taken)
        text = f"The model’s changes are in your draft: {taken} clause{'s'[: taken != 1]} taken."
        if result.conflicts:
            ids = " and ".join(each.id for each in result.conflicts)
            text += (
                f" Choose the words for clause {ids}: both your school and the model changed it."
            )
        messages.success(request, text)
        for note in result.notes:
            messages.info(request, note)
        return redirect("policy_adapt")
    news = adapt.upstream(scope.school)
    return render(
        request,
        "web/policy/adapt/upstream.html",
        {"scope": scope, "upstream": news, "may": may, "based_on": adapt.based_on(scope.school)},
    )


class SettleForm(forms.Form):
    choice = forms.ChoiceField(
        label="Which words should the clause have?",
        choices=[
            ("ours", "Keep your school’s words"),
            ("theirs", "Take the model’s words"),
            ("own", "Write new words"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which words the clause should have."},
    )
    title = forms.CharField(
        label="Title (for new words)", required=False, max_length=adapt.TITLE_MAX
    )
    text = forms.CharField(
        label="Words (for new words)",
        required=False,
        max_length=adapt.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def settle(request: HttpRequest, clause_id: str) -> HttpResponse:
    scope = _scope(request, "adapt")
    if scope is None:
        return no_school(request)
    found = adapt.draft(request.user, scope.school)  # gate.Refused → 403
    waiting = {each.id: each for each in adapt.conflicts(found)} if found else {}
    conflict = waiting.get(clause_id)
    if conflict is None:
        raise Http404(f"Clause {clause_id} is not waiting for a choice.")
    if request.method == "POST":
        form = describe(SettleForm(request.POST))
        if form.is_valid():
            data = form.cleaned_data
            try:
                adapt.settle(
                    request.user,
                    scope.school,
                    clause_id,
                    data["choice"],
                    title=data["title"],
                    text=data["text"],
                )
            except InvalidPolicy as exc:
                add_errors(form, exc.errors)
            else:
                messages.success(request, f"Clause {clause_id} is settled.")
                return redirect("policy_adapt")
    else:
        kept = conflict.ours or conflict.theirs
        form = describe(
            SettleForm(
                initial={"title": kept.title if kept else "", "text": kept.text if kept else ""}
            )
        )
    return render(
        request,
        "web/policy/adapt/settle.html",
        {"scope": scope, "conflict": conflict, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- the organisation's model versions ---------------------------------------------------------


@login_required
def model_versions(request: HttpRequest) -> HttpResponse:
    scope = _scope(request, "model")
    if scope is None:
        return no_school(request)
    organisation = scope.owner
    assert isinstance(organisation, Organisation)
    rows: list[ModelVersion] = list(reversed(adapt.model_rows(organisation)))
    return render(
        request,
        "web/policy/adapt/model_versions.html",
        {
            "scope": scope,
            "rows": [(row, store.as_version(row)) for row in rows],
            "may": adapt.may_adapt(request.user, organisation),
            "based_on": adapt.based_on(scope.school),
        },
    )


def _patterns(name: str) -> list:
    prefix = "adapt" if name == "adapt" else "model/adapt"
    return [
        path(f"{prefix}/", overview, {"name": name}, name=f"policy_{name}"),
        path(f"{prefix}/add/", add, {"name": name}, name=f"policy_{name}_add"),
        path(
            f"{prefix}/clause/<str:clause_id>/",
            clause,
            {"name": name},
            name=f"policy_{name}_clause",
        ),
    ]


urlpatterns = [
    *_patterns("adapt"),
    *_patterns("model"),
    path("adapt/upstream/", upstream, name="policy_upstream"),
    path("adapt/settle/<str:clause_id>/", settle, name="policy_adapt_settle"),
    path("model/", model_versions, name="policy_model_versions"),
]
