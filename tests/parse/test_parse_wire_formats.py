"""IPTC 7901 and ANPA 1312 wire files: recognition, one Article per message, the header fields and
markers, non-public notes that never come out, and plain text that keeps its figures.

The messages are composed for this project (tests/wire_formats_factory.py)."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pressindex.errors import InputError
from pressindex.index.indices import mapped_fields
from pressindex.model import Article
from pressindex.parse import parse_document, parse_messages
from pressindex.parse._envelope import cut_usual_marker, scan_envelope
from pressindex.parse._unwrap import collapse_spaces
from pressindex.parse.clean import _collapse_spaces, clean_text
from pressindex.parse.dpa_ids import find_dpa_id
from pressindex.parse.nonpublic import _PREFILTER_WORDS, remove_nonpublic
from pressindex.parse.structure import split_structure
from pressindex.parse.wire_format import detect_format
from pressindex.parse.wire_notes import CONTROLS, embargo_until, trailer_date, unwrap, unwrap_story

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import wire_formats_factory as wf

NOW = datetime(2025, 6, 1, tzinfo=UTC)
_CONTAINS = {"editorial_notes_has": "editorial_notes", "repairs_has": "repairs", "footer_has": "footer_lines",
             "warnings_has": "warnings"}  # fmt: skip


def test_at_least_thirty_composed_messages():
    assert sum(len(c.expected) for c in wf.CASES) >= 30


@pytest.mark.parametrize("case", wf.CASES, ids=lambda c: c.name)
def test_composed_message_gives_its_fields(case):
    articles = parse_messages(case.raw, f"wire/{case.name}.txt", now=NOW)
    assert len(articles) == len(case.expected)
    for article, expected in zip(articles, case.expected, strict=False):
        got = article.to_json_dict()
        for key, want in expected.items():
            if key in _CONTAINS:
                assert want in (got[_CONTAINS[key]] or ""), (key, got[_CONTAINS[key]])
            else:
                assert got[key] == want, (key, got[key])
        # the transmission header never becomes text
        assert not article.title.startswith(("bdt", "nsb", "eca", "spe", "afx", "a0", "w1"))
        assert "\x01" not in article.body and "\x02" not in article.body and "\x07" not in article.title


@pytest.mark.parametrize("case", wf.CASES, ids=lambda c: c.name)
def test_every_written_field_is_mapped(case):
    mapped = mapped_fields()
    for article in parse_messages(case.raw, case.name, now=NOW):
        assert set(article.to_source()) <= mapped


def test_no_contact_from_a_nonpublic_block_survives():
    """Phone numbers and e-mail addresses after the not-for-publication marker appear in no field,
    warning or repr of what parse_messages returns: German and English markers, several messages,
    stripped control characters, CRLF, Latin-1 and plain text (UTF-8 and UTF-16)."""
    secret_files = [c.raw for c in wf.CASES if any(m.encode() in c.raw for m in wf.SECRET_MAILS)]
    assert len(secret_files) >= 2
    body = ["Neue Regeln für Parkplätze =", "", *wf.de_story("Kiel", "dpa/lno", "die Regeln")]
    extra = [
        wf.iptc("nsb0050 4 vm 100  lno 0050", "Verkehr/", body + wf.nonpublic_de(1), control=False).encode(),
        (
            wf.iptc("nsb0051 4 vm 100  lno 0051", "Verkehr/", body + wf.nonpublic_de(2))
            + wf.iptc(
                "eca0052 4 i 100  dpa 0052",
                "Traffic/",
                ["Parking rules =", "", *wf.en_story("Kiel", "parking"), *wf.nonpublic_en()],
            )
        )
        .replace("\n", "\r\n")
        .encode("cp1252"),
        (
            "Kiel (dpa) - Die Stadt beschließt neue Regeln für Parkplätze. Sie gelten ab Mai.\n\n"
            + "\n".join(wf.nonpublic_de(3))
        ).encode(),
    ]
    # plain text in UTF-16 (with and without a byte-order mark): its bytes do not show the marker's words
    extra += [
        (
            "Kiel (dpa) - Die Stadt beschließt neue Regeln für Parkplätze. Sie gelten ab Mai.\n\n"
            + "\n".join(wf.nonpublic_de(0))
        ).encode(enc)
        for enc in ("utf-16", "utf-16-le")
    ]
    for raw in secret_files + extra:
        articles = parse_messages(raw, "wire/secret.txt", now=NOW)
        dumped = repr(articles) + json.dumps([a.to_json_dict() for a in articles], ensure_ascii=False)
        for secret in wf.SECRET_PHONES + wf.SECRET_MAILS + ("Max Vertraulich", "Kontakte", "Night desk"):
            assert secret not in dumped
        assert all("nonpublic_removed" in a.repairs for a in articles)


def test_nonpublic_keeps_the_closing_editor_codes_and_what_follows_the_text():
    text = (
        "Text.\n\n* * * *\n\nDie folgenden Informationen sind nicht zur Veröffentlichung bestimmt\n\n"
        "## Kontakte\n- 0000 111222\n\ndpa xyz yyab\n\x03140918 Mär 25\n"
    )
    kept, removed = remove_nonpublic(text)
    assert removed and "0000" not in kept and "* * * *" not in kept
    assert kept.endswith("dpa xyz yyab\n\x03140918 Mär 25\n")
    assert remove_nonpublic("Keine Marke hier.") == ("Keine Marke hier.", False)


def test_parse_document_gives_the_first_message():
    case = next(c for c in wf.CASES if c.name == "dpa_three_messages_with_ids")
    first = parse_document(case.raw, "multi.txt", now=NOW)
    assert first.id == "dpa-250314-930-100000" and first.message_index == 0


def test_a_message_without_text_is_skipped_and_named():
    raw = (
        wf.iptc("bdt0601 4 vm 10  dpa 0601", "Leer/", [])
        + wf.iptc(
            "bdt0602 4 vm 100  dpa 0602",
            "Wetter/",
            ["Sonne am Wochenende =", "", *wf.de_story("Bonn", "dpa/lnw", "das Wetter")],
        )
    ).encode()
    articles = parse_messages(raw, "two.txt", now=NOW)
    assert [a.message_index for a in articles] == [1]
    assert "message_skipped:0:no_text" in articles[0].warnings


def test_a_repeated_message_is_read_once_and_gives_the_same_article():
    one = wf.iptc(
        "bdt0602 4 vm 100  dpa 0602",
        "Wetter/",
        ["Sonne am Wochenende =", "", *wf.de_story("Bonn", "dpa/lnw", "das Wetter")],
    )
    empty = wf.iptc("bdt0601 4 vm 10  dpa 0601", "Leer/", [])
    articles = parse_messages((one + empty + one + empty + one).encode(), "repeats.txt", now=NOW)
    assert [a.message_index for a in articles] == [0, 2, 4]
    assert articles[0].warnings == ("message_skipped:1:no_text", "message_skipped:3:no_text")
    alone = parse_messages((one + empty).encode(), "repeats.txt", now=NOW)[0]
    assert alone.warnings == ("message_skipped:1:no_text",)
    for a in articles[1:]:  # the file's hash and size are the file's
        assert replace(a, message_index=0) == replace(
            alone, warnings=(), content_sha256=a.content_sha256, size=a.size
        )


@pytest.mark.parametrize(
    ("raw", "story"),
    [
        # control characters stripped: every header line a message
        (
            "bdt0001 4 vm 10  dpa 0001\n" * 3,
            "bdt0003 4 vm 10  dpa 0003\nBerlin (dpa) - Die Stadt baut eine Brücke.\n",
        ),
        (
            "bdt0001 4 vm 10  dpa 0001\r\nbdt0002 4 vm 10  dpa 0002\r\n\r\n",
            "bdt0003 4 vm 10  dpa 0003\r\nBerlin (dpa) - Die Stadt baut eine Brücke.\r\n",
        ),
        (
            "\x01bdt0001 4 vm 10  dpa 0001\n\x01bdt0002 4 vm 10  dpa 0002\n  \n",
            "\x01bdt0003 4 vm 10  dpa 0003\n\x02Berlin (dpa) - Die Stadt baut eine Brücke.\n\x03",
        ),
    ],
)
def test_header_lines_alone_are_messages_without_text(raw, story):
    with pytest.raises(InputError) as exc:
        parse_messages(raw.encode(), "headers.txt", now=NOW)
    assert exc.value.code == "no_text" and exc.value.path == "headers.txt"
    articles = parse_messages((raw + story).encode(), "headers.txt", now=NOW)
    skipped = [w for w in articles[0].warnings if w.startswith("message_skipped:")]
    assert len(articles) == 1 and articles[0].title == "Die Stadt baut eine Brücke"
    assert skipped == [f"message_skipped:{i}:no_text" for i in range(articles[0].message_index)]


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        ("\x01bdt0123 4 pl 231  dpa 0456\n\nA/B/\n\x02Text", "iptc7901"),
        ("bdt0123 4 pl 231  dpa 0456\r\n\r\nA/B/\r\nText", "iptc7901"),
        ("\ufeffnsb0042 4 vm 88  lni 0042\n", "iptc7901"),
        ("\x16\x16\x01a0918\nr i BC-US-Bridge 0412\n\x02^Head<", "anpa1312"),
        ("a0918\nr i BC-US-Bridge 0412\n^Head<\n\tText", "anpa1312"),
        ("Berlin (dpa) - Die Regierung hat entschieden.", "text"),
        ("Aktien Frankfurt Ausblick - Dax mit Gewinnen erwartet\n\nFRANKFURT (dpa-AFX) - Der Dax", "text"),
        ("bdt0123 ist kein Kopf\n", "text"),
    ],
)
def test_format_recognition(head, fmt):
    assert detect_format(head) == fmt


def test_plain_text_keeps_the_defaults():
    article = parse_document(
        b"Berlin (dpa) - Die Regierung hat am Montag entschieden. Es gab Streit.", "p.txt", now=NOW
    )
    assert (article.format, article.kind, article.urgency, article.keywords, article.message_index) == (
        "text",
        "news",
        None,
        (),
        None,
    )
    assert (
        parse_messages(b"Berlin (dpa) - Die Regierung hat entschieden.", "p.txt", now=NOW)[0].format == "text"
    )


def test_a_plain_text_notizblock_is_editorial_notes_not_body():
    raw = "\n".join([
        "Neue Fähre auf der Elbe", "", "Hamburg (dpa/lno) - Die neue Fähre fährt ab Montag im Stundentakt.", "",
        "# Notizblock", "", "## Internet", "- [Fahrplan](https://example.org/faehre)", "",
        "## Berichtigung", "- Im zweiten Absatz muss es Montag heißen.", "",
        "* * * *", "", "Die folgenden Informationen sind nicht zur Veröffentlichung bestimmt", "",
        "## Kontakte", "- Redaktion: 0000 0000000, elbe@example.org", "",
    ]).encode("cp1252")  # fmt: skip
    a = parse_document(raw, "elbe.txt", now=datetime(2025, 3, 15, tzinfo=UTC))
    assert a.format == "text" and a.title == "Neue Fähre auf der Elbe" and a.encoding == "cp1252"
    assert "Notizblock" not in a.body and "example.org/faehre" not in a.body
    assert "example.org/faehre" in a.editorial_notes and a.is_correction
    assert a.correction == "- Im zweiten Absatz muss es Montag heißen."
    assert "nonpublic_removed" in a.repairs
    assert "0000000" not in repr(a) and "elbe@example.org" not in repr(a)


@pytest.mark.parametrize(
    ("opening", "want"),
    [
        ("(Sperrfrist 14. März, 18.00 Uhr)", "2025-03-14T18:00:00+01:00"),
        ("Sperrfrist: 14.03.2025, 18:00 Uhr", "2025-03-14T18:00:00+01:00"),
        ("(Nicht vor Montag, 06.00 Uhr verwenden)", "2025-03-17T06:00:00+01:00"),
        ("EMBARGOED until 1800 GMT March 14", "2025-03-14T18:00:00+00:00"),
    ],
)
def test_a_plain_text_embargo_note_is_read(opening, want):
    raw = (
        f"{opening}\n\nHaushalt für 2026 steht\n\nBerlin (dpa) - Der Bundestag hat den Haushalt beschlossen."
        "\n\n© dpa-infocom, dpa:250314-99-123456/2"
    ).encode()
    a = parse_document(raw, "embargo.txt", now=NOW)
    assert a.embargo_until == want and a.title == "Haushalt für 2026 steht"
    assert "Sperrfrist" not in a.body and "EMBARGO" not in a.body and "Nicht vor" not in a.body


def test_an_embargo_that_names_no_moment_holds_the_text_back():
    plain = parse_document(
        b"(Sperrfrist: Redebeginn)\n\nRede zur Lage\n\nBerlin (dpa) - Die Rede beginnt.", "p.txt", now=NOW
    )
    message = wf.iptc(
        "bdt0001 4 pl 30  dpa 0001",
        "Rede/",
        ["(Sperrfrist beachten)", "Rede zur Lage =", "", "Berlin (dpa) - Die Rede beginnt."],
    )
    wire = parse_document(message.encode(), "w.txt", now=NOW)
    for a in (plain, wire):
        assert a.embargo_until == "9999-12-31T23:59:59+00:00" and "embargo_unread" in a.warnings


def test_plain_text_opening_notes_give_urgency_correction_and_genre():
    raw = (
        "(Eil)\n(Berichtigung: Im ersten Satz muss es Dienstag heißen.)\n(Zusammenfassung)\n"
        "Streik bei der Bahn\n\nBerlin (dpa) - Am Dienstag streiken die Lokführer."
    ).encode()
    a = parse_document(raw, "eil.txt", now=NOW)
    assert (a.urgency, a.genre, a.is_correction, a.title) == (
        2,
        "Zusammenfassung",
        True,
        "Streik bei der Bahn",
    )
    assert a.correction == "Im ersten Satz muss es Dienstag heißen."
    assert a.body.startswith("Berlin (dpa) - Am Dienstag") and a.dateline == "Berlin"


def test_a_plain_text_withdrawal_notice_names_the_story_and_not_itself():
    raw = (
        "(Achtung)\nMeldung zurückgezogen\n\nBerlin (dpa) - Die Meldung dpa:250313-99-654321 "
        "wird zurückgezogen. Bitte nicht verwenden."
    ).encode()
    a = parse_document(raw, "kill.txt", now=NOW)
    assert a.kind == "withdrawal" and a.withdraws == ("250313-99-654321",)
    assert not a.id.startswith("dpa-250313-99-654321")


def test_a_picture_credit_above_a_plain_text_is_no_note():
    a = parse_document(
        b"(Foto: Archiv)\n\nNeue Br\xc3\xbccke\n\nPeine (dpa) - Die Br\xc3\xbccke ist offen.",
        "f.txt",
        now=NOW,
    )
    assert a.genre is None and a.embargo_until is None


def test_headline_is_never_a_dateline_in_plain_text():
    raw = (
        "Aktien Frankfurt Ausblick - Dax mit Gewinnen erwartet\n\nFRANKFURT (dpa-AFX) - Der Dax dürfte am Freitag "
        "mit Gewinnen starten. Händler verwiesen auf gute Vorgaben."
    ).encode()
    article = parse_document(raw, "afx.txt", now=NOW)
    assert article.title == "Aktien Frankfurt Ausblick - Dax mit Gewinnen erwartet"
    assert (article.dateline, article.agencies) == ("Frankfurt", ("dpa-AFX",))
    # a place-only dateline with no credited one after it still opens the story
    wien = parse_document(
        "Wien – Die Gewerkschaft droht mit Streik\n\nDie Gespräche gehen weiter.".encode(), "w.txt", now=NOW
    )
    assert wien.dateline == "Wien"


@pytest.mark.parametrize(
    ("text", "story", "version"),
    [
        ("© dpa-infocom, dpa:240315-930-123456/2", "240315-930-123456", 2),
        ("240315-930-123456/2", "240315-930-123456", 2),
        ("dpa:170412-99-12345", "170412-99-12345", 0),
        ("dpa:170412-90-012345/4", "170412-90-012345", 4),
        ("© dpa-infocom, dpa:210413-99-186470/5", "210413-99-186470", 5),
    ],
)
def test_dpa_id_forms(text, story, version):
    found = find_dpa_id(text, bare=True)
    assert (found.story, found.version) == (story, version)


def test_three_digit_dpa_id_in_a_plain_text_footer_is_the_document_id():
    raw = "Berlin (dpa) - Die Regierung hat entschieden. Es gab Streit.\n\n© dpa-infocom, dpa:240315-930-123456/2".encode()
    article = parse_document(raw, "d.txt", now=NOW)
    assert (article.id, article.dpa.version, article.published) == ("dpa-240315-930-123456", 2, "2024-03-15")
    assert "dpa-infocom" not in article.body
    bare = parse_document(
        b"Berlin (dpa) - Die Regierung hat entschieden.\n\n240315-930-123456/3", "b.txt", now=NOW
    )
    assert bare.id == "dpa-240315-930-123456" and "240315" not in bare.body


@pytest.mark.parametrize(
    ("note", "base", "want"),
    [
        ("Sperrfrist 14. März, 18.00 Uhr", date(2025, 3, 14), "2025-03-14T18:00:00+01:00"),
        ("Sperrfrist 18.00 Uhr", date(2025, 7, 2), "2025-07-02T18:00:00+02:00"),
        ("Sperrfrist: 14.03.2025, 18:00 Uhr", date(2025, 3, 1), "2025-03-14T18:00:00+01:00"),
        ("Nicht vor Montag, 06.00 Uhr verwenden", date(2025, 3, 14), "2025-03-17T06:00:00+01:00"),
        ("Sperrfrist 2. Januar, 0.01 Uhr", date(2024, 12, 30), "2025-01-02T00:01:00+01:00"),
        ("EMBARGOED until 1800 GMT March 14", date(2025, 3, 13), "2025-03-14T18:00:00+00:00"),
        ("Sperrfrist beachten", date(2025, 3, 13), None),
    ],
)
def test_embargo_until(note, base, want):
    assert embargo_until(note, base) == want


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("140918 Mär 25", "2025-03-14T09:18+01:00"),
        ("071341 GMT Okt 15", "2015-10-07T13:41+00:00"),
        ("010700 Jul 24", "2024-07-01T07:00+02:00"),
        ("311159 Dez 24", "2024-12-31T11:59+01:00"),
        ("AP-WF-03-14-25 0918GMT", "2025-03-14T09:18+00:00"),
        ("321200 Mär 25", None),
    ],
)
def test_trailer_dates(line, value):
    found = trailer_date(line)
    assert (found.value if found else None) == value


def test_a_future_trailer_is_refused():
    raw = wf.iptc(
        "bdt0701 4 vm 100  dpa 0701",
        "Zukunft/",
        ["Meldung aus der Zukunft =", "", *wf.de_story("Trier", "dpa/lrs", "die Zukunft")],
        "140918 Mär 26",
    ).encode()
    article = parse_messages(raw, "f.txt", now=NOW)[0]
    assert article.published_source != "trailer"
    assert any(w.startswith("future_date_ignored:trailer") for w in article.warnings)


# Arbitrary bytes inside an IPTC 7901 envelope: a list of Articles or a clear InputError.
_PIECES = st.sampled_from([
    "\x01", "\x02", "\x03", "\x04", "\x07", "\x16", "\x7f", "\r\n", "\n", "\n\n", " =", "(", ")", "(Eil)", "(Sperrfrist 18.00 Uhr)",
    "(Berichtigung: x)", "(Achtung)", "zurückgezogen", "# Notizblock", "## Kontakte", "* * * *",
    "Die folgenden Informationen sind nicht zur Veröffentlichung bestimmt", "dpa xyz", "140918 Mär 25",
    "bdt0123 4 pl 231  dpa 0456", "Peine (dpa/lni) - ", "dpa:240315-930-123456/2", "^", "\t", "BC-X-Y", "KILL KILL KILL",
])  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(_PIECES, st.text(max_size=30)), max_size=25).map("".join),
    st.binary(max_size=200),
    st.sampled_from(["utf-8", "cp1252", "latin-1"]),
)
def test_arbitrary_bytes_in_an_iptc_envelope(text, noise, encoding):
    raw = (
        f"\x01bdt0123 4 pl 231  dpa 0456\n\nA/B/\n\x02{text}".encode(encoding, "replace")
        + noise
        + "\n\x03140918 Mär 25\n\x04".encode(encoding, "replace")
    )
    try:
        articles = parse_messages(raw, "fuzz.txt", now=NOW, max_bytes=4096)
    except InputError as exc:
        assert exc.code and exc.message
        return
    assert articles and all(isinstance(a, Article) for a in articles)
    for a in articles:
        assert a.id.startswith(("dpa-", "sha1-"))
        assert a.format in ("iptc7901", "anpa1312", "text")
        a.to_json_dict()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(_PIECES, st.text(alphabet=st.characters(max_codepoint=0x2FF), max_size=30)), max_size=25
    ).map("".join),
    st.sampled_from(["utf-8", "cp1252"]),
)
def test_control_characters_known_from_the_scan_change_nothing(text, encoding):
    """The envelope's scan telling "no control character but the envelope's" gives what the
    pattern over every message part gives, and its telling "all printable" what cleaning's own
    test of the story gives."""
    import pressindex.parse.wire_format as wire_format_module

    raw = (f"\x01bdt0123 4 pl 231  dpa 0456\n\nA/B/\n\x02{text}\n\x03140918 Mär 25\n\x04" * 2).encode(
        encoding, "replace"
    )

    def run():
        try:
            return [a.to_json_dict() for a in parse_messages(raw, "ctl.txt", now=NOW)]
        except InputError as exc:
            return exc.code

    fast = run()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(wire_format_module, "scan_envelope", lambda t: (*scan_envelope(t)[:2], True, False))
        assert run() == fast


_SCAN_PIECES = st.sampled_from([
    "ffentlichung", "FFENTLICHUNG", "ublication", "UBLICATION", "Veröffentlichung", "publication", "ffentlichun",
    "UBLICATIO", "ff", "u", "F", "\x00", "\x01", "\x02", "\x03", "\x04", "\x05", "\x07", "\t", "\n", "\x0b", "\x0c",
    "\x0e", "\x1f", "\x7f", "\x80", " ", "ä", "€", "😀", "\xa0", "\xad", "\u2028", "\u200b", "\U000e0001", "\ufeff",
])  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_SCAN_PIECES, st.text(max_size=8)), max_size=30).map("".join))
def test_compiled_envelope_scan_gives_what_the_python_steps_give(text):
    """_envelope.c: the first of the marker's words as str.find finds them, and whether a control
    character other than the envelope's (and CR) is there as CONTROLS finds it."""
    found = [(at, at + len(w)) for w in _PREFILTER_WORDS if (at := text.find(w)) >= 0]
    start, end, controls, printable = scan_envelope(text)
    assert (start, end) == (min(found) if found else (-1, -1))
    assert controls == (
        CONTROLS.search(text.replace("\r", "").translate(dict.fromkeys(range(1, 5)))) is not None
    )
    # every character but LF and SOH STX ETX EOT printable, as str.isprintable says
    assert printable == text.translate(dict.fromkeys([1, 2, 3, 4, 10])).isprintable()


def test_envelope_scan_knows_the_marker_words_of_the_non_public_cut():
    source = (Path(__file__).resolve().parents[2] / "src/pressindex/parse/_envelope.c").read_text()
    assert all(f'"{w}"' in source for w in _PREFILTER_WORDS)
    for w in _PREFILTER_WORDS:
        assert scan_envelope("x" + w)[:2] == (1, 1 + len(w))


def test_a_marker_inside_a_long_line_is_cut_and_its_words_alone_cut_nothing():
    """The marker is looked for within a bounded window around each of its words: on a line longer
    than the window, a marker is still found, and words without one change nothing."""
    line = "Wort " * 200
    text = f"Text.\n{line}Die folgenden Informationen sind nicht zur Veröffentlichung bestimmt {line}\n- 0000 000\n"
    assert remove_nonpublic(text) == ("Text.\n", True)
    own_line = f"Text.\n{line}\nNicht zur Veröffentlichung:\n- 0000 000\n{line}"
    assert remove_nonpublic(own_line) == (f"Text.\n{line}\n", True)
    words = "Veröffentlichung publication " * 500
    assert remove_nonpublic(words) == (words, False)


def test_a_known_first_marker_word_cuts_what_the_search_cuts():
    text = "Text.\n\n* * * *\n\nDie folgenden Informationen sind nicht zur Veröffentlichung bestimmt\n\n## Kontakte\n- 0000 000\n"
    text = "Veröffentlichung im Text.\n" + text + "\x03140918 Mär 25\n"
    start, end, _, _ = scan_envelope(text)
    assert remove_nonpublic(text, first_word=(start, end)) == remove_nonpublic(text)
    assert remove_nonpublic(text)[1] and "0000" not in remove_nonpublic(text)[0]


# Pieces around the usual marker sentence: the other words in odd cases (dotless and dotted i
# match "i" under IGNORECASE), line ends, the sentence's own beginnings, wrapped or spaced.
_MARKER_PIECES = st.sampled_from([
    "Die folgenden Informationen sind nicht zur Verö", "ffentlichung", "ublication", "The following information is not for p",
    "VERöFFENTLICHUNG", "veröffentlıchung", "PUBLİCATION", "publıcation", "Nicht zur Veröffentlichung", "not for publication",
    "Die folgenden\nInformationen sind nicht zur Veröffentlichung", "* * * *", "\n", "\n\n", " ", "bestimmt", "x", "ä",
    "\x03", "140918 Mär 25", "dpa xyz", "## Kontakte",
])  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_MARKER_PIECES, st.text(max_size=6)), max_size=25).map("".join))
def test_the_usual_marker_sentence_is_cut_where_the_pattern_cuts(text):
    """nonpublic._usual_sentence (the marker as agencies write it, without the pattern's scan of
    the lines above) gives what the pattern's search gives."""
    import pressindex.parse.nonpublic as nonpublic_module

    got = remove_nonpublic(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nonpublic_module, "_usual_sentence", lambda *_: None)
        assert got == remove_nonpublic(text)


# Around the usual marker: what each step of the cut looks at (separators, blank and trailer lines,
# editor codes of both shapes and near misses, the envelope's controls, characters lowering to ASCII).
_CUT_PIECES = st.sampled_from([
    "Die folgenden Informationen sind nicht zur Veröffentlichung bestimmt", "The following information is not for publication",
    "Die folgenden Informationen sind nicht zur Verö", "ffentlichung", "ublication", "UBLICATION", "Veröffentlichung",
    "\n", "\n\n", "\r", " ", "\t", "      ", "* * * *", "*  *  *", "**********", "***********", "---", "-" * 21, "\xa0",
    "dpa xyz yyab n1", "dpa", "dpa abcdefghi", "dpa  x    y", " dpa x" * 11, "/ab/cd", "/abcde", "/a" * 21, "//", "xyz",
    "\x01", "\x03", "\x04", "140918 Mär 25", "AP-WF-03-14-25 0918GMT", "A", "7", "\u0663", "İ", "ı", "\u212a", "ä", "😀",
    "## Kontakte", "- 0000 000",
])  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(_CUT_PIECES, st.text(max_size=4)), max_size=25).map("".join))
def test_compiled_cut_of_the_usual_marker_gives_what_the_python_steps_give(text):
    """_envelope.cut_usual_marker: the cut remove_nonpublic makes at a known first word, or None
    and the Python steps make it."""
    _assert_compiled_cut_agrees(text)


def _assert_compiled_cut_agrees(text: str) -> None:
    import pressindex.parse.nonpublic as nonpublic_module

    found = [(at, at + len(w)) for w in _PREFILTER_WORDS if (at := text.find(w)) >= 0]
    if not found:
        return
    first = min(found)
    got = remove_nonpublic(text, first_word=first)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nonpublic_module, "cut_usual_marker", lambda *_: None)
        assert got == remove_nonpublic(text, first_word=first)


_SOME = st.lists(st.one_of(_CUT_PIECES, st.text(max_size=4)), max_size=6).map("".join)
_LINE_ENDS = st.sampled_from(["\n", "\n\n", "\n \n", "\r\n", "\n\n\n\n\n", ""])


@settings(max_examples=1000, deadline=None)
@given(
    st.tuples(
        _SOME,
        _LINE_ENDS,
        st.sampled_from(
            ["", "* * * *", "  * * *  ", "*   * *", "* * * * * * * * * * *", "------", " --- \t", "--", "x"]
        ),
        _LINE_ENDS,
        st.sampled_from(
            [
                "Die folgenden Informationen sind nicht zur Veröffentlichung bestimmt",
                "The following information is not for publication",
                "Veröffentlichung",
            ]
        ),
        _SOME,
        _LINE_ENDS,
        st.sampled_from(
            [
                "",
                "dpa xyz yyab n1",
                "  dpa a1 b2",
                "dpa",
                "dpa x    y",
                "dpa abcdefghi",
                "dpa" + " x" * 10,
                "dpa" + " x" * 11,
                "/ab/cd",
                "\t/abcd/e",
                "/abcde",
                "/a" * 20,
                "/a" * 21,
                "/a/",
                "dpa n1 \t ",
                "      dpa x",
            ]
        ),
        _LINE_ENDS,
        st.sampled_from(
            ["", "\x03", "\x01", "\x04", "140918 Mär 25", "AP-WF-03-14-25 0918GMT", "  7", "\u0663"]
        ),
        _SOME,
    ).map("".join)
)
def test_compiled_cut_of_a_composed_marker_gives_what_the_python_steps_give(text):
    _assert_compiled_cut_agrees(text)


def test_the_usual_marker_of_a_wire_message_is_cut_in_the_compiled_pass():
    text = (
        "Text.\n\n# Notizblock\n\n* * * *\n\nDie folgenden Informationen sind nicht zur Veröffentlichung "
        "bestimmt\n\n## Kontakte\n- Desk: 0000 000000\n\ndpa xyz yyab n1\n\x03140918 Mär 25\n\x04"
    )
    start, end, _, _ = scan_envelope(text)
    assert cut_usual_marker(text, start, end) is not None
    assert remove_nonpublic(text, first_word=(start, end)) == (
        "Text.\n\n# Notizblock\n\ndpa xyz yyab n1\n\x03140918 Mär 25\n\x04",
        True,
    )


# The Python steps _unwrap.c stands for (its header comment): the reference it is compared with.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n|\n(?=[ \t])")
_BROKEN_COMPOUND = re.compile(r"-(?<=[^\W\d_]-)\n(?=[A-ZÄÖÜ])")


def _unwrap_reference(text: str) -> str:
    text = _BROKEN_COMPOUND.sub("-", text)
    return "\n\n".join(p for p in (b.replace("\n", " ").strip() for b in _PARAGRAPH_BREAK.split(text)) if p)


_LINE_PIECES = st.sampled_from([
    "\n", "\n\n", " \n", "\n ", "\n\t", " \t\n", "-\n", "a-\nB", "Corona-\nPandemie", "ä-\nÜ", "1-\nA", "_-\nA", "²-\nA",
    " ", "\t", "\xa0", "\u2028", "\r", "\x0b", "\x1c", "\u3000", "Wort", "x", "Ä", "日本", "😀",
])  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_LINE_PIECES, st.text(max_size=12)), max_size=30).map("".join))
def test_compiled_unwrap_gives_what_the_python_steps_give(text):
    story = unwrap_story(text)
    assert story == _unwrap_reference(text)
    assert unwrap(text) == [p for p in _unwrap_reference(text).split("\n\n") if p]
    # cleaning a story knows its line ends: what the full normalisation gives
    cleaned = clean_text(story, unwrapped=True)
    assert cleaned == clean_text(story)
    if all(r == "whitespace" for r in cleaned.repairs):  # as text_fields asks for it
        assert split_structure(cleaned.text, paragraph_lines=True) == split_structure(cleaned.text)
    # a story known to be printable (the envelope's scan said so of its message): the same cleaning
    if story.replace("\n", " ").isprintable():
        assert clean_text(story, unwrapped=True, printable=True) == cleaned


_SPACE_PIECES = st.sampled_from(
    [" ", "  ", "   ", "\t", " \t", "\t ", "\t\t", "\n", "x", "ä", "€", "😀", "\xa0"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_SPACE_PIECES, st.text(max_size=6)), max_size=30).map("".join))
def test_compiled_space_collapse_gives_what_the_python_steps_give(text):
    assert collapse_spaces(text) == _collapse_spaces(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["\n", "\n\n", " ", "  "]),
            st.text(alphabet=st.characters(blacklist_characters="<&"), max_size=12),
        ),
        max_size=8,
    ).map("".join)
)
def test_a_plain_text_is_cleaned_as_any_text(text):
    """Printable characters and line ends skip the repairs before NFC: what the full cleaning gives
    (taken through a closing NEL, which makes it look for every repair and becomes a line end that
    the whitespace step removes)."""
    if not text.replace("\n", " ").isprintable():
        return
    fast, full = clean_text(text), clean_text(text + "\x85")
    assert fast.text == full.text
    assert set(fast.repairs) - {"whitespace"} == set(full.repairs) - {"whitespace", "line_separators"}
