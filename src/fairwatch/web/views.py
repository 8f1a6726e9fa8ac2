"""Server-rendered pages. Plain function views; permission checks go through the gate."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fairwatch.audit import chain, gate
from fairwatch.audit.models import AuditEntry
from fairwatch.catalogue import model_catalogue
from fairwatch.concerns import services as concerns
from fairwatch.monitoring import exercises
from fairwatch.schools.models import PEOPLE_GROUPS, ContactLink, Person, RoleAssignment
from fairwatch.schools.permissions import VIEW_ACTION_FOR_KIND, Action, may

from .context import SESSION_KEY, ordered_roles, school_for_request
from .home import capabilities_for

TAB_TITLES = {"staff": "Staff and volunteers", "pupils": "Pupils", "contacts": "Parents and carers"}
# What each tab shows beside its own people: a contact's linked pupils.
TAB_SHOWS = {"contacts": (Person.Kind.PUPIL,)}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return render(request, "web/no_school.html")
    return render(
        request,
        "web/home.html",
        {
            "sections": capabilities_for(ordered_roles(request.user, school), school, request.user),
            # Cases past their LADO decision's deadline stand out for those they went to (7.6).
            "lado_overdue": concerns.overdue_count(school, request.user),
        },
    )


@login_required
@require_POST
def switch_school(request: HttpRequest) -> HttpResponse:
    request.session[SESSION_KEY] = request.POST.get("school", "")
    return redirect("home")


@login_required
def policy(request: HttpRequest) -> HttpResponse:
    return render(request, "web/policy.html", {"catalogue": model_catalogue()})


@login_required
def people(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return render(request, "web/no_school.html", status=403)
    tab = request.GET.get("kind", "staff")
    if tab not in PEOPLE_GROUPS:
        tab = "staff"
    title, kinds = TAB_TITLES[tab], PEOPLE_GROUPS[tab]
    query = request.GET.get("q", "").strip()[:100]
    qs = gate.people(
        request.user,
        school,
        kinds,
        shows=TAB_SHOWS.get(tab, ()),
        purpose=gate.Purpose.SCHOOL_ADMIN,
        detail={"view": "people list", "search": bool(query)},
    )
    qs = qs.search(query).by_name()
    if tab == "staff":
        qs = qs.prefetch_related(
            Prefetch(
                "roles",
                RoleAssignment.objects.filter(ended_at__isnull=True),
                to_attr="active_roles",
            )
        )
    elif tab == "pupils":
        qs = qs.annotate(contact_count=Count("contact_links"))
    else:
        qs = qs.prefetch_related(
            Prefetch("pupil_links", ContactLink.objects.select_related("pupil"), to_attr="links")
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    tabs = [
        (key, label)
        for key, label in TAB_TITLES.items()
        if all(
            may(request.user, VIEW_ACTION_FOR_KIND[k], school)
            for k in (*PEOPLE_GROUPS[key], *TAB_SHOWS.get(key, ()))
        )
    ]
    return render(
        request,
        "web/people.html",
        {
            "tab": tab,
            "title": title,
            "tabs": tabs,
            "page": page,
            "query": query,
        },
    )


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    school = school_for_request(request)
    if school is None:
        return render(request, "web/no_school.html", status=403)
    gate.check(
        request.user,
        school,
        Action.READ_AUDIT,
        purpose=gate.Purpose.AUDIT_REVIEW,
        object_type="audit_trail",
    )
    entries = (
        AuditEntry.objects.filter(school=school)
        .exclude(exercises.hidden_from(request.user, school))
        .exclude(concerns.hidden_from(request.user, school))
        .order_by("-seq")
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    # Walking the whole chain takes time on a long trail, so it runs when asked for.
    verification = chain.verify() if request.GET.get("check") == "1" else None
    return render(request, "web/audit.html", {"page": page, "verification": verification})
