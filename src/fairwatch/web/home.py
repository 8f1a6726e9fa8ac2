"""What each role can do, for the home page. Each item cites its clause.

Items with a URL name are here now; the rest are listed so people know what their role
will cover, and are marked as not yet available.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from fairwatch.catalogue import model_catalogue
from fairwatch.concerns import services as concerns
from fairwatch.internet import alerts
from fairwatch.internet.alerts import User
from fairwatch.roles import Role
from fairwatch.schools.models import School


@dataclass(frozen=True)
class Capability:
    text: str
    clause: str
    url_name: str | None = None
    query: str = ""
    counter: str = ""  # a name in COUNTS: the page shows how many wait there
    count: int | None = None
    count_words: str = ""  # what the number counts, e.g. "open"

    @property
    def anchor(self) -> str:
        return model_catalogue().get(self.clause).anchor


READ_POLICY = Capability("Read the staff policy on email, internet and social media", "1", "policy")
ADAPT_POLICY = Capability(
    "Adapt the school's policy and publish a new version", "1", "policy_adapt"
)
STAFF_LIST = Capability("See the staff list", "2", "people", "?kind=staff")
PUPIL_LIST = Capability("See pupils and their parents or carers", "5", "people", "?kind=pupils")
ASK_EXERCISE = Capability(
    "Ask for a monitoring exercise when there is a concern", "7.1", "exercises"
)
HELD_MAIL = Capability(
    "See mail the relay is holding, and send it on or delete it", "4", "held_mail"
)
RELAY_RULES = Capability("Set what the mail relay does for each check", "4", "relay_rules")
CHECK_TOKENS = Capability("Issue and revoke tokens for mail add-ins", "4", "check_tokens")
ACTIVITY = Capability("See email and internet activity as pseudonyms and totals", "3.2", "activity")
INTERNET = Capability(
    "See internet use: by category and day, top sites, blocked and private use",
    "3.2",
    "internet_dashboard",
)
WEB_ALERTS = Capability(
    "See alerts of harmful web activity",
    "3.3",
    "internet_alerts",
    counter="open_web_alerts",
    count_words="open",
)
CATEGORY_RULES = Capability(
    "Set how each kind of website is treated: harmful, private use or allowed",
    "3.3",
    "internet_categories",
)

RAISE_CONCERN = Capability(
    "Raise a concern about a colleague, or report cyberbullying", "7.5", "concern_raise"
)
MY_CONCERNS = Capability(
    "See whether the concerns you raised are open or closed", "7.5", "concern_receipts"
)
LOW_LEVEL = Capability(
    "See the low-level concerns register: patterns over time", "7.5", "low_level_register"
)


def cases(text: str, clause: str = "7.5") -> Capability:
    """The cases routed to the viewer, with how many are open."""
    return Capability(text, clause, "concerns", counter="open_cases", count_words="open")


# Numbers some items show, from the school and for the viewer: counts only, never who or
# what (an alert or a case about the viewer is not counted for them).
COUNTS: dict[str, Callable[[School, User | None], int]] = {
    "open_web_alerts": alerts.open_count,
    "open_cases": concerns.waiting_count,
}

CAPABILITIES: dict[Role, list[Capability]] = {
    Role.STAFF: [
        READ_POLICY,
        Capability("Acknowledge the policy version in force", "3.2", "policy_read"),
        Capability("Check an email before sending it", "4"),
        Capability("Check a social media post or photo before posting", "6.4"),
        Capability("Declare a family relationship with a pupil", "6.2"),
        Capability("Ask permission for private internet use", "3.1", "private_use"),
        RAISE_CONCERN,
        MY_CONCERNS,
        Capability("See what monitoring is in force, and why", "3.2", "transparency"),
        Capability("Ask for your own data", "5", "my_data"),
        Capability("See your email the relay is holding", "4", "held_mail"),
        Capability(
            "Report a data breach, such as an email sent to the wrong person",
            "5.2",
            "breach_report",
        ),
    ],
    Role.HEADTEACHER: [
        STAFF_LIST,
        PUPIL_LIST,
        Capability("Decide requests for private internet use", "3.1", "private_use"),
        WEB_ALERTS,
        CATEGORY_RULES,
        INTERNET,
        Capability("Approve official channels and professional spaces", "6.7"),
        Capability("Approve monitoring exercises", "7.1", "exercises"),
        HELD_MAIL,
        RELAY_RULES,
        CHECK_TOKENS,
        ACTIVITY,
        Capability(
            "Record the basis for monitoring e-safety monitors", "7.2.1", "systematic_basis"
        ),
        Capability("Set how long exercises may last and data is kept", "7.2", "privacy_settings"),
        cases("Receive concerns about staff and decide outcomes"),
        LOW_LEVEL,
        Capability(
            "See who has read the policy version in force", "3.2", "policy_acknowledgements"
        ),
        ADAPT_POLICY,
    ],
    Role.CHAIR_OF_GOVERNORS: [
        STAFF_LIST,
        cases("Stand in for the Headteacher when they are the subject of a concern"),
        Capability(
            "Decide the Headteacher's own requests for private internet use", "3.1", "private_use"
        ),
        Capability(
            "Approve monitoring when the Headteacher is the subject or requester",
            "7.1",
            "exercises",
        ),
    ],
    Role.DSL: [
        STAFF_LIST,
        PUPIL_LIST,
        cases("Receive every concern about staff–pupil interaction", "7.6"),
        LOW_LEVEL,
        WEB_ALERTS,
        Capability("See the log of access to pupils' social media", "6.10"),
        ASK_EXERCISE,
        ACTIVITY,
        INTERNET,
    ],
    Role.DPO: [
        STAFF_LIST,
        PUPIL_LIST,
        Capability("Read the audit trail and check it is intact", "5.1", "audit"),
        Capability("Review privacy impact assessments", "7.2", "exercises"),
        Capability("Keep the breach register", "5.2", "breaches"),
        Capability("Answer staff requests for their own data", "5", "access_requests"),
        Capability("See mail the relay is holding", "4", "held_mail"),
        ACTIVITY,
        INTERNET,
        Capability(
            "See the register of permissions for private internet use", "3.1", "private_use"
        ),
        Capability(
            "See the safeguarding decisions that named someone behind an alert",
            "3.3",
            "internet_identifications",
        ),
        Capability("Set how long exercises may last and data is kept", "7.2", "privacy_settings"),
        Capability(
            "See who has read the policy version in force", "3.2", "policy_acknowledgements"
        ),
    ],
    Role.IT_MANAGER: [
        STAFF_LIST,
        Capability("Import the roster from the MIS (fairwatch import roster)", "5"),
        Capability("Configure log sources, the mail relay, domains and categories", "3.2"),
        RELAY_RULES,
        CHECK_TOKENS,
        CATEGORY_RULES,
        ACTIVITY,
        INTERNET,
    ],
    Role.HR_ADVISER: [
        STAFF_LIST,
        Capability("Give advice on incidents before any decision", "7.3"),
        ASK_EXERCISE,
    ],
    Role.ESAFETY_MONITOR: [
        Capability(
            "You are monitored continuously while you hold this role: read why",
            "7.2.1",
            "transparency",
        ),
    ],
    Role.ORG_ADMIN: [
        Capability("Manage the schools of your trust or authority and their users", "2"),
        cases("Receive concerns about both the Headteacher and the Chair of Governors"),
        CHECK_TOKENS,
        ADAPT_POLICY,
        Capability(
            "Prepare the next version of the model policy for your schools", "1", "policy_model"
        ),
    ],
}


def capabilities_for(
    roles: list[Role], school: School | None = None, viewer: User | None = None
) -> list[tuple[Role, list[Capability]]]:
    """Each role's items; given the school, items with a counter carry their number (as the
    viewer may see it)."""
    sections = [(role, CAPABILITIES[role]) for role in roles]
    if school is None:
        return sections
    counted: dict[str, int] = {}

    def with_count(item: Capability) -> Capability:
        if not item.counter:
            return item
        if item.counter not in counted:
            counted[item.counter] = COUNTS[item.counter](school, viewer)
        return replace(item, count=counted[item.counter])

    return [(role, [with_count(item) for item in items]) for role, items in sections]
