"""Adapting the policy (issue 9): a school's draft, the organisation's model versions, and
merging a new model version into a school's own text, conflicts included."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from fairwatch.audit.gate import Refused
from fairwatch.audit.models import AuditEntry
from fairwatch.policy import adapt, store
from fairwatch.policy.adapt import InvalidDraft
from fairwatch.policy.models import Draft
from fairwatch.policy.store import InvalidPolicy
from fairwatch.policy.versions import ChangeRow

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


def row(summary="Adapted", paragraphs="3"):
    return [ChangeRow(timezone.localdate(), paragraphs, summary)]


def publish_school(cast, **kwargs):
    return adapt.publish(
        cast.head, cast.school, effective_from=timezone.localdate(), changes=row(), **kwargs
    )


def model_change(cast, clause_id, words):
    """The trust publishes a model version changing one clause's words."""
    adapt.edit(
        cast.org_admin,
        cast.org,
        clause_id,
        title=adapt.model_versions(cast.org)[-1].clauses[clause_id].title,
        text=words,
    )
    return adapt.publish(
        cast.org_admin, cast.org, effective_from=timezone.localdate(), changes=row("Model")
    )


def test_a_school_edits_adds_and_marks_a_clause_not_applying_then_publishes(cast):
    adapt.edit(cast.head, cast.school, "3", title="Internet use", text="Our own words on it.")
    adapt.add(cast.head, cast.school, "6.12", title="Class blogs", text="Ask before posting.")
    adapt.set_applies(cast.head, cast.school, "7.2.1", False, "We have no e-safety monitors.")
    found = adapt.draft(cast.head, cast.school)
    kinds = {each.id: each.kind.value for each in adapt.changes(found, cast.school)}
    assert kinds == {"3": "changed", "6.12": "added", "7.2.1": "now not applicable"}

    version = publish_school(cast)
    assert version.number == 2 and version.model_number == 1
    clauses = store.versions(cast.school)[-1].clauses
    assert clauses["3"].text == "Our own words on it."
    assert clauses["6.12"].title == "Class blogs"
    assert not clauses["7.2.1"].applicable
    assert clauses["7.2.1"].reason == "We have no e-safety monitors."
    assert not Draft.objects.filter(school=cast.school).exists()
    steps = set(AuditEntry.objects.filter(school=cast.school).values_list("action", flat=True))
    assert {"policy.draft.edit", "policy.draft.add", "policy.draft.not_applicable"} <= steps


def test_each_bad_change_is_named_and_changes_nothing(cast):
    adapt.start(cast.head, cast.school)
    cases = [
        (lambda: adapt.edit(cast.head, cast.school, "3", title="", text="x"), "title"),
        (lambda: adapt.edit(cast.head, cast.school, "99", title="T", text="x"), "clause"),
        (lambda: adapt.add(cast.head, cast.school, "six", title="T", text="x"), "clause"),
        (lambda: adapt.add(cast.head, cast.school, "3", title="T", text="x"), "clause"),
        (lambda: adapt.set_applies(cast.head, cast.school, "3", False, "  "), "reason"),
        (lambda: adapt.remove(cast.head, cast.school, "3"), "clause"),
    ]
    before = Draft.objects.get(school=cast.school).clauses
    for call, field in cases:
        with pytest.raises(InvalidDraft) as caught:
            call()
        assert field in caught.value.errors
    assert Draft.objects.get(school=cast.school).clauses == before
    assert "mark it as not applying" in str(
        pytest.raises(InvalidDraft, adapt.remove, cast.head, cast.school, "3").value
    )


def test_a_clause_of_the_schools_own_can_be_removed(cast):
    adapt.add(cast.head, cast.school, "6.12", title="Class blogs", text="Ask first.")
    adapt.remove(cast.head, cast.school, "6.12")
    assert "6.12" not in adapt.clauses_of(adapt.draft(cast.head, cast.school))


@pytest.mark.parametrize("who", ["teacher", "dpo", "dsl", "chair", "outsider"])
def test_only_the_headteacher_or_org_admin_adapt_a_school_policy(cast, who):
    with pytest.raises(Refused):
        adapt.edit(getattr(cast, who), cast.school, "3", title="T", text="x")
    assert not Draft.objects.exists()


def test_only_the_organisations_admins_change_its_model(cast):
    with pytest.raises(Refused):
        adapt.edit(cast.head, cast.org, "3", title="T", text="x")
    refused = AuditEntry.objects.filter(action="policy.draft.edit", outcome="refused").get()
    assert refused.detail["organisation"] == cast.org.slug


def test_merging_a_model_change_takes_untouched_clauses_and_stops_on_a_clause_both_changed(
    cast, django_capture_on_commit_callbacks
):
    # The school adapts clause 3 and publishes; the model later changes clauses 3 and 4.
    adapt.edit(cast.head, cast.school, "3", title="Internet use", text="School words for 3.")
    publish_school(cast)
    adapt.edit(cast.org_admin, cast.org, "3", title="Internet use", text="Model words for 3.")
    model_4 = adapt.model_versions(cast.org)[-1].clauses["4"]
    adapt.edit(cast.org_admin, cast.org, "4", title=model_4.title, text="Model words for 4.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        model = adapt.publish(
            cast.org_admin, cast.org, effective_from=timezone.localdate(), changes=row("Model")
        )
    assert model.number == 2
    # The Headteacher is told, with a link and no words of the policy.
    assert [message.to for message in mail.outbox] == [["head@oak.example"]]
    assert "Model words" not in mail.outbox[0].body

    news = adapt.upstream(cast.school)
    assert news is not None and (news.base.number, news.latest.number) == (1, 2)
    assert {each.id for each in news.changes} == {"3", "4"}

    result = adapt.merge_upstream(cast.head, cast.school)
    assert result.taken == ("4",)
    assert [each.id for each in result.conflicts] == ["3"]
    found = adapt.draft(cast.head, cast.school)
    assert adapt.clauses_of(found)["4"].text == "Model words for 4."
    assert adapt.clauses_of(found)["3"].text == "School words for 3."  # kept until settled
    [conflict] = adapt.conflicts(found)
    assert conflict.ours.text == "School words for 3."
    assert conflict.theirs.text == "Model words for 3."

    # Nothing is published while the conflict waits, and it cannot be edited around.
    with pytest.raises(InvalidDraft, match="clauses 3"):
        publish_school(cast)
    with pytest.raises(InvalidDraft, match="waits for your choice"):
        adapt.edit(cast.head, cast.school, "3", title="T", text="x")

    adapt.settle(cast.head, cast.school, "3", "own", title="Internet use", text="Both, merged.")
    version = publish_school(cast)
    assert version.model_number == 2
    clauses = store.versions(cast.school)[-1].clauses
    assert (clauses["3"].text, clauses["4"].text) == ("Both, merged.", "Model words for 4.")
    assert adapt.upstream(cast.school) is None
    with pytest.raises(InvalidDraft, match="newest model"):
        adapt.merge_upstream(cast.head, cast.school)


def test_settling_by_taking_the_models_words_or_keeping_the_schools(cast):
    adapt.edit(cast.head, cast.school, "3", title="Internet use", text="School words.")
    adapt.edit(cast.head, cast.school, "4", title="Email", text="School email words.")
    publish_school(cast)
    adapt.edit(cast.org_admin, cast.org, "3", title="Internet use", text="Model words.")
    adapt.edit(cast.org_admin, cast.org, "4", title="Email", text="Model email words.")
    adapt.publish(cast.org_admin, cast.org, effective_from=timezone.localdate(), changes=row())
    result = adapt.merge_upstream(cast.head, cast.school)
    assert [each.id for each in result.conflicts] == ["3", "4"]
    adapt.settle(cast.head, cast.school, "3", "theirs")
    adapt.settle(cast.head, cast.school, "4", "ours")
    with pytest.raises(InvalidDraft) as caught:
        adapt.settle(cast.head, cast.school, "4", "ours")
    assert "clause" in caught.value.errors
    clauses = adapt.clauses_of(adapt.draft(cast.head, cast.school))
    assert (clauses["3"].text, clauses["4"].text) == ("Model words.", "School email words.")


def test_a_clause_not_applying_stays_so_when_the_model_changes_it(cast):
    adapt.set_applies(cast.head, cast.school, "7.2.1", False, "No monitors here.")
    publish_school(cast)
    model_change(cast, "7.2.1", "New model words on monitors.")
    result = adapt.merge_upstream(cast.head, cast.school)
    assert result.clean and result.notes
    clause = adapt.clauses_of(adapt.draft(cast.head, cast.school))["7.2.1"]
    assert not clause.applicable and clause.text == "New model words on monitors."


def test_a_draft_started_before_a_newer_version_cannot_be_published(cast):
    adapt.edit(cast.head, cast.school, "3", title="Internet use", text="Draft words.")
    clauses = dict(store.versions(cast.school)[-1].clauses)
    clauses["4"] = dataclasses.replace(clauses["4"], text="Published meanwhile.")
    store.publish(cast.head, cast.school, clauses, timezone.localdate(), row(), True)
    with pytest.raises(InvalidDraft, match="Throw the draft away"):
        publish_school(cast)
    adapt.discard(cast.head, cast.school)
    assert adapt.draft(cast.head, cast.school) is None


def test_publishing_a_draft_keeps_the_version_rules(cast):
    adapt.start(cast.head, cast.school)
    with pytest.raises(InvalidPolicy) as caught:
        publish_school(cast)
    assert "clauses" in caught.value.errors  # nothing changed
    assert Draft.objects.filter(school=cast.school).exists()  # the draft is kept


def test_junk_in_a_clause_id_or_the_words_is_refused_not_stored(cast):
    with pytest.raises(InvalidDraft) as caught:
        adapt.edit(cast.head, cast.school, "1." * 40, title="T", text="x")
    assert "clause" in caught.value.errors
    with pytest.raises(InvalidDraft) as caught:
        adapt.edit(cast.head, cast.school, "3", title="T", text="bad\x00words")
    assert "text" in caught.value.errors
    with pytest.raises(InvalidDraft) as caught:
        adapt.set_applies(cast.head, cast.school, "3", False, "no\x00")
    assert "reason" in caught.value.errors


def test_keeping_the_schools_words_in_a_merge_records_the_newer_model(cast):
    adapt.edit(cast.head, cast.school, "3", title="Internet use", text="School words.")
    publish_school(cast)
    model_change(cast, "3", "Model words.")
    adapt.merge_upstream(cast.head, cast.school)
    adapt.settle(cast.head, cast.school, "3", "ours")
    found = adapt.draft(cast.head, cast.school)
    assert not adapt.changes(found, cast.school) and adapt.moved_base(found)
    assert adapt.rebase(cast.head, cast.school) == 2
    assert store.rows(cast.school)[-1].model_number == 2
    assert adapt.upstream(cast.school) is None and adapt.draft(cast.head, cast.school) is None


def test_a_version_published_without_a_draft_keeps_its_model_version(cast):
    adapt.edit(cast.head, cast.school, "3", title="Internet use", text="School words.")
    publish_school(cast)
    model_change(cast, "4", "Model email words.")
    adapt.merge_upstream(cast.head, cast.school)
    assert publish_school(cast).model_number == 2
    clauses = dict(store.versions(cast.school)[-1].clauses)
    clauses["5"] = dataclasses.replace(clauses["5"], text="Straight from the API.")
    made = store.publish(cast.head, cast.school, clauses, timezone.localdate(), row(), True)
    assert made.model_number == 2


def test_each_headteacher_gets_their_own_email_of_a_new_model(
    cast, django_capture_on_commit_callbacks
):
    from tests.cast import add_person

    add_person(
        cast.other_school, "staff", "E1", "Ed", "Elm", roles=("headteacher",), email="h@elm.example"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        model_change(cast, "4", "Model email words.")
    assert sorted(message.to for message in mail.outbox) == [
        ["h@elm.example"],
        ["head@oak.example"],
    ]


def test_looking_at_a_clause_starts_no_draft(client, cast):
    client.force_login(cast.head)
    assert client.get("/policy/adapt/clause/3/").status_code == 200
    assert client.get("/policy/adapt/clause/99.99/").status_code == 404
    assert adapt.draft(cast.head, cast.school) is None
