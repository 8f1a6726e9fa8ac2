"""Held mail (clause 4): seen only by its sender, the Headteacher and the DPO; released (then
delivered by the relay) or deleted by the sender or the Headteacher. Every look and every
decision is on the audit trail."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from fairwatch.audit import gate
from fairwatch.roles import Role
from fairwatch.schools.models import Person, School
from fairwatch.schools.permissions import Action, may, roles_at

from .models import HeldMessage
from .relay import spool

CLAUSE = "4"


def _own_addresses(user: AbstractBaseUser, school: School) -> set[str]:
    found = Person.objects.filter(school=school, user=user).values_list("email", flat=True)
    return {e.lower() for e in found if e} | {user.get_username().lower()}


def visible(user: AbstractBaseUser, school: School) -> QuerySet[HeldMessage]:
    """Held mail the user may see: all of the school's for the Headteacher and the DPO, their
    own for anyone else. The look is recorded."""
    qs = HeldMessage.objects.filter(school=school)
    everyone = may(user, Action.REVIEW_HELD_MAIL, school)
    if not everyone:
        qs = qs.filter(sender__in=_own_addresses(user, school))
    gate.record(
        user=user,
        action="mail.held.list",
        outcome="allowed",
        school=school,
        purpose=gate.Purpose.DATA_PROTECTION if everyone else "",
        object_type="held_mail",
        clause=CLAUSE,
        detail={"all": everyone},
    )
    return qs.order_by("-held_at", "-pk")


def get(user: AbstractBaseUser, school: School, spool_id: str) -> HeldMessage:
    held = HeldMessage.objects.filter(school=school, spool_id=spool_id).first()
    if held is None or not (
        may(user, Action.REVIEW_HELD_MAIL, school) or held.sender in _own_addresses(user, school)
    ):
        gate.record(
            user=user,
            action="mail.held.view",
            outcome="refused",
            school=school,
            object_type="held_mail",
            object_id=spool_id[:40],
            clause=CLAUSE,
        )
        raise HeldMessage.DoesNotExist(spool_id)
    return held


def may_decide(user: AbstractBaseUser, school: School, held: HeldMessage) -> bool:
    """The sender or the Headteacher (not the DPO, who reviews but does not send mail on)."""
    return Role.HEADTEACHER in roles_at(user, school) or held.sender in _own_addresses(user, school)


def _decide(user: AbstractBaseUser, held: HeldMessage, release: bool) -> HeldMessage:
    school = held.school
    verb = "release" if release else "delete"
    if not may_decide(user, school, held):
        gate.record(
            user=user,
            action=f"mail.held.{verb}",
            outcome="refused",
            school=school,
            object_type="held_mail",
            object_id=held.spool_id,
            clause=CLAUSE,
        )
        raise PermissionDenied("Only the sender or the Headteacher can release or delete it.")
    with transaction.atomic():
        held = HeldMessage.objects.select_for_update().get(pk=held.pk)
        if held.state != HeldMessage.State.HELD:
            raise ValueError(f"It has already been {held.get_state_display().lower()}.")
        s = spool()
        done = s.release(held.spool_id) if release else s.delete_held(held.spool_id)
        if not done:
            raise ValueError("The relay no longer holds this message.")
        held.state = HeldMessage.State.RELEASED if release else HeldMessage.State.DELETED
        held.decided_by = user
        held.decided_at = timezone.now()
        held.save(update_fields=["state", "decided_by", "decided_at"])
        gate.record(
            user=user,
            action=f"mail.held.{verb}",
            outcome="done",
            school=school,
            object_type="held_mail",
            object_id=held.spool_id,
            clause=CLAUSE,
        )
    return held


def release(user: AbstractBaseUser, held: HeldMessage) -> HeldMessage:
    """Send it on: the relay picks it up from its queue within seconds."""
    return _decide(user, held, True)


def delete(user: AbstractBaseUser, held: HeldMessage) -> HeldMessage:
    return _decide(user, held, False)
