"""The policy pages (issue 9): reading and acknowledging, who has acknowledged, the versions
and what changed between two. The store's rules are tested in tests/policy/test_store.py."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest
from django.utils import timezone

from fairwatch.policy import store
from fairwatch.policy.models import Acknowledgement
from fairwatch.policy.versions import ChangeRow
from fairwatch.schools.models import Person

pytestmark = pytest.mark.django_db

NEW_WORDS = "Ask the Headteacher before any private use of school devices."


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def publish_reworded(cast, clause_id="3.1", words=NEW_WORDS):
    clauses = dict(store.versions(cast.school)[-1].clauses)
    clauses[clause_id] = dataclasses.replace(clauses[clause_id], text=words)
    today = timezone.localdate()
    return store.publish(
        cast.head, cast.school, clauses, today, [ChangeRow(today, clause_id, "Reworded")], True
    )


def counts(cast):
    report = store.outstanding(None, cast.school)
    names = lambda readers: {reader.name for reader in readers}  # noqa: E731
    return names(report.acknowledged), names(report.outstanding)


def test_a_teacher_reads_and_acknowledges_once(client, cast):
    client.force_login(cast.teacher)
    page = client.get("/policy/read/")
    assert page.status_code == 200
    assert "I have read version 1" in text(page)
    assert "The policy to read" in text(page)  # nothing read before: all of it
    assert "What changed since you last read it" not in text(page)
    assert "Tom Wren" in counts(cast)[1]

    done = client.post("/policy/read/", {"version": "1"}, follow=True)
    assert done.status_code == 200
    assert "You acknowledged version 1 on" in text(done)
    assert "I have read version 1" not in text(done)
    acknowledged, outstanding = counts(cast)
    assert "Tom Wren" in acknowledged and "Tom Wren" not in outstanding

    again = client.post("/policy/read/", {"version": "1"}, follow=True)
    assert again.status_code == 200
    teacher = Person.objects.get(user=cast.teacher)
    assert Acknowledgement.objects.filter(person=teacher).count() == 1


def test_what_changed_shows_only_the_changed_clause(client, cast):
    client.force_login(cast.teacher)
    client.post("/policy/read/", {"version": "1"})
    publish_reworded(cast)

    page = text(client.get("/policy/read/"))
    changed = page.split("What changed since you last read it", 1)[1]
    assert page.index("What changed since you last read it") < page.index("I have read version 2")
    assert re.findall(r'class="clause-id">([^<]+)<', changed.split("I have read version")[0]) == [
        "3.1"
    ]
    assert "<ins>" in changed and "<del>" in changed
    assert "[added: " in changed and "[removed: " in changed
    assert "before any private use of school devices" in changed

    done = text(client.post("/policy/read/", {"version": "2"}, follow=True))
    assert "You acknowledged version 2 on" in done
    assert "Tom Wren" in counts(cast)[0]


def test_a_stale_form_does_not_acknowledge_a_version_not_shown(client, cast):
    client.force_login(cast.teacher)
    publish_reworded(cast)
    page = text(client.post("/policy/read/", {"version": "1"}, follow=True))
    assert "Version 2 is now the one to read" in page
    assert not Acknowledgement.objects.filter(person__user=cast.teacher).exists()


def test_someone_not_on_the_staff_list_is_not_asked(client, cast):
    assert store.me(cast.org_admin, cast.school) is None
    client.force_login(cast.org_admin)
    page = client.get("/policy/read/")
    assert page.status_code == 200
    assert "not on the staff list" in text(page)
    assert "I have read version" not in text(page)
    assert client.post("/policy/read/", {"version": "1"}).status_code == 403


def test_the_dashboard_is_for_the_head_and_the_dpo(client, cast):
    client.force_login(cast.teacher)
    assert client.get("/policy/acknowledgements/").status_code == 403
    for user in (cast.head, cast.dpo):
        client.force_login(user)
        response = client.get("/policy/acknowledgements/")
        assert response.status_code == 200
        assert "<meter" in response.content.decode()


def test_the_dashboard_moves_a_reader_from_outstanding_to_acknowledged(client, cast):
    client.force_login(cast.head)
    before = text(client.get("/policy/acknowledgements/"))
    outstanding = before.split("Not yet acknowledged (", 1)[1]
    assert "Tom Wren" in outstanding
    store.acknowledge(cast.teacher, cast.school, 1)
    after = text(client.get("/policy/acknowledgements/"))
    assert "Tom Wren" not in after.split("Not yet acknowledged (", 1)[1]
    number = lambda page: int(re.search(r"Acknowledged: (\d+)", page).group(1))  # noqa: E731
    assert number(after) == number(before) + 1


def test_the_dashboard_lists_earlier_versions(client, cast):
    store.acknowledge(cast.teacher, cast.school, 1)
    publish_reworded(cast)
    client.force_login(cast.dpo)
    page = text(client.get("/policy/acknowledgements/"))
    assert "Version 2, in force from" in page
    earlier = page.split("Earlier versions", 1)[1]
    assert re.search(r"Version 1 \(in force from [^)]+\): 1 of \d+ acknowledged", earlier)


def test_the_versions_page_lists_every_version(client, cast):
    publish_reworded(cast)
    client.force_login(cast.teacher)
    page = text(client.get("/policy/versions/"))
    assert "Version 2 In force" in page.replace('<span class="badge">', "").replace("</span>", "")
    assert "Alice Hartley" in page
    assert "Reworded" in page
    assert 'name="from"' in page and 'name="to"' in page


def test_compare_shows_the_words_added_and_removed(client, cast):
    publish_reworded(cast)
    client.force_login(cast.teacher)
    response = client.get("/policy/versions/compare/", {"from": "1", "to": "2"})
    assert response.status_code == 200
    page = text(response)
    assert "What changed from version 1 to version 2" in page
    assert "<ins>" in page and "<del>" in page
    assert re.findall(r'class="card clause-diff"', page) == ['class="card clause-diff"']


@pytest.mark.parametrize(
    "params, message",
    [
        ({"from": "1", "to": "9"}, "There is no version “9”"),
        ({"from": "abc", "to": "2"}, "There is no version “abc”"),
        ({"from": "2", "to": "2"}, "Choose a different version"),
        ({"from": "1"}, "Choose the version to compare to"),
    ],
)
def test_bad_compare_params_give_a_clear_message(client, cast, params, message):
    publish_reworded(cast)
    client.force_login(cast.teacher)
    response = client.get("/policy/versions/compare/", params)
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page and message in page
    assert "<ins>" not in page


def test_the_existing_policy_page_keeps_its_url(client, cast):
    client.force_login(cast.teacher)
    assert client.get("/policy/").status_code == 200


def test_the_home_page_links_to_the_policy_pages(client, cast):
    client.force_login(cast.teacher)
    home = client.get("/").content.decode()
    assert 'href="/policy/read/"' in home and 'href="/policy/acknowledgements/"' not in home
    for user in (cast.head, cast.dpo):
        client.force_login(user)
        assert 'href="/policy/acknowledgements/"' in client.get("/").content.decode()
