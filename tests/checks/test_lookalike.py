"""Clause 4.2: recipient domains that look like a known domain but are not it."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairwatch.checks.lookalike import Lookalike, LookalikeIndex, skeleton

# Webmail UK staff and parents use, with the national variants the providers really run.
WEBMAIL = [
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com",
    "live.co.uk", "msn.com", "yahoo.com", "yahoo.co.uk", "ymail.com", "icloud.com", "me.com",
    "mac.com", "aol.com", "aol.co.uk", "btinternet.com", "btopenworld.com", "talk21.com",
    "sky.com", "virginmedia.com", "ntlworld.com", "blueyonder.co.uk", "talktalk.net",
    "tiscali.co.uk", "protonmail.com", "proton.me", "gmx.com", "gmx.co.uk", "mail.com",
]  # fmt: skip

# Oakfield Primary, a Norfolk maintained school in a trust: its own domains, then partners.
OWN = ["oakfieldprimary.org.uk", "oakfield.norfolk.sch.uk"]
PARTNERS = [
    "norfolk.gov.uk",
    "nhs.net",
    "educationhr.example",
    "brecklandlearningtrust.org.uk",
    "arbor-education.com",
    "cpoms.co.uk",
    "parentpay.com",
    "west-norfolk.gov.uk",
]
KNOWN = OWN + PARTNERS + WEBMAIL

# Real, ordinary domains a Norfolk school writes to. None of them may be reported.
ORDINARY = [
    # the known ones and their subdomains
    *KNOWN,
    "mail.norfolk.gov.uk", "museums.norfolk.gov.uk", "schools.norfolk.gov.uk",
    "students.oakfieldprimary.org.uk",
    # councils, including the neighbours of the known county
    "suffolk.gov.uk", "norwich.gov.uk", "breckland.gov.uk", "southnorfolkandbroadland.gov.uk",
    "north-norfolk.gov.uk", "great-yarmouth.gov.uk", "cambridgeshire.gov.uk",
    "peterborough.gov.uk", "lincolnshire.gov.uk", "essex.gov.uk", "kent.gov.uk",
    "surreycc.gov.uk", "hertfordshire.gov.uk", "bedford.gov.uk", "luton.gov.uk", "devon.gov.uk",
    "cornwall.gov.uk", "somerset.gov.uk", "dorsetcouncil.gov.uk", "wiltshire.gov.uk",
    "gloucestershire.gov.uk", "oxfordshire.gov.uk", "buckinghamshire.gov.uk",
    "westsussex.gov.uk", "eastsussex.gov.uk", "hants.gov.uk", "leeds.gov.uk",
    "manchester.gov.uk", "birmingham.gov.uk", "liverpool.gov.uk", "bristol.gov.uk",
    "sheffield.gov.uk", "nottinghamshire.gov.uk", "derbyshire.gov.uk", "leics.gov.uk",
    "staffordshire.gov.uk", "shropshire.gov.uk", "cheshirewestandchester.gov.uk",
    "lancashire.gov.uk", "cumberland.gov.uk", "northumberland.gov.uk", "durham.gov.uk",
    "northyorks.gov.uk", "york.gov.uk", "hull.gov.uk", "eastriding.gov.uk", "camden.gov.uk",
    "hackney.gov.uk", "islington.gov.uk", "lambeth.gov.uk", "southwark.gov.uk",
    "westminster.gov.uk", "croydon.gov.uk", "harrow.gov.uk", "harlow.gov.uk",
    "ipswich.gov.uk", "colchester.gov.uk", "cambridge.gov.uk", "milton-keynes.gov.uk",
    "northnorthants.gov.uk", "westnorthants.gov.uk", "warwickshire.gov.uk",
    "worcestershire.gov.uk", "herefordshire.gov.uk", "rutland.gov.uk", "medway.gov.uk",
    "brighton-hove.gov.uk", "southampton.gov.uk", "plymouth.gov.uk", "cardiff.gov.uk",
    "edinburgh.gov.uk", "glasgow.gov.uk", "gov.wales", "gov.scot",
    # central government and regulators
    "education.gov.uk", "ofsted.gov.uk", "hmrc.gov.uk", "dwp.gov.uk", "homeoffice.gov.uk",
    "justice.gov.uk", "cafcass.gov.uk", "dbs.gov.uk", "ons.gov.uk", "cabinetoffice.gov.uk",
    "digital.cabinet-office.gov.uk", "notifications.service.gov.uk", "ukhsa.gov.uk",
    "environment-agency.gov.uk", "dvla.gov.uk", "parliament.uk", "ico.org.uk",
    # police: the same county name under another vetted ending
    "norfolk.police.uk", "suffolk.police.uk", "met.police.uk", "kent.police.uk",
    "essex.police.uk", "cambs.police.uk",
    # NHS
    "nsft.nhs.uk", "nnuh.nhs.uk", "nchc.nhs.uk", "jpaget.nhs.uk", "qehkl.nhs.uk",
    "england.nhs.uk", "nhsbsa.nhs.uk", "esneft.nhs.uk", "cpft.nhs.uk", "nice.org.uk",
    # universities and colleges
    "cam.ac.uk", "ox.ac.uk", "uea.ac.uk", "ucl.ac.uk", "kcl.ac.uk", "imperial.ac.uk",
    "ed.ac.uk", "gla.ac.uk", "manchester.ac.uk", "leeds.ac.uk", "york.ac.uk", "kent.ac.uk",
    "essex.ac.uk", "bham.ac.uk", "bristol.ac.uk", "exeter.ac.uk", "soton.ac.uk",
    "nottingham.ac.uk", "sheffield.ac.uk", "lse.ac.uk", "open.ac.uk", "warwick.ac.uk",
    "lancaster.ac.uk", "durham.ac.uk", "aru.ac.uk", "nua.ac.uk", "ccn.ac.uk", "uos.ac.uk",
    # other schools, including an Oakfield in the next county
    "ashfield.norfolk.sch.uk", "stmarys.norfolk.sch.uk", "northwalsham.norfolk.sch.uk",
    "oakfield.suffolk.sch.uk", "oakwoodprimary.org.uk", "oakfieldacademy.org.uk",
    "oakfieldschool.org.uk",
    # charities, unions, churches
    "nspcc.org.uk", "barnardos.org.uk", "actionforchildren.org.uk", "childline.org.uk",
    "redcross.org.uk", "oxfam.org.uk", "savethechildren.org.uk", "scouts.org.uk",
    "girlguiding.org.uk", "nasuwt.org.uk", "neu.org.uk", "naht.org.uk", "ascl.org.uk",
    "unison.co.uk", "gmb.org.uk", "rnli.org.uk", "rspb.org.uk", "nationaltrust.org.uk",
    "norfolkwildlifetrust.org.uk", "norfolkfoundation.com", "dioceseofnorwich.org",
    "churchofengland.org", "youngminds.org.uk", "mind.org.uk", "samaritans.org",
    "place2be.org.uk", "autism.org.uk", "ndcs.org.uk", "rnib.org.uk",
    "educationsupport.org.uk",
    # suppliers and services schools use
    "bbc.co.uk", "bbc.com", "abc.co.uk", "itv.com", "channel4.com", "bt.com", "btconnect.com",
    "tesco.com", "sainsburys.co.uk", "asda.com", "waitrose.co.uk", "johnlewis.co.uk",
    "marksandspencer.com", "argos.co.uk", "amazon.co.uk", "amazon.com", "ebay.co.uk",
    "apple.com", "microsoft.com", "google.com", "google.co.uk", "zoom.us", "capita.com",
    "capita.co.uk", "rm.com", "rmunify.com", "scholarpack.com", "schoolcomms.com",
    "parentmail.co.uk", "groupcall.com", "wonde.com", "pearson.com", "aqa.org.uk",
    "ocr.org.uk", "wjec.co.uk", "cambridge.org", "oup.com", "collins.co.uk", "twinkl.co.uk",
    "twinkl.com", "edukey.co.uk", "educare.co.uk", "thenationalcollege.co.uk",
    "teacherspensions.co.uk", "natwest.com", "barclays.co.uk", "hsbc.co.uk",
    "lloydsbank.co.uk", "nationwide.co.uk", "santander.co.uk", "royalmail.com",
    "parcelforce.co.uk", "dpd.co.uk", "evri.com", "britishgas.co.uk", "edfenergy.com",
    "octopus.energy", "anglianwater.co.uk", "ukpowernetworks.co.uk", "aviva.co.uk",
    "zurich.co.uk", "allianz.co.uk", "directline.com", "admiral.com", "trainline.com",
    "nationalrail.co.uk", "greateranglia.co.uk", "firstgroup.com", "stagecoachbus.com",
    "konectbus.co.uk", "easyjet.com", "ryanair.com", "britishairways.com", "ba.com",
    "premierinn.com", "travelodge.co.uk", "centerparcs.co.uk", "yha.org.uk", "o2.co.uk",
    "ee.co.uk", "vodafone.co.uk", "three.co.uk",
    # more councils: London boroughs and metropolitan districts
    "barnet.gov.uk", "bexley.gov.uk", "brent.gov.uk", "bromley.gov.uk", "ealing.gov.uk",
    "enfield.gov.uk", "haringey.gov.uk", "hounslow.gov.uk", "lewisham.gov.uk",
    "merton.gov.uk", "newham.gov.uk", "sutton.gov.uk", "towerhamlets.gov.uk",
    "wandsworth.gov.uk", "bolton.gov.uk", "oldham.gov.uk", "salford.gov.uk",
    "stockport.gov.uk", "sefton.gov.uk", "wirral.gov.uk", "halton.gov.uk", "kirklees.gov.uk",
    "wakefield.gov.uk", "gateshead.gov.uk", "sunderland.gov.uk", "coventry.gov.uk",
    "sandwell.gov.uk", "walsall.gov.uk", "nottinghamcity.gov.uk", "westsuffolk.gov.uk",
    "eastsuffolk.gov.uk", "fenland.gov.uk", "norfolk-pcc.gov.uk", "norfolkandwaveney.nhs.uk",
    # parents abroad: the providers' own national domains
    "hotmail.fr", "hotmail.de", "outlook.fr", "outlook.ie", "live.fr", "yahoo.fr", "yahoo.ie",
    "yahoo.es", "gmx.at",
    # more personal mail, close to webmail names but not them
    "virgin.net", "email.com", "hushmail.com", "fastmail.com", "fastmail.fm", "zoho.com",
    "mail.ru", "yandex.ru", "web.de", "gmx.de", "orange.net", "wanadoo.co.uk",
    "freeserve.co.uk", "aim.com", "live.ie", "qq.com", "163.com",
    # international domains written as punycode, and in Unicode
    "xn--mnchen-3ya.de", "münchen.de", "bücher.de",
]  # fmt: skip


@pytest.fixture(scope="module")
def index() -> LookalikeIndex:
    return LookalikeIndex(KNOWN)


def reported(index: LookalikeIndex, domain: str) -> Lookalike:
    hit = index.check(domain)
    assert hit is not None, f"{domain} should be reported"
    return hit


# --- what is not a lookalike ---------------------------------------------------------


def test_the_false_alarm_list_is_long_and_has_no_repeats():
    assert len(set(ORDINARY)) == len(ORDINARY)
    assert len(ORDINARY) - len(KNOWN) >= 200


def test_no_ordinary_domain_is_reported_against_a_realistic_known_set(index):
    alarms = {d: index.check(d) for d in ORDINARY}
    assert {d: hit for d, hit in alarms.items() if hit is not None} == {}
    print(f"\nno false alarms over {len(ORDINARY)} ordinary domains")


@pytest.mark.parametrize(
    "domain",
    [
        "norfolk.gov.uk",
        "NORFOLK.GOV.UK",
        "norfolk.gov.uk.",
        " norfolk.gov.uk ",
        "mail.norfolk.gov.uk",
        "a.b.c.norfolk.gov.uk",
        "hr@norfolk.gov.uk",
        "oakfield.norfolk.sch.uk",
    ],
)
def test_a_known_domain_or_any_of_its_subdomains_is_never_a_lookalike(index, domain):
    assert index.check(domain) is None
    assert index.is_known(domain)


def test_suffolk_is_not_mistaken_for_norfolk_three_letters_apart(index):
    assert index.check("suffolk.gov.uk") is None
    assert index.check("norwich.gov.uk") is None


def test_short_names_are_too_alike_to_compare_letter_by_letter():
    short = LookalikeIndex(["bbc.co.uk", "gmail.com", "icloud.com"])
    for domain in ["abc.co.uk", "bbb.co.uk", "email.com", "ymail.com", "gmal.com", "cloud.com"]:
        assert short.check(domain) is None, domain


def test_two_letters_different_is_not_reported_on_a_name_shorter_than_twelve(index):
    assert index.check("narfok.gov.uk") is None  # two edits from norfolk
    assert index.check("educatonhx.example") is None  # two edits from educationhr (11)


def test_both_webmail_variants_known_means_neither_is_reported(index):
    assert index.check("hotmail.co.uk") is None
    assert index.check("hotmail.com") is None


def test_a_webmail_variant_left_out_of_the_known_set_is_reported_as_a_swap():
    only_com = LookalikeIndex(["hotmail.com"])
    hit = reported(only_com, "hotmail.co.uk")
    assert (hit.kind, hit.resembles) == ("suffix-swap", "hotmail.com")


@pytest.mark.parametrize(
    "domain", ["norfolk.police.uk", "norfolk.nhs.uk", "norfolk.ac.uk", "oakfield.suffolk.sch.uk"]
)
def test_the_same_name_under_another_vetted_public_ending_is_ordinary(index, domain):
    assert index.check(domain) is None


def test_kent_county_council_and_the_university_of_kent_are_both_ordinary():
    kent = LookalikeIndex(["kent.gov.uk", "kent.ac.uk"])
    assert kent.check("kent.ac.uk") is None
    assert LookalikeIndex(["kent.gov.uk"]).check("kent.ac.uk") is None


def test_a_known_name_used_as_a_word_in_another_domain_is_not_reported(index):
    for domain in ["norfolkwildlifetrust.org.uk", "norfolk-wildlife.org.uk", "visitnorfolk.co.uk"]:
        assert index.check(domain) is None, domain


@pytest.mark.parametrize("text", ["", " ", ".", "..", "a..b", "localhost", "not a domain", "@"])
def test_text_that_is_not_a_domain_is_not_a_lookalike(index, text):
    assert index.check(text) is None


# --- typos and transpositions --------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "resembles", "kind"),
    [
        ("oakfeildprimary.org.uk", "oakfieldprimary.org.uk", "transposition"),
        ("oakfieldprimay.org.uk", "oakfieldprimary.org.uk", "typo"),
        ("oakfieldprimarry.org.uk", "oakfieldprimary.org.uk", "typo"),
        ("oakfie1dprimary.org.uk", "oakfieldprimary.org.uk", "homoglyph"),
        ("norfok.gov.uk", "norfolk.gov.uk", "typo"),
        ("norfollk.gov.uk", "norfolk.gov.uk", "typo"),
        ("norfolc.gov.uk", "norfolk.gov.uk", "typo"),
        ("nofrolk.gov.uk", "norfolk.gov.uk", "transposition"),
        ("oakfeild.norfolk.sch.uk", "oakfield.norfolk.sch.uk", "transposition"),
        ("educatoinhr.example", "educationhr.example", "transposition"),
        ("educationh.example", "educationhr.example", "typo"),
        ("gmial.com", "gmail.com", "transposition"),
        ("hotmial.co.uk", "hotmail.co.uk", "transposition"),
        ("btinternett.com", "btinternet.com", "typo"),
        ("brecklandlearningtrst.org.uk", "brecklandlearningtrust.org.uk", "typo"),
    ],
)
def test_one_slip_of_the_finger_in_a_known_name_is_reported(index, domain, resembles, kind):
    hit = reported(index, domain)
    assert (hit.resembles, hit.kind) == (resembles, kind)
    assert hit.domain == domain
    assert resembles in hit.reason


def test_two_letters_wrong_in_a_long_name_is_reported_as_a_typo(index):
    hit = reported(index, "oakfeildprimry.org.uk")  # a swap and a dropped letter
    assert (hit.resembles, hit.kind) == ("oakfieldprimary.org.uk", "typo")
    assert hit.reason == "two letters different from oakfieldprimary.org.uk (a typo?)"


def test_the_reason_says_in_plain_words_what_is_wrong(index):
    hit = reported(index, "oakfieldprimay.org.uk")
    assert hit.reason == "one letter different from oakfieldprimary.org.uk (a typo?)"
    hit = reported(index, "oakfeildprimary.org.uk")
    assert hit.reason == "two letters swapped compared with oakfieldprimary.org.uk (a typo?)"


def test_a_slip_in_the_ending_is_a_typo(index):
    hit = reported(index, "gmail.con")
    assert (hit.resembles, hit.kind) == ("gmail.com", "typo")
    assert "'.con'" in hit.reason and "'.com'" in hit.reason
    assert reported(index, "norfolk.gvo.uk").resembles == "norfolk.gov.uk"


def test_a_typo_is_only_reported_under_the_same_ending(index):
    assert index.check("norfok.police.uk") is None
    assert index.check("norfok.gov.co.uk") is None
    assert index.check("oakfieldprimay.co.uk") is None


# --- homoglyphs and punycode ---------------------------------------------------------


CYRILLIC_O = "\u043e"
GREEK_OMICRON = "\u03bf"
CYRILLIC_A = "\u0430"


@pytest.mark.parametrize(
    ("domain", "resembles"),
    [
        (f"n{CYRILLIC_O}rfolk.gov.uk", "norfolk.gov.uk"),
        (f"n{GREEK_OMICRON}rf{GREEK_OMICRON}lk.gov.uk", "norfolk.gov.uk"),
        (f"{CYRILLIC_O}{CYRILLIC_A}kfieldprimary.org.uk", "oakfieldprimary.org.uk"),
        (f"gm{CYRILLIC_A}il.com", "gmail.com"),
        ("norfo1k.gov.uk", "norfolk.gov.uk"),
        ("n0rfolk.gov.uk", "norfolk.gov.uk"),
        ("hotrnail.com", "hotmail.com"),
        ("vvest-norfolk.gov.uk", "west-norfolk.gov.uk"),
        ("oakfíeldprimary.org.uk", "oakfieldprimary.org.uk"),
        ("mail.n0rfolk.gov.uk", "norfolk.gov.uk"),
    ],
)
def test_a_domain_spelt_with_look_alike_characters_is_a_homoglyph(index, domain, resembles):
    hit = reported(index, domain)
    assert (hit.resembles, hit.kind) == (resembles, "homoglyph")
    assert "look-alike characters" in hit.reason


def test_the_reason_names_the_look_alike_characters(index):
    assert "'1' for 'l'" in reported(index, "norfo1k.gov.uk").reason
    assert "'rn' for 'm'" in reported(index, "hotrnail.com").reason
    assert f"Cyrillic '{CYRILLIC_O}'" in reported(index, f"n{CYRILLIC_O}rfolk.gov.uk").reason


def test_a_punycode_domain_is_decoded_before_it_is_compared(index):
    written = f"n{CYRILLIC_O}rfolk.gov.uk".encode("idna").decode("ascii")
    assert written.startswith("xn--")
    hit = reported(index, written)
    assert (hit.domain, hit.resembles, hit.kind) == (written, "norfolk.gov.uk", "homoglyph")
    assert f"displays as n{CYRILLIC_O}rfolk.gov.uk" in hit.reason


def test_look_alike_characters_with_another_trick_are_still_reported(index):
    hit = reported(index, f"gm{CYRILLIC_A}il.co.uk")
    assert (hit.resembles, hit.kind) == ("gmail.com", "homoglyph")
    assert "'.co.uk'" in hit.reason and "Cyrillic" in hit.reason
    hit = reported(index, f"n{CYRILLIC_O}rfok.gov.uk")
    assert (hit.resembles, hit.kind) == ("norfolk.gov.uk", "homoglyph")
    assert reported(index, "oakfie1dprimary.org").kind == "homoglyph"


def test_a_known_international_domain_is_known_however_it_is_written():
    known = LookalikeIndex(["xn--mnchen-3ya.de", "bücher.de"])
    for domain in ["münchen.de", "xn--mnchen-3ya.de", "bücher.de", "xn--bcher-kva.de"]:
        assert known.check(domain) is None, domain


def test_skeletons_fold_look_alikes_to_one_form():
    assert skeleton("norfo1k") == skeleton("norfolk") == skeleton(f"n{CYRILLIC_O}rfolk")
    assert skeleton("rnicrosoft") == skeleton("microsoft")
    assert skeleton("vvestminster") == skeleton("westminster")
    assert skeleton("oakfíeld") == skeleton("oakfield")
    assert skeleton("suffolk") != skeleton("norfolk")


# --- suffix swaps --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "resembles"),
    [
        ("norfolk.gov.co.uk", "norfolk.gov.uk"),
        ("norfolk.co.uk", "norfolk.gov.uk"),
        ("norfolk-gov.uk", "norfolk.gov.uk"),
        ("norfolkgov.uk", "norfolk.gov.uk"),
        ("norfolk.org", "norfolk.gov.uk"),
        ("oakfieldprimary.org", "oakfieldprimary.org.uk"),
        ("oakfieldprimary.co.uk", "oakfieldprimary.org.uk"),
        ("oakfieldprimary.org.uk.com", "oakfieldprimary.org.uk"),
        ("gmail.co.uk", "gmail.com"),
        ("outlook.co.uk", "outlook.com"),
        ("educationhr.co.uk", "educationhr.example"),
    ],
)
def test_a_known_name_under_another_ending_is_a_suffix_swap(index, domain, resembles):
    hit = reported(index, domain)
    assert (hit.resembles, hit.kind) == (resembles, "suffix-swap")


def test_a_suffix_swap_says_which_endings_differ(index):
    hit = reported(index, "norfolk.co.uk")
    assert hit.reason == (
        "same name as norfolk.gov.uk but ends '.co.uk' instead of '.gov.uk', "
        "so it may belong to someone else"
    )
    assert "belongs to gov.co.uk" in reported(index, "norfolk.gov.co.uk").reason


def test_a_swap_to_another_countrys_ending_is_not_reported_unless_sold_as_generic(index):
    for domain in ["hotmail.fr", "yahoo.ie", "outlook.com.au", "norfolk.gov.au"]:
        assert index.check(domain) is None, domain
    for domain in ["gmail.io", "norfolk.co", "outlook.me"]:
        assert reported(index, domain).kind == "suffix-swap", domain
    assert reported(index, "gmail.cm").kind == "typo"  # one letter from .com


def test_a_swap_needs_a_name_of_five_letters():
    short = LookalikeIndex(["bbc.co.uk", "kent.gov.uk", "live.com"])
    for domain in ["bbc.com", "kent.co.uk", "live.co.uk", "live.ie"]:
        assert short.check(domain) is None, domain


# --- extra labels --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "resembles"),
    [
        ("norfolk.gov.uk.secure-mail.com", "norfolk.gov.uk"),
        ("norfolk-gov-uk.com", "norfolk.gov.uk"),
        ("norfolkgovuk.com", "norfolk.gov.uk"),
        ("mail-norfolk-gov-uk.net", "norfolk.gov.uk"),
        ("oakfieldprimary.org.uk.login-portal.net", "oakfieldprimary.org.uk"),
        ("oakfieldprimary-org-uk.com", "oakfieldprimary.org.uk"),
        ("nhs.net.secure-login.com", "nhs.net"),
        ("gmail.com.verify.co", "gmail.com"),
    ],
)
def test_a_known_domain_spelt_out_inside_another_is_an_extra_label(index, domain, resembles):
    hit = reported(index, domain)
    assert (hit.resembles, hit.kind) == (resembles, "extra-label")


def test_an_extra_label_says_whose_address_it_really_is(index):
    hit = reported(index, "norfolk.gov.uk.secure-mail.com")
    assert hit.reason == "spells out norfolk.gov.uk but the address belongs to secure-mail.com"


def test_a_school_domain_that_is_itself_a_public_suffix_is_still_protected():
    # "oak.sch.uk" sits under the wildcard rule *.sch.uk, so the list calls it a suffix.
    oak = LookalikeIndex(["oak.sch.uk"])
    assert oak.check("oak.sch.uk") is None and oak.check("pupils.oak.sch.uk") is None
    assert reported(oak, "oak.sch.uk.co").kind == "extra-label"


# --- properties and speed ------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_can_be_checked_without_error(index, text):
    result = index.check(text)
    assert result is None or isinstance(result, Lookalike)


label = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-оаеіρο"), min_size=1, max_size=12
)
domain = st.lists(label, min_size=1, max_size=4).map(".".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(domain, st.text(max_size=30)), min_size=1, max_size=8), st.data())
def test_a_known_domain_never_matches_however_it_is_written(known, data):
    index = LookalikeIndex(known)
    for name in known:
        assert index.check(name) is None
        if name.isascii():  # "ß".upper() is "SS": another name, not another case
            assert index.check(name.upper()) is None
        assert index.check("mail." + name) is None
        assert index.check(f"someone@{name}") is None
    assert isinstance(index.check(data.draw(domain)), Lookalike | None)


@settings(max_examples=300, deadline=None)
@given(domain)
def test_domain_like_text_near_known_endings_is_checked_without_error(index, name):
    for variant in (name, f"{name}.gov.uk", f"xn--{name}", f"{name}.norfolk.sch.uk", f"{name}.uk"):
        result = index.check(variant)
        assert result is None or (result.domain and result.resembles in KNOWN)


def test_check_is_fast_enough_to_run_on_every_recipient(index):
    sample = ORDINARY + [
        "oakfeildprimary.org.uk",
        "norfo1k.gov.uk",
        "norfolk.gov.uk.secure-mail.com",
        f"n{CYRILLIC_O}rfolk.gov.uk",
    ]
    rounds = 20
    start = time.perf_counter()
    for _ in range(rounds):
        for name in sample:
            index.check(name)
    each = (time.perf_counter() - start) / (rounds * len(sample))
    built = time.perf_counter()
    LookalikeIndex(KNOWN)
    build = time.perf_counter() - built
    print(
        f"\nLookalikeIndex: {len(KNOWN)} known domains, built in {build * 1000:.1f} ms; "
        f"check() {each * 1e6:.1f} µs per call over {len(sample)} domains"
    )


def test_the_module_imports_without_django():
    code = (
        "import sys, fairwatch.checks.lookalike as m; m.LookalikeIndex(['a.example']); "
        "assert 'django' not in sys.modules"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
