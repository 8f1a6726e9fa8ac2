"""The web category index (clauses 3.1, 3.3): UT1-style lists compiled, loaded and looked up."""

from __future__ import annotations

import gzip
import re
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairwatch.weblogs.categories import (
    DESCRIPTIONS,
    CategoryIndex,
    CategoryListProblem,
    CompileReport,
    compile,
    describe,
    fetch,
    seed_path,
)

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
UT1 = DATA / "ut1" / "blacklists.tar.gz"

# A hand-made list in the UT1 layout (example names only).
LISTS = {
    "gambling/domains": "# betting\nbet-example.com\n\n*.Casino-Example.ORG\n.dot-example.net\n"
    "shared-example.com\nbet-example.com\n",
    "gambling/usage": "black\n",
    "games/domains": "shared-example.com\nplay.example\n0.2.7\n",
    "adult/domains": "adult-example.com\r\nwww.trailing-example.com.\n",
    "adult/urls": "mixed-example.com/Adult/\nhttp://pics-example.net/nsfw\n",
    "adult/expressions": "(porn|sex)\n",
    "ipsite/domains": "192.0.2.7\n2001:db8::7\nnot a domain\n192.0.2.8\n",
}


def write_lists(root: Path, files: dict[str, str] | None = None) -> Path:
    for name, text in (files or LISTS).items():
        path = root / "blacklists" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "blacklists" / "LICENSE.pdf").write_bytes(b"%PDF-1.4 not a list\0")
    (root / "blacklists" / "porn").symlink_to("adult")
    return root


def tarball_of(folder: Path, out: Path) -> Path:
    with tarfile.open(out, "w:gz") as tar:
        tar.add(folder / "blacklists", arcname="blacklists")
    return out


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_lists(tmp_path / "lists")


@pytest.fixture
def index(folder: Path, tmp_path: Path) -> CategoryIndex:
    compile(folder, tmp_path / "index.parquet")
    return CategoryIndex.load(tmp_path / "index.parquet")


# Looking up hosts -------------------------------------------------------------------------------


def test_it_finds_a_listed_domain(index: CategoryIndex) -> None:
    assert index.lookup(["bet-example.com"]) == [("gambling",)]


def test_it_finds_a_host_through_its_parent_domains(index: CategoryIndex) -> None:
    found = index.lookup(["www.bet-example.com", "a.b.c.casino-example.org", "x.dot-example.net"])
    assert found == [("gambling",), ("gambling",), ("gambling",)]


def test_it_finds_nothing_for_a_host_that_only_ends_with_the_same_letters(
    index: CategoryIndex,
) -> None:
    assert index.lookup(["notbet-example.com", "example.com", "com", "example.org"]) == [()] * 4


def test_it_ignores_case_a_trailing_dot_and_a_port(index: CategoryIndex) -> None:
    found = index.lookup(["WWW.Bet-Example.COM.", "bet-example.com:443", " casino-example.org "])
    assert found == [("gambling",)] * 3


def test_it_reads_entries_written_with_a_star_a_leading_dot_or_a_trailing_dot(
    index: CategoryIndex,
) -> None:
    found = index.lookup(["casino-example.org", "dot-example.net", "www.trailing-example.com"])
    assert found == [("gambling",), ("gambling",), ("adult",)]


def test_it_matches_an_ip_address_as_a_whole_only(index: CategoryIndex) -> None:
    # "0.2.7" is listed (as games), but an address has no parent domains.
    found = index.lookup(
        ["192.0.2.7", "192.0.2.70", "10.192.0.2.8", "2001:DB8::7", "[2001:db8::7]"]
    )
    assert found == [("ipsite",), (), ("ipsite",), ("ipsite",), ("ipsite",)]
    assert index.lookup(["0.2.7"]) == [("games",)]


def test_it_keeps_every_category_of_a_domain_listed_in_two(index: CategoryIndex) -> None:
    assert index.lookup(["cdn.shared-example.com"]) == [("gambling", "games")]


def test_it_puts_the_most_specific_match_first(tmp_path: Path) -> None:
    lists = write_lists(
        tmp_path / "l",
        {"shopping/domains": "example-shop.com\n", "webmail/domains": "mail.example-shop.com\n"},
    )
    compile(lists, tmp_path / "i.parquet")
    found = CategoryIndex.load(tmp_path / "i.parquet").lookup(["x.mail.example-shop.com"])
    assert found == [("webmail", "shopping")]


def test_it_answers_every_host_in_order_including_empty_ones(index: CategoryIndex) -> None:
    hosts = ["", None, "bet-example.com", ".", "play.example"]
    assert index.lookup(hosts) == [(), (), ("gambling",), (), ("games",)]
    assert index.lookup([]) == []


def test_it_takes_a_polars_series(index: CategoryIndex) -> None:
    hosts = pl.Series(["www.bet-example.com", "nothing.example.org", None])
    assert index.lookup(hosts) == [("gambling",), (), ()]


def test_it_reads_the_urls_lists_by_host_and_path_prefix(index: CategoryIndex) -> None:
    hosts = ["mixed-example.com", "www.mixed-example.com", "mixed-example.com", "pics-example.net"]
    paths = ["/adult/page?x=1", "/ADULT/", "/news", "/nsfw.jpg"]
    assert index.lookup_urls(hosts, paths) == [("adult",), ("adult",), (), ("adult",)]
    assert index.lookup_urls(["mixed-example.com"], [None]) == [()]
    # A url entry does not list the whole site.
    assert index.lookup(["mixed-example.com"]) == [()]


def test_it_refuses_hosts_and_paths_of_different_lengths(index: CategoryIndex) -> None:
    with pytest.raises(ValueError, match="same length"):
        index.lookup_urls(["a.example"], [])


def test_an_index_says_where_it_came_from(index: CategoryIndex, folder: Path) -> None:
    assert index.source == str(folder)
    assert index.built_at is not None
    assert index.categories == ["adult", "gambling", "games", "ipsite"]
    assert index.aliases == {"porn": "adult"}


# Compiling --------------------------------------------------------------------------------------


def test_it_reports_counts_lines_and_reasons(folder: Path, tmp_path: Path) -> None:
    report = compile(folder, tmp_path / "index.parquet")
    assert report.categories == {"adult": 2, "gambling": 4, "games": 3, "ipsite": 3}
    assert report.urls == {"adult": 2, "gambling": 0, "games": 0, "ipsite": 0}
    assert report.size == 11  # shared-example.com is one domain in two categories
    assert report.lines_read == 18
    assert report.skipped == {
        "comment": 1,
        "blank line": 1,
        "more than one word on the line": 1,
        "repeated in the same category": 1,
    }
    (junk,) = [e for e in report.examples if e.reason == "more than one word on the line"]
    assert junk.file.endswith("ipsite/domains") and junk.line == 3
    assert report.output_bytes == (tmp_path / "index.parquet").stat().st_size
    assert "Left out 1 line: more than one word on the line" in report.summary()


def test_it_reads_an_alias_link_once(folder: Path, tmp_path: Path) -> None:
    report = compile(folder, tmp_path / "index.parquet")
    assert "porn" not in report.categories
    assert report.aliases == {"porn": "adult"}
    assert report.categories["adult"] == 2


def test_a_tarball_gives_the_same_index_as_its_folder(folder: Path, tmp_path: Path) -> None:
    tarball = tarball_of(folder, tmp_path / "blacklists.tar.gz")
    from_folder = compile(folder, tmp_path / "a.parquet")
    from_tarball = compile(tarball, tmp_path / "b.parquet")
    assert from_tarball.categories == from_folder.categories
    assert from_tarball.urls == from_folder.urls
    assert from_tarball.aliases == {"porn": "adult"}
    hosts = ["www.bet-example.com", "cdn.shared-example.com", "192.0.2.7", "none.example"]
    a, b = CategoryIndex.load(tmp_path / "a.parquet"), CategoryIndex.load(tmp_path / "b.parquet")
    assert a.lookup(hosts) == b.lookup(hosts)
    assert b.lookup_urls(["mixed-example.com"], ["/adult/x"]) == [("adult",)]


def test_it_reads_a_folder_of_categories_without_the_blacklists_level(tmp_path: Path) -> None:
    (tmp_path / "mine" / "games").mkdir(parents=True)
    (tmp_path / "mine" / "games" / "domains").write_text("play.example\n")
    compile(tmp_path / "mine", tmp_path / "i.parquet")
    assert CategoryIndex.load(tmp_path / "i.parquet").lookup(["play.example"]) == [("games",)]


def test_it_reads_a_list_split_into_numbered_files(tmp_path: Path) -> None:
    lists = write_lists(
        tmp_path / "l", {"adult/domains.0": "one.example\n", "adult/domains.1": "two.example\n"}
    )
    report = compile(lists, tmp_path / "i.parquet")
    assert report.categories == {"adult": 2}


def test_it_converts_international_names_to_their_dns_form(tmp_path: Path) -> None:
    lists = write_lists(tmp_path / "l", {"shopping/domains": "bücher-example.de\n"})
    compile(lists, tmp_path / "i.parquet")
    index = CategoryIndex.load(tmp_path / "i.parquet")
    dns_form = "bücher-example.de".encode("idna").decode()
    assert dns_form.startswith("xn--")
    assert index.lookup([f"www.{dns_form}", "bücher-example.de"]) == [
        ("shopping",),
        ("shopping",),
    ]


def test_it_reports_progress_in_lines_read(folder: Path, tmp_path: Path) -> None:
    seen: list[int] = []
    report = compile(folder, tmp_path / "i.parquet", progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == report.lines_read


def test_an_index_with_no_domains_finds_nothing(tmp_path: Path) -> None:
    lists = write_lists(tmp_path / "l", {"adult/domains": "# nothing yet\n"})
    compile(lists, tmp_path / "i.parquet")
    index = CategoryIndex.load(tmp_path / "i.parquet")
    assert index.size == 0
    assert index.lookup(["a.example"]) == [()]
    assert index.lookup_urls(["a.example"], ["/"]) == [()]


# The seed list ----------------------------------------------------------------------------------


def test_the_seed_list_compiles_cleanly_with_ut1_names(tmp_path: Path) -> None:
    report = compile(seed_path(), tmp_path / "seed.parquet")
    assert set(report.categories) <= set(DESCRIPTIONS)
    assert {"adult", "gambling", "social_networks", "webmail", "phishing"} <= set(report.categories)
    assert set(report.skipped) <= {"comment", "blank line"}
    assert min(report.categories.values()) >= 2


def test_the_seed_list_knows_the_demo_sites(tmp_path: Path) -> None:
    compile(seed_path(), tmp_path / "seed.parquet")
    index = CategoryIndex.load(tmp_path / "seed.parquet")
    found = index.lookup(["www.bet365.com", "www.facebook.com", "mail.google.com", "google.com"])
    assert found == [("gambling",), ("social_networks",), ("webmail",), ()]
    assert index.lookup_urls(["www.bbc.co.uk"], ["/iplayer/live"]) == [("audio-video",)]


def test_every_category_has_a_plain_description() -> None:
    assert describe("agressif") == "Violence, racism and hate"
    assert describe("porn") == describe("adult")
    assert describe("some_new_list") == "Some new list"


# Bad input --------------------------------------------------------------------------------------


def test_a_missing_source_is_named(tmp_path: Path) -> None:
    with pytest.raises(CategoryListProblem, match="nowhere.tar.gz: no such file"):
        compile(tmp_path / "nowhere.tar.gz", tmp_path / "i.parquet")


def test_a_folder_with_no_category_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(CategoryListProblem, match="empty: no category lists found"):
        compile(tmp_path / "empty", tmp_path / "i.parquet")


def test_one_category_folder_on_its_own_gets_a_hint(folder: Path, tmp_path: Path) -> None:
    with pytest.raises(CategoryListProblem, match="give the folder above it"):
        compile(folder / "blacklists" / "gambling", tmp_path / "i.parquet")


def test_a_file_that_is_not_a_tarball_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    with pytest.raises(CategoryListProblem, match=r"notes.txt: cannot be read as a tarball"):
        compile(notes, tmp_path / "i.parquet")


def test_a_tarball_cut_short_is_refused(folder: Path, tmp_path: Path) -> None:
    big = dict(LISTS, **{"games/domains": "".join(f"g{i}.example\n" for i in range(20000))})
    lists = write_lists(tmp_path / "big", big)
    whole = tarball_of(lists, tmp_path / "whole.tar.gz").read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(CategoryListProblem, match=r"cut.tar.gz: the tarball is damaged"):
        compile(cut, tmp_path / "i.parquet")


def test_a_hosts_file_in_place_of_a_list_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    hosts = "# blocked\n0.0.0.0 ads.example\n0.0.0.0 tracker.example\n"
    lists = write_lists(tmp_path / "l", {"publicite/domains": hosts})
    with pytest.raises(CategoryListProblem) as caught:
        compile(lists, tmp_path / "i.parquet")
    assert re.search(r"publicite/domains, line 2: 2 of 2 lines are not usable", str(caught.value))
    assert caught.value.line == 2


def test_a_binary_file_in_place_of_a_list_is_refused(tmp_path: Path) -> None:
    lists = write_lists(tmp_path / "l", {"games/domains": "x"})
    (lists / "blacklists" / "games" / "domains").write_bytes(gzip.compress(b"a.example\n"))
    with pytest.raises(CategoryListProblem, match="games/domains: this is not a text file"):
        compile(lists, tmp_path / "i.parquet")


def test_text_that_is_not_utf8_is_left_out_and_counted(tmp_path: Path) -> None:
    lists = write_lists(tmp_path / "l", {"games/domains": "x"})
    (lists / "blacklists" / "games" / "domains").write_bytes(b"caf\xe9.example\nok.example\n")
    report = compile(lists, tmp_path / "i.parquet")
    assert report.skipped == {"not UTF-8 text": 1} and report.categories == {"games": 1}


def test_nothing_is_written_when_the_input_is_bad(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "index.parquet"
    compile(folder, out)
    before = out.read_bytes()
    (folder / "blacklists" / "games" / "domains").write_text("<html>\n<body>\n")
    with pytest.raises(CategoryListProblem):
        compile(folder, out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_loading_a_file_that_is_not_an_index_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.parquet").write_text("not parquet")
    pl.DataFrame({"a": [1]}).write_parquet(tmp_path / "other.parquet")
    for name in ["x.parquet", "other.parquet", "missing.parquet"]:
        with pytest.raises(CategoryListProblem, match=f"{name}: .*compile it again"):
            CategoryIndex.load(tmp_path / name)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=8))
def test_any_text_in_a_list_is_read_or_refused_in_plain_words(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        lists = Path(tmp) / "l" / "games"
        lists.mkdir(parents=True)
        (lists / "domains").write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
        try:
            report = compile(lists.parent, Path(tmp) / "i.parquet")
        except CategoryListProblem as problem:
            assert "games/domains" in str(problem)
        else:
            text = "\n".join(lines)
            assert report.lines_read == text.count("\n") + (
                0 if text.endswith("\n") or not text else 1
            )


# Fetching ---------------------------------------------------------------------------------------


def test_fetch_keeps_a_local_path_and_copies_a_url(folder: Path, tmp_path: Path) -> None:
    tarball = tarball_of(folder, tmp_path / "blacklists.tar.gz")
    assert fetch(str(tarball), tmp_path / "downloads") == tarball
    copied = fetch(tarball.as_uri(), tmp_path / "downloads")
    assert copied == tmp_path / "downloads" / "blacklists.tar.gz"
    assert copied.read_bytes() == tarball.read_bytes()


def test_fetch_names_an_address_it_cannot_download(tmp_path: Path) -> None:
    missing = (tmp_path / "gone.tar.gz").as_uri()
    with pytest.raises(CategoryListProblem, match="gone.tar.gz: could not download it"):
        fetch(missing, tmp_path / "downloads")
    assert list((tmp_path / "downloads").iterdir()) == []


# Any small list ---------------------------------------------------------------------------------

LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8)
DOMAIN = st.lists(LABEL, min_size=2, max_size=4).map(".".join)
CATEGORIES = ["adult", "games", "shopping"]


def expected(host: str, listed: dict[str, set[str]]) -> tuple[str, ...]:
    """The categories of a host worked out the slow way: its name, then each parent with a dot
    (an IP address has no parents)."""
    labels = host.split(".")
    if re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", host):
        labels = [host]
    found: list[str] = []
    for i in range(max(len(labels) - 1, 1)):
        for cat in sorted(listed.get(".".join(labels[i:]), ())):
            if cat not in found:
                found.append(cat)
    return tuple(found)


@settings(max_examples=40, deadline=None)
@given(
    entries=st.lists(st.tuples(DOMAIN, st.sampled_from(CATEGORIES)), min_size=1, max_size=12),
    prefixes=st.lists(st.lists(LABEL, max_size=3).map(".".join), min_size=1, max_size=4),
    strangers=st.lists(DOMAIN, max_size=6),
)
def test_any_name_under_a_listed_domain_is_found_and_no_other(
    entries: list[tuple[str, str]], prefixes: list[str], strangers: list[str]
) -> None:
    listed: dict[str, set[str]] = {}
    for domain, cat in entries:
        listed.setdefault(domain, set()).add(cat)
    with tempfile.TemporaryDirectory() as tmp:
        for cat in CATEGORIES:
            names = [d for d, c in entries if c == cat]
            (Path(tmp) / "l" / cat).mkdir(parents=True)
            (Path(tmp) / "l" / cat / "domains").write_text("".join(f"{d}\n" for d in names))
        compile(Path(tmp) / "l", Path(tmp) / "i.parquet")
        index = CategoryIndex.load(Path(tmp) / "i.parquet")
    hosts = [f"{p}.{d}" if p else d for p in prefixes for d in listed] + strangers
    found = index.lookup(hosts)
    for host, cats in zip(hosts, found, strict=True):
        assert cats == expected(host, listed), host
    for host, cats in zip(hosts, found, strict=True):
        if host in strangers and not expected(host, listed):
            assert cats == ()
        elif host not in strangers and not re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", host):
            assert cats  # a name under a listed domain (not an IP address) finds something


# The real UT1 lists -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RealLists:
    index: CategoryIndex
    report: CompileReport
    lines: dict[str, list[str]]  # member name -> its lines, read here with tarfile


@pytest.fixture(scope="module")
def ut1(tmp_path_factory: pytest.TempPathFactory) -> RealLists:
    """The real tarball compiled once."""
    if not UT1.exists():
        pytest.skip(f"the UT1 tarball is not at {UT1}")
    out = tmp_path_factory.mktemp("ut1") / "ut1.parquet"
    report = compile(UT1, out)
    lines: dict[str, list[str]] = {}
    with tarfile.open(UT1) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.endswith(("/domains", "/urls")):
                stream = tar.extractfile(member)
                assert stream is not None
                lines[member.name] = stream.read().decode("utf-8").splitlines()
    return RealLists(CategoryIndex.load(out), report, lines)


def test_the_real_lists_count_about_as_many_domains_as_they_have_lines(ut1: RealLists) -> None:
    assert len(ut1.report.categories) >= 60
    for name, lines in ut1.lines.items():
        if name.endswith("/domains"):
            category = name.split("/")[-2]
            assert 0.99 * len(lines) <= ut1.report.categories[category] <= len(lines), category
    assert ut1.report.aliases.get("porn") == "adult"
    assert ut1.index.size >= 500_000


def test_the_real_lists_find_their_own_domains_and_names_under_them(ut1: RealLists) -> None:
    for category in ["adult", "gambling", "social_networks", "malware", "webmail", "games"]:
        lines = ut1.lines[f"blacklists/{category}/domains"]
        picks = [p.lower().strip(".") for p in (lines[0], lines[len(lines) // 2], lines[-1])]
        hosts = picks + [f"www.{p}" for p in picks]
        for host, cats in zip(hosts, ut1.index.lookup(hosts), strict=True):
            assert category in cats, (category, host)


def test_the_real_urls_lists_are_found_by_host_and_path(ut1: RealLists) -> None:
    lines = ut1.lines["blacklists/drogue/urls"]
    host, _, path = lines[len(lines) // 2].lower().partition("/")
    assert "drogue" in ut1.index.lookup_urls([host], [f"/{path}/more"])[0]
