"""The roles of SPEC.md. Pure data: no Django import, so engines and the CLI can use it."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    STAFF = "staff"
    HEADTEACHER = "headteacher"
    CHAIR_OF_GOVERNORS = "chair_of_governors"
    DSL = "dsl"
    DPO = "dpo"
    IT_MANAGER = "it_manager"
    HR_ADVISER = "hr_adviser"
    ESAFETY_MONITOR = "esafety_monitor"
    ORG_ADMIN = "org_admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def school_level(self) -> bool:
        """Org admins are assigned to an organisation; every other role to one school."""
        return self is not Role.ORG_ADMIN


ROLE_LABELS: dict[Role, str] = {
    Role.STAFF: "Staff member or volunteer",
    Role.HEADTEACHER: "Headteacher",
    Role.CHAIR_OF_GOVERNORS: "Chair of Governors",
    Role.DSL: "Designated safeguarding lead",
    Role.DPO: "Data protection officer",
    Role.IT_MANAGER: "IT / network manager",
    Role.HR_ADVISER: "HR adviser",
    Role.ESAFETY_MONITOR: "E-safety monitor",
    Role.ORG_ADMIN: "Trust / authority administrator",
}

# Spellings seen in MIS exports and HR spreadsheets for the roster's `roles` column.
ROLE_ALIASES: dict[str, Role] = {
    "head": Role.HEADTEACHER,
    "head teacher": Role.HEADTEACHER,
    "headteacher": Role.HEADTEACHER,
    "principal": Role.HEADTEACHER,
    "chair": Role.CHAIR_OF_GOVERNORS,
    "chair of governors": Role.CHAIR_OF_GOVERNORS,
    "designated safeguarding lead": Role.DSL,
    "designated senior professional": Role.DSL,
    "data protection officer": Role.DPO,
    "it manager": Role.IT_MANAGER,
    "network manager": Role.IT_MANAGER,
    "hr": Role.HR_ADVISER,
    "hr adviser": Role.HR_ADVISER,
    "hr advisor": Role.HR_ADVISER,
    "e-safety monitor": Role.ESAFETY_MONITOR,
    "esafety monitor": Role.ESAFETY_MONITOR,
    "online safety monitor": Role.ESAFETY_MONITOR,
    "teacher": Role.STAFF,
    "volunteer": Role.STAFF,
}


def parse_role(text: str) -> Role:
    """Read one role name as written in a roster or on the command line; ValueError if unknown."""
    key = " ".join(text.strip().lower().replace("_", " ").split())
    for role in Role:
        if key == role.value.replace("_", " "):
            return role
    if key in ROLE_ALIASES:
        return ROLE_ALIASES[key]
    known = ", ".join(r.value for r in Role)
    raise ValueError(f"unknown role {text.strip()!r}; expected one of: {known}")
