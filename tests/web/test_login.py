"""Signing in and out: the log-in page, bad passwords, disabled accounts, logout, `next`."""

from __future__ import annotations

import re

from django.contrib.auth import SESSION_KEY

from tests.cast import PASSWORD


def _sign_in(client, username, password=PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password, **extra})


def test_login_page_renders_with_labelled_email_and_password_fields(client, cast):
    response = client.get("/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Sign in</h1>" in html
    for field_id, label in (("id_username", "Email address"), ("id_password", "Password")):
        assert f'<label for="{field_id}">{label}</label>' in html
        assert re.search(rf'<input [^>]*id="{field_id}"', html)
    assert re.search(r'<input type="password" name="password" id="id_password"', html)
    assert 'name="csrfmiddlewaretoken"' in html


def test_good_credentials_land_on_the_home_page(client, cast):
    response = _sign_in(client, "head@oak.example")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(cast.head.pk)
    home = client.get("/")
    assert home.status_code == 200
    assert "What you can do at Oak Primary" in home.content.decode()


def test_wrong_password_shows_there_is_a_problem_and_does_not_sign_in(client, cast):
    response = _sign_in(client, "head@oak.example", "not the password")

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'role="alert"' in html
    assert SESSION_KEY not in client.session
    # The address typed is kept; the password is not echoed back.
    assert 'value="head@oak.example"' in html
    assert "not the password" not in html


def test_unknown_account_shows_the_same_problem_as_a_wrong_password(client, cast):
    response = _sign_in(client, "nobody@oak.example")

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_disabled_account_cannot_sign_in_even_with_the_right_password(client, cast):
    cast.teacher.is_active = False
    cast.teacher.save(update_fields=["is_active"])

    response = _sign_in(client, "teacher@oak.example")

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert client.get("/").status_code == 302


def test_logout_is_post_only_and_ends_the_session(client, cast):
    _sign_in(client, "head@oak.example")
    assert client.get("/").status_code == 200

    refused = client.get("/logout/")
    assert refused.status_code == 405
    assert client.get("/").status_code == 200  # a GET did not sign them out

    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert SESSION_KEY not in client.session
    after = client.get("/")
    assert after.status_code == 302
    assert after["Location"].startswith("/login/")


def test_every_signed_in_page_has_a_sign_out_form_that_posts(client, cast):
    client.force_login(cast.teacher)

    html = client.get("/").content.decode()

    assert re.search(r'<form method="post" action="/logout/"', html)


def test_next_pointing_to_another_site_is_not_followed(client, cast):
    for evil in ("https://evil.example/steal", "//evil.example/", "http://evil.example"):
        client.logout()
        response = client.post(
            f"/login/?next={evil}",
            {"username": "head@oak.example", "password": PASSWORD, "next": evil},
        )
        assert response.status_code == 302, evil
        assert response["Location"] == "/", evil


def test_next_pointing_inside_the_site_is_followed(client, cast):
    response = _sign_in(client, "head@oak.example", next="/policy/")

    assert response.status_code == 302
    assert response["Location"] == "/policy/"


def test_login_page_does_not_echo_an_external_next_into_the_form(client, cast):
    html = client.get("/login/?next=https://evil.example/").content.decode()

    assert "evil.example" not in html


def test_anonymous_visitor_is_sent_to_the_login_page_with_next(client, cast):
    response = client.get("/people/?kind=staff")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/people/")


def test_signed_in_user_visiting_login_is_sent_home(client, cast):
    client.force_login(cast.head)

    response = client.get("/login/")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_email_address_may_be_typed_in_any_case(client, cast):
    from tests.cast import PASSWORD

    response = client.post("/login/", {"username": " Head@Oak.Example ", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
