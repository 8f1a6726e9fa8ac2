"""Pseudonyms for a school's activity data, and key rotation.

`pseudonymise` is how every importer (web logs, mail logs, alerts) turns a person's identifier
into the pseudonym it stores; the identifier itself is kept only sealed, in the vault. Nothing
here turns a pseudonym back into a person: that is the gate's, inside an approved exercise.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from fairwatch.audit import gate
from fairwatch.privacy.pseudonyms import Pseudonymiser, rotate
from fairwatch.schools.models import Person, School

from . import keystore
from .models import ActivityEvent, VaultEntry


def identifier_of(person: Person) -> str:
    """The identifier activity data knows a person by: their school email, else their MIS id.
    Importers pseudonymise this same identifier, so an exercise can find its subject."""
    return person.email or person.external_id


def pseudonym_of(school: School, person: Person) -> str:
    """A person's pseudonym at their school (computing it reveals nothing: it is one-way)."""
    return pseudonymiser(school).pseudonym(identifier_of(person))


def pseudonymiser(school: School) -> Pseudonymiser:
    ids = set(VaultEntry.objects.filter(school=school).values_list("key_id", flat=True).distinct())
    return Pseudonymiser(keystore.school_key(school.pk, vault_key_ids=ids))


def pseudonymise(school: School, identifiers: Iterable[str]) -> list[str]:
    """The pseudonym of each identifier, in order; identifiers seen for the first time are
    sealed into the vault."""
    p = pseudonymiser(school)
    identifiers = list(identifiers)
    names = p.pseudonyms(identifiers)
    known = set(
        VaultEntry.objects.filter(school=school, pseudonym__in=set(names)).values_list(
            "pseudonym", flat=True
        )
    )
    new = {
        name: identifier
        for name, identifier in zip(names, identifiers, strict=True)
        if name not in known
    }
    VaultEntry.objects.bulk_create(
        [
            VaultEntry(school=school, pseudonym=n, seal=p.seal(i), key_id=p.key_id)
            for n, i in new.items()
        ],
        ignore_conflicts=True,  # another import sealed it at the same moment
    )
    return names


def rotate_key(school: School) -> dict[str, str]:
    """Re-key the school's vault and its stored activity under a new key, in one transaction, so
    a person's events stay linked. Returns old pseudonym → new pseudonym (for activity stored
    elsewhere, e.g. web-log aggregates). Recorded in the audit trail."""
    old = pseudonymiser(school)
    new_key = keystore.stage_new_key(school.pk)
    new = Pseudonymiser(new_key)
    with transaction.atomic():
        entries = list(VaultEntry.objects.select_for_update().filter(school=school))
        mapping = rotate(old, new, {e.pseudonym: e.seal for e in entries})
        for entry in entries:
            rekeyed = mapping[entry.pseudonym]
            entry.pseudonym, entry.seal, entry.key_id = rekeyed.pseudonym, rekeyed.seal, new.key_id
        VaultEntry.objects.bulk_update(entries, ["pseudonym", "seal", "key_id"], batch_size=500)
        from fairwatch.internet.models import Alert

        events = ActivityEvent.objects.filter(school=school)
        alerts = Alert.objects.filter(school=school)
        for old_name, rekeyed in mapping.items():  # one pseudonym per person: a few hundred
            events.filter(pseudonym=old_name).update(pseudonym=rekeyed.pseudonym)
            alerts.filter(pseudonym=old_name).update(pseudonym=rekeyed.pseudonym)
        gate.record(
            user=None,
            action="privacy.rotate_key",
            outcome="done",
            school=school,
            object_type="school",
            object_id=str(school.pk),
            detail={"from_key": old.key_id, "to_key": new.key_id, "pseudonyms": len(entries)},
        )
        transaction.on_commit(lambda: keystore.commit_new_key(school.pk))
    return {old_name: r.pseudonym for old_name, r in mapping.items()}
