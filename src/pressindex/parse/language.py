"""Language identification with langdetect's language profiles, scored exactly and vectorised.

langdetect classifies by 1- to 3-gram frequencies per language (55 profiles shipped with it).
Its detector estimates the naive-Bayes score by random walks over the text's n-grams: about
3 ms of pure Python per article, and not reproducible unless seeded. Here the same model is
evaluated exactly: the log-probabilities of every profile n-gram are one float32 matrix, the
text's n-grams are counted and looked up as integer keys with ``numpy.searchsorted``, and the
score is a weighted sum of rows. That is deterministic by construction and about fifteen times
cheaper.

The n-grams are langdetect's own: the text is normalised character by character with
``NGram.normalize`` (a code-point table, applied with numpy) and ``normalize_vi``, URLs and
e-mail addresses are dropped, mostly non-Latin text loses its Latin letters, and the n-grams are
those of each word padded with one space on both sides. One rule of langdetect is left out: it skips n-grams inside runs of
capitals ("USA"). The effect on accuracy is measured by ``pressindex evaluate``.

Naive Bayes over thousands of overlapping n-grams is near-certain even for mixed text, so the
probability reported is the posterior of a sample of ``EVIDENCE_NGRAMS`` n-grams with the text's
mean log-likelihood per n-gram (about what one of langdetect's random walks sees before it
stops). Text in one language scores about 1.0; text that mixes languages scores lower, and below
``MIN_PROBABILITY`` it is called undecided. 50 was chosen on the fundus texts: every body and
every 10kGNAD article stays decided (lowest 0.999) while most half-and-half mixtures do not.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import langdetect
import numpy as np
from langdetect.utils.ngram import NGram

UNDETERMINED = "und"
MIN_LETTERS = 40  # fewer letters than this: too short to decide
MIN_PROBABILITY = 0.80  # a weaker winner means mixed text: undecided
SAMPLE_CHARS = 1000
EVIDENCE_NGRAMS = 50  # the sample size whose posterior is reported (see the module doc)
# langdetect's smoothing: every n-gram adds ALPHA / BASE_FREQ to each language's probability.
ALPHA = 0.5
BASE_FREQ = 10_000
# langdetect names two Chinese scripts; the index wants ISO 639-1.
_CODES = {"zh-cn": "zh", "zh-tw": "zh"}
_URLS = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")
_ENOUGH_LETTERS = re.compile(r"(?:[\W\d_]*[^\W\d_]){%d}" % MIN_LETTERS)
_BITS = 21  # a code point fits in 21 bits, so a 3-gram fits in one uint64 key
_SPACE = 0x20
_VI_MARKS = tuple(NGram.DMARK_CLASS)  # the combining marks normalize_vi folds into letters


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str  # ISO 639-1 code or "und"
    probability: float  # of the winner; 0.0 when undecided
    best_guess: str | None = None  # the winner, kept when undecided


@dataclass(frozen=True)
class _Model:
    languages: tuple[str, ...]
    keys: np.ndarray  # sorted uint64 n-gram keys
    log_prob: np.ndarray  # float32 [n-gram, language]: log(ALPHA / BASE_FREQ + P(n-gram | language))
    normalised: np.ndarray  # uint32 [0x10000]: NGram.normalize of every BMP code point


class _NormaliseTable(dict):
    """``str.translate`` table that fills itself with langdetect's per-character normalisation."""

    def __missing__(self, code: int) -> str:
        self[code] = NGram.normalize(chr(code))
        return self[code]


_NORMALISED = _NormaliseTable()


def _key(gram: str) -> int:
    key = 0
    for ch in gram:
        key = (key << _BITS) | ord(ch)
    return key


@cache
def _model() -> _Model:
    """langdetect's profiles as one matrix; the probabilities are computed as langdetect's
    ``DetectorFactory.add_profile`` computes them (languages in sorted order, not listdir's)."""
    directory = Path(langdetect.__file__).parent / "profiles"
    names, keys, columns, probs = [], [], [], []
    for column, path in enumerate(sorted(p for p in directory.iterdir() if p.is_file())):
        profile = json.loads(path.read_text(encoding="utf-8"))
        grams = [g for g in profile["freq"] if 1 <= len(g) <= 3]
        n_words = np.array(profile["n_words"], dtype=np.float64)
        lengths = np.fromiter(map(len, grams), dtype=np.intp, count=len(grams))
        freq = np.fromiter(map(profile["freq"].__getitem__, grams), dtype=np.float64, count=len(grams))
        names.append(profile["name"])
        keys.append(np.fromiter(map(_key, grams), dtype=np.uint64, count=len(grams)))
        columns.append(np.full(len(grams), column, dtype=np.intp))
        probs.append(freq / n_words[lengths - 1])
    unique, rows = np.unique(np.concatenate(keys), return_inverse=True)  # sorted keys
    log_prob = np.zeros((len(unique), len(names)), dtype=np.float32)
    log_prob[rows, np.concatenate(columns)] = np.concatenate(probs)
    log_prob += ALPHA / BASE_FREQ
    np.log(log_prob, out=log_prob)
    normalised = np.fromiter(
        (ord(NGram.normalize(chr(c))) for c in range(0x10000)), dtype=np.uint32, count=0x10000
    )
    return _Model(tuple(names), unique, log_prob, normalised)


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _normalise(model: _Model, raw: np.ndarray) -> np.ndarray:
    """``NGram.normalize`` of every code point, through the BMP table (a dictionary above it)."""
    out = model.normalised[np.minimum(raw, 0xFFFF)]
    beyond = np.flatnonzero(raw > 0xFFFF)
    if len(beyond):
        out[beyond] = [ord(_NORMALISED[int(c)]) for c in raw[beyond]]
    return out


def _ngram_keys(text: str) -> np.ndarray:
    """Keys of the text's 1-, 2- and 3-grams, of words padded with spaces."""
    if any(mark in text for mark in _VI_MARKS):
        text = NGram.normalize_vi(text)
    raw = _codes(text)
    latin = (raw >= 0x41) & (raw <= 0x7A)  # langdetect's 'A' <= ch <= 'z', punctuation included
    non_latin = np.count_nonzero((raw >= 0x300) & ((raw < 0x1E00) | (raw > 0x1EFF)))
    if (
        np.count_nonzero(latin) * 2 < non_latin
    ):  # langdetect's rule: mostly non-Latin text loses its Latin letters
        raw = raw[~latin]
    norm = _normalise(_model(), raw)
    # one space between words and one either side: drop every space that follows a space (a
    # leading one follows the padding), then at most one is left at the end
    space = norm == _SPACE
    follows_space = np.ones_like(space)
    follows_space[1:] = space[:-1]
    norm = norm[~(space & follows_space)]
    if len(norm) and norm[-1] == _SPACE:
        norm = norm[:-1]
    codes = np.zeros(len(norm) + 4, dtype=np.uint64)  # padding, text, padding, two zeros: no key has a zero
    codes[0] = codes[len(norm) + 1] = _SPACE
    codes[1 : len(norm) + 1] = norm
    two = (codes[:-1] << _BITS) | codes[1:]
    three = (two[:-1] << _BITS) | codes[2:]
    return np.concatenate([codes, two, three])


def score(text: str) -> np.ndarray | None:
    """Posterior per language (in ``_model().languages`` order) of a sample of
    ``EVIDENCE_NGRAMS`` n-grams with the text's mean log-likelihood; None for too little text."""
    model = _model()
    if not _ENOUGH_LETTERS.match(text):
        return None
    keys = _ngram_keys(text)
    keys.sort()
    # each distinct n-gram once, with its count: half the lookups and rows of the full list
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    counts = np.diff(np.append(starts, len(keys))).astype(np.float32)
    keys = keys[starts]
    at = np.searchsorted(model.keys, keys)
    at[at == len(model.keys)] = 0
    known = model.keys[at] == keys
    rows, counts = at[known], counts[known]
    if not len(rows):
        return None
    # float32 sums as a matrix product (BLAS): a rounding error far below what decides
    mean = counts @ model.log_prob.take(rows, axis=0) / counts.sum()
    evidence = (mean - mean.max()) * EVIDENCE_NGRAMS
    posterior = np.exp(evidence.astype(np.float64))
    return posterior / posterior.sum()


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


def detect_language(text: str, *, sample_chars: int | None = SAMPLE_CHARS) -> LanguageGuess:
    """Guess the language of ``text`` (boilerplate already removed by the caller)."""
    text = sample_text(text, sample_chars) if sample_chars else text
    if "@" in text or "://" in text or "www." in text:  # the pattern is slow to scan; most text has none
        text = _URLS.sub(" ", text)
    posterior = score(text)
    if posterior is None:
        return LanguageGuess(UNDETERMINED, 0.0)
    best = int(posterior.argmax())
    code = _model().languages[best]
    code = _CODES.get(code, code)
    probability = float(posterior[best])
    if probability < MIN_PROBABILITY:
        return LanguageGuess(UNDETERMINED, 0.0, best_guess=code)
    return LanguageGuess(code, round(probability, 4))
