"""Structured agency files: NewsML-G2, NITF, dpa digitalwires JSON and ninjs. Recognition by content,
the fields each format carries, several items per file, status (canceled, withheld, embargo),
media items, non-public notes that never come out, and files refused with a clear reason
(malformed XML/JSON, XXE, entity expansion).

Every item is composed for this project (tests/structured_factory.py)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pressindex.errors import InputError
from pressindex.index.indices import mapped_fields
from pressindex.parse import parse_messages
from pressindex.parse.structured import WITHHELD_UNTIL, detect_structured, html_blocks, iso_moment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import structured_factory as sf
import wire_formats_factory as wf

NOW = datetime(2025, 3, 20, tzinfo=UTC)
RENDER = {
    "newsml_g2": sf.g2_document,
    "nitf": sf.nitf_document,
    "digitalwires": sf.digitalwires_document,
    "ninjs": sf.ninjs_document,
}
FORMATS = tuple(RENDER)


def parse(raw: bytes, name: str = "item") -> list:
    return parse_messages(raw, name, now=NOW)


def one(raw: bytes):
    articles = parse(raw)
    assert len(articles) == 1
    return articles[0]


def refused(raw: bytes) -> InputError:
    with pytest.raises(InputError) as info:
        parse(raw, "bad-item")
    assert info.value.path == "bad-item"
    return info.value


# ---------------------------------------------------------------------------------------------
# Fields


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_field_the_format_carries(fmt):
    s = sf.story()
    a = one(RENDER[fmt](s))
    assert a.format == fmt
    assert a.id == "dpa-250314-99-123456"
    assert (a.dpa.story, a.dpa.version, a.dpa.issue_date) == ("250314-99-123456", 3, "2025-03-14")
    assert a.title == s.headline
    assert a.lead == s.teaser
    assert a.byline == s.byline
    assert a.subheadings == s.subheadings
    assert a.body.startswith(s.teaser + "\n\nMusterhafen (dpa/lni) - Die neue Fähre")
    assert "Mehr Fahrten im Sommer" in a.body and a.body.endswith("Ein Käufer steht noch nicht fest.")
    assert "<" not in a.body
    assert (a.dateline, a.dateline_raw) == ("Musterhafen", "Musterhafen")
    assert a.agencies == ("dpa",) and a.regional_services == ("lni",)
    assert (a.published, a.published_source, a.published_precision) == (
        "2025-03-14T09:18:00+01:00",
        "file",
        "minute",
    )
    assert (a.language, a.language_confidence) == ("de", 1.0)
    assert a.urgency == 3
    assert (a.category, a.category_name) == ("vm", "Vermischtes")
    assert a.keywords == s.keywords
    assert a.genre == "Bericht"
    assert a.editorial_notes == s.editorial_notes[0]
    assert (a.kind, a.withdraws, a.embargo_until, a.is_correction) == ("news", (), None, False)
    assert a.message_index is None
    assert a.warnings == ()
    if fmt in ("newsml_g2", "digitalwires"):
        assert a.wire_service == "bdt"
        assert a.editor_initials == s.closing_line
    if fmt != "ninjs":
        assert "nonpublic_removed" in a.repairs
    assert set(a.to_source()) <= mapped_fields()


@pytest.mark.parametrize("fmt", ("newsml_g2", "nitf", "digitalwires"))
def test_correction_note_and_signal(fmt):
    a = one(RENDER[fmt](sf.story(correction="Ortsname im zweiten Absatz berichtigt.")))
    assert a.is_correction
    assert a.correction == "Ortsname im zweiten Absatz berichtigt."
    assert "berichtigt" not in (a.editorial_notes or "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_embargo_with_its_offset(fmt):
    a = one(RENDER[fmt](sf.story(embargoed="2025-03-21T18:00:00+01:00")))
    assert a.embargo_until == "2025-03-21T18:00:00+01:00"


@pytest.mark.parametrize("fmt", FORMATS)
def test_urgency_as_sent(fmt):
    assert one(RENDER[fmt](sf.story(urgency=1))).urgency == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_files_values_win_over_the_text_rules(fmt):
    """The body opens with another place and a future date stands in a footer line: the file's
    dateline and published stay, and no warning says anything was guessed."""
    paragraphs = (
        "Hannover (AFP) - Der Text nennt einen anderen Ort als die Datei.",
        "Die Datei sagt Musterhafen, und das gilt.",
        "Stand: 30.12.2025",
    )
    a = one(RENDER[fmt](sf.story(paragraphs=paragraphs, dateline=None, place="Musterhafen")))
    assert a.dateline == "Musterhafen"
    assert a.published == "2025-03-14T09:18:00+01:00" and a.published_source == "file"
    assert not [w for w in a.warnings if w.startswith(("future_date_ignored", "unknown_agency"))]
    assert a.agencies[0] == "dpa"  # the file's credit first; the text's own stays beside it
    assert "AFP" in a.agencies


def test_item_without_dpa_urn_gets_a_guid_id_that_versions_share():
    first = one(sf.digitalwires_document(sf.story(urn="urn:newsml:example.org:20250314:ferry", version=1)))
    later = one(
        sf.digitalwires_document(
            sf.story(
                urn="urn:newsml:example.org:20250314:ferry",
                version=2,
                headline="Fähre fährt nun auch sonntags",
            )
        )
    )
    assert first.id == later.id and first.id.startswith("guid-")
    assert first.dpa is None


def test_same_dpa_story_as_iptc_text_is_one_document():
    s = sf.story(version=2)
    iptc = wf.iptc(
        "bdt0123 4 vm 231  dpa 0456",
        "Niedersachsen/Verkehr/Schifffahrt/",
        [s.headline + " =", "", *s.paragraphs[:1], "", "© dpa-infocom, dpa:250314-99-123456/4", ""],
    )
    text = one(iptc.encode("utf-8"))
    for fmt in FORMATS:
        a = one(RENDER[fmt](s))
        assert a.id == text.id == "dpa-250314-99-123456"
        assert a.dpa.version == 2 and text.dpa.version == 4  # the newest-version rule decides


def test_prefixed_namespace_and_no_namespace():
    s = sf.story()
    assert one(sf.g2_document(s, prefix="g2:")).title == s.headline
    bare = sf.g2_item(s, with_ns=False).encode("utf-8")
    assert one(bare).title == s.headline


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "windows-1252", "UTF-16"])
def test_declared_encoding(encoding):
    s = sf.story(
        headline="Fähre über die Förde: „Größer“ als gedacht"
        if encoding == "windows-1252"
        else "Fähre über die Förde: größer als gedacht"
    )
    for render in (sf.g2_document, sf.nitf_document):
        a = one(render(s, encoding=encoding))
        assert a.title == s.headline
        assert "Käufer" in a.body


# ---------------------------------------------------------------------------------------------
# Several items, status, media


def test_news_message_gives_one_article_per_news_item():
    stories = [
        sf.story(),
        sf.story(
            urn="urn:newsml:dpa.com:20090101:250314-99-654321",
            version=1,
            headline="Hafenfest zieht tausende Besucher an",
            paragraphs=("Musterhafen (dpa) - Das Hafenfest war gut besucht.",),
        ),
    ]
    articles = parse(sf.g2_message(stories, package=True))
    assert [a.id for a in articles] == ["dpa-250314-99-123456", "dpa-250314-99-654321"]
    assert [a.message_index for a in articles] == [0, 1]
    assert articles[1].title == "Hafenfest zieht tausende Besucher an"
    assert "g2_skipped:packageItem" in articles[0].warnings


def test_news_message_item_without_text_is_skipped_with_a_warning():
    empty = sf.story(
        headline="",
        teaser=None,
        paragraphs=(),
        byline=None,
        urn="urn:newsml:dpa.com:20090101:250314-99-111111",
    )
    articles = parse(sf.g2_message([sf.story(), empty]))
    assert len(articles) == 1
    assert "message_skipped:1:no_text" in articles[0].warnings


@pytest.mark.parametrize("wrapper", [None, "entries"])
def test_json_list_and_wrapper(wrapper):
    stories = [sf.story(), sf.story(urn="urn:newsml:dpa.com:20090101:250314-99-654321")]
    articles = parse(sf.digitalwires_document(stories, wrapper=wrapper))
    assert [a.dpa_id for a in articles] == ["250314-99-123456", "250314-99-654321"]
    assert [a.message_index for a in articles] == [0, 1]


@pytest.mark.parametrize("fmt", FORMATS)
def test_canceled_dpa_item_withdraws_its_story(fmt):
    a = one(RENDER[fmt](sf.story(pubstatus="canceled", version=4)))
    assert a.kind == "withdrawal"
    assert a.withdraws == ("250314-99-123456",)
    assert a.id == "dpa-250314-99-123456-canceled"  # its own record: the story stays for operators
    assert a.dpa.version == 4


def test_canceled_item_without_dpa_key_replaces_its_guid():
    urn = "urn:newsml:example.org:20250314:ferry"
    story = one(sf.digitalwires_document(sf.story(urn=urn)))
    notice = one(sf.digitalwires_document(sf.story(urn=urn, pubstatus="canceled")))
    assert notice.kind == "withdrawal" and notice.withdraws == ()
    assert notice.id == story.id


@pytest.mark.parametrize("fmt", FORMATS)
def test_withheld_is_an_embargo_without_end(fmt):
    a = one(RENDER[fmt](sf.story(pubstatus="withheld")))
    assert a.embargo_until == WITHHELD_UNTIL
    assert "withheld" in a.warnings
    assert a.kind == "news"


@pytest.mark.parametrize(
    "fmt,media",
    [
        ("digitalwires", "picture"),
        ("newsml_g2", "picture"),
        ("ninjs", "picture"),
        ("newsml_g2", "video"),
        ("digitalwires", "audio"),
    ],
)
def test_media_item_is_its_caption(fmt, media):
    caption = "Die neue Fähre beim Einlaufen in den Hafen von Musterhafen."
    a = one(RENDER[fmt](sf.story(media=media, teaser=caption)))
    assert a.kind == "media" and a.media_type == media
    assert a.title == sf.story().headline
    assert a.body == caption
    assert a.lead is None and a.subheadings == ()
    assert a.id == "dpa-250314-99-123456"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_date_without_time_is_that_day(fmt):
    a = one(RENDER[fmt](sf.story(version_created="2025-03-14", first_created=None)))
    assert (a.published, a.published_precision, a.published_source) == ("2025-03-14", "day", "file")


def test_digitalwires_image_without_headline_takes_its_title_from_the_caption():
    a = one(
        sf.digitalwires_document(
            sf.story(media="picture", headline="", teaser="Ein Kran hebt eine Boje. Foto: Beispiel")
        )
    )
    assert a.kind == "media"
    assert a.title == "Ein Kran hebt eine Boje"


@pytest.mark.parametrize("keyword_names", [5, "Hafen", {"name": "Hafen"}])
def test_digitalwires_keyword_names_that_are_no_list_are_ignored(keyword_names):
    raw = json.dumps(
        {
            "urn": "urn:newsml:example.org:20250314:item-7",
            "version": 1,
            "headline": "Der Hafen wächst",
            "article_html": "<p>Der Hafen hat mehr Schiffe abgefertigt als im Jahr davor.</p>",
            "keyword_names": keyword_names,
        }
    ).encode()
    assert one(raw).keywords == ()


# ---------------------------------------------------------------------------------------------
# Non-public notes


def _nothing_secret(article) -> None:
    out = repr(article) + json.dumps(article.to_json_dict(), ensure_ascii=False)
    for secret in sf.SECRETS:
        assert secret not in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_nonpublic_notes_are_never_stored(fmt):
    a = one(RENDER[fmt](sf.story(nonpublic=True)))
    _nothing_secret(a)
    if fmt != "ninjs":
        assert "nonpublic_removed" in a.repairs


def test_nonpublic_block_inside_the_body_is_cut():
    paragraphs = (
        *sf.story().paragraphs,
        "Die folgenden Informationen sind nicht zur Veröffentlichung bestimmt",
        sf.SECRET_NOTE,
    )
    for fmt in FORMATS:
        a = one(RENDER[fmt](sf.story(paragraphs=paragraphs)))
        _nothing_secret(a)
        assert "nonpublic_removed" in a.repairs
        assert a.body.endswith("Ein Käufer steht noch nicht fest.")


def test_nonpublic_notes_of_every_kind_in_digitalwires():
    extra = {
        "dpacontacts": [{"name": sf.SECRET_NOTE}],
        "ednotes": [
            {"role": "dpaednoterole:editorialnote", "ednote": sf.SECRET_NOTE, "is_publishable": False},
            {"role": "dpaednoterole:contacts", "ednote": sf.SECRET_NOTE},
            {
                "role": "dpaednoterole:editorialnote",
                "ednote": "Öffentlicher Hinweis.",
                "is_publishable": True,
            },
        ],
    }
    a = one(sf.digitalwires_document(sf.story(extra=extra)))
    _nothing_secret(a)
    assert a.editorial_notes == "Öffentlicher Hinweis."


# ---------------------------------------------------------------------------------------------
# Recognition and refusals


@pytest.mark.parametrize(
    "raw,expected",
    [
        (b'{"urn": "x"}', "json"),
        (b'\xef\xbb\xbf  \n[ {"uri": "x"} ]', "json"),
        (b"[]", "json"),
        (b'<?xml version="1.0"?>\n<!-- c --><?pi x?><!DOCTYPE newsItem>\n<newsItem/>', "xml"),
        (b'<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY a "b">]><nitf/>', "xml"),
        (b"<g2:newsMessage xmlns:g2='x'/>", "xml"),
        ("<nitf/>".encode("utf-16"), "xml"),
        (b"<p>Berlin (dpa) - Ein Text mit HTML-Resten.</p>", None),
        (b"<html><body><p>Eine Webseite</p></body></html>", None),
        (b"[Eil] Berlin (dpa) - Ein Text.", None),
        (b"{Klammer} am Anfang eines Textes", None),
        (b"Berlin (dpa) - <newsItem> im Text", None),
        (b"", None),
    ],
)
def test_recognised_by_content(raw, expected):
    assert detect_structured(raw) == expected


def test_plain_text_with_html_remnants_stays_text():
    a = one(b"<p>Berlin (dpa) - Ein Text mit HTML-Resten aus einem Feed.</p><p>Ein zweiter Absatz.</p>")
    assert a.format == "text"
    assert "<p>" not in a.body


def test_xxe_is_refused():
    raw = (
        b'<?xml version="1.0"?>\n<!DOCTYPE newsItem [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b"<newsItem><contentMeta><headline>&xxe;</headline></contentMeta></newsItem>"
    )
    err = refused(raw)
    assert err.code == "xml_entities_forbidden"
    assert "xxe" in err.message and "root:" not in err.message


def test_billion_laughs_is_refused():
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    raw = f'<?xml version="1.0"?>\n<!DOCTYPE nitf [<!ENTITY lol0 "lol">{lol}]>\n<nitf><body><p>&lol9;</p></body></nitf>'
    err = refused(raw.encode())
    assert err.code == "xml_entities_forbidden"


def test_external_dtd_is_not_fetched():
    raw = (
        b'<?xml version="1.0"?>\n<!DOCTYPE nitf SYSTEM "http://127.0.0.1:9/nitf.dtd">\n'
        + sf.nitf_document(sf.story()).split(b"\n", 1)[1]
    )
    assert one(raw).format == "nitf"


@pytest.mark.parametrize(
    "raw,code,where",
    [
        (sf.g2_document(sf.story())[:-40], "malformed_xml", "line 3"),
        (
            b"<newsItem><contentMeta><headline>Kopf</contentMeta></newsItem>",
            "malformed_xml",
            "line 1, column",
        ),
        (sf.digitalwires_document(sf.story())[:-12], "malformed_json", "line"),
        (
            b'{"urn": "urn:newsml:dpa.com:20090101:250314-99-123456", "version": 1,}',
            "malformed_json",
            "column",
        ),
        (b'{"foo": 1, "bar": [1, 2]}', "unknown_structure", ""),
    ],
)
def test_malformed_files_are_refused_with_where(raw, code, where):
    err = refused(raw)
    assert err.code == code
    assert where in err.message


def test_deep_nesting_costs_no_recursion():
    deep_xml = (
        b"<newsItem><contentSet><inlineXML><html><body>"
        + b"<div>" * 50_000
        + b"<p>Tief unten steht Text.</p>"
        + b"</div>" * 50_000
        + b"</body></html></inlineXML></contentSet></newsItem>"
    )
    assert one(deep_xml).body == "Tief unten steht Text."
    assert refused(b'{"a":' * 50_000 + b"1" + b"}" * 50_000).code == "malformed_json"
    html = "<div>" * 50_000 + "<p>Tief</p>" + "</div>" * 50_000
    assert html_blocks(html) == [("p", "Tief")]


def test_html_that_is_not_xml_is_read_all_the_same():
    blocks = html_blocks(
        "<p>Erster&nbsp;Absatz<br>zweite Zeile<p>Zweiter Absatz<h2>Zwischentitel</h2><p>Ende"
    )
    assert blocks == [
        ("p", "Erster Absatz\nzweite Zeile"),
        ("p", "Zweiter Absatz"),
        ("h", "Zwischentitel"),
        ("p", "Ende"),
    ]


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2025-03-14T09:18:00+01:00", "2025-03-14T09:18:00+01:00"),
        ("2025-03-14T08:18:00Z", "2025-03-14T08:18:00+00:00"),
        ("2025-03-14T08:18:00.123456Z", "2025-03-14T08:18:00+00:00"),
        ("20250314T091800+0100", "2025-03-14T09:18:00+01:00"),
        ("2025-03-14T09:18:00", "2025-03-14T09:18:00+01:00"),  # no zone: Europe/Berlin
        ("2025-07-14T09:18:00", "2025-07-14T09:18:00+02:00"),
        ("gestern", None),
    ],
)
def test_moments_keep_their_zone(value, expected):
    assert iso_moment(value) == expected


def test_canceled_item_without_text_still_withdraws():
    raw = (
        b'<newsItem guid="urn:newsml:dpa.com:20090101:250314-99-123456" version="5"><itemMeta>'
        b'<pubStatus qcode="stat:canceled"/></itemMeta></newsItem>'
    )
    a = one(raw)
    assert (a.kind, a.withdraws, a.id) == (
        "withdrawal",
        ("250314-99-123456",),
        "dpa-250314-99-123456-canceled",
    )


def test_picture_without_caption_is_recorded_by_its_guid():
    raw = (
        b'<newsItem guid="urn:newsml:example.org:20250314:photo-7" version="1"><itemMeta>'
        b'<itemClass qcode="ninat:picture"/></itemMeta><contentSet><remoteContent contenttype="image/jpeg" '
        b'href="https://example.org/p.jpeg"/></contentSet></newsItem>'
    )
    a = one(raw)
    assert a.kind == "media" and a.id.startswith("guid-")


def test_entity_reference_without_dtd_is_malformed_not_expanded():
    err = refused(b"<newsItem><contentMeta><headline>&xxe;</headline></contentMeta></newsItem>")
    assert err.code == "malformed_xml" and "undefined entity" in err.message


def test_xxe_in_utf16_is_refused():
    raw = (
        '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE newsItem [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        "<newsItem><contentMeta><headline>&xxe;</headline></contentMeta></newsItem>"
    ).encode("utf-16")
    assert refused(raw).code == "xml_entities_forbidden"


# -- source: the originating source or publication a file's metadata names ---------------------

ORIGIN = "Stadtwerke Musterhafen"


def _with_source(fmt: str) -> bytes:
    if fmt == "nitf":  # pubdata/@name: the publication
        raw = sf.nitf_document(sf.story())
        return raw.replace(b"</title>", f'</title><pubdata type="print" name="{ORIGIN}"/>'.encode(), 1)
    if fmt == "digitalwires":  # a dnltype:infosource category
        s = sf.story()
        categories = [*sf.digitalwires_item(s)["categories"], {"type": "dnltype:infosource", "name": ORIGIN}]
        return sf.digitalwires_document(sf.story(extra={"categories": categories}))
    return RENDER[fmt](sf.story(creditline=ORIGIN))  # NewsML-G2 and ninjs: infoSource


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_source_is_what_the_file_names_as_its_origin_or_publication(fmt):
    assert one(_with_source(fmt)).source == ORIGIN
    assert one(sf.nitf_document(sf.story())).source is None  # NITF without pubdata names none


def test_wire_and_plain_text_formats_name_no_source():
    lines = ["Hafenfest in Musterhafen abgesagt =", "", *wf.de_story("Musterhafen", "dpa", "das Hafenfest")]
    iptc = wf.iptc("bdt0123 4 vm 231  dpa 0456", "Niedersachsen/Hafenfest/", lines)
    anpa = wf.anpa(
        "a0123", "r a BC-Hafenfest 03-14 0231", wf.en_story("Musterhafen", "the harbour fair"), "140918"
    )
    plain = "Hafenfest abgesagt\n\nQuelle: Stadtwerke Musterhafen\n\n" + "\n".join(lines[2:])
    for raw in (iptc, anpa, plain):
        a = one(raw.encode("utf-8"))
        assert a.source is None, (a.format, a.source)
