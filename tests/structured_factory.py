"""Structured agency items composed for this project (invented text, places and people; contacts use
example.org addresses and 0000 numbers only): one :class:`Story` rendered as NewsML-G2, NITF, dpa
digitalwires JSON or ninjs, so the same fields can be checked across formats.

Used by tests/parse/test_parse_structured.py; the evaluation and ingest tests reuse the renderers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from xml.sax.saxutils import escape, quoteattr

# What the non-public notes below hold: none of it may appear in any parse output.
SECRET_PHONE = "0000 424242"
SECRET_MAIL = "kontakt.geheim@example.org"
SECRET_NOTE = f"Autorin: Erika Beispiel, Telefon {SECRET_PHONE}, {SECRET_MAIL}"
SECRETS = (SECRET_PHONE, SECRET_MAIL, "Erika Beispiel, Telefon")

G2_NS = "http://iptc.org/std/nar/2006-10-01/"
XHTML_NS = "http://www.w3.org/1999/xhtml"


@dataclass
class Story:
    """One item's fields; the renderers put each where its format carries it."""

    headline: str = "Neue Fähre verbindet Musterhafen mit der Insel Beispieloog"
    teaser: str | None = "Ab Montag fährt die Fähre stündlich. Die Gemeinde hofft auf mehr Gäste."
    paragraphs: tuple[str, ...] = (
        "Musterhafen (dpa/lni) - Die neue Fähre zwischen Musterhafen und der Insel Beispieloog hat am "
        "Freitag ihren Betrieb aufgenommen. Das Schiff bietet Platz für 400 Fahrgäste und 60 Autos.",
        "## Mehr Fahrten im Sommer",
        "In den Sommermonaten sollen zusätzliche Abfahrten angeboten werden, sagte ein Sprecher der "
        "Reederei. Die Überfahrt dauert etwa fünfzig Minuten.",
        "Die alte Fähre wird nach Angaben der Gemeinde verkauft. Ein Käufer steht noch nicht fest.",
    )  # "## " marks a subheading
    byline: str | None = "Von Jonas Beispielmann, dpa"
    dateline: str | None = "Musterhafen (dpa/lni) - "
    place: str | None = "Musterhafen"
    urn: str | None = "urn:newsml:dpa.com:20090101:250314-99-123456"
    version: int | None = 3
    version_created: str = "2025-03-14T09:18:00+01:00"
    first_created: str | None = "2025-03-14T08:02:00+01:00"
    embargoed: str | None = None
    pubstatus: str = "usable"
    urgency: int = 3
    language: str = "de"
    services: tuple[str, ...] = ("bdt", "lni")
    desk: str | None = "vm"
    desk_name: str | None = "Vermischtes"
    genre: str | None = "Bericht"
    keywords: tuple[str, ...] = ("Niedersachsen", "Verkehr", "Schifffahrt")
    creditline: str | None = "dpa"
    copyright: str | None = "© dpa-infocom GmbH"
    editorial_notes: tuple[str, ...] = ("Zu diesem Text gibt es Fotos im Bildangebot.",)
    correction: str | None = None  # a correction note; also sends the sig:correction signal
    closing_line: str | None = "dpa xyz yyab n1"
    nonpublic: bool = True  # a non-public contact note beside the public ones
    media: str | None = None  # "picture", "audio", "video": a media item with this caption
    extra: dict = field(default_factory=dict)  # extra top-level JSON keys (digitalwires/ninjs)

    def body_html(self, namespace: str | None = None) -> str:
        xmlns = f' xmlns="{namespace}"' if namespace else ""
        parts = []
        for i, para in enumerate(self.paragraphs):
            if para.startswith("## "):
                parts.append(f"<h2>{escape(para[3:])}</h2>")
            elif i == 0 and self.dateline and para.startswith(self.dateline):
                rest = para[len(self.dateline) :]
                parts.append(f'<p><span class="dateline">{escape(self.dateline)}</span>{escape(rest)}</p>')
            else:
                parts.append(f"<p>{escape(para)}</p>")
        return f'<section{xmlns} class="main">' + "".join(parts) + "</section>"

    @property
    def subheadings(self) -> tuple[str, ...]:
        return tuple(p[3:] for p in self.paragraphs if p.startswith("## "))

    @property
    def story_key(self) -> str | None:
        return self.urn.rsplit(":", 1)[-1] if self.urn and "dpa.com" in self.urn else None


def story(**changes) -> Story:
    return replace(Story(), **changes)


# ---------------------------------------------------------------------------------------------
# NewsML-G2


def g2_item(s: Story, *, prefix: str = "", with_ns: bool = True) -> str:
    """One ``newsItem`` element (no XML declaration); ``prefix`` e.g. "g2:" for a prefixed namespace."""
    p = prefix
    ns = ""
    if with_ns:
        ns = f' xmlns:{p[:-1]}="{G2_NS}"' if p else f' xmlns="{G2_NS}"'
    item_class = f"ninat:{s.media}" if s.media else "ninat:text"
    meta = [
        f'<{p}itemClass qcode="{item_class}"/>',
        f'<{p}provider qcode="nprov:dpa"><{p}name>dpa</{p}name></{p}provider>',
        f"<{p}versionCreated>{s.version_created}</{p}versionCreated>",
    ]
    if s.first_created:
        meta.append(f"<{p}firstCreated>{s.first_created}</{p}firstCreated>")
    if s.embargoed:
        meta.append(f"<{p}embargoed>{s.embargoed}</{p}embargoed>")
    meta.append(f'<{p}pubStatus qcode="stat:{s.pubstatus}"/>')
    meta += [f'<{p}service qcode="dpasrv:{x}"><{p}name>{x}</{p}name></{p}service>' for x in s.services]
    meta += [
        f'<{p}edNote role="dpaednoterole:editorialnote">{escape(n)}</{p}edNote>' for n in s.editorial_notes
    ]
    if s.nonpublic:
        meta.append(
            f'<{p}edNote role="dpaednoterole:dpacontacts" pubconstraint="dpapconstraint:nonpublic">'
            f"{escape(SECRET_NOTE)}</{p}edNote>"
        )
        meta.append(
            f'<{p}edNote role="dpaednoterole:notepad"><section xmlns="{XHTML_NS}" class="notepad">'
            f'<section class="np-nonpublic"><p>{escape(SECRET_NOTE)}</p></section></section></{p}edNote>'
        )
    if s.correction:
        meta.append(f'<{p}edNote role="dpaednoterole:correction">{escape(s.correction)}</{p}edNote>')
        meta.append(f'<{p}signal qcode="sig:correction"/>')
    if s.closing_line:
        meta.append(f'<{p}edNote role="dpaednoterole:closingline">{escape(s.closing_line)}</{p}edNote>')
    content = [f"<{p}urgency>{s.urgency}</{p}urgency>"]
    if s.place:
        content.append(f"<{p}located><{p}name>{escape(s.place)}</{p}name></{p}located>")
    if s.creditline:
        content.append(
            f'<{p}infoSource role="isrol:originfo"><{p}name>{escape(s.creditline)}</{p}name></{p}infoSource>'
        )
    if s.genre:
        content.append(f'<{p}genre qcode="dpatextgenre:1"><{p}name>{escape(s.genre)}</{p}name></{p}genre>')
    if s.desk:
        content.append(
            f'<{p}subject type="dpatype:category" qcode="dpacat:{s.desk}"><{p}name>{escape(s.desk_name or s.desk)}'
            f"</{p}name></{p}subject>"
        )
    content += [f"<{p}keyword>{escape(k)}</{p}keyword>" for k in s.keywords]
    content.append(f'<{p}language tag="{s.language}"/>')
    content.append(f'<{p}headline rank="1">{escape(s.headline)}</{p}headline>')
    if s.dateline:
        content.append(f"<{p}dateline>{escape(s.dateline)}</{p}dateline>")
    if s.byline:
        content.append(f"<{p}by>{escape(s.byline)}</{p}by>")
    if s.creditline:
        content.append(f"<{p}creditline>{escape(s.creditline)}</{p}creditline>")
    if s.media and s.teaser:
        content.append(f'<{p}description role="drol:caption">{escape(s.teaser)}</{p}description>')
    elif s.teaser:
        content.append(f'<{p}description role="drol:teaser">{escape(s.teaser)}</{p}description>')
    if s.media:
        content_set = f'<{p}remoteContent contenttype="image/jpeg" href="https://example.org/picture.jpeg"/>'
    else:
        content_set = (
            f'<{p}inlineXML contenttype="application/xhtml+xml"><html xmlns="{XHTML_NS}"><head><title>'
            f"{escape(s.headline)}</title></head><body><header><h1>{escape(s.headline)}</h1>"
            f'<p class="byline">{escape(s.byline or "")}</p></header>'
            + (
                f'<section class="main"><p class="teaser">{escape(s.teaser)}</p></section>'
                if s.teaser
                else ""
            )
            + s.body_html()
            + f"</body></html></{p}inlineXML>"
        )
    rights = (
        f"<{p}rightsInfo><{p}copyrightNotice>{escape(s.copyright)}</{p}copyrightNotice></{p}rightsInfo>"
        if s.copyright
        else ""
    )
    attrs = f" guid={quoteattr(s.urn)}" if s.urn else ""
    attrs += f' version="{s.version}"' if s.version is not None else ""
    return (
        f'<{p}newsItem{ns}{attrs} standard="NewsML-G2" standardversion="2.32" xml:lang="{s.language}">'
        f"{rights}<{p}itemMeta>{''.join(meta)}</{p}itemMeta><{p}contentMeta>{''.join(content)}</{p}contentMeta>"
        f"<{p}contentSet>{content_set}</{p}contentSet></{p}newsItem>"
    )


def g2_document(s: Story, *, prefix: str = "", encoding: str = "UTF-8") -> bytes:
    """A NewsML-G2 file holding one ``newsItem``, encoded as its declaration says."""
    text = f'<?xml version="1.0" encoding="{encoding}"?>\n<!-- composed for tests -->\n' + g2_item(
        s, prefix=prefix
    )
    return text.encode(encoding)


def g2_message(stories: list[Story], *, package: bool = False) -> bytes:
    """A ``newsMessage`` with one ``newsItem`` per story (and a ``packageItem`` when asked)."""
    items = "".join(g2_item(s, with_ns=False) for s in stories)
    if package:
        items += '<packageItem guid="urn:newsml:example.org:20250314:package-1" version="1"/>'
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><newsMessage xmlns="{G2_NS}"><header><sent>'
        f"2025-03-14T09:20:00+01:00</sent></header><itemSet>{items}</itemSet></newsMessage>"
    ).encode()


# ---------------------------------------------------------------------------------------------
# NITF


def nitf_document(s: Story, *, encoding: str = "UTF-8") -> bytes:
    def norm(iso: str) -> str:  # 2025-03-14T09:18:00+01:00 -> 20250314T091800+0100
        return iso[:19].replace("-", "").replace(":", "") + iso[19:].replace(":", "")

    docdata = [
        f'<doc-id id-string={quoteattr(s.urn or "nitf-item-1")} regsrc="dpa"/>',
        f'<urgency ed-urg="{s.urgency}"/>',
        f'<date.issue norm="{norm(s.version_created)}"/>',
    ]
    if s.embargoed:
        docdata.append(f'<date.release norm="{norm(s.embargoed)}"/>')
    if s.version is not None:
        docdata.append(f'<du-key key="ferry" version="{s.version}"/>')
    if s.copyright:
        docdata.append('<doc.copyright holder="dpa" year="2025"/>')
    if s.keywords:
        docdata.append(
            "<key-list>" + "".join(f"<keyword key={quoteattr(k)}/>" for k in s.keywords) + "</key-list>"
        )
    docdata += [f'<ed-msg msg-type="editorial" info={quoteattr(n)}/>' for n in s.editorial_notes]
    if s.correction:
        docdata.append(f"<correction info={quoteattr(s.correction)}/>")
    head = [f"<title>{escape(s.headline)}</title>"]
    if s.desk:
        head.append(f'<meta name="ressort" content="{s.desk}"/>')
    head.append(
        f'<tobject tobject.type="news"><tobject.property tobject.property.type={quoteattr(s.genre or "current")}/>'
        f'<tobject.subject tobject.subject.type={quoteattr(s.desk_name or "")}/></tobject>'
    )
    head.append(f'<docdata management-status="{s.pubstatus}">{"".join(docdata)}</docdata>')
    body_head = [f"<hedline><hl1>{escape(s.headline)}</hl1></hedline>"]
    if s.nonpublic:
        body_head.append(f'<note type="npa"><body.content><p>{escape(SECRET_NOTE)}</p></body.content></note>')
    if s.byline:
        body_head.append(f"<byline>{escape(s.byline)}</byline>")
    if s.creditline:
        body_head.append(f"<distributor>{escape(s.creditline)}</distributor>")
    if s.place:
        body_head.append(f"<dateline><location><city>{escape(s.place)}</city></location></dateline>")
    if s.teaser:
        body_head.append(f"<abstract><p>{escape(s.teaser)}</p></abstract>")
    content = "".join(
        f"<hl2>{escape(p[3:])}</hl2>" if p.startswith("## ") else f"<p>{escape(p)}</p>" for p in s.paragraphs
    )
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<nitf version="-//IPTC//DTD NITF 3.6//EN" xml:lang="{s.language}">'
        f"<head>{''.join(head)}</head><body><body.head>{''.join(body_head)}</body.head>"
        f"<body.content>{content}</body.content><body.end><tagline>{escape(s.copyright or '')}</tagline></body.end>"
        "</body></nitf>"
    )
    return text.encode(encoding)


# ---------------------------------------------------------------------------------------------
# dpa digitalwires JSON and ninjs


def digitalwires_item(s: Story) -> dict:
    categories = [{"type": "dnltype:pubstatus", "name": s.pubstatus, "qcode": f"stat:{s.pubstatus}"}]
    categories += [{"type": "dnltype:wire", "name": x, "qcode": f"dpasrv:{x}"} for x in s.services]
    if s.desk:
        categories.append(
            {"type": "dnltype:desk", "name": s.desk_name or s.desk, "qcode": f"dpacat:{s.desk}"}
        )
    if s.genre:
        categories.append({"type": "dnltype:genre", "name": s.genre, "qcode": "dpatextgenre:1"})
    categories += [{"type": "dnltype:keyword", "name": k, "qcode": None} for k in s.keywords]
    if s.place:
        categories.append({"type": "dnltype:locationcreated", "name": s.place, "qcode": None})
    if s.correction:
        categories.append({"type": "dnltype:signal", "name": "correction", "qcode": "sig:correction"})
    ednotes = [
        {"role": "dpaednoterole:editorialnote", "ednote": n, "is_publishable": True}
        for n in s.editorial_notes
    ]
    if s.closing_line:
        ednotes.append(
            {"role": "dpaednoterole:closingline", "ednote": s.closing_line, "is_publishable": True}
        )
    if s.correction:
        ednotes.append({"role": "dpaednoterole:correction", "ednote": s.correction, "is_publishable": True})
    if s.nonpublic:
        ednotes.append({"role": "dpaednoterole:dpacontacts", "ednote": SECRET_NOTE, "is_publishable": False})
    item = {
        "format": "digitalwires@0.9.1",
        "type": "composite",
        "urn": s.urn,
        "version": s.version,
        "version_created": s.version_created,
        "pubstatus": s.pubstatus,
        "signal": "sig:correction" if s.correction else None,
        "embargoed": s.embargoed,
        "language": s.language,
        "urgency": s.urgency,
        "headline": s.headline,
        "teaser": None if s.media else s.teaser,
        "byline": s.byline,
        "dateline": s.dateline,
        "article_html": None if s.media else s.body_html(),
        "creditline": s.creditline,
        "copyrightnotice": s.copyright,
        "notepad": {"public_html": None, "nonpublic_html": f"<section><p>{escape(SECRET_NOTE)}</p></section>"}
        if s.nonpublic
        else None,
        "ednotes": ednotes,
        "descriptions": [{"role": "drol:caption", "description": s.teaser}] if s.media else None,
        "associations": [
            {"type": "image" if s.media == "picture" else s.media, "urn": s.urn, "caption": s.teaser}
        ]
        if s.media
        else [],
        "categories": categories,
        "keyword_names": list(s.keywords),
    }
    item.update(s.extra)
    return item


def digitalwires_document(s: Story | list[Story], *, wrapper: str | None = None) -> bytes:
    """One item's JSON, a list of items, or (``wrapper`` "entries") a wireQ-style wrapper object."""
    if isinstance(s, Story):
        return json.dumps(digitalwires_item(s), ensure_ascii=False, indent=2).encode("utf-8")
    items = [digitalwires_item(x) for x in s]
    data = {wrapper: items, "_links": {}} if wrapper else items
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def ninjs_item(s: Story) -> dict:
    item = {
        "uri": s.urn,
        "type": s.media or "text",
        "version": str(s.version) if s.version is not None else None,
        "versioncreated": s.version_created,
        "firstcreated": s.first_created,
        "embargoed": s.embargoed,
        "pubstatus": s.pubstatus,
        "urgency": s.urgency,
        "language": s.language,
        "headline": s.headline,
        "byline": s.byline,
        "located": s.place,
        "description_text": s.teaser,
        "body_html": None if s.media else s.body_html(),
        "genre": [{"name": s.genre, "code": "dpatextgenre:1"}] if s.genre else [],
        "subject": [{"name": s.desk_name, "code": f"dpacat:{s.desk}"}] if s.desk else [],
        "keywords": list(s.keywords),
        "copyrightnotice": s.copyright,
        "infosource": [{"name": s.creditline}] if s.creditline else [],
        "ednote": s.editorial_notes[0] if s.editorial_notes else None,
    }
    item.update(s.extra)
    return item


def ninjs_document(s: Story) -> bytes:
    return json.dumps(ninjs_item(s), ensure_ascii=False).encode("utf-8")
