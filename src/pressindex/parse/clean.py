"""Text normalisation: HTML remnants, line ends, invisible characters, whitespace, NFC.

Every step that changes the text names itself in ``repairs``, so a surprising field in the
index can be traced back to what the cleaner did.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from pressindex.errors import TooLarge
from pressindex.parse._unwrap import collapse_spaces

# Only real tags send text through the HTML parser: "a < b" or "<dpa>" in prose must survive.
_HTML_TAG = re.compile(
    r"</?(?:p|br|div|span|a|b|i|u|em|strong|h[1-6]|ul|ol|li|table|tr|td|th|tbody|thead|blockquote|"
    r"script|style|noscript|html|head|body|title|meta|link|img|figure|figcaption|section|article|"
    r"header|footer|nav|aside|iframe|font|center|hr|sup|sub|small|big|pre|code|dl|dt|dd|time|picture|"
    r"source|form|input|button|svg|label)\b[^<>]*>|<!DOCTYPE[^<>]*>",
    re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# A text repeats few distinct entities: each is unescaped once (html.unescape runs a regex per call).
_unescape_entity: Callable[[str], str] = lru_cache(maxsize=4096)(html.unescape)


def _unescape_match(m: re.Match[str]) -> str:
    return _unescape_entity(m.group(0))


_BLOCK_TAGS = (
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "tr", "blockquote",
    "section", "article", "header", "footer", "figure", "figcaption", "pre", "dl", "dt", "dd", "title",
    "hr",
)  # fmt: skip
_DROP_TAGS = ("script", "style", "noscript", "head", "iframe", "svg", "template", "form", "button")

# Zero-width and invisible format characters; ZWNJ/ZWJ stay (they carry meaning in Persian, Indic).
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u180e]")
_SOFT_HYPHEN = "\u00ad"
# Non-breaking and typographic spaces become plain spaces so tokenising and matching work.
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# C0 controls except TAB/LF, DEL and C1 controls (survivors of Latin-1 decoding).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_SEPARATORS = re.compile("[\u2028\u2029\x85]")
# Any character one of the four patterns above would change: most text has none, and one scan
# for all of them is cheaper than four.
_ODD_CHARACTERS = re.compile(
    "[\u2028\u2029\x85\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2060\ufeff\u180e"
    "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"
)


@dataclass(frozen=True, slots=True)
class Cleaned:
    text: str
    repairs: tuple[str, ...] = ()


# BeautifulSoup's tree building is super-linear in the number of tags (it re-balances its stack
# on every unclosed or misnested tag: 100,000 nested <div> never finish). Up to this many "<" it
# costs at most about 0.1 s whatever the nesting; beyond it the streaming stripper below runs.
HTML_TAG_BUDGET = 5000


def _has_markup(text: str) -> bool:
    """A known tag, a doctype or a closed comment. A comment is looked for with two ``find``s:
    ``<!--.*?-->`` rescans to the end from every unclosed ``<!--`` (quadratic)."""
    if _HTML_TAG.search(text):
        return True
    start = text.find("<!--")
    return start >= 0 and text.find("-->", start + 4) >= 0


def strip_html(text: str) -> str:
    """Remove tags, script/style content and entities; blocks become paragraphs.

    beautifulsoup4 within :data:`HTML_TAG_BUDGET`, else :func:`strip_html_linear`."""
    if text.count("<") > HTML_TAG_BUDGET:
        return strip_html_linear(text)
    return _strip_html_bs4(text)


def _strip_html_bs4(text: str) -> str:
    from bs4 import BeautifulSoup  # here, not at the top: most wire text has no markup (0.14 s per process)

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    return soup.get_text()


def _caseless_trie(names: tuple[str, ...]) -> str:
    """An alternation of ``names`` (ASCII letters and digits) matched without regard to case,
    grouped by first letter: ``re`` tries the branches of an alternation one by one, so a flat
    list of 26 names costs 26 tries at every "<", this about one."""
    by_first: dict[str, list[str]] = {}
    for name in sorted(names, key=lambda n: (-len(n), n)):  # longest first: "pre" before "p"
        by_first.setdefault(name[0], []).append(name[1:])

    def caseless(chars: str) -> str:
        return "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in chars)

    branches = [
        caseless(first)
        + ("(?:{})".format("|".join(caseless(rest) for rest in rests)) if rests != [""] else "")
        for first, rests in sorted(by_first.items())
    ]
    firsts = "".join(sorted({c for n in names for c in (n[0], n[0].upper())}))
    return "(?=[{}])(?:{})".format(firsts, "|".join(branches))


# The streaming stripper's patterns: each is tried only where a "<" is, and its repeats stop at
# the next "<" or ">", so every character is scanned a bounded number of times.
# ASCII: Unicode IGNORECASE would take "<ſcript>" for a script and "<İframe>" for an iframe (whose
# lowered name then is no key of _DROP_CLOSE); html.parser knows neither.
_DROP_OPEN = re.compile(r"<({})(?=[\s/>])[^<>]*>".format("|".join(_DROP_TAGS)), re.IGNORECASE | re.ASCII)
_DROP_CLOSE = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE | re.ASCII) for name in _DROP_TAGS}
_BR_TAG = re.compile(r"<br(?=[\s/>])[^<>]*>", re.IGNORECASE)
_BLOCK_NAME = rf"/?{_caseless_trie(_BLOCK_TAGS)}(?=[\s/>])"
# A block tag and the other tags right after it ("<p><b><i>"): one match, one paragraph break,
# instead of one here and one more per tag in the _ANY_TAG pass. Possessive: a run is consumed
# once, never retried from a later start.
_BLOCK_RUN = re.compile(rf"<{_BLOCK_NAME}[^<>]*>(?:<(?!{_BLOCK_NAME})(?:/?[A-Za-z]|[!?])[^<>]*>)*+")
_ANY_TAG = re.compile(r"<(?:/?[A-Za-z]|[!?])[^<>]*>")


def strip_html_linear(text: str) -> str:
    """What :func:`strip_html` gives, in time linear in the text whatever its tags.

    Script, style and the other dropped elements lose their content (up to their end tag, or the
    end of the text when it never comes, as in bs4), closed comments go, ``<br>`` becomes a line
    end, block tags a paragraph break, every other tag nothing; entities are unescaped last, so
    ``&lt;p&gt;`` stays text. No tree, so misnested or unclosed tags cost nothing extra; the one
    difference from bs4 is that an end tag nothing opened (``</div>`` alone) still breaks the
    paragraph."""
    text = _drop_comments_and_elements(text)
    text = _BR_TAG.sub("\n", text)
    text = _BLOCK_RUN.sub("\n\n", text)
    if "<" in text:
        text = _ANY_TAG.sub("", text)
    return html.unescape(text) if "&" in text else text


def _may_hold_dropped_element(text: str) -> bool:
    """False when no "<script", "<style", … is in the text in any case: then the pass looking
    for one (a regex tried at every "<") is saved. A superset of what _DROP_OPEN finds."""
    lowered = text.lower()
    return any("<" + name in lowered for name in _DROP_TAGS)


def _drop_comments_and_elements(text: str) -> str:
    """Cut comments and dropped elements in one left-to-right pass (``find``, never a rescan)."""
    kept: list[str] = []
    pos = 0
    # the next comment and element at or after pos; each is searched again only once passed, so a
    # text with many comments and no element (or the reverse) is not rescanned to its end each time
    comment = text.find("<!--")
    element = _DROP_OPEN.search(text) if _may_hold_dropped_element(text) else None
    while comment >= 0 or element is not None:
        if element is None or 0 <= comment < element.start():
            end = text.find("-->", comment + 4)
            if end < 0:  # html.parser keeps an unclosed comment as text; no later one closes either
                comment = -1
                continue
            kept.append(text[pos:comment])
            pos = end + 3
        else:
            kept.append(text[pos : element.start()])
            close = _DROP_CLOSE[element.group(1).lower()].search(text, element.end())
            pos = len(text) if close is None else close.end()
        if 0 <= comment < pos:
            comment = text.find("<!--", pos)
        if element is not None and element.start() < pos:
            element = _DROP_OPEN.search(text, pos)
    kept.append(text[pos:])
    return "".join(kept)


def clean_text(
    text: str, *, max_chars: int | None = None, unwrapped: bool = False, printable: bool = False
) -> Cleaned:
    """Normalise decoded text; an empty result is the caller's concern.

    Raises TooLarge only when NFC normalisation, the one step that can lengthen the text (up to
    three characters for one), takes it past ``max_chars``. ``unwrapped``: the text is a wire
    reader's story, paragraphs joined by a blank line, each stripped and holding no line end
    (:func:`~pressindex.parse.wire_notes.unwrap_story`); when no step before changes it, spaces
    and tabs inside the paragraphs are all the whitespace left to normalise. ``printable``: the
    caller knows every character is one ``str.isprintable`` accepts or a line end (a wire
    envelope's compiled scan of the message), so that test is not made again."""
    # One line of plain characters without markup (a wire reader's headline or byline): of all the
    # steps below only the whitespace normalisation can change it, done here without their bookkeeping.
    if (
        not unwrapped
        and text.isprintable()
        and "<" not in text
        and "&" not in text
        and unicodedata.is_normalized("NFC", text)
    ):
        line = normalise_whitespace(text)
        return Cleaned(text=line, repairs=("whitespace",) if line != text else ())
    repairs: list[str] = []

    def step(name: str, new: str) -> str:
        if new != text:
            repairs.append(name)
        return new

    # Plain characters without markup: str.isprintable, one C pass, says the text holds no control,
    # format or unusual space character, so none of the repairs before NFC would change it. Line ends
    # are made spaces for it (a copy and a pass: half the cost of the odd-character scan below).
    if (
        "<" in text
        or "&" in text
        or not (printable or (text.replace("\n", " ") if "\n" in text else text).isprintable())
    ):
        if text.startswith("\ufeff"):
            text = step("bom", text[1:])
        if "\r" in text:
            text = step("crlf" if "\r\n" in text else "cr", text.replace("\r\n", "\n").replace("\r", "\n"))
        odd = _ODD_CHARACTERS.search(text) is not None
        if odd:
            text = step("line_separators", _LINE_SEPARATORS.sub("\n", text))
        markup = False
        if "<" in text and _has_markup(text):
            text, markup = step("html", strip_html(text)), True
        if "&" in text and _ENTITY.search(text):
            # Also after bs4: "&amp;auml;" double escapes are common in feeds.
            text, markup = step("html_entities", _ENTITY.sub(_unescape_match, text)), True
        if markup:  # "&nbsp;" and friends
            odd = _ODD_CHARACTERS.search(text) is not None
        if odd:
            text = step(
                "control_chars", _CONTROLS.sub(lambda m: "\n" if m.group(0) in "\x0b\x0c" else "", text)
            )
        if _SOFT_HYPHEN in text:
            text = step("soft_hyphen", text.replace(_SOFT_HYPHEN, ""))
        if odd:
            text = step("invisible_chars", _INVISIBLE.sub("", text))
            text = step("nbsp", _SPACES.sub(" ", text))
    if not unicodedata.is_normalized("NFC", text):
        before = len(text)
        text = step("nfc", unicodedata.normalize("NFC", text))
        if max_chars is not None and len(text) > max_chars:
            raise TooLarge(
                f"text has {len(text):,} characters after NFC normalisation (from {before:,}), "
                f"more than the limit of {max_chars:,}"
            )
    if unwrapped and not repairs:
        text = step("whitespace", collapse_spaces(text))  # _collapse_spaces, compiled
    else:
        text = step("whitespace", normalise_whitespace(text))
    return Cleaned(text=text, repairs=tuple(repairs))


_SPACE_RUN = re.compile(r" {2,}")


def _collapse_spaces(text: str) -> str:
    """Tabs made spaces, runs of spaces one. Of :func:`normalise_whitespace`'s steps, the ones an
    unwrapped story needs: its line ends are the blank lines between stripped paragraphs, so the
    others (two-character searches over the whole text) would find nothing."""
    if "\t" in text:
        text = text.replace("\t", " ")
    if "  " in text:
        # most runs are two spaces: one replace (a C pass) leaves none; the pattern only for longer runs
        text = text.replace("  ", " ")
        if "  " in text:
            text = _SPACE_RUN.sub(" ", text)
    return text


_BLANK_RUN = re.compile(r"\n{3,}")


def normalise_whitespace(text: str) -> str:
    """Collapse runs of spaces, strip each line, keep at most one blank line between paragraphs.

    String operations on the whole text rather than a loop over lines (several times faster); the
    other whitespace ``str.strip`` knows is gone by now (made a space or a line end by
    :func:`clean_text`)."""
    text = _collapse_spaces(text)
    text = text.replace(" \n", "\n").replace("\n ", "\n")  # one space at most is left either side
    if "\n\n\n" in text:
        text = _BLANK_RUN.sub("\n\n", text)
    return text.strip()
