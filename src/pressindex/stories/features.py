"""Per-document story features: LSH band keys for candidate lookup and a compact fingerprint.

Two signals, each for one kind of "same story":

* **Near-duplicates** (the same text with edits): a MinHash of the word 3-shingles, 64 values.
  21 bands of 3 values become keys ``m<band>:<hash>``; two texts whose shingle sets overlap by
  Jaccard 0.5 share a key with probability 1 - (1 - 0.5**3)**21 = 0.94, by 0.2 with 0.15.
* **The same event in other words**: the document's 64 heaviest word stems, weighted by
  frequency in the text, by position (the title counts twice; body words fade with
  ``exp(-position / 80)``, since news puts the event in the lead) and by rarity in general German
  (:mod:`pressindex.stories.stem_weights`). Pairs of the 10 heaviest rare terms (no numbers)
  become keys ``t:<hash>``: two reports of one event share two of them.

Pure: no I/O. Every hash is ``zlib.crc32`` of UTF-8 bytes, never Python's ``hash()`` (salted per
process), so band keys are the same in every process and on every night. Linear in the text.
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass

import numpy as np

from pressindex.stories.stem_weights import stem, stem_weight

FEATURES_VERSION = 2
NUM_PERM = 64
SHINGLE = 3  # words per shingle (the hash below folds exactly three)
BANDS, ROWS = 21, 3  # 63 of the 64 MinHash values form the LSH bands
TOP_TERMS = 64
PAIR_TERMS = 10  # the heaviest rare terms whose pairs are topic keys (up to 45 keys)
PAIR_MIN_WEIGHT = math.sqrt(8)  # rare: stems below e**-8 (3 in 10,000 words) of general German
TITLE_WEIGHT = 2.0
LEAD_WORDS = 80.0  # body word i counts exp(-i / LEAD_WORDS)
_MAX_POSITION = 800  # beyond 10 lead lengths a word counts < 0.00005: not counted at all

# multiply-shift hashing (Dietzfelbinger): (a * x + b) mod 2**64, high 32 bits; odd a
_rng = np.random.default_rng(20240521)
_A = _rng.integers(1, 2**63, NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64)
_EMPTY = tuple([2**32 - 1] * NUM_PERM)
_POSITION = [math.exp(-i / LEAD_WORDS) for i in range(_MAX_POSITION)]
_WORD = re.compile(r"[^\W_]+")
MAX_NUMBERS = 48


@dataclass(frozen=True, slots=True)
class StoryFeatures:
    """What a document contributes to story clustering.

    ``band_keys`` go into the keyword field ``story_bands``: a candidate shares at least one key.
    ``minhash`` estimates the Jaccard overlap of word 3-shingles; ``terms`` are the heaviest stems
    with L2-normalised weights, heaviest first.
    """

    band_keys: tuple[str, ...]
    minhash: tuple[int, ...]
    terms: tuple[tuple[str, float], ...]
    numbers: tuple[str, ...] = ()  # distinct "word number word" triples in text order, at most MAX_NUMBERS
    number_share: float = 0.0  # numbers among all tokens: high in tables and market reports
    version: int = FEATURES_VERSION

    def to_source(self) -> dict:
        """JSON-serialisable form for ``story_features`` (about 1.5 KB; the keys go to ``story_bands``)."""
        return {"v": self.version, "mh": list(self.minhash), "terms": dict(self.terms), "num": list(self.numbers),
                "nshare": self.number_share}  # fmt: skip

    @classmethod
    def from_source(cls, source: dict) -> StoryFeatures:
        """Inverse of :meth:`to_source`; the band keys are derived again from the fingerprint."""
        terms = tuple(sorted(((t, float(w)) for t, w in source.get("terms", {}).items()), key=_heaviest_first))
        minhash = tuple(int(x) for x in source.get("mh", ()))
        return cls(band_keys=band_keys(minhash, terms), minhash=minhash, terms=terms,
                   numbers=tuple(source.get("num", ())), number_share=float(source.get("nshare", 0.0)),
                   version=int(source.get("v", FEATURES_VERSION)))  # fmt: skip


def _crc(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def _minhash(tokens: list[str]) -> tuple[int, ...]:
    if not tokens:
        return _EMPTY
    word = np.fromiter(map(_crc, tokens), dtype=np.uint64, count=len(tokens))
    if len(word) < SHINGLE:
        word = np.concatenate([word, np.zeros(SHINGLE - len(word), dtype=np.uint64)])
    n = len(word) - SHINGLE + 1
    # the three 32-bit word hashes of a shingle folded into 64 bits, then mixed (Fibonacci hashing)
    shingles = (word[:n] << np.uint64(32)) ^ (word[1 : n + 1] << np.uint64(16)) ^ word[2 : n + 2]
    shingles *= np.uint64(0x9E3779B97F4A7C15)
    lowest = (np.multiply.outer(_A, shingles) + _B[:, None]).min(axis=1)
    return tuple((lowest >> np.uint64(32)).tolist())


def _terms(title_tokens: list[str], body_tokens: list[str]) -> tuple[tuple[str, float], ...]:
    tf: dict[str, float] = {}
    for s in map(stem, title_tokens):
        tf[s] = tf.get(s, 0.0) + TITLE_WEIGHT
    for s, w in zip(map(stem, body_tokens[:_MAX_POSITION]), _POSITION):
        tf[s] = tf.get(s, 0.0) + w
    scored = sorted(((math.log1p(c) * stem_weight(s), s) for s, c in tf.items()), reverse=True)[:TOP_TERMS]
    norm = math.sqrt(sum(w * w for w, _ in scored)) or 1.0
    return tuple(sorted(((s, round(w / norm, 4)) for w, s in scored), key=_heaviest_first))


def _heaviest_first(term: tuple[str, float]) -> tuple[float, str]:
    return -term[1], term[0]


def band_keys(minhash: tuple[int, ...], terms: tuple[tuple[str, float], ...]) -> tuple[str, ...]:
    """The LSH keys of a fingerprint: MinHash bands, then pairs of the heaviest terms."""
    keys = []
    if minhash and minhash != _EMPTY:
        mh = np.asarray(minhash, dtype=np.uint32)
        keys = [f"m{i}:{zlib.crc32(mh[i * ROWS : (i + 1) * ROWS].tobytes()):08x}" for i in range(BANDS)]
    top = sorted([t for t, _ in terms if stem_weight(t) >= PAIR_MIN_WEIGHT and not t.isdigit()][:PAIR_TERMS])
    keys += [f"t:{_crc(a + ' ' + b):08x}" for i, a in enumerate(top) for b in top[i + 1 :]]
    return tuple(keys)


def story_features(title: str, body: str, language: str) -> StoryFeatures:
    """Features of one document (``language`` is reserved: the weights are German's for now)."""
    title_tokens = _WORD.findall(title.lower())
    body_tokens = _WORD.findall(body.lower())
    minhash = _minhash(title_tokens + body_tokens)
    terms = _terms(title_tokens, body_tokens)
    numbers, share = _numbers(title_tokens + body_tokens)
    return StoryFeatures(band_keys=band_keys(minhash, terms), minhash=minhash, terms=terms, numbers=numbers,
                         number_share=share)  # fmt: skip


def _numbers(tokens: list[str]) -> tuple[tuple[str, ...], float]:
    """Each number with the words around it ("in wien 12 grad"): a table re-sent with other numbers
    shares few of these, a copy nearly all; and the share of numbers among the tokens."""
    padded = ["^", *tokens, "$"]
    pairs = [f"{padded[i]} {t} {padded[i + 2]}" for i, t in enumerate(tokens) if t[0].isdigit()]
    return tuple(dict.fromkeys(pairs))[:MAX_NUMBERS], round(len(pairs) / max(1, len(tokens)), 3)
