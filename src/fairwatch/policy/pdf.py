"""A version of the school's policy as a PDF, for governors' packs, staff handbooks and the
noticeboard.

Built with fpdf2, which is pure Python and needs nothing fetched at run time. Its built-in
fonts only know Latin-1, and a policy's words have curly quotes, en dashes and, after a
school adapts it, any language's letters; so the text is set in a TrueType font found on
the machine (Debian's DejaVu Sans, or Liberation Sans), and only when there is none falls
back to the built-in Helvetica with the characters it lacks spelt plainly.

Every page carries the school, the version and the day it took effect, and "Page X of Y",
so a printed page found on its own still says which policy it belongs to. No Django here:
the caller passes the version, the school's name, the contacts and the documents.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .versions import ChangeRow, Clause, Version

TITLE = "Staff policy: email, internet and social media"
FAMILY = "PolicySans"

# (regular, bold, italic) TrueType files, the first set whose regular file exists is used.
FONT_FILES: tuple[tuple[str, str, str], ...] = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf",
    ),
    (
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/TTF/DejaVuSans-Oblique.ttf",
    ),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Italic.ttf",
    ),
)
# Fonts with the letters DejaVu lacks (Chinese, Japanese, Korean), used where present.
FALLBACK_FILES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)

# What Helvetica cannot show, spelt with what it can (only when no TrueType font is found).
PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u2022": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)


class ContactLike(Protocol):
    """A contact as `fairwatch.policy.models.Contact` has it."""

    name: str
    phone: str
    email: str
    url: str
    note: str


class PersonLike(Protocol):
    """One of the school's own people the policy names (`contacts.SchoolPerson`)."""

    name: str
    role: str


@dataclass(frozen=True)
class DocumentLine:
    """A document to read with the policy: its kind, title and where to find it ('' if
    it has no address the reader can follow)."""

    kind: str
    title: str
    link: str = ""


def day(value: dt.date) -> str:
    """A day as the policy writes it: "16 November 2021"."""
    return f"{value.day} {value:%B %Y}"


def running_head(school_name: str, version: Version) -> str:
    """The line at the top of every page."""
    return f"{school_name} · Version {version.number}, in force from {day(version.effective_from)}"


def filename(school_slug: str, number: int) -> str:
    """The name a downloaded PDF is saved as: "oak-staff-policy-v3.pdf"."""
    return f"{school_slug}-staff-policy-v{number}.pdf"


def appendix(versions: Sequence[Version], number: int) -> list[ChangeRow]:
    """Appendix 1 as version ``number`` prints it, newest first: the rows of the table of
    changes of that version and every one before it (each version keeps only the rows that
    came with it; a row carried over into a later version is shown once)."""
    rows: list[ChangeRow] = []
    for version in sorted(versions, key=lambda v: v.number):
        if version.number <= number:
            rows.extend(row for row in version.changes if row not in rows)
    # Stable: rows of the same day keep the order they were published in, latest first.
    return list(reversed(sorted(rows, key=lambda row: row.day)))


def render(
    version: Version,
    school_name: str,
    contacts: Mapping[str, Sequence[ContactLike]] | None = None,
    documents: Sequence[DocumentLine] = (),
    changes: Sequence[ChangeRow] | None = None,
    people: Mapping[str, Sequence[PersonLike]] | None = None,
) -> bytes:
    """The whole version as a PDF: title, every clause (with its contacts and the school's
    people its words name), the documents that go with it and Appendix 1, the table of
    changes (``changes`` newest first; by default the rows that came with this version)."""
    pdf = _PolicyPDF(running_head(school_name, version))
    pdf.set_title(f"{school_name}: {TITLE}, version {version.number}")
    pdf.set_subject(TITLE)
    pdf.set_creator("Fairwatch")
    pdf.add_page()
    _title(pdf, school_name, version)
    for clause in version.clauses.values():
        _clause(pdf, clause, (contacts or {}).get(clause.id, ()), (people or {}).get(clause.id, ()))
    _documents(pdf, documents)
    _changes(pdf, list(reversed(version.changes)) if changes is None else changes)
    return bytes(pdf.output())


# --- the document ---------------------------------------------------------------------------


class _PolicyPDF(FPDF):
    """An A4 page with the school, version and date at the top and "Page X of Y" below."""

    def __init__(self, head: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.head = head
        self.unicode, self.italic = _add_fonts(self)
        self.italic_added = not self.unicode
        self.set_margins(20, 22, 20)
        self.set_auto_page_break(auto=True, margin=20)

    def text_of(self, words: str) -> str:
        """Words this PDF's font can show. Half a character (a lone surrogate, which stored
        text may hold) cannot be written at all: it becomes a question mark."""
        words = words.encode("utf-8", "replace").decode("utf-8")
        return words if self.unicode else _plain(words)

    def style(self, style: str = "", size: float = 10.5) -> None:
        if style == "I" and self.unicode:
            # Registered only when first needed: reading a font file is the slow part.
            if not self.italic:
                style = ""
            elif not self.italic_added:
                self.add_font(FAMILY, "I", self.italic)
                self.italic_added = True
        self.set_font(FAMILY if self.unicode else "helvetica", style, size)

    def header(self) -> None:
        self.style("", 8.5)
        self.set_text_color(60)
        self.set_y(10)
        self.cell(0, 5, self.text_of(self.head), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(150)
        self.line(self.l_margin, 16, self.w - self.r_margin, 16)
        self.set_y(22)
        self.set_text_color(0)

    def footer(self) -> None:
        self.set_y(-14)
        self.style("", 8.5)
        self.set_text_color(60)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)


def _add_fonts(pdf: FPDF) -> tuple[bool, str]:
    """Register the first TrueType family found: (found one, its italic file or '')."""
    for regular, bold, italic in FONT_FILES:
        if not Path(regular).is_file():
            continue
        pdf.add_font(FAMILY, "", regular)
        pdf.add_font(FAMILY, "B", bold if Path(bold).is_file() else regular)
        fallbacks = []
        for number, extra in enumerate(FALLBACK_FILES):
            if Path(extra).is_file():
                pdf.add_font(f"PolicyExtra{number}", "", extra)
                fallbacks.append(f"PolicyExtra{number}")
        if fallbacks:
            pdf.set_fallback_fonts(fallbacks, exact_match=False)
        return True, italic if Path(italic).is_file() else ""
    return False, ""


def _plain(words: str) -> str:
    """Latin-1 words for Helvetica: typographic marks spelt plainly, accents kept where
    Latin-1 has them, anything else reduced to its letters or a question mark."""
    words = words.translate(PLAIN)
    out = []
    for char in words:
        if ord(char) < 256:
            out.append(char)
            continue
        folded = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        out.append(folded or "?")
    return "".join(out)


def _write(
    pdf: _PolicyPDF, words: str, *, size: float = 10.5, style: str = "", h: float = 5.2
) -> None:
    pdf.style(style, size)
    pdf.multi_cell(0, h, pdf.text_of(words), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _keep_room(pdf: _PolicyPDF, height: float) -> None:
    """Start a new page unless ``height`` mm fit on this one, so a heading stays with its
    first lines."""
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()


def _title(pdf: _PolicyPDF, school_name: str, version: Version) -> None:
    _write(pdf, school_name, size=18, style="B", h=9)
    _write(pdf, TITLE, size=13, h=7)
    pdf.ln(1)
    _write(pdf, f"Version {version.number}, in force from {day(version.effective_from)}", style="B")
    pdf.ln(4)


def _clause(
    pdf: _PolicyPDF,
    clause: Clause,
    contacts: Sequence[ContactLike],
    people: Sequence[PersonLike] = (),
) -> None:
    top = clause.id.count(".") == 0
    _keep_room(pdf, 24)
    pdf.ln(3 if top else 1.5)
    _write(
        pdf,
        f"{clause.id}  {clause.title}",
        size=13 if top else 11,
        style="B",
        h=6.5 if top else 5.8,
    )
    pdf.ln(0.5)
    for paragraph in _paragraphs(clause.text):
        _write(pdf, paragraph)
        pdf.ln(1.5)
    if not clause.applicable:
        _write(pdf, f"Does not apply at this school: {clause.reason}", style="I")
        pdf.ln(1.5)
    for contact in contacts:
        _contact(pdf, contact)
    for person in people:
        _box(pdf, person.name, [person.role])


def _paragraphs(text: str) -> list[str]:
    """Paragraphs as the page shows them (blank lines between), single line breaks kept."""
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


def _contact(pdf: _PolicyPDF, contact: ContactLike) -> None:
    lines = [
        line
        for line in (
            f"Phone: {contact.phone}" if contact.phone else "",
            f"Email: {contact.email}" if contact.email else "",
            f"Web: {contact.url}" if contact.url else "",
            contact.note,
        )
        if line
    ]
    _box(pdf, contact.name, lines)


def _box(pdf: _PolicyPDF, name: str, lines: Sequence[str]) -> None:
    """A shaded box beside a clause: a name in bold, then its lines."""
    _keep_room(pdf, 7 + 5 * len(lines))
    pdf.set_fill_color(242)
    pdf.set_x(pdf.l_margin + 4)
    width = pdf.w - pdf.l_margin - pdf.r_margin - 4
    pdf.style("B", 9.5)
    pdf.multi_cell(
        width,
        5,
        pdf.text_of(name),
        fill=True,
        padding=(1.5, 2, 0, 2),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.style("", 9.5)
    pdf.set_x(pdf.l_margin + 4)
    pdf.multi_cell(
        width,
        4.8,
        pdf.text_of("\n".join(lines)),
        fill=True,
        padding=(0, 2, 1.5, 2),
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(2)


def _documents(pdf: _PolicyPDF, documents: Sequence[DocumentLine]) -> None:
    if not documents:
        return
    _keep_room(pdf, 30)
    pdf.ln(4)
    _write(pdf, "Documents to read with this policy", size=13, style="B", h=7)
    for document in documents:
        _write(pdf, f"{document.title} ({document.kind})", style="B", size=10)
        if document.link:
            pdf.style("", 9.5)
            pdf.set_text_color(0, 0, 160)
            pdf.multi_cell(
                0,
                4.8,
                pdf.text_of(document.link),
                link=document.link,
                align="L",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            pdf.set_text_color(0)
        pdf.ln(1.5)


def _changes(pdf: _PolicyPDF, changes: Sequence[ChangeRow]) -> None:
    _keep_room(pdf, 40)
    pdf.ln(4)
    _write(pdf, "Appendix 1 – Table of changes", size=13, style="B", h=7)
    pdf.ln(1)
    if not changes:
        _write(pdf, "No changes are recorded.")
        return
    pdf.style("", 9.5)
    with pdf.table(
        col_widths=(30, 34, 106), padding=1, text_align="LEFT", line_height=4.8, repeat_headings=1
    ) as table:
        table.row(
            [
                pdf.text_of(cell)
                for cell in ("Date of change", "Paragraphs affected", "Summary of update")
            ]
        )
        for row in changes:
            table.row(
                [
                    pdf.text_of(day(row.day)),
                    pdf.text_of(row.paragraphs or "—"),
                    pdf.text_of(row.summary),
                ]
            )
