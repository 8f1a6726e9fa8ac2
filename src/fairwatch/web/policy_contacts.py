"""Pages: the policy's contacts (3, 7.3, 8) and the documents it is read with (2).

Everyone at the school reads both; the Headteacher (or the trust's administrator) changes
them. The rules, the gate and the audit trail are in `fairwatch.policy.contacts` and
`fairwatch.policy.documents`; these views turn forms into calls and errors into messages
next to the fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fairwatch.errors import FieldErrors, WrongState
from fairwatch.policy import contacts, documents
from fairwatch.policy.models import Contact, RelatedDocument
from fairwatch.schools.models import School
from fairwatch.schools.permissions import Action, may

from .context import no_school, school_for_request
from .forms import add_errors, describe

# --- forms ---------------------------------------------------------------------------------
# Fields are optional here: the service says what is wrong, in one go, with the words the API
# uses. The forms only read the values.


def _text(label: str, hint: str = "", input_type: str = "text", **attrs: str) -> forms.CharField:
    widget = forms.TextInput(attrs={"type": input_type, **attrs})
    return forms.CharField(label=label, required=False, help_text=hint, widget=widget)


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of contact",
        # Short words, so the list fits a phone's screen.
        choices=[
            (k, "CEOP" if k == Contact.Kind.CEOP else label) for k, label in Contact.Kind.choices
        ],
        required=False,
        error_messages={"invalid_choice": "Choose what kind of contact this is from the list."},
    )
    name = _text("Name", autocomplete="off")
    phone = _text("Phone number", inputmode="tel", autocomplete="off")
    email = _text("Email address", input_type="email", autocomplete="off", spellcheck="false")
    url = _text(
        "Web address",
        "Starting https://. Give at least one of the phone number, email and web address.",
        inputmode="url",
        spellcheck="false",
    )
    note = forms.CharField(
        label="When to contact them",
        required=False,
        help_text="A line for staff, for example “Advice when you are unsure what is allowed.”",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    clauses = _text(
        "Policy clauses that refer to them",
        "Clause numbers separated by spaces, for example 7.3 8. The contact is shown next to "
        "those clauses.",
        inputmode="decimal",
    )


def _kind_choices() -> list[tuple[str, str]]:
    return [("", "Choose…"), *RelatedDocument.Kind.choices]


class LinkForm(forms.Form):
    kind = forms.ChoiceField(label="Which document", choices=_kind_choices, required=False)
    title = _text("Title", "As staff will see it, for example “Oak Primary online safety policy”.")
    url = _text("Web address", "Starting https://.", inputmode="url", spellcheck="false")


def _file(label: str) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        help_text="A PDF, Word (.docx or .doc), OpenDocument text (.odt) or plain text (.txt) "
        f"file, up to {documents.FILE_MAX // (1024 * 1024)} MB.",
        widget=forms.FileInput(attrs={"accept": ",".join(documents.TYPES)}),
    )


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="Which document", choices=_kind_choices, required=False)
    title = _text("Title", "As staff will see it, for example “Oak Primary online safety policy”.")
    file = _file("File")


class ReplaceForm(forms.Form):
    title = _text("Title", "Leave it as it is, or give the new document's title.")
    url = _text(
        "Web address of the new document",
        "Starting https://. Give a web address or choose a file, not both.",
        inputmode="url",
        spellcheck="false",
    )
    file = _file("Or upload the new document")


# --- helpers -------------------------------------------------------------------------------


def _may_change(request: HttpRequest, school: School) -> bool:
    return may(request.user, Action.PUBLISH_POLICY, school)


def _must_change(request: HttpRequest, school: School) -> None:
    """Forms to change them are only shown to those who may (the change itself is gated)."""
    if not _may_change(request, school):
        raise PermissionDenied(f"Only the Headteacher changes this at {school.name}.")


def _anchor(bound: forms.BoundField) -> str:
    return f"#{bound.id_for_label}"


def _problems(form: forms.Form) -> list[tuple[str, str]]:
    """Every error on the page, each with the link to its field."""
    out = [(str(message), "") for message in form.non_field_errors()]
    for name in form.fields:
        label = str(form[name].label)
        out.extend((f"{label}: {message}", _anchor(form[name])) for message in form[name].errors)
    return out


def _form_page(
    request: HttpRequest, template: str, form: forms.Form, **context: Any
) -> HttpResponse:
    describe(form)
    problems = _problems(form) if form.is_bound else []
    return render(
        request,
        template,
        {"form": form, "problems": problems, **context},
        status=400 if problems else 200,
    )


def _clauses(ids: list[str] | tuple[str, ...]) -> list[tuple[str, str]]:
    return [(clause, "clause-" + clause.replace(".", "-")) for clause in ids]


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size // 1024} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _file_kind(doc: RelatedDocument) -> str:
    return doc.file_name.rsplit(".", 1)[-1].upper() if "." in doc.file_name else "file"


def _shown(doc: RelatedDocument) -> dict[str, Any]:
    return {
        "doc": doc,
        "kind": doc.get_kind_display(),
        "is_file": bool(doc.file_name),
        "file_kind": _file_kind(doc),
        "size": _size(doc.size),
    }


def _in_kind_order(found: Iterable[RelatedDocument]) -> list[RelatedDocument]:
    """As clause 2 lists them: the online safety policy first, "other" last."""
    order = {kind: i for i, kind in enumerate(RelatedDocument.Kind.values)}
    return sorted(found, key=lambda doc: (order.get(doc.kind, len(order)), doc.added_at, doc.pk))


SchoolView = Callable[..., HttpResponse]


def _with_school(view: SchoolView) -> SchoolView:
    """The view with the request's school as its second argument; 403 page without one."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        school = school_for_request(request)
        if school is None:
            return no_school(request)
        return view(request, school, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(wrapped)


# --- contacts ------------------------------------------------------------------------------


@require_GET
@_with_school
def contact_list(request: HttpRequest, school: School) -> HttpResponse:
    if not may(request.user, Action.VIEW_POLICY, school):
        raise PermissionDenied(f"Only people at {school.name} read its contacts.")
    found = contacts.for_school(school)
    shown = [
        {
            "contact": contact,
            "tel": contacts.tel_href(contact.phone),
            "clauses": _clauses(contacts.clause_ids(contact)),
            "first": i == 0,
            "last": i == len(found) - 1,
        }
        for i, contact in enumerate(found)
    ]
    people = None  # the trust's administrator alone sees no school's people
    if contacts.sees_school_people(request.user, school):
        people = [
            {"person": person, "clauses": _clauses(person.clauses)}
            for person in contacts.school_people(school)
        ]
    return render(
        request,
        "web/policy/contacts/list.html",
        {"contacts": shown, "people": people, "may_change": _may_change(request, school)},
    )


def _contact(school: School, contact_id: int) -> Contact:
    try:
        return contacts.get(school, contact_id)
    except Contact.DoesNotExist:
        raise Http404("No such contact") from None


@require_http_methods(["GET", "POST"])
@_with_school
def contact_add(request: HttpRequest, school: School) -> HttpResponse:
    _must_change(request, school)
    if request.method != "POST":
        return _form_page(
            request, "web/policy/contacts/form.html", ContactForm(initial={"kind": "other"})
        )
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            added = contacts.add(request.user, school, **form.cleaned_data)
        except FieldErrors as e:
            add_errors(form, e.errors)
        else:
            messages.success(request, f"{added.name} is added to the contacts.")
            return redirect("policy_contacts")
    return _form_page(request, "web/policy/contacts/form.html", form)


@require_http_methods(["GET", "POST"])
@_with_school
def contact_edit(request: HttpRequest, school: School, contact_id: int) -> HttpResponse:
    _must_change(request, school)
    contact = _contact(school, contact_id)
    template = "web/policy/contacts/form.html"
    if request.method != "POST":
        initial = {name: getattr(contact, name) for name in contacts.FIELDS}
        return _form_page(request, template, ContactForm(initial=initial), contact=contact)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            changed = contacts.update(request.user, school, contact.pk, **form.cleaned_data)
        except FieldErrors as e:
            add_errors(form, e.errors)
        except Contact.DoesNotExist:
            raise Http404("No such contact") from None
        else:
            messages.success(request, f"The contact {changed.name} is saved.")
            return redirect("policy_contacts")
    return _form_page(request, template, form, contact=contact)


@require_http_methods(["GET", "POST"])
@_with_school
def contact_remove(request: HttpRequest, school: School, contact_id: int) -> HttpResponse:
    _must_change(request, school)
    contact = _contact(school, contact_id)
    if request.method == "POST":
        try:
            contacts.remove(request.user, school, contact.pk)
        except Contact.DoesNotExist:
            raise Http404("No such contact") from None
        messages.success(request, f"{contact.name} is taken off the contacts.")
        return redirect("policy_contacts")
    return render(request, "web/policy/contacts/remove.html", {"contact": contact})


@require_POST
@_with_school
def contact_move(request: HttpRequest, school: School, contact_id: int) -> HttpResponse:
    contact = _contact(school, contact_id)
    direction = request.POST.get("direction", "")
    try:
        contacts.move(request.user, school, contact.pk, direction)
    except FieldErrors as e:
        messages.error(request, str(e))
    except Contact.DoesNotExist:
        raise Http404("No such contact") from None
    else:
        messages.success(request, f"{contact.name} is moved {direction}.")
    return redirect("policy_contacts")


@require_http_methods(["GET", "POST"])
@_with_school
def contacts_reset(request: HttpRequest, school: School) -> HttpResponse:
    _must_change(request, school)
    if request.method == "POST":
        contacts.reset(request.user, school)
        messages.success(request, "The contacts are back to the model policy's.")
        return redirect("policy_contacts")
    defaults = [default[1] for default in contacts.DEFAULTS]
    return render(request, "web/policy/contacts/reset.html", {"defaults": defaults})


# --- documents -----------------------------------------------------------------------------


@require_GET
@_with_school
def document_list(request: HttpRequest, school: School) -> HttpResponse:
    if not may(request.user, Action.VIEW_POLICY, school):
        raise PermissionDenied(f"Only people at {school.name} read its documents.")
    return render(
        request,
        "web/policy/documents/list.html",
        {
            "current": [_shown(doc) for doc in _in_kind_order(documents.current(school))],
            "earlier": [_shown(doc) for doc in documents.earlier(school)],
            "may_change": _may_change(request, school),
        },
    )


def _document(school: School, doc_id: int) -> RelatedDocument:
    try:
        return documents.get(school, doc_id)
    except RelatedDocument.DoesNotExist:
        raise Http404("No such document") from None


@require_http_methods(["GET", "POST"])
@_with_school
def document_add_link(request: HttpRequest, school: School) -> HttpResponse:
    _must_change(request, school)
    template = "web/policy/documents/add_link.html"
    if request.method != "POST":
        return _form_page(request, template, LinkForm())
    form = LinkForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            doc = documents.add_link(request.user, school, data["kind"], data["title"], data["url"])
        except FieldErrors as e:
            add_errors(form, e.errors)
        else:
            messages.success(request, f"“{doc.title}” is added to the documents.")
            return redirect("policy_documents")
    return _form_page(request, template, form)


@require_http_methods(["GET", "POST"])
@_with_school
def document_upload(request: HttpRequest, school: School) -> HttpResponse:
    _must_change(request, school)
    template = "web/policy/documents/upload.html"
    if request.method != "POST":
        return _form_page(request, template, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            doc = documents.add_file(
                request.user, school, data["kind"], data["title"], data["file"] or None
            )
        except FieldErrors as e:
            add_errors(form, e.errors)
        else:
            messages.success(request, f"“{doc.title}” is uploaded.")
            return redirect("policy_documents")
    return _form_page(request, template, form, file_lost=bool(request.FILES))


@require_http_methods(["GET", "POST"])
@_with_school
def document_replace(request: HttpRequest, school: School, doc_id: int) -> HttpResponse:
    _must_change(request, school)
    old = _document(school, doc_id)
    template = "web/policy/documents/replace.html"
    if old.withdrawn_at is not None:
        messages.error(request, f"“{old.title}” was already withdrawn: add a new document.")
        return redirect("policy_documents")
    if request.method != "POST":
        return _form_page(request, template, ReplaceForm(initial={"title": old.title}), old=old)
    form = ReplaceForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            doc = documents.replace(
                request.user,
                school,
                old.pk,
                title=data["title"],
                url=data["url"],
                uploaded_file=data["file"] or None,
            )
        except FieldErrors as e:
            add_errors(form, e.errors)
        except WrongState as e:
            messages.error(request, str(e))
            return redirect("policy_documents")
        else:
            messages.success(request, f"“{doc.title}” replaces the earlier document.")
            return redirect("policy_documents")
    return _form_page(request, template, form, old=old, file_lost=bool(request.FILES))


@require_http_methods(["GET", "POST"])
@_with_school
def document_withdraw(request: HttpRequest, school: School, doc_id: int) -> HttpResponse:
    _must_change(request, school)
    doc = _document(school, doc_id)
    if request.method == "POST":
        try:
            documents.withdraw(request.user, school, doc.pk)
        except WrongState as e:
            messages.error(request, str(e))
        else:
            messages.success(
                request, f"“{doc.title}” is withdrawn. It is kept under Earlier documents."
            )
        return redirect("policy_documents")
    return render(request, "web/policy/documents/withdraw.html", {"doc": doc})


@require_GET
@_with_school
def document_file(request: HttpRequest, school: School, doc_id: int) -> HttpResponse:
    """A document's file, always as a download, never shown in the page."""
    try:
        found = documents.download(request.user, school, doc_id)  # gate.Refused → 403
    except RelatedDocument.DoesNotExist:
        raise Http404("No such document") from None
    response = HttpResponse(bytes(found.content), content_type=documents.download_type(found))
    response["Content-Disposition"] = content_disposition_header(True, found.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


urlpatterns = [
    path("contacts/", contact_list, name="policy_contacts"),
    path("contacts/add/", contact_add, name="policy_contact_add"),
    path("contacts/reset/", contacts_reset, name="policy_contacts_reset"),
    path("contacts/<int:contact_id>/edit/", contact_edit, name="policy_contact_edit"),
    path("contacts/<int:contact_id>/remove/", contact_remove, name="policy_contact_remove"),
    path("contacts/<int:contact_id>/move/", contact_move, name="policy_contact_move"),
    path("documents/", document_list, name="policy_documents"),
    path("documents/add-link/", document_add_link, name="policy_document_add_link"),
    path("documents/upload/", document_upload, name="policy_document_upload"),
    path("documents/<int:doc_id>/replace/", document_replace, name="policy_document_replace"),
    path("documents/<int:doc_id>/withdraw/", document_withdraw, name="policy_document_withdraw"),
    path("documents/<int:doc_id>/file/", document_file, name="policy_document_file"),
]
