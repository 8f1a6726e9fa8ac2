"""Pages: mail the relay holds (clause 4). Its sender, the Headteacher and the DPO see it; the
sender or the Headteacher releases or deletes it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from fairwatch.catalogue import model_catalogue
from fairwatch.mailflow import held, rules
from fairwatch.mailflow.models import HeldMessage
from fairwatch.schools.permissions import Action, may

from .context import school_for_request


def _school(request: HttpRequest):
    school = school_for_request(request)
    if school is None:
        raise PermissionDenied("You have no role at any school.")
    return school


@login_required
def held_list(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    state = request.GET.get("state", "held")
    qs = held.visible(request.user, school)
    if state in HeldMessage.State.values:
        qs = qs.filter(state=state)
    items = list(qs[:200])
    for item in items:
        item.can_decide = held.may_decide(request.user, school, item)
    return render(
        request,
        "web/held/list.html",
        {"items": items, "state": state, "states": HeldMessage.State.choices},
    )


@login_required
@require_POST
def held_decide(request: HttpRequest, spool_id: str) -> HttpResponse:
    school = _school(request)
    try:
        item = held.get(request.user, school, spool_id)
    except HeldMessage.DoesNotExist:
        raise Http404("No such held message") from None
    release = request.POST.get("do") == "release"
    try:
        (held.release if release else held.delete)(request.user, item)
    except ValueError as e:
        messages.error(request, f"Not done: {e}")
    else:
        messages.success(
            request,
            "Released: the relay is sending it now."
            if release
            else "Deleted: it will not be sent.",
        )
    return redirect("held_mail")


urlpatterns = [
    path("", held_list, name="held_mail"),
    path("<str:spool_id>/", held_decide, name="held_decide"),
]


@login_required
def relay_rules(request: HttpRequest) -> HttpResponse:
    """What the relay does per check at this school (the Headteacher and the IT manager)."""
    school = _school(request)
    if not may(request.user, Action.MANAGE_RELAY_RULES, school):
        raise PermissionDenied("The Headteacher or the IT manager sets the relay's rules.")
    if request.method == "POST":
        wanted = {slug: request.POST.get(slug, rules.DEFAULT) for slug in rules.CHECKS}
        try:
            changed = rules.update(request.user, school, wanted)
        except ValueError as e:
            messages.error(request, f"Not saved: {e}.")
        else:
            messages.success(
                request,
                f"Saved: {len(changed)} rule(s) changed. The relay uses them within five minutes.",
            )
        return redirect("relay_rules")
    now = rules.current(school)
    rows = [
        {
            "slug": slug,
            "clause": clause,
            "anchor": model_catalogue().get(clause).anchor,
            "label": label,
            "action": now[slug],
        }
        for slug, (clause, label) in rules.CHECKS.items()
    ]
    return render(request, "web/held/rules.html", {"rows": rows, "choices": rules.CHOICES})


rules_urlpatterns = [path("", relay_rules, name="relay_rules")]
