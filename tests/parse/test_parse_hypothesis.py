"""For arbitrary input, parsing returns an Article or raises one of the project's InputErrors."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pressindex.errors import InputError
from pressindex.model import Article
from pressindex.parse import parse_document
from pressindex.parse.clean import normalise_whitespace

NOW = datetime(2025, 1, 1, tzinfo=UTC)

# Fragments of wire copy, so generated text also reaches the dateline, footer and date rules.
FRAGMENTS = st.sampled_from(
    [
        "Berlin (dpa) - ", "(KNA) ", "Wien – ", "© dpa-infocom, dpa:220123-99-817158/3", "/ck/stk", "(APA, 11.9.2015)",
        " date 2021-04 ", "<p>", "</p>", "<br>", "&amp;", "\r\n", "\n\n", "\u00ad", "\u00a0", "GrÃ¶ÃŸte", "Von Anna Muster, dpa",
        "Stand: 16.10.24 09:19 Uhr", "13. April 2021", "Die Regierung hat entschieden.", "(", ")", " – ", "\x00", "\ufeff",
    ]
)  # fmt: skip
TEXTISH = st.lists(st.one_of(FRAGMENTS, st.text(max_size=40)), max_size=30).map("".join)


def _parse(raw: bytes) -> None:
    try:
        article = parse_document(raw, "fuzz.txt", now=NOW, max_bytes=4096)
    except InputError as exc:
        assert exc.code and exc.message
        return
    assert isinstance(article, Article)
    assert article.id.startswith(("dpa-", "sha1-"))
    assert article.published is None or article.published <= "2025-01-01T23:59"
    article.to_json_dict()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=6000))
def test_arbitrary_bytes(raw: bytes) -> None:
    _parse(raw)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTISH, st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1"]))
def test_wire_like_text(text: str, encoding: str) -> None:
    _parse(text.encode(encoding, errors="replace"))


@settings(max_examples=300)
@given(st.lists(st.sampled_from([" ", "\t", "\n", "a", "bc"]), max_size=40).map("".join))
def test_whitespace_normalisation_is_line_by_line(text: str) -> None:
    # The definition, line by line; the implementation works on the whole text at once.
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    assert normalise_whitespace(text) == re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# Characters the cleaner treats specially, mixed with plain text, markup and entities.
_CLEANER_ALPHABET = st.sampled_from(
    ["a", "Ä", " ", "\n", "\r", "<p>", "</p>", "<br>", "&amp;", "&nbsp;", "&#8203;", "\u00ad", "\u2028", "\x85",
     "\x0b", "\x07", "\u200b", "\ufeff", "\u00a0", "\u3000", "\u202f", "e\u0301", "<", "&"]
)  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_CLEANER_ALPHABET, max_size=30).map("".join))
def test_cleaning_skips_only_steps_that_would_change_nothing(text: str) -> None:
    # The definition: every step, always, in order. The implementation skips the character
    # classes when one scan finds none of their characters.
    import html
    import unicodedata

    from pressindex.parse import clean

    want = text.removeprefix("\ufeff")
    want = want.replace("\r\n", "\n").replace("\r", "\n")
    want = clean._LINE_SEPARATORS.sub("\n", want)
    if "<" in want and clean._HTML_TAG.search(want):
        want = clean.strip_html(want)
    if "&" in want and clean._ENTITY.search(want):
        want = clean._ENTITY.sub(lambda m: html.unescape(m.group(0)), want)
    want = clean._CONTROLS.sub(lambda m: "\n" if m.group(0) in "\x0b\x0c" else "", want)
    want = want.replace(clean._SOFT_HYPHEN, "")
    want = clean._SPACES.sub(" ", clean._INVISIBLE.sub("", want))
    want = clean.normalise_whitespace(unicodedata.normalize("NFC", want))
    assert clean.clean_text(text).text == want
