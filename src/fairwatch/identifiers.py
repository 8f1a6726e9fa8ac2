"""UK pupil identifiers, validated with python-stdnum. Pure: no Django import."""

from __future__ import annotations

from stdnum import exceptions as stdnum_errors
from stdnum.gb import upn as _upn


def normalise_upn(value: str) -> str:
    """Return the UPN in canonical form, or raise ValueError saying in plain words what is wrong."""
    compact = _upn.compact(value or "")
    try:
        return _upn.validate(compact)
    except stdnum_errors.InvalidChecksum:
        expected = _upn.calc_check_digit(compact[1:])
        raise ValueError(
            f"UPN {value.strip()!r} has the wrong check letter "
            f"(the digits give {expected!r}); check it against the MIS"
        ) from None
    except stdnum_errors.InvalidLength:
        raise ValueError(f"UPN {value.strip()!r} must be 13 characters") from None
    except stdnum_errors.InvalidComponent:
        raise ValueError(
            f"UPN {value.strip()!r} does not start with a known local-authority number"
        ) from None
    except stdnum_errors.ValidationError:
        raise ValueError(
            f"UPN {value.strip()!r} is not a UPN (a check letter and 12 digits, "
            "or 11 digits and a letter for a temporary UPN)"
        ) from None


def make_upn(la_code: str, establishment: str, year: int, serial: int) -> str:
    """Build a valid UPN from its parts (used for demo data and tests)."""
    body = f"{la_code:0>3}{establishment:0>4}{year % 100:02d}{serial:03d}"
    return _upn.calc_check_digit(body) + body
