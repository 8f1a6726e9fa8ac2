"""Property tests for the roster CSV reader: any bytes give rows or a clear refusal, never a
crash; whatever a spreadsheet writes is read back exactly."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from fairwatch.identifiers import make_upn
from fairwatch.schools.roster import (
    COLUMNS,
    RosterError,
    RosterInvalid,
    check_rows,
    read_roster_file,
)

KINDS = st.sampled_from(sorted(COLUMNS))
# Names as MIS exports hold them: letters of any script, apostrophes, hyphens, commas, quotes.
NAME = (
    st.text(
        alphabet=st.characters(
            whitelist_categories=("Lu", "Ll", "Lo"), whitelist_characters=" '-,\"’"
        ),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)


@given(kind=KINDS, data=st.binary(max_size=400))
@settings(max_examples=300)
def test_any_bytes_are_read_or_refused_with_a_named_line(kind, data):
    try:
        roster = read_roster_file(kind, "upload.csv", data=data)
    except RosterInvalid as exc:
        assert exc.errors and all(isinstance(e, RosterError) for e in exc.errors)
        assert all(str(e).startswith("upload.csv") for e in exc.errors)
        return
    errors: list[RosterError] = []
    check_rows(roster, errors)  # must not raise either
    assert all(e.line >= 2 and e.field for e in errors)


@st.composite
def pupil_files(draw):
    count = draw(st.integers(1, 8))
    rows = [
        {
            "upn": make_upn("926", "2001", 20, serial),
            "forename": draw(NAME),
            "surname": draw(NAME),
            "preferred_forename": draw(st.one_of(st.just(""), NAME)),
            "year_group": draw(st.sampled_from(["R", "1", "6", "11"])),
        }
        for serial in range(count)
    ]
    columns = draw(st.permutations(list(rows[0])))
    bom = draw(st.booleans())
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return rows, columns, bom, newline


@given(pupil_files())
@settings(max_examples=150)
def test_what_a_spreadsheet_writes_is_read_back_exactly(spec):
    rows, columns, bom, newline = spec
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator=newline)
    writer.writeheader()
    writer.writerows(rows)
    data = (("\ufeff" if bom else "") + buffer.getvalue()).encode()

    roster = read_roster_file("pupils", "p.csv", data=data)
    errors: list[RosterError] = []
    checked = check_rows(roster, errors)

    assert errors == []
    assert [values["upn"] for _, values in checked] == [r["upn"] for r in rows]
    for (_, values), row in zip(checked, rows, strict=True):
        for column in ("forename", "surname", "preferred_forename", "year_group"):
            assert values[column] == row[column]
    lines = [line for line, _ in checked]
    assert lines == sorted(lines) and lines[0] == 2


@given(
    spelling=st.sampled_from(["UPN", "upn", "Unique Pupil Number", "unique_pupil_number"]),
    forename=st.sampled_from(["forename", "Legal Forename", "FIRST-NAME", "first.name"]),
    surname=st.sampled_from(["surname", "Legal Surname", "Last Name", " family_name "]),
)
def test_header_spellings_from_mis_exports_mean_the_same_columns(spelling, forename, surname):
    upn = make_upn("926", "2001", 20, 1)
    data = f"{spelling},{forename},{surname}\n{upn},Ada,Lovelace\n".encode()
    roster = read_roster_file("pupils", "p.csv", data=data)
    assert roster.rows[0].values == {"upn": upn, "forename": "Ada", "surname": "Lovelace"}
