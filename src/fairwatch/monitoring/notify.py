"""Emails to the school's data protection officer(s), and the link-only email every part sends.
They carry a link, never the content: what happened stays behind the sign-in."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from fairwatch.roles import Role
from fairwatch.schools.models import Person, School


def dpo_addresses(school: School) -> list[str]:
    return role_addresses(school, Role.DPO)


def role_addresses(school: School, role: Role) -> list[str]:
    """The email addresses of those currently holding ``role`` at the school."""
    return sorted(
        set(
            Person.objects.filter(
                school=school,
                status=Person.Status.CURRENT,
                roles__role=role,
                roles__ended_at__isnull=True,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def tell_dpo(
    school: School, subject: str, lines: list[str], url_name: str, pk: int, *, skip: str = ""
) -> None:
    """`skip` leaves out one address (the DPO should not be told of their own request)."""
    addresses = [a for a in dpo_addresses(school) if a.lower() != skip.lower()]
    link_mail(addresses, subject, lines, settings.SITE_URL + reverse(url_name, args=[pk]))


def link_mail(addresses: list[str], subject: str, lines: list[str], link: str) -> None:
    """An email of a few plain lines and a link behind the sign-in, sent once the current
    transaction commits (nothing is sent for a step rolled back); none to no one."""
    addresses = [a for a in addresses if a]
    if not addresses:
        return
    body = "\n\n".join([*lines, f"Open it here (sign-in needed): {link}"]) + "\n"

    def send() -> None:
        # The record is what was stored; a mail outage must not undo or lose the step.
        send_mail(f"Fairwatch: {subject}", body, None, addresses, fail_silently=True)

    transaction.on_commit(send)
