"""Category rules (3.1-3.3): every known category with its description and treatment; the
Headteacher and the IT manager change them; only differences from the default are stored;
every change and every refusal is on the audit trail."""

from __future__ import annotations

import re

import pytest

from fairwatch.audit.gate import Refused
from fairwatch.internet import category_rules, rules
from fairwatch.internet.models import CategoryRule
from tests.internet.conftest import (
    CATEGORIES,
    REAL_INSTALLED,
    WHO,
    entries,
    signed_in,
)

MANAGERS = ["head", "it"]
NOT_MANAGERS = [w for w in WHO if w not in MANAGERS]
PAGE = "/internet/categories/"


def test_the_list_holds_the_installed_categories_and_the_defaults_names(cast):
    rows = category_rules.view(cast.it, cast.school)

    names = [r.category for r in rows]
    assert set(names) == set(CATEGORIES) | set(rules.DEFAULTS)
    assert len(names) == len(set(names))
    by_name = {r.category: r for r in rows}
    assert by_name["adult"].description == "Pornography and adult material"
    assert by_name["news"].description == "news"  # no description: its name
    assert (by_name["adult"].treatment, by_name["shopping"].treatment) == ("harmful", "private")
    assert by_name["education"].treatment == "allowed"
    # Harmful first, then private use, then allowed.
    order = [rules.PRECEDENCE[r.treatment] for r in rows]
    assert order == sorted(order)


def test_saving_stores_only_what_differs_from_the_default(cast):
    changed = category_rules.update(
        cast.head, cast.school, {"games": "allowed", "news": "private", "adult": "harmful"}
    )

    assert changed == ["games", "news"]
    stored = dict(
        CategoryRule.objects.filter(school=cast.school).values_list("category", "treatment")
    )
    assert stored == {"games": "allowed", "news": "private"}
    assert rules.treatments(cast.school)["news"] == "private"
    assert not CategoryRule.objects.filter(school=cast.other_school).exists()


def test_choosing_the_default_again_deletes_the_rule(cast):
    category_rules.update(cast.it, cast.school, {"games": "allowed"})

    changed = category_rules.update(cast.it, cast.school, {"games": "private"})

    assert changed == ["games"]
    assert not CategoryRule.objects.filter(school=cast.school).exists()


def test_each_change_is_audited_with_before_and_after(cast):
    category_rules.update(cast.it, cast.school, {"games": "allowed", "education": "harmful"})

    entry = entries("internet.rules", "done").get()
    assert entry.detail == {"education": "allowed -> harmful", "games": "private -> allowed"}
    assert entry.clause == "3.3" and entry.object_type == "category_rules"


def test_nothing_is_saved_when_any_category_or_treatment_is_wrong(cast):
    with pytest.raises(category_rules.InvalidRules) as caught:
        category_rules.update(
            cast.head, cast.school, {"games": "allowed", "nonsense": "allowed", "news": "banned"}
        )

    assert set(caught.value.errors) == {"nonsense", "news"}
    assert not CategoryRule.objects.exists()
    assert not entries("internet.rules", "done").exists()


@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_nobody_else_sees_or_changes_the_rules_and_the_refusal_is_recorded(cast, who):
    user = getattr(cast, who)
    with pytest.raises(Refused):
        category_rules.view(user, cast.school)
    with pytest.raises(Refused):
        category_rules.update(user, cast.school, {"games": "allowed"})

    assert not CategoryRule.objects.exists()
    assert entries("internet.rules", "refused").count() == 2


# --- the page --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", MANAGERS)
def test_the_page_lists_every_category_with_a_choice(client, cast, who):
    html = signed_in(client, getattr(cast, who)).get(PAGE).content.decode()

    selects = re.findall(r'<select id="cat-\d+" name="([^"]+)">', html)
    assert set(selects) == set(CATEGORIES) | set(rules.DEFAULTS)
    assert "Pornography and adult material" in html
    assert '<option value="harmful" selected>' in html


@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_the_page_is_refused_to_everyone_else(client, cast, who):
    user = getattr(cast, who)
    response = signed_in(client, user).get(PAGE)

    assert response.status_code == 403
    if who != "outsider":  # an account with no school at all has nothing to refuse it at
        assert entries("internet.rules", "refused").count() == 1
    assert signed_in(client, user).post(PAGE, {"games": "allowed"}).status_code == 403
    assert not CategoryRule.objects.exists()


def test_saving_the_page_changes_the_rules(client, cast):
    signed_in(client, cast.it)
    form = {c: t for c, t in rules.treatments(cast.school).items()}
    form |= {"education": "allowed", "news": "allowed", "shopping": "allowed"}

    response = client.post(PAGE, form, follow=True)

    assert response.redirect_chain[-1][0] == PAGE
    assert "Saved: 1 category changed" in response.content.decode()
    assert dict(CategoryRule.objects.values_list("category", "treatment")) == {
        "shopping": "allowed"
    }


def test_the_real_installed_lists_feed_the_page_when_the_engine_is_there(cast, monkeypatch):
    pytest.importorskip("fairwatch.weblogs.categories", reason="the category engine is not here")
    monkeypatch.setattr(category_rules, "installed_categories", REAL_INSTALLED)

    names = {r.category for r in category_rules.view(cast.it, cast.school)}

    assert set(REAL_INSTALLED()) <= names and set(rules.DEFAULTS) <= names
