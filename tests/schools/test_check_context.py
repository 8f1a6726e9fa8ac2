"""The email checks' school context is built from the roster and the school's settings."""

from __future__ import annotations

from fairwatch.schools.check_context import school_context
from fairwatch.schools.models import ApprovedSender, KnownDomain, Person
from tests.cast import upn


def test_the_context_holds_current_people_links_and_settings(cast):
    ApprovedSender.objects.create(school=cast.school, value="office@oak.example")
    KnownDomain.objects.create(school=cast.school, domain="norfolk.gov.uk")
    Person.objects.filter(school=cast.school, external_id=upn(4)).update(status="left")

    context = school_context(cast.school)

    assert context.domains == {"oak.example"} and context.pupil_domain == "pupils.oak.example"
    assert context.approved_senders == {"office@oak.example"}
    assert context.known_domains == {"norfolk.gov.uk"}
    names = {(p.forename, p.kind) for p in context.people}
    assert ("Oliver", "pupil") in names and ("Isla", "pupil") not in names
    sarah = context.by_email["sarah.grant@example.com"]
    assert {context.by_id[i].forename for i in context.links[sarah.id]} == {"Oliver", "Amelia"}
    assert context.by_email["head@oak.example"].kind == "staff"
