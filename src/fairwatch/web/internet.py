"""Pages for internet use (clauses 3.1-3.3, 7): the dashboard and its CSV export, one
pseudonym's totals, the category rules, alerts of harmful categories, and the register of
permissions for private use.

The rules, the gate and the audit entries are in `fairwatch.internet`; these views turn forms
into calls, errors into messages next to the fields, and figures into charts (inline SVG drawn
here, so no script and nothing from elsewhere is needed).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fairwatch.internet import alerts, category_rules, dashboard, private_use
from fairwatch.internet.models import Alert, PrivateUse, Treatment
from fairwatch.monitoring.exercises import REQUESTERS
from fairwatch.schools.permissions import Action, may, roles_at

from .context import no_school, school_for_request
from .forms import add_errors, describe

TREATMENT_WORDS = {
    Treatment.HARMFUL.value: "Harmful",
    Treatment.PRIVATE.value: "Private use",
    Treatment.ALLOWED.value: "Allowed",
}


def _problems(*forms_: forms.Form) -> list[tuple[str, str]]:
    """Every error on the page, each with the link to its control ("" when it has none)."""
    out = []
    for form in forms_:
        if not form.is_bound:
            continue
        for name, errors in form.errors.items():
            anchor = ""
            if name != "__all__":
                bound = form[name]
                group = isinstance(
                    bound.field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)
                )
                anchor = f"#{bound.auto_id}-group" if group else f"#{bound.id_for_label}"
            out.extend((message, anchor) for message in errors)
    return out


# --- charts ------------------------------------------------------------------------------------

# Seven colours, each at least 3:1 against white (WCAG 1.4.11), light and dark in turn so that
# neighbouring stacks differ; the last is for "other". The tables beside them carry the numbers.
PALETTE = ("#1d4f91", "#d4351c", "#28a197", "#6f2c91", "#a86b00", "#5694ca", "#505a5f")
ALLOWED_COLOUR, BLOCKED_COLOUR = "#1d4f91", "#d4351c"
UNDER_COLOUR, WITHOUT_COLOUR, NOT_PRIVATE_COLOUR = "#1d4f91", "#a86b00", "#505a5f"


def _nice_ceiling(value: int) -> int:
    """A round number at or above `value` for the top of an axis: 1, 2, 5, 10, 20, 50, ..."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= value:
                return step * m
        step *= 10


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str
    value: int


def _day_chart(figures: dashboard.Figures) -> dict[str, Any]:
    """Stacked bars, one a day, one stack per series: geometry for the template's SVG."""
    width, height, left, right, top, bottom = 720, 300, 70, 10, 16, 40
    days = figures.by_day
    top_value = _nice_ceiling(max((d.total for d in days), default=0))
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(days), 1)
    bar_w = max(step * 0.8, 1.0)
    legend = _legend(figures)
    colours = [item["colour"] for item in legend]
    segments: list[Segment] = []
    for i, d in enumerate(days):
        x = left + i * step + (step - bar_w) / 2
        y = top + plot_h
        for (_, label), value, colour in zip(figures.series, d.values, colours, strict=True):
            if not value:
                continue
            h = plot_h * value / top_value
            y -= h
            segments.append(
                Segment(
                    round(x, 2), round(y, 2), round(bar_w, 2), round(h, 2), colour, label, value
                )
            )
    ticks = [
        {"y": round(top + plot_h - plot_h * f, 2), "label": f"{int(top_value * f):,}"}
        for f in (0, 0.5, 1)
    ]
    last = len(days) - 1

    def x_label(i: int) -> dict[str, Any]:
        """The first label starts at the axis and the last ends at the edge, inside the picture."""
        if 0 < i == last:
            x, anchor = left + (i + 1) * step, "end"
        elif i == 0 and last > 0:
            x, anchor = left, "start"
        else:
            x, anchor = left + (i + 0.5) * step, "middle"
        day = days[i].day
        return {"x": round(x, 2), "label": f"{day.day} {day:%b}", "anchor": anchor}

    x_labels = [x_label(i) for i in sorted({0, last // 2, last})] if days else []
    return {
        "width": width,
        "height": height,
        "left": left,
        "base": top + plot_h,
        "right_edge": width - right,
        "segments": segments,
        "ticks": ticks,
        "x_labels": x_labels,
        "legend": legend,
        "rows": [
            {
                "day": d.day,
                "cells": [
                    (label, v) for (_, label), v in zip(figures.series, d.values, strict=True)
                ],
                "total": d.total,
            }
            for d in days
        ],
    }


def _legend(figures: dashboard.Figures) -> list[dict[str, str]]:
    colours = list(PALETTE[: len(figures.series)])
    if figures.series and figures.series[-1][0] == dashboard.OTHER:
        colours[-1] = PALETTE[-1]
    return [
        {"label": label, "colour": colour}
        for (_, label), colour in zip(figures.series, colours, strict=True)
    ]


def _share(parts: list[tuple[str, int, str]]) -> dict[str, Any]:
    """One bar split in proportion: (label, value, colour) -> geometry and percentages."""
    width, height = 600, 48
    total = sum(v for _, v, _ in parts)
    x = 0.0
    out = []
    for label, value, colour in parts:
        w = width * value / total if total else 0
        pct = round(100 * value / total) if total else 0
        out.append(
            {
                "label": label,
                "value": value,
                "pct": pct,
                "colour": colour,
                "x": round(x, 2),
                "w": round(w, 2),
            }
        )
        x += w
    return {"width": width, "height": height, "parts": out, "total": total}


def _site_chart(figures: dashboard.Figures) -> dict[str, Any]:
    width, row, label_w = 400, 28, 170
    top_value = max((s.requests for s in figures.sites), default=0) or 1
    bars = []
    for i, s in enumerate(figures.sites):
        w = (width - label_w - 50) * s.requests / top_value
        name = s.site if len(s.site) <= 24 else s.site[:23] + "…"
        bars.append(
            {
                "y": i * row,
                "w": round(max(w, 1), 2),
                "name": name,
                "requests": s.requests,
                "text_y": i * row + row * 0.68,
            }
        )
    return {"width": width, "height": max(len(bars) * row, row), "label_w": label_w, "bars": bars}


# --- the dashboard -----------------------------------------------------------------------------


class RangeForm(forms.Form):
    since = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date, for example 2026-03-05."},
    )
    until = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date, for example 2026-03-05."},
    )


def _range(request: HttpRequest) -> tuple[dashboard.Range, RangeForm]:
    """The range asked for in the query; the default one, with the errors, if it is wrong."""
    default = dashboard.parse_range()
    if not request.GET:
        form = RangeForm(initial={"since": default.since, "until": default.until})
        return default, describe(form)
    form = RangeForm(request.GET)
    if form.is_valid():
        try:
            span = dashboard.parse_range(form.cleaned_data["since"], form.cleaned_data["until"])
        except dashboard.InvalidRange as e:
            add_errors(form, e.errors)
        else:
            return span, describe(form)
    return default, describe(form)


def _query(span: dashboard.Range) -> str:
    return f"since={span.since.isoformat()}&until={span.until.isoformat()}"


def _figures_context(figures: dashboard.Figures) -> dict[str, Any]:
    private = figures.private
    return {
        "figures": figures,
        "days_chart": _day_chart(figures),
        "blocked_chart": _share(
            [
                ("Allowed", figures.allowed, ALLOWED_COLOUR),
                ("Blocked by the filter", figures.blocked, BLOCKED_COLOUR),
            ]
        ),
        "private_chart": _share(
            [
                ("Private use under a permission", private.under, UNDER_COLOUR),
                ("Private use without a permission", private.without, WITHOUT_COLOUR),
                ("Not private use", private.other, NOT_PRIVATE_COLOUR),
            ]
        ),
        "sites_chart": _site_chart(figures),
        "treatment_words": TREATMENT_WORDS,
        "query": _query(figures.range),
    }


@login_required
def internet_dashboard(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    span, form = _range(request)
    figures = dashboard.figures(request.user, school, span)
    context = _figures_context(figures)
    context.update(
        form=form,
        problems=_problems(form),
        may_see_alerts=may(request.user, Action.VIEW_WEB_ALERTS, school),
        may_set_rules=may(request.user, Action.MANAGE_CATEGORY_RULES, school),
    )
    return render(request, "web/internet/dashboard.html", context)


@login_required
def internet_pseudonym(request: HttpRequest, pseudonym: str) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    span, form = _range(request)
    try:
        figures = dashboard.of_pseudonym(request.user, school, pseudonym, span)
    except dashboard.UnknownPseudonym:
        raise Http404("No such pseudonym") from None
    context = _figures_context(figures)
    context.update(
        form=form,
        problems=_problems(form),
        may_ask_exercise=bool(roles_at(request.user, school) & REQUESTERS),
    )
    return render(request, "web/internet/pseudonym.html", context)


def _cell(value: Any) -> Any:
    """A text that a spreadsheet would read as a formula is kept as text (sites come from
    logs, and a log line can say anything)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def internet_export(request: HttpRequest) -> HttpResponse:
    """The totals as CSV: day, category, site, pseudonym, requests, blocked. No names."""
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    try:
        span = dashboard.parse_range(request.GET.get("since"), request.GET.get("until"))
    except dashboard.InvalidRange as e:
        return HttpResponse(str(e), status=400, content_type="text/plain; charset=utf-8")
    rows = dashboard.export(request.user, school, span)  # checked and recorded here
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(dashboard.CSV_COLUMNS)
        for row in rows:
            yield writer.writerow([_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"internet-{school.slug}-{span.since.isoformat()}-{span.until.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


# --- category rules ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def internet_categories(request: HttpRequest) -> HttpResponse:
    """How the school treats each web category (the Headteacher and the IT manager)."""
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    if request.method == "POST":
        known = category_rules.known_categories()
        wanted = {c: request.POST[c] for c in known if c in request.POST}
        try:
            changed = category_rules.update(request.user, school, wanted)
        except category_rules.InvalidRules as e:
            messages.error(request, f"Not saved: {e}")
        else:
            if changed:
                messages.success(
                    request,
                    f"Saved: {len(changed)} categor{'y' if len(changed) == 1 else 'ies'} "
                    "changed. New logs are sorted by them from the next ingest.",
                )
            else:
                messages.success(request, "Nothing changed.")
        return redirect("internet_categories")
    rows = category_rules.view(request.user, school)
    return render(
        request,
        "web/internet/categories.html",
        {
            "rows": rows,
            "choices": [(t.value, TREATMENT_WORDS[t.value]) for t in Treatment],
            "treatment_words": TREATMENT_WORDS,
            "changed": sum(1 for r in rows if r.changed),
        },
    )


# --- alerts ------------------------------------------------------------------------------------

ALERT_TABS = [("open", "Open"), ("closed", "Closed"), ("all", "All")]


def _alert_rows(items: list[Alert]) -> list[dict[str, Any]]:
    known = category_rules.descriptions()
    return [{"alert": a, "description": category_rules.describe(a.category, known)} for a in items]


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    state = request.GET.get("state", "open")
    if state not in alerts.STATES:
        state = "open"
    items = list(alerts.listed(request.user, school, state=state)[:500])
    return render(
        request,
        "web/internet/alerts.html",
        {
            "rows": _alert_rows(items),
            "state": state,
            "tabs": ALERT_TABS,
            "open_count": alerts.open_count(school, request.user),
            "may_see_decisions": may(request.user, Action.VIEW_IDENTIFICATIONS, school),
        },
    )


class CloseForm(forms.Form):
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=alerts.NOTE_MAX,
        help_text="What was done, and why the alert can close. For example: a known "
        "teaching resource wrongly listed; or: passed to the Headteacher for a decision.",
        error_messages={"required": "Write a note before closing the alert."},
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why it is being reopened",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=alerts.NOTE_MAX,
        error_messages={"required": "Say why the alert is being reopened."},
    )


class IdentifyForm(forms.Form):
    reason = forms.CharField(
        label="The safeguarding need",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=alerts.NOTE_MAX,
        help_text="Why you need to know who this is, in plain words. For example: the sites "
        "suggest a risk to a child, and we must act today. The DPO reads this.",
        error_messages={"required": alerts.WHY_IDENTIFY},
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    try:
        alert = alerts.get(request.user, school, alert_id)
    except Alert.DoesNotExist:
        raise Http404("No such alert") from None
    close_form, reopen_form = CloseForm(prefix="close"), ReopenForm(prefix="reopen")
    identify_form = IdentifyForm(prefix="identify")
    do = request.POST.get("do", "") if request.method == "POST" else ""
    if do == "close":
        close_form = CloseForm(request.POST, prefix="close")
        if _alert_step(request, alert, close_form):
            return redirect("internet_alerts")
    elif do == "reopen":
        reopen_form = ReopenForm(request.POST, prefix="reopen")
        if _alert_step(request, alert, reopen_form):
            return redirect("internet_alert", alert_id=alert.pk)
    elif do == "identify":
        identify_form = IdentifyForm(request.POST, prefix="identify")
        if _alert_step(request, alert, identify_form):
            return redirect("internet_alert", alert_id=alert.pk)
    known = category_rules.descriptions()
    decision = alerts.decision_of(alert)
    return render(
        request,
        "web/internet/alert.html",
        {
            "alert": alert,
            "description": category_rules.describe(alert.category, known),
            "decision": decision,
            "identity": alerts.identity(request.user, alert) if decision else None,
            "close_form": describe(close_form),
            "reopen_form": describe(reopen_form),
            "identify_form": describe(identify_form),
            "problems": _problems(close_form, reopen_form, identify_form),
            "may_ask_exercise": bool(roles_at(request.user, school) & REQUESTERS),
            "may_see_activity": may(request.user, Action.VIEW_ACTIVITY, school),
            "day_query": f"since={alert.day.isoformat()}&until={alert.day.isoformat()}",
        },
    )


def _alert_step(request: HttpRequest, alert: Alert, form: forms.Form) -> bool:
    """Close, reopen or record the decision to identify, as the posted form asks; False, with
    the errors placed, if it can't."""
    if not form.is_valid():
        return False
    d = form.cleaned_data
    try:
        if isinstance(form, CloseForm):
            alerts.close(request.user, alert, note=d["note"])
            done = "The alert is closed."
        elif isinstance(form, ReopenForm):
            alerts.reopen(request.user, alert, reason=d["reason"])
            done = "The alert is open again."
        else:
            alerts.identify(request.user, alert, reason=d["reason"])
            done = "Your decision is recorded. The name is shown below, for this alert only."
    except alerts.InvalidStep as e:
        add_errors(form, e.errors)
        return False
    except alerts.WrongState as e:
        messages.error(request, f"Not done: {e}")
        return True
    messages.success(request, done)
    return True


@login_required
def identification_list(request: HttpRequest) -> HttpResponse:
    """The safeguarding decisions that named someone: which alert, who, when and why; no names
    of who it was (the DPO's oversight, and the DSL's and the Headteacher's record)."""
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    found = list(alerts.identifications(request.user, school)[:500])
    known = category_rules.descriptions()
    rows = [
        {"decision": d, "description": category_rules.describe(d.alert.category, known)}
        for d in found
    ]
    return render(
        request,
        "web/internet/identifications.html",
        {"rows": rows, "may_see_alerts": may(request.user, Action.VIEW_WEB_ALERTS, school)},
    )


# --- private use (3.1) -------------------------------------------------------------------------

REGISTER_TABS = [
    ("all", "All"),
    ("requested", "Waiting for a decision"),
    ("granted", "Granted"),
    ("refused", "Refused"),
    ("withdrawn", "Withdrawn"),
]


def _category_choices(names: list[str]) -> list[tuple[str, str]]:
    known = category_rules.descriptions()
    return [(c, category_rules.describe(c, known)) for c in names]


@login_required
def private_use_list(request: HttpRequest) -> HttpResponse:
    """Your own requests; and, for the Headteacher and the DPO, the whole register."""
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    sees_register = may(request.user, Action.VIEW_PRIVATE_USE, school)
    may_ask = may(request.user, Action.ASK_PRIVATE_USE, school)
    mine: list[PrivateUse] = []
    if may_ask or not sees_register:
        mine = private_use.mine(request.user, school)  # refused (and recorded) if not on roster
    state = request.GET.get("state", "all")
    if state not in private_use.STATES:
        state = "all"
    register = (
        list(private_use.register(request.user, school, state=state)[:500]) if sees_register else []
    )
    to_decide = [] if sees_register else private_use.to_decide(request.user, school)
    today = timezone.localdate()
    return render(
        request,
        "web/internet/private_use.html",
        {
            "mine": mine,
            "to_decide": to_decide,
            "register": register,
            "sees_register": sees_register,
            "may_ask": may_ask,
            "state": state,
            "tabs": REGISTER_TABS,
            "today": today,
            "waiting": sum(1 for r in register if r.state == PrivateUse.State.REQUESTED),
        },
    )


class AskForm(forms.Form):
    purpose = forms.CharField(
        label="What the private use is for",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=private_use.PURPOSE_MAX,
        help_text="For example: to check my bank and pay bills at lunchtime, on the staffroom "
        "computer.",
        error_messages={"required": "Say what the private use is for."},
    )
    scope = forms.ChoiceField(
        label="Which kinds of site",
        widget=forms.RadioSelect,
        choices=[
            ("any", "Any kind of site the school counts as private use"),
            ("chosen", "Only the kinds I choose below"),
        ],
        initial="chosen",
        error_messages={"required": "Choose any kind of site, or only some."},
    )
    categories = forms.MultipleChoiceField(
        label="Kinds of site",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The kinds of site this school counts as private use.",
    )
    starts = forms.DateField(
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Give the date the permission should start.",
            "invalid": "Enter a date, for example 2026-03-05.",
        },
    )
    expires = forms.DateField(
        label="Until",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=f"At most a year ({private_use.MAX_DAYS} days) after it starts.",
        error_messages={
            "required": "Give the date the permission should end.",
            "invalid": "Enter a date, for example 2026-03-05.",
        },
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("scope") == "chosen" and not data.get("categories"):
            self.add_error("categories", "Choose at least one kind of site, or choose any.")
        return data

    def chosen(self) -> list[str]:
        d = self.cleaned_data
        return [] if d["scope"] == "any" else d["categories"]


@login_required
@require_http_methods(["GET", "POST"])
def private_use_ask(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    choices = _category_choices(private_use.private_categories(school))
    today = timezone.localdate()
    form = AskForm(
        request.POST if request.method == "POST" else None,
        choices=choices,
        initial={"starts": today, "expires": today + dt.timedelta(days=90)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = private_use.ask(
                request.user,
                school,
                purpose=form.cleaned_data["purpose"],
                categories=form.chosen(),
                starts=form.cleaned_data["starts"],
                expires=form.cleaned_data["expires"],
            )
        except private_use.InvalidRequest as e:
            add_errors(form, e.errors)
        else:
            messages.success(
                request,
                f"Your request is with {private_use.decider_words(item.person)}. You will "
                "get an email when it is decided.",
            )
            return redirect("private_use_detail", item_id=item.pk)
    elif request.method == "GET" and not may(request.user, Action.ASK_PRIVATE_USE, school):
        private_use.mine(request.user, school)  # records the refusal and raises
    return render(
        request,
        "web/internet/private_use_ask.html",
        {
            "form": describe(form),
            "problems": _problems(form),
            "decider": private_use.asked_of(request.user, school),
        },
    )


class GrantForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label="Kinds of site it covers",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expires = forms.DateField(
        label="Until",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="You can end it earlier than asked, not later.",
        error_messages={
            "required": "Give the date the permission ends.",
            "invalid": "Enter a date, for example 2026-03-05.",
        },
    )
    conditions = forms.CharField(
        label="Conditions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=private_use.REASON_MAX,
        help_text="For example: outside lessons only. The person who asked reads these.",
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], any_help: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = choices
        self.fields["categories"].help_text = any_help


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label="Why it is refused",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=private_use.REASON_MAX,
        help_text="The person who asked reads this.",
        error_messages={"required": "Say why the request is refused."},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=private_use.REASON_MAX,
    )


def _grant_form(item: PrivateUse, data=None) -> GrantForm:
    asked = list(item.categories)
    names = asked or private_use.private_categories(item.school)
    any_help = (
        "Untick any it should not cover."
        if asked
        else "They asked for any kind of private use. Leave all unticked to grant that, or "
        "tick the only kinds it should cover."
    )
    return GrantForm(
        data,
        prefix="grant",
        choices=_category_choices(names),
        any_help=any_help,
        initial={"categories": asked, "expires": item.expires},
    )


@login_required
@require_http_methods(["GET", "POST"])
def private_use_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return no_school(request)
    try:
        item = private_use.get(request.user, school, item_id)
    except PrivateUse.DoesNotExist:
        raise Http404("No such request") from None
    grant_form = _grant_form(item)
    refuse_form = RefuseForm(prefix="refuse")
    withdraw_form = WithdrawForm(prefix="withdraw")
    do = request.POST.get("do", "") if request.method == "POST" else ""
    if do == "grant":
        grant_form = _grant_form(item, request.POST)
        done = _private_step(request, item, grant_form, "Granted. The person who asked is told.")
    elif do == "refuse":
        refuse_form = RefuseForm(request.POST, prefix="refuse")
        done = _private_step(request, item, refuse_form, "Refused. The person who asked is told.")
    elif do == "withdraw":
        withdraw_form = WithdrawForm(request.POST, prefix="withdraw")
        done = _private_step(request, item, withdraw_form, "Withdrawn.")
    else:
        done = False
    if done:
        return redirect("private_use_detail", item_id=item.pk)
    known = category_rules.descriptions()
    return render(
        request,
        "web/internet/private_use_detail.html",
        {
            "item": item,
            "own": item.person.user_id == request.user.pk,
            "categories": [(c, category_rules.describe(c, known)) for c in item.categories],
            "may_decide": private_use.may_decide(request.user, item),
            "decider": private_use.decider_words(item.person),
            "may_withdraw": private_use.may_withdraw(request.user, item),
            "expired": item.state == PrivateUse.State.GRANTED
            and item.expires < timezone.localdate(),
            "grant_form": describe(grant_form),
            "refuse_form": describe(refuse_form),
            "withdraw_form": describe(withdraw_form),
            "problems": _problems(grant_form, refuse_form, withdraw_form),
        },
    )


def _private_step(request: HttpRequest, item: PrivateUse, form: forms.Form, done: str) -> bool:
    """Make the step the posted form asks for; False, with the errors placed, if it can't."""
    if not form.is_valid():
        return False
    d = form.cleaned_data
    try:
        if isinstance(form, GrantForm):
            private_use.grant(
                request.user,
                item,
                categories=d["categories"],
                expires=d["expires"],
                conditions=d["conditions"],
            )
        elif isinstance(form, RefuseForm):
            private_use.refuse(request.user, item, reason=d["reason"])
        else:
            private_use.withdraw(request.user, item, reason=d["reason"])
    except private_use.InvalidRequest as e:
        add_errors(form, e.errors)
        return False
    except private_use.WrongState as e:
        messages.error(request, f"Not done: {e}")
        return True
    messages.success(request, done)
    return True


urlpatterns = [
    path("", internet_dashboard, name="internet_dashboard"),
    path("export.csv", internet_export, name="internet_export"),
    path("pseudonym/<str:pseudonym>/", internet_pseudonym, name="internet_pseudonym"),
    path("categories/", internet_categories, name="internet_categories"),
    path("alerts/", alert_list, name="internet_alerts"),
    path("alerts/<int:alert_id>/", alert_detail, name="internet_alert"),
    path("alerts/decisions/", identification_list, name="internet_identifications"),
    path("private-use/", private_use_list, name="private_use"),
    path("private-use/ask/", private_use_ask, name="private_use_ask"),
    path("private-use/<int:item_id>/", private_use_detail, name="private_use_detail"),
]
