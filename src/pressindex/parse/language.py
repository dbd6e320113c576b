"""Language identification with langdetect, made deterministic and bounded.

langdetect samples n-grams at random; a seeded factory (``seed = 0``) makes the same text give
the same answer in every process. The factory is our own instance, so the library's global
one is left alone. Its cost grows with the text (n-gram extraction is a Python loop), so long
texts are sampled: three windows from the start, middle and end, ``SAMPLE_CHARS`` in all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import langdetect
from langdetect.detector import Detector
from langdetect.detector_factory import DetectorFactory
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram

UNDETERMINED = "und"
MIN_LETTERS = 40  # fewer letters than this: too short to decide
MIN_PROBABILITY = 0.80  # a weaker winner means mixed text: undecided
SAMPLE_CHARS = 1000
N_TRIALS = 7  # langdetect's default number of seeded random walks, averaged
AGREE_AFTER = 3  # ... unless this many converged on the same language first
# langdetect names two Chinese scripts; the index wants ISO 639-1.
_CODES = {"zh-cn": "zh", "zh-tw": "zh"}
_URLS = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str  # ISO 639-1 code or "und"
    probability: float  # of the winner; 0.0 when undecided
    best_guess: str | None = None  # what langdetect preferred, kept when undecided


class _Detector(Detector):
    """langdetect's Detector with its three hot loops rewritten; the arithmetic and the random
    draws are the same, so the probabilities are identical (``tests/unit`` checks this)."""

    def append(self, text: str) -> None:
        text = self.URL_RE.sub(" ", text)
        text = self.MAIL_RE.sub(" ", text)
        text = NGram.normalize_vi(text)
        self.text += _SPACE_RUN.sub(" ", text[: self.max_text_length])

    def _extract_ngrams(self) -> list[str]:
        # Same n-grams in the same order as NGram.add_char, worked out per word: normalised
        # characters become spaces, so words are runs between spaces; a character that
        # continues an upper-case run emits nothing; a following space emits "r " and "er ".
        known = self.word_lang_prob_map
        result: list[str] = []
        append = result.append
        words = self.text.translate(_NORMALISED).split(" ")
        last = len(words) - 1
        for idx, w in enumerate(words):
            if not w:
                continue
            s = " " + w
            prev_upper = False
            for i, ch in enumerate(w):
                upper = ch.isupper()
                if upper and prev_upper:
                    continue
                prev_upper = upper
                if ch in known:
                    append(ch)
                g = s[i : i + 2]
                if g in known:
                    append(g)
                if i:
                    g = s[i - 1 : i + 2]
                    if g in known:
                        append(g)
            if idx < last:
                g = s[-1] + " "
                if g in known:
                    append(g)
                g = s[-2:] + " "
                if g in known:
                    append(g)
        return result

    agree_after: int | None = None  # stop once this many trials converged on one language

    def _detect_block(self) -> None:
        # langdetect's loop, plus an early stop: when the first trials each converged on the
        # same language, the remaining ones would too (clear text is the common case).
        self.cleaning_text()
        ngrams = self._extract_ngrams()
        if not ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        self.langprob = [0.0] * len(self.langlist)
        self.random.seed(self.seed)
        winners: set[int] = set()
        for t in range(self.n_trial):
            prob = self._init_probability()
            alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            i = 0
            while True:
                self._update_lang_prob(prob, self.random.choice(ngrams), alpha)
                if i % 5 == 0:
                    top = self._normalize_prob(prob)
                    if top > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT:
                        break
                i += 1
            for j in range(len(self.langprob)):
                self.langprob[j] += prob[j] / self.n_trial
            winners.add(prob.index(top) if top > self.CONV_THRESHOLD else -1)
            if self.agree_after and t + 1 == self.agree_after and winners != {-1} and len(winners) == 1:
                scale = self.n_trial / (t + 1)
                self.langprob = [p * scale for p in self.langprob]
                return

    def _update_lang_prob(self, prob: list[float], word: str, alpha: float) -> bool:
        lang_prob_map = self.word_lang_prob_map.get(word)
        if lang_prob_map is None:
            return False
        weight = alpha / self.BASE_FREQ
        prob[:] = [p * (weight + q) for p, q in zip(prob, lang_prob_map)]
        return True

    def _normalize_prob(self, prob: list[float]) -> float:
        total = sum(prob)
        prob[:] = [p / total for p in prob]
        return max(prob)


_SPACE_RUN = re.compile(" {2,}")
class _NormaliseTable(dict):
    """``str.translate`` table that fills itself with langdetect's per-character normalisation."""

    def __missing__(self, code: int) -> str:
        self[code] = NGram.normalize(chr(code))
        return self[code]


_NORMALISED = _NormaliseTable()
_LETTER = re.compile(r"[^\W\d_]")


@cache
def _factory() -> DetectorFactory:
    factory = DetectorFactory()
    factory.load_profile(str(Path(langdetect.__file__).parent / "profiles"))
    factory.seed = 0  # instance attribute: the same text always gives the same answer
    return factory


def sample_text(text: str, limit: int = SAMPLE_CHARS) -> str:
    """``text`` itself when short, else start, middle and end windows cut at spaces."""
    if len(text) <= limit:
        return text
    size = limit // 3
    mid = len(text) // 2 - size // 2
    windows = []
    for start in (0, mid, len(text) - size):
        window = text[start : start + size]
        if start:  # don't start or end on half a word
            window = window.split(" ", 1)[-1]
        if start + size < len(text):
            window = window.rsplit(" ", 1)[0]
        windows.append(window)
    return "\n".join(windows)


def detect_language(
    text: str, *, sample_chars: int | None = SAMPLE_CHARS, trials: int = N_TRIALS, agree_after: int | None = AGREE_AFTER
) -> LanguageGuess:
    """Guess the language of ``text`` (boilerplate already removed by the caller)."""
    text = _URLS.sub(" ", text)
    if len(_LETTER.findall(text, 0, 2000)) < MIN_LETTERS:
        return LanguageGuess(UNDETERMINED, 0.0)
    detector = _Detector(_factory())
    detector.n_trial = trials
    detector.agree_after = agree_after
    detector.append(sample_text(text, sample_chars) if sample_chars else text)
    try:
        ranked = detector.get_probabilities()
    except LangDetectException:
        return LanguageGuess(UNDETERMINED, 0.0)
    if not ranked:
        return LanguageGuess(UNDETERMINED, 0.0)
    top = ranked[0]
    code = _CODES.get(top.lang, top.lang)
    if top.prob < MIN_PROBABILITY:
        return LanguageGuess(UNDETERMINED, 0.0, best_guess=code)
    return LanguageGuess(code, round(top.prob, 4))
