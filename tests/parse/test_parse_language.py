"""Language detection: langdetect's model, evaluated exactly, deterministic and bounded."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import langdetect
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from langdetect.detector import Detector
from langdetect.detector_factory import DetectorFactory
from langdetect.utils.ngram import NGram

from pressindex.parse.language import (
    EVIDENCE_NGRAMS,
    FLOOR,
    _model,
    detect_language,
    log_prob_sums,
    sample_text,
)

TEXTS = {
    "de": "Die Bundesregierung hat am Mittwoch ein neues Gesetz zur Förderung erneuerbarer Energien beschlossen.",
    "en": "The government announced on Wednesday a new law to promote renewable energy across the country.",
    "fr": "Le gouvernement a annoncé mercredi une nouvelle loi pour promouvoir les énergies renouvelables.",
    "it": "Il governo ha annunciato mercoledì una nuova legge per promuovere le energie rinnovabili nel paese.",
    "ru": "Правительство объявило в среду о новом законе о поддержке возобновляемой энергетики в стране.",
}


def _key(gram: str) -> int:
    """The definition of an n-gram's key: its code points, 21 bits each, the first highest."""
    key = 0
    for ch in gram:
        key = (key << 21) | ord(ch)
    return key


@pytest.fixture(scope="module")
def stock_factory() -> DetectorFactory:
    factory = DetectorFactory()
    factory.load_profile(str(Path(langdetect.__file__).parent / "profiles"))
    return factory


def test_model_holds_langdetects_probabilities(stock_factory: DetectorFactory) -> None:
    model = _model()
    assert sorted(model.languages) == sorted(stock_factory.langlist)
    assert len(model.keys) == len(stock_factory.word_lang_prob_map)
    for gram in ("e", "en", "ung", " d", "ß", "ий"):
        want = stock_factory.word_lang_prob_map[gram]
        row = _dense_rows([list(model.keys).index(_key(gram))])[0]
        for lang, p in zip(stock_factory.langlist, want, strict=True):
            got = row[model.languages.index(lang)]
            assert got == pytest.approx(math.log(0.5 / 10_000 + p), rel=1e-5)


@cache
def _rows() -> dict[int, int]:
    return {key: row for row, key in enumerate(_model().keys.tolist())}


def _dense_rows(rows: list[int]) -> np.ndarray:
    """The model's rows as a dense float64 matrix: the floor wherever a profile lacks the n-gram."""
    model = _model()
    dense = np.full((len(rows), len(model.languages)), FLOOR)
    for i, row in enumerate(rows):
        entries = slice(model.row_start[row], model.row_start[row + 1])
        dense[i, model.entry_lang[entries]] = model.entry_log_prob[entries]
    return dense


def _sums_of(keys: list[int]) -> tuple[np.ndarray, int]:
    """The model's rows summed over the profile n-grams among ``keys``, and their number."""
    rows = [_rows()[k] for k in keys if k in _rows()]
    return _dense_rows(rows).sum(axis=0), len(rows)


def assert_same_sums(text: str, want: tuple[np.ndarray, int]) -> None:
    sums, known = log_prob_sums(text)
    assert known == want[1]
    np.testing.assert_allclose(sums, want[0], rtol=1e-6)
    counts = _model().slots.view(np.uint32)[3::4]  # the last field of each 16-byte slot
    assert not counts.any()  # the scratch counts are left zero for the next text


@pytest.mark.parametrize("text", list(TEXTS.values()))
def test_ngrams_are_langdetects(stock_factory: DetectorFactory, text: str) -> None:
    # langdetect's own n-gram walk: the profile n-grams it sees are the ones we sum. The texts
    # have no runs of capitals (see the module).
    stock = Detector(stock_factory)
    stock.append(text)
    ngram, keys = NGram(), []
    for ch in stock.text + " ":
        ngram.add_char(ch)
        for n in (1, 2, 3):
            gram = ngram.get(n)
            if gram and gram in stock_factory.word_lang_prob_map:
                keys.append(_key(gram))
    assert_same_sums(text, _sums_of(keys))


@pytest.mark.parametrize(("lang", "text"), list(TEXTS.items()))
def test_agrees_with_langdetect(stock_factory: DetectorFactory, lang: str, text: str) -> None:
    stock = Detector(stock_factory)
    stock.append(text)
    assert stock.detect() == lang
    guess = detect_language(text)
    assert guess.language == lang and guess.probability >= 0.8


def test_same_text_same_answer() -> None:
    text = TEXTS["de"] * 3
    answers = {detect_language(text) for _ in range(5)}
    assert len(answers) == 1
    (guess,) = answers
    assert guess.language == "de" and 0.8 <= guess.probability <= 1.0


def test_mixed_text_scores_lower_and_can_be_undecided() -> None:
    de = "Die Regierung kündigte am Mittwoch an, dass die neuen Regeln ab dem nächsten Jahr für alle Unternehmen gelten sollen."
    en = (
        "The government announced on Wednesday that the new rules will apply to all companies from next year."
    )
    nl = "De regering kondigde woensdag aan dat de nieuwe regels vanaf volgend jaar voor alle bedrijven gaan gelden."
    pure = min(detect_language(de).probability, detect_language(en).probability)
    assert detect_language(f"{de} {en}", sample_chars=None).probability < pure
    guess = detect_language(f"{de} {nl}", sample_chars=None)
    assert (guess.language, guess.probability) == ("und", 0.0)
    assert guess.best_guess in {"de", "nl"}


def test_short_text_is_undetermined() -> None:
    assert detect_language("Ja, klar.").language == "und"
    assert detect_language("12345 !!! ---").probability == 0.0
    assert (
        detect_language("http://example.org/ein/sehr/langer/pfad/mit/vielen/woertern/drin").language == "und"
    )


def test_chinese_code_is_iso_639_1() -> None:
    assert (
        detect_language(
            "新华社北京电 中国国家主席今天在北京会见了来访的外国领导人，双方就双边关系交换了意见。"
        ).language
        == "zh"
    )


def test_latin_letters_in_mostly_cyrillic_text_are_ignored() -> None:
    text = TEXTS["ru"] + " (Reuters, AFP) EU USA NATO"
    assert detect_language(text).language == "ru"


def test_sample_is_bounded_and_spread() -> None:
    text = " ".join(f"wort{i}" for i in range(5000))
    sample = sample_text(text, 900)
    assert len(sample) <= 900
    assert "wort0 " in sample and "wort4999" in sample and "wort2550" in sample


def _reference_ngram_keys(text: str) -> list[int]:
    """langdetect's normalisation as string operations, character by character (the definition
    the numpy implementation must equal)."""
    text = NGram.normalize_vi(text)
    latin = sum(1 for c in text if "A" <= c <= "z")
    non_latin = sum(1 for c in text if c >= "\u0300" and not "\u1e00" <= c <= "\u1eff")
    if latin * 2 < non_latin:
        text = re.sub(r"[A-z]", "", text)
    text = " " + re.sub(" {2,}", " ", "".join(NGram.normalize(c) for c in text)).strip(" ") + " "
    grams = [text[i : i + n] for n in (1, 2, 3) for i in range(len(text) - n + 1)]
    return sorted(_key(g) for g in grams)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Die  Bundesregierung\n\nhat   beschlossen.  ",
        "Правительство объявило в среду о Windows 11 und USA.",  # mostly non-Latin: Latin letters go
        "Vie\u0302\u0323t Nam: Tie\u0301ng Vie\u0323\u0302t co\u0301 da\u0302\u0301u",  # normalize_vi
        "Emoji 😀 und 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 außerhalb der BMP",
        "中文新闻：北京（新华社）今天发布消息。",
        "[Klammern] ^ _ ` zählen als Latein",
    ],
)
def test_sums_equal_the_character_by_character_definition(text: str) -> None:
    assert_same_sums(text, _sums_of(_reference_ngram_keys(text)))


@settings(max_examples=200, deadline=None)  # the first example builds the lookup of model rows
@given(st.text(alphabet=st.sampled_from(list("aäßz ZÜ.,-\n\t😀жЖ中\u0301\u0323eEoO")), max_size=60))
def test_sums_equal_the_definition_on_any_text(text: str) -> None:
    assert_same_sums(text, _sums_of(_reference_ngram_keys(text)))


# The scorer counts keys a block of 1,024 at a time (three per character): texts that end just
# before, on and after a block boundary, and texts spanning many blocks.
_LONG = "Die Bundesregierung hat am Mittwoch in Berlin über Zölle, Straßen und Größen beraten. " * 80


@pytest.mark.parametrize("length", [339, 340, 341, 342, 343, 682, 683, 1000, len(_LONG)])
def test_sums_equal_the_definition_on_texts_longer_than_a_key_block(length: int) -> None:
    text = _LONG[:length]
    assert_same_sums(text, _sums_of(_reference_ngram_keys(text)))


def test_normalisation_table_is_langdetects_for_every_bmp_code_point() -> None:
    want = np.fromiter((ord(NGram.normalize(chr(c))) for c in range(0x10000)), dtype=np.uint32, count=0x10000)
    np.testing.assert_array_equal(_model().normalised, want)


def test_normalisation_is_the_identity_above_the_bmp() -> None:
    # the compiled scorer normalises through a BMP table and passes higher code points through
    assert all(NGram.normalize(chr(c)) == chr(c) for c in range(0x10000, 0x110000, 7))


def test_every_reachable_profile_ngram_is_found_in_the_hash_table() -> None:
    # every profile n-gram that a text can produce (its characters are their own normalisation:
    # langdetect folds most CJK ideographs into one per class), as a word of its own whose
    # padding gives the n-gram's spaces, in one text of Latin and one of other scripts (mostly
    # non-Latin text drops Latin letters)
    model = _model()
    grams = {
        key: "".join(chr((key >> s) & 0x1FFFFF) for s in (42, 21, 0) if (key >> s) & 0x1FFFFF)
        for key in model.keys.tolist()
    }
    reachable = {k for k, g in grams.items() if all(NGram.normalize(c) == c for c in g)}
    assert len(reachable) > 0.7 * len(grams)
    words = {grams[k].strip(" ") for k in reachable}
    latin = {w for w in words if any("A" <= c <= "z" for c in w)}
    covered = set()
    for text in (" ".join(sorted(latin)), " ".join(sorted(words - latin))):
        reference = _reference_ngram_keys(text)
        covered |= set(reference)
        assert_same_sums(text, _sums_of(reference))
    assert reachable <= covered


def test_a_missing_compiled_scorer_says_how_to_build_it() -> None:
    code = (
        "import sys; sys.modules['pressindex.parse._ngram_score'] = None\n"
        "import pressindex.parse.language\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0
    assert "compiled language scorer" in result.stderr and "C compiler" in result.stderr


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()), max_size=80))
def test_sums_equal_the_definition_on_any_code_points(text: str) -> None:
    # every plane, lone surrogates and the ideographs langdetect folds included
    assert_same_sums(text, _sums_of(_reference_ngram_keys(text)))


def test_the_compiled_scorer_refuses_tables_of_the_wrong_shape() -> None:
    from pressindex.parse._ngram_score import build_slots, sum_log_prob

    keys, row_start = np.array([1, 2], dtype=np.uint64), np.array([0, 1, 2], dtype=np.uint32)
    # one slot (no hash fits), three (not a power of two)
    for slots in (np.zeros(16, dtype=np.uint8), np.zeros(16 * 3, dtype=np.uint8)):
        with pytest.raises(ValueError):
            build_slots(keys, row_start, slots)
    with pytest.raises(ValueError):  # the keys do not fit: no free slot would end a probe
        build_slots(keys, row_start, np.zeros(16 * 2, dtype=np.uint8))
    model = _model()
    with pytest.raises(ValueError):  # a normalisation table that is not the BMP's
        sum_log_prob("text", model.normalised[:100], model.slots, model.entries, FLOOR, 55)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(min_value=-5e4, max_value=0, allow_nan=False), min_size=1, max_size=60),
    st.integers(min_value=1, max_value=5000),
)
@example([-5e-324, 0.0], 2)  # two sums whose means are both zero
def test_the_compiled_posterior_is_the_softmax_of_the_scaled_means(sums: list[float], known: int) -> None:
    from pressindex.parse._ngram_score import best_posterior

    mean = np.array(sums) / known
    posterior = np.exp((mean - mean.max()) * EVIDENCE_NGRAMS)
    posterior /= posterior.sum()
    best, probability = best_posterior(np.array(sums).tobytes(), known, EVIDENCE_NGRAMS)
    # the first of equal maxima of the sums: dividing by ``known`` keeps their order, but may round
    # two different sums to one mean (-5e-324 / 2 is -0.0), where argmax(mean) would pick the first
    assert best == int(np.argmax(sums))
    assert probability == pytest.approx(posterior[best], rel=1e-12)


def test_the_compiled_posterior_refuses_nothing_to_score() -> None:
    from pressindex.parse._ngram_score import best_posterior

    with pytest.raises(ValueError):
        best_posterior(b"", 10, 50.0)
    with pytest.raises(ValueError):
        best_posterior(np.zeros(3).tobytes(), 0, 50.0)
