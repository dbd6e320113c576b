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
        ("ST. CLOUD, Minn. (AP) — A bridge closed.", "St. Cloud", "ST. CLOUD, Minn."),
        ("SEATTLE, Wash. (AP) — A ferry was late.", "Seattle", "SEATTLE, Wash."),
        (
            "Bad Homburg v.d.H. (dpa) - Die Kurverwaltung lädt ein.",
            "Bad Homburg v.d.H.",
            "Bad Homburg v.d.H.",
        ),
        # a place joined by a preposition and its article, capitals suffixes, a river in parentheses
        ("Halle an der Saale (dpa) - Der Zoo öffnet ein Gehege.", "Halle an der Saale", "Halle an der Saale"),
        (
            "Frankfurt an der Oder (dpa/bb) - Die Brücke ist frei.",
            "Frankfurt an der Oder",
            "Frankfurt an der Oder",
        ),
        (
            "Neustadt an der Weinstraße (dpa) - Die Lese beginnt.",
            "Neustadt an der Weinstraße",
            "Neustadt an der Weinstraße",
        ),
        ("Mülheim an der Ruhr (dpa/lnw) - Ein Park öffnet.", "Mülheim an der Ruhr", "Mülheim an der Ruhr"),
        (
            "Rothenburg ob der Tauber (dpa) - Der Markt beginnt.",
            "Rothenburg ob der Tauber",
            "Rothenburg ob der Tauber",
        ),
        (
            "Weiden in der Oberpfalz (dpa) - Die Stadt baut.",
            "Weiden in der Oberpfalz",
            "Weiden in der Oberpfalz",
        ),
        (
            "Bad Homburg vor der Höhe (dpa) - Das Bad öffnet.",
            "Bad Homburg vor der Höhe",
            "Bad Homburg vor der Höhe",
        ),
        (
            "Frankfurt am Main (dpa) - Der Flughafen meldet mehr Gäste.",
            "Frankfurt am Main",
            "Frankfurt am Main",
        ),
        ("Freiburg im Breisgau (KNA) - Die Synode tagt.", "Freiburg im Breisgau", "Freiburg im Breisgau"),
        ("Radebeul bei Dresden (dpa) - Ein Weingut öffnet.", "Radebeul bei Dresden", "Radebeul bei Dresden"),
        ("ALPHEN AAN DEN RIJN (ANP) - De gemeente bouwt.", "Alphen aan den Rijn", "ALPHEN AAN DEN RIJN"),
        ("HALLE AN DER SAALE (dpa) - Der Zoo öffnet.", "Halle an der Saale", "HALLE AN DER SAALE"),
        ("FRANKFURT A.M. (dpa-AFX) - Der Dax stieg am Morgen.", "Frankfurt am Main", "FRANKFURT A.M."),
        ("FREIBURG I.BR. (KNA) - Die Synode tagt.", "Freiburg im Breisgau", "FREIBURG I.BR."),
        ("Frankfurt (Oder) (dpa/bb) - Die Brücke ist frei.", "Frankfurt (Oder)", "Frankfurt (Oder)"),
        ("Halle (Saale) (dpa) - Der Zoo öffnet.", "Halle (Saale)", "Halle (Saale)"),
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


# --- urgency, corrections, genres -------------------------------------------------------------


def test_a_bare_eilmeldung_line_is_urgency_two_and_not_title():
    got = one(
        iptc("bdt0601 3 pl 0120  dpa 0601", ["EILMELDUNG", "Stadtrat beschließt Etat =", "", GERMAN_BODY])
    )
    assert (got["title"], got["urgency"]) == ("Stadtrat beschließt Etat", 2)


def test_a_headline_that_starts_with_eilmeldung_stays_the_title():
    got = one(iptc("bdt0602 4 pl 0120  dpa 0602", ["Eilmeldung aus dem Rathaus =", "", GERMAN_BODY]))
    assert (got["title"], got["urgency"]) == ("Eilmeldung aus dem Rathaus", 4)


@pytest.mark.parametrize(
    ("line", "correction", "genre"),
    [
        (
            "REFILE - CORRECTS spelling of the mayor's name in 3rd paragraph",
            "CORRECTS spelling of the mayor's name in 3rd paragraph",
            "Refile",
        ),
        ("CORRECTED - adds dropped word in 1st paragraph", "adds dropped word in 1st paragraph", None),
        (
            "BERICHTIGUNG: korrigiert Vornamen im zweiten Absatz",
            "korrigiert Vornamen im zweiten Absatz",
            None,
        ),
    ],
)
def test_a_correction_line_with_its_explanation_marks_a_correction(line, correction, genre):
    got = one(iptc("eng0501 4 pl 0100  dpa 0501", [line, "Quay opens in May =", "", ENGLISH_BODY]))
    assert got["title"] == "Quay opens in May"
    assert (got["is_correction"], got["correction"], got["genre"]) == (True, correction, genre)


def test_a_headline_that_opens_with_a_correction_word_is_no_correction():
    got = one(iptc("eng0502 4 wi 0100  dpa 0502", ["CORRECTED figures lift port shares =", "", ENGLISH_BODY]))
    assert (got["title"], got["is_correction"]) == ("CORRECTED figures lift port shares", False)


def test_an_ap_correction_in_the_editors_note_at_any_length():
    raw = anpa(
        "a0211",
        "r a BC-Ferry-Schedule,1st Ld-Writethru 0350",
        [
            "^BC-Ferry-Schedule,1st Ld-Writethru,0350<",
            "^Eds: CORRECTS name of the ferry operator in 2nd graf and the day of the first sailing in 4th graf.<",
            "^Ferry schedule changes for winter<",
            "\tSEATTLE, Wash. (AP) _ The winter ferry schedule starts a week later than planned, officials said Friday.<",
        ],
    )
    got = one(raw)
    assert got["is_correction"] is True and got["correction"].startswith(
        "CORRECTS name of the ferry operator"
    )
    assert (got["title"], got["dateline"]) == ("Ferry schedule changes for winter", "Seattle")


def test_an_ap_editors_note_without_correction_wording_is_no_correction():
    raw = anpa(
        "a0212",
        "r a BC-Ferry-Schedule 0300",
        [
            "^Eds: Moves on general news and state wires.<",
            "^Ferry schedule changes<",
            "\tSEATTLE (AP) _ The schedule changes.<",
        ],
    )
    assert one(raw)["is_correction"] is False


@pytest.mark.parametrize(
    ("note", "genre"),
    [
        ("(Zusammenfassung 1200)", "Zusammenfassung"),
        ("(Zusammenfassung 18.00 Uhr)", "Zusammenfassung"),
        ("(Vorschau um 9:30 MEZ)", "Vorschau"),
        ("(Vorschau)", "Vorschau"),
        ("(KORR-Bericht)", "KORR-Bericht"),
    ],
)
def test_a_genre_note_gives_the_genre_without_its_time(note, genre):
    got = one(iptc("bdt0144 3 vm 0330  lby 0144", [note, "Pegel der Isar steigt =", "", GERMAN_BODY]))
    assert got["genre"] == genre


# --- withdrawals ------------------------------------------------------------------------------


def test_an_english_withdrawal_line_is_an_operator_record_naming_the_story():
    raw = iptc(
        "eng0503 2 pl 0100  dpa 0503",
        [
            "WITHDRAWAL",
            "dpa withdraws item =",
            "",
            'Please do not use the story "Quay opens in May" (eng0501). It has been withdrawn.',
        ],
    )
    got = one(raw)
    assert (got["kind"], got["withdraws"], got["title"]) == (
        "withdrawal",
        ["Quay opens in May"],
        "dpa withdraws item",
    )


@pytest.mark.parametrize(
    "lines",
    [
        [
            "(Achtung)",
            "STORNO: Etat vertagt =",
            "",
            "Die Meldung „Etat vertagt“ (bdt0400) ist zu streichen. Sie war fehlerhaft.",
        ],
        ["STORNO: Etat vertagt =", "", "Die Meldung „Etat vertagt“ wird storniert. Eine Neufassung folgt."],
        ["(Achtung)", "Meldung nicht verwenden =", "", "Die Meldung „Etat vertagt“ ist zu streichen."],
        ["STORNO", "Etat vertagt =", "", "Die Meldung „Etat vertagt“ von heute Morgen entfällt."],
    ],
)
def test_a_german_storno_is_an_operator_record_naming_the_story(lines):
    got = one(iptc("bdt0505 2 pl 0100  dpa 0505", lines))
    assert (got["kind"], got["withdraws"]) == ("withdrawal", ["Etat vertagt"])


@pytest.mark.parametrize(
    "lines",
    [
        [
            "Reisebüros melden viele Stornos =",
            "",
            "Kassel (dpa/lhe) - Viele Kunden sagen ihre Reisen ab, sagte er. STORNO",
        ],
        [
            "Storno-Welle bei Reiseveranstaltern =",
            "",
            "Kassel (dpa/lhe) - Der Verband zählt mehr Absagen als im Vorjahr.",
        ],
        [
            "Gericht: Vertrag ist zu streichen =",
            "",
            "Kassel (dpa/lhe) - Der Vertrag ist zu streichen, urteilte das Gericht.",
        ],
    ],
)
def test_storno_or_kill_wording_in_prose_stays_news(lines):
    got = one(iptc("bdt0506 4 vm 0100  dpa 0506", lines))
    assert (got["kind"], got["withdraws"]) == ("news", [])


def test_an_ap_elimination_advisory_is_an_operator_record_naming_the_slug():
    raw = anpa(
        "a0214",
        "b a BC-Ferry-Schedule,Advisory 0060",
        [
            "^BC-Ferry-Schedule,ELIMINATION<",
            "^Eds: ELIMINATION: BC-Ferry-Schedule, 1st Ld-Writethru, is eliminated. It was sent in error.<",
        ],
    )
    got = one(raw)
    assert (got["kind"], got["withdraws"]) == ("withdrawal", ["BC-Ferry-Schedule"])
    assert "eliminated" in got["title"]


def test_an_ap_advisory_without_elimination_wording_is_news():
    raw = anpa(
        "a0215",
        "r a BC-Ferry-Schedule,Advisory 0060",
        [
            "^Eds: A photo of the new ferry will move later.<",
            "^Ferry photo to follow<",
            "\tSEATTLE (AP) _ A photo follows.<",
        ],
    )
    assert one(raw)["kind"] == "news"


# --- APA ---------------------------------------------------------------------------------------

APA_BODY = "Graz (APA) - Der Wetterdienst hebt die Warnstufe an. Es regnet seit drei Tagen."


@pytest.mark.parametrize("trailer", ["", "141200 Mär 25"])
def test_apa_closing_lines_are_codes_and_time_not_body(trailer):
    lines = ["Hochwasser droht =", "", APA_BODY, "(Schluss) xy/zw", "", "APA0417 2025-03-14/12:05"]
    got = one(iptc("apa0417 4 CI 0120 II", lines, trailer=trailer))
    assert got["body"] == APA_BODY
    assert got["editor_initials"] == "xy/zw"
    assert got["published"] == ("2025-03-14T12:05+01:00" if not trailer else "2025-03-14T12:00+01:00")


def test_apa_id_line_after_the_text_end_gives_the_time():
    got = one(
        iptc("apa0418 4 CI 0120 II", ["Hochwasser droht =", "", APA_BODY], trailer="APA0418 2025-05-02/09:30")
    )
    assert got["body"] == APA_BODY and got["published"] == "2025-05-02T09:30+02:00"


def test_a_closing_word_inside_the_last_sentence_stays_body():
    last = "Graz (APA) - Damit sei jetzt (Schluss) mit lustig, sagte der Bürgermeister."
    got = one(iptc("apa0419 4 CI 0120 II", ["Hochwasser droht =", "", last]))
    assert got["body"] == last


@pytest.mark.parametrize("controls", [True, False])
def test_a_header_without_agent_sequence_keeps_its_fields(controls):
    raw = iptc("apa0231 4 CI 0187 II", ["Hochwasser droht =", "", APA_BODY])
    if not controls:  # a system on the way stripped the control characters
        raw = bytes(b for b in raw if b >= 0x20 or b == 0x0A)
    got = one(raw)
    assert (got["format"], got["wire_service"], got["urgency"], got["category"]) == (
        "iptc7901",
        "apa",
        4,
        "CI",
    )
    assert got["agencies"] == ["APA"] and not any(w.startswith("unknown_agent") for w in got["warnings"])


def test_a_header_with_agent_sequence_still_names_its_agent():
    got = one(iptc("bdt0123 4 vm 0100  lni 0456", ["Brücke gesperrt =", "", GERMAN_BODY]))
    assert got["wire_service"] == "bdt" and "lni" in got["regional_services"]


def test_a_text_whose_first_line_looks_like_half_a_header_is_text():
    raw = b"A380 4 mal 12 Stunden unterwegs\n\nBerlin (dpa) - Ein Flugzeug war lange in der Luft. Alle landeten sicher."
    assert one(raw)["format"] == "text"


@pytest.mark.parametrize("marker", ["URGENT KILL", "MANDATORY KILL", "KILL KILL KILL", "(Storno)"])
def test_english_kill_forms_are_withdrawals_not_urgency(marker):
    lines = [marker, "dpa withdraws item =", "", 'The story "Quay opens in May" must not be used.']
    got = one(iptc("eng0504 2 pl 0100  dpa 0504", lines))
    assert (got["kind"], got["withdraws"]) == ("withdrawal", ["Quay opens in May"])


def test_achtung_with_bitte_loeschen_is_a_withdrawal():
    lines = [
        "(Achtung)",
        "Meldung bitte löschen =",
        "",
        "Die Meldung „Etat vertagt“ bitte löschen. Sie war ein Versehen.",
    ]
    got = one(iptc("bdt0507 2 pl 0100  dpa 0507", lines))
    assert (got["kind"], got["withdraws"]) == ("withdrawal", ["Etat vertagt"])


def test_an_ap_slug_line_naming_the_elimination_alone_is_an_operator_record():
    raw = anpa("a0216", "b a BC-Ferry-Schedule,Advisory 0010", ["^BC-Ferry-Schedule,ELIMINATION<"])
    got = one(raw)
    assert (got["kind"], got["withdraws"]) == ("withdrawal", ["BC-Ferry-Schedule"])


def test_an_ap_slug_line_with_a_version_is_no_kill():
    raw = anpa(
        "a0217",
        "r a BC-Ferry-Schedule,2nd Ld-Writethru 0300",
        [
            "^BC-Ferry-Schedule,2nd Ld-Writethru,0300<",
            "^Ferry schedule changes<",
            "\tSEATTLE (AP) _ The schedule changes.<",
        ],
    )
    assert one(raw)["kind"] == "news"


# --- the same rules in plain text -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "EILMELDUNG\nStadtrat beschließt Etat\n\n" + GERMAN_BODY,
            {"title": "Stadtrat beschließt Etat", "urgency": 2},
        ),
        (
            "REFILE - CORRECTS name of the mayor in 2nd paragraph\nQuay opens in May\n\n" + ENGLISH_BODY,
            {"title": "Quay opens in May", "correction": "CORRECTS name of the mayor in 2nd paragraph"},
        ),
        (
            "STORNO\nEtat vertagt\n\nDie Meldung „Etat vertagt“ ist zu streichen.",
            {"kind": "withdrawal", "withdraws": ["Etat vertagt"]},
        ),
        (
            "Storno-Welle bei Reisen\n\n" + GERMAN_BODY,
            {"kind": "news", "urgency": None, "is_correction": False},
        ),
    ],
)
def test_plain_text_openings_follow_the_same_rules(text, want):
    got = one(text.encode())
    assert got["format"] == "text"
    assert {k: got[k] for k in want} == want


# --- place names with a connector, capitals suffixes, dates in the dateline (S9) ---------------


@pytest.mark.parametrize(
    "text",
    [
        "Sie lebt in Halle an der Saale (Sachsen-Anhalt). Dort arbeitet sie als Ärztin.",
        "Halle an der Saale (Sachsen-Anhalt) - Die Stadt wächst.",  # a region in parentheses, no credit
        "Streit vor dem Rathaus (dpa) - Die Bürger protestieren.",  # a preposition with an article is no place
        "Peter Beispiel (Grüne) (dpa) - Die Fraktion stimmt zu.",  # a name, a party, then the credit
        "Halle (Saale) - Die Stadt wächst.",  # the river alone is no credit
    ],
)
def test_a_connector_or_qualifier_in_prose_is_no_dateline(text):
    found = find_dateline(text)
    assert (
        found is None
        or found.place is None
        or found.place
        not in (
            "Halle an der Saale",
            "Streit vor dem Rathaus",
            "Peter Beispiel (Grüne)",
            "Halle (Saale)",
        )
    )


@pytest.mark.parametrize(
    "headline",
    ["Angst vor der Wahl – Parteien werben um Stimmen", "Streit in der Koalition – Kanzler mahnt zur Ruhe"],
)
def test_a_headline_with_a_connector_and_a_dash_keeps_its_title(headline):
    # without a credit, "<Noun> vor der <Noun> – " reads as a headline, not as a place
    assert find_dateline(headline) is None
    article = parse_messages(f"{headline}\n\nDer Text folgt in einem Satz.\n".encode(), "h.txt", now=NOW)[0]
    assert (article.title, article.dateline) == (headline, None)


@pytest.mark.parametrize(
    ("opening", "place", "raw", "month_day", "date"),
    [
        ("DAYTON, Ohio, March 14 (AP) — A fire damaged a barn.", "Dayton", "DAYTON, Ohio", (3, 14), None),
        (
            "WASHINGTON, March 14 (Reuters) - The central bank held rates.",
            "Washington",
            "WASHINGTON",
            (3, 14),
            None,
        ),
        ("PARIS, 14 mars (AFP) - Le gouvernement a présenté un plan.", "Paris", "PARIS", (3, 14), None),
        ("MADRID, 14 de marzo (EFE) - El Gobierno aprobó un plan.", "Madrid", "MADRID", (3, 14), None),
        ("Berlin, 14. März (dpa) - Der Bundestag tagt.", "Berlin", "Berlin", (3, 14), None),
        ("LONDON, Nov. 3 (Reuters) - Shares rose.", "London", "LONDON", (11, 3), None),
        ("Hamburg, 14.3. (dpa) - Der Hafen meldet mehr Umschlag.", "Hamburg", "Hamburg", (3, 14), None),
        (
            "PERTH, Western Australia, March 14, 2025 (AP) — A ship docked.",
            "Perth",
            "PERTH, Western Australia",
            None,
            "2025-03-14",
        ),
        ("SALEM, Ore., March 14, 2025 (AP) — A ferry was late.", "Salem", "SALEM, Ore.", None, "2025-03-14"),
        (
            "PARIS, 14 mars 2025 (AFP) - Le gouvernement a présenté un plan.",
            "Paris",
            "PARIS",
            None,
            "2025-03-14",
        ),
    ],
)
def test_a_date_between_place_and_credit_is_read_with_or_without_its_year(
    opening, place, raw, month_day, date
):
    found = find_dateline(opening)
    assert found is not None
    assert (found.place, found.place_raw) == (place, raw)
    assert ((found.month_day.month, found.month_day.day) if found.month_day else None) == month_day
    assert (found.date.value if found.date else None) == date


@pytest.mark.parametrize(
    "text",
    [
        "Peter Beispiel, 14. März (SPD) - Die Fraktion stimmt zu.",  # no agency credit
        "BERLIN, 30. Februar (dpa) - Der Tag gibt es nicht.",  # no such day
        "TOLEDO, the old city, March 14 (AP) — text",  # lower-case words: no region
        "KIEL, March 14 and 15 (AP) — text",  # more than a date
        "Hamburg, 14.13. (dpa) - Kein Monat.",  # no such month
    ],
)
def test_a_comma_and_a_date_outside_a_dateline_give_none(text):
    found = find_dateline(text)
    assert found is None or found.place is None


def test_a_yearless_dateline_date_completes_a_year_given_elsewhere():
    body = "WASHINGTON, March 14 (Reuters) - The central bank kept rates steady on Friday. Markets rose."
    dated = one(("date: 2025\n\nRates stay\n\n" + body).encode())
    assert (dated["dateline"], dated["published"], dated["published_source"]) == (
        "Washington",
        "2025-03-14",
        "dateline",
    )
    # no year anywhere: none is guessed from today
    undated = one(("Rates stay\n\n" + body).encode())
    assert (undated["dateline"], undated["published"]) == ("Washington", None)
    # another month in the header: the dates disagree, the header stays
    other = one(("date: 2025-04\n\nRates stay\n\n" + body).encode())
    assert other["published"] == "2025-04"


def test_an_ap_dateline_with_a_date_keeps_the_trailer_minute():
    raw = anpa(
        "a0214",
        "r a BC-Barn-Fire 0200",
        ["^Fire damages barn<", "\tDAYTON, Ohio, March 14 (AP) _ A fire damaged an old barn overnight.<"],
    )
    got = one(raw)
    assert (got["dateline"], got["dateline_raw"]) == ("Dayton", "DAYTON, Ohio")
    assert (got["published"], got["published_precision"]) == ("2025-03-14T13:01+00:00", "minute")


def test_an_afx_dateline_in_capitals_below_a_headline_with_a_place():
    text = "Aktien Frankfurt Ausblick - Dax mit Gewinnen erwartet\n\nFRANKFURT A.M. (dpa-AFX) - Der Dax dürfte fester starten. Händler nannten gute Vorgaben."
    got = one(text.encode())
    assert (got["title"], got["dateline"], got["dateline_raw"]) == (
        "Aktien Frankfurt Ausblick - Dax mit Gewinnen erwartet",
        "Frankfurt am Main",
        "FRANKFURT A.M.",
    )


def test_an_iptc_headline_naming_a_place_is_never_the_dateline():
    got = one(
        iptc(
            "bdt0611 4 vm 0120  dpa 0611",
            [
                "Halle an der Saale (Sachsen-Anhalt) feiert =",
                "",
                "Mülheim an der Ruhr (dpa/lnw) - Die Stadt feiert ihr Jubiläum. Es gibt ein Fest.",
            ],
        )
    )
    assert (got["title"], got["dateline"]) == (
        "Halle an der Saale (Sachsen-Anhalt) feiert",
        "Mülheim an der Ruhr",
    )


# --- a bare "Berichtigung: …" line before an IPTC 7901 headline ---------------------------------


@pytest.mark.parametrize(
    ("lines", "correction"),
    [
        (
            ["Berichtigung: Im zweiten Absatz muss es Mittwoch heißen.", "Stadtrat beschließt Etat ="],
            "Im zweiten Absatz muss es Mittwoch heißen.",
        ),
        (
            ["Berichtigung: Im zweiten Absatz muss es", "Mittwoch heißen.", "Stadtrat beschließt Etat ="],
            "Im zweiten Absatz muss es Mittwoch heißen.",
        ),
        (
            ["Berichtigung: Vorname im dritten Absatz korrigiert", "", "Stadtrat beschließt Etat ="],
            "Vorname im dritten Absatz korrigiert",
        ),
        (
            ["(Eil)", "Korrektur: Zahl im Vorspann berichtigt.", "Stadtrat beschließt Etat ="],
            "Zahl im Vorspann berichtigt.",
        ),
        (["Berichtigung", "Stadtrat beschließt Etat ="], "Berichtigung"),  # the word alone
    ],
)
def test_a_bare_correction_line_above_the_iptc_headline_is_a_correction(lines, correction):
    got = one(iptc("bdt0612 4 pl 0120  dpa 0612", [*lines, "", GERMAN_BODY]))
    assert (got["title"], got["is_correction"], got["correction"]) == (
        "Stadtrat beschließt Etat",
        True,
        correction,
    )


@pytest.mark.parametrize(
    "lines",
    [
        ["Berichtigung: Stadtrat beschließt Etat ="],  # the headline itself
        ["Berichtigung: Stadtrat", "beschließt Etat ="],  # a headline wrapped over two lines
    ],
)
def test_an_iptc_headline_opening_with_berichtigung_stays_the_title(lines):
    got = one(iptc("bdt0613 4 pl 0120  dpa 0613", [*lines, "", GERMAN_BODY]))
    assert (got["title"], got["is_correction"]) == ("Berichtigung: Stadtrat beschließt Etat", False)


def test_a_plain_text_headline_opening_with_berichtigung_stays_the_title():
    got = one(("Berichtigung: Im Etat fehlen Millionen\n\n" + GERMAN_BODY).encode())
    assert (got["title"], got["is_correction"]) == ("Berichtigung: Im Etat fehlen Millionen", False)
