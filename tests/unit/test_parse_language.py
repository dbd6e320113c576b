"""Language detection is deterministic, bounded, and our fast detector equals langdetect's."""

from __future__ import annotations

import pytest
from langdetect.detector import Detector

from pressindex.parse.language import _Detector, _factory, detect_language, sample_text

TEXTS = [
    "Die Bundesregierung hat am Mittwoch ein neues Gesetz zur Förderung erneuerbarer Energien beschlossen.",
    "The government announced on Wednesday a new law to promote renewable energy across the country.",
    "Le gouvernement a annoncé mercredi une nouvelle loi pour promouvoir les énergies renouvelables.",
    "ÜBERSCHRIFT IN GROSSBUCHSTABEN und dann normaler Text mit Umlauten wie ä, ö und ü. http://example.org",
    "Правительство объявило в среду о новом законе. 政府は水曜日に新しい法律を発表した。",
]


@pytest.mark.parametrize("text", TEXTS)
def test_fast_detector_equals_langdetect(text: str) -> None:
    stock, fast = Detector(_factory()), _Detector(_factory())
    stock.append(text)
    fast.append(text)
    assert fast._extract_ngrams() == stock._extract_ngrams()
    stock, fast = Detector(_factory()), _Detector(_factory())
    stock.append(text)
    fast.append(text)
    assert [(x.lang, x.prob) for x in fast.get_probabilities()] == [(x.lang, x.prob) for x in stock.get_probabilities()]


def test_same_text_same_answer() -> None:
    text = TEXTS[0] * 3
    answers = {detect_language(text) for _ in range(5)}
    assert len(answers) == 1
    (guess,) = answers
    assert guess.language == "de" and 0.8 <= guess.probability <= 1.0


def test_short_text_is_undetermined() -> None:
    assert detect_language("Ja, klar.").language == "und"
    assert detect_language("12345 !!! ---").probability == 0.0


def test_chinese_code_is_iso_639_1() -> None:
    assert detect_language("新华社北京电 中国国家主席今天在北京会见了来访的外国领导人，双方就双边关系交换了意见。").language == "zh"


def test_sample_is_bounded_and_spread() -> None:
    text = " ".join(f"wort{i}" for i in range(5000))
    sample = sample_text(text, 900)
    assert len(sample) <= 900
    assert "wort0 " in sample and "wort4999" in sample and "wort2550" in sample
