"""Which story a document joins, and which stories it merges: the rule, pure (no I/O).

:class:`StoryLinkage` holds an assignment's decisions so far (the merges, the stories that existed
before it) and decides one document at a time from its candidates, in the assignment's fixed
order. :mod:`pressindex.stories.assign` feeds it candidates from memory and Elasticsearch;
``pressindex evaluate`` feeds it generated stories in memory, so both measure one rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pressindex.stories.features import StoryFeatures
from pressindex.stories.similarity import same_story

CANDIDATE_STORIES = 10  # candidates looked at per document: the best by shared keys (bounds its cost)


@dataclass(frozen=True, slots=True)
class LinkCandidate:
    """A document the candidate look-up found, with the story it belongs to (as decided or stored)."""

    doc_id: str
    story: str
    dpa_id: str | None
    existing: bool  # its story had documents before the assignment: it survives a merge first


class Merges:
    """Stories merged during the assignment: each id points to the one it went into."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, story: str) -> str:
        root = story
        while root in self.parent:
            root = self.parent[root]
        while story != root:  # shorten the path for the next look-up
            following = self.parent[story]
            self.parent[story] = root
            story = following
        return root

    def merge(self, story: str, into: str) -> None:
        story, into = self.find(story), self.find(into)
        if story != into:
            self.parent[story] = into

    def final(self) -> dict[str, str]:
        return {story: self.find(story) for story in self.parent}


class StoryLinkage:
    """An assignment's rule and state: ``decide`` one document after the other."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.merges = Merges()
        self.existing: set[str] = set()  # stories that had documents before: they survive a merge first

    def decide(
        self,
        features: StoryFeatures,
        dpa_id: str | None,
        own: str,
        candidates: Iterable[LinkCandidate],
        features_of: Callable[[str], StoryFeatures],
    ) -> str:
        """The story the document (``own``: the story it was loaded with) joins, given its
        ``candidates`` best first; ``features_of(doc id)`` reads a candidate's fingerprint."""
        matched: set[str] = set()
        for cand in candidates:
            story = self.merges.find(cand.story)
            if cand.existing:
                self.existing.add(cand.story)
            if story in matched:
                continue
            same_dpa = bool(dpa_id) and cand.dpa_id == dpa_id  # always one story
            if same_dpa or same_story(features, features_of(cand.doc_id), self.threshold):
                matched.add(story)
        if not matched:
            return own
        target = min(matched, key=lambda s: (s not in self.existing, s))
        for story in matched:
            self.merges.merge(story, target)
        return target
