"""Per-document story features: LSH band keys for candidate lookup and a compact fingerprint.

Two signals, each for one kind of "same story":

* **Near-duplicates** (the same text with edits): a MinHash of the word 3-shingles, 64 values.
  21 bands of 3 values become keys ``m<band>:<hash>``; two texts whose shingle sets overlap by
  Jaccard 0.5 share a key with probability 1 - (1 - 0.5**3)**21 = 0.94, by 0.2 with 0.15.
* **The same event in other words**: the document's 64 heaviest word stems, weighted by
  frequency in the text, by position (the title counts twice; body words fade with
  ``exp(-position / 80)``, since news puts the event in the lead) and by rarity in general German
  (:mod:`pressindex.stories.stem_weights`). Pairs of the 10 rare terms (no numbers) that rank
  highest (:func:`~pressindex.stories.stem_weights.topic_rank_factor`) become keys ``t:<hash>``:
  two reports of one event share two of them.

Pure: no I/O. Every hash is ``zlib.crc32`` of UTF-8 bytes, never Python's ``hash()`` (salted per
process), so band keys are the same in every process and on every night. Linear in the text.

Cost: each distinct token is looked at once per process (its crc32, stem and weight, in a
:class:`~pressindex.stories.vocabulary.Vocabulary`); a document is then a vector of token numbers,
and the MinHash, the term weights and the number positions are numpy operations over it, not a
Python loop per word.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np

from pressindex.stories.stem_weights import legacy_weight, stem_weight, topic_rank_factor
from pressindex.stories.vocabulary import Vocabulary

# 3: term weights from the Poisson IDF (stem_weights); 2 stored sqrt(-ln f) weights, converted on reading
FEATURES_VERSION = 3
NUM_PERM = 64
SHINGLE = 3  # words per shingle (the hash below folds exactly three)
BANDS, ROWS = 21, 3  # 63 of the 64 MinHash values form the LSH bands
TOP_TERMS = 64
PAIR_TERMS = 10  # the highest-ranking rare terms, whose pairs are topic keys (up to 45 keys)
TITLE_WEIGHT = 2.0
LEAD_WORDS = 80.0  # body word i counts exp(-i / LEAD_WORDS)
_MAX_POSITION = 800  # beyond 10 lead lengths a word counts < 0.00005: not counted at all
MAX_NUMBERS = 48

# multiply-shift hashing (Dietzfelbinger): (a * x + b) mod 2**64, high 32 bits; odd a
_rng = np.random.default_rng(20240521)
_A = _rng.integers(1, 2**63, NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64)
_EMPTY = tuple([2**32 - 1] * NUM_PERM)
_POSITION = np.exp(-np.arange(_MAX_POSITION) / LEAD_WORDS)
_MAX_TITLE = 64  # a title of up to 64 tokens takes its weights from one array
_TITLE_THEN_POSITION = np.concatenate([np.full(_MAX_TITLE, TITLE_WEIGHT), _POSITION])

Terms = tuple[tuple[str, float], ...]


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
    def from_source(cls, source: dict, *, keys: bool = True, ordered: bool = False) -> StoryFeatures:
        """Inverse of :meth:`to_source`; the band keys are derived again from the fingerprint
        (``keys=False``: left empty, for a comparison only, which they would cost a third more).
        ``ordered``: the terms are known to be stored heaviest first, as :meth:`to_source` of this
        version writes them (a run's own documents, spooled): not sorted again.

        An older shape (``v`` < 3: other term weights) is converted to the current one, so
        documents stored before a change compare with new ones on one scale."""
        if ordered and source.get("v") == FEATURES_VERSION:
            terms = tuple(source["terms"].items())
        else:  # heaviest first, equal weights by name: (-weight, name) pairs sort so without a key function
            by_weight = sorted([(-float(w), t) for t, w in source.get("terms", {}).items()])
            terms = tuple([(t, -w) for w, t in by_weight])
        if int(source.get("v", 1)) < FEATURES_VERSION:
            terms = _reweighted(terms)
        minhash = tuple(map(int, source.get("mh", ())))
        return cls(band_keys=band_keys(minhash, terms) if keys else (), minhash=minhash, terms=terms,
                   numbers=tuple(source.get("num", ())), number_share=float(source.get("nshare", 0.0)))  # fmt: skip


def _reweighted(terms: Terms) -> Terms:
    """Version-2 weights (``log1p(tf) * legacy_weight``, normalised) to the current ones."""
    scored = [(s, w / legacy_weight(s) * stem_weight(s)) for s, w in terms]
    norm = math.sqrt(sum(w * w for _, w in scored)) or 1.0
    ordered = sorted((-round(w / norm, 4), s) for s, w in scored)
    return tuple((s, -w) for w, s in ordered if w < 0.0)


_VOCABULARY = Vocabulary()


def _minhash(word_hashes: np.ndarray) -> np.ndarray:
    """The 64 MinHash values (as uint64 below 2**32) of the word 3-shingles."""
    if len(word_hashes) < SHINGLE:
        word_hashes = np.concatenate([word_hashes, np.zeros(SHINGLE - len(word_hashes), dtype=np.uint64)])
    n = len(word_hashes) - SHINGLE + 1
    # the three 32-bit word hashes of a shingle folded into 64 bits, then mixed (Fibonacci hashing)
    shingles = (
        (word_hashes[:n] << np.uint64(32)) ^ (word_hashes[1 : n + 1] << np.uint64(16)) ^ word_hashes[2:]
    )
    shingles *= np.uint64(0x9E3779B97F4A7C15)
    permuted = np.multiply.outer(_A, shingles)
    permuted += _B[:, None]
    return permuted.min(axis=1) >> np.uint64(32)


def _terms(vocabulary: Vocabulary, ids: np.ndarray, title_length: int) -> tuple[Terms, list[str]]:
    """The TOP_TERMS heaviest stems (``log1p(tf) * stem_weight``, tf weighted by position), and
    the ones that form topic keys, in their order (as :func:`band_keys` finds them)."""
    n = min(len(ids), title_length + _MAX_POSITION)
    if title_length <= _MAX_TITLE:
        position = _TITLE_THEN_POSITION[_MAX_TITLE - title_length : _MAX_TITLE - title_length + n]
    else:
        position = np.concatenate([np.full(title_length, TITLE_WEIGHT), _POSITION[: n - title_length]])
    token_stems = vocabulary.token_stem[ids[:n]]
    order = token_stems.argsort()
    grouped = token_stems[order]
    first = np.flatnonzero(np.concatenate(([True], grouped[1:] != grouped[:-1])))
    stems = grouped[first]
    score = np.log1p(np.add.reduceat(position[order], first)) * vocabulary.stem_weight[stems]
    if len(score) > TOP_TERMS:
        keep = np.flatnonzero(score >= np.partition(score, -TOP_TERMS)[-TOP_TERMS])
        stems, score = stems[keep], score[keep]
    text = vocabulary.stem_text
    names = [text[s] for s in stems.tolist()]
    factors = vocabulary.stem_topic_factor[stems].tolist()
    if len(names) > TOP_TERMS:  # ties at the cut: the first names win, as in every process
        cut = sorted(zip(names, score.tolist(), factors, strict=True), key=lambda t: (-t[1], t[0]))[
            :TOP_TERMS
        ]
        names, factors = [t[0] for t in cut], [t[2] for t in cut]
        score = np.array([t[1] for t in cut])
    norm = math.sqrt(float(score @ score)) or 1.0
    # one C-level sort of (-weight, name, factor) triples: heaviest first, equal weights by name
    ordered = [
        t
        for t in sorted(zip((-np.round(score / norm, 4)).tolist(), names, factors, strict=True))
        if t[0] < 0.0
    ]
    topic = _topic_order([(name, -w, f) for w, name, f in ordered if f])
    return tuple([(name, -w) for w, name, _ in ordered]), topic


def _numbers(vocabulary: Vocabulary, ids: np.ndarray) -> tuple[tuple[str, ...], float]:
    """Each number with the words around it ("in wien 12 grad"): a table re-sent with other numbers
    shares few of these, a copy nearly all; and the share of numbers among the tokens."""
    at = np.flatnonzero(vocabulary.token_is_number[ids]).tolist()
    if not at:
        return (), 0.0
    text, token, last = vocabulary.token_text, ids.tolist(), len(ids) - 1
    triples = [f"{text[token[i - 1]] if i else '^'} {text[token[i]]} {text[token[i + 1]] if i < last else '$'}"
               for i in at]  # fmt: skip
    return tuple(dict.fromkeys(triples))[:MAX_NUMBERS], round(len(at) / len(token), 3)


def band_keys(minhash: tuple[int, ...] | np.ndarray, terms: Terms) -> tuple[str, ...]:
    """The LSH keys of a fingerprint: MinHash bands, then pairs of the highest-ranking rare terms."""
    topic = _topic_order([(t, w, f) for t, w in terms if (f := topic_rank_factor(t))])
    return _minhash_keys(minhash) + _topic_keys(topic)


def _minhash_keys(minhash: tuple[int, ...] | np.ndarray) -> tuple[str, ...]:
    values = np.asarray(minhash, dtype=np.uint32)
    if len(values) < BANDS * ROWS or (values == _EMPTY[0]).all():  # no bands for a text without words
        return ()
    packed, width = values.tobytes(), 4 * ROWS
    return tuple([f"m{i}:{zlib.crc32(packed[i * width : (i + 1) * width]):08x}" for i in range(BANDS)])


def _topic_order(candidates: list[tuple[str, float, float]]) -> list[str]:
    """(term, weight, topic rank factor) of the terms that may form topic keys → the terms, highest
    rank first (equal ranks by name)."""
    return [name for _, name in sorted([(-w * f, name) for name, w, f in candidates])]


def _topic_keys(ranked: list[str]) -> tuple[str, ...]:
    top = sorted(ranked[:PAIR_TERMS])
    return tuple(
        [f"t:{zlib.crc32(f'{a} {b}'.encode()):08x}" for i, a in enumerate(top) for b in top[i + 1 :]]
    )


def story_features(title: str, body: str, language: str) -> StoryFeatures:
    """Features of one document (``language`` is reserved: the weights are German's for now)."""
    vocabulary = _VOCABULARY
    ids, title_length = vocabulary.read(title, body)
    if not len(ids):
        return StoryFeatures(band_keys=(), minhash=_EMPTY, terms=())
    minhash = _minhash(vocabulary.token_hash[ids])
    terms, topic = _terms(vocabulary, ids, title_length)
    numbers, share = _numbers(vocabulary, ids)
    return StoryFeatures(band_keys=_minhash_keys(minhash) + _topic_keys(topic), minhash=tuple(minhash.tolist()),
                         terms=terms, numbers=numbers, number_share=share)  # fmt: skip
