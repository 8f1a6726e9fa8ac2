"""The monitoring page every member of staff reads (3.2), the recorded basis for monitoring
e-safety monitors' accounts (7.2.1), and each school's privacy settings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.audit.models import AuditEntry
from fairwatch.monitoring import transparency
from fairwatch.monitoring.models import ActivityEvent, Exercise, SystematicBasis
from fairwatch.monitoring.school_settings import settings_for
from fairwatch.roles import Role
from fairwatch.schools.models import Person, RoleAssignment, SchoolDomain
from fairwatch.schools.services import issue_token
from tests.cast import add_person

API = "/api/v1"
CAST_ROLES = ["head", "dsl", "dpo", "it", "teacher", "monitor", "hr", "chair", "org_admin"]
MANAGERS = {"head", "dpo"}  # who records the basis and changes the settings
# Names that must never appear in the notice: the exercise's subject (the teacher), the
# e-safety monitor, and the Headteacher who records the basis (shown by role only).
HIDDEN = ["Thomas", "Wren", "teacher@oak.example", "Esther", "Mills", "monitor@oak.example"]
HIDDEN_RECORDER = ["Alice", "Hartley", "head@oak.example"]
REASON = "E-safety monitors look at harmful material in their work."
LEGAL = "UK GDPR article 6(1)(f), legitimate interests; assessment kept by the DPO."


def person(cast, user) -> Person:
    return Person.objects.get(school=cast.school, user=user)


def bearer(user) -> dict[str, str]:
    _, secret = issue_token(user, "tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def sign_in(client, user, school: str = "oak") -> None:
    """Sign in and work at `school` (the trust's administrator is at both schools)."""
    client.force_login(user)
    client.post("/school/", {"school": school})


def kind(notice, key: str):
    return next(k for k in notice.kinds if k.key == key)


def active_exercise(cast, subject_user=None) -> Exercise:
    now = timezone.now()
    return Exercise.objects.create(
        school=cast.school,
        requester=person(cast, cast.dsl),
        subject=person(cast, subject_user or cast.teacher),
        state="approved",
        start=now - dt.timedelta(days=1),
        end=now + dt.timedelta(days=5),
    )


def elm_user(cast, django_user_model):
    user = django_user_model.objects.create_user("staff@elm.example")
    add_person(
        cast.other_school,
        Person.Kind.STAFF,
        "E1",
        "Eleanor",
        "Ash",
        roles=[Role.STAFF],
        email="staff@elm.example",
        user=user,
    )
    return user


# --------------------------------------------------------------------------- who can read it


def test_every_role_at_oak_can_read_the_monitoring_page(client, cast):
    for who in CAST_ROLES:
        sign_in(client, getattr(cast, who))

        response = client.get("/monitoring/")

        assert response.status_code == 200, who
        html = response.content.decode()
        assert "Monitoring at Oak Primary" in html, who
        for title in ("Email checks", "Internet use logs", "Monitoring exercises", "Your rights"):
            assert title in html, who


def test_someone_with_no_school_gets_the_no_school_page(client, cast):
    client.force_login(cast.outsider)

    response = client.get("/monitoring/")

    assert response.status_code == 403
    assert "Oak Primary" not in response.content.decode()


def test_the_page_needs_a_sign_in(client, cast):
    response = client.get("/monitoring/")

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_staff_at_another_school_see_their_own_school_and_not_oaks(client, cast, django_user_model):
    user = elm_user(cast, django_user_model)
    transparency.record_basis(cast.head, cast.school, reason=REASON, legal_basis=LEGAL)
    client.force_login(user)

    html = client.get("/monitoring/").content.decode()
    api = client.get(f"{API}/schools/oak/transparency", **bearer(user))

    assert "Monitoring at Elm Primary" in html
    assert "Oak Primary" not in html and REASON not in html
    assert api.status_code == 404


def test_outsiders_get_no_notice_from_the_api(client, cast):
    response = client.get(f"{API}/schools/oak/transparency", **bearer(cast.outsider))
    assert response.status_code == 404


# ------------------------------------------------------------------------- what it says


def test_the_notice_never_names_exercise_subjects_or_e_safety_monitors(client, cast):
    active_exercise(cast)
    transparency.record_basis(cast.head, cast.school, reason=REASON, legal_basis=LEGAL)
    client.force_login(cast.chair)

    notice = transparency.notice(cast.school)
    html = client.get("/monitoring/").content.decode()
    data = client.get(f"{API}/schools/oak/transparency").content.decode()

    for text in (json.dumps(dataclasses.asdict(notice), default=str), html, data):
        for name in HIDDEN + HIDDEN_RECORDER:
            assert name not in text
    assert kind(notice, "exercises").ended_last_year == 0  # a running one is never counted
    assert kind(notice, "systematic").monitored_accounts == 1
    assert "No monitoring exercises ended in the last twelve months." in html
    assert "1 account holds the e-safety monitor role." in html
    assert "by the Headteacher" in html and REASON in html and LEGAL in html


def test_who_to_ask_is_the_dpo_from_the_roster(cast):
    contact = transparency.notice(cast.school).contact

    assert (contact.name, contact.email) == ("Peter Okafor", "dpo@oak.example")
    assert contact.role == "Data protection officer"


def test_the_schools_own_privacy_contact_replaces_the_dpo(client, cast):
    transparency.update_settings(
        cast.dpo, cast.school, privacy_contact="The school business manager: sbm@oak.example"
    )
    client.force_login(cast.teacher)

    html = client.get("/monitoring/").content.decode()

    assert transparency.notice(cast.school).contact.name == ""
    assert 'href="mailto:sbm@oak.example"' in html
    assert "Peter Okafor" not in html


def test_with_no_dpo_on_the_roster_the_page_says_so(client, cast):
    RoleAssignment.objects.filter(role=Role.DPO).update(ended_at=timezone.now())
    client.force_login(cast.teacher)

    html = client.get("/monitoring/").content.decode()

    assert "has not named its data protection officer" in html


def test_only_exercises_that_have_ended_are_counted_never_a_running_one(cast):
    now = timezone.now()
    running = active_exercise(cast)
    Exercise.objects.create(
        school=cast.school,
        requester=person(cast, cast.dsl),
        subject=person(cast, cast.hr),
        state="closed",
        start=now - dt.timedelta(days=40),
        end=now - dt.timedelta(days=10),
        closed_at=now - dt.timedelta(days=10),
    )
    Exercise.objects.create(
        school=cast.school,
        requester=person(cast, cast.dsl),
        subject=person(cast, cast.it),
        state="purged",
        closed_at=now - dt.timedelta(days=400),
    )  # more than a year ago

    def ended(at: dt.datetime) -> int | None:
        return kind(transparency.notice(cast.school, at), "exercises").ended_last_year

    assert ended(now) == 1
    Exercise.objects.filter(pk=running.pk).update(state="closed", closed_at=now)
    assert ended(now) == 2  # once it has ended, and only then


def test_each_kind_cites_its_clauses_and_links_to_the_policy(client, cast):
    client.force_login(cast.teacher)
    notice = transparency.notice(cast.school)

    html = client.get("/monitoring/").content.decode()

    assert [c.id for c in kind(notice, "email").clauses][0] == "4"
    assert [c.id for c in kind(notice, "internet").clauses] == ["3.1", "3.2", "3.3"]
    assert [c.id for c in kind(notice, "exercises").clauses] == ["7.1", "7.2", "7.3"]
    assert [c.id for c in kind(notice, "systematic").clauses] == ["7.2.1"]
    for anchor in ("clause-3-2", "clause-7-1", "clause-7-2-1", "clause-4"):
        assert f'href="/policy/#{anchor}"' in html
    assert 'href="/my-data/' in html
    assert "Your rights" in html


def test_retention_and_exercise_length_come_from_the_schools_settings(cast):
    transparency.update_settings(
        cast.dpo,
        cast.school,
        activity_retention_days=60,
        extract_retention_days=120,
        default_days=14,
        max_days=21,
    )

    notice = transparency.notice(cast.school)

    assert "60 days" in kind(notice, "email").kept_for
    assert "60 days" in kind(notice, "internet").kept_for
    assert "120 days" in kind(notice, "exercises").kept_for
    assert any(
        "14 days as a rule and 21 days at most" in line
        for line in kind(notice, "exercises").how_it_works
    )


def test_legal_bases_are_uk_gdpr_article_6(cast):
    notice = transparency.notice(cast.school)

    assert "6(1)(f)" in kind(notice, "email").legal_basis
    assert "6(1)(f)" in kind(notice, "internet").legal_basis
    assert "6(1)(e)" in kind(notice, "internet").legal_basis
    assert "article 8" in kind(notice, "exercises").legal_basis


def test_email_checks_are_in_force_only_with_a_mail_domain(cast):
    assert kind(transparency.notice(cast.school), "email").in_force
    SchoolDomain.objects.filter(school=cast.school).delete()

    email = kind(transparency.notice(cast.school), "email")

    assert not email.in_force and "No mail domain" in email.status


def test_internet_logs_are_in_force_once_the_school_sends_them(cast):
    assert not kind(transparency.notice(cast.school), "internet").in_force
    ActivityEvent.objects.create(
        school=cast.school,
        pseudonym="p-1",
        system="internet",
        occurred_at=timezone.now(),
        summary="example.org",
    )

    assert kind(transparency.notice(cast.school), "internet").in_force
    assert not kind(transparency.notice(cast.other_school), "internet").in_force


def test_pseudonyms_are_seen_by_the_head_dsl_dpo_and_it_manager(cast):
    notice = transparency.notice(cast.school)

    assert set(notice.pseudonym_viewers) == {
        Role.HEADTEACHER.label,
        Role.DSL.label,
        Role.DPO.label,
        Role.IT_MANAGER.label,
    }
    assert "Names only inside an approved" in kind(notice, "email").seen_by[1]


# ------------------------------------------------------------------- the systematic basis


def test_systematic_monitoring_is_not_in_force_without_a_basis(client, cast):
    client.force_login(cast.monitor)

    systematic = kind(transparency.notice(cast.school), "systematic")
    html = client.get("/monitoring/").content.decode()

    assert transparency.systematic_in_force(cast.school) is None
    assert not systematic.in_force and systematic.basis is None
    assert "no account is monitored continuously" in html


def test_recording_a_basis_replaces_the_one_in_force_and_is_audited(cast):
    first = transparency.record_basis(cast.head, cast.school, reason=REASON, legal_basis=LEGAL)
    second = transparency.record_basis(
        cast.dpo, cast.school, reason="A clearer reason.", legal_basis="Article 6(1)(e)."
    )

    first.refresh_from_db()
    assert first.ended_at is not None and second.ended_at is None
    assert transparency.systematic_in_force(cast.school) == second
    assert first.recorded_by == person(cast, cast.head)
    summary = kind(transparency.notice(cast.school), "systematic").basis
    assert summary.reason == "A clearer reason."
    assert summary.recorded_by_role == Role.DPO.label
    done = AuditEntry.objects.filter(action="monitoring.basis", outcome="done")
    steps = [(e.object_id, e.detail["step"], e.role, e.clause) for e in done]
    assert steps == [
        (str(first.pk), "recorded", "headteacher", "7.2.1"),
        (str(first.pk), "replaced", "dpo", "7.2.1"),
        (str(second.pk), "recorded", "dpo", "7.2.1"),
    ]


def test_another_schools_basis_does_not_count_at_oak(cast, django_user_model):
    user = elm_user(cast, django_user_model)
    elm_head = Person.objects.get(user=user)
    SystematicBasis.objects.create(
        school=cast.other_school, reason="x", legal_basis="y", recorded_by=elm_head
    )

    assert transparency.systematic_in_force(cast.school) is None


def test_a_basis_recorded_outside_fairwatchs_forms_still_shows_its_recorders_role(cast):
    SystematicBasis.objects.create(
        school=cast.school, reason=REASON, legal_basis=LEGAL, recorded_by=person(cast, cast.dpo)
    )

    basis = kind(transparency.notice(cast.school), "systematic").basis

    assert basis.recorded_by_role == Role.DPO.label


def test_withdrawing_ends_the_basis_and_the_page_says_it_is_not_in_force(cast):
    basis = transparency.record_basis(cast.head, cast.school, reason=REASON, legal_basis=LEGAL)

    transparency.withdraw_basis(cast.dpo, cast.school, "The role is no longer used.")

    basis.refresh_from_db()
    assert basis.ended_at is not None
    assert transparency.systematic_in_force(cast.school) is None
    assert not kind(transparency.notice(cast.school), "systematic").in_force
    entry = AuditEntry.objects.get(action="monitoring.basis", detail__step="withdrawn")
    assert entry.detail["why"] == "The role is no longer used." and entry.role == "dpo"
    [record] = transparency.basis_history(cast.head, cast.school)
    assert record.ended_how == "withdrawn" and record.ended_by_role == Role.DPO.label


def test_withdrawing_with_nothing_in_force_says_so(cast):
    with pytest.raises(transparency.NothingInForce):
        transparency.withdraw_basis(cast.head, cast.school, "Tidying up.")


@pytest.mark.parametrize(
    ("reason", "legal", "fields"),
    [
        ("", LEGAL, {"reason"}),
        (REASON, "   ", {"legal_basis"}),
        ("", "", {"reason", "legal_basis"}),
        ("x" * 4001, LEGAL, {"reason"}),
    ],
)
def test_a_basis_needs_a_reason_and_a_legal_basis(cast, reason, legal, fields):
    with pytest.raises(transparency.Invalid) as bad:
        transparency.record_basis(cast.head, cast.school, reason=reason, legal_basis=legal)

    assert set(bad.value.errors) == fields
    assert not SystematicBasis.objects.exists()


# ------------------------------------------------------------------------- the settings


@pytest.mark.parametrize(
    ("fields", "wrong"),
    [
        ({"default_days": 0}, "default_days"),
        ({"max_days": 91}, "max_days"),
        ({"default_days": 40, "max_days": 30}, "default_days"),
        ({"max_days": 10}, "default_days"),  # the usual 30 days would exceed it
        ({"extract_retention_days": 731}, "extract_retention_days"),
        ({"activity_retention_days": 0}, "activity_retention_days"),
        ({"access_download_days": 91}, "access_download_days"),
        ({"access_download_days": "30"}, "access_download_days"),
        ({"max_days": True}, "max_days"),
        ({"privacy_contact": "x" * 1001}, "privacy_contact"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_settings_out_of_bounds_are_refused_and_nothing_is_saved(cast, fields, wrong):
    with pytest.raises(transparency.Invalid) as bad:
        transparency.update_settings(cast.dpo, cast.school, **fields)

    assert wrong in bad.value.errors
    assert transparency.settings_values(settings_for(cast.school)) == {
        "default_days": 30,
        "max_days": 30,
        "extract_retention_days": 90,
        "activity_retention_days": 90,
        "access_download_days": 30,
        "low_level_months": 12,
        "privacy_contact": "",
    }
    assert not AuditEntry.objects.filter(action="privacy.settings", outcome="done").exists()


def test_settings_at_their_limits_are_saved_and_audited_old_to_new(cast):
    transparency.update_settings(
        cast.head,
        cast.school,
        default_days=90,
        max_days=90,
        extract_retention_days=730,
        activity_retention_days=1,
        access_download_days=1,
        privacy_contact="Ask Peter Okafor",
    )

    prefs = settings_for(cast.school)
    assert (prefs.default_days, prefs.max_days, prefs.extract_retention_days) == (90, 90, 730)
    entry = AuditEntry.objects.get(action="privacy.settings", outcome="done")
    assert entry.detail["changes"] == {
        "default_days": [30, 90],
        "max_days": [30, 90],
        "extract_retention_days": [90, 730],
        "activity_retention_days": [90, 1],
        "access_download_days": [30, 1],
        "privacy_contact": "changed",  # the text may name someone: not copied to the trail
    }
    assert entry.role == "headteacher" and entry.school == cast.school


# --------------------------------------------------------------- permissions, role by role


def test_only_the_head_and_the_dpo_record_the_basis_or_change_the_settings(cast):
    for who in CAST_ROLES:
        user = getattr(cast, who)
        if who in MANAGERS:
            transparency.record_basis(user, cast.school, reason=REASON, legal_basis=LEGAL)
            transparency.update_settings(user, cast.school, max_days=45)
            transparency.withdraw_basis(user, cast.school, "Not needed.")
            assert settings_for(cast.school).max_days == 45
            continue
        bases = SystematicBasis.objects.count()
        for step, kwargs in (
            (transparency.record_basis, {"reason": REASON, "legal_basis": LEGAL}),
            (transparency.withdraw_basis, {"reason": "Not needed."}),
            (transparency.update_settings, {"max_days": 60}),
            (transparency.read_settings, {}),
            (transparency.basis_history, {}),
        ):
            with pytest.raises(gate.Refused):
                step(user, cast.school, **kwargs)
        assert SystematicBasis.objects.count() == bases, who
        assert settings_for(cast.school).max_days != 60, who
        refused = AuditEntry.objects.filter(outcome="refused", actor=user)
        assert [e.action for e in refused] == ["monitoring.basis"] * 2 + [
            "privacy.settings"
        ] * 2 + ["monitoring.basis"], who


def test_the_basis_and_settings_pages_are_for_the_head_and_the_dpo(client, cast):
    for who in CAST_ROLES:
        sign_in(client, getattr(cast, who))
        expected = 200 if who in MANAGERS else 403

        assert client.get("/monitoring/basis/").status_code == expected, who
        assert client.get("/monitoring/settings/").status_code == expected, who
        assert client.post("/monitoring/settings/", {"max_days": "x"}).status_code == expected
        links = client.get("/monitoring/").content.decode()
        assert ('href="/monitoring/settings/"' in links) == (who in MANAGERS), who


def test_the_settings_and_basis_api_follow_the_same_rule(client, cast):
    for who in CAST_ROLES:
        auth = bearer(getattr(cast, who))
        expected = 200 if who in MANAGERS else 403

        assert client.get(f"{API}/schools/oak/privacy-settings", **auth).status_code == expected
        assert client.get(f"{API}/schools/oak/systematic-basis", **auth).status_code == expected
        put = client.put(
            f"{API}/schools/oak/privacy-settings",
            {"max_days": 40},
            content_type="application/json",
            **auth,
        )
        assert put.status_code == expected, who
        post = client.post(
            f"{API}/schools/oak/systematic-basis",
            {"reason": REASON, "legal_basis": LEGAL},
            content_type="application/json",
            **auth,
        )
        assert post.status_code == (201 if who in MANAGERS else 403), who
        assert client.get(f"{API}/schools/oak/transparency", **auth).status_code == 200, who
    assert SystematicBasis.objects.count() == 2  # one each by the Headteacher and the DPO


# ------------------------------------------------------------------------------ the pages


def test_the_settings_form_shows_each_error_by_its_field(client, cast):
    client.force_login(cast.dpo)

    response = client.post(
        "/monitoring/settings/",
        {
            "default_days": "45",
            "max_days": "30",
            "activity_retention_days": "0",
            "extract_retention_days": "90",
            "access_download_days": "",
            "privacy_contact": "",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary" role="alert"' in html
    assert 'href="#id_default_days"' in html and 'href="#id_access_download_days"' in html
    assert "cannot be longer than the longest an exercise may last (30 days)" in html
    assert "Enter a whole number of days from 1 to 730 for keeping pseudonymised activity." in html
    assert 'id="id_default_days-error"' in html
    assert 'aria-describedby="id_default_days-hint id_default_days-error"' in html
    assert 'aria-invalid="true"' in html
    assert settings_for(cast.school).default_days == 30


def test_the_settings_form_saves_and_says_so(client, cast):
    client.force_login(cast.head)
    form = client.get("/monitoring/settings/").content.decode()
    assert 'name="max_days"' in form and 'value="30"' in form
    assert '<label for="id_privacy_contact">' in form

    response = client.post(
        "/monitoring/settings/",
        {
            "default_days": "20",
            "max_days": "28",
            "activity_retention_days": "60",
            "extract_retention_days": "90",
            "access_download_days": "30",
            "low_level_months": "12",
            "privacy_contact": "",
        },
        follow=True,
    )

    assert "The privacy settings are saved." in response.content.decode()
    assert (settings_for(cast.school).default_days, settings_for(cast.school).max_days) == (20, 28)


def test_the_basis_page_records_replaces_and_withdraws(client, cast):
    client.force_login(cast.dpo)

    empty = client.post("/monitoring/basis/", {"step": "record", "record-reason": ""})
    assert 'href="#id_record-reason"' in empty.content.decode()
    assert not SystematicBasis.objects.exists()

    client.post(
        "/monitoring/basis/",
        {"step": "record", "record-reason": REASON, "record-legal_basis": LEGAL},
    )
    page = client.post(
        "/monitoring/basis/",
        {"step": "record", "record-reason": "Newer.", "record-legal_basis": LEGAL},
        follow=True,
    ).content.decode()
    assert "Replace the basis" in page and "replaced" in page and "Peter Okafor" in page
    assert SystematicBasis.objects.filter(ended_at__isnull=True).get().reason == "Newer."

    withdrawn = client.post(
        "/monitoring/basis/",
        {"step": "withdraw", "withdraw-reason": "Role retired."},
        follow=True,
    ).content.decode()
    assert "The basis is withdrawn." in withdrawn
    assert "withdrawn by the Data protection officer (Role retired.)" in withdrawn
    assert transparency.systematic_in_force(cast.school) is None


# -------------------------------------------------------------------------------- the API


def test_the_api_gives_the_notice_as_json(client, cast):
    transparency.record_basis(cast.head, cast.school, reason=REASON, legal_basis=LEGAL)

    data = client.get(f"{API}/schools/oak/transparency", **bearer(cast.teacher)).json()

    assert data["school"] == "Oak Primary"
    assert [k["key"] for k in data["kinds"]] == ["email", "internet", "exercises", "systematic"]
    systematic = data["kinds"][3]
    assert systematic["in_force"] and systematic["monitored_accounts"] == 1
    assert systematic["basis"]["recorded_by_role"] == "Headteacher"
    assert data["contact"]["email"] == "dpo@oak.example"
    assert data["activity_retention_days"] == 90


def test_the_settings_api_reads_changes_and_refuses_bad_values(client, cast):
    auth = bearer(cast.dpo)
    url = f"{API}/schools/oak/privacy-settings"

    assert client.get(url, **auth).json()["max_days"] == 30
    ok = client.put(url, {"max_days": 60}, content_type="application/json", **auth)
    bad = client.put(
        url, {"default_days": 70, "max_days": 60}, content_type="application/json", **auth
    )

    assert ok.status_code == 200 and ok.json()["max_days"] == 60
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"default_days"}
    assert settings_for(cast.school).default_days == 30
    assert client.get(f"{API}/schools/elm/privacy-settings", **auth).status_code == 404
    kept = client.put(url, {"low_level_months": 24}, content_type="application/json", **auth)
    too_long = client.put(url, {"low_level_months": 121}, content_type="application/json", **auth)
    assert kept.status_code == 200 and kept.json()["low_level_months"] == 24
    assert too_long.status_code == 422 and set(too_long.json()["errors"]) == {"low_level_months"}


def test_the_basis_api_records_lists_and_withdraws(client, cast):
    auth = bearer(cast.head)
    url = f"{API}/schools/oak/systematic-basis"

    made = client.post(
        url, {"reason": REASON, "legal_basis": LEGAL}, content_type="application/json", **auth
    )
    missing = client.post(
        url, {"reason": "", "legal_basis": LEGAL}, content_type="application/json", **auth
    )
    listed = client.get(url, **auth).json()
    withdrawn = client.post(
        f"{url}/withdraw", {"reason": "Not needed."}, content_type="application/json", **auth
    )
    again = client.post(
        f"{url}/withdraw", {"reason": "Not needed."}, content_type="application/json", **auth
    )

    assert made.status_code == 201 and made.json()["recorded_by_role"] == "Headteacher"
    assert missing.status_code == 422 and "reason" in missing.json()["errors"]
    assert listed["in_force"]["reason"] == REASON and listed["monitored_accounts"] == 1
    assert withdrawn.status_code == 200 and withdrawn.json()["ended_how"] == "withdrawn"
    assert again.status_code == 409


def test_the_openapi_schema_lists_the_transparency_paths(client, db):
    paths = client.get(f"{API}/openapi.json").json()["paths"]

    for path in (
        "/schools/{slug}/transparency",
        "/schools/{slug}/privacy-settings",
        "/schools/{slug}/systematic-basis",
        "/schools/{slug}/systematic-basis/withdraw",
    ):
        assert f"{API}{path}" in paths
