"""The rule that decides which story a document joins and which stories merge
(:mod:`pressindex.stories.linkage`), on fingerprints made by hand: their similarity is the cosine
of the term weights given here (no MinHash), so each case says exactly which pairs match."""

from __future__ import annotations

import math

from pressindex.stories.features import StoryFeatures
from pressindex.stories.linkage import MERGE_THRESHOLD, LinkCandidate, StoryLinkage
from pressindex.stories.similarity import story_similarity

THRESHOLD = 0.14


def _fingerprint(**weights: float) -> StoryFeatures:
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return StoryFeatures(band_keys=(), minhash=(), terms=tuple((t, w / norm) for t, w in weights.items()))


def _decide_in_order(docs: dict[str, StoryFeatures], dpa: dict[str, str] | None = None) -> dict[str, str]:
    """Every document in the given order, each with all the earlier ones as candidates (as if every
    pair shared a key), latest first; the story of each at the end."""
    linkage, decided, dpa = StoryLinkage(THRESHOLD), {}, dpa or {}
    for doc, features in docs.items():
        candidates = [LinkCandidate(d, decided[d], dpa.get(d), existing=False) for d in reversed(decided)]
        decided[doc] = linkage.decide(
            doc, features, dpa.get(doc), f"story-{doc}", candidates, docs.__getitem__
        )
    return {doc: linkage.merges.find(story) for doc, story in decided.items()}


def test_a_document_like_a_member_but_not_like_the_first_document_starts_its_own_story() -> None:
    docs = {"a": _fingerprint(x=1.0), "b": _fingerprint(x=0.6, y=0.8), "c": _fingerprint(y=1.0)}
    assert story_similarity(docs["b"], docs["c"]) >= THRESHOLD > story_similarity(docs["a"], docs["c"])
    assert _decide_in_order(docs) == {"a": "story-a", "b": "story-a", "c": "story-c"}


def test_a_document_like_two_unrelated_stories_joins_the_closer_and_merges_neither() -> None:
    docs = {"a": _fingerprint(x=1.0), "c": _fingerprint(y=1.0), "b": _fingerprint(x=0.6, y=0.8)}
    assert _decide_in_order(docs) == {"a": "story-a", "c": "story-c", "b": "story-c"}


def _link_two_stories(early: StoryFeatures, late: StoryFeatures) -> tuple[str, dict[str, str]]:
    """Two stories of earlier runs (outside each other's window), and a document between them that
    matches both first documents: the story it joins, and the merges."""
    linkage = StoryLinkage(THRESHOLD)
    linkage.know_center("20250301-old", "early")
    linkage.know_center("20250315-new", "late")
    features = {"early": early, "late": late, "middle": _fingerprint(x=1.0)}
    assert min(story_similarity(features["middle"], f) for f in (early, late)) >= THRESHOLD
    candidates = [
        LinkCandidate("late", "20250315-new", None, existing=True),
        LinkCandidate("early", "20250301-old", None, existing=True),
    ]
    story = linkage.decide(
        "middle", features["middle"], None, "20250308-own", candidates, features.__getitem__
    )
    return story, linkage.merges.final()


def test_two_stories_whose_first_documents_match_are_merged_into_the_one_that_existed_before() -> None:
    early, late = _fingerprint(x=0.9, z=0.3), _fingerprint(x=0.9, w=0.3)
    assert story_similarity(early, late) >= MERGE_THRESHOLD
    assert _link_two_stories(early, late) == ("20250301-old", {"20250315-new": "20250301-old"})


def test_stories_whose_first_documents_match_only_at_the_joining_threshold_are_not_merged() -> None:
    early, late = _fingerprint(x=0.45, z=0.89), _fingerprint(x=0.5, w=0.87)
    assert THRESHOLD <= story_similarity(early, late) < MERGE_THRESHOLD
    assert _link_two_stories(early, late) == ("20250315-new", {})  # the closer one, nothing merged


def test_documents_of_one_dpa_story_are_one_story_however_different() -> None:
    docs = {"v1": _fingerprint(x=1.0), "other": _fingerprint(y=1.0), "v2": _fingerprint(y=1.0)}
    dpa = {"v1": "250320-99-1", "v2": "250320-99-1"}
    decided = _decide_in_order(docs, dpa)
    # v2 is like "other" but belongs to v1's dpa story: it joins that one, and "other" is not merged
    assert decided == {"v1": "story-v1", "other": "story-other", "v2": "story-v1"}
