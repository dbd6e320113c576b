"""Whether two documents tell one story, from their :class:`StoryFeatures` alone.

The similarity is the larger of two measures, each strong where the other is weak:

* the cosine of the weighted stem vectors (``terms``): the same event in other words, a cut or
  extended ending (the tail weighs little), a changed byline;
* the estimated Jaccard overlap of word 3-shingles (``minhash``): the same text with a reworded
  lead or title, where the lead-weighted vector moved most.

For a text that is mostly numbers (a table, a market report) the overlap of its numbers in
context takes over: from a share of ``NUMBERS_FROM`` numbers among the words (the 95th percentile
of 10kGNAD articles: prose with figures stays prose) to full weight at ``NUMBERS_FROM +
NUMBERS_RAMP`` (the sparsest generated table, a weather table, has 0.205).

``DEFAULT_THRESHOLD`` was set on 10kGNAD material only (see ``docs/stories.md``): the 99th
percentile of the similarity over every pair of different 10kGNAD test articles with the same
topic label, so that one such pair in a hundred is joined.
"""

from __future__ import annotations

from pressindex.stories.features import StoryFeatures

DEFAULT_THRESHOLD = 0.14
NUMBERS_FROM, NUMBERS_RAMP = 0.10, 0.10


def term_cosine(a: StoryFeatures, b: StoryFeatures) -> float:
    """Cosine of the two (already L2-normalised, truncated) stem vectors."""
    if len(a.terms) > len(b.terms):
        a, b = b, a
    weights = dict(b.terms)
    return sum(w * weights.get(t, 0.0) for t, w in a.terms)


def shingle_jaccard(a: StoryFeatures, b: StoryFeatures) -> float:
    """MinHash estimate of the Jaccard overlap of the word 3-shingle sets."""
    if not a.minhash or len(a.minhash) != len(b.minhash):
        return 0.0
    return sum(x == y for x, y in zip(a.minhash, b.minhash, strict=False)) / len(a.minhash)


def number_jaccard(a: StoryFeatures, b: StoryFeatures) -> float:
    if not a.numbers and not b.numbers:
        return 1.0
    sa, sb = set(a.numbers), set(b.numbers)
    return len(sa & sb) / len(sa | sb)


def story_similarity(a: StoryFeatures, b: StoryFeatures) -> float:
    """0 (nothing in common) … 1 (the same text); symmetric."""
    text = max(term_cosine(a, b), shingle_jaccard(a, b))
    # in a table the numbers are the news: from 10 % numbers among the words on, their overlap takes over
    numbers = max(0.0, min(1.0, (min(a.number_share, b.number_share) - NUMBERS_FROM) / NUMBERS_RAMP))
    return round(min(1.0, text - numbers * max(0.0, text - number_jaccard(a, b))), 6)


def same_story(a: StoryFeatures, b: StoryFeatures, threshold: float = DEFAULT_THRESHOLD) -> bool:
    return story_similarity(a, b) >= threshold
