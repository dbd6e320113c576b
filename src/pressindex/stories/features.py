"""Per-document story features: MinHash band keys for candidate lookup and a compact fingerprint.

Pure: no I/O. Every hash is ``zlib.crc32`` of UTF-8 bytes, never Python's ``hash()`` (salted per
process), so band keys are the same in every process and on every night.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np

FEATURES_VERSION = 1
NUM_PERM = 64
SHINGLE = 3  # words per shingle
BANDS, ROWS = 21, 3  # 63 of the 64 MinHash values form the LSH bands
TOP_TERMS = 24
PAIR_TERMS = 6  # the top terms whose pairs are topic band keys

_PRIME = 4294967291  # largest prime below 2**32: (a * x + b) fits in uint64
_rng = np.random.default_rng(20240521)
_A = _rng.integers(1, _PRIME, NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, NUM_PERM, dtype=np.uint64)
_WORD = re.compile(r"[^\W_]+")
_STOP = frozenset(
    """aber alle allem allen aller alles als also am an andere anderen auch auf aus bei beim bereits bis
    bisher da dabei damit dann das dass dem den denen der deren des dessen die dies diese diesem diesen
    dieser dieses doch dort du durch ein eine einem einen einer eines er es etwa etwas für gab gegen
    gibt habe haben hat hatte hatten heute hier ich ihm ihn ihr ihre ihrem ihren ihrer im immer in ins
    ist ja jahr jahre jahren jedoch jetzt kann kein keine können könnte man mehr mit muss nach nicht noch
    nun nur ob oder ohne schon sei seien sein seine seinem seinen seiner seit sich sie sind so soll
    sollen sollte sowie über um und uns unter vom von vor war waren was weil weiter wenn werde werden wie
    wieder will wir wird wurde wurden zu zum zur zwei zwischen sagte sagt laut mehr als neue neuen
    the a an and or of to in on at for with by from is are was were be been has have had it its that this
    as not but he she they his her their said""".split()
)


@dataclass(frozen=True, slots=True)
class StoryFeatures:
    """What a document contributes to story clustering.

    ``band_keys`` go into the keyword field ``story_bands``: a candidate shares at least one key.
    ``minhash`` estimates the Jaccard overlap of word shingles (near-duplicates); ``terms`` are the
    document's heaviest content words with weights (same event told in other words).
    """

    band_keys: tuple[str, ...]
    minhash: tuple[int, ...]
    terms: tuple[tuple[str, float], ...]
    version: int = FEATURES_VERSION

    def to_source(self) -> dict:
        """JSON-serialisable form stored under ``story_features`` (the band keys go to ``story_bands``)."""
        return {"v": self.version, "mh": list(self.minhash), "terms": dict(self.terms)}

    @classmethod
    def from_source(cls, source: dict) -> StoryFeatures:
        """Inverse of :meth:`to_source`; the band keys are derived again from the fingerprint."""
        terms = tuple(sorted(((t, float(w)) for t, w in source.get("terms", {}).items()), key=lambda tw: (-tw[1], tw[0])))
        minhash = tuple(int(x) for x in source.get("mh", ()))
        return cls(band_keys=_band_keys(minhash, terms), minhash=minhash, terms=terms,
                   version=int(source.get("v", FEATURES_VERSION)))  # fmt: skip


def _crc(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def _minhash(tokens: list[str]) -> np.ndarray:
    if not tokens:
        return np.full(NUM_PERM, _PRIME, dtype=np.uint64)
    word = np.fromiter((_crc(t) for t in tokens), dtype=np.uint64, count=len(tokens))
    if len(word) >= SHINGLE:  # combine neighbouring word hashes into shingle hashes
        sh = word[: len(word) - SHINGLE + 1].copy()
        for k in range(1, SHINGLE):
            sh = (sh * np.uint64(31) + word[k : len(word) - SHINGLE + 1 + k]) % np.uint64(_PRIME)
    else:
        sh = word % np.uint64(_PRIME)
    sh = np.unique(sh)
    return ((np.outer(sh, _A) + _B) % np.uint64(_PRIME)).min(axis=0)


def _terms(title_tokens: list[str], body_tokens: list[str]) -> list[tuple[str, float]]:
    counts: dict[str, float] = {}
    for tokens, weight in ((title_tokens, 2.0), (body_tokens, 1.0)):
        for t in tokens:
            if len(t) > 2 and t not in _STOP and not t.isdigit():
                counts[t] = counts.get(t, 0.0) + weight
    # longer words are rarer (German compounds): length stands in for IDF
    scored = [(t, (1.0 + np.log(c)) * min(len(t), 12) / 12) for t, c in counts.items()]
    scored.sort(key=lambda tw: (-tw[1], tw[0]))
    top = scored[:TOP_TERMS]
    norm = float(np.sqrt(sum(w * w for _, w in top))) or 1.0
    return [(t, round(float(w) / norm, 4)) for t, w in top]


def _band_keys(minhash: tuple[int, ...], terms: tuple[tuple[str, float], ...]) -> tuple[str, ...]:
    mh = np.asarray(minhash, dtype=np.uint64)
    keys = [f"m{i}:{zlib.crc32(mh[i * ROWS : (i + 1) * ROWS].tobytes()):08x}" for i in range(BANDS)] if len(mh) else []
    top = sorted(t for t, _ in terms[:PAIR_TERMS])
    keys += [f"t:{_crc(a + ' ' + b):08x}" for i, a in enumerate(top) for b in top[i + 1 :]]
    return tuple(keys)


def story_features(title: str, body: str, language: str) -> StoryFeatures:
    """Features of one document; linear in the text's length."""
    title_tokens = _WORD.findall(title.lower())
    body_tokens = _WORD.findall(body.lower())
    minhash = tuple(int(x) for x in _minhash(title_tokens + body_tokens))
    terms = tuple(_terms(title_tokens, body_tokens))
    return StoryFeatures(band_keys=_band_keys(minhash, terms), minhash=minhash, terms=terms)
