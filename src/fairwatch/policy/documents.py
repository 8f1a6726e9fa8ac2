"""The documents the policy is read with (2): the school's online safety policy, its ICT code
of conduct, harassment and cyberbullying policies, the guidance for safer working practice.

A document is a link or an uploaded file. Rows are never edited or deleted: replacing or
removing a document sets ``withdrawn_at`` on the old row, so the documents that went with any
policy version are those current when it was published.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from fairwatch.schools.models import School

from .models import PolicyVersion, RelatedDocument


def current(school: School, at: dt.datetime | None = None) -> QuerySet[RelatedDocument]:
    """The school's documents current at ``at`` (default: now), by kind then when added.
    The file contents are left unread (``content`` is deferred)."""
    found = RelatedDocument.objects.filter(school=school).defer("content")
    if at is None:
        return found.filter(withdrawn_at__isnull=True)
    return found.filter(added_at__lte=at).filter(
        Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at)
    )


def with_version(row: PolicyVersion, latest: bool) -> QuerySet[RelatedDocument]:
    """The documents that go with a version: the current ones for the latest version, else
    those current when it was published."""
    return current(row.school, None if latest else row.published_at)
