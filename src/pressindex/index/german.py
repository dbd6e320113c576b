"""Python twins of the Lucene German filters the index uses, for building data files offline.

``normalize`` is ``lowercase`` + ``german_normalization`` + ``asciifolding`` (the order of the
chains in ``mappings/press.json``) and ``light_stem`` is ``GermanLightStemmer``. The stemmer
override rules and the tests' expectations are written in this normalised form, because the
``stemmer_override`` filter sees tokens after folding and before stemming.
"""

from __future__ import annotations

import unicodedata

# asciifolding cases that Unicode decomposition does not cover
_FOLD_SPECIAL = str.maketrans(
    {"ß": "ss", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ŀ": "l"}
)


def german_normalization(token: str) -> str:
    """Lucene ``GermanNormalizationFilter``: ä/ae → a, ö/oe → o, ü/ue → u (not after a vowel or q), ß → ss."""
    out: list[str] = []
    state = (
        "N"  # N: after a consonant; V: after a vowel (or q); U: after a/o/u, where a following e is dropped
    )
    for ch in token:
        if ch in "ao":
            state = "U"
        elif ch == "u":
            state = "U" if state == "N" else "V"
        elif ch == "e":
            if state == "U":
                state = "V"
                continue
            state = "V"
        elif ch in "iqy":
            state = "V"
        elif ch == "ä":
            ch, state = "a", "V"
        elif ch == "ö":
            ch, state = "o", "V"
        elif ch == "ü":
            ch, state = "u", "V"
        elif ch == "ß":
            ch, state = "ss", "N"
        else:
            state = "N"
        out.append(ch)
    return "".join(out)


def ascii_fold(token: str) -> str:
    decomposed = unicodedata.normalize("NFKD", token.translate(_FOLD_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize(token: str) -> str:
    """What ``lowercase → german_normalization → asciifolding`` makes of one token."""
    return ascii_fold(german_normalization(token.lower()))


_S_ENDING = set("bdfghklmnt")


def light_stem(token: str) -> str:
    """Lucene ``GermanLightStemmer`` (Savoy's light stemmer) on an already lowercased token."""
    s = token.translate(str.maketrans("äàáâöòóôïìíîüùúû", "aaaaooooiiiiuuuu"))
    n = len(s)
    # step 1
    if n > 5 and s.endswith("ern"):
        n -= 3
    elif n > 4 and s[n - 2] == "e" and s[n - 1] in "mnrs":
        n -= 2
    elif n > 3 and (s[n - 1] == "e" or (s[n - 1] == "s" and s[n - 2] in _S_ENDING)):
        n -= 1
    s = s[:n]
    # step 2
    if n > 5 and s.endswith("est"):
        n -= 3
    elif n > 4 and ((s[n - 2] == "e" and s[n - 1] in "rn") or (s.endswith("st") and s[n - 3] in _S_ENDING)):
        n -= 2
    return s[:n]
