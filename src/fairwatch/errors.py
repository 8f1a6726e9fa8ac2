"""Errors the services raise for the pages and the API to turn into messages people can act
on. Pure: no Django."""

from __future__ import annotations


class FieldErrors(ValueError):
    """Input a step cannot take. `errors` maps each field to a message for people; the
    message as a whole lists them all."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(errors.values()))


class WrongState(Exception):
    """A step that does not fit the thing's state now: closing a closed alert, granting a
    refused request."""


def unstorable(value: object) -> str:
    """Why text cannot be stored, or "" when it can. A database refuses NUL characters, and
    a broken half of a character (a lone surrogate, which JSON can carry) cannot be written
    as UTF-8: saying so by field is better than the save failing."""
    if not isinstance(value, str):
        return ""
    if "\x00" in value:
        return "Take out the NUL characters (\\0): they cannot be kept."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "Take out the characters that are not text: they cannot be kept."
    return ""


def unstorable_fields(**fields: object) -> dict[str, str]:
    """{field: why} for each field whose text cannot be stored (see `unstorable`)."""
    found = {name: unstorable(value) for name, value in fields.items()}
    return {name: why for name, why in found.items() if why}
