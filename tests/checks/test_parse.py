"""Reading real-world mail into `Message`: .eml, mbox (plain and gzip) and Outlook .msg files.

Hand-made messages pin the behaviour; Hypothesis checks the parser never crashes; the shared
corpus (real mail, used in place and never copied here) checks it copes with the real thing.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import logging
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairwatch.checks import parse
from fairwatch.checks.message import Address, Message
from fairwatch.checks.parse import (
    MAX_ATTACHMENT_EXTRACT_BYTES,
    MAX_ATTACHMENT_TEXT,
    MAX_MESSAGE_BYTES,
    MessageTooLarge,
    UnreadableMessage,
    html_to_text,
    parse_bytes,
    read_file,
)

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
EMAIL = DATA / "email"


def eml(*headers: str, body: str = "Hello.\r\n") -> bytes:
    """A message from header lines and a body, with CRLF line ends."""
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode("utf-8")


def built(msg: EmailMessage) -> Message:
    return parse_bytes(msg.as_bytes())


def base_message(subject: str = "Test") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Ann Teacher <ann@school.example>"
    msg["To"] = "parent@home.example"
    msg["Subject"] = subject
    return msg


# ---- headers ----------------------------------------------------------------------------


def test_a_utf8_encoded_subject_is_decoded():
    message = parse_bytes(eml("Subject: =?UTF-8?B?UmU6IGNhZsOpIOKCrDUg8J+Ouw==?="))
    assert message.subject == "Re: café €5 🎻"


def test_an_iso_8859_1_subject_with_underscores_for_spaces_is_decoded():
    message = parse_bytes(eml("Subject: =?iso-8859-1?q?Fran=E7ais_=E0_l=27=E9cole?="))
    assert message.subject == "Français à l'école"


def test_adjacent_encoded_words_join_without_the_space_between_them():
    message = parse_bytes(eml("Subject: =?utf-8?q?caf?= =?utf-8?q?=C3=A9?= au lait"))
    assert message.subject == "café au lait"


def test_a_character_split_across_two_encoded_words_survives():
    # "é" is C3 A9 in UTF-8: a careless mailer put each byte in its own word.
    message = parse_bytes(eml("Subject: =?utf-8?q?caf=C3?= =?utf-8?q?=A9?="))
    assert message.subject == "café"


def test_an_unknown_charset_gives_replacement_characters_and_a_defect_not_an_exception():
    message = parse_bytes(eml("Subject: =?x-martian?q?Hi_=FF=FE_there?="))
    assert message.subject == "Hi \ufffd\ufffd there"
    assert any("x-martian" in d for d in message.defects)


def test_a_damaged_base64_word_is_kept_as_written():
    message = parse_bytes(eml("Subject: =?utf-8?b?###?= end"))
    assert "end" in message.subject
    assert isinstance(message.subject, str)


def test_a_folded_subject_is_one_line():
    message = parse_bytes(eml("Subject: Year 6\r\n  trip\r\n\tconsent forms"))
    assert message.subject == "Year 6 trip consent forms"


def test_raw_8bit_utf8_and_latin1_headers_are_decoded():
    utf8 = b"From: a@b.example\r\nSubject: Gr\xc3\xbc\xc3\x9fe\r\n\r\nx"
    latin1 = b"From: a@b.example\r\nSubject: Gr\xfc\xdfe\r\n\r\nx"
    assert parse_bytes(utf8).subject == "Grüße"
    assert parse_bytes(latin1).subject == "Grüße"


def test_display_names_with_commas_and_quotes_are_kept_and_addresses_lower_cased():
    message = parse_bytes(
        eml(
            'From: "Smith, Jane (Head)" <Jane.Smith@School.Example>',
            'To: "O\'Brien, \\"Pat\\"" <PAT@x.example>, plain@y.example',
        )
    )
    assert message.sender == Address("jane.smith@school.example", "Smith, Jane (Head)")
    assert message.to == (
        Address("pat@x.example", 'O\'Brien, "Pat"'),
        Address("plain@y.example", ""),
    )


def test_outlook_style_single_quotes_around_a_display_name_are_dropped():
    message = parse_bytes(eml("From: 'Ann Teacher' <ann@school.example>"))
    assert message.sender == Address("ann@school.example", "Ann Teacher")


def test_an_encoded_display_name_is_decoded():
    message = parse_bytes(eml("From: =?utf-8?q?J=C3=B6rg_M=C3=BCller?= <jorg@x.example>"))
    assert message.sender == Address("jorg@x.example", "Jörg Müller")


def test_groups_are_flattened_and_empty_groups_and_entries_skipped():
    message = parse_bytes(
        eml(
            "From: a@x.example",
            "To: Governors: one@x.example, Two <two@x.example>;, three@x.example",
            "Cc: undisclosed-recipients:;",
            "Bcc: , ,hidden@x.example",
        )
    )
    assert [a.addr for a in message.to] == ["one@x.example", "two@x.example", "three@x.example"]
    assert message.cc == ()
    assert message.bcc == (Address("hidden@x.example"),)
    assert [a.addr for a in message.recipients] == [
        "one@x.example",
        "two@x.example",
        "three@x.example",
        "hidden@x.example",
    ]


def test_an_address_without_an_at_sign_is_kept_and_noted():
    message = parse_bytes(eml("From: a@x.example", "To: Head <head>"))
    assert message.to == (Address("head", "Head"),)
    assert any("'head'" in d and "@" in d for d in message.defects)


def test_the_message_id_loses_its_angle_brackets():
    message = parse_bytes(eml("Message-ID:  <abc.123@mail.school.example> "))
    assert message.message_id == "abc.123@mail.school.example"


def test_missing_headers_give_empty_fields_and_a_defect():
    message = parse_bytes(b"\r\nJust a body with no headers at all.\r\n")
    assert message.sender is None
    assert message.to == message.cc == message.bcc == ()
    assert message.subject == ""
    assert message.message_id == ""
    assert "Just a body" in message.body
    assert any("no sender" in d for d in message.defects)


def test_a_sender_header_stands_in_for_a_missing_from():
    message = parse_bytes(eml("Sender: office@school.example", "Subject: x"))
    assert message.sender == Address("office@school.example")


def test_empty_and_garbage_input_still_give_a_message():
    assert parse_bytes(b"").sender is None
    assert isinstance(parse_bytes(b"\x00\xff\xfe" * 100), Message)


# ---- bodies -----------------------------------------------------------------------------


def test_multipart_alternative_prefers_the_plain_text_part():
    msg = base_message()
    msg.set_content("Plain words for the parent.")
    msg.add_alternative("<p>HTML <b>words</b> for the parent.</p>", subtype="html")
    message = built(msg)
    assert message.body == "Plain words for the parent."
    assert message.attachments == ()


def test_an_empty_plain_alternative_falls_back_to_the_html_one():
    msg = base_message()
    msg.set_content("   \n")
    msg.add_alternative("<p>Only the HTML has words.</p>", subtype="html")
    assert built(msg).body == "Only the HTML has words."


def test_an_html_only_body_becomes_text_without_scripts_styles_or_entities():
    html = (
        "<html><head><title>Newsletter</title><style>p {color: red}</style></head>"
        "<body><script>alert('x')</script><h1>Sports&nbsp;day</h1>"
        "<p>Tom &amp; Jerry&#39;s class &lt;6B&gt;</p><ul><li>one</li><li>two</li></ul>"
        "</body></html>"
    )
    msg = base_message()
    msg.set_content(html, subtype="html")
    message = built(msg)
    assert "alert" not in message.body
    assert "color" not in message.body
    assert "Newsletter" not in message.body
    assert "Sports day" in message.body
    assert "Tom & Jerry's class <6B>" in message.body
    assert message.body.splitlines()[-2:] == ["one", "two"]


def test_html_to_text_copes_with_broken_markup():
    assert html_to_text("<p>Unclosed <b>tags <div>and &bogus; stuff") == (
        "Unclosed tags\nand &bogus; stuff"
    )


def test_a_body_in_a_declared_charset_is_decoded():
    raw = (
        b"From: a@x.example\r\nContent-Type: text/plain; charset=iso-8859-15\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nPrix: 5\xa4\r\n"
    )
    assert parse_bytes(raw).body == "Prix: 5€"


def test_a_body_with_an_unknown_charset_falls_back_to_utf8_then_latin1():
    utf8 = b"Content-Type: text/plain; charset=klingon\r\n\r\nna\xc3\xafve\r\n"
    latin1 = b"Content-Type: text/plain; charset=klingon\r\n\r\nna\xefve\r\n"
    assert parse_bytes(utf8).body == "naïve"
    assert parse_bytes(latin1).body == "naïve"
    assert any("klingon" in d for d in parse_bytes(latin1).defects)


def test_body_line_ends_are_newlines():
    assert parse_bytes(eml("From: a@x.example", body="one\r\ntwo\r\n")).body == "one\ntwo"


# ---- attachments ------------------------------------------------------------------------


def test_a_csv_attachment_has_its_size_and_text():
    rows = "name,dob\r\nAmy Pupil,2015-03-02\r\n"
    msg = base_message()
    msg.set_content("See attached.")
    msg.add_attachment(rows.encode(), maintype="text", subtype="csv", filename="class list.csv")
    message = built(msg)
    assert message.body == "See attached."
    (attachment,) = message.attachments
    assert attachment.name == "class list.csv"
    assert attachment.content_type == "text/csv"
    assert attachment.size == len(rows.encode())
    assert attachment.text == "name,dob\nAmy Pupil,2015-03-02\n"


def test_an_encoded_filename_is_decoded_and_a_missing_one_is_unnamed():
    msg = base_message()
    msg.set_content("x")
    msg.add_attachment(b"a,b", maintype="text", subtype="csv", filename="élèves.csv")
    msg.add_attachment(b"\x89PNG....", maintype="image", subtype="png")
    names = [a.name for a in built(msg).attachments]
    assert names == ["élèves.csv", "unnamed"]


def _xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "UPN", "Year"])
    sheet.append(["Amy Pupil", "A123456789012", 6])
    sheet.append(["Ben Pupil", None, 5])
    second = book.create_sheet("SEN")
    second.append(["Amy Pupil", "EHCP"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Safeguarding note")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Pupil"
    table.cell(0, 1).text = "Concern"
    table.cell(1, 0).text = "Amy Pupil"
    table.cell(1, 1).text = "Attendance"
    document.add_paragraph("Next steps agreed.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf(text: str) -> bytes:
    """A one-page PDF showing `text` in Helvetica, written by hand (no writer library)."""
    content = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


def test_an_xlsx_attachment_has_its_cells_as_comma_separated_rows():
    msg = base_message()
    msg.set_content("x")
    msg.add_attachment(_xlsx(), *XLSX_TYPE, filename="year6.xlsx")
    (attachment,) = built(msg).attachments
    assert attachment.text.splitlines() == [
        "Name,UPN,Year",
        "Amy Pupil,A123456789012,6",
        "Ben Pupil,,5",
        "Amy Pupil,EHCP",
    ]


def test_an_xlsx_sent_as_octet_stream_is_recognised_by_its_name():
    msg = base_message()
    msg.set_content("x")
    msg.add_attachment(_xlsx(), "application", "octet-stream", filename="YEAR6.XLSX")
    assert "Amy Pupil,A123456789012,6" in built(msg).attachments[0].text


def test_a_docx_attachment_has_its_paragraphs_and_table_rows():
    msg = base_message()
    msg.set_content("x")
    msg.add_attachment(_docx(), *DOCX_TYPE, filename="note.docx")
    (attachment,) = built(msg).attachments
    assert attachment.text.splitlines() == [
        "Safeguarding note",
        "Pupil,Concern",
        "Amy Pupil,Attendance",
        "Next steps agreed.",
    ]


def test_a_pdf_attachment_has_its_page_text():
    msg = base_message()
    msg.set_content("x")
    msg.add_attachment(_pdf("Amy Pupil report"), "application", "pdf", filename="r.pdf")
    assert "Amy Pupil report" in built(msg).attachments[0].text


def test_a_broken_attachment_is_a_defect_not_an_exception():
    msg = base_message()
    msg.set_content("x")
    msg.add_attachment(b"PK\x03\x04 not really a zip", *XLSX_TYPE, filename="bad.xlsx")
    msg.add_attachment(b"%PDF-1.4 truncated", "application", "pdf", filename="bad.pdf")
    message = built(msg)
    assert [a.text for a in message.attachments] == ["", ""]
    assert any("bad.xlsx" in d for d in message.defects)
    assert any("bad.pdf" in d for d in message.defects)


def test_attachment_text_is_capped():
    big = ("x" * 99 + "\n") * (MAX_ATTACHMENT_TEXT // 50)
    msg = base_message()
    msg.set_content("x")
    msg.add_attachment(big.encode(), maintype="text", subtype="plain", filename="log.txt")
    message = built(msg)
    assert len(message.attachments[0].text) == MAX_ATTACHMENT_TEXT
    assert message.attachments[0].size == len(big)
    assert any("cut at" in d for d in message.defects)


def test_an_attachment_over_the_extraction_limit_is_not_opened():
    data = b"a,b\n" * (MAX_ATTACHMENT_EXTRACT_BYTES // 4 + 1)
    msg = base_message()
    msg.set_content("x")
    msg.add_attachment(data, maintype="text", subtype="csv", filename="huge.csv")
    message = built(msg)
    assert message.attachments[0].size == len(data)
    assert message.attachments[0].text == ""
    assert any("huge.csv" in d and "too big" in d for d in message.defects)


def test_an_enclosed_message_adds_its_body_after_the_outer_one_and_keeps_its_attachments():
    inner = base_message("Original report")
    inner.set_content("Inner words about Amy.")
    inner.add_attachment(b"name\nAmy\n", maintype="text", subtype="csv", filename="amy.csv")
    outer = base_message("Fwd: Original report")
    outer.set_content("Outer words, see below.")
    outer.add_attachment(inner)
    message = built(outer)
    assert message.subject == "Fwd: Original report"
    assert message.body.index("Outer words") < message.body.index("Inner words about Amy.")
    names = [a.name for a in message.attachments]
    assert names == ["Original report.eml", "amy.csv"]
    assert message.attachments[0].content_type == "message/rfc822"
    assert message.attachments[1].text == "name\nAmy\n"


def test_an_encrypted_message_says_its_content_could_not_be_checked():
    raw = eml(
        "From: a@x.example",
        'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"',
        "Content-Transfer-Encoding: base64",
        body="MIAGCSqGSIb3DQEHA6CAMIACAQAxggFg\r\n",
    )
    assert any("encrypted" in d for d in parse_bytes(raw).defects)


# ---- limits -----------------------------------------------------------------------------


def test_a_message_over_the_size_limit_is_refused():
    with pytest.raises(MessageTooLarge) as caught:
        parse_bytes(b"Subject: big\r\n\r\n" + b"x" * MAX_MESSAGE_BYTES)
    assert isinstance(caught.value, ValueError)
    assert "limit" in str(caught.value)
    assert f"{MAX_MESSAGE_BYTES:,}" in str(caught.value)


def test_a_single_message_file_over_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(parse, "MAX_MESSAGE_BYTES", 1000)
    path = tmp_path / "big.eml"
    path.write_bytes(eml("From: a@x.example", body="x" * 2000))
    with pytest.raises(MessageTooLarge, match="big.eml"):
        list(read_file(path))


# ---- files ------------------------------------------------------------------------------

MBOX = (
    b"From MAILER-DAEMON Thu Mar 17 09:07:51 2022\n"
    b"From: one@x.example\nSubject: First\n\nBody one.\n>From the archive.\n\n"
    b"From MAILER-DAEMON Thu Mar 17 09:07:52 2022\n"
    b"From: two@x.example\nSubject: Second\n\nBody two.\n"
    b"From here on, this line is body text, not a new message.\n\n"
    b"From someone@x.example Thu Mar 17 09:07:53 2022\n"
    b"From: three@x.example\nSubject: =?utf-8?q?Th=C3=AErd?=\n\nBody three.\n"
)


def _check_mbox(results: list[tuple[str, Message]], path: Path) -> None:
    assert [label for label, _ in results] == [f"{path}#1", f"{path}#2", f"{path}#3"]
    assert [m.subject for _, m in results] == ["First", "Second", "Thîrd"]
    assert [m.sender.addr for _, m in results if m.sender] == [
        "one@x.example",
        "two@x.example",
        "three@x.example",
    ]
    assert "From here on" in results[1][1].body


def test_an_mbox_yields_each_message_with_a_numbered_label(tmp_path):
    path = tmp_path / "staff.mbox"
    path.write_bytes(MBOX)
    _check_mbox(list(read_file(path)), path)


def test_a_gzipped_mbox_yields_the_same_messages(tmp_path):
    path = tmp_path / "staff.mbox.gz"
    path.write_bytes(gzip.compress(MBOX))
    _check_mbox(list(read_file(path)), path)


def test_an_mbox_with_crlf_line_ends_is_split_too(tmp_path):
    path = tmp_path / "staff.mbox"
    path.write_bytes(MBOX.replace(b"\n", b"\r\n"))
    _check_mbox(list(read_file(path)), path)


def test_an_oversized_message_in_an_mbox_keeps_its_headers_and_the_rest_go_on(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(parse, "MAX_MESSAGE_BYTES", 200)
    big = MBOX.replace(b"Body two.\n", b"Body two.\n" + b"y" * 500 + b"\n")
    path = tmp_path / "staff.mbox"
    path.write_bytes(big)
    results = list(read_file(path))
    assert [m.subject for _, m in results] == ["First", "Second", "Thîrd"]
    second = results[1][1]
    assert second.body == ""
    assert second.sender == Address("two@x.example")
    assert "over the 200-byte limit" in second.defects[0]


def test_an_mbox_may_start_with_blank_lines_and_an_empty_one_holds_nothing(tmp_path):
    path = tmp_path / "staff.mbox"
    path.write_bytes(b"\n\n" + MBOX)
    _check_mbox(list(read_file(path)), path)
    empty = tmp_path / "empty.mbox.gz"
    empty.write_bytes(gzip.compress(b""))
    assert list(read_file(empty)) == []


def test_an_eml_file_is_labelled_by_its_path(tmp_path):
    path = tmp_path / "one.eml"
    path.write_bytes(eml("From: a@x.example", "Subject: Hi"))
    ((label, message),) = list(read_file(path))
    assert label == str(path)
    assert message.subject == "Hi"


def test_a_gzipped_single_message_is_read(tmp_path):
    path = tmp_path / "one.eml.gz"
    path.write_bytes(gzip.compress(eml("From: a@x.example", "Subject: Zipped")))
    assert [(label, m.subject) for label, m in read_file(path)] == [(str(path), "Zipped")]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("missing.eml", None, "does not exist"),
        ("empty.eml", b"", "empty"),
        ("picture.eml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "does not look like an email"),
        ("notes.eml", b"Dear all,\nno headers here.\n", "does not look like an email"),
        ("corrupt.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "Outlook"),
        ("broken.mbox.gz", b"\x1f\x8b\x08\x00garbage", "gzip"),
    ],
)
def test_an_unreadable_file_raises_an_error_naming_it_and_saying_why(
    tmp_path, name, content, reason
):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UnreadableMessage) as caught:
        list(read_file(path))
    assert str(path) in str(caught.value)
    assert reason in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_a_folder_is_not_a_message(tmp_path):
    with pytest.raises(UnreadableMessage, match="folder"):
        list(read_file(tmp_path))


# ---- properties -------------------------------------------------------------------------

FRAGMENTS = [
    b"From: a@x.example\r\n",
    b'To: undisclosed:;, <>, "q\\"" <b@y>\r\n',
    b"Subject: ",
    b"=?utf-8?b?w6k=?=",
    b"=?x-bad?q?=FF?=",
    b"Content-Type: multipart/mixed; boundary=XX\r\n",
    b"Content-Type: multipart/alternative; boundary=XX\r\n",
    b"Content-Type: message/rfc822\r\n",
    b"Content-Type: text/html; charset=utf-7\r\n",
    b'Content-Type: text/plain; charset=""\r\n',
    b"Content-Type: application/pdf\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"Content-Disposition: attachment; filename*=utf-8''%C3%A9.csv\r\n",
    b'Content-Disposition: attachment; filename="a.xlsx"\r\n',
    b"\r\n",
    b"--XX\r\n",
    b"--XX--\r\n",
    b"<p>&amp;<script>",
    b"%PDF-1.4",
    b"PK\x03\x04",
    b"\xff\xfe\x00",
    b"  folded\r\n",
]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_always_give_a_message(data):
    assert isinstance(parse_bytes(data), Message)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=12)), max_size=60))
def test_arbitrary_mime_fragments_always_give_a_message(pieces):
    message = parse_bytes(b"".join(pieces))
    assert isinstance(message, Message)
    assert all(isinstance(a.text, str) for a in message.attachments)


header_values = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.builds(
        "=?{}?{}?{}?=".format,
        st.sampled_from(["utf-8", "iso-8859-1", "x-unknown", "utf-7", "base64", ""]),
        st.sampled_from(["q", "B", "x"]),
        st.text(alphabet="=ABCDEF0123456789_abc/+", max_size=40),
    ),
)


@settings(max_examples=200, deadline=None)
@given(subject=header_values, sender=header_values, to=header_values)
def test_arbitrary_header_values_never_crash_and_the_subject_is_one_line(subject, sender, to):
    raw = f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n\r\nbody\r\n".encode(
        "utf-8", "surrogatepass"
    )
    message = parse_bytes(raw)
    assert isinstance(message.subject, str)
    assert len(message.subject.splitlines()) <= 1
    assert "\n" not in message.subject and "\r" not in message.subject
    assert all(a.addr == a.addr.lower() for a in message.recipients)


# ---- real mail --------------------------------------------------------------------------


def _need_corpus() -> Path:
    if not (EMAIL / "MANIFEST.csv").exists():
        pytest.skip(f"the shared email corpus is not at {EMAIL}")
    return EMAIL


def _read_all(paths: list[Path]) -> tuple[list[Message], list[str], float]:
    """Every message in the files, the UnreadableMessage texts, and the seconds taken."""
    messages: list[Message] = []
    unreadable: list[str] = []
    start = time.perf_counter()
    for path in paths:
        try:
            messages.extend(message for _, message in read_file(path))
        except UnreadableMessage as exc:
            unreadable.append(str(exc))
    return messages, unreadable, time.perf_counter() - start


@pytest.fixture(autouse=True, scope="module")
def _quiet_extract_msg():
    """extract-msg logs every oddity in the fixtures at ERROR level; keep test output clean."""
    logger = logging.getLogger("extract_msg")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def test_a_real_outlook_msg_file_is_mapped():
    path = _need_corpus() / "msg/bbottema/outlook-message-parser/simple reply with CC.msg"
    ((label, message),) = list(read_file(path))
    assert label == str(path)
    assert message.sender == Address("benny@bennybottema.com", "Benny Bottema")
    assert message.to == (Address("davidjono555@gmail.com", "David Johnston"),)
    assert {a.addr for a in message.cc} == {"b.bottema@projectnibble.org", "b.bottema@gmail.com"}
    assert message.subject == "Re: Sent by CV Contact Form"
    assert message.body.startswith("This is a dummy CC test mail.")
    assert message.message_id.endswith("@mail.gmail.com")


def test_a_real_msg_with_an_enclosed_msg_has_the_inner_body_after_the_outer_one():
    path = _need_corpus() / "msg/HiraokaHyperTools/msgreader/msgInMsg.msg"
    ((_, message),) = list(read_file(path))
    assert message.subject == "I have attachments!"
    assert message.body.startswith("I have attachments!\n\n")
    assert "Microsoft Outlook" in message.body
    names = [a.name for a in message.attachments]
    assert names[0].endswith(".msg")
    assert "green.png" in names
    assert message.attachments[names.index("green.png")].size == 134


def test_a_real_msg_has_its_text_attachments_read():
    path = _need_corpus() / "msg/ctabin/jotlmsg/many-attachments.msg"
    ((_, message),) = list(read_file(path))
    texts = {a.name: (a.content_type, a.text) for a in message.attachments}
    assert texts["test0.txt"] == ("text/plain", "this is content 0")


def test_a_real_outlook_contact_is_not_a_message():
    path = _need_corpus() / "msg/hughbe/contact.msg"
    with pytest.raises(UnreadableMessage, match="contact, not an email"):
        list(read_file(path))


def test_every_edge_case_file_parses():
    root = _need_corpus() / "edge"
    paths = sorted(p for p in root.rglob("*") if p.is_file())
    messages, unreadable, _ = _read_all(paths)
    assert len(paths) > 250
    assert unreadable == []
    assert len(messages) >= len(paths)
    assert sum(m.sender is not None for m in messages) > 0.8 * len(messages)
    assert sum(bool(m.subject) for m in messages) > 0.7 * len(messages)


NOT_MAIL = ("contact, not an email", "note, not an email", "task, not an email", "journal")


def test_every_outlook_msg_file_parses_or_is_a_non_mail_item():
    root = _need_corpus() / "msg"
    paths = sorted(p for p in root.rglob("*") if p.is_file())
    messages, unreadable, _ = _read_all(paths)
    assert len(paths) > 80
    assert all(any(reason in text for reason in NOT_MAIL) for text in unreadable), unreadable
    assert len(unreadable) < 0.25 * len(paths)
    assert len(messages) == len(paths) - len(unreadable)
    assert sum(m.sender is not None for m in messages) > 0.7 * len(messages)
    assert sum(bool(m.subject) for m in messages) > 0.8 * len(messages)
    assert sum(bool(m.body) for m in messages) > 0.8 * len(messages)


def _manifest_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    with open(EMAIL / "MANIFEST.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            note = row["note"]
            if row["file"].startswith("enron/") and " messages;" in note:
                counts[row["file"]] = int(note.split(" messages;")[0].rsplit(" ", 1)[-1])
    return counts


@pytest.mark.parametrize(
    "name", ["enron.causholli-m.sent_items.mbox.gz", "enron.germany-c.inbox.mbox.gz"]
)
def test_a_gzipped_enron_mbox_yields_every_message_it_holds(name):
    path = _need_corpus() / "enron" / name
    messages, unreadable, seconds = _read_all([path])
    assert unreadable == []
    assert len(messages) == _manifest_counts()[f"enron/{name}"]
    assert all(m.sender is not None for m in messages)
    assert sum(bool(m.subject) for m in messages) > 0.9 * len(messages)
    assert all(m.message_id.endswith("JavaMail.evans@thyme") for m in messages)
    assert len(messages) / seconds > 50  # messages per second, single process


def test_a_deterministic_sample_of_spamassassin_ham_parses():
    root = _need_corpus() / "ham"
    paths = sorted(
        (p for p in root.rglob("*.eml")),
        key=lambda p: hashlib.sha256(p.name.encode()).hexdigest(),
    )[:600]
    messages, unreadable, _ = _read_all(paths)
    assert unreadable == []
    assert len(messages) == len(paths)
    assert sum(m.sender is not None for m in messages) > 0.95 * len(messages)
    assert sum(bool(m.subject) for m in messages) > 0.95 * len(messages)
    assert sum(bool(m.body.strip()) for m in messages) > 0.95 * len(messages)
