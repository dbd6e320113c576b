"""Language identification with langdetect's language profiles, scored exactly.

langdetect classifies by 1- to 3-gram frequencies per language (55 profiles shipped with it).
Its detector estimates the naive-Bayes score by random walks over the text's n-grams: about
3 ms of pure Python per article, and not reproducible unless seeded. Here the same model is
evaluated exactly: the log-probabilities of every profile n-gram are one sparse float32 matrix,
and the compiled ``_ngram_score.sum_log_prob`` walks the text once, counts its n-grams as
integer keys in a hash table of the profile n-grams, and adds each distinct n-gram's row times
its count. That is deterministic by construction and about twenty times cheaper.

The n-grams are langdetect's own: the text is normalised character by character as
``NGram.normalize`` does (a code-point table built from it) after ``normalize_vi``, URLs and
e-mail addresses are dropped, mostly non-Latin text loses its Latin letters, and the n-grams are
those of each word padded with one space on both sides. One rule of langdetect is left out: it
skips n-grams inside runs of capitals ("USA"). The effect on accuracy is measured by
``pressindex evaluate``.

Naive Bayes over thousands of overlapping n-grams is near-certain even for mixed text, so the
probability reported is the posterior of a sample of ``EVIDENCE_NGRAMS`` n-grams with the text's
mean log-likelihood per n-gram (about what one of langdetect's random walks sees before it
stops). Text in one language scores about 1.0; text that mixes languages scores lower, and below
``MIN_PROBABILITY`` it is called undecided. 50 was chosen on the fundus texts: every body and
every 10kGNAD article stays decided (lowest 0.999) while most half-and-half mixtures do not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import langdetect
import numpy as np
import orjson
from langdetect.utils import unicode_block
from langdetect.utils.ngram import NGram

try:
    from pressindex.parse._ngram_score import best_posterior, build_slots, sum_log_prob
except ImportError as exc:  # an install that skipped the build: say how to mend it
    raise ImportError(
        "pressindex's compiled language scorer (pressindex/parse/_ngram_score.c) is not built: "
        "install the project with a C compiler present (./scripts/bootstrap.sh, or `uv sync`)"
    ) from exc

UNDETERMINED = "und"
MIN_LETTERS = 40  # fewer letters than this: too short to decide
MIN_PROBABILITY = 0.80  # a weaker winner means mixed text: undecided
SAMPLE_CHARS = 1000
EVIDENCE_NGRAMS = 50  # the sample size whose posterior is reported (see the module doc)
# langdetect's smoothing: every n-gram adds ALPHA / BASE_FREQ to each language's probability.
ALPHA = 0.5
BASE_FREQ = 10_000
FLOOR = float(np.float32(np.log(ALPHA / BASE_FREQ)))  # the log-probability of an n-gram a profile lacks
# langdetect names two Chinese scripts; the index wants ISO 639-1.
_CODES = {"zh-cn": "zh", "zh-tw": "zh"}
_URLS = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")
_ENOUGH_LETTERS = re.compile(r"(?:[\W\d_]*[^\W\d_]){" + str(MIN_LETTERS) + "}")
_BITS = 21  # a code point fits in 21 bits, so a 3-gram fits in one uint64 key
_VI_MARKS = tuple(NGram.DMARK_CLASS)  # the combining marks normalize_vi folds into letters
# one model entry as _ngram_score.c reads it: float32 log-probability, uint8 language, no padding
_ENTRY = np.dtype([("log_prob", "<f4"), ("lang", "u1")])


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str  # ISO 639-1 code or "und"
    probability: float  # of the winner; 0.0 when undecided
    best_guess: str | None = None  # the winner, kept when undecided


@dataclass(frozen=True)
class _Model:
    """langdetect's profiles, sparse: each n-gram's row lists only the languages whose profile
    has it (about 2 of 55 on average); every other language gets ``FLOOR``."""

    languages: tuple[str, ...]
    keys: np.ndarray  # sorted uint64 n-gram keys, one per row
    row_start: np.ndarray  # uint32 [rows + 1]: row r's entries are row_start[r] .. row_start[r + 1] - 1
    # an entry: its log-probability, log(ALPHA / BASE_FREQ + P(n-gram | language)) as float32, and
    # its language (uint8, index into languages), packed in 5 bytes: a row is read from one place
    # (two arrays cost two cache misses a row, and the model is evicted between two texts)
    entries: np.ndarray
    normalised: np.ndarray  # uint32 [0x10000]: NGram.normalize of every BMP code point
    # open addressing, 16 bytes a slot (key, entries, count: see _ngram_score.c); the counts are
    # sum_log_prob's scratch space, zero between calls
    slots: np.ndarray

    @property
    def entry_lang(self) -> np.ndarray:
        return self.entries["lang"]

    @property
    def entry_log_prob(self) -> np.ndarray:
        return self.entries["log_prob"]


def _keys(grams: list[str], lengths: np.ndarray) -> np.ndarray:
    """The key of every gram: its code points, 21 bits each, the first highest (by length in
    numpy: the profiles hold 184,000 grams)."""
    keys = np.empty(len(grams), dtype=np.uint64)
    for n in (1, 2, 3):
        at = np.flatnonzero(lengths == n)
        text = "".join(grams[i] for i in at).encode("utf-32-le")
        codes = np.frombuffer(text, dtype=np.uint32).reshape(-1, n).astype(np.uint64)
        key: np.ndarray = codes[:, 0]
        for column in range(1, n):
            key = (key << _BITS) | codes[:, column]
        keys[at] = key
    return keys


def _normalise_table() -> np.ndarray:
    """``NGram.normalize`` of every BMP code point (uint32). Asking it 65,536 times costs a
    quarter of a second in every parse process, so only the small blocks it treats character
    by character are asked; blocks it folds into one character are filled as ranges, the CJK
    ideographs from its own map. A test compares every code point with ``NGram.normalize``."""
    blocks = {name: (start, end) for name, start, end in unicode_block._unicode_blocks}
    table = np.arange(0x10000, dtype=np.uint32)
    for name in (
        unicode_block.UNICODE_HIRAGANA,
        unicode_block.UNICODE_KATAKANA,
        unicode_block.UNICODE_BOPOMOFO,
        unicode_block.UNICODE_BOPOMOFO_EXTENDED,
        unicode_block.UNICODE_HANGUL_SYLLABLES,
    ):
        start, end = blocks[name]
        table[start : end + 1] = ord(NGram.normalize(chr(start)))
    start, end = blocks[unicode_block.UNICODE_CJK_UNIFIED_IDEOGRAPHS]
    for ch, folded in NGram.CJK_MAP.items():
        if start <= ord(ch) <= end:
            table[ord(ch)] = ord(folded)
    ranges = [range(0x80)]  # Basic Latin
    ranges += [
        range(blocks[name][0], blocks[name][1] + 1)
        for name in (
            unicode_block.UNICODE_LATIN_1_SUPPLEMENT,
            unicode_block.UNICODE_LATIN_EXTENDED_B,
            unicode_block.UNICODE_GENERAL_PUNCTUATION,
            unicode_block.UNICODE_ARABIC,
            unicode_block.UNICODE_LATIN_EXTENDED_ADDITIONAL,
        )
    ]
    for codes in ranges:
        table[codes.start : codes.stop] = [ord(NGram.normalize(chr(c))) for c in codes]
    return table


@cache
def _model() -> _Model:
    """langdetect's profiles as a sparse matrix; the probabilities are computed as langdetect's
    ``DetectorFactory.add_profile`` computes them (languages in sorted order, not listdir's)."""
    directory = Path(langdetect.__file__).parent / "profiles"
    names, keys, columns, probs = [], [], [], []
    for column, path in enumerate(sorted(p for p in directory.iterdir() if p.is_file())):
        profile = orjson.loads(path.read_bytes())
        grams = [g for g in profile["freq"] if 1 <= len(g) <= 3]
        n_words = np.array(profile["n_words"], dtype=np.float64)
        lengths = np.fromiter(map(len, grams), dtype=np.intp, count=len(grams))
        freq = np.fromiter(map(profile["freq"].__getitem__, grams), dtype=np.float64, count=len(grams))
        names.append(profile["name"])
        keys.append(_keys(grams, lengths))
        columns.append(np.full(len(grams), column, dtype=np.uint8))
        probs.append(freq / n_words[lengths - 1])
    unique, rows = np.unique(np.concatenate(keys), return_inverse=True)  # sorted keys
    columns_, probs_ = np.concatenate(columns), np.concatenate(probs)
    order = np.lexsort((columns_, rows))  # by row, then language
    row_start = np.searchsorted(rows[order], np.arange(len(unique) + 1)).astype(np.uint32)
    entries = np.empty(len(order), dtype=_ENTRY)
    entries["log_prob"] = np.log(ALPHA / BASE_FREQ + probs_[order])
    entries["lang"] = columns_[order]
    normalised = _normalise_table()
    slots = np.zeros(16 << (2 * len(unique) - 1).bit_length(), dtype=np.uint8)  # at most half full
    build_slots(unique, row_start, slots)
    return _Model(tuple(names), unique, row_start, entries, normalised, slots)


def log_prob_sums(text: str) -> tuple[np.ndarray, int]:
    """The sum of the model's rows over the text's profile n-grams (in ``_model().languages``
    order), and how many n-grams that is."""
    model = _model()
    if any(mark in text for mark in _VI_MARKS):
        text = NGram.normalize_vi(text)
    sums, known = sum_log_prob(
        text,
        model.normalised,
        model.slots,
        model.entries,
        FLOOR,
        len(model.languages),
    )
    return np.frombuffer(sums, dtype=np.float64), known


def score(text: str) -> tuple[int, float] | None:
    """The best language (its index in ``_model().languages``) and its posterior for a sample of
    ``EVIDENCE_NGRAMS`` n-grams with the text's mean log-likelihood; None for too little text."""
    if not _ENOUGH_LETTERS.match(text):
        return None
    sums, known = log_prob_sums(text)
    if not known:
        return None
    return best_posterior(sums, known, EVIDENCE_NGRAMS)


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
    scored = score(text)
    if scored is None:
        return LanguageGuess(UNDETERMINED, 0.0)
    best, probability = scored
    code = _model().languages[best]
    code = _CODES.get(code, code)
    if probability < MIN_PROBABILITY:
        return LanguageGuess(UNDETERMINED, 0.0, best_guess=code)
    return LanguageGuess(code, round(probability, 4))
