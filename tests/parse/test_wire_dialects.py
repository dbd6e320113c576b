"""Wire dialects beyond dpa's house style (issue 19): AP and epd datelines with a region or an
abbreviated suffix, correction and withdrawal vocabularies in German and English, a bare
EILMELDUNG line, a genre with a time, an APA header without an agent sequence number and APA's
closing lines. Every message is composed here; each case has a counter-case that must not change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pressindex.parse import parse_messages
from pressindex.parse.dateline import find_dateline

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def iptc(header: str, lines: list[str], trailer: str = "141200 Mär 25", slug: str = "Test/") -> bytes:
    return (
        "\x01" + header + "\n" + slug + "\n\x02" + "\n".join(lines) + "\n\x03" + trailer + "\n\x7f\x04"
    ).encode()


def anpa(selector: str, head: str, lines: list[str], trailer: str = "AP-NY-03-14-25 1301GMT<") -> bytes:
    return (
        "\x16\x16\x01" + selector + "\n" + head + "\n\x02" + "\n".join(lines) + "\n\x03" + trailer + "\n\x04"
    ).encode()


def one(raw: bytes) -> dict:
    articles = parse_messages(raw, "wire/dialect.txt", now=NOW)
    assert len(articles) == 1
    return articles[0].to_json_dict()


GERMAN_BODY = "Kassel (dpa/lhe) - Wegen Bauarbeiten bleibt eine Brücke ab Montag gesperrt. Umleitungen sind ausgeschildert."
ENGLISH_BODY = "Hamburg (dpa) - The port authority said on Friday that the new quay opens in May. Two cranes are already in place."


# --- datelines ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opening", "place", "raw"),
    [
        ("DAYTON, Ohio (AP) — A small fire damaged a museum.", "Dayton", "DAYTON, Ohio"),
        ("LINZ, Austria (AP) — Police closed a road.", "Linz", "LINZ, Austria"),
        ("TRENTON, N.J. (AP) — The council met.", "Trenton", "TRENTON, N.J."),
        ("EUGENE, Ore. (AP) — Rain fell all day.", "Eugene", "EUGENE, Ore."),
        ("PERTH, Western Australia (AP) — A ship docked.", "Perth", "PERTH, Western Australia"),
        ("Bremen, Deutschland (dpa) - Die Fähre fährt wieder.", "Bremen", "Bremen, Deutschland"),
        ("Offenbach a.M. (epd). Ein Verein feiert sein Jubiläum.", "Offenbach am Main", "Offenbach a.M."),
        ("Freiburg i.Br. (KNA) - Die Synode tagt.", "Freiburg im Breisgau", "Freiburg i.Br."),
        ("MUNICH (AP) — A train was late.", "Munich", "MUNICH"),
    ],
)
def test_a_city_with_a_region_or_suffix_is_a_dateline(opening, place, raw):
    found = find_dateline(opening)
    assert found is not None
    assert (found.place, found.place_raw) == (place, raw)


@pytest.mark.parametrize(
    "text",
    [
        "Berlin, Germany is where the talks were held.",  # no credit: a sentence
        "Er sagte, Berlin, Germany (dpa) sei weit.",  # inside a sentence
        "Peter Beispiel, Vorsitzender (SPD) - Die Fraktion stimmt zu.",  # a name and a party
        "TOLEDO, the old city (AP) — text",  # lower-case words: no region
        "KIEL, Eins Zwei Drei Vier (AP) — text",  # a region has at most three words
    ],
)
def test_a_comma_inside_a_sentence_or_a_name_is_no_dateline(text):
    found = find_dateline(text)
    assert found is None or found.place not in ("Berlin", "Peter Beispiel", "Toledo", "Kiel")


def test_ap_message_with_a_state_gives_the_city():
    raw = anpa(
        "a0213",
        "r a BC-Barn-Fire 0200",
        [
            "^Fire damages barn<",
            "\tSALEM, Ore. (AP) _ A fire damaged an old barn overnight, the fire chief said.<",
        ],
    )
    got = one(raw)
    assert (got["dateline"], got["dateline_raw"], got["agencies"]) == ("Salem", "SALEM, Ore.", ["AP"])


def test_epd_dateline_with_a_full_stop():
    raw = iptc(
        "epd0321 4 ku 0240  epd 0321",
        [
            "Archiv öffnet Nachlass =",
            "",
            "Hanau a.M. (epd). Ein Archiv zeigt ab Samstag Briefe einer Dichterin.",
        ],
    )
    got = one(raw)
    assert got["dateline"] == "Hanau am Main" and "epd" in got["agencies"]
