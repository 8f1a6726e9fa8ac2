"""How a school treats each web category (clauses 3.1-3.3): illegal or harmful (the DSL and
the Headteacher are alerted), private use (needs the Headteacher's permission, 3.1) or
allowed. Defaults for UT1's categories below; each school changes any of them."""

from __future__ import annotations

from fairwatch.schools.models import School

from .models import CategoryRule, Treatment

# UT1's category names. Anything not named here is allowed until the school says otherwise.
HARMFUL = (
    "adult",  # pornography (3.3)
    "agressif",  # violence and hate
    "child",  # sites about children of concern to child protection lists
    "cryptojacking",
    "dangerous_material",  # weapons, explosives
    "ddos",
    "drogue",  # illegal drugs
    "hacking",
    "malware",
    "mixed_adult",
    "phishing",
    "sect",
    "stalkerware",
    "warez",  # pirated software and media
)
PRIVATE = (
    "arjel",  # French-licensed gambling
    "astrology",
    "audio-video",  # streaming
    "bitcoin",
    "celebrity",
    "chat",
    "dating",
    "download",
    "filehosting",
    "gambling",
    "games",
    "jobsearch",
    "lingerie",
    "manga",
    "mobile-phone",
    "radio",
    "remote-control",
    "residential-proxies",
    "redirector",  # anonymising proxies: private, and a way round the filter
    "shopping",
    "social_networks",
    "sports",
    "strict_redirector",
    "strong_redirector",
    "tricheur",  # cheating in exams
    "vpn",
    "webmail",  # personal mail (4.1: staff use the school's)
)
DEFAULTS: dict[str, str] = {
    **{c: Treatment.HARMFUL.value for c in HARMFUL},
    **{c: Treatment.PRIVATE.value for c in PRIVATE},
}
PRECEDENCE = {Treatment.HARMFUL.value: 0, Treatment.PRIVATE.value: 1, Treatment.ALLOWED.value: 2}


def treatments(school: School) -> dict[str, str]:
    """Every category the school or the defaults name, with its treatment."""
    found = dict(DEFAULTS)
    found.update(CategoryRule.objects.filter(school=school).values_list("category", "treatment"))
    return found


def treatment_of(category: str, table: dict[str, str]) -> str:
    return table.get(category, Treatment.ALLOWED.value) if category else Treatment.ALLOWED.value


def strongest(categories: tuple[str, ...], table: dict[str, str]) -> str:
    """Of the categories a site is in, the one that matters most to this school: harmful
    before private before allowed; the lists' own order breaks ties. "" for none."""
    if not categories:
        return ""
    return min(categories, key=lambda c: PRECEDENCE[treatment_of(c, table)])
