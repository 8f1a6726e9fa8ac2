import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairwatch.identifiers import make_upn, normalise_upn
from fairwatch.roles import Role, parse_role


def test_a_upn_with_the_right_check_letter_is_accepted():
    assert normalise_upn("H801200001001") == "H801200001001"


def test_a_upn_is_accepted_in_lower_case_with_spaces():
    assert normalise_upn(" h801 2000 01001 ") == "H801200001001"


def test_a_wrong_check_letter_is_refused_with_the_expected_one():
    with pytest.raises(ValueError, match="wrong check letter.*'H'"):
        normalise_upn("A801200001001")


def test_a_short_upn_is_refused():
    with pytest.raises(ValueError, match="13 characters"):
        normalise_upn("H8012000")


def test_a_temporary_upn_ending_in_a_letter_is_accepted():
    body = "92620012500A"
    from stdnum.gb.upn import calc_check_digit

    assert normalise_upn(calc_check_digit(body) + body).endswith("A")


@given(
    st.sampled_from(["926", "801", "330"]),
    st.integers(0, 9999),
    st.integers(0, 99),
    st.integers(0, 999),
)
def test_every_made_upn_validates(la, establishment, year, serial):
    upn = make_upn(la, str(establishment), year, serial)
    assert normalise_upn(upn) == upn


@given(st.text(max_size=30))
def test_any_text_either_validates_or_gives_a_plain_error(text):
    try:
        normalise_upn(text)
    except ValueError as exc:
        assert "UPN" in str(exc)


@pytest.mark.parametrize(
    "text, role",
    [
        ("headteacher", Role.HEADTEACHER),
        ("Head Teacher", Role.HEADTEACHER),
        ("DSL", Role.DSL),
        ("designated safeguarding lead", Role.DSL),
        ("it_manager", Role.IT_MANAGER),
        ("E-Safety Monitor", Role.ESAFETY_MONITOR),
        (" chair_of_governors ", Role.CHAIR_OF_GOVERNORS),
    ],
)
def test_roles_are_read_in_the_spellings_rosters_use(text, role):
    assert parse_role(text) is role


def test_an_unknown_role_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown role 'caretaker'.*headteacher"):
        parse_role("caretaker")
