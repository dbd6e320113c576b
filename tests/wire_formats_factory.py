"""Wire messages in IPTC 7901 and ANPA 1312, composed for this project (invented text, places and
people; contacts use example.org addresses and 0000 numbers only), each with the fields the parser
must give. Used by tests/parse/test_parse_wire_formats.py and bench/parse_bench.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SOH, STX, ETX, EOT, SYN, BEL = "\x01", "\x02", "\x03", "\x04", "\x16", "\x07"

# What the non-public blocks below hold: none of it may appear in any parse output.
SECRET_PHONES = ("0000 111222", "0000 333444", "0000 555666", "0000 777888")
SECRET_MAILS = ("erika.beispiel@example.org", "quelle.vertraulich@example.org", "desk.night@example.org")


def nonpublic_de(i: int = 0) -> list[str]:
    return [
        "* * * *",
        "",
        "Die folgenden Informationen sind nicht zur Veröffentlichung bestimmt",
        "",
        "## Kontakte",
        f"- Reporterin: Erika Beispiel, Telefon {SECRET_PHONES[i % 4]}, {SECRET_MAILS[0]}",
        f"- Quelle: Max Vertraulich, {SECRET_PHONES[(i + 1) % 4]}, {SECRET_MAILS[1]}",
        "",
    ]


def nonpublic_en() -> list[str]:
    return [
        "* * * *",
        "",
        "The following information is not for publication",
        "",
        "## Contacts",
        f"- Night desk: {SECRET_PHONES[2]}, {SECRET_MAILS[2]}",
        "",
    ]


def iptc(
    header: str,
    slug: str,
    lines: list[str],
    trailer: str = "140918 Mär 25",
    *,
    codes: str | None = "dpa xyz yyab n1 qrs",
    control: bool = True,
) -> str:
    """One IPTC 7901 message; ``control=False`` as if a system had stripped the control characters."""
    text = "\n".join(lines + ([codes] if codes else []))
    if control:
        return f"{SOH}{header}\n\n{slug}\n{STX}{text}\n{ETX}{trailer}\n\x7f{EOT}"
    return f"{header}\n\n{slug}\n{text}\n{trailer}\n"


def anpa(selector: str, head: str, lines: list[str], trailer: str, *, control: bool = True) -> str:
    text = "\n".join(lines)
    if control:
        return f"{SYN}{SYN}{SOH}{selector}\n{head}\n{STX}{text}\n{ETX}{trailer}\n{EOT}"
    return f"{selector}\n{head}\n{text}\n{trailer}\n"


BRIDGE_BODY = [
    "Nach zwei Jahren Bauzeit rollt der Verkehr über die Leine wieder. Die",
    "Stadt feiert mit einem Fest am Ufer.",
    "",
    "Peine (dpa/lni) - Die neue Brücke über die Leine ist am Freitag für",
    "den Verkehr freigegeben worden. Das teilte die Stadtverwaltung mit.",
    "",
    "Die Kosten lagen bei zwölf Millionen Euro, sagte Bürgermeisterin Anna",
    "Musterfrau. Die alte Brücke war marode und musste gesperrt werden.",
    "",
]
NOTIZBLOCK = [
    "# Notizblock",
    "",
    "## Redaktionelle Hinweise",
    "- Fotos vom Fest sind bestellt.",
    "",
    "## Internet",
    "- [Stadt Peine](https://example.org/peine)",
    "",
    "## Orte",
    "- Leinebrücke, Peine",
    "",
]


def de_story(place: str, credit: str, topic: str) -> list[str]:
    return [
        f"Die Entscheidung über {topic} fällt später als geplant. Beteiligte",
        "rechnen mit weiteren Gesprächen.",
        "",
        f"{place} ({credit}) - Über {topic} wird erst in der kommenden Woche",
        "entschieden. Das sagte ein Sprecher am Donnerstag. Es gebe noch",
        "offene Fragen zur Finanzierung und zum Zeitplan.",
        "",
        "Die Beteiligten hatten sich ursprünglich eine Einigung bis zum",
        "Monatsende vorgenommen. Daraus wird nun nichts mehr, hieß es.",
        "",
    ]


def en_story(place: str, topic: str) -> list[str]:
    return [
        f"{place} (dpa) - Officials said on Thursday that a decision on {topic}",
        "has been postponed until next week. Several questions about the",
        "financing and the schedule remain open, a spokeswoman said.",
        "",
        "The parties had originally hoped to reach an agreement by the end of",
        "the month, but that is no longer expected, according to officials.",
        "",
    ]


@dataclass
class WireCase:
    name: str
    raw: bytes
    expected: list[dict] = field(default_factory=list)  # one dict per message: the fields to check
    absent: tuple[str, ...] = ()  # strings that must appear in no field


def _u(text: str) -> bytes:
    return text.encode("utf-8")


CASES: list[WireCase] = [
    WireCase(
        "dpa_regional_eil_embargo_wrapped_headline_notizblock_nonpublic",
        _u(
            iptc(
                "nsb0042 4 vm 188  lni 0042",
                "Niedersachsen/Verkehr/Brücken/",
                [
                    f"(Eil{BEL * 5})",
                    "(Sperrfrist 14. März, 18.00 Uhr)",
                    "Neue Brücke über die Leine bei Peine",
                    "für den Verkehr freigegeben =",
                    "Von Erika Beispiel, dpa =",
                    "",
                    *BRIDGE_BODY,
                    *NOTIZBLOCK,
                    *nonpublic_de(0),
                ],
            )
        ),
        [
            {
                "format": "iptc7901",
                "wire_service": "nsb",
                "urgency": 2,
                "category": "vm",
                "category_name": "Vermischtes",
                "keywords": ["Niedersachsen", "Verkehr", "Brücken"],
                "title": "Neue Brücke über die Leine bei Peine für den Verkehr freigegeben",
                "byline": "Von Erika Beispiel, dpa",
                "dateline": "Peine",
                "agencies": ["dpa"],
                "regional_services": ["lni"],
                "embargo_until": "2025-03-14T18:00:00+01:00",
                "published": "2025-03-14T09:18+01:00",
                "published_precision": "minute",
                "published_source": "trailer",
                "editor_initials": "dpa xyz yyab n1 qrs",
                "kind": "news",
                "is_correction": False,
                "message_index": None,
                "language": "de",
            }
        ],
    ),
    WireCase(
        "dpa_blitz",
        _u(
            iptc(
                "bdt0101 1 pl 40  dpa 0101",
                "Parteien/Vorsitz/",
                [
                    f"(Blitz{BEL * 10})",
                    "Parteitag wählt neue Vorsitzende =",
                    "",
                    "Kiel (dpa) - Der Parteitag hat eine neue Vorsitzende gewählt. Sie",
                    "erhielt eine klare Mehrheit der Stimmen der Delegierten.",
                    "",
                ],
                "151002 Mär 25",
            )
        ),
        [
            {
                "urgency": 1,
                "wire_service": "bdt",
                "category": "pl",
                "category_name": "Politik",
                "keywords": ["Parteien", "Vorsitz"],
                "title": "Parteitag wählt neue Vorsitzende",
                "dateline": "Kiel",
                "agencies": ["dpa"],
                "published": "2025-03-15T10:02+01:00",
            }
        ],
    ),
    WireCase(
        "dpa_correction_wrapped_and_section",
        _u(
            iptc(
                "bdt0202 4 wi 210  dpa 0202",
                "Handel/Einzelhandel/",
                [
                    "(Berichtigung: Im zweiten Absatz muss es heißen: zwölf Filialen, nicht",
                    "zwanzig Filialen)",
                    "Kette schließt Filialen in Bremen =",
                    "",
                    *de_story("Bremen", "dpa/lni", "die Zukunft der Filialen"),
                    "# Notizblock",
                    "",
                    "## Berichtigung",
                    "- Zahl der Filialen im zweiten Absatz korrigiert.",
                    "",
                ],
            )
        ),
        [
            {
                "is_correction": True,
                "correction": "Im zweiten Absatz muss es heißen: zwölf Filialen, nicht zwanzig Filialen",
                "category": "wi",
                "category_name": "Wirtschaft",
                "title": "Kette schließt Filialen in Bremen",
                "dateline": "Bremen",
                "editorial_notes_has": "## Berichtigung",
            }
        ],
    ),
    WireCase(
        "dpa_korr_bericht_is_a_genre",
        _u(
            iptc(
                "bdt0203 4 pl 230  dpa 0203",
                "EU/Gipfel/",
                [
                    "(KORR-Bericht)",
                    "Gipfel ringt um Haushalt =",
                    "",
                    *de_story("Brüssel", "dpa", "den Haushalt"),
                ],
            )
        ),
        [{"genre": "KORR-Bericht", "is_correction": False, "correction": None, "dateline": "Brüssel"}],
    ),
    WireCase(
        "dpa_vorschau",
        _u(
            iptc(
                "bdt0204 5 ku 150  dpa 0204",
                "Kultur/Theater/",
                [
                    "(Vorschau)",
                    "Theaterfestival beginnt =",
                    "",
                    *de_story("Mannheim", "dpa/lsw", "das Programm"),
                ],
            )
        ),
        [
            {
                "genre": "Vorschau",
                "urgency": 5,
                "category": "ku",
                "category_name": "Kultur",
                "regional_services": ["lsw"],
            }
        ],
    ),
    WireCase(
        "dpa_zusammenfassung",
        _u(
            iptc(
                "bdt0205 3 vm 300  dpa 0205",
                "Wetter/Unwetter/",
                [
                    "(Zusammenfassung)",
                    "Unwetter sorgt für",
                    "Hunderte Einsätze =",
                    "",
                    *de_story("Hannover", "dpa/lni", "die Schäden"),
                ],
            )
        ),
        [{"genre": "Zusammenfassung", "urgency": 3, "title": "Unwetter sorgt für Hunderte Einsätze"}],
    ),
    WireCase(
        "dpa_hintergrund",
        _u(
            iptc(
                "bdt0206 4 pl 400  dpa 0206",
                "Bundestag/Wahlrecht/",
                [
                    "(Hintergrund)",
                    "Was das neue Wahlrecht ändert =",
                    "",
                    *de_story("Berlin", "dpa", "das Wahlrecht"),
                ],
            )
        ),
        [{"genre": "Hintergrund", "dateline": "Berlin"}],
    ),
    WireCase(
        "dpa_planungshinweis",
        _u(
            iptc(
                "bdt0207 5 rs 60  dpa 0207",
                "Termine/Planung/",
                [
                    "(Achtung - Planungshinweis)",
                    "Termine am Wochenende =",
                    "",
                    "Berlin (dpa) - Am Samstag tagt der Landesparteitag in Potsdam. Am Sonntag",
                    "folgt die Abstimmung über das Programm.",
                    "",
                ],
            )
        ),
        [
            {
                "genre": "Planungshinweis",
                "kind": "news",
                "category": "rs",
                "category_name": "Redaktionsservice",
            }
        ],
    ),
    WireCase(
        "dpa_withdrawal_by_id",
        _u(
            iptc(
                "bdt0208 2 vm 40  dpa 0208",
                "Unfälle/",
                [
                    "(Achtung)",
                    "Meldung zu Brückeneinsturz zurückgezogen =",
                    "",
                    "Berlin (dpa) - Die Meldung dpa:250314-930-123456 über einen Brückeneinsturz",
                    "in Peine wird zurückgezogen. Bitte nicht verwenden.",
                    "",
                ],
            )
        ),
        [{"kind": "withdrawal", "withdraws": ["250314-930-123456"]}],
    ),
    WireCase(
        "dpa_withdrawal_by_headline",
        _u(
            iptc(
                "bdt0209 2 vm 40  dpa 0209",
                "Unfälle/",
                [
                    "(Achtung)",
                    "dpa zieht Meldung zurück =",
                    "",
                    "Berlin (dpa) - dpa zieht die Meldung „Brücke in Peine eingestürzt“ (bdt0123)",
                    "zurück. Die Angaben haben sich als falsch erwiesen.",
                    "",
                ],
            )
        ),
        [{"kind": "withdrawal", "withdraws": ["Brücke in Peine eingestürzt"]}],
    ),
    WireCase(
        "dpa_embargo_weekday_note",
        _u(
            iptc(
                "bdt0210 4 ku 120  dpa 0210",
                "Literatur/Preise/",
                [
                    "(Nicht vor Freitag, 18.00 Uhr verwenden)",
                    "Buchpreis geht an Erzählerin =",
                    "",
                    *de_story("Frankfurt/Main", "dpa", "den Preis"),
                ],
                "120930 Mär 25",
            )
        ),
        [
            {
                "embargo_until": "2025-03-14T18:00:00+01:00",
                "dateline": "Frankfurt/Main",
                "published": "2025-03-12T09:30+01:00",
            }
        ],
    ),
    WireCase(
        "dpa_embargo_with_year_and_zone",
        _u(
            iptc(
                "bdt0211 4 wi 120  dpa 0211",
                "Konjunktur/Prognosen/",
                [
                    "(Sperrfrist: Dienstag, 1. April 2025, 10:00 Uhr MESZ)",
                    "Institute senken Prognose =",
                    "",
                    *de_story("Essen", "dpa/lnw", "die Prognose"),
                ],
                "311700 Mär 25",
            )
        ),
        [{"embargo_until": "2025-04-01T10:00:00+02:00", "regional_services": ["lnw"]}],
    ),
    WireCase(
        "dpa_trailer_gmt_october",
        _u(
            iptc(
                "bdt0212 4 vm 90  dpa 0212",
                "Tiere/Zoo/",
                ["Elefantenbaby im Zoo geboren =", "", *de_story("Leipzig", "dpa/lsn", "den Namen")],
                "071341 GMT Okt 15",
            )
        ),
        [
            {
                "published": "2015-10-07T13:41+00:00",
                "published_source": "trailer",
                "regional_services": ["lsn"],
            }
        ],
    ),
    WireCase(
        "dpa_english_urgent_notebook_nonpublic",
        _u(
            iptc(
                "eca0311 2 i 150  dpa 0311",
                "Germany/Politics/Budget/",
                [
                    "URGENT",
                    "German coalition delays budget decision =",
                    "",
                    *en_story("Berlin", "the budget"),
                    "# Notebook",
                    "",
                    "## Internet",
                    "- [Ministry](https://example.org/budget)",
                    "",
                    *nonpublic_en(),
                ],
                "140918 Mar 25",
                codes="dpa s5",
            )
        ),
        [
            {
                "wire_service": "eca",
                "urgency": 2,
                "category": "i",
                "category_name": "International",
                "language": "en",
                "title": "German coalition delays budget decision",
                "dateline": "Berlin",
                "agencies": ["dpa"],
                "editorial_notes_has": "# Notebook",
                "editor_initials": "dpa s5",
                "published": "2025-03-14T09:18+01:00",
            }
        ],
    ),
    WireCase(
        "dpa_english_flash",
        _u(
            iptc(
                "eca0312 4 i 30  dpa 0312",
                "Sport/Football/",
                ["FLASH", "Berlin club wins cup final =", "", *en_story("Berlin", "the final")],
                "141930 Mar 25",
            )
        ),
        [{"urgency": 1, "language": "en"}],
    ),
    WireCase(
        "dpa_english_refile_first_lead",
        _u(
            iptc(
                "eca0313 4 i 200  dpa 0313",
                "Economy/Trade/",
                [
                    "REFILE",
                    "1ST LEAD",
                    "Exports fall for third month =",
                    "",
                    *en_story("Frankfurt", "exports"),
                ],
            )
        ),
        [{"genre": "Refile", "urgency": 4, "title": "Exports fall for third month"}],
    ),
    WireCase(
        "dpa_english_kill",
        _u(
            iptc(
                "eca0314 2 i 30  dpa 0314",
                "Economy/Trade/",
                [
                    "KILL KILL KILL",
                    "Exports story withdrawn =",
                    "",
                    'Berlin (dpa) - The story "Exports fall for third month" has been withdrawn.',
                    "Please do not use it.",
                    "",
                ],
            )
        ),
        [{"kind": "withdrawal", "withdraws": ["Exports fall for third month"], "language": "en"}],
    ),
    WireCase(
        "dpa_latin1_crlf",
        iptc(
            "bdt0215 4 vm 120  dpa 0215",
            "Gesundheit/Kliniken/",
            [
                "Klinik eröffnet Station für Kinder =",
                "",
                *de_story("Göttingen", "dpa/lni", "die Größe der Station"),
            ],
        )
        .replace("\n", "\r\n")
        .encode("cp1252"),
        [
            {
                "format": "iptc7901",
                "encoding": "cp1252",
                "title": "Klinik eröffnet Station für Kinder",
                "dateline": "Göttingen",
                "regional_services": ["lni"],
                "repairs_has": "crlf",
            }
        ],
    ),
    WireCase(
        "dpa_stripped_control_characters",
        _u(
            iptc(
                "bdt0123 4 pl 231  dpa 0456",
                "Landtag/Haushalt/",
                ["Landtag berät über Haushalt =", "", *de_story("Schwerin", "dpa/lmv", "den Haushalt")],
                control=False,
            )
        ),
        [
            {
                "format": "iptc7901",
                "wire_service": "bdt",
                "urgency": 4,
                "category": "pl",
                "keywords": ["Landtag", "Haushalt"],
                "title": "Landtag berät über Haushalt",
                "dateline": "Schwerin",
                "regional_services": ["lmv"],
                "published": "2025-03-14T09:18+01:00",
                "editor_initials": "dpa xyz yyab n1 qrs",
            }
        ],
    ),
    WireCase(
        "dpa_stripped_multi_message",
        _u(
            iptc(
                "bdt0301 4 pl 100  dpa 0301",
                "Kommunen/Finanzen/",
                ["Städte fordern mehr Geld =", "", *de_story("Dresden", "dpa/lsn", "die Finanzen")],
                "140800 Mär 25",
                control=False,
            )
            + "\n"
            + iptc(
                "bdt0302 4 sp 100  dpa 0302",
                "Fußball/Regionalliga/",
                ["Aufsteiger gewinnt Derby =", "", *de_story("Rostock", "dpa/lmv", "den Aufstieg")],
                "140805 Mär 25",
                control=False,
            )
        ),
        [
            {
                "message_index": 0,
                "title": "Städte fordern mehr Geld",
                "dateline": "Dresden",
                "category": "pl",
            },
            {
                "message_index": 1,
                "title": "Aufsteiger gewinnt Derby",
                "dateline": "Rostock",
                "category": "sp",
                "category_name": "Sport",
            },
        ],
    ),
    WireCase(
        "dpa_three_messages_with_ids",
        _u(
            "".join(
                iptc(
                    f"bdt04{i}0 4 vm 100  dpa 04{i}0",
                    "Verkehr/Bahn/",
                    [
                        f"Bahnstrecke {n} gesperrt =",
                        "",
                        *de_story(place, "dpa", f"die Strecke {n}"),
                        f"© dpa-infocom, dpa:250314-930-10000{i}/{i + 1}",
                        "",
                    ],
                    f"14{10 + i}00 Mär 25",
                )
                for i, (n, place) in enumerate([("Nord", "Kassel"), ("Süd", "Fulda"), ("West", "Gießen")])
            )
        ),
        [
            {
                "message_index": i,
                "id": f"dpa-250314-930-10000{i}",
                "dateline": place,
                "published": f"2025-03-14T{10 + i}:00+01:00",
            }
            for i, place in enumerate(["Kassel", "Fulda", "Gießen"])
        ],
    ),
    WireCase(
        "dpa_spe_sport_data",
        _u(
            iptc(
                "spe0007 3 sp 120  dpa-spe 0007",
                "Fußball/Bundesliga/Ergebnisse/",
                [
                    "Bundesliga: Ergebnisse des Spieltags =",
                    "",
                    "Berlin (dpa-spe) - Die Ergebnisse des Spieltags im Überblick. Die",
                    "Tabelle folgt später.",
                    "",
                ],
            )
        ),
        [{"wire_service": "spe", "agencies": ["dpa-spe"], "category": "sp"}],
    ),
    WireCase(
        "dpa_afx_headline_is_no_dateline",
        _u(
            iptc(
                "afx0501 4 wi 120  dpa-AFX 0501",
                "Aktien/Frankfurt/",
                [
                    "Aktien Frankfurt Ausblick - Dax mit Gewinnen erwartet",
                    "",
                    "FRANKFURT (dpa-AFX) - Der Dax dürfte am Freitag mit Gewinnen starten. Händler",
                    "verwiesen auf gute Vorgaben aus Übersee.",
                    "",
                ],
                codes=None,
            )
        ),
        [
            {
                "title": "Aktien Frankfurt Ausblick - Dax mit Gewinnen erwartet",
                "dateline": "Frankfurt",
                "dateline_raw": "FRANKFURT",
                "agencies": ["dpa-AFX"],
            }
        ],
    ),
    WireCase(
        "dpa_photo_note",
        _u(
            iptc(
                "bdt0216 4 vm 150  dpa 0216",
                "Tiere/Wildtiere/",
                [
                    "Wolf im Stadtpark gesichtet =",
                    "(Foto Archiv) =",
                    "",
                    *de_story("Lüneburg", "dpa/lni", "den Wolf"),
                ],
            )
        ),
        [{"title": "Wolf im Stadtpark gesichtet", "footer_has": "(Foto Archiv)"}],
    ),
    WireCase(
        "iptc_generic_unknown_header",
        _u(
            f"{SOH}ZCZC XY100\nWirtschaft/Messen/\n{STX}Messe meldet Besucherrekord =\n\n"
            + "\n".join(de_story("Hannover", "dpa", "die Messe"))
            + f"\n{ETX}\n{EOT}"
        ),
        [
            {
                "format": "iptc7901",
                "wire_service": None,
                "urgency": None,
                "keywords": ["Wirtschaft", "Messen"],
                "title": "Messe meldet Besucherrekord",
                "warnings_has": "iptc7901_unknown_header",
            }
        ],
    ),
    WireCase(
        "dpa_header_with_selector_and_ref",
        _u(
            iptc(
                "bdt0217 4 vm 120  xyz dpa 0217 abc123",
                "Polizei/Einsätze/",
                [
                    "Polizei sucht Zeugen nach Einbruch =",
                    "",
                    *de_story("Oldenburg", "dpa/lni", "den Einbruch"),
                ],
            )
        ),
        [{"wire_service": "bdt", "agencies": ["dpa"], "title": "Polizei sucht Zeugen nach Einbruch"}],
    ),
    WireCase(
        "dpa_cp1252_quotes_and_euro",
        iptc(
            "bdt0218 4 wi 120  dpa 0218",
            "Preise/Energie/",
            ["„Teurer Winter“: Gaspreis steigt um 5 € =", "", *de_story("Kassel", "dpa/lhe", "den Preis")],
        )
        .replace("\n", "\r\n")
        .encode("cp1252"),
        [
            {
                "encoding": "cp1252",
                "title": "„Teurer Winter“: Gaspreis steigt um 5 €",
                "regional_services": ["lhe"],
            }
        ],
    ),
    WireCase(
        "dpa_new_dpa_id_and_version",
        _u(
            iptc(
                "bdt0219 4 pl 120  dpa 0219",
                "Kommunen/",
                [
                    "Gemeinderat beschließt Etat =",
                    "",
                    *de_story("Ulm", "dpa/lsw", "den Etat"),
                    "© dpa-infocom, dpa:250313-930-654321/3",
                    "",
                ],
            )
        ),
        [
            {
                "id": "dpa-250313-930-654321",
                "dpa_id": "250313-930-654321",
                "dpa_version": 3,
                "published": "2025-03-14T09:18+01:00",
            }
        ],
    ),
    WireCase(
        "dpa_interview_genre_and_urgency_3",
        _u(
            iptc(
                "bdt0220 3 ku 300  dpa 0220",
                "Musik/Interviews/",
                [
                    "(Interview)",
                    "Sängerin über ihre Tournee =",
                    "Von Max Mustermann, dpa =",
                    "",
                    *de_story("Hamburg", "dpa", "die Tournee"),
                ],
            )
        ),
        [{"genre": "Interview", "urgency": 3, "byline": "Von Max Mustermann, dpa"}],
    ),
    WireCase(
        "anpa_ap_item",
        _u(
            anpa(
                "a0918",
                "r i BC-US-Harbor-Bridge 0412",
                [
                    "^BC-US-Harbor-Bridge,0412<",
                    "^Eds: Moves on general news and financial services.<",
                    "^Harbor bridge reopens after two years of repairs<",
                    "^By SAM EXAMPLE=<",
                    "^Associated Press Writer=<",
                    "\tBAYTOWN, Ore. (AP) _ A harbor bridge closed for two years reopened on Friday, city officials said.<",
                    "\tThe repairs cost more than expected, a spokeswoman said, but the work finished on schedule.<",
                    "\tTraffic was expected to return to normal levels within a week.<",
                ],
                "AP-WF-03-14-25 0918GMT<",
            )
        ),
        [
            {
                "format": "anpa1312",
                "wire_service": "a",
                "urgency": 4,
                "category": "i",
                "category_name": "International",
                "keywords": ["US", "Harbor", "Bridge"],
                "title": "Harbor bridge reopens after two years of repairs",
                "byline": "By SAM EXAMPLE, Associated Press Writer",
                "agencies": ["AP"],
                "language": "en",
                "published": "2025-03-14T09:18+00:00",
                "published_source": "trailer",
                "editorial_notes_has": "Eds: Moves",
            }
        ],
    ),
    WireCase(
        "anpa_ap_urgent_washington",
        _u(
            anpa(
                "w1234",
                "u w BC-Congress-Budget 0300",
                [
                    "^Lawmakers agree on stopgap budget<",
                    "^By EXAMPLE PERSON=<",
                    "\tWASHINGTON (AP) \u2014 Lawmakers agreed on a stopgap budget late on Thursday, avoiding a shutdown.<",
                    "\tThe measure now goes to the president, aides said.<",
                ],
                "AP-WF-03-14-25 0315GMT<",
            )
        ),
        [
            {
                "urgency": 2,
                "category": "w",
                "category_name": "Washington",
                "dateline": "Washington",
                "dateline_raw": "WASHINGTON",
                "agencies": ["AP"],
                "title": "Lawmakers agree on stopgap budget",
            }
        ],
    ),
    WireCase(
        "anpa_kill",
        _u(
            anpa(
                "a0920",
                "f a BC-US-Harbor-Bridge-Kill 0050",
                [
                    '^Eds: KILL KILL KILL. The story "Harbor bridge reopens after two years of repairs" is withdrawn.<',
                    "^Harbor bridge story withdrawn<",
                    "\tBAYTOWN, Ore. (AP) _ The story has been withdrawn. It will not be replaced.<",
                ],
                "AP-WF-03-14-25 0930GMT<",
            )
        ),
        [
            {
                "kind": "withdrawal",
                "urgency": 1,
                "withdraws": ["Harbor bridge reopens after two years of repairs"],
            }
        ],
    ),
    WireCase(
        "anpa_stripped",
        _u(
            anpa(
                "a0921",
                "b s BC-Soccer-Final 0200",
                [
                    "^Home side wins soccer final in overtime<",
                    "\tPORTLAND, Ore. (AP) _ The home side won the final in overtime on Saturday night.<",
                    "\tThe crowd stayed long after the final whistle.<",
                ],
                "AP-WF-03-15-25 2301GMT<",
                control=False,
            )
        ),
        [
            {
                "format": "anpa1312",
                "urgency": 3,
                "category": "s",
                "category_name": "Sports",
                "title": "Home side wins soccer final in overtime",
                "published": "2025-03-15T23:01+00:00",
            }
        ],
    ),
]
