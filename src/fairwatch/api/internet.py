"""The API for internet use (clauses 3.1-3.3, 7): the school's category rules, alerts of
harmful categories, the register of private-use permissions and the dashboard's figures.

The rules, the gate and the audit entries are in `fairwatch.internet`; errors are as in the
other routers: 403 not allowed (recorded), 404 not there or not yours to see, 409 a step that
does not fit the state, 422 input that cannot be taken (with `errors` by field).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from fairwatch.internet import alerts, category_rules, dashboard, private_use
from fairwatch.internet.models import Alert, Identification, PrivateUse
from fairwatch.schools.models import School
from fairwatch.schools.permissions import Action, may

from .common import ErrorOut, InvalidOut, PersonRef, school_for

router = Router(tags=["internet use"])

BASE = "/schools/{slug}/internet"


ERRORS = {403: ErrorOut, 404: ErrorOut, 422: InvalidOut}
STEP_ERRORS = {**ERRORS, 409: ErrorOut}


def _invalid(errors: dict[str, str]) -> Status:
    return Status(422, InvalidOut(detail=" ".join(errors.values()), errors=errors))


# --- category rules ------------------------------------------------------------------------


class CategoryRuleOut(Schema):
    category: str
    description: str
    default: str  # harmful, private or allowed: the treatment with no rule of the school's
    treatment: str  # the school's


class RulesIn(Schema):
    """Category -> harmful, private or allowed. Categories not named stay as they are;
    naming a category's default removes the school's rule for it."""

    treatments: dict[str, str]


def _rules_out(rows: list[category_rules.Row]) -> list[CategoryRuleOut]:
    return [
        CategoryRuleOut(
            category=r.category, description=r.description, default=r.default, treatment=r.treatment
        )
        for r in rows
    ]


@router.get(BASE + "/categories", response={200: list[CategoryRuleOut], **ERRORS})
def list_category_rules(request, slug: str):
    """Every category with its treatment at the school (the Headteacher and the IT manager)."""
    school = school_for(request, slug)
    return _rules_out(category_rules.view(request.user, school))


@router.patch(BASE + "/categories", response={200: list[CategoryRuleOut], **ERRORS})
def set_category_rules(request, slug: str, payload: RulesIn):
    """Set the treatment of the categories named; the reply is every category afterwards."""
    school = school_for(request, slug)
    try:
        category_rules.update(request.user, school, payload.treatments)
    except category_rules.InvalidRules as e:
        return _invalid(e.errors)
    return _rules_out(category_rules.current(school))


# --- alerts --------------------------------------------------------------------------------


class SiteCount(Schema):
    site: str
    requests: int


class DecisionOut(Schema):
    """A recorded safeguarding decision to find out who is behind an alert."""

    id: int
    decided_by: str  # the DSL's or the Headteacher's name
    decided_at: dt.datetime
    reason: str  # the safeguarding need, in their words


class IdentityOut(Schema):
    """Who is behind the alert, after a safeguarding decision, for this alert only."""

    name: str | None  # null when the identifier is not on the school's roster
    identifier: str  # what the pseudonym was made from: an email, a staff id, a log's
    # "user:NAME" or "ip:ADDRESS"; empty when the vault holds nothing
    on_roster: bool
    note: str  # plain words for anything short of a name on the roster


class AlertOut(Schema):
    id: int
    category: str
    description: str
    day: dt.date
    sites: list[SiteCount]  # most visited first
    requests: int
    blocked: int  # of which the filter refused
    first_at: dt.datetime
    last_at: dt.datetime
    pseudonym: str  # never a name here: see `identity`
    state: str  # open or closed
    closed_at: dt.datetime | None
    closed_by: str | None  # who closed it (null while it is open)
    notes: str  # closing notes and reopening reasons, oldest first
    identified: bool  # a safeguarding decision has named who it was
    decision: DecisionOut | None = None  # with one alert: the decision, if there is one
    # With one alert, after a decision: who it was (each look is recorded). Null otherwise:
    # a name needs a safeguarding decision or a monitoring exercise (7.1).
    identity: IdentityOut | None = None


class IdentificationOut(Schema):
    """A safeguarding decision, for oversight: which alert, who decided, when and why; never
    who it named."""

    id: int
    alert_id: int
    category: str
    day: dt.date
    decided_by: str
    decided_at: dt.datetime
    reason: str


class CloseIn(Schema):
    note: str


class ReopenIn(Schema):
    reason: str


class IdentifyIn(Schema):
    reason: str  # the safeguarding need, in plain words (a sentence or two)


def _decision_out(d: Identification) -> DecisionOut:
    return DecisionOut(
        id=d.pk, decided_by=d.decided_by.display_name, decided_at=d.decided_at, reason=d.reason
    )


def _identity_out(found: alerts.Identity) -> IdentityOut:
    return IdentityOut(
        name=found.name,
        identifier=found.identifier,
        on_roster=found.person is not None,
        note=found.note,
    )


def _one_alert_out(request: HttpRequest, a: Alert) -> AlertOut:
    """One alert, with its decision and, after one, who it was (a look that is recorded)."""
    out = _alert_out(a, category_rules.descriptions())
    decision = alerts.decision_of(a)
    if decision is not None:
        out.identified = True
        out.decision = _decision_out(decision)
        out.identity = _identity_out(alerts.identity(request.user, a))
    return out


def _alert_out(a: Alert, known: dict[str, str]) -> AlertOut:
    return AlertOut(
        id=a.pk,
        category=a.category,
        description=category_rules.describe(a.category, known),
        day=a.day,
        sites=[SiteCount(site=str(s), requests=int(n)) for s, n in a.sites],
        requests=a.count,
        blocked=a.blocked,
        first_at=a.first_at,
        last_at=a.last_at,
        pseudonym=a.pseudonym,
        state=a.state,
        closed_at=a.closed_at,
        closed_by=a.closed_by.display_name if a.closed_by else None,
        notes=a.closed_note,
        identified=bool(getattr(a, "identified", False)),
    )


def _alert(request: HttpRequest, school: School, alert_id: int) -> Alert:
    try:
        return alerts.get(request.user, school, alert_id)
    except Alert.DoesNotExist:
        raise HttpError(404, "no such alert") from None


@router.get(BASE + "/alerts", response={200: list[AlertOut], **ERRORS})
def list_alerts(request, slug: str, state: str = "open"):
    """Alerts of harmful categories (the DSL and the Headteacher): open ones first, the latest
    day first; state is open, closed or all. Never one about you; never a name."""
    school = school_for(request, slug)
    try:
        found = list(alerts.listed(request.user, school, state=state)[:1000])
    except alerts.InvalidStep as e:
        return _invalid(e.errors)
    known = category_rules.descriptions()
    return [_alert_out(a, known) for a in found]


@router.get(BASE + "/alerts/{alert_id}", response={200: AlertOut, **ERRORS})
def get_alert(request, slug: str, alert_id: int):
    """One alert; after a safeguarding decision, with who it was (each look is recorded)."""
    alert = _alert(request, school_for(request, slug), alert_id)
    return _one_alert_out(request, alert)


def _alert_step(request, step, alert: Alert, **text: str):
    """Take a step on an alert: its fields' problems are a 422, a wrong state a 409."""
    try:
        alert = step(request.user, alert, **text)
    except alerts.InvalidStep as e:
        return _invalid(e.errors)
    except alerts.WrongState as e:
        raise HttpError(409, str(e)) from None
    return _one_alert_out(request, alert)


@router.post(BASE + "/alerts/{alert_id}/identify", response={200: AlertOut, **STEP_ERRORS})
def identify_alert(request, slug: str, alert_id: int, payload: IdentifyIn):
    """Record a safeguarding decision to find out who is behind this alert (the DSL or the
    Headteacher), saying why; the answer names them, for this alert only. Once per alert."""
    alert = _alert(request, school_for(request, slug), alert_id)
    return _alert_step(request, alerts.identify, alert, reason=payload.reason)


@router.get(BASE + "/identifications", response={200: list[IdentificationOut], **ERRORS})
def list_identifications(request, slug: str):
    """The safeguarding decisions that named someone, newest first: which alert, who decided,
    when and why, never who (the DPO, the DSL and the Headteacher)."""
    school = school_for(request, slug)
    known = category_rules.descriptions()
    return [
        IdentificationOut(
            id=d.pk,
            alert_id=d.alert_id,
            category=category_rules.describe(d.alert.category, known),
            day=d.alert.day,
            decided_by=d.decided_by.display_name,
            decided_at=d.decided_at,
            reason=d.reason,
        )
        for d in alerts.identifications(request.user, school)[:1000]
    ]


@router.post(BASE + "/alerts/{alert_id}/close", response={200: AlertOut, **STEP_ERRORS})
def close_alert(request, slug: str, alert_id: int, payload: CloseIn):
    """Close an open alert with a note of what was done."""
    alert = _alert(request, school_for(request, slug), alert_id)
    return _alert_step(request, alerts.close, alert, note=payload.note)


@router.post(BASE + "/alerts/{alert_id}/reopen", response={200: AlertOut, **STEP_ERRORS})
def reopen_alert(request, slug: str, alert_id: int, payload: ReopenIn):
    alert = _alert(request, school_for(request, slug), alert_id)
    return _alert_step(request, alerts.reopen, alert, reason=payload.reason)


# --- private use (3.1) -----------------------------------------------------------------------


class PrivateUseOut(Schema):
    id: int
    state: str  # requested, granted, refused or withdrawn
    expired: bool  # granted, and its last day has passed
    purpose: str
    categories: list[str]  # empty: any private-use category
    starts: dt.date
    expires: dt.date  # its last day
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: str | None  # the Headteacher's name (the Chair of Governors' for the Head's own)
    decides: str  # who decides it: "headteacher", or "chair_of_governors" for the Head's own
    withdrawn_at: dt.datetime | None
    withdrawn_by: str | None  # the name of whoever withdrew it
    reason: str  # conditions of a grant, the reason for a refusal, and any withdrawal
    # Who asked: for the Headteacher, the DPO and the Chair deciding it; null for your own.
    person: PersonRef | None = None


class PrivateUseAskIn(Schema):
    purpose: str
    categories: list[str] = []  # the school's private-use categories; empty: any of them
    starts: dt.date
    expires: dt.date


class DecideIn(Schema):
    decision: Literal["grant", "refuse"]
    categories: list[str] | None = None  # grant: fewer than asked; null keeps what was asked
    expires: dt.date | None = None  # grant: an earlier end; null keeps what was asked
    conditions: str = ""  # grant
    reason: str = ""  # refuse: why (needed)


class PrivateUseWithdrawIn(Schema):
    reason: str = ""


class RegisterQuery(Schema):
    all: bool = False  # the Headteacher and the DPO: the whole register, not only your own
    state: str = "all"  # with all=true: requested, granted, refused, withdrawn or all
    # The requests waiting for your decision (for the Chair of Governors: the Headteacher's).
    to_decide: bool = False


def _use_out(item: PrivateUse, *, names: bool) -> PrivateUseOut:
    return PrivateUseOut(
        id=item.pk,
        state=item.state,
        expired=item.state == PrivateUse.State.GRANTED and item.expires < timezone.localdate(),
        purpose=item.purpose,
        categories=list(item.categories),
        starts=item.starts,
        expires=item.expires,
        requested_at=item.requested_at,
        decided_at=item.decided_at,
        decided_by=item.decided_by.display_name if item.decided_by else None,
        decides=private_use.decided_by_role(item).value,
        withdrawn_at=item.withdrawn_at,
        withdrawn_by=item.withdrawn_by.display_name if item.withdrawn_by else None,
        reason=item.reason,
        person=PersonRef(id=item.person.pk, display_name=item.person.display_name)
        if names
        else None,
    )


def _names_for(request: HttpRequest, item: PrivateUse) -> bool:
    own = item.person.user_id == request.user.pk
    return not own and (
        may(request.user, Action.VIEW_PRIVATE_USE, item.school)
        or private_use.decides(request.user, item)
    )


def _use(request: HttpRequest, school: School, item_id: int) -> PrivateUse:
    try:
        return private_use.get(request.user, school, item_id)
    except PrivateUse.DoesNotExist:
        raise HttpError(404, "no such request") from None


@router.get(BASE + "/private-use", response={200: list[PrivateUseOut], **ERRORS})
def list_private_use(request, slug: str, filters: Query[RegisterQuery]):
    """Your own requests, newest first; with `all=true`, the whole register with names (the
    Headteacher and the DPO), those waiting for a decision first; with `to_decide=true`, the
    requests waiting for your decision, oldest first (empty if you decide none)."""
    school = school_for(request, slug)
    if filters.to_decide:
        return [_use_out(item, names=True) for item in private_use.to_decide(request.user, school)]
    if filters.all:
        try:
            found = private_use.register(request.user, school, state=filters.state)
        except private_use.InvalidRequest as e:
            return _invalid(e.errors)
        return [_use_out(item, names=True) for item in found[:1000]]
    return [_use_out(item, names=False) for item in private_use.mine(request.user, school)]


@router.post(BASE + "/private-use", response={201: PrivateUseOut, **ERRORS})
def ask_private_use(request, slug: str, payload: PrivateUseAskIn):
    """Ask for private use of the school's internet (any member of staff). The Headteacher
    decides; the Chair of Governors decides the Headteacher's own requests."""
    school = school_for(request, slug)
    try:
        item = private_use.ask(
            request.user,
            school,
            purpose=payload.purpose,
            categories=payload.categories,
            starts=payload.starts,
            expires=payload.expires,
        )
    except private_use.InvalidRequest as e:
        return _invalid(e.errors)
    return Status(201, _use_out(item, names=False))


@router.get(BASE + "/private-use/{item_id}", response={200: PrivateUseOut, **ERRORS})
def get_private_use(request, slug: str, item_id: int):
    """One request: your own; any for the Headteacher and the DPO; the Headteacher's for the
    Chair of Governors."""
    item = _use(request, school_for(request, slug), item_id)
    return _use_out(item, names=_names_for(request, item))


@router.post(BASE + "/private-use/{item_id}/decide", response={200: PrivateUseOut, **STEP_ERRORS})
def decide_private_use(request, slug: str, item_id: int, payload: DecideIn):
    """The Headteacher grants (as asked, or for fewer categories or a shorter time) or refuses
    with a reason; the Chair of Governors, when the request is the Headteacher's own. Nobody
    decides their own request."""
    item = _use(request, school_for(request, slug), item_id)
    try:
        if payload.decision == "grant":
            item = private_use.grant(
                request.user,
                item,
                categories=payload.categories,
                expires=payload.expires,
                conditions=payload.conditions,
            )
        else:
            item = private_use.refuse(request.user, item, reason=payload.reason)
    except private_use.InvalidRequest as e:
        return _invalid(e.errors)
    except private_use.WrongState as e:
        raise HttpError(409, str(e)) from None
    return _use_out(item, names=_names_for(request, item))


@router.post(BASE + "/private-use/{item_id}/withdraw", response={200: PrivateUseOut, **STEP_ERRORS})
def withdraw_private_use(request, slug: str, item_id: int, payload: PrivateUseWithdrawIn):
    """Withdraw a request or a permission: the person who asked, or the one who decides it."""
    item = _use(request, school_for(request, slug), item_id)
    try:
        item = private_use.withdraw(request.user, item, reason=payload.reason)
    except private_use.InvalidRequest as e:
        return _invalid(e.errors)
    except private_use.WrongState as e:
        raise HttpError(409, str(e)) from None
    return _use_out(item, names=_names_for(request, item))


# --- the dashboard's figures ------------------------------------------------------------------


class RangeQuery(Schema):
    since: dt.date | None = None  # default: 29 days before `until`
    until: dt.date | None = None  # default: today (the school's local day)


class DayOut(Schema):
    day: dt.date
    total: int
    by_category: dict[str, int]  # the top categories of the range, and "other"


class CategoryOut(Schema):
    category: str  # "" for sites in no list
    description: str
    treatment: str
    requests: int
    blocked: int


class SiteOut(Schema):
    site: str
    category: str
    requests: int
    blocked: int


class PrivateShareOut(Schema):
    under_permission: int
    without_permission: int
    not_private: int


class PseudonymTotalOut(Schema):
    pseudonym: str
    requests: int
    blocked: int
    harmful: int
    private_under_permission: int
    private_without_permission: int


class DashboardOut(Schema):
    since: dt.date
    until: dt.date
    requests: int
    blocked: int
    allowed: int
    series: list[str]  # the categories the days are split by, in order ("other" last)
    days: list[DayOut]
    by_category: list[CategoryOut]
    top_sites: list[SiteOut]
    private_use: PrivateShareOut
    top_pseudonyms: list[PseudonymTotalOut]


class PseudonymOut(Schema):
    pseudonym: str
    since: dt.date
    until: dt.date
    requests: int
    blocked: int
    holds_permission: bool  # a private-use permission in force on some day of the range
    series: list[str]
    days: list[DayOut]
    by_category: list[CategoryOut]
    private_use: PrivateShareOut


def _span(q: RangeQuery) -> dashboard.Range:
    return dashboard.parse_range(q.since, q.until)


def _common(f: dashboard.Figures) -> dict:
    names = [c for c, _ in f.series]
    return {
        "since": f.range.since,
        "until": f.range.until,
        "requests": f.total,
        "blocked": f.blocked,
        "series": names,
        "days": [
            DayOut(day=d.day, total=d.total, by_category=dict(zip(names, d.values, strict=True)))
            for d in f.by_day
        ],
        "by_category": [
            CategoryOut(
                category=c.category,
                description=c.label,
                treatment=c.treatment,
                requests=c.requests,
                blocked=c.blocked,
            )
            for c in f.by_category
        ],
        "private_use": PrivateShareOut(
            under_permission=f.private.under,
            without_permission=f.private.without,
            not_private=f.private.other,
        ),
    }


@router.get(BASE + "/dashboard", response={200: DashboardOut, **ERRORS})
def internet_dashboard(request, slug: str, q: Query[RangeQuery]):
    """The dashboard's figures for a range of days (at most 366): pseudonyms and totals."""
    school = school_for(request, slug)
    try:
        span = _span(q)
    except dashboard.InvalidRange as e:
        return _invalid(e.errors)
    f = dashboard.figures(request.user, school, span)
    return DashboardOut(
        **_common(f),
        allowed=f.allowed,
        top_sites=[
            SiteOut(site=s.site, category=s.category, requests=s.requests, blocked=s.blocked)
            for s in f.sites
        ],
        top_pseudonyms=[
            PseudonymTotalOut(
                pseudonym=p.pseudonym,
                requests=p.requests,
                blocked=p.blocked,
                harmful=p.harmful,
                private_under_permission=p.private_under,
                private_without_permission=p.private_without,
            )
            for p in f.pseudonyms
        ],
    )


@router.get(BASE + "/pseudonyms/{pseudonym}", response={200: PseudonymOut, **ERRORS})
def internet_pseudonym(request, slug: str, pseudonym: str, q: Query[RangeQuery]):
    """One pseudonym's totals by category and by day: never a name, never a single request."""
    school = school_for(request, slug)
    try:
        span = _span(q)
    except dashboard.InvalidRange as e:
        return _invalid(e.errors)
    try:
        f = dashboard.of_pseudonym(request.user, school, pseudonym, span)
    except dashboard.UnknownPseudonym:
        raise HttpError(404, "no such pseudonym") from None
    return PseudonymOut(pseudonym=f.pseudonym, holds_permission=f.holds_permission, **_common(f))
