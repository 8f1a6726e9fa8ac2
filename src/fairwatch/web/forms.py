"""What every form page shares: controls tied to their hints and errors for screen readers
(templates `web/_field.html` and `web/_form_errors.html` render them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from django import forms

F = TypeVar("F", bound=forms.Form)
GROUPS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def describe(form: F) -> F:
    """Point each control at its hint and its error (`<id>-hint`, `<id>-error`), and mark it
    invalid when it has an error. Radio and checkbox groups are described on their fieldset."""
    for name, field in form.fields.items():
        if isinstance(field.widget, GROUPS):
            continue
        bound = form[name]
        ids = []
        if field.help_text:
            ids.append(f"{bound.auto_id}-hint")
        if form.is_bound and bound.errors:
            ids.append(f"{bound.auto_id}-error")
            field.widget.attrs["aria-invalid"] = "true"
        if ids:  # (Django would otherwise point at an id of its own, "<id>_helptext")
            field.widget.attrs["aria-describedby"] = " ".join(ids)
    return form


def add_errors(form: forms.Form, errors: Mapping[str, str]) -> None:
    """A service's errors by field onto the form: each next to its field, one without a
    field in the summary only."""
    for name, message in errors.items():
        form.add_error(name if name in form.fields else None, message)
