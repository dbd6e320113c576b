"""The evaluate section on structured formats, on texts composed here (invented places and people)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from defusedxml.ElementTree import fromstring

from pressindex.evaluate.formats import (
    COMPARED,
    RENDERERS,
    FormatAgreement,
    agreement,
    differing_fields,
    format_agreement,
    render_digitalwires,
    render_newsml_g2,
)
from pressindex.parse import parse_messages

NOW = datetime(2025, 6, 1, tzinfo=UTC)
DPA_TEXT = "\n".join([
    "(Eil)", "(Sperrfrist 14. März, 18.00 Uhr)", "(Berichtigung: Im ersten Satz muss es Freitag heißen.)",
    "(Zusammenfassung)", "Neue Brücke über die Leine freigegeben", "", "Von Jonas Beispielmann, dpa", "",
    "Nach zwei Jahren Bauzeit rollt der Verkehr über die Leine wieder. Die Stadt feiert mit einem Fest.", "",
    "Peine (dpa/lni) - Die neue Brücke über die Leine ist am Freitag für den Verkehr freigegeben worden.", "",
    "Kosten im Rahmen", "",
    "Die Kosten lagen bei zwölf Millionen Euro, sagte Bürgermeisterin Anna Musterfrau. Die alte Brücke war marode.",
    "", "© dpa-infocom, dpa:250314-930-123456/4", "",
    "# Notizblock", "", "## Redaktionelle Hinweise", "- Fotos vom Fest sind bestellt.", "",
])  # fmt: skip
STANDARD_TEXT = ("Der Stadtrat beschließt den Haushalt für zwei Jahre. Graz – Der Stadtrat hat am Dienstag den "
                 "Haushalt beschlossen. Die Opposition stimmte dagegen. (APA, 11.9.2015)")  # fmt: skip
KILL_TEXT = "\n".join([
    "(Achtung)", "Meldung zu Brückeneinsturz zurückgezogen", "",
    "Berlin (dpa) - Die Meldung dpa:250314-930-300001 über einen Brückeneinsturz in Beispielstadt",
    "wird zurückgezogen. Bitte nicht verwenden.", "",
])  # fmt: skip


def _text(raw: str):
    return parse_messages(raw.encode("utf-8"), "composed.txt", now=NOW)[0]


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
@pytest.mark.parametrize("raw", [DPA_TEXT, STANDARD_TEXT, KILL_TEXT], ids=["dpa", "standard", "withdrawal"])
def test_every_compared_field_agrees_three_ways(raw, fmt):
    text = _text(raw)
    parsed = parse_messages(RENDERERS[fmt](text), f"composed.{fmt}", now=NOW)
    assert len(parsed) == 1 and parsed[0].format == fmt
    assert differing_fields(text, parsed[0]) == []


def test_the_dpa_text_fills_the_fields_the_renderings_carry():
    text = _text(DPA_TEXT)
    filled = {name for name in COMPARED if getattr(text, name, None) not in (None, "", (), False)}
    assert {"title", "lead", "byline", "body", "subheadings", "dateline", "agencies", "regional_services",
            "published", "urgency", "embargo_until", "genre", "correction", "is_correction", "editorial_notes",
            "copyright"} <= filled  # fmt: skip
    assert text.dpa_id == "250314-930-123456"
    for fmt in RENDERERS:
        other = parse_messages(RENDERERS[fmt](text), "x", now=NOW)[0]
        assert (other.id, other.dpa.version) == ("dpa-250314-930-123456", 4)  # one document with the text's


def test_the_renderings_are_newsml_g2_and_digitalwires():
    text = _text(DPA_TEXT)
    root = fromstring(render_newsml_g2(text))
    assert root.tag == "{http://iptc.org/std/nar/2006-10-01/}newsItem"
    assert root.get("guid") == "urn:newsml:dpa.com:20090101:250314-930-123456" and root.get("version") == "4"
    item = json.loads(render_digitalwires(text))
    assert item["urn"] == root.get("guid") and item["version"] == 4 and item["pubstatus"] == "usable"
    assert item["embargoed"] == "2025-03-14T18:00:00+01:00" and item["article_html"].startswith("<section")
    assert item["teaser"] == text.lead and "Peine (dpa/lni) - " in item["article_html"]
    # a withdrawal notice is the canceled item of the story it names
    kill = json.loads(render_digitalwires(_text(KILL_TEXT)))
    assert (kill["urn"].rsplit(":", 1)[-1], kill["pubstatus"]) == ("250314-930-300001", "canceled")


def test_a_day_is_compared_as_the_day_a_moment_as_the_moment():
    text = _text(STANDARD_TEXT)
    assert (text.published, text.published_precision) == ("2015-09-11", "day")
    other = parse_messages(render_newsml_g2(text), "x", now=NOW)[0]
    assert other.published.startswith("2015-09-11") and "published" not in differing_fields(text, other)


def test_agreement_counts_and_the_report():
    texts = [DPA_TEXT.encode(), STANDARD_TEXT.encode(), b"", b"\x00\x01binary"]  # the last two are no item
    result = agreement("composed", texts, now=NOW)
    assert result.items == 2
    assert result.all_identical == {"newsml_g2": 2, "digitalwires": 2}
    assert result.share("newsml_g2", "body") == 1.0 and result.with_value["urgency"] == 1
    assert result.failed == {"newsml_g2": {}, "digitalwires": {}} and result.examples == {}
    report = format_agreement([STANDARD_TEXT], [DPA_TEXT], now=NOW)
    assert isinstance(report, FormatAgreement) and [s.items for s in report.sets] == [1, 1]
    table = str(report)
    assert "| body | 1 | 100.0% | 100.0% |" in table and "- format: names the representation" in table
    assert json.loads(json.dumps(report.as_dict()))["sets"][0]["name"] == "10kGNAD test split"


def test_a_disagreement_is_counted_with_its_row(monkeypatch):
    from dataclasses import replace

    monkeypatch.setitem(RENDERERS, "digitalwires", lambda a: render_digitalwires(replace(a, byline=None)))
    result = agreement("composed", [STANDARD_TEXT.encode(), DPA_TEXT.encode()], now=NOW)
    assert result.all_identical == {"newsml_g2": 2, "digitalwires": 1}
    assert result.share("digitalwires", "byline") == 0.5 and result.examples == {
        "digitalwires byline": ("row 1",)
    }
