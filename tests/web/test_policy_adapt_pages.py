"""The pages for adapting the policy (issue 9): the school's draft, its clauses, publishing,
the organisation's model and bringing its changes in. The rules are tested in
tests/policy/test_adapt.py."""

from __future__ import annotations

import html
import re

import pytest
from django.utils import timezone

from fairwatch.policy import adapt, store
from fairwatch.policy.versions import ChangeRow

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_the_headteacher_adapts_a_clause_and_publishes_it_from_the_pages(client, cast):
    client.force_login(cast.head)
    page = client.get("/policy/adapt/")
    assert "Start a draft" in text(page)
    client.post("/policy/adapt/", {"step": "start"})

    form = client.get("/policy/adapt/clause/3/")
    assert form.status_code == 200 and "Does this clause apply at the school?" in text(form)
    missing = client.post(
        "/policy/adapt/clause/3/", {"title": "Internet use", "text": "x", "applies": "no"}
    )
    assert missing.status_code == 400
    assert "Say why the clause does not apply at the school." in text(missing)
    client.post(
        "/policy/adapt/clause/3/",
        {"title": "Internet use", "text": "Ask the Headteacher first.", "applies": "yes"},
    )
    client.post(
        "/policy/adapt/clause/7.2.1/",
        {
            "title": "Systematic monitoring",
            "text": adapt.clauses_of(adapt.draft(cast.head, cast.school))["7.2.1"].text,
            "applies": "no",
            "reason": "There are no e-safety monitors here.",
        },
    )
    added = client.post(
        "/policy/adapt/add/", {"clause": "6.12", "title": "Class blogs", "text": "Ask first."}
    )
    assert added.status_code == 302
    page = text(client.get("/policy/adapt/"))
    assert "Clause 3 changed" in page and "6.12" in page and "no e-safety monitors" in page

    bad = client.post(
        "/policy/adapt/",
        {"step": "publish", "effective_from": "31/02/2027", "paragraphs": "", "summary": ""},
    )
    assert bad.status_code == 400
    assert "Write the day as day/month/year" in text(bad)
    assert "Say which paragraphs changed." in text(bad)
    done = client.post(
        "/policy/adapt/",
        {
            "step": "publish",
            "effective_from": timezone.localdate().isoformat(),
            "paragraphs": "3, 6.12, 7.2.1",
            "summary": "Our own rules on internet use and class blogs.",
            "duties_changed": "yes",
        },
        follow=True,
    )
    assert "Version 2 is published" in text(done)
    latest = store.versions(cast.school)[-1]
    assert latest.number == 2 and latest.clauses["3"].text == "Ask the Headteacher first."
    assert latest.changes[-1].summary == "Our own rules on internet use and class blogs."
    assert "Start a draft" in text(client.get("/policy/adapt/"))


@pytest.mark.parametrize("who", ["teacher", "dpo", "chair"])
def test_others_cannot_adapt_the_policy(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get("/policy/adapt/").status_code == 403
    assert client.post("/policy/adapt/", {"step": "start"}).status_code == 403
    assert client.get("/policy/model/adapt/").status_code == 403
    assert client.post("/policy/adapt/upstream/").status_code == 403


def test_the_trust_publishes_a_model_version_and_the_school_brings_it_in(client, cast):
    # The school has its own words for clause 3; the trust changes clauses 3 and 4.
    adapt.edit(cast.head, cast.school, "3", title="Internet use", text="School words.")
    adapt.publish(
        cast.head,
        cast.school,
        effective_from=timezone.localdate(),
        changes=[ChangeRow(timezone.localdate(), "3", "Ours")],
    )
    client.force_login(cast.org_admin)
    client.post("/policy/model/adapt/", {"step": "start"})
    client.post(
        "/policy/model/adapt/clause/3/",
        {"title": "Internet use", "text": "Model words.", "applies": "yes"},
    )
    title_4 = adapt.model_versions(cast.org)[-1].clauses["4"].title
    client.post(
        "/policy/model/adapt/clause/4/",
        {"title": title_4, "text": "New model email words.", "applies": "yes"},
    )
    done = client.post(
        "/policy/model/adapt/",
        {
            "step": "publish",
            "effective_from": timezone.localdate().isoformat(),
            "paragraphs": "3 and 4",
            "summary": "Clearer rules.",
            "duties_changed": "yes",
        },
        follow=True,
    )
    assert "Version 2 of the model is published" in text(done)
    assert "Model version 2" in text(client.get("/policy/model/"))

    client.force_login(cast.head)
    assert "The model policy has changed" in text(client.get("/policy/adapt/"))
    news = text(client.get("/policy/adapt/upstream/"))
    assert "Version 2 was published" in news and "New model email words." in news
    merged = text(client.post("/policy/adapt/upstream/", follow=True))
    assert "Choose the words for clause 3" in merged
    assert client.get("/policy/adapt/settle/4/").status_code == 404
    choose = client.post("/policy/adapt/settle/3/", {})
    assert choose.status_code == 400 and "Choose which words" in text(choose)
    client.post("/policy/adapt/settle/3/", {"choice": "theirs"})
    client.post(
        "/policy/adapt/",
        {
            "step": "publish",
            "effective_from": timezone.localdate().isoformat(),
            "paragraphs": "3, 4",
            "summary": "The trust's new model.",
            "duties_changed": "yes",
        },
    )
    latest = store.versions(cast.school)[-1]
    assert (latest.clauses["3"].text, latest.clauses["4"].text) == (
        "Model words.",
        "New model email words.",
    )
    assert "There is nothing to bring in" in text(client.get("/policy/adapt/upstream/"))


def test_a_teacher_may_see_the_models_versions_but_not_change_them(client, cast):
    client.force_login(cast.teacher)
    page = client.get("/policy/model/")
    assert page.status_code == 200 and "Model version 1" in text(page)
    assert "Prepare the next version" not in text(page)
