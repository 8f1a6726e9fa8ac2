"""The pseudonym vault: for each person seen in a school's activity data, their pseudonym and
their identifier sealed under the school's key (which is not in the database)."""

from __future__ import annotations

from django.db import models

from fairwatch.schools.models import School


class VaultEntry(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="vault")
    pseudonym = models.CharField(max_length=40)
    seal = models.TextField()  # the identifier, sealed: see fairwatch.privacy.pseudonyms
    key_id = models.CharField(max_length=12)  # the key it is sealed under
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "pseudonym"], name="one_seal_per_pseudonym")
        ]

    def __str__(self) -> str:
        return f"{self.pseudonym} ({self.school_id})"
