"""The `fairwatch` command. Each command is a thin layer over a library function."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Fairwatch: a school's staff policy on email, internet and social media, in practice.",
    no_args_is_help=True,
    add_completion=False,
)
school_app = typer.Typer(help="Create and list schools.", no_args_is_help=True)
org_app = typer.Typer(help="Trusts and local authorities.", no_args_is_help=True)
import_app = typer.Typer(help="Import data from the school's MIS.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
role_app = typer.Typer(help="Give or take away roles by hand.", no_args_is_help=True)
user_app = typer.Typer(help="Log-in accounts and API tokens.", no_args_is_help=True)
privacy_app = typer.Typer(help="Pseudonyms and their keys.", no_args_is_help=True)
retention_app = typer.Typer(help="Delete what has been kept long enough.", no_args_is_help=True)
ingest_app = typer.Typer(help="Take in web-proxy and DNS logs.", no_args_is_help=True)
categories_app = typer.Typer(help="The web category lists.", no_args_is_help=True)
app.add_typer(school_app, name="school")
app.add_typer(org_app, name="org")
app.add_typer(import_app, name="import")
app.add_typer(audit_app, name="audit")
app.add_typer(role_app, name="role")
app.add_typer(user_app, name="user")
app.add_typer(privacy_app, name="privacy")
app.add_typer(retention_app, name="retention")
app.add_typer(ingest_app, name="ingest")
app.add_typer(categories_app, name="categories")

out = Console()
err = Console(stderr=True, soft_wrap=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def _django(*, migrated: bool = True) -> None:
    """Set Django up; with `migrated`, stop with a clear error when the database has not been
    set up (or is behind this version) rather than fail on a missing table later."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairwatch.web.settings")
    import django

    django.setup()
    if migrated:
        from django.db import DatabaseError, connection
        from django.db.migrations.executor import MigrationExecutor

        try:
            executor = MigrationExecutor(connection)
            behind = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as exc:
            raise _fail(f"cannot open the database: {exc}") from exc
        if behind:
            raise _fail(
                "the database is not set up for this version of Fairwatch: run "
                "`fairwatch setup` (or `make run`) first"
            )


def _emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _school(slug: str):
    from fairwatch.schools.models import School

    school = School.objects.filter(slug=slug).first()
    if school is None:
        known = ", ".join(School.objects.values_list("slug", flat=True)) or "none yet"
        raise _fail(
            f"no school {slug!r} (schools: {known}); create it with `fairwatch school create`"
        )
    return school


def _validation_message(exc) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


@app.command()
def setup(quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False) -> None:
    """Create or migrate the database named by DATABASE_URL (default: SQLite under var/)."""
    _django(migrated=False)
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0 if quiet else 1)
    db = settings.DATABASES["default"]
    where = db["NAME"] if "sqlite" in db["ENGINE"] else f"{db.get('HOST')}/{db['NAME']}"
    if not quiet:
        out.print(f"Database ready: {where}")


@app.command()
def demo(
    json_out: JsonOption = False,
) -> None:
    """Load the fictional demo school (once) and print a log-in for each role."""
    _django()
    from fairwatch.schools.demo import load_demo

    result = load_demo()
    if json_out:
        _emit_json(result)
        return
    verb = "Loaded" if result["created"] else "Using the existing"
    out.print(f"{verb} demo school [bold]{result['school_name']}[/] ({result['school']}).")
    table = Table(title="Demo log-ins (password for all: " + result["password"] + ")")
    table.add_column("role")
    table.add_column("log in as")
    for role, email in result["logins"].items():
        table.add_row(role, email)
    out.print(table)
    if result["emails_held"]:
        out.print(
            f"Loading the demo sent {result['emails_held']} emails (a concern for you, please "
            "read the policy, ...); they were not printed. From now on emails appear here."
        )


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Start the web app (the development server; use a WSGI server in production)."""
    _django()
    from django.core.management import call_command

    out.print(f"Fairwatch is at http://{host}:{port}/  (Ctrl-C to stop)")
    call_command("runserver", f"{host}:{port}", use_reloader=False)


@app.command()
def clauses(json_out: JsonOption = False) -> None:
    """List the policy's clause catalogue."""
    from fairwatch.catalogue import model_catalogue

    catalogue = model_catalogue()
    if json_out:
        _emit_json(
            [{"id": c.id, "title": c.title, "parent": c.parent, "text": c.text} for c in catalogue]
        )
        return
    table = Table("clause", "title")
    for c in catalogue:
        table.add_row(("  " * c.depth) + c.id, c.title)
    out.print(table)


# ------------------------------------------------------------------ organisations, schools


@org_app.command("create")
def org_create(
    slug: Annotated[str, typer.Option(help="short name used in commands, e.g. broadland")],
    name: Annotated[str, typer.Option(help="full name")],
    kind: Annotated[str, typer.Option(help="trust, authority or standalone")] = "trust",
) -> None:
    """Create a trust or local authority."""
    _django()
    from django.core.exceptions import ValidationError

    from fairwatch.schools.services import create_organisation

    try:
        org = create_organisation(slug, name, kind)
    except ValidationError as exc:
        raise _fail(_validation_message(exc)) from None
    out.print(f"Created {org.get_kind_display().lower()} {org.name} ({org.slug}).")


@org_app.command("admin")
def org_admin(
    org: Annotated[str, typer.Option("--org", help="organisation slug")],
    email: Annotated[str, typer.Option(help="the administrator's address")],
    name: str = "",
) -> None:
    """Make someone a trust/authority administrator (manages schools; sees no pupil data)."""
    _django()
    from fairwatch.audit.gate import record
    from fairwatch.schools.models import Organisation
    from fairwatch.schools.services import make_org_admin

    organisation = Organisation.objects.filter(slug=org).first()
    if organisation is None:
        raise _fail(f"no organisation {org!r}")
    user = make_org_admin(organisation, email, name)
    record(
        user=None,
        action="org.admin.grant",
        outcome="done",
        object_type="user",
        object_id=str(user.pk),
        detail={"organisation": organisation.slug},
    )
    out.print(
        f"{email} administers {organisation.name}. Set a password with "
        f"`fairwatch user set-password {email}`."
    )


@school_app.command("create")
def school_create(
    slug: Annotated[str, typer.Option(help="short name used in commands, e.g. oakfield")],
    name: Annotated[str, typer.Option(help="the school's name")],
    domain: Annotated[list[str], typer.Option(help="a mail domain staff send from (repeatable)")],
    pupil_domain: Annotated[str, typer.Option(help="the domain of pupils' mailboxes")] = "",
    org: Annotated[str, typer.Option("--org", help="trust or authority slug")] = "",
    json_out: JsonOption = False,
) -> None:
    """Create a school with its mail domains."""
    _django()
    from django.core.exceptions import ValidationError

    from fairwatch.audit.gate import record
    from fairwatch.schools.models import Organisation
    from fairwatch.schools.services import create_school

    organisation = None
    if org:
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise _fail(f"no organisation {org!r}; create it with `fairwatch org create`")
    try:
        school = create_school(
            slug=slug,
            name=name,
            domains=domain,
            pupil_domain=pupil_domain,
            organisation=organisation,
        )
    except ValidationError as exc:
        raise _fail(_validation_message(exc)) from None
    record(
        user=None,
        school=school,
        action="school.create",
        outcome="done",
        object_type="school",
        object_id=str(school.pk),
    )
    if json_out:
        _emit_json(
            {
                "slug": school.slug,
                "name": school.name,
                "domains": school.domain_names,
                "pupil_domain": school.pupil_domain,
                "organisation": school.organisation.slug,
            }
        )
    else:
        out.print(f"Created {school.name} ({school.slug}) in {school.organisation.name}.")


@school_app.command("list")
def school_list(json_out: JsonOption = False) -> None:
    """List schools with their domains and head-counts."""
    _django()
    from django.db.models import Count, Q

    from fairwatch.schools.models import Person, School

    current = Q(people__status=Person.Status.CURRENT)
    schools = (
        School.objects.select_related("organisation")
        .prefetch_related("domains")
        .annotate(
            pupils=Count("people", filter=current & Q(people__kind=Person.Kind.PUPIL)),
            staff=Count("people", filter=current & Q(people__roster=Person.Roster.STAFF)),
        )
    )
    rows = [
        {
            "slug": s.slug,
            "name": s.name,
            "organisation": s.organisation.slug,
            "domains": s.domain_names,
            "pupil_domain": s.pupil_domain,
            "pupils": s.pupils,
            "staff": s.staff,
        }
        for s in schools
    ]
    if json_out:
        _emit_json(rows)
        return
    table = Table("slug", "name", "organisation", "domains", "pupils", "staff")
    for r in rows:
        table.add_row(
            r["slug"],
            r["name"],
            r["organisation"],
            ", ".join(r["domains"]),
            str(r["pupils"]),
            str(r["staff"]),
        )
    out.print(table)


@school_app.command("set")
def school_set(
    slug: Annotated[str, typer.Option(help="school slug")],
    approved_sender: Annotated[
        list[str] | None,
        typer.Option(help="an address or domain approved to send for the school (repeatable)"),
    ] = None,
    known_domain: Annotated[
        list[str] | None,
        typer.Option(help="a partner's mail domain: the authority, trust, HR (repeatable)"),
    ] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="replace the lists instead of adding to them")
    ] = False,
) -> None:
    """Complete what the email checks know about a school (clauses 4.2 and 4.5)."""
    _django()
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from fairwatch.audit.gate import record
    from fairwatch.schools.models import ApprovedSender, KnownDomain
    from fairwatch.schools.services import normalise_domain

    target = _school(slug)
    try:
        senders = [_sender(v, normalise_domain) for v in approved_sender or []]
        domains = [normalise_domain(d) for d in known_domain or []]
    except ValidationError as exc:
        raise _fail(_validation_message(exc)) from None
    with transaction.atomic():
        if clear:
            target.approved_senders.all().delete()
            target.known_domains.all().delete()
        for value in senders:
            ApprovedSender.objects.get_or_create(school=target, value=value)
        for domain in domains:
            KnownDomain.objects.get_or_create(school=target, domain=domain)
    record(
        user=None,
        school=target,
        action="school.set",
        outcome="done",
        object_type="school",
        object_id=str(target.pk),
        detail={"approved_senders": len(senders), "known_domains": len(domains), "clear": clear},
    )
    approved = ", ".join(s.value for s in target.approved_senders.all()) or (
        "the school's own domains: " + ", ".join(target.domain_names)
    )
    known = ", ".join(d.domain for d in target.known_domains.all()) or "none"
    out.print(f"{target.name}\n  approved senders: {approved}\n  known domains: {known}")


closure_app = typer.Typer(
    help="Days the school is closed (not working days).", no_args_is_help=True
)
school_app.add_typer(closure_app, name="closure")


def _day(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(f"--{option}: {value!r} is not a date (YYYY-MM-DD)") from None


@closure_app.command("add")
def closure_add(
    slug: Annotated[str, typer.Option(help="school slug")],
    first: Annotated[str, typer.Option("--from", help="the first closed day, YYYY-MM-DD")],
    last: Annotated[
        str | None, typer.Option("--to", help="the last closed day (default: the first)")
    ] = None,
    name: Annotated[str, typer.Option(help='what it is: "Christmas holiday", "INSET day"')] = "",
) -> None:
    """Record days the school is closed: a case's working-day clock skips them (7.6)."""
    _django()
    from django.core.exceptions import ValidationError

    from fairwatch.audit.gate import record
    from fairwatch.schools import closures

    target = _school(slug)
    first_day = _day(first, "from")
    last_day = _day(last, "to") if last else None
    try:
        closure = closures.add(target, first_day, last_day, name)
    except ValidationError as exc:
        raise _fail(_validation_message(exc)) from None
    record(
        user=None,
        school=target,
        action="school.closure.add",
        outcome="done",
        object_type="closure",
        object_id=str(closure.pk),
        detail={"first_day": str(closure.first_day), "last_day": str(closure.last_day)},
    )
    out.print(f"{target.name} is closed {closure.first_day} to {closure.last_day} {closure.name}")


@closure_app.command("list")
def closure_list(
    slug: Annotated[str, typer.Option(help="school slug")], json_out: JsonOption = False
) -> None:
    """The school's closure dates, earliest first."""
    _django()
    target = _school(slug)
    rows = [
        {"id": c.pk, "first_day": str(c.first_day), "last_day": str(c.last_day), "name": c.name}
        for c in target.closures.all()
    ]
    if json_out:
        _emit_json(rows)
        return
    table = Table("id", "from", "to", "name")
    for r in rows:
        table.add_row(str(r["id"]), r["first_day"], r["last_day"], r["name"])
    out.print(table)


def _sender(value: str, normalise_domain) -> str:
    """An approved sender is a whole address or a domain."""
    local, at, domain = value.strip().lower().rpartition("@")
    if at and local:
        return f"{local}@{normalise_domain(domain, 'approved_sender')}"
    return normalise_domain(value, "approved_sender")


# ------------------------------------------------------------------ email checks


@app.command("check-email")
def check_email(
    files: Annotated[
        list[Path], typer.Argument(help=".eml, .msg or mbox files (mbox may be gzipped)")
    ],
    school: Annotated[str, typer.Option(help="school slug")],
    json_out: JsonOption = False,
) -> None:
    """Check emails against the policy's email clauses (4.1–4.5) and for personal data.

    Exit 0: nothing of medium severity or above; 1: at least one such finding;
    2: a file could not be read (the others are still checked).
    """
    _django()
    from fairwatch.audit.gate import record
    from fairwatch.checks.engine import check_message
    from fairwatch.checks.findings import Severity
    from fairwatch.checks.parse import MessageTooLarge, UnreadableMessage, read_file
    from fairwatch.schools.check_context import school_context

    # The .msg and PDF readers log every oddity of a file; we report what matters ourselves.
    for noisy in ("extract_msg", "pypdf", "RTFDE", "olefile"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    target = _school(school)
    context = school_context(target)
    results, unreadable, worst = [], 0, Severity.INFO
    for path in files:
        try:
            for label, message in read_file(path):
                findings = check_message(message, context)
                worst = max([worst, *(f.severity for f in findings)])
                results.append(
                    {
                        "file": label,
                        "message_id": message.message_id,
                        "subject": message.subject,
                        "findings": findings,
                    }
                )
        except (UnreadableMessage, MessageTooLarge) as exc:
            unreadable += 1
            err.print(f"[bold red]cannot read[/] {exc}", highlight=False)
    record(
        user=None,
        school=target,
        action="email.check",
        outcome="done",
        clause="4",
        detail={
            "messages": len(results),
            "unreadable": unreadable,
            "findings": sum(len(r["findings"]) for r in results),
        },
    )
    if json_out:
        _emit_json(
            {
                "messages": [
                    {
                        "file": r["file"],
                        "message_id": r["message_id"],
                        "findings": [f.as_dict() for f in r["findings"]],
                    }
                    for r in results
                ]
            }
        )
    else:
        _print_findings(results)
    if unreadable:
        raise typer.Exit(2)
    if worst >= Severity.MEDIUM:
        raise typer.Exit(1)


def _print_findings(results: list[dict[str, Any]]) -> None:
    colours = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
    for r in results:
        findings = r["findings"]
        out.print(f"[bold]{r['file']}[/]  {r['subject'] or '(no subject)'}", highlight=False)
        if not findings:
            out.print("  [green]no findings[/]")
        for f in findings:
            sev = str(f.severity)
            out.print(
                f"  [{colours[sev]}]{sev:<6}[/] [bold]{f.clause}[/] {f.message}", highlight=False
            )
            out.print(f"         [dim]what to do:[/] {f.fix}", highlight=False)


# ------------------------------------------------------------------ roster


@import_app.command("roster")
def import_roster_cmd(
    school: Annotated[str, typer.Option(help="school slug")],
    pupils: Annotated[Path | None, typer.Option(help="pupils CSV")] = None,
    staff: Annotated[Path | None, typer.Option(help="staff CSV")] = None,
    contacts: Annotated[Path | None, typer.Option(help="parents/carers CSV")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="check and count; change nothing")
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Import pupils, staff and/or contacts. Any bad row: nothing changes, exit code 1.

    Columns (header row, UTF-8 with or without BOM; common MIS spellings accepted):
    pupils: upn,forename,surname,preferred_forename,preferred_surname,email,year_group;
    staff: staff_id,forename,surname,preferred_name,email,roles (separated by ;);
    contacts: contact_id,forename,surname,email,phone,pupil_upn,relationship.
    """
    _django()
    from fairwatch.schools.roster import RosterInvalid, import_roster, read_roster_file

    if not (pupils or staff or contacts):
        raise _fail("give at least one of --pupils, --staff, --contacts", 2)
    target = _school(school)
    try:
        files = {
            kind: read_roster_file(kind, path)
            for kind, path in (("pupils", pupils), ("staff", staff), ("contacts", contacts))
            if path is not None
        }
        report = import_roster(target, dry_run=dry_run, **files)
    except RosterInvalid as exc:
        if json_out:
            _emit_json({"ok": False, "errors": [vars(e) for e in exc.errors]})
        else:
            for e in exc.errors[:50]:
                typer.echo(str(e), err=True)  # one problem per line, never wrapped
            more = len(exc.errors) - 50
            if more > 0:
                err.print(f"… and {more} more")
            err.print(f"[bold red]Refused:[/] {len(exc.errors)} problem(s); nothing was changed.")
        raise typer.Exit(1) from None
    if json_out:
        _emit_json({"ok": True, **report.as_dict()})
        return
    title = (
        "Roster check (dry run: nothing changed)" if dry_run else f"Roster imported: {target.name}"
    )
    table = Table("file", "added", "updated", "unchanged", "returned", "left", title=title)
    for kind, c in report.counts.items():
        table.add_row(
            kind, *(str(x) for x in (c.added, c.updated, c.unchanged, c.returned, c.left))
        )
    out.print(table)
    out.print(
        f"links +{report.links_added} −{report.links_removed}; roles +{report.roles_granted} "
        f"−{report.roles_ended}; accounts +{report.accounts_created} "
        f"disabled {report.accounts_disabled}"
    )
    for kind, columns in report.ignored_columns.items():
        out.print(f"[dim]{kind}: ignored columns {', '.join(columns)}[/]")


# ------------------------------------------------------------------ audit


@privacy_app.command("rotate-key")
def privacy_rotate_key(
    school: Annotated[str, typer.Option("--school", help="The school's slug.")],
    json_out: JsonOption = False,
) -> None:
    """Give the school a new pseudonym key and re-key every stored pseudonym under it (links
    between events are kept). The old key file is replaced: back up the new one."""
    _django()
    from fairwatch.monitoring.keystore import key_path
    from fairwatch.monitoring.pseudonyms import rotate_key
    from fairwatch.schools.models import School

    found = School.objects.filter(slug=school).first()
    if found is None:
        err.print(f"No school with the slug {school!r} (see: fairwatch school list).")
        raise typer.Exit(2)
    mapping = rotate_key(found)
    if json_out:
        _emit_json(
            {"school": school, "pseudonyms": len(mapping), "key_file": str(key_path(found.pk))}
        )
    else:
        out.print(
            f"{found.name}: new pseudonym key in {key_path(found.pk)}; {len(mapping)} "
            "pseudonym(s) re-keyed. Back up the new key file."
        )


def _host_port(value: str, option: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise _fail(f"{option} must be HOST:PORT, e.g. 127.0.0.1:2525 (got {value!r})", 2)
    return host.strip("[]"), int(port)


@app.command()
def relay(
    listen: Annotated[str, typer.Option(help="Where to listen, HOST:PORT.")] = "127.0.0.1:2525",
    upstream: Annotated[
        str, typer.Option(help="The school's real smarthost, HOST:PORT.")
    ] = "127.0.0.1:25",
    school: Annotated[
        list[str] | None,
        typer.Option(help="A school to relay for (repeat for several; default: all)."),
    ] = None,
    upstream_starttls: Annotated[bool, typer.Option(help="Use STARTTLS upstream.")] = False,
    upstream_user: Annotated[str, typer.Option(help="Log in upstream as this user.")] = "",
    upstream_password_file: Annotated[
        Path | None, typer.Option(help="File holding the upstream password.")
    ] = None,
    tls_cert: Annotated[Path | None, typer.Option(help="Offer STARTTLS with this cert.")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="The key for --tls-cert.")] = None,
    require_starttls: Annotated[bool, typer.Option(help="Refuse mail before STARTTLS.")] = False,
    auth: Annotated[
        bool, typer.Option(help="Require SMTP AUTH with a Fairwatch log-in (needs TLS).")
    ] = False,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Workers delivering queued mail.")
    ] = 4,
    processes: Annotated[
        int,
        typer.Option(min=0, max=64, help="Processes taking mail in (0: one per core)."),
    ] = 0,
) -> None:
    """Run the SMTP relay: check each message (clause 4), then pass it on, warn, hold or reject
    it by the school's rules. Mail is answered 250 only once the smarthost has it or it is
    queued on disk; Ctrl-C or SIGTERM stops it after the deliveries in flight."""
    import ssl

    _django()
    from django.contrib.auth import authenticate
    from django.db import connections

    from fairwatch.mailflow.relay import record_event, setup_for, spool
    from fairwatch.relay.server import Config, Upstream, serve
    from fairwatch.schools.models import School

    listen_host, listen_port = _host_port(listen, "--listen")
    up_host, up_port = _host_port(upstream, "--upstream")
    schools = [_school(slug) for slug in school] if school else list(School.objects.all())
    if not schools:
        raise _fail("there are no schools yet: create one with `fairwatch school create`")
    tls = None
    if tls_cert or tls_key:
        if not (tls_cert and tls_key):
            raise _fail("--tls-cert and --tls-key go together", 2)
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            tls.load_cert_chain(tls_cert, tls_key)
        except (OSError, ssl.SSLError) as exc:
            raise _fail(f"cannot load {tls_cert} / {tls_key}: {exc}", 2) from None
    if auth and tls is None:
        raise _fail("--auth sends passwords, so it needs --tls-cert and --tls-key", 2)
    password = ""
    if upstream_password_file is not None:
        try:
            password = upstream_password_file.read_text().strip()
        except OSError as exc:
            raise _fail(f"cannot read {upstream_password_file}: {exc.strerror}", 2) from None

    def log_in(username: str, secret: str) -> bool:
        return authenticate(username=username, password=secret) is not None

    processes = processes or os.cpu_count() or 1
    out.print(f"Preparing the checks for {len(schools)} school(s)…")
    config = Config(
        schools={s.slug: setup_for(s) for s in schools},
        upstream=Upstream(
            up_host, up_port, starttls=upstream_starttls, username=upstream_user, password=password
        ),
        spool=spool(),
        workers=workers,
        on_event=record_event,
        tls_context=tls,
        require_starttls=require_starttls,
        authenticate=log_in if auth else None,
        reload=lambda: {s.slug: setup_for(s) for s in schools},  # every five minutes
    )

    def ready(port: int) -> None:
        out.print(
            f"Relaying for {', '.join(s.slug for s in schools)} on {listen_host}:{port} "
            f"({processes} process(es)), delivering to {up_host}:{up_port}; "
            f"spool {config.spool.root}. Ctrl-C stops it."
        )

    connections.close_all()  # each process opens its own
    serve(config, listen_host, listen_port, processes=processes, ready=ready)


@retention_app.command("run")
def retention_run(
    school: Annotated[
        str | None, typer.Option("--school", help="Only this school (default: all).")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Close exercises past their end, delete identified extracts past the school's retention
    (recording each deletion), delete old pseudonymised activity and expired downloads. Safe
    to run at any time; run it daily from cron or a systemd timer."""
    _django()
    from fairwatch.monitoring import retention

    summary = retention.run(school=_school(school) if school else None)
    if json_out:
        _emit_json(summary.as_dict())
        return
    out.print(
        f"Retention run at {summary.now} over {len(summary.schools)} school(s): "
        f"{summary.exercises_activated} exercise(s) started, {summary.exercises_closed} closed "
        f"at their end, {summary.exercises_purged} purged ({summary.extracts_deleted} "
        f"identified extract(s) deleted); {summary.activity_deleted} old activity record(s) "
        f"and {summary.downloads_expired} expired download(s) deleted."
    )


@audit_app.command("verify")
def audit_verify(json_out: JsonOption = False) -> None:
    """Check the whole chain. Exit 0 if intact; 1 naming the first bad entry."""
    _django()
    from fairwatch.audit.chain import verify

    result = verify()
    if json_out:
        _emit_json(vars(result))
    elif result.ok:
        out.print(f"Audit trail intact: {result.entries} entries.")
        # Written down elsewhere (a ticket, an email to the DPO), these show later whether
        # entries were cut off the end together with the head.
        out.print(f"Head: #{result.head_seq} {result.head_hash}", highlight=False)
    else:
        err.print(
            f"[bold red]Audit trail broken[/] at entry #{result.first_bad_seq}: {result.problem}",
            highlight=False,
        )
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("show")
def audit_show(
    last: Annotated[
        int, typer.Option(min=1, max=10_000, help="how many of the latest entries")
    ] = 20,
    json_out: JsonOption = False,
) -> None:
    """Show the latest entries (server operators only: this reads the database directly)."""
    _django()
    from fairwatch.audit.gate import Purpose, record
    from fairwatch.audit.models import AuditEntry
    from fairwatch.schools.permissions import Action

    entries = list(AuditEntry.objects.select_related("school").order_by("-seq")[:last])[::-1]
    record(
        user=None,
        action=Action.READ_AUDIT.value,
        outcome="allowed",
        purpose=Purpose.AUDIT_REVIEW,
        detail={"entries": len(entries)},
    )
    rows = [
        {
            "seq": e.seq,
            "at": e.at.isoformat(),
            "who": e.actor_label,
            "role": e.role,
            "school": e.school.slug if e.school else "",
            "action": e.action,
            "object": f"{e.object_type}:{e.object_id}".strip(":"),
            "purpose": e.purpose,
            "outcome": e.outcome,
        }
        for e in entries
    ]
    if json_out:
        _emit_json(rows)
        return
    table = Table("#", "when", "who", "role", "school", "action", "object", "purpose", "outcome")
    for r in rows:
        table.add_row(
            str(r["seq"]),
            r["at"][:19],
            r["who"],
            r["role"],
            r["school"],
            r["action"],
            r["object"],
            r["purpose"],
            r["outcome"],
        )
    out.print(table)


# ------------------------------------------------------------------ roles, users


@role_app.command("grant")
def role_grant(
    school: Annotated[str, typer.Option(help="school slug")],
    email: Annotated[str, typer.Option(help="a current staff member's address")],
    role: Annotated[str, typer.Option(help="staff, headteacher, chair_of_governors, dsl, dpo, …")],
) -> None:
    """Give a role by hand (kept across roster imports until revoked)."""
    _django()
    from django.core.exceptions import ValidationError

    from fairwatch.audit.gate import record
    from fairwatch.roles import parse_role
    from fairwatch.schools.services import grant_role

    target = _school(school)
    try:
        assignment = grant_role(target, email, parse_role(role))
    except (ValidationError, ValueError) as exc:
        msg = _validation_message(exc) if isinstance(exc, ValidationError) else str(exc)
        raise _fail(msg) from None
    record(
        user=None,
        school=target,
        action="role.grant",
        outcome="done",
        object_type="role_assignment",
        object_id=str(assignment.pk),
        detail={"role": assignment.role},
    )
    out.print(f"{email} is now {assignment.get_role_display()} at {target.name}.")


@role_app.command("revoke")
def role_revoke(
    school: Annotated[str, typer.Option(help="school slug")],
    email: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option()],
) -> None:
    """End a role."""
    _django()
    from fairwatch.audit.gate import record
    from fairwatch.roles import parse_role
    from fairwatch.schools.services import revoke_role

    target = _school(school)
    try:
        parsed = parse_role(role)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    ended = revoke_role(target, email, parsed)
    if not ended:
        raise _fail(f"{email} does not hold {parsed.value} at {target.slug}")
    for assignment in ended:
        record(
            user=None,
            school=target,
            action="role.revoke",
            outcome="done",
            object_type="role_assignment",
            object_id=str(assignment.pk),
            detail={"role": parsed.value, "person": assignment.person_id},
        )
    out.print(f"{email} is no longer {parsed.label} at {target.name}.")
    if any(a.source == "roster" for a in ended):
        out.print(
            "This role came from the staff roster: the next import gives it back unless "
            "the roster no longer lists it."
        )


@user_app.command("set-password")
def user_set_password(
    email: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set someone's log-in password (checked against the password rules)."""
    _django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from fairwatch.audit.gate import record

    user = get_user_model().objects.filter(username=email.lower()).first()
    if user is None:
        raise _fail(
            f"no account {email}; staff get one when a roster with their address is imported"
        )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise _fail(" ".join(exc.messages)) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    record(
        user=None,
        action="user.set_password",
        outcome="done",
        object_type="user",
        object_id=str(user.pk),
    )
    out.print(f"Password set for {email}.")


@user_app.command("token")
def user_token(
    email: str,
    name: Annotated[str, typer.Option(help="what the token is for")] = "api",
) -> None:
    """Issue an API token for an account; it is shown once."""
    _django()
    from django.contrib.auth import get_user_model

    from fairwatch.audit.gate import record
    from fairwatch.schools.services import issue_token

    user = get_user_model().objects.filter(username=email.lower(), is_active=True).first()
    if user is None:
        raise _fail(f"no active account {email}")
    token, secret = issue_token(user, name)
    record(
        user=None,
        action="token.issue",
        outcome="done",
        object_type="api_token",
        object_id=str(token.pk),
    )
    out.print(f"Token for {email} ({name}): {secret}\nSend it as: Authorization: Bearer {secret}")


@ingest_app.command("weblog")
def ingest_weblog(
    files: Annotated[list[Path], typer.Argument(help="Log files (plain or gzip).")],
    school: Annotated[str, typer.Option("--school", help="The school the logs are from.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="auto, squid, squid-common, e2guardian, bind, dnsmasq, zeek-http or zeek-dns.",
        ),
    ] = "auto",
    json_out: JsonOption = False,
) -> None:
    """Read web-proxy or DNS logs into daily totals per pseudonym, category and site (clauses
    3.1-3.3, 7). User names, email addresses and client addresses are pseudonymised as they are
    read; pupils' accounts are left out. A file read before adds nothing; one that has grown
    adds what is new. Malformed lines are counted and the first ones kept, masked, in a
    quarantine file. Exits 1 when a file cannot be read as a log (nothing is stored then)."""
    import time

    _django()
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from fairwatch.internet import ingest
    from fairwatch.weblogs import formats
    from fairwatch.weblogs.ingest import LogProblem, is_gzip

    if fmt != "auto" and fmt not in formats.FORMATS:
        raise _fail(f"--format {fmt!r}: give auto or one of {', '.join(formats.FORMATS)}")
    target = _school(school)
    for f in files:
        if not f.is_file():
            raise _fail(f"{f}: no such file")
    total = sum(f.stat().st_size for f in files)
    compressed = any(is_gzip(f) for f in files)
    seen = {"lines": 0, "bytes": 0}
    with Progress(
        TextColumn("[bold]Reading logs"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=err,
        disable=json_out or not err.is_terminal,
        transient=True,
    ) as bar:
        task = bar.add_task("ingest", total=None if compressed else total, rate="")
        started = time.perf_counter()

        def progress(lines: int, nbytes: int) -> None:
            seen["lines"] += lines
            seen["bytes"] += nbytes
            elapsed = max(time.perf_counter() - started, 1e-6)
            rate = f"{seen['lines']:,} lines, {seen['lines'] / elapsed:,.0f} lines/s"
            bar.update(task, completed=seen["bytes"], rate=rate)

        try:
            summary = ingest.run(target, files, fmt=fmt, by="cli", progress=progress)
        except LogProblem as exc:
            raise _fail(str(exc)) from exc
    if json_out:
        _emit_json(summary.__dict__)
    else:
        people = "1 person" if summary.people == 1 else f"{summary.people:,} people"
        out.print(
            f"{summary.lines:,} lines read: {summary.requests:,} requests by {people} "
            f"(pseudonymised), {summary.bad:,} malformed, {summary.pupils_left_out:,} from "
            f"pupils' accounts left out; {summary.alerts} alert(s) for the DSL and Headteacher. "
            f"{summary.seconds:.1f} s ({summary.lines / max(summary.seconds, 1e-6):,.0f} lines/s)."
        )
        table = Table("category", "requests")
        for cat, n in list(summary.categories.items())[:15]:
            table.add_row(cat, f"{n:,}")
        out.print(table)
        for f in summary.files:
            if f["quarantine"]:
                out.print(f"Malformed lines of {f['file']}: {f['quarantine']}")
            if f["already_had_bytes"]:
                out.print(f"{f['file']}: read before up to byte {f['already_had_bytes']:,}")


@categories_app.command("import")
def categories_import(
    source: Annotated[Path, typer.Argument(help="A UT1 folder or a .tar.gz of one.")],
    json_out: JsonOption = False,
) -> None:
    """Compile category lists in UT1's layout (a folder per category with `domains`, and
    `urls` when it has one) into the index every ingest uses, replacing the one installed."""
    _django()
    from fairwatch.internet import categories
    from fairwatch.weblogs.categories import CategoryListProblem

    if not source.exists():
        raise _fail(f"{source}: no such file or folder")
    try:
        report = categories.import_lists(source)
    except CategoryListProblem as exc:
        raise _fail(str(exc)) from exc
    _category_report(report, json_out)


@categories_app.command("update")
def categories_update(
    where: Annotated[
        str, typer.Option("--from", help="A path, or an http(s) address of a UT1 tarball.")
    ],
    json_out: JsonOption = False,
) -> None:
    """Fetch (or read) newer lists and compile them in place of the installed ones."""
    _django()
    from fairwatch.internet import categories
    from fairwatch.weblogs.categories import CategoryListProblem

    try:
        report = categories.update_from(where)
    except CategoryListProblem as exc:
        raise _fail(str(exc)) from exc
    _category_report(report, json_out)


def _category_report(report: Any, json_out: bool) -> None:
    from dataclasses import asdict

    if json_out:
        _emit_json(asdict(report))
    else:
        out.print(report.summary(), highlight=False)


# ------------------------------------------------------------------ the policy (issue 9)

policy_app = typer.Typer(
    help="The school's policy: its versions and who has acknowledged them.", no_args_is_help=True
)
app.add_typer(policy_app, name="policy")

SchoolOption = Annotated[str, typer.Option("--school", help="school slug")]


def _publisher(row: Any) -> str:
    """Who a version came from: someone at the school, or the shipped model."""
    if row.published_by is None:
        return f"loaded {row.published_at:%Y-%m-%d} from the model policy Fairwatch ships"
    name = row.published_by.get_full_name() or row.published_by.get_username()
    return f"published {row.published_at:%Y-%m-%d} by {name}"


@policy_app.command("versions")
def policy_versions(school: SchoolOption, json_out: JsonOption = False) -> None:
    """Every version of the school's policy, oldest first, with its table of changes."""
    _django()
    from fairwatch.policy import store

    target = _school(school)
    rows = [
        {
            "number": row.number,
            "effective_from": row.effective_from.isoformat(),
            "published_by": row.published_by.get_username() if row.published_by else None,
            "published_at": row.published_at.isoformat(),
            "duties_changed": row.duties_changed,
            "changes": [
                {"day": day, "paragraphs": paragraphs, "summary": summary}
                for day, paragraphs, summary in row.changes
            ],
        }
        for row in store.rows(target)
    ]
    if json_out:
        _emit_json(rows)
        return
    for row, data in zip(store.rows(target), rows, strict=True):
        duties = "staff must read it" if row.duties_changed else "words tidied, no new duties"
        out.print(
            f"[bold]Version {row.number}[/], in force from {row.effective_from}\n"
            f"  {duties}\n  {_publisher(row)}",
            highlight=False,
        )
        table = Table("date of change", "paragraphs", "summary")
        for change in data["changes"]:
            table.add_row(change["day"], change["paragraphs"], change["summary"])
        out.print(table)


@policy_app.command("show")
def policy_show(
    school: SchoolOption,
    on: Annotated[
        str | None, typer.Option("--on", help="the day, YYYY-MM-DD (default: today)")
    ] = None,
    clause: Annotated[str | None, typer.Option("--clause", help='one clause, e.g. "3.1"')] = None,
    json_out: JsonOption = False,
) -> None:
    """The policy in force on a day: every clause, or one."""
    _django()
    from django.utils import timezone

    from fairwatch.policy import store

    target = _school(school)
    day = _day(on, "on") if on else timezone.localdate()
    version = store.in_force(target, day)
    if version is None:
        first = store.versions(target)[0]
        raise _fail(
            f"--on: no version of the policy was in force on {day}; "
            f"version {first.number} takes effect on {first.effective_from}"
        )
    clauses = list(version.clauses.values())
    if clause is not None:
        if clause not in version.clauses:
            raise _fail(
                f"--clause: there is no clause {clause!r} in version {version.number} "
                f"(clauses: {', '.join(version.clauses)})"
            )
        clauses = [version.clauses[clause]]
    data = {
        "version": version.number,
        "effective_from": version.effective_from.isoformat(),
        "on": day.isoformat(),
        "clauses": [
            {
                "id": c.id,
                "title": c.title,
                "text": c.text,
                "applicable": c.applicable,
                "reason": c.reason,
            }
            for c in clauses
        ],
    }
    if json_out:
        _emit_json(data)
        return
    out.print(
        f"[bold]{target.name}: policy version {version.number}[/], "
        f"in force from {version.effective_from}",
        highlight=False,
    )
    for c in clauses:
        out.print(f"\n[bold]{c.id} {c.title}[/]", highlight=False)
        if not c.applicable:
            out.print(f"[italic]Does not apply at this school: {c.reason}[/]", highlight=False)
        out.print(c.text, highlight=False, markup=False)


@policy_app.command("acknowledgements")
def policy_acknowledgements(school: SchoolOption, json_out: JsonOption = False) -> None:
    """For each version staff were asked to read: how many were asked, have read it, and
    have not yet, also by group (recorded on the audit trail: it is about people)."""
    _django()
    from fairwatch.policy import store

    target = _school(school)
    rows = [
        {
            "version": report.number,
            "effective_from": report.effective_from.isoformat(),
            "asked": report.asked,
            "acknowledged": len(report.acknowledged),
            "outstanding": len(report.outstanding),
            "by_role": {
                count.role.value: {
                    "asked": count.asked,
                    "acknowledged": count.acknowledged,
                    "outstanding": count.outstanding,
                }
                for count in report.by_role
            },
            "by_group": {
                count.group: {
                    "label": count.label,
                    "asked": count.asked,
                    "acknowledged": count.acknowledged,
                    "outstanding": count.outstanding,
                }
                for count in report.by_group
            },
        }
        for report in store.acknowledgements(None, target)
    ]
    if json_out:
        _emit_json(rows)
        return
    table = Table("version", "in force from", "asked", "acknowledged", "outstanding")
    groups = Table("version", "group", "asked", "acknowledged", "outstanding", title="By group")
    for r in rows:
        table.add_row(
            str(r["version"]),
            r["effective_from"],
            str(r["asked"]),
            str(r["acknowledged"]),
            str(r["outstanding"]),
        )
        for g in r["by_group"].values():
            groups.add_row(
                str(r["version"]),
                g["label"],
                str(g["asked"]),
                str(g["acknowledged"]),
                str(g["outstanding"]),
            )
    out.print(table)
    out.print(groups)


@policy_app.command("remind")
def policy_remind(
    school: Annotated[
        str | None, typer.Option("--school", help="school slug (default: every school)")
    ] = None,
    json_out: JsonOption = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count who is due; send and store nothing.")
    ] = False,
) -> None:
    """Ask staff to read the policy and remind those who have not, on each school's own
    schedule. Run it daily (cron or a systemd timer): it sends only what is due."""
    _django()
    from fairwatch.policy import reminders
    from fairwatch.schools.models import School

    targets = [_school(school)] if school is not None else list(School.objects.order_by("slug"))
    rows = [reminders.send_due(target, dry_run=dry_run).as_dict() for target in targets]
    if json_out:
        _emit_json(rows)
        return
    table = Table("school", "version", "asked", "reminded")
    for r in rows:
        table.add_row(
            r["school"], str(r["version"] or "none to read"), str(r["asked"]), str(r["reminded"])
        )
    out.print(table)
    if dry_run:
        out.print("Dry run: nothing was sent or stored.", highlight=False)


@policy_app.command("pdf")
def policy_pdf(
    school: SchoolOption,
    out_file: Annotated[Path, typer.Option("--out", help="the PDF file to write")],
    version: Annotated[
        int | None, typer.Option("--version", help="the version (default: the one in force)")
    ] = None,
) -> None:
    """Write the school's policy as a PDF: every clause, its contacts, the documents to read
    with it and the table of changes, with the version and date on every page."""
    _django()
    from fairwatch.web.policy_print import NoSuchVersion, build_pdf

    target = _school(school)
    try:
        name, body = build_pdf(target, None if version is None else str(version))
    except NoSuchVersion as exc:
        raise _fail(f"--version: {exc}") from exc
    try:
        out_file.write_bytes(body)
    except OSError as exc:
        raise _fail(f"--out: cannot write {out_file}: {exc.strerror or exc}") from exc
    out.print(f"Wrote {out_file} ({name}, {len(body):,} bytes).", highlight=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
