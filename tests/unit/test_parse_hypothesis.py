"""For arbitrary input, parsing returns an Article or raises one of the project's InputErrors."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pressindex.errors import InputError
from pressindex.model import Article
from pressindex.parse import parse_document
from pressindex.parse.clean import normalise_whitespace

NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)

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
