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
