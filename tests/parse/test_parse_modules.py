"""The parsing modules one by one: dates, dpa ids, agencies, datelines, cleaning, decoding, ids."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from pressindex.parse import parse_document
from pressindex.parse.agencies import canonical_agency, parse_credit
from pressindex.parse.clean import clean_text, normalise_whitespace
from pressindex.parse.dateline import find_dateline, normalise_place
from pressindex.parse.dates import DateValue, find_date, parse_date_line, parse_header_date, pick_published
from pressindex.parse.decode import decode_bytes, sniff_binary
from pressindex.parse.dpa_ids import find_dpa_id
from pressindex.parse.structure import classify_footer, first_sentence

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
STORY = (
    "Die Stadt baut eine neue Brücke über den Fluss. Der Bau soll im Frühjahr beginnen und zwei Jahre dauern."
)


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("(APA, 11.9.2015)", "2015-09-11", "day"),
        ("16.10.24 09:19 Uhr", "2024-10-16T09:19", "minute"),
        ("am 13. April 2021", "2021-04-13", "day"),
        ("21 Nov. 2024", "2024-11-21", "day"),
        ("3. Jänner 2016", "2016-01-03", "day"),
        ("2021-04-13T08:30", "2021-04-13T08:30", "minute"),
        ("1.1.99", "1999-01-01", "day"),
        ("31.02.2020", None, None),
        ("12.13.2020", None, None),
        ("13. April", None, None),
    ],
)
def test_find_date(text: str, value: str | None, precision: str | None) -> None:
    found = find_date(text, now_year=2025)
    assert (found.value, found.precision) == (value, precision) if found else value is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2021-04", ("2021-04", "month")), ("2021-04-13", ("2021-04-13", "day")), ("2021", ("2021", "year")),
     ("2021-13", None), ("1850", None)],
)  # fmt: skip
def test_parse_header_date(value: str, expected: tuple[str, str] | None) -> None:
    found = parse_header_date(value)
    assert ((found.value, found.precision) if found else None) == expected


def test_date_line_needs_the_whole_line() -> None:
    assert parse_date_line("Stand: 16.10.24 09:19 Uhr", now_year=2025).precision == "minute"
    assert parse_date_line("Dienstag, 13. April 2021").value == "2021-04-13"
    assert parse_date_line("Am 13. April 2021 fiel die Entscheidung.") is None


def test_future_dates_are_refused_and_precision_refines() -> None:
    header = DateValue("2021-04", "month", "header")
    dpa = DateValue("2021-04-13", "day", "dpa_id")
    future = DateValue("2026-01-01", "day", "footer")
    best, refused = pick_published([future, header, dpa], NOW)
    assert best == dpa and refused == [future]
    assert (
        pick_published([DateValue("2025-01", "month", "header")], NOW)[0] is not None
    )  # this month is not future
    assert DateValue("2025-01-16", "day", "text").is_after(NOW)
    assert not DateValue("2025-01-15T23:59", "minute", "text").is_after(NOW)  # zone unknown: compared by day


# --- dpa ids -------------------------------------------------------------------------------------


def test_dpa_id_parts() -> None:
    found = find_dpa_id("© dpa-infocom, dpa:220123-99-817158/3")
    assert (found.story, found.version, found.issue_date) == ("220123-99-817158", 3, "2022-01-23")


def test_dpa_id_last_wins_and_needs_a_real_date() -> None:
    assert find_dpa_id("dpa:210101-99-000001/1 … dpa:210102-99-000002/2").story == "210102-99-000002"
    assert find_dpa_id("dpa:211399-99-000001/1") is None
    assert find_dpa_id("220123-99-817158/3") is None
    assert find_dpa_id("220123-99-817158/3", bare=True).version == 3


# --- agencies ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "canonical"),
    [("DPA", "dpa"), ("dpa-AFX", "dpa-AFX"), ("afp", "AFP"), ("Reuters", "Reuters"), ("ap", "AP"), ("sda", "SDA"),
     ("KNA", "KNA"), ("epd", "epd"), ("APA", "APA"), ("Europa Press", "Europa Press"), ("red", None), ("CDU", None)],
)  # fmt: skip
def test_canonical_agency(name: str, canonical: str | None) -> None:
    assert canonical_agency(name) == canonical


def test_parse_credit() -> None:
    credit = parse_credit("dpa/lni")
    assert (credit.agencies, credit.services) == (("dpa",), ("lni",))
    assert parse_credit("APA/dpa").agencies == ("APA", "dpa")
    assert parse_credit("AFP, Reuters").agencies == ("AFP", "Reuters")
    assert not parse_credit("lni")  # a regional code alone names no agency
    assert parse_credit("red").unknown == ("red",)


# --- datelines -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [("FRANKFURT", "Frankfurt"), ("NEW YORK", "New York"), ("TEL AVIV/BEIRUT", "Tel Aviv/Beirut"),
     ("BADEN-WÜRTTEMBERG", "Baden-Württemberg"), ("RIO DE JANEIRO", "Rio de Janeiro"), ("Washington", "Washington"),
     ("McAllen", "McAllen")],
)  # fmt: skip
def test_normalise_place(raw: str, normalised: str) -> None:
    assert normalise_place(raw) == normalised


def test_dateline_offsets_split_the_prefix() -> None:
    para = "Berlin (dpa) - Der Bundestag tagt."
    found = find_dateline(para)
    assert para[found.end :] == "Der Bundestag tagt."
    assert find_dateline("Ein Satz. Wien – Ein zweiter Satz.") is None  # not without after_teaser
    assert find_dateline("Ein Satz. Wien – Ein zweiter Satz.", after_teaser=True).place == "Wien"


# --- structure -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "kind"),
    [("© dpa-infocom, dpa:220123-99-817158/3", "copyright"), ("/ck/stk", "editor_initials"),
     ("(APA, 11.9.2015)", "credit"), ("dpa/lni", "credit"), ("Redaktion finanzen.net", "publisher"),
     ("Anzeige", "ad"), ("Foto: dpa", "photo"), ("https://example.org/a", "link"), ("13. April 2021", "date"),
     ("dpa:220123-99-817158/3", "dpa_id"), ("Die Regierung hat entschieden.", None), ("Anzeigenkunden sind verärgert.", None)],
)  # fmt: skip
def test_classify_footer(line: str, kind: str | None) -> None:
    found = classify_footer(line)
    assert (found.kind if found else None) == kind


def test_first_sentence_skips_ordinals_and_abbreviations() -> None:
    assert first_sentence("Am 3. Mai sprach Dr. Muster z.B. über Geld. Danach nicht.") == (
        "Am 3. Mai sprach Dr. Muster z.B. über Geld."
    )


# --- cleaning and decoding -----------------------------------------------------------------------


def test_clean_records_only_what_changed() -> None:
    assert clean_text("Ein sauberer Text.").repairs == ()
    cleaned = clean_text("<p>A&amp;B\u00ad</p>\r\n<p>C\u00a0D</p>")
    assert cleaned.text == "A&B\n\nC D"
    assert {"crlf", "html", "soft_hyphen", "nbsp"} <= set(cleaned.repairs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Erste  Zeile \t mit\tTab  \n  zweite Zeile  ", "Erste Zeile mit Tab\nzweite Zeile"),
        ("Absatz eins.\n \n\t\n\n\nAbsatz zwei.", "Absatz eins.\n\nAbsatz zwei."),
        ("a \n\n b", "a\n\nb"),
        (" \t \n \n ", ""),
    ],
)
def test_whitespace_lines_are_stripped_and_blank_runs_collapsed(text: str, expected: str) -> None:
    assert normalise_whitespace(text) == expected


def test_decode_prefers_utf8_and_names_encodings() -> None:
    assert decode_bytes("Größe".encode()).encoding == "utf-8"
    assert decode_bytes("Größe und Maß".encode("cp1252")).text == "Größe und Maß"
    assert decode_bytes("Größe und Maß".encode("utf-16")).encoding == "utf-16-le"
    cyrillic = decode_bytes("Москва сегодня объявила о новых мерах поддержки".encode("cp1251"))
    assert cyrillic.text.startswith("Москва")


@pytest.mark.parametrize(
    "raw",
    [
        b"%PDF-1.4",
        b"PK\x03\x04rest",
        b"\x89PNG\r\n\x1a\nrest",
        b"\x1f\x8b\x08\x00",
        b"a\x00b\x00\x00\x00\x00\x00",
    ],
)
def test_sniff_binary(raw: bytes) -> None:
    assert sniff_binary(raw)


# --- ids -----------------------------------------------------------------------------------------


def test_identical_copy_under_two_names_is_one_document() -> None:
    a = parse_document(STORY.encode("utf-8"), "in/a.txt", now=NOW)
    b = parse_document(STORY.encode("cp1252"), "elsewhere/b.txt", now=NOW)
    assert a.id == b.id == f"sha1-{a.text_sha1}"
    assert a.content_sha256 == hashlib.sha256(STORY.encode("utf-8")).hexdigest() != b.content_sha256


def test_source_path_in_the_document_is_valid_utf8() -> None:
    name = "in/caf\udce9.txt"  # os.fsdecode of a Latin-1 file name
    source = parse_document(STORY.encode(), name, now=NOW).to_source()
    assert source["source_path"] == "in/caf\ufffd.txt"
    source["source_path"].encode("utf-8")  # would raise on a lone surrogate


def test_dpa_versions_share_one_id() -> None:
    v1 = parse_document(
        f"Berlin (dpa) - {STORY}\n\n© dpa-infocom, dpa:210413-99-186470/1".encode(), "v1", now=NOW
    )
    v5 = parse_document(
        f"Berlin (dpa) - {STORY} Neu.\n\n© dpa-infocom, dpa:210413-99-186470/5".encode(), "v5", now=NOW
    )
    assert v1.id == v5.id == "dpa-210413-99-186470"
    assert (v1.dpa.version, v5.dpa.version) == (1, 5)
    assert v1.text_sha1 != v5.text_sha1


def test_utf8_cut_inside_its_last_character_keeps_the_rest():
    from pressindex.parse.decode import decode_bytes

    decoded = decode_bytes("Die Straße führt bis Mä".encode() + "ö".encode()[:1])
    assert decoded.text == "Die Straße führt bis Mä"
    assert decoded.encoding == "utf-8"
    assert decoded.repairs == ("truncated_utf8",)


def test_the_utf8_mojibake_prefilter_agrees_with_the_text_hint() -> None:
    """The bytes pattern decode_bytes looks for first finds a hint exactly where the text has one:
    every first character of the hint's class and its neighbours, before every character up to
    U+2200 (the second class ends at U+2122)."""
    from pressindex.parse.decode import _MOJIBAKE_HINT, _MOJIBAKE_HINT_UTF8

    seconds = "".join(chr(c) for c in range(0x20, 0x2200) if not 0xD800 <= c < 0xE000)
    for first in map(chr, range(0xB8, 0xFA)):
        for second in seconds:
            text = f"a{first}{second}"
            assert bool(_MOJIBAKE_HINT.search(text)) == bool(_MOJIBAKE_HINT_UTF8.search(text.encode())), (
                first,
                second,
            )


def test_mojibake_is_still_repaired_in_utf8_files() -> None:
    decoded = decode_bytes("Die BrÃ¼cke Ã¼ber die Leine â€“ erÃ¶ffnet".encode())
    assert decoded.text == "Die Brücke über die Leine – eröffnet" and "mojibake" in decoded.repairs
