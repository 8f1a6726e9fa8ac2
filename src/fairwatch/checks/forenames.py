"""Forenames from around the world, for spotting people named in subjects who are not on the
roster (a job applicant, a child at another school, a member of the public).

The list is the name dictionary of Jörg Michael's `gender` program (some 45,000 forenames used
in 50-odd countries, GNU Free Documentation Licence), read from where the `gender-guesser`
package installs it. Only whether a word is a forename is used: nothing here guesses anyone's
gender. Forenames that are everyday words ("Will", "May", "Grace", "Bill", "Mark") are left
out, since "Will Smith" and "May Day" read alike to a program. Pure: no Django.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from .names import fold, wordlist

# Forenames that are as often ordinary words (or days and months); never taken as a name.
WORD_NAMES = wordlist(
    """may june april august will grace hope faith joy rose summer autumn sky bill mark max
    ray dawn holly ivy iris amber ruby pearl miles frank art victor sunny honor honey star angel
    dot don sue pat rich guy chase hunter reed carol penny robin jay heather jade olive sage
    willow river storm brook crystal destiny harmony liberty patience charity trinity
    monday tuesday wednesday thursday friday saturday sunday march reading page lane young
    long king major chance gay sandy rusty dusty misty windy earl duke prince baron royal
    happy lucky an and are as at be but by for in is it of on or so the to up we do go no
    us all new old van von de la le del da di du dean hall field wood rock stone price
    sun can job loan san hong roman ninja cong nom"""
)


_HEX = frozenset("0123456789ABCDEFabcdef")


@cache
def forenames() -> frozenset[str]:
    """Every forename in the dictionary, folded ("José" → "jose"), less WORD_NAMES."""
    data = resources.files("gender_guesser") / "data" / "nam_dict.txt"
    names: set[str] = set()
    with data.open(encoding="utf-8") as f:
        for line in f:
            if line[:1] in ("#", "=", "") or len(line) < 30:
                continue
            # "M  John                      ..." : a gender column, then the name; compound
            # names are written with "+" ("Jean+Pierre") and left out.
            fields = line[:30].split()
            if len(fields) < 2 or "+" in fields[1]:
                continue
            # One frequency digit (1 rare .. D very common, hex) per country; British and Irish
            # first. A name seen only rarely, and nowhere in these islands, is more often a word
            # in English text ("Free", "Forest", "Red") than anyone's name.
            frequencies = [int(c, 16) for c in line[30:86] if c.strip() and c in _HEX]
            british = any(c.strip() for c in line[30:32])
            if british or max(frequencies, default=0) >= 2:
                names.add(fold(fields[1]))
    return frozenset(names) - WORD_NAMES


def is_forename(word: str) -> bool:
    return fold(word) in forenames()
