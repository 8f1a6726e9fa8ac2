"""Reasonable adjustments to reading the policy (clause 2): asking for an accessible format
or more time, seeing one's own requests and answers, and the Headteacher's list to answer.

The rules, the gate and the audit trail are in `fairwatch.policy.adjustments`; these views
only turn requests into calls and errors into messages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from fairwatch.policy import adjustments, store
from fairwatch.policy.adjustments import AlreadyAnswered, InvalidAdjustment
from fairwatch.policy.models import Adjustment
from fairwatch.schools.models import School

from .context import no_school, school_for_request
from .forms import add_errors, describe

KIND_HINTS = {
    Adjustment.Kind.FORMAT: "For example large print, a screen-reader friendly copy, "
    "an audio version, or someone to read it through with you.",
    Adjustment.Kind.TIME: "For example if you are on leave, off sick, or need longer to read "
    "it. Say below the date you need until.",
}
DATE_ERRORS = {"invalid": "Enter a real date, for example 2027-03-05."}


class HintedRadios(forms.RadioSelect):
    """Radio buttons each tied to its own hint (`<id>-hint`, rendered by the template)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"]["aria-describedby"] = f"{option['attrs']['id']}-hint"
        return option


class AskForm(forms.Form):
    kind = forms.ChoiceField(
        label="What do you need?",
        choices=Adjustment.Kind.choices,
        widget=HintedRadios,
        error_messages={
            "required": "Choose what you need: an accessible format, or more time.",
            "invalid_choice": "Choose what you need: an accessible format, or more time.",
        },
    )
    detail = forms.CharField(
        label="Tell us what you need",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=adjustments.DETAIL_MAX,
        help_text="Only you and the Headteacher see this. Say as much or as little as you "
        "like, for example “large print”, “a screen-reader friendly copy” or “I am on leave "
        "until 3 March”.",
        error_messages={
            "required": "Say what you need, for example large print, a screen-reader friendly "
            "copy, or that you are on leave until a date.",
            "max_length": f"Keep this to {adjustments.DETAIL_MAX} characters or fewer.",
        },
    )
    wanted_by = forms.DateField(
        label="If you need more time: the date you need until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=f"Only for more time. A date within {adjustments.MORE_TIME_MAX_DAYS} days, "
        "for example 2027-03-05.",
        error_messages=DATE_ERRORS,
    )


class AnswerForm(forms.Form):
    agreed = forms.ChoiceField(
        label="Do you agree?",
        choices=[("yes", "Yes, agree"), ("no", "No, do not agree")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether you agree to the request.",
            "invalid_choice": "Choose whether you agree to the request.",
        },
    )
    answer = forms.CharField(
        label="Your answer",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=adjustments.ANSWER_MAX,
        help_text="How and when the format will be provided, or why it cannot be agreed. The "
        "person who asked reads this.",
        error_messages={
            "required": "Write your answer: how and when the format will be provided, or "
            "the new deadline; or why it cannot be agreed.",
            "max_length": f"Keep the answer to {adjustments.ANSWER_MAX} characters or fewer.",
        },
    )
    deadline = forms.DateField(
        label="New deadline for reading the policy",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Only when you agree more time. It starts as the date they asked for.",
        error_messages=DATE_ERRORS,
    )

    def __init__(self, *args: Any, item: Adjustment, **kwargs: Any):
        kwargs.setdefault("prefix", f"a{item.pk}")
        kwargs.setdefault("initial", {"deadline": item.wanted_by})
        super().__init__(*args, **kwargs)
        if item.kind != Adjustment.Kind.TIME:
            del self.fields["deadline"]
        else:
            self.fields[
                "answer"
            ].help_text = (
                "Whether they can have the time, or why not. The person who asked reads this."
            )


def _anchor(bound: forms.BoundField) -> str:
    if isinstance(bound.field.widget, forms.RadioSelect):
        return f"#{bound.auto_id}-group"
    return f"#{bound.id_for_label}"


def _problems(form: forms.Form) -> list[tuple[str, str]]:
    """Every error on the form, each with the link to its field ("" when it has none)."""
    if not form.is_bound:
        return []
    out = [(message, "") for message in form.non_field_errors()]
    for name in form.fields:
        out.extend((message, _anchor(form[name])) for message in form[name].errors)
    return out


def _other_problems(form: AskForm) -> None:
    """The service's messages for the fields the form took, so every problem shows at once."""
    data = form.cleaned_data
    found = adjustments.ask_problems(
        data.get("kind"), (data.get("detail") or "").strip(), data.get("wanted_by")
    )
    for name, message in found.items():
        if name in form.fields and name not in form.errors:
            form.add_error(name, message)


# --- asking ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    adjustments.asker(request.user, school)  # not on the staff list: refused, recorded → 403
    row = store.to_read(school)
    form = AskForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = adjustments.ask(
                request.user, school, data["kind"], data["detail"], data["wanted_by"]
            )
        except InvalidAdjustment as e:
            add_errors(form, e.errors)
        else:
            return redirect("policy_adjustment_asked", adjustment_id=made.pk)
    elif request.method == "POST":
        _other_problems(form)
    problems = _problems(form)
    return render(
        request,
        "web/policy/adjustments/ask.html",
        {
            "row": row,
            "form": describe(form),
            "problems": problems,
            "hints": KIND_HINTS,
        },
        status=400 if problems else 200,
    )


@login_required
def asked(request: HttpRequest, adjustment_id: int) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    try:
        item = adjustments.my_one(request.user, school, adjustment_id)
    except Adjustment.DoesNotExist:
        raise Http404("No such request of yours") from None
    return render(request, "web/policy/adjustments/asked.html", {"item": item})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    person = store.me(request.user, school)
    row = store.to_read(school)
    context: dict[str, Any] = {
        "person": person,
        "row": row,
        "items": adjustments.mine(request.user, school),
    }
    if person is not None and row is not None:
        context["covering"] = store.covering(person, school, row)
        context["deadline"] = adjustments.deadline_of(person, row)
    return render(request, "web/policy/adjustments/mine.html", context)


# --- answering -------------------------------------------------------------------------------


def _answer_list(
    request: HttpRequest, school: School, bound: AnswerForm | None = None, status: int = 200
) -> HttpResponse:
    items = adjustments.all_for(request.user, school)  # not the Headteacher: refused → 403
    shown = []
    for item in items:
        form = None
        if item.status == Adjustment.Status.ASKED:
            form = bound if bound is not None and bound.prefix == f"a{item.pk}" else None
            form = describe(form or AnswerForm(item=item))
        shown.append((item, form))
    waiting = [pair for pair in shown if pair[0].status == Adjustment.Status.ASKED]
    answered = [pair for pair in shown if pair[0].status != Adjustment.Status.ASKED]
    return render(
        request,
        "web/policy/adjustments/list.html",
        {
            "waiting": waiting,
            "answered": answered,
            "problems": _problems(bound) if bound is not None else [],
        },
        status=status,
    )


@login_required
def answer_list(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    return _answer_list(request, school)


@login_required
@require_POST
def answer(request: HttpRequest, adjustment_id: int) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    waiting = {item.pk: item for item in adjustments.waiting(request.user, school)}  # gated
    item = waiting.get(adjustment_id)
    if item is None:
        messages.info(request, "That request has already been answered, or is not there.")
        return redirect("policy_adjustments")
    form = AnswerForm(request.POST, item=item)
    if form.is_valid():
        data = form.cleaned_data
        try:
            adjustments.answer(
                request.user,
                school,
                item.pk,
                data["agreed"] == "yes",
                data["answer"],
                data.get("deadline"),
            )
        except InvalidAdjustment as e:
            add_errors(form, e.errors)
        except (AlreadyAnswered, Adjustment.DoesNotExist):
            messages.info(request, "That request has already been answered.")
            return redirect("policy_adjustments")
        else:
            messages.success(
                request,
                f"Your answer to {item.person.display_name} is saved. They have been sent an "
                "email to read it.",
            )
            return redirect("policy_adjustments")
    return _answer_list(request, school, form, status=400)


urlpatterns = [
    path("adjustments/", answer_list, name="policy_adjustments"),
    path("adjustments/ask/", ask, name="policy_adjustment_ask"),
    path("adjustments/asked/<int:adjustment_id>/", asked, name="policy_adjustment_asked"),
    path("adjustments/mine/", mine, name="policy_adjustments_mine"),
    path("adjustments/<int:adjustment_id>/answer/", answer, name="policy_adjustment_answer"),
]
