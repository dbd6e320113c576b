"""Whether two documents tell one story, from their :class:`StoryFeatures` alone."""

from __future__ import annotations

import math

from pressindex.stories.features import StoryFeatures

DEFAULT_THRESHOLD = 0.5


def _jaccard(a: StoryFeatures, b: StoryFeatures) -> float:
    if not a.minhash or len(a.minhash) != len(b.minhash):
        return 0.0
    return sum(x == y for x, y in zip(a.minhash, b.minhash)) / len(a.minhash)


def _cosine(a: StoryFeatures, b: StoryFeatures) -> float:
    wb = dict(b.terms)
    return sum(w * wb.get(t, 0.0) for t, w in a.terms)


def story_similarity(a: StoryFeatures, b: StoryFeatures) -> float:
    """0 (nothing in common) … 1 (same text)."""
    return max(0.0, min(1.0, max(math.sqrt(_jaccard(a, b)), _cosine(a, b))))


def same_story(a: StoryFeatures, b: StoryFeatures, threshold: float = DEFAULT_THRESHOLD) -> bool:
    return story_similarity(a, b) >= threshold
