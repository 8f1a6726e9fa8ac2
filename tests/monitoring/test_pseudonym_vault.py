"""Each school's pseudonym key (a file, not the database), the vault, and key rotation."""

from __future__ import annotations

import os
import stat

import pytest
from django.core import serializers
from typer.testing import CliRunner

from fairwatch.audit.models import AuditEntry
from fairwatch.cli import app
from fairwatch.monitoring import keystore
from fairwatch.monitoring.models import VaultEntry
from fairwatch.monitoring.pseudonyms import pseudonymise, pseudonymiser, rotate_key

PEOPLE = ["t.wren@oak.example", "debbie.singh@oak.example", "10.0.4.17"]


def test_activity_is_stored_as_pseudonyms_and_the_vault_holds_only_seals(cast):
    names = pseudonymise(cast.school, PEOPLE + ["T.Wren@OAK.example"])
    assert names[0] == names[3] and len(set(names)) == 3
    assert VaultEntry.objects.filter(school=cast.school).count() == 3
    dump = serializers.serialize("json", VaultEntry.objects.all())
    for identifier in PEOPLE:
        assert identifier not in dump  # a database dump cannot be read back into people


def test_the_key_is_a_file_only_its_owner_can_read(cast):
    pseudonymise(cast.school, PEOPLE[:1])
    path = keystore.key_path(cast.school.pk)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_text().strip() not in serializers.serialize("json", VaultEntry.objects.all())


def test_the_same_person_has_different_pseudonyms_in_different_schools(cast):
    [oak] = pseudonymise(cast.school, PEOPLE[:1])
    [elm] = pseudonymise(cast.other_school, PEOPLE[:1])
    assert oak != elm


def test_rotation_rekeys_the_vault_keeps_links_and_is_recorded(
    cast, django_capture_on_commit_callbacks
):
    before = pseudonymise(cast.school, PEOPLE)
    old_key = keystore.key_path(cast.school.pk).read_text()
    with django_capture_on_commit_callbacks(execute=True):
        mapping = rotate_key(cast.school)
    assert keystore.key_path(cast.school.pk).read_text() != old_key
    after = pseudonymise(cast.school, PEOPLE)
    assert [mapping[p] for p in before] == after  # every event can be re-linked
    assert not set(before) & set(after)
    p = pseudonymiser(cast.school)
    for entry in VaultEntry.objects.filter(school=cast.school):
        assert entry.key_id == p.key_id
        assert p.unseal(entry.seal, entry.pseudonym) in PEOPLE
    entry = AuditEntry.objects.filter(action="privacy.rotate_key").get()
    assert entry.detail["pseudonyms"] == 3


def test_a_rotation_whose_vault_committed_is_finished_on_next_use(cast):
    pseudonymise(cast.school, PEOPLE)
    rotate_key(cast.school)  # (the test's transaction never commits: the key is left staged)
    staged = keystore.key_path(cast.school.pk).with_name(f"school-{cast.school.pk}.key.new")
    assert staged.exists()
    p = pseudonymiser(cast.school)  # the vault is under the staged key: it is moved into place
    assert not staged.exists()
    assert {e.key_id for e in VaultEntry.objects.filter(school=cast.school)} == {p.key_id}


def test_an_interrupted_rotation_is_abandoned_when_the_vault_never_moved(cast):
    before = pseudonymise(cast.school, PEOPLE)
    keystore.stage_new_key(cast.school.pk)  # the process stopped before re-keying
    assert pseudonymise(cast.school, PEOPLE) == before
    assert (
        not keystore.key_path(cast.school.pk)
        .with_name(keystore.key_path(cast.school.pk).name + ".new")
        .exists()
    )


def test_a_damaged_key_file_is_named(cast):
    pseudonymise(cast.school, PEOPLE[:1])
    keystore.key_path(cast.school.pk).write_text("not a key\n")
    with pytest.raises(ValueError, match="school-.*key.*backup"):
        pseudonymise(cast.school, PEOPLE[:1])


def test_the_cli_rotates_a_schools_key(cast):
    pseudonymise(cast.school, PEOPLE)
    result = CliRunner().invoke(app, ["privacy", "rotate-key", "--school", "oak"])
    assert result.exit_code == 0, result.output
    assert "3 pseudonym(s) re-keyed" in " ".join(result.output.split())
    missing = CliRunner().invoke(app, ["privacy", "rotate-key", "--school", "nope"])
    assert missing.exit_code == 2 and "No school" in missing.output
