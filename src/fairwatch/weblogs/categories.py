"""Web categories (clauses 3.1, 3.3): category lists in the UT1 layout, compiled once into an
index file, then looked up for many host names at a time. No Django here.

The UT1 layout is a folder per category (`adult/`, `gambling/`, ...) holding `domains` (one
domain per line) and, for some, `urls` (`domain/path` lines for part of a site). A domain covers
every name under it: `example.com` covers `www.example.com` and `a.b.example.com`.

The index is a Parquet file: every listed domain once, sorted, with the ids of all the categories
that list it, and the whole `urls` lists (they are small) in the file's metadata. Sorted strings
need no hashing, cannot collide and load in well under a second even for the full UT1 set; a
lookup sorts the names asked about and finds each with a binary search.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tarfile
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Final

import polars as pl

FORMAT = 1  # bumped when the index file changes shape; an older file must be compiled again
META_KEY = "fairwatch.categories"
COMPRESSION: Final = "lz4"  # fast to read back; zstd is half the size but slower to load

# What each UT1 category holds, in plain words, for the web pages and reports.
DESCRIPTIONS: dict[str, str] = {
    "adult": "Adult and pornographic sites",
    "agressif": "Violence, racism and hate",
    "ai": "Artificial intelligence services and chatbots",
    "arjel": "Gambling sites licensed by the French regulator",
    "associations_religieuses": "Religious associations",
    "astrology": "Astrology and horoscopes",
    "audio-video": "Streaming video, music and audio",
    "bank": "Online banking",
    "bitcoin": "Cryptocurrency and Bitcoin mining",
    "blog": "Blogs and blog hosting",
    "celebrity": "Celebrity news and gossip",
    "chat": "Chat rooms and instant messaging",
    "child": "Sites made for young children",
    "cleaning": "Anti-virus, clean-up and security tools",
    "cooking": "Cooking and recipes",
    "cryptojacking": "Sites that mine cryptocurrency on visitors' computers",
    "dangerous_material": "How to make weapons, explosives or poisons",
    "dating": "Dating and meeting people",
    "ddos": "Denial-of-service attacks for hire",
    "dialer": "Premium-rate dial-up software",
    "doh": "Encrypted DNS services (DNS over HTTPS), which can bypass filtering",
    "download": "Software downloads",
    "drogue": "Drugs",
    "dynamic-dns": "Dynamic DNS services (often used to hide where a site is)",
    "educational_games": "Educational games",
    "examen_pix": "Sites allowed during the French PIX exam",
    "exceptions_liste_bu": "Exceptions to a French university library list",
    "fakenews": "Sites that spread false news",
    "filehosting": "File hosting and sharing",
    "financial": "Financial news and stock markets",
    "forums": "Discussion forums",
    "gambling": "Gambling, betting and casinos",
    "games": "Online games and game shops",
    "hacking": "Hacking and attacks on computers",
    "jobsearch": "Job searching",
    "lingerie": "Lingerie",
    "liste_blanche": "Sites UT1 always allows",
    "liste_bu": "Educational sites chosen by a French university library",
    "malware": "Sites that spread malicious software",
    "manga": "Manga and comics",
    "marketingware": "Aggressive marketing and pop-ups",
    "mixed_adult": "Sites with some adult sections",
    "mobile-phone": "Mobile phone ringtones and add-ons",
    "phishing": "Phishing: fake sites that steal passwords or bank details",
    "press": "News and magazines",
    "publicite": "Advertising",
    "radio": "Internet radio",
    "reaffected": "Domains that changed owner, and so content",
    "redirector": "Proxies and other ways round the filter",
    "remote-control": "Remote control of a computer",
    "residential-proxies": "Residential proxy services",
    "sect": "Sects and cults",
    "sexual_education": "Sex education (often mistaken for adult sites)",
    "shopping": "Online shopping",
    "shortener": "Link shorteners",
    "social_networks": "Social networks",
    "special": "UT1 special list",
    "sports": "Sport",
    "stalkerware": "Software for spying on a person's phone or computer",
    "strict_redirector": "Ways round the filter, including search engine caches",
    "strong_redirector": "Ways round the filter, including some search engine terms",
    "translation": "Translation sites (which can also be used to get round the filter)",
    "tricheur": "Cheating in exams and homework",
    "tricheur_pix": "Sites blocked during the French PIX exam",
    "update": "Operating system and software updates",
    "vpn": "VPN services, which can bypass filtering",
    "warez": "Pirated software, films and music",
    "webhosting": "Web hosting",
    "webmail": "Webmail (personal email on the web)",
}
# UT1 also ships names that are links to another category's folder (`porn` -> `adult`, ...);
# `compile` reads each list once and records the links as `CategoryIndex.aliases`.
for _alias, _target in [
    ("ads", "publicite"),
    ("aggressive", "agressif"),
    ("drugs", "drogue"),
    ("porn", "adult"),
    ("proxy", "redirector"),
    ("violence", "agressif"),
]:
    DESCRIPTIONS[_alias] = DESCRIPTIONS[_target]

_LIST_FILE = re.compile(r"^(domains|urls)(\.\d+)?$")  # UT1 mirrors split big lists: domains.0, ...
_CHUNK = 8 << 20  # bytes of a list read at a time: about half a million lines
_DOMAIN = r"^[a-z0-9_-]{1,63}(\.[a-z0-9_-]{1,63})+$"
_IPV6 = r"^[0-9a-f:]*:[0-9a-f:]*$"
_IP_LITERAL = r"^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:]*)$"
_EXAMPLES_PER_REASON = 5

BLANK = "blank line"
COMMENT = "comment"
NOT_UTF8 = "not UTF-8 text"
SPACES = "more than one word on the line"
HAS_PATH = "has a path: it belongs in the urls file"
NO_DOT = "a single name with no dot"
NOT_DOMAIN = "not a domain name"
REPEATED = "repeated in the same category"


class CategoryListProblem(ValueError):
    """A category list, tarball or index that cannot be used; the message names the file (and the
    line) and says what to do."""

    def __init__(self, message: str, *, file: str = "", line: int | None = None) -> None:
        where = f"{file}, line {line}: " if file and line else f"{file}: " if file else ""
        super().__init__(where + message)
        self.file = file
        self.line = line


@dataclass(frozen=True)
class Skipped:
    """One line that was left out, kept as an example for the report."""

    file: str
    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class CompileReport:
    """What `compile` read and wrote."""

    source: str
    out: Path
    categories: dict[str, int]  # distinct domains per category
    urls: dict[str, int]  # `urls` entries per category
    aliases: dict[str, str]  # alias name -> the category it stands for
    lines_read: int
    skipped: dict[str, int]  # reason -> lines
    examples: tuple[Skipped, ...]  # the first few lines skipped for each reason
    size: int  # distinct domains in the index
    output_bytes: int

    def summary(self) -> str:
        """A few lines for a person: what was read, what was left out and why."""
        lines = [
            f"Read {self.lines_read:,} lines from {self.source}: {len(self.categories)} "
            f"categories, {self.size:,} distinct domains, {sum(self.urls.values()):,} url entries.",
            f"Wrote {self.out} ({self.output_bytes / 1e6:.1f} MB).",
        ]
        for reason, n in sorted(self.skipped.items(), key=lambda kv: -kv[1]):
            lines.append(f"Left out {n:,} line{'s' if n != 1 else ''}: {reason}.")
        for ex in self.examples:
            if ex.reason not in (BLANK, COMMENT, REPEATED):
                lines.append(f"  e.g. {ex.file}, line {ex.line}: {ex.text[:80]!r} ({ex.reason})")
        return "\n".join(lines)


@dataclass(frozen=True)
class _ListFile:
    category: str
    kind: str  # "domains" or "urls"
    label: str  # how messages name it


@dataclass
class _Tally:
    lines: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    examples: list[Skipped] = field(default_factory=list)
    progress: Callable[[int], None] | None = None

    def add(self, listfile: _ListFile, frame: pl.DataFrame) -> None:
        """Count a chunk's lines and the reasons some were left out."""
        self.lines += frame.height
        bad = frame.filter(pl.col("reason").is_not_null())
        for reason, n in bad.group_by("reason").len().iter_rows():
            shown = sum(1 for e in self.examples if e.reason == reason)
            if shown < _EXAMPLES_PER_REASON:
                rows = bad.filter(pl.col("reason") == reason).head(_EXAMPLES_PER_REASON - shown)
                for line, text in rows.select("n", "raw").iter_rows():
                    self.examples.append(Skipped(listfile.label, line, text, reason))
            self.skipped[reason] += n
        if self.progress is not None:
            self.progress(self.lines)


def seed_path() -> Path:
    """The small category list Fairwatch ships for the demo and a first run (UT1 layout)."""
    return Path(__file__).resolve().parent.parent / "data" / "categories"


def describe(category: str) -> str:
    """A category name in plain words (UT1 names are short, some in French)."""
    return DESCRIPTIONS.get(category, category.replace("_", " ").replace("-", " ").capitalize())


# Reading the lists ------------------------------------------------------------------------------


def _files(source: Path, aliases: dict[str, str]) -> Iterator[tuple[_ListFile, IO[bytes]]]:
    """Every `domains` and `urls` file under a UT1 folder or in a tarball of one."""
    if source.is_dir():
        yield from _folder_files(source, aliases)
    elif source.is_file():
        yield from _tarball_files(source, aliases)
    else:
        raise CategoryListProblem("no such file or folder", file=str(source))


def _folder_files(source: Path, aliases: dict[str, str]) -> Iterator[tuple[_ListFile, IO[bytes]]]:
    root = source / "blacklists" if (source / "blacklists").is_dir() else source
    try:
        entries = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError as exc:
        raise CategoryListProblem(f"cannot read the folder ({exc})", file=str(root)) from None
    real = {p.resolve() for p in entries if not p.is_symlink()}
    seen: set[Path] = set()
    for folder in entries:
        # UT1's alias links (porn -> adult, ...) would read the same list twice.
        if folder.is_symlink() and folder.resolve() in real:
            aliases[folder.name] = folder.resolve().name
            continue
        try:
            paths = sorted(folder.iterdir())
        except OSError as exc:
            raise CategoryListProblem(f"cannot read the folder ({exc})", file=str(folder)) from None
        for path in paths:
            found = _LIST_FILE.match(path.name)
            if not found or not path.is_file() or path.resolve() in seen:
                continue
            seen.add(path.resolve())
            try:
                stream = path.open("rb")
            except OSError as exc:
                raise CategoryListProblem(f"cannot open it ({exc})", file=str(path)) from None
            with stream:
                yield _ListFile(folder.name, found.group(1), str(path)), stream


def _tarball_files(source: Path, aliases: dict[str, str]) -> Iterator[tuple[_ListFile, IO[bytes]]]:
    with _open_tarball(source) as tar:
        try:
            for member in tar:
                parts = [p for p in PurePosixPath(member.name).parts if p not in (".", "/")]
                if member.issym() and parts and "/" not in member.linkname.strip("/"):
                    aliases[parts[-1]] = member.linkname.strip("/")
                found = _LIST_FILE.match(parts[-1]) if len(parts) >= 2 else None
                if not member.isfile() or not found:
                    continue
                stream = tar.extractfile(member)
                if stream is not None:
                    yield _ListFile(parts[-2], found.group(1), f"{source}:{member.name}"), stream
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise _damaged(source, exc) from None


def _open_tarball(source: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(source, mode="r|*")  # streamed: members are read in order, once
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise CategoryListProblem(
            f"cannot be read as a tarball of category lists ({exc}). Give a UT1 folder, "
            "or a .tar.gz of one such as UT1's blacklists.tar.gz.",
            file=str(source),
        ) from None


def _damaged(source: Path, exc: BaseException) -> CategoryListProblem:
    return CategoryListProblem(
        f"the tarball is damaged or cut short ({exc or type(exc).__name__}); download it again.",
        file=str(source),
    )


def _chunks(stream: IO[bytes], listfile: _ListFile) -> Iterator[tuple[int, bytes]]:
    """(number of the first line, whole lines) a few megabytes at a time."""
    carry, line = b"", 1
    while True:
        block = stream.read(_CHUNK)
        if not block:
            break
        if b"\0" in block:
            raise CategoryListProblem("this is not a text file", file=listfile.label)
        block = carry + block
        cut = block.rfind(b"\n")
        if cut < 0:
            carry = block
            continue
        carry = block[cut + 1 :]
        yield line, block[:cut]
        line += block.count(b"\n", 0, cut) + 1
    if carry:
        yield line, carry


def _lines(first: int, data: bytes) -> pl.DataFrame:
    text = data.decode("utf-8", errors="replace")
    frame = pl.DataFrame({"raw": [text]}).select(pl.col("raw").str.split("\n")).explode("raw")
    return frame.with_row_index("n", offset=first)


def _ascii_names(names: pl.Series) -> pl.Series:
    """International names in their `xn--` form, as DNS and proxies log them."""
    mask = names.str.contains(r"[^\x00-\x7f]").fill_null(False)
    if not mask.any():
        return names
    converted = [_idna(name) for name in names.filter(mask).to_list()]
    return names.clone().scatter(mask.arg_true(), pl.Series(converted, dtype=pl.String))


def _idna(name: str) -> str:
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return name  # left as it is, and so rejected as not a domain name


def _plain(expr: pl.Expr) -> pl.Expr:
    """A list entry as the index holds it: lower case, no `*.` in front, no dots round it."""
    return expr.str.strip_chars().str.to_lowercase().str.strip_prefix("*.").str.strip_chars(".")


def _reason(text: pl.Expr, name: pl.Expr, *, urls: bool) -> pl.Expr:
    """Why a line is left out, or null when it is kept."""
    rule = (
        pl.when(text == "")
        .then(pl.lit(BLANK))
        .when(text.str.starts_with("#"))
        .then(pl.lit(COMMENT))
        .when(text.str.contains("\ufffd", literal=True))
        .then(pl.lit(NOT_UTF8))
        .when(text.str.contains(r"\s"))
        .then(pl.lit(SPACES))
    )
    if not urls:
        rule = rule.when(text.str.contains("/", literal=True)).then(pl.lit(HAS_PATH))
    ip6 = name.str.contains(_IPV6)
    return (
        rule.when(~name.str.contains(".", literal=True) & ~ip6)
        .then(pl.lit(NO_DOT))
        .when(~(name.str.contains(_DOMAIN) | ip6) | (name.str.len_bytes() > 253))
        .then(pl.lit(NOT_DOMAIN))
        .otherwise(pl.lit(None, pl.String))
    )


def _clean(frame: pl.DataFrame, *, urls: bool) -> pl.DataFrame:
    """Columns n, raw, name (the domain), path (urls only) and reason (null when kept)."""
    text = pl.col("raw").str.replace(r"\s+#.*$", "").str.strip_chars()  # a comment after a name
    frame = frame.with_columns(text=text)
    if urls:
        bare = pl.col("text").str.to_lowercase().str.replace(r"^[a-z][a-z0-9+.-]*://", "")
        frame = frame.with_columns(
            name=_plain(bare.str.extract(r"^([^/]*)", 1)),
            path=pl.concat_str(pl.lit("/"), bare.str.extract(r"^[^/]*/(.*)$", 1).fill_null("")),
        )
    else:
        frame = frame.with_columns(name=_plain(pl.col("text")))
    frame = frame.with_columns(_ascii_names(frame["name"]))
    return frame.with_columns(reason=_reason(pl.col("text"), pl.col("name"), urls=urls))


def _read_list(stream: IO[bytes], listfile: _ListFile, tally: _Tally) -> pl.DataFrame:
    """The usable lines of one list file: name (and path for urls)."""
    kept: list[pl.DataFrame] = []
    content = unusable = 0
    first_bad: tuple[int, str, str] | None = None
    columns = ["name", "path"] if listfile.kind == "urls" else ["name"]
    for first, data in _chunks(stream, listfile):
        frame = _clean(_lines(first, data), urls=listfile.kind == "urls")
        tally.add(listfile, frame)
        bad = frame.filter(
            pl.col("reason").is_not_null() & ~pl.col("reason").is_in([BLANK, COMMENT])
        )
        content += frame.filter(~pl.col("reason").is_in([BLANK, COMMENT]).fill_null(False)).height
        unusable += bad.height
        if first_bad is None and bad.height:
            first_bad = bad.select("n", "raw", "reason").row(0)
        kept.append(frame.filter(pl.col("reason").is_null()).select(columns))
    # A list that is mostly unusable is probably the wrong kind of file (a hosts file, a web
    # page saved by mistake): better to stop than to import half of it.
    if first_bad is not None and unusable * 2 > content:
        line, text, reason = first_bad
        raise CategoryListProblem(
            f"{unusable:,} of {content:,} lines are not usable ({text[:60]!r}: {reason}). "
            f"A UT1 {listfile.kind} file has one "
            + ("domain" if listfile.kind == "domains" else "domain/path")
            + " per line; is this the right file?",
            file=listfile.label,
            line=line,
        )
    return pl.concat(kept) if kept else pl.DataFrame(schema=dict.fromkeys(columns, pl.String))


# Compiling --------------------------------------------------------------------------------------


def compile(
    source: Path, out: Path, *, progress: Callable[[int], None] | None = None
) -> CompileReport:
    """Read a UT1 folder (or a .tar.gz of one) and write the index file `out`. `progress` is
    called with the number of lines read so far. Nothing is written unless all of it is usable."""
    source, out = Path(source), Path(out)
    aliases: dict[str, str] = {}
    ids: dict[str, int] = {}  # category -> id in the order found; renumbered by name below
    tally = _Tally(progress=progress)
    domains: list[pl.DataFrame] = []
    urls: list[pl.DataFrame] = []
    for listfile, stream in _files(source, aliases):
        cat = ids.setdefault(listfile.category, len(ids))
        try:
            frame = _read_list(stream, listfile, tally)
        except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
            if source.is_file():
                raise _damaged(source, exc) from None
            raise CategoryListProblem(f"cannot read it ({exc})", file=listfile.label) from None
        frame = frame.with_columns(cat=pl.lit(cat, pl.UInt16))
        (urls if listfile.kind == "urls" else domains).append(frame)
    if not ids:
        raise _no_category(source)
    names = sorted(ids)
    renumber = pl.col("cat").replace_strict(
        [ids[n] for n in names], list(range(len(names))), return_dtype=pl.UInt16
    )
    # UT1 lists come sorted, so sorting first and grouping neighbours is several times faster
    # than grouping first and sorting the result.
    pairs = _concat(domains, ["name"]).with_columns(renumber).sort("name")
    index = (
        pairs.with_columns(pl.col("name").set_sorted())
        .group_by("name", maintain_order=True)
        .agg(pl.col("cat").unique().sort().alias("cats"))
        .rename({"name": "domain"})
    )
    url_rows = _concat(urls, ["name", "path"]).with_columns(renumber)
    lines_kept = pairs.height + url_rows.height
    url_rows = url_rows.unique()
    per_cat = _counts(index["cats"].explode(), names)
    repeated = lines_kept - sum(per_cat.values()) - url_rows.height
    if repeated:
        tally.skipped[REPEATED] += repeated
    del pairs
    per_cat_urls = _counts(url_rows["cat"], names)
    aliases = {a: t for a, t in sorted(aliases.items()) if t in ids and a not in ids}
    meta = {
        "format": FORMAT,
        "source": str(source),
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "categories": names,
        "aliases": aliases,
        "domains": per_cat,
        "urls": url_rows.sort("name", "path", "cat").rows(),
        "lines_read": tally.lines,
        "skipped": dict(tally.skipped),
    }
    size = _write(index, meta, out)
    return CompileReport(
        source=str(source),
        out=out,
        categories=per_cat,
        urls=per_cat_urls,
        aliases=aliases,
        lines_read=tally.lines,
        skipped=dict(tally.skipped),
        examples=tuple(tally.examples),
        size=index.height,
        output_bytes=size,
    )


def _concat(frames: list[pl.DataFrame], columns: list[str]) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {c: pl.String() for c in columns}
    schema["cat"] = pl.UInt16()
    return pl.concat(frames, rechunk=True) if frames else pl.DataFrame(schema=schema)


def _counts(cats: pl.Series, names: list[str]) -> dict[str, int]:
    counted = dict(cats.value_counts().iter_rows())
    return {name: counted.get(i, 0) for i, name in enumerate(names)}


def _no_category(source: Path) -> CategoryListProblem:
    hint = ""
    if source.is_dir() and any(_LIST_FILE.match(p.name) for p in source.iterdir()):
        hint = " This looks like one category's folder: give the folder above it."
    return CategoryListProblem(
        "no category lists found. Expected the UT1 layout: a folder per category (adult/, "
        "gambling/, ...) each holding a file named domains and, optionally, urls." + hint,
        file=str(source),
    )


def _write(index: pl.DataFrame, meta: dict[str, object], out: Path) -> int:
    """Write next to `out` and move into place, so a reader never sees half a file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        index.write_parquet(
            part,
            compression=COMPRESSION,
            statistics=False,
            metadata={META_KEY: json.dumps(meta, separators=(",", ":"))},
        )
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
    return out.stat().st_size


def fetch(url_or_path: str, folder: Path) -> Path:
    """The list to compile for `categories update --from`: a local path as it is, or an http(s)
    URL downloaded into `folder` (the download only replaces an earlier one once complete)."""
    if not re.match(r"^(https?|file)://", url_or_path):
        return Path(url_or_path)
    name = PurePosixPath(urllib.parse.urlparse(url_or_path).path).name or "blacklists.tar.gz"
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / name
    part = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    try:
        with urllib.request.urlopen(url_or_path, timeout=60) as response, part.open("wb") as f:
            shutil.copyfileobj(response, f, 1 << 20)
        os.replace(part, dest)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise CategoryListProblem(
            f"could not download it ({exc}); check the address, or download it by hand and "
            "give the file instead.",
            file=url_or_path,
        ) from None
    finally:
        part.unlink(missing_ok=True)
    return dest


# Looking up -------------------------------------------------------------------------------------


def _candidates(hosts: Sequence[str | None] | pl.Series) -> pl.DataFrame:
    """For each host (row i), itself (depth 0) and each parent domain that still has a dot
    (depth 1, 2, ...): `a.b.example.com`, `b.example.com`, `example.com`. IP addresses have
    no parents."""
    series = (
        hosts.cast(pl.String)
        if isinstance(hosts, pl.Series)
        else pl.Series(values=list(hosts), dtype=pl.String)
    )
    names = pl.select(_plain(pl.lit(series))).to_series().alias("name")
    if names.str.contains(":", literal=True).any():  # rare: a port, or an IPv6 address
        names = names.str.replace(r"^\[(.*)\]$", "$1").str.replace(r"^([^:]*):\d+$", "$1")
    names = _ascii_names(names)
    frame = pl.DataFrame({"name": names}).with_row_index("i").filter(pl.col("name") != "")
    parts = [frame.with_columns(depth=pl.lit(0, pl.UInt16))]
    walk = frame.filter(~pl.col("name").str.contains(_IP_LITERAL))
    depth = 0
    while walk.height:
        depth += 1
        parent = pl.col("name").str.slice(pl.col("name").str.find(".", literal=True) + 1)
        walk = walk.with_columns(parent).filter(pl.col("name").str.contains(".", literal=True))
        parts.append(walk.with_columns(depth=pl.lit(depth, pl.UInt16)))
    return pl.concat(parts)


def _path_key(path: str) -> str:
    path = path.lower()
    if "://" in path[:10]:
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    return path if path.startswith("/") else "/" + path


class CategoryIndex:
    """A compiled category index: `load` it once, then `lookup` many hosts at a time."""

    def __init__(
        self,
        domains: pl.Series,
        cats: pl.Series,
        categories: list[str],
        urls: dict[str, list[tuple[str, int]]],
        *,
        source: str = "",
        built_at: dt.datetime | None = None,
        aliases: dict[str, str] | None = None,
    ) -> None:
        # One piece each (a Parquet file reads back in dozens): a lookup gathers from them,
        # and gathering across pieces cost ten times as much.
        self._domains = domains.rechunk().set_sorted()
        self._cats = cats.rechunk()
        self._urls = urls
        self._url_names = pl.Series("name", sorted(urls), dtype=pl.String)
        self.categories = categories
        self.source = source
        self.built_at = built_at
        self.aliases = aliases or {}

    @classmethod
    def load(cls, path: Path) -> CategoryIndex:
        """Read an index written by `compile`."""
        path = Path(path)
        try:
            raw = pl.read_parquet_metadata(path).get(META_KEY)
            meta = json.loads(raw) if raw else None
            if meta is not None and meta.get("format") == FORMAT:
                frame = pl.read_parquet(path, columns=["domain", "cats"])
        except (OSError, pl.exceptions.PolarsError, ValueError) as exc:
            raise CategoryListProblem(
                f"cannot read this category index ({exc}); compile it again with "
                "`fairwatch categories import`.",
                file=str(path),
            ) from None
        if meta is None or meta.get("format") != FORMAT:
            raise CategoryListProblem(
                "not a category index from this version of Fairwatch; compile it again with "
                "`fairwatch categories import`.",
                file=str(path),
            )
        urls: dict[str, list[tuple[str, int]]] = {}
        for host, prefix, cat in meta["urls"]:
            urls.setdefault(host, []).append((prefix, cat))
        return cls(
            frame["domain"],
            frame["cats"],
            meta["categories"],
            urls,
            source=meta["source"],
            built_at=dt.datetime.fromisoformat(meta["built_at"]),
            aliases=meta["aliases"],
        )

    @property
    def url_domains(self) -> frozenset[str]:
        """The domains a `urls` list names paths under (a request's path matters only there)."""
        return frozenset(self._urls)

    @property
    def size(self) -> int:
        """How many distinct domains the index holds."""
        return self._domains.len()

    def lookup(self, hosts: Sequence[str | None] | pl.Series) -> list[tuple[str, ...]]:
        """The categories of each host, from its own entry then its parents' (the most specific
        first); () when none. Case, a trailing dot and a port make no difference."""
        found: list[tuple[str, ...]] = [()] * len(hosts)
        if not found or not self.size:
            return found
        candidates = _candidates(hosts)
        names = candidates["name"].unique().sort()
        rows = self._domains.search_sorted(names, side="left")
        last = self.size - 1
        hit = (rows <= last) & (self._domains.gather(rows.clip(0, last)) == names)
        hits = pl.DataFrame({"name": names, "row": rows}).filter(hit)
        matched = candidates.join(hits, on="name").sort("i", "depth")
        cats = self._cats.gather(matched["row"]).to_list()
        return self._names(found, matched["i"].to_list(), cats)

    def under_urls(self, hosts: Sequence[str | None] | pl.Series) -> list[bool]:
        """For each host, whether a `urls` list names paths under it or a parent domain (only
        then can a request's path change its category)."""
        found = [False] * len(hosts)
        if not found or not self._urls:
            return found
        candidates = _candidates(hosts).filter(pl.col("name").is_in(self._url_names.implode()))
        for i in candidates["i"].unique().to_list():
            found[i] = True
        return found

    def lookup_urls(
        self, hosts: Sequence[str | None] | pl.Series, paths: Sequence[str | None] | pl.Series
    ) -> list[tuple[str, ...]]:
        """The categories from the `urls` lists for each plain-HTTP request (host and path);
        () when none, or when the path is unknown. Paths match by prefix, ignoring case."""
        if len(hosts) != len(paths):
            raise ValueError("hosts and paths must be the same length")
        found: list[tuple[str, ...]] = [()] * len(hosts)
        if not found or not self._urls:
            return found
        candidates = _candidates(hosts).filter(pl.col("name").is_in(self._url_names.implode()))
        rows, cats = [], []
        for i, name in candidates.sort("i", "depth").select("i", "name").iter_rows():
            path = paths[i]
            if path is None:
                continue
            key = _path_key(path)
            rows.append(i)
            cats.append([cat for prefix, cat in self._urls[name] if key.startswith(prefix)])
        return self._names(found, rows, cats)

    def _names(
        self, found: list[tuple[str, ...]], rows: list[int], cats: list[list[int]]
    ) -> list[tuple[str, ...]]:
        """Fill `found[row]` with category names, in order, each once."""
        named: dict[tuple[int, ...], tuple[str, ...]] = {}  # few combinations, many hosts
        for row, ids in zip(rows, cats, strict=True):
            key = tuple(ids)
            names = named.get(key)
            if names is None:
                names = named[key] = tuple(self.categories[c] for c in key)
            found[row] = tuple(dict.fromkeys(found[row] + names)) if found[row] else names
        return found
