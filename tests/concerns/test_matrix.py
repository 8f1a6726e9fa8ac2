"""The generated matrix: every role, as raiser, subject, someone a case goes to, or anyone
else, against cases in every state, through every way of reading them (the list page, the
case page and its print page, search, the CSV export, the API's list and detail, the home
page's counts, the low-level register, the DPO's audit page and the emails). A subject never
learns of a case; the raiser sees only its receipt; those it goes to see it all.

The cases are made once per viewer through the real service (so routing is the rules'), then
each read path is asked for every case."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fairwatch.cases.rules import State
from fairwatch.concerns import services
from fairwatch.schools.models import Person
from fairwatch.web.context import SESSION_KEY
from tests.cast import PASSWORD

# Every read path goes through pages and API routes: left out of the PostgreSQL pass (`http`),
# where the service tests of tests/concerns/test_services.py run.
pytestmark = [pytest.mark.django_db, pytest.mark.http]

VIEWERS = ("head", "dsl", "dpo", "it", "teacher", "monitor", "hr", "chair", "org_admin", "outsider")
# Who a concern may be about: the holders of the roles routing turns on, a DPO (who reads
# the audit trail), a teacher, and the pairs routing turns on. (Every role as a subject, and
# every set of them, is in the rules' own matrix in tests/cases, which is pure and quick.)
SUBJECT_SETS = (
    ("head",),
    ("dsl",),
    ("dpo",),
    ("teacher",),
    ("chair",),
    ("head", "chair"),
    ("head", "dsl"),
)
STATES = (State.RAISED, State.ALLEGATION, State.LOW_LEVEL, State.CLOSED)
SURNAMES = {
    "head": "Hartley",
    "dsl": "Singh",
    "dpo": "Okafor",
    "it": "Turner",
    "teacher": "Wren",
    "monitor": "Mills",
    "hr": "Ramsay",
    "chair": "Bell",
}


def surnames_of(names):
    return {SURNAMES[n] for n in names}


def _handler(cast, case):
    """Someone the case goes to, to take its steps."""
    routing = services.routing_of(case)
    assert routing is not None
    users = {u.pk: u for u in (getattr(cast, n) for n in VIEWERS)}
    return users[routing.to[0]]


def _to_state(cast, case, state):
    if state is State.RAISED:
        return
    by = _handler(cast, case)
    services.triage(by, case, "low_level" if state is State.LOW_LEVEL else "allegation")
    if state is not State.CLOSED:
        return
    services.record_hr(by, case, adviser="EducationHR", consulted_at=timezone.now(), advice="Ok.")
    if case.pupil_involved:
        services.record_lado(by, case, referred=False, reason="Below the threshold.")
    services.record_outcome(by, case, outcome="no_further_action", reason="Nothing more.")


def _make_cases(cast, capture):
    """One case for every set of subjects × state, a pupil involved in half of each set's
    (and of each state's); returns them with the names of their subjects and their raiser."""
    made = []
    with capture(execute=True):
        for n, ((i, names), (j, state)) in enumerate(
            itertools.product(enumerate(SUBJECT_SETS), enumerate(STATES))
        ):
            pupil = (i + j) % 2 == 1
            raiser = "teacher" if "teacher" not in names else "monitor"
            case = services.raise_concern(
                getattr(cast, raiser),
                cast.school,
                kind="social_media",
                what=f"Matrix case marker zq{n:03d}x about a post.",
                happened_on=dt.date(2026, 11, 2),
                subjects=[Person.objects.get(user=getattr(cast, s)).pk for s in names],
                pupil_involved=pupil,
                now=timezone.now() - dt.timedelta(days=10),  # every LADO clock is overdue
            )
            _to_state(cast, case, state)
            case.refresh_from_db()
            assert case.state == state
            made.append((case, f"zq{n:03d}x", set(names), raiser))
    return made


def _client(user) -> Client:
    """Signed in, working at Oak (the trust's administrator has Elm too)."""
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)
    session = client.session
    session[SESSION_KEY] = "oak"
    session.save()
    return client


def _relation(viewer, cast, case, names, raiser):
    if viewer in names:
        return "subject"
    routing = services.routing_of(case)
    if routing and getattr(cast, viewer).pk in routing.to:
        return "router"
    if viewer == raiser:
        return "raiser"
    return "other"


@pytest.fixture
def made(cast, django_capture_on_commit_callbacks):
    return _make_cases(cast, django_capture_on_commit_callbacks)


def test_every_read_path_shows_a_case_to_those_it_goes_to_and_never_to_its_subject(cast, made):
    """One build of every case, then every viewer through every path (one test, so the
    cases are made once)."""
    for viewer in VIEWERS:
        _check_viewer(viewer, cast, made)


def _check_viewer(viewer, cast, made):
    user = getattr(cast, viewer)
    client = _client(user)

    def text(url, **params):
        response = client.get(url, params)
        return response.status_code, response.content.decode()

    def pages(url, **params):
        """Every page of a paginated list, one after the other."""
        bodies, n = [], 1
        while True:
            bodies.append(text(url, page=n, **params)[1])
            if f"page={n + 1}" not in bodies[-1]:
                return "".join(bodies)
            n += 1

    def api_list(**params):
        status, body = text("/api/v1/concerns", school="oak", state="all", **params)
        if status != 200:
            return set(), set()
        data = json.loads(body)
        return {c["ref"] for c in data["cases"]}, {r["ref"] for r in data["raised"]}

    listed = {
        "page": pages(reverse("concerns"), state="all"),
        "export": text(reverse("cases_export"), state="all")[1],
    }
    api_cases, api_raised = api_list()
    searches = {
        surname: (pages(reverse("concerns"), state="all", q=surname), api_list(q=surname)[0])
        for surname in SURNAMES.values()
    }
    home = text(reverse("home"))[1]
    receipts = text(reverse("concern_receipts"))[1]
    register_status, register = text(reverse("low_level_register"))
    relations = {"subject": 0, "router": 0, "raiser": 0, "other": 0}
    handled_open, handled_overdue = 0, 0
    for case, marker, names, raiser in made:
        relation = _relation(viewer, cast, case, names, raiser)
        relations[relation] += 1
        sees_case = relation == "router"
        where = f"{viewer} ({relation}) on {case.ref} {sorted(names)} {case.state}"
        if sees_case and case.state != State.CLOSED:
            handled_open += 1
            handled_overdue += case.pupil_involved  # raised ten days ago, none decided
        for path, body in listed.items():
            assert (case.ref in body) is sees_case, f"{path}: {where}"
            assert (marker in body) is sees_case, f"{path} text: {where}"
        # Search (the words typed are shown back in the box, so look for the ref): by a
        # subject's name, never finding a case about the one searching.
        for surname, (page_found, api_found) in searches.items():
            hit = sees_case and surname in surnames_of(names)
            assert (case.ref in page_found) is hit, f"page search {surname}: {where}"
            assert (case.ref in api_found) is hit, f"api search {surname}: {where}"
        assert (case.ref in api_cases) is sees_case, f"api list: {where}"
        detail = {
            "page": text(reverse("case_detail", args=[case.ref]))[0],
            "print": text(reverse("case_print", args=[case.ref]))[0],
        }
        api_status, api_body = text(f"/api/v1/concerns/{case.ref}", school="oak")
        detail["api"] = api_status
        if relation != "raiser":
            for path, status in detail.items():
                assert status == (200 if sees_case else 404), f"{path}: {where}"
        receipt_status, receipt = text(reverse("concern_receipt", args=[case.ref]))
        if relation == "raiser":
            assert receipt_status == 200 and case.ref in receipts, where
            assert ("Closed" if case.state == State.CLOSED else "Open") in receipt, where
            assert marker not in receipt, where
            assert case.ref in api_raised, where
            assert api_status == 200 and marker not in api_body, where  # the receipt only
            assert json.loads(api_body)["view"] == "receipt", where
            assert detail["print"] == 404, where
        else:
            assert receipt_status == 404, where
            assert case.ref not in receipts and case.ref not in api_raised, where
        if relation == "subject":
            assert case.ref not in register, where
            for message in mail.outbox:  # no email about a case goes to its subject
                if case.ref in message.body:
                    assert user.email not in message.to, where
        if case.triaged_as == State.LOW_LEVEL and relation != "subject":
            may = viewer in ("head", "dsl")
            assert (register_status == 200 and marker in register) is may, f"register: {where}"
    assert register_status == (200 if viewer in ("head", "dsl") else 403), viewer
    # The home page's numbers are of the viewer's own cases, never one about them.
    assert services.waiting_count(cast.school, user) == handled_open, viewer
    assert services.overdue_count(cast.school, user) == handled_overdue, viewer
    if handled_overdue:
        assert f"Overdue: {handled_overdue} LADO decision" in home, viewer
    else:
        assert "Overdue:" not in home, viewer
    for message in mail.outbox:  # a link, never what happened
        assert "zq" not in message.body and "Matrix" not in message.subject
    # The matrix reaches each relation it means to: the Head handles most, the Chair the
    # Head's, the DSL those with a pupil, the org admin the Head-and-Chair ones; the teacher
    # raised most; each subject is one.
    if viewer in ("head", "chair", "dsl", "org_admin"):
        assert relations["router"] > 0, viewer
    if viewer in ("teacher", "monitor"):
        assert relations["raiser"] > 0, viewer
    if viewer in {n for names in SUBJECT_SETS for n in names}:
        assert relations["subject"] > 0, viewer


def test_the_dpos_audit_page_hides_the_entries_of_a_case_about_them(cast, made):
    client = _client(cast.dpo)
    pages = []
    page = 1
    while True:
        response = client.get(reverse("audit"), {"page": page})
        pages.append(response.content.decode())
        if f"page={page + 1}" not in pages[-1]:
            break
        page += 1
    trail = "".join(pages)
    for case, _, names, _ in made:
        assert (case.ref in trail) is ("dpo" not in names), (case.ref, names)


def test_the_api_list_is_json_of_only_the_callers_cases(cast, made):
    client = _client(cast.chair)
    body = client.get("/api/v1/concerns", {"school": "oak", "state": "all"}).json()
    text = json.dumps(body)
    expected = {
        c.ref
        for c, _, names, raiser in made
        if _relation("chair", cast, c, names, raiser) == "router"
    }
    assert expected and all(ref in text for ref in expected)
    others = {c.ref for c, *_ in made} - expected
    assert not any(ref in text for ref in others)
