"""Email checks on the labelled set: precision and recall per check, and every miss listed.

Reads the school-like messages in bench/labelled (written by bench/labelled/make_labelled.py)
and their labels (labels.json: what a data protection officer would want flagged), checks
each message against the demo school's context, and counts a check as fired on a message
when it has a finding of severity medium or above there. Per check slug:

* TP: fired, and the label expects it;
* FP: fired, and the label does not expect it;
* FN: expected, and it did not fire at medium or above ("low" says how many of those it
  did flag, but only as low/info);
* a check that the label lists under ``expect_low`` counts neither way, whatever it does.

Then every FP and FN is listed as "FILE: slug (note)" for a developer to look at. A report,
not a test: it always exits 0.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from fairwatch.checks.engine import CHECK_SLUGS, check_message
from fairwatch.checks.findings import Severity
from fairwatch.checks.parse import read_file

HERE = Path(__file__).resolve().parent
LABELLED = HERE / "labelled"
sys.path.insert(0, str(HERE))
from bench_email_checks import demo_context  # noqa: E402  (bench/ is not a package)

# Every check the set is labelled against, in the order of the policy's clauses.
SLUGS = CHECK_SLUGS


def ratio(part: int, whole: int) -> str:
    return f"{part / whole:.2f}" if whole else "-"


def main() -> None:
    labels = json.loads((LABELLED / "labels.json").read_text(encoding="utf-8"))
    context = demo_context()
    tp, fp, fn, low = Counter(), Counter(), Counter(), Counter()
    expected, expected_low = Counter(), Counter()
    misses: list[tuple[str, str, str, str]] = []  # (kind, file, slug, note)
    clean = clean_fired = 0
    for name, label in sorted(labels.items()):
        [(_, message)] = list(read_file(LABELLED / name))
        findings = check_message(message, context)
        fired = {f.check for f in findings if f.severity >= Severity.MEDIUM}
        fired_low = {f.check for f in findings} - fired
        want, either = set(label["expect"]), set(label.get("expect_low", ()))
        expected.update(want)
        expected_low.update(either)
        for slug in fired - either:
            if slug in want:
                tp[slug] += 1
            else:
                fp[slug] += 1
                misses.append(("FP", name, slug, label["note"]))
        for slug in want - fired:
            fn[slug] += 1
            low[slug] += slug in fired_low
            why = " [fired only as low/info]" if slug in fired_low else ""
            misses.append(("FN", name, slug, label["note"] + why))
        if not want:
            clean += 1
            clean_fired += bool(fired - either)

    slugs = list(SLUGS) + sorted((set(tp) | set(fp) | set(fn)) - set(SLUGS))
    print(f"labelled messages: {len(labels)} ({clean} with nothing expected at medium or above)")
    print("a check fires when it has a finding of severity medium or above on the message\n")
    header = f"{'check':<38} {'msgs':>4} {'low':>4} {'TP':>4} {'FP':>4} {'FN':>4} {'(low)':>5}"
    print(header + f" {'prec':>5} {'recall':>6}")
    print("-" * (len(header) + 13))
    for slug in slugs:
        t, f, n = tp[slug], fp[slug], fn[slug]
        print(
            f"{slug:<38} {expected[slug]:>4} {expected_low[slug]:>4} {t:>4} {f:>4} {n:>4} "
            f"{low[slug] or '':>5} {ratio(t, t + f):>5} {ratio(t, t + n):>6}"
        )
    t, f, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print("-" * (len(header) + 13))
    print(
        f"{'total':<38} {sum(expected.values()):>4} {sum(expected_low.values()):>4} {t:>4} "
        f"{f:>4} {n:>4} {sum(low.values()) or '':>5} {ratio(t, t + f):>5} {ratio(t, t + n):>6}"
    )
    print(
        "\nmsgs: messages expecting the check; low: messages where it may fire only as "
        "low/info\n(not counted); (low): of the FN, how many the check did flag, below medium."
    )
    print(f"clean messages with a false alarm: {clean_fired} of {clean}")
    for kind in ("FP", "FN"):
        rows = [m for m in misses if m[0] == kind]
        print(f"\n{kind} ({len(rows)}):")
        for _, name, slug, note in sorted(rows):
            print(f"  {name}: {slug} ({note})")


if __name__ == "__main__":
    main()
