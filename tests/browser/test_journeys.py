"""The main journeys, in a real browser: signing in, what each role may open, the policy's
clause links, small screens and keyboard use."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.cast import PASSWORD

pytestmark = [
    pytest.mark.browser,
    # Whitenoise looks for STATIC_ROOT (the developer's var/static, fixed when settings load)
    # and warns that it does not exist; the live server serves the files from the app anyway.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

PHONE = {"width": 375, "height": 667}


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def signed_in_home(page: Page, email: str) -> None:
    sign_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("What you can do at Oak Primary")


def page_scrolls_sideways(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def test_headteacher_signs_in_and_reaches_the_home_page(page: Page, cast, results_dir):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    page.get_by_label("Email address").fill("head@oak.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("What you can do at Oak Primary")
    page.screenshot(path=results_dir / "home-desktop.png", full_page=True)

    page.get_by_role("link", name="See the staff list").click()
    expect(page).to_have_url(re.compile(r"/people/\?kind=staff$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff and volunteers")
    names = page.get_by_role("rowheader")
    expect(names.filter(has_text="Alice Hartley")).to_have_count(1)
    expect(names.filter(has_text="Tom Wren")).to_have_count(1)


def test_staff_member_cannot_open_the_people_list(page: Page, cast):
    signed_in_home(page, "teacher@oak.example")
    expect(page.locator("a[href*='/people/']")).to_have_count(0)

    response = page.goto("/people/?kind=staff")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    expect(page.get_by_text("Alice Hartley")).to_have_count(0)


def test_wrong_password_shows_a_clear_error(page: Page, cast):
    sign_in(page, "head@oak.example", "not the password")

    expect(page).to_have_url(re.compile(r"/login/"))
    alert = page.get_by_role("alert")
    expect(alert).to_have_count(1)
    expect(alert).to_be_visible()
    expect(alert.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(alert).to_contain_text("The email address or password is not right")
    # The alert is named by its heading, so screen readers announce what went wrong.
    expect(alert).to_have_accessible_name("There is a problem")
    # Focus is somewhere useful: on the summary, or back in the form to try again. (Today the
    # email field's autofocus wins; the summary's tabindex="-1" is never used.)
    focused = page.evaluate("document.activeElement.id || document.activeElement.className")
    assert focused in {"error-summary", "id_username", "id_password"}, focused
    # What was typed is kept, except the password.
    expect(page.get_by_label("Email address")).to_have_value("head@oak.example")
    expect(page.get_by_label("Password")).to_have_value("")
    # And nobody was signed in.
    expect(page.get_by_role("button", name=re.compile("^Sign out"))).to_have_count(0)


def test_policy_page_links_to_each_clause(page: Page, cast):
    signed_in_home(page, "head@oak.example")
    badges = page.locator("a.clause")
    hrefs = sorted(set(badges.evaluate_all("els => els.map(e => e.getAttribute('href'))")))
    assert hrefs, "the home page shows no clause badges"
    # Badges are named for screen readers, not just "3.1".
    expect(badges.first).to_have_attribute("aria-label", re.compile(r"^Policy clause \d"))

    page.goto("/policy/#clause-4-3")
    clause = page.locator("#clause-4-3")
    expect(clause).to_be_visible()
    expect(clause.get_by_role("heading").first).to_contain_text("4.3")
    expect(clause.get_by_role("heading").first).to_contain_text(
        "Do not name an individual in the subject"
    )
    assert page.evaluate("location.hash") == "#clause-4-3"
    expect(clause).to_be_in_viewport()

    anchors = set(page.locator("section[id^='clause-']").evaluate_all("els => els.map(e => e.id)"))
    broken = [href for href in hrefs if href.split("#", 1)[1] not in anchors]
    assert not broken


def test_pages_fit_a_phone_screen(page: Page, cast, results_dir):
    page.set_viewport_size(PHONE)
    signed_in_home(page, "head@oak.example")
    sign_out = page.get_by_role("button", name=re.compile("^Sign out"))

    assert not page_scrolls_sideways(page)
    expect(sign_out).to_be_visible()
    expect(sign_out).to_be_in_viewport()
    page.screenshot(path=results_dir / "home-phone.png", full_page=True)

    response = page.goto("/people/?kind=staff")
    assert response is not None and response.ok
    expect(page.get_by_role("rowheader").filter(has_text="Alice Hartley")).to_be_visible()
    assert not page_scrolls_sideways(page)
    expect(sign_out).to_be_visible()
    page.screenshot(path=results_dir / "people-staff-phone.png", full_page=True)


@pytest.mark.parametrize(
    ("kind", "heading", "names"),
    [
        ("staff", "Staff and volunteers", ["Charles Bell", "Alice Hartley", "Esther Mills"]),
        pytest.param(
            "pupils",
            "Pupils",
            ["Noah Bright", "Amelia Grant", "Olly Grant", "Isla May"],
        ),
        ("contacts", "Parents and carers", ["Mark Bright", "Sarah Grant", "June May"]),
    ],
)
def test_headteacher_sees_each_people_list_in_surname_order(page: Page, cast, kind, heading, names):
    signed_in_home(page, "head@oak.example")
    response = page.goto(f"/people/?kind={kind}")
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("link", name=heading)).to_have_attribute("aria-current", "page")
    shown = page.get_by_role("rowheader").all_inner_texts()
    in_order = [name for name in (s.split(" (")[0] for s in shown) if name in names]
    assert in_order == names, shown


def test_keyboard_user_can_skip_to_main_content(page: Page, cast):
    signed_in_home(page, "head@oak.example")
    page.goto("/")  # a fresh load, with nothing focused

    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).not_to_be_in_viewport()  # the stylesheet has loaded and hides it

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    # Hidden off-screen until focused; once focused it must be on screen.
    expect(skip).to_be_in_viewport()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main#main")).to_be_focused()
