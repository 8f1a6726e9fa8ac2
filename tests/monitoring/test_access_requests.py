"""Subject access requests: staff ask for their own data, the DPO releases it or withholds it
under an exemption, and only the person who asked downloads the ZIP, until it expires."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.audit.models import AuditEntry
from fairwatch.monitoring import access
from fairwatch.monitoring.models import AccessRequest, ActivityEvent, Breach, Exercise
from fairwatch.monitoring.pseudonyms import pseudonym_of
from fairwatch.monitoring.school_settings import settings_for
from fairwatch.schools.models import Person
from fairwatch.schools.services import issue_token

API = "/api/v1/schools/oak/access-requests"
FILES = {
    "README.txt",
    "data.json",
    "person.csv",
    "roles.csv",
    "audit_by_you.csv",
    "activity.csv",
    "breaches_reported.csv",
    "exercises.csv",
    "access_requests.csv",
}
# Everyone on Oak's roster with a role may ask; the trust's administrator and a stranger may not.
MAY_ASK = ("head", "dsl", "dpo", "it", "teacher", "monitor", "hr", "chair")
MAY_NOT_ASK = ("org_admin", "outsider")
EVERYONE = MAY_ASK + MAY_NOT_ASK


def person(cast, user) -> Person:
    return Person.objects.get(school=cast.school, user=user)


def zip_of(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def rows(zf: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(zf.read(name).decode("utf-8"))))


def all_text(zf: zipfile.ZipFile) -> str:
    return "\n".join(zf.read(name).decode("utf-8") for name in zf.namelist())


def exercise(cast, subject_user, state: str, purpose: str = "Check for misuse of email"):
    return Exercise.objects.create(
        school=cast.school,
        requester=person(cast, cast.dsl),
        subject=person(cast, subject_user),
        state=state,
        assessment={
            "purpose": purpose,
            "systems": ["email", "internet"],
            "viewers": [person(cast, cast.dsl).pk],
            "window_start": "2026-01-05",
            "window_end": "2026-01-30",
        },
        start=timezone.now() - dt.timedelta(days=40),
        end=timezone.now() - dt.timedelta(days=20),
    )


def released(cast, user=None, **kwargs) -> AccessRequest:
    req = access.request(user or cast.teacher, cast.school)
    return access.release(cast.dpo, req, **kwargs)


def bearer(user) -> dict[str, str]:
    _, secret = issue_token(user, "tests")
    return {"Authorization": f"Bearer {secret}"}


# --------------------------------------------------------------------------- asking


def test_a_member_of_staff_asks_and_it_is_on_the_audit_trail(cast):
    req = access.request(cast.teacher, cast.school, note="  My web activity since January ")

    assert req.person == person(cast, cast.teacher)
    assert req.state == AccessRequest.State.PENDING
    assert req.note == "My web activity since January"
    assert req.respond_by == req.requested_at + dt.timedelta(days=30)
    outcomes = set(
        AuditEntry.objects.filter(action="access.request", actor=cast.teacher).values_list(
            "outcome", flat=True
        )
    )
    assert outcomes == {"allowed", "done"}
    done = AuditEntry.objects.get(action="access.request", outcome="done")
    assert done.object_id == str(req.pk) and done.purpose == gate.Purpose.DATA_PROTECTION


def test_only_one_request_waits_at_a_time(cast):
    access.request(cast.teacher, cast.school)

    with pytest.raises(access.Unavailable, match="already have a request waiting"):
        access.request(cast.teacher, cast.school)
    assert AccessRequest.objects.count() == 1


def test_everyone_on_the_roster_may_ask_and_nobody_else(cast):
    for name in MAY_ASK:
        user = getattr(cast, name)
        req = access.request(user, cast.school)
        assert req.person.user == user, name
    for name in MAY_NOT_ASK:
        user = getattr(cast, name)
        with pytest.raises(gate.Refused):
            access.request(user, cast.school)
        assert AuditEntry.objects.filter(
            action="access.request", outcome="refused", actor=user
        ).exists(), name
    assert AccessRequest.objects.count() == len(MAY_ASK)


def test_a_note_too_long_is_refused_in_plain_words(cast):
    with pytest.raises(access.Invalid, match="keep it to 2000 characters"):
        access.request(cast.teacher, cast.school, note="x" * 2001)


def test_people_see_only_their_own_requests_and_the_read_is_recorded(cast):
    mine = access.request(cast.teacher, cast.school)
    access.request(cast.dsl, cast.school)

    assert access.mine(cast.teacher, cast.school) == [mine]
    read = AuditEntry.objects.filter(action="access.mine", actor=cast.teacher).get()
    assert read.outcome == "allowed" and read.purpose == gate.Purpose.DATA_PROTECTION
    with pytest.raises(gate.Refused):
        access.mine(cast.org_admin, cast.school)


# --------------------------------------------------------------------------- the DPO's view


def test_only_the_dpo_sees_every_request_and_decides(cast):
    req = access.request(cast.teacher, cast.school)

    for name in EVERYONE:
        user = getattr(cast, name)
        if name == "dpo":
            assert [x.request for x in access.pending(user, cast.school)] == [req]
            assert [x.request for x in access.all_requests(user, cast.school)] == [req]
            continue
        for look in (access.pending, access.all_requests):
            with pytest.raises(gate.Refused):
                look(user, cast.school)
        with pytest.raises(gate.Refused):
            access.release(user, req)
        with pytest.raises(gate.Refused):
            access.exempt(user, req, "an investigation")
        refused = AuditEntry.objects.filter(action="access.decide", outcome="refused", actor=user)
        assert refused.count() == 4, name
    req.refresh_from_db()
    assert req.state == AccessRequest.State.PENDING


def test_the_dpo_sees_the_one_month_deadline_and_what_is_overdue(cast):
    late = access.request(cast.teacher, cast.school)
    fresh = access.request(cast.dsl, cast.school)
    AccessRequest.objects.filter(pk=late.pk).update(
        requested_at=timezone.now() - dt.timedelta(days=31)
    )

    listed = {x.request.pk: x for x in access.pending(cast.dpo, cast.school)}

    assert list(listed) == [late.pk, fresh.pk]  # the oldest first
    assert listed[late.pk].overdue and listed[late.pk].days_over in (1, 2)
    assert not listed[fresh.pk].overdue and listed[fresh.pk].days_left in (29, 30, 31)


def test_a_requester_under_a_monitoring_exercise_that_has_not_ended_is_flagged(cast):
    active = exercise(cast, cast.teacher, "active")
    exercise(cast, cast.dsl, "closed")
    access.request(cast.teacher, cast.school)
    access.request(cast.dsl, cast.school)

    flags = {x.request.person.user: x.open_exercises for x in access.pending(cast.dpo, cast.school)}

    assert flags[cast.teacher] == ((active.ref, "active"),)
    assert flags[cast.dsl] == ()


def test_every_unended_exercise_state_is_flagged(cast):
    req = access.request(cast.teacher, cast.school)
    ex = exercise(cast, cast.teacher, "purged")

    for state in ("draft", "assessed", "reviewed", "approved", "active", "closed"):
        Exercise.objects.filter(pk=ex.pk).update(state=state)
        [item] = access.pending(cast.dpo, cast.school)
        assert item.request == req
        assert item.under_monitoring is (state != "closed"), state


# --------------------------------------------------------------------------- the archive


@pytest.fixture
def teachers_world(cast):
    """Data about the teacher, and the same kinds of data about the DSL beside it."""
    teacher, dsl = person(cast, cast.teacher), person(cast, cast.dsl)
    when = timezone.now() - dt.timedelta(days=3)
    for who, domain in ((teacher, "news.example"), (dsl, "shopping.example")):
        ActivityEvent.objects.create(
            school=cast.school,
            pseudonym=pseudonym_of(cast.school, who),
            system="internet",
            occurred_at=when,
            category="news",
            summary=domain,
            count=4,
            source="proxy.log",
        )
    Breach.objects.create(
        school=cast.school,
        source=Breach.Source.REPORTED,
        what="Class list emailed to the wrong parent",
        found_at=when,
        reported_by=teacher,
    )
    Breach.objects.create(
        school=cast.school,
        source=Breach.Source.REPORTED,
        what="Safeguarding file left on a printer",
        found_at=when,
        reported_by=dsl,
    )
    ended = exercise(cast, cast.teacher, "closed", purpose="Find out whether records left")
    running = exercise(cast, cast.teacher, "active", purpose="A second, running exercise")
    exercise(cast, cast.dsl, "closed", purpose="The DSL's own exercise")
    access.mine(cast.dsl, cast.school)  # an audit entry by someone else
    return {"ended": ended, "running": running}


def test_the_zip_holds_the_persons_data_and_nobody_elses(cast, teachers_world):
    req = released(cast)
    teacher = person(cast, cast.teacher)

    zf = zip_of(access.download(cast.teacher, req))

    assert set(zf.namelist()) == FILES
    data = json.loads(zf.read("data.json"))
    assert data["person"]["email"] == "teacher@oak.example"
    assert data["pseudonym"] == pseudonym_of(cast.school, teacher)
    assert data["some_information_withheld"] is False
    [me] = rows(zf, "person.csv")
    assert (me["forename"], me["surname"], me["preferred_forename"]) == ("Thomas", "Wren", "Tom")
    assert (me["external_id"], me["kind"], me["status"]) == ("S5", "Staff", "Current")
    assert me["roles"] == "Staff member or volunteer"
    assert [r["role"] for r in rows(zf, "roles.csv")] == ["staff"]
    [event] = rows(zf, "activity.csv")
    assert event["pseudonym"] == data["pseudonym"] and event["summary"] == "news.example"
    assert [b["what"] for b in rows(zf, "breaches_reported.csv")] == [
        "Class list emailed to the wrong parent"
    ]
    # One exercise about them is still running: no exercise is listed, not even the ended one.
    assert rows(zf, "exercises.csv") == []
    audit = rows(zf, "audit_by_you.csv")
    assert {"access.request"} <= {a["action"] for a in audit}
    made = AuditEntry.objects.get(action="access.release").seq
    theirs = AuditEntry.objects.filter(actor=cast.teacher, school=cast.school, seq__lt=made)
    assert len(audit) == theirs.count() > 0  # and none of the DSL's
    assert set(audit[0]) == {
        "time",
        "action",
        "object_type",
        "object_id",
        "outcome",
        "purpose",
        "role",
        "clause",
    }
    [mine] = rows(zf, "access_requests.csv")
    assert (mine["id"], mine["state"], mine["withheld"]) == (str(req.pk), "Released", "none")
    readme = zf.read("README.txt").decode()
    assert "Oak Primary" in readme and data["pseudonym"] in readme
    assert "data protection officer" in readme
    # Nobody else: the DSL's name, address, pseudonym, activity, breach and exercise; the DPO
    # who decided; the exercise that has not ended.
    text = all_text(zf)
    dsl = person(cast, cast.dsl)
    for other in (
        "Deborah",
        "Singh",
        "Debbie",
        "dsl@oak.example",
        pseudonym_of(cast.school, dsl),
        "shopping.example",
        "Safeguarding file",
        "The DSL's own exercise",
        "Okafor",
        "dpo@oak.example",
        "A second, running exercise",
        "Oliver",
    ):
        assert other not in text, other


def test_the_same_data_at_the_same_time_gives_the_same_zip(cast, teachers_world):
    teacher = person(cast, cast.teacher)
    when = timezone.now()

    assert access.build_archive(teacher, when) == access.build_archive(teacher, when)


def test_the_release_stores_the_zip_its_checksum_and_the_end_of_the_download(cast):
    settings = settings_for(cast.school)
    settings.access_download_days = 7
    settings.save()
    now = timezone.now()

    req = released(cast, now=now)

    assert req.state == AccessRequest.State.RELEASED
    assert req.decided_by == person(cast, cast.dpo) and req.decided_at == now
    assert req.available_until == now + dt.timedelta(days=7)
    assert req.archive_sha256 == hashlib.sha256(bytes(req.archive)).hexdigest()
    entry = AuditEntry.objects.get(action="access.release")
    assert entry.outcome == "done" and entry.actor == cast.dpo
    assert entry.detail["sha256"] == req.archive_sha256


def test_nobody_but_the_requester_can_download_not_even_the_dpo(cast):
    req = released(cast)
    others = [n for n in EVERYONE if n != "teacher"]

    for name in others:
        with pytest.raises(gate.Refused):
            access.download(getattr(cast, name), req)

    req.refresh_from_db()
    assert req.downloaded_at is None
    refused = AuditEntry.objects.filter(action="access.download", outcome="refused")
    assert refused.count() == len(others)
    assert refused.filter(actor=cast.dpo).exists()
    assert access.download(cast.teacher, req)


def test_the_download_closes_when_its_time_is_over(cast):
    now = timezone.now()
    req = released(cast, now=now)

    access.download(cast.teacher, req, now=now + dt.timedelta(days=29))
    with pytest.raises(access.Expired, match="You can ask for your data again"):
        access.download(cast.teacher, req, now=now + dt.timedelta(days=31))

    req.refresh_from_db()
    assert req.state == AccessRequest.State.EXPIRED
    assert req.archive is None and req.archive_sha256  # the checksum stays, as a record
    assert req.downloaded_at == now + dt.timedelta(days=29)
    assert AuditEntry.objects.filter(action="access.expire", outcome="done").count() == 1
    assert AuditEntry.objects.filter(action="access.download", outcome="done").count() == 1
    assert AuditEntry.objects.filter(action="access.download", outcome="refused").count() == 1
    access.request(cast.teacher, cast.school)  # and they may ask again


def test_downloads_past_their_time_are_closed_when_requests_are_listed(cast):
    released(cast, now=timezone.now() - dt.timedelta(days=31))

    [item] = access.all_requests(cast.dpo, cast.school)

    assert item.request.state == AccessRequest.State.EXPIRED
    assert AccessRequest.objects.get().archive is None


def test_nothing_to_download_before_release(cast):
    req = access.request(cast.teacher, cast.school)

    with pytest.raises(access.Unavailable, match="no download"):
        access.download(cast.teacher, req)


# --------------------------------------------------------------------------- exemptions


def test_an_exemption_is_recorded_and_the_person_is_told_only_that(cast, client):
    req = access.request(cast.teacher, cast.school)
    reason = "Open investigation into misuse of pupil records: disclosure would prejudice it"

    with pytest.raises(access.Invalid, match="reason"):
        access.exempt(cast.dpo, req, "   ")
    access.exempt(cast.dpo, req, reason)

    req.refresh_from_db()
    assert req.state == AccessRequest.State.EXEMPT and req.exemption == reason
    assert req.archive is None
    entry = AuditEntry.objects.get(action="access.exempt")
    assert entry.outcome == "done" and "investigation" not in json.dumps(entry.detail)
    with pytest.raises(access.Unavailable):
        access.download(cast.teacher, req)
    client.force_login(cast.teacher)
    page = client.get("/my-data/").content.decode()
    assert "withheld your data under an exemption" in page
    assert "investigation into misuse" not in page


def test_a_partial_release_leaves_out_the_chosen_parts_and_says_only_that(cast, teachers_world):
    note = "Crime prevention exemption: the activity is evidence in an open matter"

    with pytest.raises(access.Invalid, match="which exemption"):
        released(cast, withhold=["activity"])
    req = access.release(
        cast.dpo, AccessRequest.objects.get(), exemption=note, withhold=["activity"]
    )

    assert req.exemption.startswith(note) and "Email and internet activity" in req.exemption
    zf = zip_of(access.download(cast.teacher, req))
    assert set(zf.namelist()) == FILES  # the same files, so what is missing cannot be seen
    assert rows(zf, "activity.csv") == []
    assert zf.read("activity.csv").decode().startswith("pseudonym,system,time")
    assert json.loads(zf.read("data.json"))["some_information_withheld"] is True
    assert "Some information has been withheld" in zf.read("README.txt").decode()
    assert rows(zf, "breaches_reported.csv")  # the rest is given
    assert "Crime prevention" not in all_text(zf)
    assert rows(zf, "access_requests.csv")[0]["withheld"] == "some"


def test_unknown_parts_cannot_be_withheld(cast):
    req = access.request(cast.teacher, cast.school)

    with pytest.raises(access.Invalid, match="Unknown part"):
        access.release(cast.dpo, req, exemption="x", withhold=["person"])


def test_a_decided_request_cannot_be_decided_again(cast):
    req = released(cast)

    with pytest.raises(access.Unavailable, match="already been decided"):
        access.exempt(cast.dpo, req, "too late")
    with pytest.raises(access.Unavailable, match="already been decided"):
        access.release(cast.dpo, req)


def test_the_dpo_cannot_decide_their_own_request(cast):
    req = access.request(cast.dpo, cast.school)

    with pytest.raises(gate.Refused, match="your own request"):
        access.release(cast.dpo, req)
    assert AuditEntry.objects.filter(action="access.release", outcome="refused").exists()
    assert access.pending(cast.dpo, cast.school)[0].open_exercises == ()


# --------------------------------------------------------------------------- pages


def test_the_my_data_page_explains_the_right_and_takes_a_request(cast, client):
    client.force_login(cast.teacher)

    page = client.get("/my-data/")
    assert page.status_code == 200
    assert "right of access" in page.content.decode()
    assert 'for="id_note"' in page.content.decode()

    response = client.post("/my-data/", {"note": "Everything since September"})
    assert response.status_code == 302 and response["Location"] == "/my-data/"
    req = AccessRequest.objects.get()
    assert req.note == "Everything since September"
    page = client.get("/my-data/").content.decode()
    assert "Waiting for the data protection officer" in page
    assert "Everything since September" in page
    assert 'id="id_note"' not in page  # no second request while one waits


def test_the_my_data_form_shows_its_errors(cast, client):
    client.force_login(cast.teacher)

    page = client.post("/my-data/", {"note": "x" * 2001}).content.decode()

    assert 'class="error-summary"' in page and 'href="#id_note"' in page
    assert "Keep the note to 2000 characters or fewer" in page
    assert 'aria-describedby="id_note-hint id_note-error"' in page
    assert not AccessRequest.objects.exists()


def test_the_download_button_serves_the_zip(cast, client):
    req = released(cast)
    client.force_login(cast.teacher)

    page = client.get("/my-data/").content.decode()
    assert f"/my-data/{req.pk}/download/" in page

    response = client.get(f"/my-data/{req.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    day = timezone.localdate(req.decided_at).isoformat()
    assert f'filename="fairwatch-my-data-oak-{day}.zip"' in response["Content-Disposition"]
    assert set(zip_of(response.content).namelist()) == FILES


def test_the_dpo_cannot_download_through_the_page(cast, client):
    req = released(cast)
    client.force_login(cast.dpo)

    assert client.get(f"/my-data/{req.pk}/download/").status_code == 403


def test_an_expired_download_sends_the_person_back_with_a_message(cast, client):
    req = released(cast, now=timezone.now() - dt.timedelta(days=40))
    client.force_login(cast.teacher)

    response = client.get(f"/my-data/{req.pk}/download/", follow=True)

    assert response.redirect_chain == [("/my-data/", 302)]
    assert "You can ask again" in response.content.decode()


def test_only_the_dpo_opens_the_request_pages(cast, client):
    req = access.request(cast.teacher, cast.school)

    for name in MAY_ASK:
        client.force_login(getattr(cast, name))
        expected = 200 if name == "dpo" else 403
        assert client.get("/my-data/requests/").status_code == expected, name
        assert client.get(f"/my-data/requests/{req.pk}/").status_code == expected, name
    client.force_login(cast.teacher)
    assert client.post(f"/my-data/requests/{req.pk}/", {"step": "release"}).status_code == 403
    req.refresh_from_db()
    assert req.state == AccessRequest.State.PENDING


def test_the_dpo_lists_requests_with_their_deadlines_and_flags(cast, client):
    exercise(cast, cast.teacher, "approved")
    req = access.request(cast.teacher, cast.school)
    client.force_login(cast.dpo)

    page = client.get("/my-data/requests/").content.decode()

    assert "Tom Wren" in page and f"/my-data/requests/{req.pk}/" in page
    assert timezone.localtime(req.respond_by).strftime("%-d %b %Y") in page
    assert "Subject of a monitoring exercise that has not ended" in page


def test_the_dpo_withholds_on_the_page_and_a_reason_is_needed(cast, client):
    req = access.request(cast.teacher, cast.school)
    client.force_login(cast.dpo)
    url = f"/my-data/requests/{req.pk}/"

    page = client.post(url, {"step": "exempt", "exempt-reason": ""}).content.decode()
    assert "Give the reason and the exemption relied on" in page
    assert 'href="#id_exempt-reason"' in page
    req.refresh_from_db()
    assert req.state == AccessRequest.State.PENDING

    response = client.post(url, {"step": "exempt", "exempt-reason": "Open investigation"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == AccessRequest.State.EXEMPT and req.exemption == "Open investigation"


def test_the_dpo_releases_on_the_page_with_some_withheld(cast, client):
    req = access.request(cast.teacher, cast.school)
    client.force_login(cast.dpo)
    url = f"/my-data/requests/{req.pk}/"

    response = client.post(
        url,
        {
            "step": "partial",
            "partial-exemption": "Crime prevention",
            "partial-withhold": ["activity", "exercises"],
        },
    )

    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == AccessRequest.State.RELEASED and req.archive_sha256
    assert AuditEntry.objects.get(action="access.release").detail["withheld"] == [
        "activity",
        "exercises",
    ]
    page = client.get(url).content.decode()
    assert "Crime prevention" in page and "some information withheld" in page


def test_the_dpo_releases_everything_on_the_page(cast, client):
    req = access.request(cast.teacher, cast.school)
    client.force_login(cast.dpo)

    response = client.post(f"/my-data/requests/{req.pk}/", {"step": "release"}, follow=True)

    assert "Released. Tom Wren can now download their data." in response.content.decode()
    req.refresh_from_db()
    assert req.state == AccessRequest.State.RELEASED


# --------------------------------------------------------------------------- API


def test_the_api_asks_lists_releases_and_downloads(cast, client):
    teacher, dpo = bearer(cast.teacher), bearer(cast.dpo)

    made = client.post(API, {"note": "All of it"}, content_type="application/json", headers=teacher)
    assert made.status_code == 201
    rid = made.json()["id"]
    assert made.json()["state"] == "pending" and made.json()["person"] is None
    again = client.post(API, {}, content_type="application/json", headers=teacher)
    assert again.status_code == 409

    assert [r["id"] for r in client.get(API, headers=teacher).json()] == [rid]
    assert client.get(f"{API}?all=true", headers=teacher).status_code == 403
    [seen] = client.get(f"{API}?all=true", headers=dpo).json()
    assert seen["person"]["email"] == "teacher@oak.example" and seen["overdue"] is False

    assert (
        client.post(
            f"{API}/{rid}/release", {}, content_type="application/json", headers=teacher
        ).status_code
        == 403
    )
    done = client.post(f"{API}/{rid}/release", {}, content_type="application/json", headers=dpo)
    assert done.status_code == 200 and done.json()["state"] == "released"

    own = client.get(f"{API}/{rid}", headers=teacher).json()
    assert own["withheld"] == "none" and own["exemption"] is None
    assert client.get(f"{API}/{rid}/download", headers=dpo).status_code == 403
    got = client.get(f"{API}/{rid}/download", headers=teacher)
    assert got.status_code == 200 and got["Content-Type"] == "application/zip"
    assert hashlib.sha256(got.content).hexdigest() == own["archive_sha256"]


def test_the_api_records_an_exemption_and_needs_a_reason(cast, client):
    req = access.request(cast.teacher, cast.school)
    dpo = bearer(cast.dpo)
    url = f"{API}/{req.pk}/exempt"

    assert (
        client.post(url, {"reason": " "}, content_type="application/json", headers=dpo).status_code
        == 422
    )
    done = client.post(
        url, {"reason": "Open investigation"}, content_type="application/json", headers=dpo
    )

    assert done.status_code == 200 and done.json()["exemption"] == "Open investigation"
    own = client.get(f"{API}/{req.pk}", headers=bearer(cast.teacher)).json()
    assert own["withheld"] == "all" and own["exemption"] is None
    download = client.get(f"{API}/{req.pk}/download", headers=bearer(cast.teacher))
    assert download.status_code == 409


def test_the_api_says_gone_when_the_download_expired(cast, client):
    req = released(cast, now=timezone.now() - dt.timedelta(days=31))

    response = client.get(f"{API}/{req.pk}/download", headers=bearer(cast.teacher))

    assert response.status_code == 410


def test_the_api_hides_other_peoples_requests_and_other_schools(cast, client):
    req = access.request(cast.dsl, cast.school)
    teacher = bearer(cast.teacher)

    assert client.get(f"{API}/{req.pk}", headers=teacher).status_code == 403
    assert client.get(f"{API}/999999", headers=bearer(cast.dpo)).status_code == 404
    assert client.get("/api/v1/schools/elm/access-requests", headers=teacher).status_code == 404


def test_the_dpo_is_emailed_a_link_when_someone_asks(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        req = access.request(cast.teacher, cast.school, note="All my email findings")
    [mail] = mailoutbox
    assert mail.to == ["dpo@oak.example"] and f"/my-data/requests/{req.pk}/" in mail.body
    assert "email findings" not in mail.body and "Wren" not in mail.body
    with django_capture_on_commit_callbacks(execute=True):
        access.request(cast.dpo, cast.school)  # the DPO's own request: not told to themselves
    assert len(mailoutbox) == 1


def test_ended_exercises_are_listed_once_none_about_them_is_running(cast, teachers_world):
    Exercise.objects.filter(pk=teachers_world["running"].pk).update(state="closed")
    zf = zip_of(access.download(cast.teacher, released(cast)))
    listed = {ex["ref"]: ex for ex in rows(zf, "exercises.csv")}
    assert set(listed) == {teachers_world["ended"].ref, teachers_world["running"].ref}
    ex = listed[teachers_world["ended"].ref]
    assert (ex["purpose"], ex["systems"], ex["state"]) == (
        "Find out whether records left",
        "email; internet",
        "closed",
    )
