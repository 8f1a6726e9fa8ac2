"""The school's own policy as it stands (issue 9): the words of a version, with the contacts
each clause refers to, the documents that go with it and its table of changes; laid out for
printing, and as a PDF.

The catalogue page (`/policy/`) says what Fairwatch does for each clause of the model; this
page is the school's text that staff are held to. The text is not personal data, so any
signed-in member of the school may read it (`Action.VIEW_POLICY`) and nothing is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from fairwatch.policy import contacts, documents, store
from fairwatch.policy import pdf as policy_pdf
from fairwatch.policy.models import PolicyVersion, RelatedDocument
from fairwatch.policy.versions import Version
from fairwatch.schools.models import School
from fairwatch.schools.permissions import Action, may

from .context import no_school, school_for_request


@dataclass(frozen=True)
class Chosen:
    """The version a request asked for, with its stored row and the version in force today."""

    row: PolicyVersion
    version: Version
    in_force: Version | None


class NoSuchVersion(Exception):
    """A ?version= that names no version of the school's policy; the message says which do."""


def _school(request: HttpRequest) -> School | None:
    school = school_for_request(request)
    if school is not None and not may(request.user, Action.VIEW_POLICY, school):
        raise PermissionDenied("not a member of this school")
    return school


def _choose(school: School, asked: str | None) -> Chosen:
    """The version asked for (default: the one in force today, else the first to come).

    Raises NoSuchVersion for anything but the number of one of the school's versions."""
    rows = store.rows(school)
    in_force = store.in_force(school, timezone.localdate())
    numbers = [row.number for row in rows]
    if asked is None or asked.strip() == "":
        number = in_force.number if in_force is not None else numbers[0]
    else:
        asked = asked.strip()
        listed = ", ".join(str(n) for n in numbers)
        # ASCII digits only, and few: "²".isdigit() is true yet int() refuses it, and a
        # number thousands of digits long passes Python's limit for int().
        if not re.fullmatch(r"[0-9]{1,6}", asked) or int(asked) not in numbers:
            shown = asked if len(asked) <= 20 else asked[:20] + "…"
            raise NoSuchVersion(
                f"There is no version “{shown}” of the policy at {school.name}. "
                f"Its versions are: {listed}."
            )
        number = int(asked)
    row = next(row for row in rows if row.number == number)
    return Chosen(row, store.as_version(row), in_force)


def _missing(request: HttpRequest, school: School, problem: NoSuchVersion) -> HttpResponse:
    return render(
        request,
        "web/policy/text_missing.html",
        {"problem": str(problem), "numbers": [row.number for row in store.rows(school)]},
        status=404,
    )


def _document_link(document: RelatedDocument) -> str:
    """Where a reader finds a document: its address, or the page it can be downloaded from."""
    return document.url or reverse("policy_document_file", args=[document.pk])


def _documents(chosen: Chosen) -> list[dict[str, Any]]:
    return [
        {
            "title": document.title,
            "kind": document.get_kind_display(),
            "link": _document_link(document),
            "external": bool(document.url),
            "file_name": document.file_name,
        }
        for document in documents.with_version(chosen.row)
    ]


def _absolute(link: str) -> str:
    """A link as the PDF prints it: a page of this site gets the site's address."""
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.SITE_URL.rstrip("/") + link


def _css_string(words: str) -> str:
    """Words as a CSS string, every character that could end it or the style element
    written as a hex escape."""
    safe = " ,.:-–"
    # An escape ends with one space, which CSS takes as part of it.
    return '"' + "".join(c if c.isalnum() or c in safe else f"\\{ord(c):x} " for c in words) + '"'


def page_css(school: School, version: Version) -> str:
    """The @page rule that prints the school, version and date at the top of every page
    (Chromium draws @page margin boxes; the page numbers are in policy-print.css)."""
    head = _css_string(policy_pdf.running_head(school.name, version))
    return f"@page {{ @top-left {{ content: {head}; }} }}\n"


def _context(request: HttpRequest, school: School, chosen: Chosen) -> dict[str, Any]:
    version = chosen.version
    return {
        "school": school,
        "version": version,
        "in_force": chosen.in_force,
        "is_in_force": chosen.in_force is not None and chosen.in_force.number == version.number,
        "future": version.effective_from > timezone.localdate(),
        "numbers": [row.number for row in store.rows(school)],
        "contacts": contacts.by_clause(contacts.for_school(school)),
        "people": contacts.people_by_clause(request.user, school),
        "documents": _documents(chosen),
        "changes": policy_pdf.appendix(store.versions(school), version.number),
    }


def _page(request: HttpRequest, printing: bool) -> HttpResponse:
    school = _school(request)
    if school is None:
        return no_school(request)
    try:
        chosen = _choose(school, request.GET.get("version"))
    except NoSuchVersion as problem:
        return _missing(request, school, problem)
    context = _context(request, school, chosen)
    context["printing"] = printing
    return render(request, "web/policy/text.html", context)


def text(request: HttpRequest) -> HttpResponse:
    """The school's policy as in force today, or ``?version=N``."""
    return _page(request, printing=False)


def text_print(request: HttpRequest) -> HttpResponse:
    """The same page laid out as it prints, without the site's header and footer."""
    return _page(request, printing=True)


def text_css(request: HttpRequest) -> HttpResponse:
    """The running head of a version's printed pages, as a style sheet the page links to
    (its words change with the version, so it cannot be a static file)."""
    school = _school(request)
    if school is None:
        return HttpResponse("/* not a member of a school */\n", status=403, content_type="text/css")
    try:
        chosen = _choose(school, request.GET.get("version"))
    except NoSuchVersion:
        return HttpResponse("/* no such version */\n", status=404, content_type="text/css")
    response = HttpResponse(page_css(school, chosen.version), content_type="text/css")
    response["Cache-Control"] = "private, no-cache"
    return response


def build_pdf(
    school: School, asked: str | None = None, viewer: contacts.User | None = None
) -> tuple[str, bytes]:
    """The file name and bytes of a version of the school's policy as a PDF (default: the
    one in force today). Raises NoSuchVersion. Used by the page and `fairwatch policy pdf`.

    The school's own people (7.5, 7.6) are printed only for a ``viewer`` who works at the
    school; with no viewer (the command) they are left out."""
    chosen = _choose(school, asked)
    people = contacts.people_by_clause(viewer, school) if viewer is not None else {}
    lines = [
        policy_pdf.DocumentLine(item["kind"], item["title"], _absolute(item["link"]))
        for item in _documents(chosen)
    ]
    body = policy_pdf.render(
        chosen.version,
        school.name,
        contacts.by_clause(contacts.for_school(school)),
        lines,
        policy_pdf.appendix(store.versions(school), chosen.version.number),
        people=people,
    )
    return policy_pdf.filename(school.slug, chosen.version.number), body


def text_pdf(request: HttpRequest) -> HttpResponse:
    """The version as a PDF download: oak-staff-policy-v3.pdf."""
    school = _school(request)
    if school is None:
        return no_school(request)
    try:
        name, body = build_pdf(school, request.GET.get("version"), request.user)
    except NoSuchVersion as problem:
        return _missing(request, school, problem)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _signed_in(view):
    return login_required(require_safe(view))


urlpatterns = [
    path("text/", _signed_in(text), name="policy_text"),
    path("text/print/", _signed_in(text_print), name="policy_text_print"),
    path("text/pdf/", _signed_in(text_pdf), name="policy_text_pdf"),
    path("text/print.css", _signed_in(text_css), name="policy_text_css"),
]
