"""Each school's privacy settings, made with the defaults the first time they are asked for."""

from __future__ import annotations

from fairwatch.schools.models import School

from .models import Settings


def settings_for(school: School) -> Settings:
    found, _ = Settings.objects.get_or_create(school=school)
    return found
