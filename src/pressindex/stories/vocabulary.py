"""A text as a vector of token numbers, each distinct token looked at once per process.

A token is what ``[^\\W_]+`` finds in the lowercased text (a run of letters and digits), as the
story features have always read it. :class:`Vocabulary` numbers the tokens it has seen and keeps,
per token, what the features need of it: the crc32 of its UTF-8 bytes (MinHash), its stem and
the stem's weight, whether it is a number, how its stem ranks for topic keys. A document then costs a few
numpy passes over its bytes, not a regex match, a str object and a dictionary lookup per word.

**The byte path.** The text's UTF-8 bytes are classified in numpy: ASCII letters and digits and
every multi-byte character are word bytes, except characters led by ``C2`` or ``E2`` (U+0080–
U+00BF and U+2000–U+2FFF: no-break space, soft hyphen, guillemets, dashes, typographic quotes).
Each run of word bytes gets a 64-bit polynomial hash of its bytes (prefix sums, so one pass for
all runs), looked up in an open-addressing table held in numpy arrays (the first slots are
probed for all runs at once, a longer probe and every new key in Python). The
first time a key is seen its bytes are decoded, lowercased and checked to be exactly one
``[^\\W_]+`` token. Where the byte rule and the regex could disagree (a ``C2``/``E2`` character
that is a letter or digit, such as ``²`` or ``Ⅳ``; a run that is not one token, such as one with
``×`` or a combining accent inside; a capital sigma, which lowercases by its context), or for a
text over 64 KB, the text is read by the regex instead, so both paths give the same tokens. The
hash is never stored, and two runs sharing one (odds about 1 in 10**9 over a full vocabulary)
would be read as the first one seen.

Bounded: with ``limit`` tokens or keys the vocabulary starts again empty (word counts are Zipfian,
so the few thousand most common tokens make up nearly every text). Pure: no I/O.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

from pressindex.stories.stem_weights import stem, stem_weight, topic_rank_factor

WORD = re.compile(r"[^\W_]+")
IRREGULAR = 0  # the token number of a run the byte path cannot read alone
MAX_TEXT_BYTES = 1 << 16  # longer texts are read by the regex
TABLE_BITS = 19  # 512 Ki slots (8 MB): at most a quarter used (limit 2**17 keys)
VECTOR_PROBES = 4  # slots probed for all runs at once; a longer probe is done in Python

_WORD_BYTE = np.zeros(256, dtype=bool)
for _lo, _hi in ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A), (0x80, 0xBF), (0xC3, 0xE1), (0xE3, 0xF4)):
    _WORD_BYTE[_lo : _hi + 1] = True
# does a character led by C2 (U+0080 + low 6 bits) or E2 (U+2000 + 12 bits) belong in a token?
_C2_IS_WORD = np.array([WORD.fullmatch(chr(0x80 + i).lower()) is not None for i in range(64)])
_E2_IS_WORD = np.array([WORD.fullmatch(chr(0x2000 + i).lower()) is not None for i in range(4096)])
# polynomial hashing mod 2**64 with an odd base: byte k of the text weighs BASE**k; a run's sum
# times BASE**-start is the same wherever the run stands
_BASE = 0x9E3779B97F4A7C15
_POWER = np.multiply.accumulate(np.full(MAX_TEXT_BYTES, _BASE, dtype=np.uint64))
_POWER = np.concatenate([np.ones(1, dtype=np.uint64), _POWER[:-1]])
_INVERSE = np.multiply.accumulate(np.full(MAX_TEXT_BYTES, pow(_BASE, -1, 2**64), dtype=np.uint64))
_INVERSE = np.concatenate([np.ones(1, dtype=np.uint64), _INVERSE[:-1]])
_MIX = np.uint64(0xBF58476D1CE4E5B9)
_SLOT_SHIFT = np.uint64(64 - TABLE_BITS)
_SLOT_MASK = (1 << TABLE_BITS) - 1
_LEAD_C2_E2 = np.zeros(256, dtype=bool)
_LEAD_C2_E2[[0xC2, 0xE2]] = True


class Vocabulary:
    """Token numbers and, per number, the token's text, crc32, stem, number flag; per stem its
    text, weight and topic rank factor. Number 0 is :data:`IRREGULAR`."""

    def __init__(self, limit: int = 1 << 17) -> None:
        self.limit = min(limit, 1 << (TABLE_BITS - 2))  # keep the table at most a quarter full
        self.slot_key = np.zeros(1 << TABLE_BITS, dtype=np.uint64)  # 0: empty
        self.slot_token = np.zeros(1 << TABLE_BITS, dtype=np.int32)
        self.token_hash = np.zeros(0, dtype=np.uint64)
        self.token_stem = np.zeros(0, dtype=np.int32)
        self.token_is_number = np.zeros(0, dtype=bool)
        self.stem_weight = np.zeros(0, dtype=np.float64)
        self.stem_topic_factor = np.zeros(0, dtype=np.float64)  # stem_weights.topic_rank_factor
        self.clear()

    def clear(self) -> None:
        self.slot_key[:] = 0
        self.keys = 0
        self.by_text: dict[str, int] = {}
        self.token_text: list[str] = [""]  # number 0: IRREGULAR
        self.stems: dict[str, int] = {}
        self.stem_text: list[str] = []

    def read(self, title: str, body: str) -> tuple[np.ndarray, int]:
        """The token numbers of title and body, and how many of them are the title's."""
        if len(self.token_text) > self.limit or self.keys > self.limit:
            self.clear()
        head, rest = title.encode("utf-8"), body.encode("utf-8")
        found = self._read_bytes(head, rest) if len(head) + len(rest) + 3 <= MAX_TEXT_BYTES else None
        if found is not None:
            return found
        tokens = WORD.findall(title.lower())
        return self.numbers(tokens + WORD.findall(body.lower())), len(tokens)

    def numbers(self, tokens: list[str]) -> np.ndarray:
        """The token numbers of lowercased ``tokens`` (new ones are added)."""
        ids = list(map(self.by_text.get, tokens))
        if None in ids:
            ids = [self._add(t) if i is None else i for t, i in zip(tokens, ids, strict=False)]
        return np.array(ids, dtype=np.intp)

    def _read_bytes(self, title: bytes, body: bytes) -> tuple[np.ndarray, int] | None:
        """The byte path (see the module); None where the regex must read the text."""
        data = np.frombuffer(b"\n" + title + b"\n" + body + b"\n", dtype=np.uint8)  # every run inside
        word = _WORD_BYTE[data]
        led = np.flatnonzero(_LEAD_C2_E2[data])
        if len(led):
            c2, e2 = led[data[led] == 0xC2], led[data[led] == 0xE2]
            mid, low = data[e2 + 1].astype(np.intp) & 0x3F, data[e2 + 2] & 0x3F
            if _C2_IS_WORD[data[c2 + 1] & 0x3F].any() or _E2_IS_WORD[(mid << 6) | low].any():
                return None
            word[led + 1] = False
            word[e2 + 2] = False
        change = np.flatnonzero(word[1:] != word[:-1]) + 1
        starts, ends = change[0::2], change[1::2]
        prefix = np.cumsum(data * _POWER[: len(data)])
        keys = (prefix[ends - 1] - prefix[starts - 1]) * _INVERSE[starts]
        keys ^= keys >> np.uint64(29)
        keys *= _MIX
        keys ^= keys >> np.uint64(32)
        keys |= np.uint64(1)  # 0 marks an empty slot
        ids = self._look_up(keys)
        for j in np.flatnonzero(ids < 0).tolist():  # further than VECTOR_PROBES slots, or new
            ids[j] = self._find_or_add(int(keys[j]), data[starts[j] : ends[j]].tobytes())
        if not ids.all():  # an IRREGULAR run
            return None
        return ids, int(np.searchsorted(starts, len(title) + 1))

    def _look_up(self, keys: np.ndarray) -> np.ndarray:
        """Token numbers of keys found within VECTOR_PROBES slots, -1 for the others."""
        slot = (keys >> _SLOT_SHIFT).astype(np.intp)
        ids = self.slot_token[slot]
        pending = np.flatnonzero(self.slot_key[slot] != keys)
        ids[pending] = -1
        for step in range(1, VECTOR_PROBES):
            if not len(pending):
                break
            at = (slot[pending] + step) & _SLOT_MASK
            found = self.slot_key[at]
            hit = found == keys[pending]
            ids[pending[hit]] = self.slot_token[at[hit]]
            pending = pending[~hit & (found != 0)]  # an empty slot: the key is new
        return ids

    def _find_or_add(self, key: int, run: bytes) -> int:
        slot = key >> (64 - TABLE_BITS)
        while (taken := int(self.slot_key[slot])) and taken != key:
            slot = (slot + 1) & _SLOT_MASK
        if taken:
            return int(self.slot_token[slot])
        text = run.decode("utf-8")
        # a capital sigma lowercases by its context in the whole text (final ς or σ): the regex decides
        text = "" if "\u03a3" in text else text.lower()
        token = self._add(text) if WORD.fullmatch(text) else IRREGULAR
        self.slot_key[slot], self.slot_token[slot] = key, token
        self.keys += 1
        return token

    def _add(self, token: str) -> int:
        found = self.by_text.get(token)  # seen in another case, or twice in one text
        if found is not None:
            return found
        i = self.by_text[token] = len(self.token_text)
        self.token_text.append(token)
        if i >= len(self.token_hash):
            self._grow()
        key = stem(token)
        s = self.stems.get(key)
        if s is None:
            s = self.stems[key] = len(self.stem_text)
            self.stem_text.append(key)
            self.stem_weight[s] = stem_weight(key)
            self.stem_topic_factor[s] = topic_rank_factor(key)
        self.token_hash[i] = zlib.crc32(token.encode("utf-8"))
        self.token_stem[i] = s
        self.token_is_number[i] = token[0].isdigit()
        return i

    def _grow(self) -> None:
        size = max(1024, 2 * len(self.token_hash))  # stems are never more than tokens
        for name in ("token_hash", "token_stem", "token_is_number", "stem_weight", "stem_topic_factor"):
            old = getattr(self, name)
            new = np.zeros(size, dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)
