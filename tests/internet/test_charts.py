"""The dashboard's charts are drawn on the server: axis tops are round numbers, each day's
stacks add up to its bar, the labels stay inside the picture, and every colour stands out
against white (WCAG 1.4.11: 3 to 1)."""

from __future__ import annotations

import datetime as dt

import pytest

from fairwatch.internet import dashboard
from fairwatch.web import internet as pages

DAY = dt.timedelta(days=1)


def figures(values_by_day: list[list[int]], series: list[str]) -> dashboard.Figures:
    since = dt.date(2026, 3, 1)
    by_day = [
        dashboard.DayTotals(since + i * DAY, values, sum(values))
        for i, values in enumerate(values_by_day)
    ]
    return dashboard.Figures(
        range=dashboard.Range(since, since + (len(by_day) - 1) * DAY),
        total=sum(d.total for d in by_day),
        blocked=0,
        series=[(s, s.title()) for s in series],
        by_day=by_day,
        by_category=[],
    )


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (11, 20), (160, 200), (201, 500)]
)
def test_the_axis_tops_at_a_round_number(value, top):
    assert pages._nice_ceiling(value) == top


def test_a_days_stacks_add_up_to_its_bar_and_the_highest_reaches_the_top():
    chart = pages._day_chart(figures([[10, 5, 0], [40, 30, 30], [1, 0, 0]], ["a", "b", "other"]))

    plot_h = chart["base"] - 16
    by_x: dict[float, float] = {}
    for s in chart["segments"]:
        by_x[s.x] = by_x.get(s.x, 0) + s.height
    assert sorted(round(h, 1) for h in by_x.values()) == sorted(
        round(plot_h * t / 100, 1) for t in (15, 100, 1)
    )
    assert min(s.y for s in chart["segments"]) == pytest.approx(16, abs=0.05)
    assert [item["colour"] for item in chart["legend"]][-1] == pages.PALETTE[-1]  # other: grey
    assert [x["anchor"] for x in chart["x_labels"]] == ["start", "middle", "end"]
    assert chart["x_labels"][-1]["x"] <= chart["right_edge"]


def test_a_single_day_is_labelled_in_the_middle():
    chart = pages._day_chart(figures([[3]], ["a"]))

    assert [(x["anchor"], x["label"]) for x in chart["x_labels"]] == [("middle", "1 Mar")]


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


@pytest.mark.parametrize("colour", sorted(set(pages.PALETTE) | {pages.WITHOUT_COLOUR}))
def test_every_colour_has_3_to_1_contrast_against_white(colour):
    assert 1.05 / (_luminance(colour) + 0.05) >= 3


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1", "'+1"),
        ("bbc.co.uk", "bbc.co.uk"),
        (7, 7),
    ],
)
def test_a_csv_cell_is_never_a_formula(value, written):
    assert pages._cell(value) == written
