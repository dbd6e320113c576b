"""The not-for-publication marker as agencies word it otherwise, and as systems mangle it: the
block after it (phone numbers, e-mail addresses) appears in no field of the parse result, in IPTC
7901, plain text and ANPA 1312 alike; a contact heading in a Notizblock is non-public by itself;
a story that merely mentions the phrase keeps its text.

The messages are composed for this project (tests/wire_formats_factory.py)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pressindex.parse import parse_messages
from pressindex.parse.nonpublic import remove_nonpublic

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import wire_formats_factory as wf

NOW = datetime(2025, 6, 1, tzinfo=UTC)
PHONE, MAIL = "0000 424242", "quelle.intern@example.org"

GERMAN = [
    "Die nachfolgenden Informationen sind nicht zur Veröffentlichung bestimmt",
    "Folgende Informationen sind nicht zur Veröffentlichung bestimmt:",
    "Die folgenden Angaben sind nicht zur Veröffentlichung bestimmt",
    "Die folgenden Informationen sind nicht für die Veröffentlichung bestimmt",
    "Nur für die Redaktion, nicht zur Veröffentlichung:",
    "Die folgenden Informationen sind nicht zur Vero\u0308ffentlichung bestimmt",  # NFD, as macOS sends it
    "<p>Die folgenden Informationen sind nicht zur Ver&ouml;ffentlichung bestimmt</p>",  # HTML remnants
    "Die folgenden Informationen sind nicht zur Veröffent\u00adlichung bestimmt",  # soft hyphen
    "Nicht zur Publikation bestimmt!",
    "*** NICHT ZUR VERÖFFENTLICHUNG ***",
    # the verb, and wordings that restrict the note to the newsroom (contact data follows them)
    "Nicht zu veröffentlichen:",
    "Bitte nicht veröffentlichen!",
    "Folgende Angaben bitte nicht veröffentlichen:",
    "Bitte nicht publizieren",
    "Nicht zur Publikation",
    "<p>Nicht zur Publikation bestimmt</p>",
    "Kontakte (nicht zur Publikation):",
    "Folgende Angaben sind vertraulich:",
    "Nur intern:",
    "Nicht zur Weitergabe:",
    "INTERN – NICHT ZUR VERÖFFENTLICHUNG",
    "Sperrvermerk: nicht zur Veröffentlichung",
    "Embargo-Hinweis: nicht veröffentlichen",
    "Vertraulich:",
    "VERTRAULICH – NUR FÜR DIE REDAKTION",
    "Nur für den internen Gebrauch:",
    "Nur zur Information der Redaktion",
    "Nicht zur Veröffentlichung, nur zur Information der Redaktion",
]
ENGLISH = [
    "The following information is not intended for publication",
    "The following is not for publication",
    "Contact details (not for publication):",
    "NOT FOR RELEASE",
    "The following information is not for pub\u00adlication.",
    "Not for broadcast",
    "FOR INTERNAL USE ONLY",
    "Confidential - not for publication",
    "Confidential:",
    "The following details are not for release:",
]
WORDINGS = GERMAN + ENGLISH


def _block(marker: str, separator: bool) -> list[str]:
    # no "## Kontakte" heading here: the marker alone must cut
    return [
        *(["* * * *", ""] if separator else []),
        marker,
        f"Ansprechpartnerin: Erika Beispiel, Telefon {PHONE}, {MAIL}",
        "",
    ]


def _assert_cut(raw: bytes) -> None:
    articles = parse_messages(raw, "wire/wording.txt", now=NOW)
    dumped = repr(articles) + json.dumps([a.to_json_dict() for a in articles], ensure_ascii=False)
    for secret in (PHONE, MAIL, "Erika Beispiel"):
        assert secret not in dumped
    assert all("nonpublic_removed" in a.repairs for a in articles)
    assert all("entschieden" in a.body or "decision" in a.body for a in articles)  # the story stays


@pytest.mark.parametrize("separator", [True, False], ids=["after_separator", "after_body"])
@pytest.mark.parametrize("marker", WORDINGS)
def test_iptc7901_block_after_a_marker_worded_otherwise_is_cut(marker, separator):
    story = (
        wf.de_story("Kiel", "dpa/lno", "die Regeln") if marker in GERMAN else wf.en_story("Kiel", "the rules")
    )
    lines = ["Neue Regeln =", "", *story, *_block(marker, separator)]
    _assert_cut(wf.iptc("nsb0050 4 vm 100  lno 0050", "Verkehr/", lines).encode())
    stripped = wf.iptc("nsb0050 4 vm 100  lno 0050", "Verkehr/", lines, control=False)
    _assert_cut(
        stripped.encode("cp1252") if "\u0308" not in marker else stripped.encode()
    )  # no NFD in cp1252


@pytest.mark.parametrize("marker", WORDINGS)
def test_plain_text_block_after_a_marker_worded_otherwise_is_cut(marker):
    story = wf.de_story("Kiel", "dpa", "die Regeln") if marker in GERMAN else wf.en_story("Kiel", "the rules")
    text = "\n".join([*story, *_block(marker, False)])
    _assert_cut(text.encode())
    _assert_cut(text.replace("\n", "\r\n").encode("utf-16"))


@pytest.mark.parametrize("marker", WORDINGS)
def test_anpa1312_block_after_a_marker_worded_otherwise_is_cut(marker):
    lines = [
        "^Harbor bridge reopens<",
        "\tBAYTOWN, Ore. (AP) _ A harbor bridge closed for two years reopened on Friday after a decision by the city.<",
        f"^{marker}<",
        f"\tContact: Erika Beispiel, {PHONE}, {MAIL}<",
    ]
    _assert_cut(wf.anpa("a0918", "r i BC-US-Harbor-Bridge 0412", lines, "AP-WF-03-14-25 0918GMT<").encode())


@pytest.mark.parametrize(
    "heading", ["## Kontakte", "## Kontakt", "## ANSPRECHPARTNER", "## Contacts", "# contact"]
)
def test_a_contact_heading_in_a_notizblock_is_non_public_without_a_marker(heading):
    lines = ["Neue Regeln =", "", *wf.de_story("Kiel", "dpa/lno", "die Regeln"), *wf.NOTIZBLOCK]
    lines += [heading, f"- Reporterin: Erika Beispiel, Telefon {PHONE}, {MAIL}", ""]
    _assert_cut(wf.iptc("nsb0051 4 vm 100  lno 0051", "Verkehr/", lines).encode())
    _assert_cut("\n".join(lines[2:]).encode())  # plain text
    # what the Notizblock holds before the contacts stays
    (article,) = parse_messages(
        wf.iptc("nsb0051 4 vm 100  lno 0051", "Verkehr/", lines).encode(), "x.txt", now=NOW
    )
    assert "Leinebrücke" in (article.editorial_notes or "")


PROSE = [
    # a story about a leaked report: the phrase inside a paragraph, or a sentence of its own
    "Der Bericht war nicht zur Veröffentlichung bestimmt, sagte der Minister am Dienstag.",
    "Das Papier sei nicht zur Veröffentlichung bestimmt gewesen.",
    "Die Regierung will die Studie nicht veröffentlichen.",
    "The report was not intended for publication, officials said.",
    "The company did not release the figures.",
    "Kontakte zur Opposition gebe es nicht, nicht zur Veröffentlichung bestimmte Papiere auch nicht.",
    "Die Gespräche seien vertraulich, sagte der Sprecher.",
    "Die Liste sei nur für den internen Gebrauch bestimmt gewesen.",
    "Bitte nicht veröffentlichen, hatte der Sprecher am Telefon gebeten.",
    "The memo was confidential and for internal use only, she said.",
    "Not for broadcast, the tape ended up on a shelf.",
]


@pytest.mark.parametrize("sentence", PROSE)
def test_a_story_that_mentions_the_phrase_keeps_its_text(sentence):
    lines = [
        "Neue Regeln =",
        "",
        *wf.de_story("Kiel", "dpa/lno", "die Regeln"),
        sentence,
        "",
        "Es folgt mehr.",
    ]
    (article,) = parse_messages(
        wf.iptc("nsb0052 4 vm 100  lno 0052", "Verkehr/", lines).encode(), "x.txt", now=NOW
    )
    assert sentence.split(",")[0] in article.body and "Es folgt mehr." in article.body
    assert "nonpublic_removed" not in article.repairs
    long_line = "Wort " * 40 + sentence + " Wort" * 40
    assert remove_nonpublic(f"Text.\n{long_line}\nMehr.\n") == (f"Text.\n{long_line}\nMehr.\n", False)
    assert remove_nonpublic(f"Text.\n\n{sentence}\nMehr.\n") == (f"Text.\n\n{sentence}\nMehr.\n", False)


def test_a_contact_heading_outside_a_notizblock_cuts_nothing():
    text = "Text.\n\n## Kontakte\nDie Stadt pflegt Kontakte zu Partnerstädten.\n"
    assert remove_nonpublic(text) == (text, False)


def test_the_marker_line_with_its_block_on_the_same_line_is_cut():
    text = f"Text.\n\nNicht zur Veröffentlichung: Erika Beispiel, {PHONE}, {MAIL} " + "x " * 100 + "\n"
    assert remove_nonpublic(text) == ("Text.\n\n", True)


_PIECES = st.sampled_from([
    "Veröffent\xadlichung", "\xad", "&shy;", "NOT FOR RELEASE", "Publikation", "# Notizblock", "## Kontakte", "## K",
    "\n", "\n\n", " ", "x", "ö", "o\u0308", "<p>", "&ouml;", "* * * *", "dpa xyz", "\x03", "140918 Mär 25",
    "nicht zur ", "Ver", "ffentlichung", "ublication", *WORDINGS,
])  # fmt: skip
_SOME = st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=20).map("".join)


@settings(max_examples=500, deadline=None)
@given(_SOME, st.sampled_from(WORDINGS), _SOME)
def test_whatever_surrounds_a_marker_line_the_line_after_it_is_cut_and_a_second_cut_changes_nothing(
    before, marker, after
):
    text = f"{before}\n{marker}\nQuelle: {PHONE}\n{after}"
    kept, removed = remove_nonpublic(text)
    assert removed and PHONE not in kept
    assert remove_nonpublic(kept)[0] == kept


@pytest.mark.parametrize(
    "wrapped",
    [
        "Die folgenden Angaben sind nicht zur\nVeröffentlichung bestimmt:",
        "Die nachfolgenden Informationen sind nicht zur Veröffentlichung\nbestimmt",
        "The following information is not intended\nfor publication.",
        # a word hyphenated at the wrap
        "Die folgenden Informationen sind nicht zur Ver-\nöffentlichung bestimmt:",
        "Die folgenden Informationen sind nicht zur Veröffent-\nlichung bestimmt",
    ],
)
def test_a_marker_wrapped_over_two_lines_is_cut(wrapped):
    text = f"Text.\n\n{wrapped}\nQuelle: {PHONE}, {MAIL}\n"
    assert remove_nonpublic(text) == ("Text.\n\n", True)


def test_a_wrapped_paragraph_line_that_is_the_phrase_is_prose():
    text = "Das Gutachten des Ministeriums war\nnicht zur Veröffentlichung bestimmt.\nEs liegt der Zeitung vor.\n"
    assert remove_nonpublic(text) == (text, False)


def test_the_phrase_with_a_dash_and_the_block_on_its_line_is_cut_and_a_dash_and_prose_is_not():
    text = f"Text.\n\nNicht zur Veröffentlichung bestimmt – Kontakt: Erika Beispiel, Tel. {PHONE}, {MAIL}\n"
    assert remove_nonpublic(text) == ("Text.\n\n", True)
    prose = "Text.\n\nNicht zur Veröffentlichung bestimmt – so stand es auf dem Papier.\nMehr.\n"
    assert remove_nonpublic(prose) == (prose, False)


@pytest.mark.parametrize("wording", ["Vertraulich", "Nur für den internen Gebrauch", "Confidential:"])
def test_a_restricting_wording_cuts_only_when_contact_data_follows(wording):
    # a subheading of the story, its paragraph naming no contact ("telefonisch" is not a label)
    story = f"Text.\n\n{wording}\nEin Sprecher war telefonisch nicht zu erreichen.\nMehr.\n"
    assert remove_nonpublic(story) == (story, False)
    block = f"Text.\n\n{wording}\nErika Beispiel\nTel.: {PHONE}\n"
    assert remove_nonpublic(block) == ("Text.\n\n", True)


def test_a_wrapped_paragraph_line_that_is_a_restricting_wording_is_prose():
    text = f"Die Liste der Zeugen war\nnur für den internen Gebrauch\nbestimmt, Telefon {PHONE} inklusive.\n"
    assert remove_nonpublic(text) == (text, False)


def test_a_contact_heading_closing_plain_copy_without_a_notizblock_is_non_public():
    story = wf.de_story("Kiel", "dpa", "die Regeln")
    for heading in ("## Kontakte", "## Ansprechpartner", "# Contact"):
        text = "\n".join([*story, "", heading, f"- Erika Beispiel, Telefon {PHONE}, {MAIL}", ""])
        _assert_cut(text.encode())
        lines = ["Neue Regeln =", "", *story, "", heading, f"Erika Beispiel, {PHONE}", ""]
        _assert_cut(wf.iptc("nsb0053 4 vm 100  lno 0053", "Verkehr/", lines).encode())


def test_a_contact_heading_inside_the_story_stays():
    # a public hotline under a heading, and the story goes on for longer than a contact block
    text = (
        "Text.\n\n## Kontakt\nDie Hotline ist unter 0800 123456 erreichbar.\n\n" + "Mehr Text. " * 200 + "\n"
    )
    assert remove_nonpublic(text) == (text, False)
