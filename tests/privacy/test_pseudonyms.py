"""Keyed pseudonyms, the sealed vault and key rotation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairwatch.privacy.pseudonyms import (
    PREFIX,
    KeyProblem,
    Pseudonymiser,
    SchoolKey,
    SealProblem,
    normalise,
    rotate,
)

OAK = Pseudonymiser(SchoolKey(b"o" * 32))
ELM = Pseudonymiser(SchoolKey(b"e" * 32))


def test_the_same_person_has_the_same_pseudonym_within_a_school():
    assert OAK.pseudonym("jane.smith@oak.example") == OAK.pseudonym(" Jane.Smith@OAK.example ")
    assert OAK.pseudonym("jane.smith@oak.example") != OAK.pseudonym("john.smith@oak.example")


def test_schools_give_the_same_person_unrelated_pseudonyms():
    assert OAK.pseudonym("jane.smith@oak.example") != ELM.pseudonym("jane.smith@oak.example")


def test_a_pseudonym_reveals_nothing_of_the_identifier():
    p = OAK.pseudonym("jane.smith@oak.example")
    assert p.startswith(PREFIX) and len(p) == len(PREFIX) + 32
    assert "jane" not in p and "smith" not in p


def test_a_seal_opens_only_for_its_pseudonym_under_its_key():
    sealed = OAK.seal("Jane.Smith@oak.example")
    jane, john = OAK.pseudonym("jane.smith@oak.example"), OAK.pseudonym("john@oak.example")
    assert OAK.unseal(sealed, jane) == "jane.smith@oak.example"
    with pytest.raises(SealProblem, match="does not open"):
        OAK.unseal(sealed, john)  # moved to another person's pseudonym
    with pytest.raises(SealProblem, match="does not open"):
        ELM.unseal(sealed, jane)  # another school's key
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(SealProblem):
        OAK.unseal(tampered, jane)
    with pytest.raises(SealProblem, match="not a sealed identifier"):
        OAK.unseal("jane.smith@oak.example", jane)


def test_seals_differ_each_time_so_equal_identifiers_are_not_visible_in_a_dump():
    assert OAK.seal("jane@oak.example") != OAK.seal("jane@oak.example")


def test_rotation_rekeys_every_pseudonym_and_keeps_links_between_events():
    old, new = OAK, Pseudonymiser(SchoolKey.generate())
    people = ["jane@oak.example", "john@oak.example", "10.0.0.7"]
    vault = {old.pseudonym(p): old.seal(p) for p in people}
    events = [old.pseudonym(p) for p in people + people[:2]]  # repeated visits
    mapping = rotate(old, new, vault)
    rekeyed = [mapping[e].pseudonym for e in events]
    assert rekeyed[:3] == [new.pseudonym(p) for p in people]
    assert rekeyed[3:] == rekeyed[:2]  # the same people, still linked
    assert not set(rekeyed) & set(events)
    for entry in mapping.values():
        assert new.unseal(entry.seal, entry.pseudonym) in people


def test_rotation_stops_at_a_seal_that_does_not_open():
    vault = {OAK.pseudonym("jane@oak.example"): ELM.seal("jane@oak.example")}
    with pytest.raises(SealProblem):
        rotate(OAK, ELM, vault)


def test_keys_round_trip_through_text_and_bad_keys_are_named():
    key = SchoolKey.generate()
    assert SchoolKey.from_text(key.to_text()) == key
    assert len(key.key_id) == 12 and key.key_id not in key.to_text()
    with pytest.raises(KeyProblem, match="32 bytes"):
        SchoolKey(b"short")
    with pytest.raises(KeyProblem):
        SchoolKey.from_text("not base64 at all!")
    assert "secret" not in repr(key) or key.to_text() not in repr(key)


def test_an_empty_identifier_has_no_pseudonym():
    with pytest.raises(ValueError, match="empty"):
        OAK.pseudonym("   ")


def _has_identity(text: str) -> bool:
    try:
        return bool(normalise(text))
    except ValueError:
        return False


@given(st.text(min_size=1).filter(_has_identity))
def test_any_identifier_seals_and_opens(identifier):
    sealed = OAK.seal(identifier)
    assert OAK.unseal(sealed, OAK.pseudonym(identifier)) == normalise(identifier)
