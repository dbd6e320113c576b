"""The parser's behaviour, one row per raw snippet (written for these tests, not taken from a corpus).

Each row is raw text (str → UTF-8, or bytes as they would sit on disk) and the fields it must
give. Besides Article attributes, a row may check: ``body_has``/``body_lacks`` (substrings),
``footer_has`` (a footer line), ``repairs_has`` (a subset), ``dpa_story``/``dpa_version``,
``title_startswith`` and ``warning_has`` (a prefix of one warning).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pressindex.model import Article
from pressindex.parse import parse_document

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)

# Story text used to pad snippets so language detection has enough to work with.
DE = "Die Behörden prüfen den Vorfall noch. Weitere Einzelheiten wurden zunächst nicht bekannt."
DE2 = "Nach Angaben der Polizei wurde niemand verletzt. Die Ermittlungen dauern an."

ROWS: list[tuple[str, str | bytes, dict]] = [
    # --- datelines and agencies -------------------------------------------------------------
    (
        "dpa-period",
        f"Washington (dpa). Der Präsident hat ein Treffen vorgeschlagen. {DE}",
        {"dateline": "Washington", "dateline_raw": "Washington", "agencies": ("dpa",), "language": "de"},
    ),
    (
        "dpa-hyphen",
        f"Berlin (dpa) - Der Bundestag hat das Gesetz beschlossen. {DE}",
        {"dateline": "Berlin", "agencies": ("dpa",), "regional_services": ()},
    ),
    (
        "dpa-regional-lni",
        f"Peine (dpa/lni) - Ein Lastwagen ist auf der Autobahn umgekippt. {DE2}",
        {"dateline": "Peine", "agencies": ("dpa",), "regional_services": ("lni",)},
    ),
    (
        "dpa-regional-lby",
        f"Nürnberg (dpa/lby) – Ein Brand hat eine Lagerhalle zerstört. {DE2}",
        {"dateline": "Nürnberg", "agencies": ("dpa",), "regional_services": ("lby",)},
    ),
    (
        "dpa-afx-caps",
        f"FRANKFURT (dpa-AFX) - Der Dax hat zum Wochenstart leicht zugelegt. {DE}",
        {"dateline": "Frankfurt", "dateline_raw": "FRANKFURT", "agencies": ("dpa-AFX",)},
    ),
    (
        "dpa-afx-two-words",
        f"NEW YORK (dpa-AFX) - Die Wall Street hat nachgegeben. {DE}",
        {"dateline": "New York", "dateline_raw": "NEW YORK", "agencies": ("dpa-AFX",)},
    ),
    (
        "two-places",
        f"Tel Aviv/Beirut (dpa) - Die Lage an der Grenze bleibt angespannt. {DE}",
        {"dateline": "Tel Aviv/Beirut", "agencies": ("dpa",)},
    ),
    (
        "afp-caps-endash",
        f"BERLIN (AFP) – Die Zahl der Arbeitslosen ist gesunken. {DE}",
        {"dateline": "Berlin", "dateline_raw": "BERLIN", "agencies": ("AFP",)},
    ),
    (
        "afp-paris",
        f"PARIS (AFP) - Die Regierung will das Rentenalter anheben. {DE}",
        {"dateline": "Paris", "agencies": ("AFP",)},
    ),
    (
        "reuters",
        f"Washington (Reuters) - Die Notenbank lässt den Leitzins unverändert. {DE}",
        {"dateline": "Washington", "agencies": ("Reuters",)},
    ),
    (
        "reuters-caps",
        f"LONDON (Reuters) – Die Bank of England senkt den Zins. {DE}",
        {"dateline": "London", "agencies": ("Reuters",)},
    ),
    (
        "sda",
        f"Zürich (sda) - Der Franken hat gegenüber dem Euro an Wert verloren. {DE}",
        {"dateline": "Zürich", "agencies": ("SDA",)},
    ),
    (
        "kna-no-place",
        f"(KNA) Der Papst hat zum Frieden im Nahen Osten aufgerufen. {DE}",
        {"dateline": None, "agencies": ("KNA",)},
    ),
    (
        "kna-no-separator",
        f"Bonn (KNA) Die Kirche verliert weiter Mitglieder. {DE}",
        {"dateline": "Bonn", "agencies": ("KNA",)},
    ),
    (
        "epd-no-place",
        f"(epd) Die Diakonie fordert mehr Geld für die Pflege. {DE}",
        {"dateline": None, "agencies": ("epd",)},
    ),
    (
        "epd-period",
        f"Hannover (epd). Die Landeskirche plant eine Reform. {DE}",
        {"dateline": "Hannover", "agencies": ("epd",)},
    ),
    (
        "europa-press-dated",
        "MADRID, 21 Nov. 2024 (Europa Press) - El Gobierno ha aprobado hoy una nueva ley de vivienda "
        "que limita los precios del alquiler en las grandes ciudades del país.",
        {
            "dateline": "Madrid",
            "dateline_raw": "MADRID",
            "agencies": ("Europa Press",),
            "published": "2024-11-21",
            "published_precision": "day",
            "published_source": "dateline",
            "language": "es",
        },
    ),
    (
        "austrian-endash-after-teaser",
        f"Die Gewerkschaft stellt einen neuen Rechner vor. Wien – Die Gewerkschaft sieht Handlungsbedarf. {DE}",
        {
            "dateline": "Wien",
            "agencies": (),
            "lead": "Die Gewerkschaft stellt einen neuen Rechner vor.",
            "title": "Die Gewerkschaft stellt einen neuen Rechner vor",
        },
    ),
    (
        "austrian-hyphen",
        f"Graz - Ein Radfahrer ist bei einem Unfall schwer verletzt worden. {DE2}",
        {"dateline": "Graz", "agencies": ()},
    ),
    (
        "austrian-two-places",
        f"Ein Konzern baut um. Salzburg/Wien – Der Vorstand hat den Plan vorgelegt. {DE}",
        {"dateline": "Salzburg/Wien", "agencies": ()},
    ),
    (
        "place-with-particle",
        f"Rio de Janeiro – Der Karneval hat begonnen. {DE}",
        {"dateline": "Rio de Janeiro"},
    ),
    (
        "place-abbreviated",
        f"St. Pölten – Der Landtag hat das Budget beschlossen. {DE}",
        {"dateline": "St. Pölten"},
    ),
    (
        "place-am-main",
        f"Frankfurt am Main (dpa) - Die Messe öffnet am Dienstag. {DE}",
        {"dateline": "Frankfurt am Main", "agencies": ("dpa",)},
    ),
    (
        "two-agencies",
        f"Berlin (dpa/AFP) - Die Koalition hat sich geeinigt. {DE}",
        {"agencies": ("dpa", "AFP"), "regional_services": ()},
    ),
    (
        "ap",
        f"Kiew (AP) - In der Hauptstadt heulten in der Nacht die Sirenen. {DE}",
        {"dateline": "Kiew", "agencies": ("AP",)},
    ),
    (
        "apa",
        f"Linz (APA) - Die Landesregierung hat ein Sparpaket angekündigt. {DE}",
        {"dateline": "Linz", "agencies": ("APA",)},
    ),
    (
        "unknown-code",
        f"BERLIN, 12.03.2024 (ots) - Ein Verband stellt eine neue Studie vor. {DE}",
        {
            "dateline": "Berlin",
            "agencies": (),
            "published": "2024-03-12",
            "published_source": "dateline",
            "warning_has": "unknown_agency:ots",
        },
    ),
    (
        "mention-is-no-credit",
        f"Berlin (dpa) - Wie die Nachrichtenagentur Reuters berichtete, gibt es eine Einigung. AFP meldete das auch. {DE}",
        {"agencies": ("dpa",)},
    ),
    (
        "byline-then-dateline",
        f"Gipfel in Genf geplant\n\nVon Jonas-Erik Schmidt, dpa\n\nGenf (dpa) - Die Delegationen sind eingetroffen. {DE}",
        {
            "title": "Gipfel in Genf geplant",
            "byline": "Von Jonas-Erik Schmidt, dpa",
            "dateline": "Genf",
            "agencies": ("dpa",),
            "body_lacks": ["Von Jonas-Erik"],
        },
    ),
    (
        "byline-is-no-credit",
        f"Von Anna Muster, AFP\n\nDie Stadt hat einen neuen Bürgermeister gewählt. {DE}",
        {"byline": "Von Anna Muster, AFP", "agencies": (), "dateline": None},
    ),
    (
        "byline-two-authors",
        f"Von Anna Muster und Paul Beispiel\n\nDer Streit um das Budget geht weiter. {DE}",
        {"byline": "Von Anna Muster und Paul Beispiel", "agencies": ()},
    ),
    (
        "not-a-dateline-article",
        f"Der Grund – so heißt es aus dem Ministerium – ist einfach. {DE}",
        {"dateline": None, "agencies": ()},
    ),
    (
        "not-a-dateline-fazit",
        f"Er hat viel erreicht. Fazit – Das war ein gutes Jahr für ihn. {DE}",
        {"dateline": None},
    ),
    (
        "not-a-dateline-party",
        f"Angela Muster (CDU) – Die Abgeordnete hat ihren Rücktritt erklärt. {DE}",
        {"dateline": None, "agencies": ()},
    ),
    (
        "not-a-dateline-lineup",
        "Die Mannschaft gewann klar. Aufstellung: Muster – Beispiel, Probe, F. Kainz – Jelic. Tore: keine. "
        + DE,
        {"dateline": None},
    ),
    (
        "footer-credit-line",
        f"Die Messe hat ihre Tore geöffnet. {DE}\n\n(dpa)",
        {"dateline": None, "agencies": ("dpa",), "footer_lines": ("(dpa)",)},
    ),
    (
        "footer-credit-regional",
        f"Die Messe hat ihre Tore geöffnet. {DE}\n\ndpa/lni",
        {"agencies": ("dpa",), "regional_services": ("lni",), "body_lacks": ["dpa/lni"]},
    ),
    (
        "dateline-and-footer-merge",
        f"Athen (AFP) - Die Regierung verhandelt weiter. {DE}\n\n(AFP/dpa, 3.2.2016)",
        {"agencies": ("AFP", "dpa"), "published": "2016-02-03", "published_source": "footer"},
    ),
    # --- footer and boilerplate -------------------------------------------------------------
    (
        "dpa-infocom-footer",
        f"Hamburg (dpa) - Der Hafen meldet Rekordumschlag. {DE}\n\n© dpa-infocom, dpa:220123-99-817158/3",
        {
            "dpa_story": "220123-99-817158",
            "dpa_version": 3,
            "id": "dpa-220123-99-817158",
            "copyright": "© dpa-infocom, dpa:220123-99-817158/3",
            "published": "2022-01-23",
            "published_source": "dpa_id",
            "published_precision": "day",
            "body_lacks": ["©", "dpa-infocom"],
        },
    ),
    (
        "dpa-copyright",
        f"Die Börse schloss fester. {DE}\n\nCopyright 2024, dpa (www.dpa.de). Alle Rechte vorbehalten",
        {
            "copyright": "Copyright 2024, dpa (www.dpa.de). Alle Rechte vorbehalten",
            "agencies": ("dpa",),
            "published": None,
            "body_lacks": ["Alle Rechte"],
        },
    ),
    (
        "editor-initials",
        f"Die Börse schloss fester. {DE}\n\n/ck/stk",
        {"editor_initials": "/ck/stk", "body_lacks": ["/ck/stk"]},
    ),
    (
        "editor-initials-inline",
        f"Die Börse schloss fester. {DE} /ck/he",
        {"editor_initials": "/ck/he", "body_lacks": ["/ck/he"]},
    ),
    (
        "apa-inline",
        f"Der Minister ist zurückgetreten. {DE} (APA, 11.9.2015)",
        {
            "agencies": ("APA",),
            "published": "2015-09-11",
            "published_source": "footer",
            "footer_lines": ("(APA, 11.9.2015)",),
            "body_lacks": ["(APA"],
        },
    ),
    (
        "apa-dpa-inline",
        f"Der Minister ist zurückgetreten. {DE} (APA/dpa, 23.8.2015)",
        {"agencies": ("APA", "dpa"), "published": "2015-08-23"},
    ),
    (
        "red-inline",
        f"Das Festival war ausverkauft. {DE} (red, 21.6.2015)",
        {"agencies": (), "published": "2015-06-21", "footer_lines": ("(red, 21.6.2015)",)},
    ),
    (
        "author-inline",
        f"Das Festival war ausverkauft. {DE} (Renate Muster, 2.3.2016)",
        {"agencies": (), "published": "2016-03-02", "body_lacks": ["Renate"]},
    ),
    (
        "credit-spaced-date",
        f"Das Festival war ausverkauft. {DE} (APA, 1. 2. 2016)",
        {"agencies": ("APA",), "published": "2016-02-01"},
    ),
    (
        "credit-austrian-month",
        f"Das Festival war ausverkauft. {DE} (APA, 3. Jänner 2016)",
        {"agencies": ("APA",), "published": "2016-01-03"},
    ),
    (
        "credit-no-date",
        f"Das Festival war ausverkauft. {DE} (Reuters, APA, red)",
        {"agencies": ("Reuters", "APA"), "published": None},
    ),
    (
        "parenthesis-is-story",
        f"Das Festival war ausverkauft. {DE} (Mehr dazu morgen im Blatt)",
        {"agencies": (), "footer_lines": ()},
    ),
    (
        "finanzen-net",
        f"Die Aktie legte drei Prozent zu. {DE}\n\nRedaktion finanzen.net",
        {"footer_lines": ("Redaktion finanzen.net",), "agencies": (), "body_lacks": ["finanzen.net"]},
    ),
    (
        "ad-line-middle",
        f"Die Aktie legte drei Prozent zu.\n\nAnzeige\n\n{DE}",
        {"footer_lines": ("Anzeige",), "body_lacks": ["Anzeige"]},
    ),
    (
        "ad-line-read-more",
        f"Die Aktie legte drei Prozent zu.\n\nLesen Sie auch: Zehn Tipps für Anleger\n\n{DE}",
        {"body_lacks": ["Lesen Sie auch"]},
    ),
    (
        "photo-credit-no-agency",
        f"Die Aktie legte drei Prozent zu. {DE}\n\nFoto: dpa",
        {"agencies": (), "footer_lines": ("Foto: dpa",)},
    ),
    (
        "link-line",
        f"Die Aktie legte drei Prozent zu. {DE}\n\nwww.example.org/bericht",
        {"footer_lines": ("www.example.org/bericht",)},
    ),
    ("source-line", f"Die Aktie legte drei Prozent zu. {DE}\n\nQuelle: Reuters", {"agencies": ("Reuters",)}),
    (
        "material-line",
        f"Die Aktie legte drei Prozent zu. {DE}\n\nMit Material von AFP und Reuters",
        {"agencies": ("AFP", "Reuters")},
    ),
    (
        "dpa-id-no-version",
        f"Die Aktie legte drei Prozent zu. {DE}\n\ndpa:210413-99-186470",
        {"dpa_story": "210413-99-186470", "dpa_version": 0, "agencies": ("dpa",)},
    ),
    (
        "dpa-id-in-prose-ignored",
        f"Die Meldung hat die Nummer 210413-99-186470 im Archiv. {DE}",
        {"dpa": None},
    ),
    (
        "copyright-word-headline",
        f"Copyright-Streit vor Gericht\n\nDer Verlag klagt gegen die Plattform. {DE}",
        {"title": "Copyright-Streit vor Gericht", "copyright": None},
    ),
    # --- dates -----------------------------------------------------------------------------
    (
        "header-month",
        f" date 2021-04 Die Nato sichert der Ukraine Unterstützung zu. {DE}",
        {
            "published": "2021-04",
            "published_precision": "month",
            "published_source": "header",
            "body_lacks": ["date 2021"],
        },
    ),
    (
        "header-day",
        f"date 2021-04-13\nDie Nato sichert der Ukraine Unterstützung zu. {DE}",
        {"published": "2021-04-13", "published_precision": "day"},
    ),
    (
        "header-year",
        f"date 2019 Die Nato sichert der Ukraine Unterstützung zu. {DE}",
        {"published": "2019", "published_precision": "year"},
    ),
    (
        "header-future",
        f"date 2031-02 Die Nato sichert der Ukraine Unterstützung zu. {DE}",
        {"published": None, "warning_has": "future_date_ignored:header:2031-02"},
    ),
    (
        "header-refined-by-dpa-id",
        f"date 2021-04 Berlin (dpa) - Die Nato sichert Unterstützung zu. {DE}\n\n© dpa-infocom, dpa:210413-99-186470/5",
        {"published": "2021-04-13", "published_precision": "day", "published_source": "dpa_id"},
    ),
    (
        "dpa-id-future",
        f"Berlin (dpa) - Die Messe beginnt. {DE}\n\n© dpa-infocom, dpa:300101-99-000001/1",
        {"dpa_story": "300101-99-000001", "published": None, "warning_has": "future_date_ignored:dpa_id"},
    ),
    (
        "timestamp-line",
        f"Stand: 16.10.24 09:19 Uhr\n\nDie Polizei hat einen Verdächtigen festgenommen. {DE}",
        {
            "published": "2024-10-16T09:19",
            "published_precision": "minute",
            "published_source": "text",
            "title": "Die Polizei hat einen Verdächtigen festgenommen",
        },
    ),
    (
        "timestamp-bare",
        f"Die Polizei hat einen Verdächtigen festgenommen. {DE}\n\n16.10.24 09:19 Uhr",
        {"published": "2024-10-16T09:19", "published_precision": "minute"},
    ),
    (
        "written-date-line",
        f"13. April 2021\n\nDie Polizei hat einen Verdächtigen festgenommen. {DE}",
        {"published": "2021-04-13", "published_precision": "day", "published_source": "text"},
    ),
    (
        "weekday-date-line",
        f"Dienstag, 13. April 2021\n\nDie Polizei hat einen Verdächtigen festgenommen. {DE}",
        {"published": "2021-04-13"},
    ),
    (
        "date-in-prose-ignored",
        f"Die Polizei hatte am 13. April 2021 einen Verdächtigen festgenommen. {DE}",
        {"published": None},
    ),
    (
        "chronology-date-stays-in-body",
        f"Die Chronik des Streits ist lang. {DE}\n\n13. April 2021\n\nDer Rat tagte erstmals. {DE2}",
        {"published": None, "body_has": ["13. April 2021"]},
    ),
    (
        "labelled-timestamp-inside",
        f"Menü Startseite Politik\n\nStand: 22.04.2024 17:26 Uhr\n\nDer Rat tagte. {DE}",
        {"published": "2024-04-22T17:26", "body_lacks": ["Stand:"]},
    ),
    (
        "today-timestamp-ok",
        f"15.01.2025 18:30 Uhr\n\nDie Polizei hat einen Verdächtigen festgenommen. {DE}",
        {"published": "2025-01-15T18:30"},
    ),
    (
        "future-footer-refused",
        f"Das Festival war ausverkauft. {DE} (APA, 11.9.2026)",
        {"published": None, "agencies": ("APA",)},
    ),
    # --- decoding and cleaning ----------------------------------------------------------------
    (
        "utf8-bom",
        "\ufeffBerlin (dpa) - Die Größte Messe öffnet. " + DE,
        {"encoding": "utf-8", "repairs_has": ["bom"], "dateline": "Berlin"},
    ),
    (
        "utf16-le-bom",
        ("Berlin (dpa) - Die größte Messe öffnet. " + DE).encode("utf-16"),
        {"encoding": "utf-16-le", "dateline": "Berlin", "body_has": ["größte"]},
    ),
    (
        "utf16-be-bom",
        b"\xfe\xff" + ("Köln (dpa) - Der Karneval beginnt. " + DE).encode("utf-16-be"),
        {"encoding": "utf-16-be", "dateline": "Köln"},
    ),
    (
        "utf16-le-no-bom",
        ("Köln (dpa) - Der Karneval beginnt. " + DE).encode("utf-16-le"),
        {"encoding": "utf-16-le", "repairs_has": ["utf16_no_bom"], "dateline": "Köln"},
    ),
    (
        "cp1252",
        ("Köln (dpa) - „Wir sind bereit“, sagte er – 5 € pro Stück. " + DE).encode("cp1252"),
        {
            "encoding": "cp1252",
            "body_has": ["„Wir sind bereit“", "5 € pro"],
            "repairs_has": ["legacy_encoding"],
        },
    ),
    (
        "latin1",
        ("Größte Straße in München wird gesperrt. " + DE).encode("latin-1"),
        {"encoding": "cp1252", "body_has": ["Größte Straße in München"]},
    ),
    (
        "double-encoded",
        ("Die GrÃ¶ÃŸte Stadt hat gewÃ¤hlt. " + DE).encode("utf-8"),
        {"body_has": ["Die Größte Stadt hat gewählt"], "repairs_has": ["mojibake"], "encoding": "utf-8"},
    ),
    (
        "crlf",
        f"Erste Zeile des Textes mit Inhalt.\r\n\r\n{DE}\r\n",
        {"repairs_has": ["crlf"], "body": f"Erste Zeile des Textes mit Inhalt.\n\n{DE}"},
    ),
    (
        "cr-only",
        f"Erste Zeile des Textes mit Inhalt.\r\r{DE}",
        {"repairs_has": ["cr"], "body": f"Erste Zeile des Textes mit Inhalt.\n\n{DE}"},
    ),
    (
        "nul-and-controls",
        f"Der Bundes\x00tag tagt.\x07 {DE}",
        {"repairs_has": ["control_chars"], "body_has": ["Der Bundestag tagt."]},
    ),
    (
        "soft-hyphen",
        f"Der Bundes\u00adtag tagt heute in Berlin. {DE}",
        {"repairs_has": ["soft_hyphen"], "body_has": ["Der Bundestag tagt"]},
    ),
    (
        "nbsp",
        f"Es kamen 13\u00a0000 Menschen und 5\u202f% mehr. {DE}",
        {"repairs_has": ["nbsp"], "body_has": ["13 000 Menschen und 5 %"]},
    ),
    (
        "zero-width",
        f"Die Straße\u200b ist gesperrt. {DE}",
        {"repairs_has": ["invisible_chars"], "body_has": ["Die Straße ist gesperrt."]},
    ),
    (
        "nfd-to-nfc",
        f"Die Mu\u0308ller GmbH meldet Insolvenz an. {DE}",
        {"repairs_has": ["nfc"], "body_has": ["Die Müller GmbH"]},
    ),
    (
        "html-paragraphs",
        f"<p>Berlin (dpa) - Der <b>Bundestag</b> hat&nbsp;entschieden.</p><p>{DE}</p>",
        {
            "repairs_has": ["html", "nbsp"],
            "dateline": "Berlin",
            "body": f"Berlin (dpa) - Der Bundestag hat entschieden.\n\n{DE}",
        },
    ),
    (
        "html-br",
        f"Erste Zeile mit viel Inhalt.<br>Zweite Zeile mit Inhalt.<br/><br/>{DE}",
        {
            "repairs_has": ["html"],
            "body_has": ["Erste Zeile mit viel Inhalt.\nZweite Zeile mit Inhalt.", f"\n\n{DE}"],
        },
    ),
    (
        "html-script-style",
        f"<style>p {{color: red}}</style><script>var tracking = 1;</script><div>{DE}</div><div>{DE2}</div>",
        {"body": f"{DE}\n\n{DE2}", "body_lacks": ["tracking", "color"]},
    ),
    (
        "html-entities-only",
        f"Die Firma AT&amp;T und M&uuml;ller &#8211; ein Vergleich. {DE}",
        {"repairs_has": ["html_entities"], "body_has": ["AT&T und Müller – ein Vergleich"]},
    ),
    (
        "angle-brackets-not-html",
        f"Wenn a < b und c > d gilt, ist die Aussage wahr. {DE}",
        {"repairs": (), "body_has": ["a < b und c > d"]},
    ),
    # --- structure -------------------------------------------------------------------------
    (
        "headline-line",
        f"Biden schlägt Putin Gipfel vor\n\nDer US-Präsident hat ein Treffen angeregt. {DE}",
        {
            "title": "Biden schlägt Putin Gipfel vor",
            "lead": f"Der US-Präsident hat ein Treffen angeregt. {DE}",
            "body_lacks": ["Gipfel vor"],
        },
    ),
    (
        "headline-single-newline",
        f"Biden schlägt Putin Gipfel vor\nDer US-Präsident hat ein Treffen angeregt. {DE}",
        {"title": "Biden schlägt Putin Gipfel vor"},
    ),
    (
        "headline-question",
        f"Wer zahlt die Rechnung?\n\nDie Kosten des Umbaus sind stark gestiegen. {DE}",
        {"title": "Wer zahlt die Rechnung?"},
    ),
    (
        "title-first-sentence",
        f"Der Stadtrat hat den Haushalt beschlossen. {DE}",
        {"title": "Der Stadtrat hat den Haushalt beschlossen"},
    ),
    (
        "title-abbreviation",
        f"Dr. Anna Muster hat am 13. April den Preis erhalten. {DE}",
        {"title": "Dr. Anna Muster hat am 13. April den Preis erhalten"},
    ),
    (
        "title-trimmed",
        "Die Vertreter der Länder und des Bundes haben sich nach langen und zähen Verhandlungen, die bis tief in die "
        "Nacht dauerten und mehrfach unterbrochen wurden, auf einen gemeinsamen Kompromiss zur Finanzierung "
        "des Nahverkehrs geeinigt. " + DE,
        {"title_startswith": "Die Vertreter der Länder", "title_endswith": " …"},
    ),
    (
        "subheadings",
        f"Berlin (dpa) - Die Regierung plant Reformen. {DE}\n\nWas sich ändert\n\n{DE2}\n\nWie es weitergeht\n\n{DE}",
        {"subheadings": ("Was sich ändert", "Wie es weitergeht"), "body_has": ["Was sich ändert"]},
    ),
    (
        "last-short-line-no-subheading",
        f"Berlin (dpa) - Die Regierung plant Reformen. {DE}\n\nEnde der Meldung",
        {"subheadings": ()},
    ),
    (
        "teaser-paragraph-then-dateline",
        f"Kurzer Vorspann zum Thema Verkehr.\n\nBerlin (dpa) - Die Bahn streikt. {DE}",
        {"lead": "Kurzer Vorspann zum Thema Verkehr.", "dateline": "Berlin", "agencies": ("dpa",)},
    ),
    # --- language ----------------------------------------------------------------------------
    (
        "english",
        "The city council approved the new budget on Tuesday. Officials said the money would be "
        "spent on schools and roads over the next two years.",
        {"language": "en"},
    ),
    (
        "french",
        "Le gouvernement a présenté mardi un nouveau projet de loi sur les retraites. Les syndicats "
        "ont annoncé une grève pour la semaine prochaine.",
        {"language": "fr"},
    ),
    (
        "italian",
        "Il governo ha approvato ieri sera la nuova legge di bilancio. I sindacati hanno annunciato "
        "uno sciopero generale per la prossima settimana.",
        {"language": "it"},
    ),
    (
        "dutch",
        "De regering heeft dinsdag een nieuw wetsvoorstel gepresenteerd. De vakbonden kondigden een "
        "staking aan voor volgende week.",
        {"language": "nl"},
    ),
    (
        "russian",
        "Правительство во вторник представило новый законопроект о пенсиях. Профсоюзы объявили "
        "забастовку на следующей неделе.",
        {"language": "ru"},
    ),
    ("too-short", "Kurz gesagt: ja.", {"language": "und", "language_confidence": 0.0}),
    (
        "boilerplate-does-not-vote",
        f"Die Stadt baut eine neue Brücke. {DE}\n\nCopyright 2024 Example Media Group. All rights reserved.",
        {"language": "de", "copyright": "Copyright 2024 Example Media Group. All rights reserved."},
    ),
]


def _check(article: Article, expect: dict) -> None:
    for key, want in expect.items():
        if key == "body_has":
            for part in want:
                assert part in article.body, (part, article.body)
        elif key == "body_lacks":
            for part in want:
                assert part not in article.body, (part, article.body)
        elif key == "repairs_has":
            assert set(want) <= set(article.repairs), article.repairs
        elif key == "dpa_story":
            assert article.dpa is not None and article.dpa.story == want
        elif key == "dpa_version":
            assert article.dpa is not None and article.dpa.version == want
        elif key == "title_startswith":
            assert article.title.startswith(want), article.title
        elif key == "title_endswith":
            assert article.title.endswith(want), article.title
        elif key == "warning_has":
            assert any(w.startswith(want) for w in article.warnings), article.warnings
        else:
            assert getattr(article, key) == want, (key, getattr(article, key))


def test_table_is_large_enough():
    assert len(ROWS) >= 80
    assert len({name for name, _, _ in ROWS}) == len(ROWS)


@pytest.mark.parametrize(("raw", "expect"), [(r, e) for _, r, e in ROWS], ids=[n for n, _, _ in ROWS])
def test_snippet(raw: str | bytes, expect: dict) -> None:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    article = parse_document(data, "snippet.txt", now=NOW)
    _check(article, expect)
