"""The policy page: every clause of the shipped catalogue, each at its own anchor."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from fairwatch.catalogue import model_catalogue


@pytest.fixture
def policy_html(client, cast) -> str:
    client.force_login(cast.teacher)
    response = client.get("/policy/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_policy_page_shows_every_clause_with_an_element_at_its_anchor(policy_html):
    catalogue = model_catalogue()
    assert len(catalogue) > 0

    ids_on_page = re.findall(r'<section id="(clause-[0-9-]+)"', policy_html)

    assert ids_on_page == [c.anchor for c in catalogue]
    for clause in catalogue:
        assert policy_html.count(f'id="{clause.anchor}"') == 1, clause.id


def test_every_clause_shows_its_number_and_title(policy_html):
    text = html_lib.unescape(policy_html)
    for clause in model_catalogue():
        heading = re.search(
            rf'id="{clause.anchor}-title"><span class="clause-id">([^<]+)</span> ([^<]*)</h',
            text,
        )
        assert heading, clause.id
        assert heading.group(1) == clause.id
        assert heading.group(2) == clause.title


def test_every_clause_has_a_permalink_to_its_own_anchor(policy_html):
    for clause in model_catalogue():
        assert f'<a href="#{clause.anchor}">Link to clause {clause.id}</a>' in policy_html


def test_the_contents_lists_every_top_level_section(policy_html):
    contents = policy_html.split('<nav aria-labelledby="contents-title"', 1)[1].split("</nav>")[0]
    targets = re.findall(r'href="#(clause-[0-9-]+)"', contents)

    assert targets == [c.anchor for c in model_catalogue().top_level()]


def test_clause_text_appears_on_the_page(policy_html):
    text = html_lib.unescape(policy_html)
    with_text = [c for c in model_catalogue() if c.text.strip()]
    assert with_text
    for clause in with_text:
        first_line = clause.text.strip().splitlines()[0].strip()
        assert first_line in text, clause.id


def test_anyone_signed_in_may_read_the_policy_even_without_a_school_role(client, cast):
    cast.outsider.refresh_from_db()  # the cast keeps a stale copy from before passwords were set
    client.force_login(cast.outsider)

    response = client.get("/policy/")

    assert response.status_code == 200
    assert f'id="{model_catalogue().top_level()[0].anchor}"' in response.content.decode()


def test_anonymous_users_are_redirected_to_log_in(client, cast):
    response = client.get("/policy/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/policy/"
