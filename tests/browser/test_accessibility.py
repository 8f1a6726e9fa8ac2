"""Automated WCAG 2.2 AA checks with axe-core, on the main pages, at desktop and phone sizes.

axe-core finds only the problems a machine can find (roughly a third of WCAG); the journeys in
test_journeys.py cover some of the rest (keyboard use, focus, small screens) by hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_journeys import PHONE, sign_in, signed_in_home

AXE = (
    Path(__file__).resolve().parents[2]
    / ".venv"
    / "node"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)

if not AXE.exists():
    pytest.skip("axe-core not installed; `make test` installs it", allow_module_level=True)

pytestmark = [
    pytest.mark.browser,
    # As in test_journeys.py: Whitenoise warns that STATIC_ROOT does not exist; the live server
    # serves the static files from the app anyway.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RUN = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"""

DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
TARGETS_SHOWN = 3


def h1(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def login_empty(page: Page) -> None:
    page.goto("/login/")
    h1(page, "Sign in")


def login_wrong_password(page: Page) -> None:
    sign_in(page, "head@oak.example", "not the password")
    expect(page.get_by_role("alert")).to_be_visible()


def head_home(page: Page) -> None:
    signed_in_home(page, "head@oak.example")


def policy(page: Page) -> None:
    signed_in_home(page, "head@oak.example")
    response = page.goto("/policy/")
    assert response is not None and response.ok
    expect(page.locator("section[id^='clause-']").first).to_be_visible()


def people(kind: str, heading: str) -> Callable[[Page], None]:
    def open_tab(page: Page) -> None:
        signed_in_home(page, "head@oak.example")
        response = page.goto(f"/people/?kind={kind}")
        assert response is not None and response.status == 200
        h1(page, heading)

    return open_tab


def forbidden(page: Page) -> None:
    signed_in_home(page, "teacher@oak.example")
    response = page.goto("/people/")
    assert response is not None and response.status == 403
    h1(page, "You cannot see this page")


def dpo_audit(page: Page) -> None:
    signed_in_home(page, "dpo@oak.example")
    response = page.goto("/audit/")
    assert response is not None and response.status == 200
    h1(page, "Audit trail")


def _person(email: str):
    from fairwatch.schools.models import Person

    return Person.objects.get(school__slug="oak", email=email)


def _exercise():
    """An exercise about the teacher, asked for by the DSL, as a draft."""
    from fairwatch.monitoring.models import Exercise

    dsl, teacher = _person("dsl@oak.example"), _person("teacher@oak.example")
    return Exercise.objects.create(
        school=dsl.school, requester=dsl, subject=teacher, history=["drafted"]
    )


def opened(email: str, path: str, heading: str, status: int = 200) -> Callable[[Page], None]:
    def open_page(page: Page) -> None:
        signed_in_home(page, email)
        response = page.goto(path)
        assert response is not None and response.status == status, page.url
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)

    return open_page


def assessment_with_errors(page: Page) -> None:
    ex = _exercise()
    signed_in_home(page, "dsl@oak.example")
    page.goto(f"/exercises/{ex.ref}/assessment/")
    page.get_by_label("Activity from").fill("2026-03-10")
    page.get_by_label("Activity to").fill("2026-03-01")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()


def exercise_detail(page: Page) -> None:
    ex = _exercise()
    opened("dpo@oak.example", f"/exercises/{ex.ref}/", "Monitoring exercise")(page)


def breach_report_with_errors(page: Page) -> None:
    signed_in_home(page, "teacher@oak.example")
    page.goto("/breaches/report/")
    page.get_by_role("button", name="Report").click()
    expect(page.get_by_role("alert")).to_be_visible()


def breach_detail(page: Page) -> None:
    from django.utils import timezone

    from fairwatch.monitoring.models import Breach

    b = Breach.objects.create(
        school=_person("dpo@oak.example").school,
        source=Breach.Source.REPORTED,
        what="Year 4 trip list sent to the wrong parent",
        found_at=timezone.now(),
    )
    opened("dpo@oak.example", f"/breaches/{b.pk}/", "Breach")(page)


def held_mail(page: Page) -> None:
    from django.utils import timezone

    from fairwatch.mailflow.models import HeldMessage

    HeldMessage.objects.create(
        school=_person("head@oak.example").school,
        spool_id="18eb0000-abcd",
        sender="teacher@oak.example",
        recipients=["someone@gmail.com"],
        subject="Notes",
        findings=[{"clause": "5", "check": "pd-special-category", "message": "Health data."}],
        held_at=timezone.now(),
    )
    opened("head@oak.example", "/mail/held/", "Held mail")(page)


def _web_totals():
    """A fortnight of internet totals for two pseudonyms, an alert, and a permission asked for."""
    import datetime as dt

    from django.utils import timezone

    from fairwatch.internet.models import Alert, PrivateUse
    from fairwatch.monitoring.models import ActivityEvent

    teacher = _person("teacher@oak.example")
    school, today = teacher.school, timezone.localdate()
    rows = [
        ("education", "twinkl.co.uk", 30),
        ("news", "bbc.co.uk", 12),
        ("shopping", "amazon.co.uk", 6),
        ("webmail", "mail.google.com", 4),
        ("games", "poki.com", 2),
        ("social_networks", "facebook.com", 3),
        ("audio-video", "youtube.com", 5),
        ("", "unknown.example", 1),
    ]
    for n in range(14):
        day = today - dt.timedelta(days=n)
        when = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
        for who in ("p_" + "a" * 32, "p_" + "b" * 32):
            for category, site, count in rows:
                ActivityEvent.objects.create(
                    school=school,
                    pseudonym=who,
                    system="internet",
                    occurred_at=when,
                    last_at=when,
                    category=category,
                    summary=site,
                    count=count + n % 3,
                    blocked=category == "games",
                )
    alert = Alert.objects.create(
        school=school,
        pseudonym="p_" + "a" * 32,
        category="adult",
        day=today,
        sites=[["badsite.example", 7]],
        count=7,
        blocked=7,
        first_at=timezone.now(),
        last_at=timezone.now(),
    )
    item = PrivateUse.objects.create(
        school=school,
        person=teacher,
        purpose="Online banking at lunchtime",
        categories=["shopping"],
        starts=today,
        expires=today + dt.timedelta(days=30),
    )
    return alert, item


def internet_page(email: str, path: str, heading: str) -> Callable[[Page], None]:
    def open_page(page: Page) -> None:
        alert, item = _web_totals()
        opened(email, path.format(alert=alert.pk, item=item.pk), heading)(page)

    return open_page


def private_use_ask_errors(page: Page) -> None:
    signed_in_home(page, "teacher@oak.example")
    page.goto("/internet/private-use/ask/")
    page.get_by_role("button", name="Ask the Headteacher").click()
    expect(page.get_by_role("alert")).to_be_visible()


def _identified_alert():
    """An alert about the teacher (sealed in the vault), named by the DSL's decision."""
    from fairwatch.internet import alerts
    from fairwatch.monitoring.pseudonyms import pseudonymise
    from fairwatch.schools.models import Person

    alert, _ = _web_totals()
    school = alert.school
    alert.pseudonym = pseudonymise(school, ["teacher@oak.example"])[0]
    alert.save(update_fields=["pseudonym"])
    dsl = Person.objects.get(school=school, email="dsl@oak.example").user
    alerts.identify(dsl, alert, reason="The sites suggest a risk to a pupil; we act today.")
    return alert


def alert_identified(page: Page) -> None:
    alert = _identified_alert()
    opened("head@oak.example", f"/internet/alerts/{alert.pk}/", "Alert")(page)
    expect(page.get_by_text("Tom Wren")).to_be_visible()


def alert_identify_errors(page: Page) -> None:
    alert, _ = _web_totals()
    signed_in_home(page, "dsl@oak.example")
    page.goto(f"/internet/alerts/{alert.pk}/")
    page.get_by_role("button", name="Record the decision and show who it was").click()
    expect(page.get_by_role("alert")).to_be_visible()


def identification_decisions(page: Page) -> None:
    _identified_alert()
    opened("dpo@oak.example", "/internet/alerts/decisions/", "Safeguarding decisions")(page)


def _policy_story() -> None:
    """The school adapted clause 3 (version 2, read by nobody yet); the trust then changed
    clause 3 too and published model version 2; the school's draft has merged it, leaving
    clause 3 to settle."""
    from django.utils import timezone

    from fairwatch.policy import adapt, store
    from fairwatch.policy.versions import ChangeRow
    from fairwatch.schools.models import Organisation, OrganisationAdmin, Person, School

    school = School.objects.get(slug="oak")
    head = Person.objects.get(school=school, email="head@oak.example").user
    admin = OrganisationAdmin.objects.get(organisation=school.organisation).user
    store.acknowledge(
        Person.objects.get(school=school, email="teacher@oak.example").user, school, 1
    )
    today = timezone.localdate()
    rows = [ChangeRow(today, "3", "Private use at lunchtime only.")]
    adapt.edit(head, school, "3", title="Internet use", text="Only at lunchtime, and ask first.")
    adapt.publish(head, school, effective_from=today, changes=rows)
    org = Organisation.objects.get(pk=school.organisation_id)
    adapt.edit(admin, org, "3", title="Internet use", text="The model's new words on it.")
    adapt.publish(admin, org, effective_from=today, changes=rows)
    adapt.merge_upstream(head, school)


def policy_page(email: str, path: str, heading: str) -> Callable[[Page], None]:
    def open_page(page: Page) -> None:
        _policy_story()
        opened(email, path, heading)(page)

    return open_page


def policy_clause_errors(page: Page) -> None:
    _policy_story()
    signed_in_home(page, "head@oak.example")
    page.goto("/policy/adapt/clause/4/")
    page.get_by_label("No: it does not apply here").check()
    page.get_by_role("button", name="Keep these changes in the draft").click()
    expect(page.get_by_role("alert")).to_be_visible()


def adjustment_ask_errors(page: Page) -> None:
    signed_in_home(page, "teacher@oak.example")
    page.goto("/policy/adjustments/ask/")
    page.locator("main form button[type=submit]").last.click()
    expect(page.get_by_role("alert")).to_be_visible()


PAGES: dict[str, Callable[[Page], None]] = {
    "login": login_empty,
    "login-wrong-password": login_wrong_password,
    "home-headteacher": head_home,
    "policy": policy,
    "people-staff": people("staff", "Staff and volunteers"),
    "people-pupils": people("pupils", "Pupils"),
    "people-contacts": people("contacts", "Parents and carers"),
    "forbidden-403": forbidden,
    "audit-dpo": dpo_audit,
    "exercises-new": opened("head@oak.example", "/exercises/new/", "Ask for a monitoring exercise"),
    "exercise-assessment-errors": assessment_with_errors,
    "exercise-detail": exercise_detail,
    "activity": opened("it@oak.example", "/activity/", "Email and internet activity"),
    "breaches": opened("dpo@oak.example", "/breaches/", "Breach register"),
    "breach-report-errors": breach_report_with_errors,
    "breach-detail": breach_detail,
    "transparency": opened("teacher@oak.example", "/monitoring/", ""),
    "systematic-basis": opened("head@oak.example", "/monitoring/basis/", ""),
    "privacy-settings": opened("dpo@oak.example", "/monitoring/settings/", ""),
    "my-data": opened("teacher@oak.example", "/my-data/", ""),
    "access-requests": opened("dpo@oak.example", "/my-data/requests/", ""),
    "held-mail": held_mail,
    "relay-rules": opened("it@oak.example", "/mail/rules/", "What the mail relay does"),
    "check-tokens": opened("it@oak.example", "/mail/tokens/", ""),
    "internet-dashboard": internet_page("it@oak.example", "/internet/", "Internet use"),
    "internet-pseudonym": internet_page(
        "dsl@oak.example", "/internet/pseudonym/p_" + "a" * 32 + "/", "Internet use of"
    ),
    "internet-categories": opened(
        "it@oak.example", "/internet/categories/", "How each kind of website is treated"
    ),
    "internet-alerts": internet_page("dsl@oak.example", "/internet/alerts/", "Alerts"),
    "internet-alert": internet_page("dsl@oak.example", "/internet/alerts/{alert}/", "Alert"),
    "internet-alert-identify-errors": alert_identify_errors,
    "internet-alert-identified": alert_identified,
    "identification-decisions": identification_decisions,
    "private-use-own": internet_page("teacher@oak.example", "/internet/private-use/", "Private"),
    "private-use-register": internet_page("head@oak.example", "/internet/private-use/", "Private"),
    "private-use-decide": internet_page(
        "head@oak.example", "/internet/private-use/{item}/", "Private use"
    ),
    "private-use-ask-errors": private_use_ask_errors,
    "policy-adapt": policy_page("head@oak.example", "/policy/adapt/", "Adapt"),
    "policy-adapt-clause-errors": policy_clause_errors,
    "policy-settle": policy_page(
        "head@oak.example", "/policy/adapt/settle/3/", "Choose the words for clause 3"
    ),
    "policy-read": policy_page("teacher@oak.example", "/policy/read/", "Read the staff policy"),
    "policy-text": policy_page("teacher@oak.example", "/policy/text/", ""),
    "policy-acknowledgements": policy_page(
        "head@oak.example", "/policy/acknowledgements/", "Who has read the policy"
    ),
    "policy-contacts": opened("head@oak.example", "/policy/contacts/", ""),
    "policy-schedule": opened("head@oak.example", "/policy/schedule/", ""),
    "policy-adjustment-ask-errors": adjustment_ask_errors,
}

# Known violations in the app, one entry per failing (page, viewport) case. strict=True, so a
# case starts failing ("XPASS(strict)") as soon as the app is fixed: then delete its entry.
KNOWN: dict[tuple[str, str], str] = {}


def cases():
    for name in PAGES:
        for size in VIEWPORTS:
            reason = KNOWN.get((name, size))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(name, size, id=f"{name}-{size}", marks=marks)


def describe(violations: list[dict], url: str) -> str:
    """Rule id, impact, help and the first few target selectors of each violation."""
    lines = [f"axe-core found {len(violations)} WCAG violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} [{v.get('impact')}]: {v['help']} ({v['helpUrl']})")
        nodes = v.get("nodes", [])
        for node in nodes[:TARGETS_SHOWN]:
            lines.append(f"    at {' >> '.join(map(str, node['target']))}")
            summary = (node.get("failureSummary") or "").strip()
            if summary:
                summary = re.sub(r":\s*\n\s*", ": ", summary)
                lines.append("       " + re.sub(r"\s*\n\s*", "; ", summary))
        if len(nodes) > TARGETS_SHOWN:
            lines.append(f"    ... and {len(nodes) - TARGETS_SHOWN} more element(s)")
    return "\n".join(lines)


@pytest.mark.parametrize(("name", "size"), list(cases()))
def test_page_has_no_wcag_violations(page: Page, cast, name: str, size: str):
    page.set_viewport_size(VIEWPORTS[size])
    PAGES[name](page)

    page.add_script_tag(path=AXE)
    results = page.evaluate(AXE_RUN, WCAG_TAGS)
    violations = results["violations"]
    assert results["passes"], "axe-core checked nothing: did the page load?"
    assert not violations, describe(violations, page.url)
