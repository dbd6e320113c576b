"""Pathological input shapes (issue 18): each parses to a sensible Article or a clear InputError.

Behaviour only, never timing: bench/pathological.py measures the time.
"""

from __future__ import annotations

import codecs
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pressindex.errors import InputError, TooLarge
from pressindex.parse import parse_document, structure
from pressindex.parse.agencies import Credit, merge
from pressindex.parse.clean import (
    HTML_TAG_BUDGET,
    _strip_html_bs4,
    clean_text,
    normalise_whitespace,
    strip_html,
    strip_html_linear,
)
from pressindex.parse.decode import _MOJIBAKE_HINT, decode_bytes, fix_mojibake
from pressindex.parse.dpa_ids import find_dpa_id
from pressindex.parse.structure import (
    _TRAILING_PAREN,
    FOOTER_MAX,
    _trailing_paren,
    classify_footer,
    first_sentence,
    split_structure,
)

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
STORY = (
    "Berlin (dpa) - Die Stadt baut eine neue Brücke über den Fluss. Der Bau soll im Frühjahr beginnen.\n\n"
)


def parse(text: str | bytes):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse_document(raw, "shape.txt", now=NOW)


def outcome(text: str | bytes):
    try:
        return parse(text)
    except InputError as exc:
        return exc


@pytest.mark.parametrize(
    "text",
    [
        "13. April 2021 " * 2000,
        "a" * 50_000,
        "Text " + "." * 50_000,
        "Text " + "(" * 50_000,
        "Text " + "-" * 50_000,
        "Text" + " " * 50_000 + "Ende",
        "Text. " + "/ab" * 10_000,
        "Die Stadt baut eine Brücke, " * 2000,
        "Absatz.\n\n\n\n" * 5000,
        "Text" + "\n" * 50_000 + "Ende",
        "Berlin " * 5000,
        "Ab. " * 5000,
        "Von Hans Muster, dpa " * 2000,
        "Text " + "&amp;" * 10_000,
        "GrÃ¶ÃŸte StÃ¤dte " * 2000,
        "😀 Wort " * 5000,
        STORY + "dpa:210413-99-186470/5 " * 2000,
    ],
    ids=lambda t: repr(t[:12]),
)
def test_long_runs_and_repeats_parse_or_refuse_clearly(text: str) -> None:
    result = outcome(text)
    assert isinstance(result, InputError) or result.body or result.title


def test_nested_divs_give_their_text() -> None:
    n = 20_000  # far beyond the bs4 budget
    article = parse("<div>Wort " * n + "</div>" * n)
    assert [article.title, *article.body.split()] == ["Wort"] * n  # the first is the headline
    assert "html" in article.repairs


def test_inline_tags_give_their_text() -> None:
    article = parse("Am Anfang " + "<b>x</b> " * 10_000 + "Ende.")
    assert article.title.startswith("Am Anfang x x")
    assert "<b>" not in article.body and article.body.count("x") == 10_000


def test_unclosed_and_stray_tags_give_their_text() -> None:
    assert "<" not in parse("<p><b><i>Wort " * 5000).body
    article = parse("Die Stadt baut. " + "</div>" * 10_000)
    assert article.body == "Die Stadt baut."


def test_unclosed_comments_stay_text_and_closed_ones_go() -> None:
    assert strip_html_linear("<p>a</p><!-- weg --><p>b</p>") == "\n\na\n\n\n\nb\n\n"
    body = parse("<p>Text hier.</p>" + "<!--" * 10_000).body
    assert body.startswith("Text hier.")


def test_many_repeated_credits_peel_off_twenty_and_the_rest_stays_in_the_body() -> None:
    article = parse(STORY + "Ende. " + "(dpa) " * 3000)
    assert article.body.endswith("Ende. " + "(dpa) " * 2979 + "(dpa)")  # nothing lost, nothing doubled
    assert article.footer_lines == ("(dpa)",) and article.agencies == ("dpa",)
    assert "trailing_credits_truncated" in article.warnings
    dated = parse(STORY + "Ende. " + "(APA, 11.9.2015) " * 3000)
    assert dated.published == "2015-09-11" and "APA" in dated.agencies
    assert dated.footer_lines == ("(APA, 11.9.2015)",)


def test_twenty_trailing_credits_all_peel_without_a_warning() -> None:
    credits = [f"(APA, {d}.9.2015)" for d in range(1, 21)]
    article = parse(STORY + "Ende. " + " ".join(credits))
    assert article.body.endswith("Ende.") and article.footer_lines == tuple(credits)
    assert not article.warnings


def test_many_credit_lines_are_one_footer_line() -> None:
    article = parse(STORY + "(dpa)\n" * 5000)
    assert article.footer_lines == ("(dpa)",) and article.agencies == ("dpa",)
    assert article.dateline == "Berlin" and "(dpa)" not in article.body.split("\n")
    assert not article.warnings  # a repeated line is listed once: no text is missing anywhere


def test_distinct_footer_lines_past_the_cap_stay_in_the_body() -> None:
    lines = [f"dpa:210413-99-{186000 + i}/1" for i in range(FOOTER_MAX + 7)]
    article = parse(STORY + "Ende.\n\n" + "\n".join(lines))
    assert article.footer_lines == tuple(lines[:FOOTER_MAX])
    assert article.body.endswith("\n".join(lines[FOOTER_MAX:]))
    assert f"footer_truncated:{len(lines) - FOOTER_MAX}" in article.warnings


LINES = st.sampled_from(
    [
        "(dpa)",
        "Ein Satz.",
        "© dpa",
        "13. April 2021",
        "Stand: 16.10.24 09:19 Uhr",
        "dpa/lni",
        "",
        "AP",
        "Text",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(LINES, st.integers(1, 4)), min_size=1, max_size=10), st.sampled_from(["\n", "\n\n"])
)
def test_runs_of_a_repeated_line_split_like_line_by_line(runs: list[tuple[str, int]], sep: str) -> None:
    """A run of one footer line taken as one item gives the body and footer that taking each
    line on its own gives (``_repeats`` matching nothing is the line-by-line reading)."""
    text = sep.join(line for line, n in runs for _ in range(n))
    got = split_structure(text)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(structure, "_repeats", lambda lines: re.compile(""))
        want = split_structure(text)
    assert got == want


def test_many_short_lines_are_one_paragraph() -> None:
    article = parse("a\n" * 20_000)
    assert article.body == "\n".join(["a"] * 20_000)


MODERATE_HTML = (
    "<html><head><title>Kopf</title><style>p {color: red}</style></head><body>"
    "<h1>Die Brücke</h1><p>Die Stadt &amp; der Kreis bauen<br>eine Brücke.</p><!-- Notiz -->"
    "<div><p>Der Bau <b>beginnt</b> im <i>Frühjahr</i>.</p><script>if (a < b) {}</script></div>"
    "<ul><li>eins</li><li>zwei</li></ul><p>&lt;p&gt; bleibt Text, &auml; wird ä.</p></body></html>"
)


def test_linear_stripper_gives_the_text_bs4_gives() -> None:
    assert normalise_whitespace(strip_html_linear(MODERATE_HTML)) == normalise_whitespace(
        _strip_html_bs4(MODERATE_HTML)
    )


def test_html_over_the_budget_is_cleaned_like_html_within_it() -> None:
    small = clean_text(MODERATE_HTML).text
    big_html = MODERATE_HTML * (HTML_TAG_BUDGET // MODERATE_HTML.count("<") + 1)
    assert big_html.count("<") > HTML_TAG_BUDGET
    big = clean_text(big_html).text
    assert big.startswith(small[: small.index("zwei")])
    assert strip_html(big_html) == strip_html_linear(big_html)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["<p>", "</p>", "<b>", "</b>", "<br>", "<div>", "</div>", "Wort ", "Satz. ", "&amp;"]
        ),
        max_size=60,
    )
)
def test_linear_stripper_keeps_the_words_bs4_keeps(parts: list[str]) -> None:
    html = "".join(parts)
    # the same characters in the same order; where the breaks fall may differ (a stray </p>)
    assert "".join(strip_html_linear(html).split()) == "".join(_strip_html_bs4(html).split())


def test_nfc_expansion_beyond_the_limit_is_too_large() -> None:
    # U+FB2C is one UTF-16 code unit (2 bytes) and three characters after NFC
    raw = codecs.BOM_UTF16_LE + "\ufb2c".encode("utf-16-le") * 1000
    with pytest.raises(
        TooLarge, match=r"3,000 characters after NFC normalisation .*more than the limit of 2,002"
    ):
        parse_document(raw, "x.txt", now=NOW, max_bytes=len(raw))
    assert parse_document(raw, "x.txt", now=NOW, max_bytes=3000).size == len(raw)  # within the limit


def test_decoded_text_is_bounded_by_the_limit() -> None:
    assert len(decode_bytes(b"a" * 100, max_bytes=100).text) == 100
    with pytest.raises(TooLarge, match="file has 101 bytes"):
        decode_bytes(b"a" * 101, max_bytes=100)


def test_first_sentence_skips_many_ordinals() -> None:
    assert (
        first_sentence("13. April 2021 " * 500 + "Ende. Danach")
        == ("13. April 2021 " * 500 + "Ende.").strip()
    )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["x", " ", "-", "–", "(", ")", "dpa", "APA, 11.9.2015", ".", "  "]), max_size=14)
)
def test_trailing_paren_search_from_the_last_paren_finds_what_a_full_search_finds(parts: list[str]) -> None:
    line = "".join(parts)
    end = len(line.rstrip())
    full = _TRAILING_PAREN.search(line[:end])
    found = _trailing_paren(line, end)
    assert (found and found.span()) == (full and full.span())


def test_merge_keeps_first_mention_order() -> None:
    credits = [Credit((f"a{i % 7}",), (), (f"u{i}",)) for i in range(100)]
    merged = merge(*credits)
    assert merged.agencies == tuple(f"a{i}" for i in range(7)) and merged.unknown == tuple(
        f"u{i}" for i in range(100)
    )


def test_last_valid_dpa_id_among_many() -> None:
    text = "dpa:210413-99-186470/1 " * 500 + "dpa:211399-99-000001/2"  # the last has no valid date
    assert find_dpa_id(text).version == 1


FOOTERISH = st.sampled_from(
    ["(dpa)", "dpa/lni", "© dpa", "Copyright 2024 AFP", "/ck/stk", "ab/cd", "210413-99-186470/5",
     "Quelle: Reuters", "Foto: dpa", "www.dpa.de", "Stand: 16.10.24 09:19 Uhr", "13. April 2021",
     "Redaktion finanzen.net", "Anzeige", "(APA, 11.9.2015)", "Ein Satz.", "Berlin (dpa) - Text.", "",
     "İstanbul", "AP", "٣.٤.٢٠٢١", "– (red)", "Lesen Sie auch: mehr"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(FOOTERISH, min_size=1, max_size=12), st.sampled_from(["\n", "\n\n"]))
def test_footer_candidates_miss_no_boilerplate_line(lines: list[str], sep: str) -> None:
    """The byte-regex prefilter is a superset of classify_footer: every line it would call
    boilerplate is in the footer."""
    text = sep.join(lines)
    parts = split_structure(text)
    expected = [line for line in re.split(r"\n", text) if line and classify_footer(line)]
    kinds = [f.text for f in parts.footer]
    for line in expected:
        if classify_footer(line).kind != "date":  # a date line inside the copy is story
            assert line in kinds


GOOD_PHRASES = st.sampled_from(
    ["Die Größte Stadt liegt am Fluss.", "Café – voilà le travail", "Straße “zitiert” …", "plain ascii",
     "Ελληνικά και Русский", "Preis: 5 € à la carte", "naïve façade", "Grüße"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(GOOD_PHRASES, min_size=1, max_size=200), st.sampled_from(["ok", "cp1252", "latin-1"])
        ),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from(["\n\n", "\n", " "]),
)
def test_sample_plan_mojibake_fix_equals_ftfy_on_mixed_texts(
    paragraphs: list[tuple[list[str], str]], sep: str
) -> None:
    """Double-encoded paragraphs beside correct ones (accents that are not UTF-8 bytes), long
    enough that the sample is a part of the text: what ftfy.fix_encoding gives for the whole."""
    import ftfy

    decoders = {
        "ok": lambda p: p,
        "cp1252": lambda p: p.encode("utf-8").decode("sloppy-windows-1252"),
        "latin-1": lambda p: p.encode("utf-8").decode("latin-1"),
    }
    text = sep.join(decoders[kind](" ".join(words)) for words, kind in paragraphs)
    hint = _MOJIBAKE_HINT.search(text)
    if hint:
        assert fix_mojibake(text, hint.start()) == ftfy.fix_encoding(text)


def test_mojibake_throughout_a_long_text_is_fixed_whole() -> None:
    text = "GrÃ¶ÃŸte StÃ¤dte voilÃ  " * 20_000
    assert decode_bytes(text.encode("utf-8")).text == "Größte Städte voilà " * 20_000


def test_mojibake_after_correct_accents_is_fixed_per_paragraph() -> None:
    correct = "Die Größte Stadt liegt am Fluss. " * 300
    text = correct + "\n\n" + "GrÃ¶ÃŸte StÃ¤dte. " * 300 + "\n\n" + correct
    decoded = decode_bytes(text.encode("utf-8"))
    assert decoded.text == correct + "\n\n" + "Größte Städte. " * 300 + "\n\n" + correct
    assert "mojibake" in decoded.repairs


def test_linear_stripper_block_runs_and_odd_case_names() -> None:
    assert strip_html_linear("<p><b><i>x</i></b></p><BR/>y<DIV class=a><span>z") == "\n\nx\n\n\ny\n\nz"
    # no KeyError, and no tag at all (html.parser names start with an ASCII letter); </iframe> goes
    assert strip_html_linear("a<İframe>b</iframe>c<SCRIPT>d</script>e") == "a<İframe>bce"
