"""A recorded safeguarding decision reveals who is behind one alert (3.3; SPEC principle 3):
the DSL or the Headteacher decides, saying why; who, when and why are kept and audited; the
name is then shown for that alert only, to them, and each look is recorded; nobody decides
about themselves, and nobody ever sees an alert about themselves; the DPO sees the decisions
without the names."""

from __future__ import annotations

import pytest

from fairwatch.audit.gate import Refused
from fairwatch.internet import alerts
from fairwatch.internet.models import Alert, Identification
from fairwatch.monitoring.pseudonyms import pseudonymise
from fairwatch.schools.models import Person
from tests.internet.conftest import WHO, entries, make_alert, person, pseudonym, signed_in

READERS = ["head", "dsl"]
NOT_READERS = [w for w in WHO if w not in READERS]
NEED = "The sites suggest a risk to a pupil in Year 6; we must act today."


def sealed(cast, identifier: str) -> str:
    """The pseudonym of `identifier`, sealed into the vault as the ingest does."""
    return pseudonymise(cast.school, [identifier])[0]


def teachers_alert(cast, **fields) -> Alert:
    return make_alert(cast.school, who=sealed(cast, "teacher@oak.example"), **fields)


# --- the decision ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_the_decision_keeps_who_decided_when_and_why_and_is_audited(cast, who):
    alert = teachers_alert(cast)
    user = getattr(cast, who)

    alerts.identify(user, alert, reason=f"  {NEED}  ")

    decision = Identification.objects.get()
    assert decision.alert == alert and decision.decided_by == person(cast, user)
    assert decision.reason == NEED and decision.decided_at is not None
    entry = entries("internet.alert.identify", "done").get()
    assert (entry.object_type, entry.object_id) == ("web_alert", str(alert.pk))
    assert (entry.purpose, entry.clause) == ("safeguarding", "3.3")
    assert entry.role == {"head": "headteacher", "dsl": "dsl"}[who]
    assert entry.detail == {"decision": decision.pk}  # the trail keeps no reasons


@pytest.mark.parametrize("reason", ["", "   ", "risk", "x" * (alerts.NOTE_MAX + 1)])
def test_a_decision_needs_the_safeguarding_need_in_plain_words(cast, reason):
    alert = teachers_alert(cast)

    with pytest.raises(alerts.InvalidStep) as caught:
        alerts.identify(cast.dsl, alert, reason=reason)

    assert set(caught.value.errors) == {"reason"}
    assert not Identification.objects.exists()


def test_an_alert_is_decided_once(cast):
    alert = teachers_alert(cast)
    alerts.identify(cast.dsl, alert, reason=NEED)

    with pytest.raises(alerts.WrongState):
        alerts.identify(cast.head, alert, reason=NEED)

    assert Identification.objects.count() == 1


@pytest.mark.parametrize("who", NOT_READERS)
def test_nobody_else_decides_or_sees_who_it_was_and_each_refusal_is_recorded(cast, who):
    alert = teachers_alert(cast)
    alerts.identify(cast.dsl, alert, reason=NEED)
    user = getattr(cast, who)

    with pytest.raises(Refused):
        alerts.identify(user, teachers_alert(cast, category="malware"), reason=NEED)
    with pytest.raises(Refused):
        alerts.identity(user, alert)

    assert Identification.objects.count() == 1
    assert entries("internet.alert.identify", "refused").count() == 1
    assert entries("internet.alert.identity", "refused").count() == 1


def test_nobody_decides_about_themselves(cast):
    about_the_head = make_alert(cast.school, who=sealed(cast, "head@oak.example"))

    with pytest.raises(Refused):
        alerts.identify(cast.head, about_the_head, reason=NEED)

    assert not Identification.objects.exists()
    assert entries("internet.alert.identify", "refused").count() == 1


# --- the name, after the decision only, for that alert only ------------------------------------


def test_who_it_was_is_refused_before_a_decision(cast):
    alert = teachers_alert(cast)

    with pytest.raises(Refused):
        alerts.identity(cast.dsl, alert)

    assert entries("internet.alert.identity", "refused").count() == 1


@pytest.mark.parametrize("who", READERS)
def test_after_the_decision_the_dsl_and_the_headteacher_see_the_name_and_each_look_is_recorded(
    cast, who
):
    alert = teachers_alert(cast)
    alerts.identify(cast.dsl, alert, reason=NEED)

    found = alerts.identity(getattr(cast, who), alert)
    alerts.identity(getattr(cast, who), alert)

    assert found.name == "Tom Wren" and found.person == person(cast, cast.teacher)
    assert found.identifier == "teacher@oak.example" and found.note == ""
    looks = entries("internet.alert.identity", "allowed")
    assert looks.count() == 2
    assert {(e.purpose, e.object_id) for e in looks} == {("safeguarding", str(alert.pk))}


def test_the_page_shows_the_name_only_after_the_decision(client, cast):
    alert = teachers_alert(cast)
    page = f"/internet/alerts/{alert.pk}/"
    signed_in(client, cast.dsl)

    before = client.get(page).content.decode()
    assert "Tom Wren" not in before and "Record a safeguarding decision" in before

    done = client.post(page, {"do": "identify", "identify-reason": NEED})
    assert done.status_code == 302 and done["Location"] == page

    after = client.get(page).content.decode()
    assert "<strong>Tom Wren</strong>" in after
    assert "A safeguarding decision by Debbie Singh" in after and NEED in after
    assert "Record a safeguarding decision" not in after
    head_sees = signed_in(client, cast.head).get(page).content.decode()
    assert "<strong>Tom Wren</strong>" in head_sees
    assert entries("internet.alert.identity", "allowed").count() == 2


def test_the_page_says_what_is_wrong_with_the_reason(client, cast):
    alert = teachers_alert(cast)

    response = signed_in(client, cast.dsl).post(
        f"/internet/alerts/{alert.pk}/", {"do": "identify", "identify-reason": "risk"}
    )

    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert 'href="#id_identify-reason"' in html
    assert not Identification.objects.exists()


def test_the_decision_reveals_the_name_for_that_alert_only(client, cast):
    decided = teachers_alert(cast)
    other_day = teachers_alert(cast, category="malware")
    alerts.identify(cast.dsl, decided, reason=NEED)

    signed_in(client, cast.dsl)
    other = client.get(f"/internet/alerts/{other_day.pk}/").content.decode()
    listed = client.get("/internet/alerts/").content.decode()

    assert "Tom Wren" not in other and "Tom Wren" not in listed
    assert "(named by a safeguarding decision)" in listed
    with pytest.raises(Refused):
        alerts.identity(cast.dsl, other_day)


def test_someone_who_has_left_is_named_with_a_note(cast):
    alert = teachers_alert(cast)
    Person.objects.filter(user=cast.teacher).update(status=Person.Status.LEFT)
    alerts.identify(cast.dsl, alert, reason=NEED)

    found = alerts.identity(cast.dsl, alert)

    assert found.name == "Tom Wren" and found.note == "They have left the school."


@pytest.mark.parametrize(
    ("identifier", "words"),
    [
        ("user:jbloggs", "named the user 'jbloggs', who is not on the school's roster"),
        ("ip:10.0.4.17", "only the computer's address 10.0.4.17, which is not on the school's"),
        ("gone@oak.example", "Nobody on the school's roster has this email address"),
    ],
)
def test_someone_not_on_the_roster_shows_what_the_vault_holds_and_says_so(
    client, cast, identifier, words
):
    alert = make_alert(cast.school, who=sealed(cast, identifier))
    alerts.identify(cast.dsl, alert, reason=NEED)

    found = alerts.identity(cast.dsl, alert)
    html = signed_in(client, cast.dsl).get(f"/internet/alerts/{alert.pk}/").content.decode()

    assert found.person is None and found.name is None
    assert found.identifier == identifier and words in found.note
    assert f"<code>{identifier}</code>" in html and words.replace("'", "&#x27;") in html


def test_a_pseudonym_the_vault_does_not_hold_says_so(cast):
    alert = make_alert(cast.school)  # made up: never sealed
    alerts.identify(cast.dsl, alert, reason=NEED)

    found = alerts.identity(cast.dsl, alert)

    assert (found.identifier, found.person) == ("", None)
    assert found.note == "The vault holds nothing for this pseudonym."


# --- nobody sees an alert about themselves -------------------------------------------------------


def test_the_subject_never_sees_their_own_alert_in_lists_pages_or_counts(client, cast):
    theirs = make_alert(cast.school, who=pseudonym(cast, cast.head))
    other = make_alert(cast.school, category="malware")

    assert list(alerts.listed(cast.head, cast.school, state="all")) == [other]
    with pytest.raises(Alert.DoesNotExist):
        alerts.get(cast.head, cast.school, theirs.pk)
    assert alerts.open_count(cast.school, cast.head) == 1
    assert alerts.open_count(cast.school, cast.dsl) == 2

    signed_in(client, cast.head)
    listed = client.get("/internet/alerts/?state=all").content.decode()
    assert f"/internet/alerts/{theirs.pk}/" not in listed and "1 open alert." in listed
    assert client.get(f"/internet/alerts/{theirs.pk}/").status_code == 404
    post = client.post(
        f"/internet/alerts/{theirs.pk}/", {"do": "identify", "identify-reason": NEED}
    )
    assert post.status_code == 404
    assert not Identification.objects.exists()
    assert alerts.get(cast.dsl, cast.school, theirs.pk) == theirs  # the DSL still sees it

    home = client.get("/").content.decode()  # the home page's number leaves it out too
    assert "1 open" in home and "2 open" not in home
    signed_in(client, cast.dsl)
    assert "2 open" in client.get("/").content.decode()


def test_looking_for_ones_own_alert_is_recorded_like_an_alert_that_does_not_exist(cast):
    theirs = make_alert(cast.school, who=pseudonym(cast, cast.head))

    for alert_id in (theirs.pk, 999999):
        with pytest.raises(Alert.DoesNotExist):
            alerts.get(cast.head, cast.school, alert_id)

    own, missing = entries("internet.alerts").order_by("seq")
    assert (own.outcome, own.detail) == (missing.outcome, missing.detail) == ("allowed", {})


def test_the_subject_cannot_close_or_reopen_an_alert_about_them(cast):
    theirs = make_alert(cast.school, who=pseudonym(cast, cast.dsl))

    with pytest.raises(Refused):
        alerts.close(cast.dsl, theirs, note="Nothing in it.")

    assert Alert.objects.get(pk=theirs.pk).state == "open"


# --- the DPO's oversight ------------------------------------------------------------------------


def test_the_dpo_sees_the_decisions_without_the_names(client, cast):
    alert = teachers_alert(cast)
    alerts.identify(cast.dsl, alert, reason=NEED)

    found = list(alerts.identifications(cast.dpo, cast.school))
    html = signed_in(client, cast.dpo).get("/internet/alerts/decisions/").content.decode()

    assert [d.alert for d in found] == [alert]
    assert f"Alert {alert.pk}: Pornography and adult material" in html
    assert "Debbie Singh" in html and NEED in html
    assert "Tom Wren" not in html and "teacher@oak.example" not in html
    assert f'href="/internet/alerts/{alert.pk}/"' not in html  # the DPO cannot open alerts
    assert entries("internet.identifications", "allowed").first().purpose == "data protection"


@pytest.mark.parametrize("who", ["it", "teacher", "monitor", "hr", "chair", "org_admin"])
def test_nobody_else_sees_the_decisions(client, cast, who):
    alerts.identify(cast.dsl, teachers_alert(cast), reason=NEED)

    response = signed_in(client, getattr(cast, who)).get("/internet/alerts/decisions/")

    assert response.status_code == 403
    assert entries("internet.identifications", "refused").count() == 1


def test_a_decision_about_the_viewer_is_left_out_of_the_decisions(cast):
    about_the_dpo = make_alert(cast.school, who=pseudonym(cast, cast.dpo))
    about_the_teacher = teachers_alert(cast)
    alerts.identify(cast.dsl, about_the_dpo, reason=NEED)
    alerts.identify(cast.head, about_the_teacher, reason=NEED)

    assert [d.alert for d in alerts.identifications(cast.dpo, cast.school)] == [about_the_teacher]
    assert len(alerts.identifications(cast.head, cast.school)) == 2
