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
from pressindex.stories.similarity import same_story, story_similarity

# Two stories' centers must match at this to merge (a document joins at the lower ``threshold``): a
# merge moves whole stories, so one same-topic pair in 1,000 (the 99.9th percentile of the
# similarity of different 10kGNAD test articles with the same topic label, 0.252) instead of one
# in 200; ``pressindex evaluate`` reports the percentile.
MERGE_THRESHOLD = 0.25
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
    """An assignment's rule and state: ``decide`` one document after the other.

    A story stands for its **center**, its first document (in the assignment's order; for a
    story of an earlier run, its earliest document by the same order), never for whichever member
    a document happens to resemble: joining any member would chain A~B, B~C into one story with A
    and C unrelated, and on one generated night did (a story of 1,120 documents of 542 stories).

    * The candidates name the stories worth looking at (at most :data:`CANDIDATE_STORIES`).
    * A document joins a story whose center it matches (``same_story`` at ``threshold``), or one
      holding a document of its dpa story (versions are always one story).
    * Of several, it joins the best: a dpa story first, then the most similar center. Another of
      them is merged with it only when the two centers match each other at the stricter
      :data:`MERGE_THRESHOLD` (or it holds the document's dpa story); the survivor of a merge is
      the oldest id that existed before, else the oldest, and keeps its center. So every member
      matches its story's center, or matched the center of a story merged into it, which matched
      this one: no chains.
    """

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.merge_threshold = max(threshold, MERGE_THRESHOLD)
        self.merges = Merges()
        self.existing: set[str] = set()  # stories that had documents before: they survive a merge first
        self.centers: dict[str, str] = {}  # story -> its center's document id

    def know_center(self, story: str, doc_id: str) -> None:
        """The center of a story from before the assignment (its documents are not decided here)."""
        self.centers.setdefault(story, doc_id)

    def decide(
        self,
        doc_id: str,
        features: StoryFeatures,
        dpa_id: str | None,
        own: str,
        candidates: Iterable[LinkCandidate],
        features_of: Callable[[str], StoryFeatures],
    ) -> str:
        """The story the document (``own``: the story it was loaded with) joins, given its
        ``candidates`` best first; ``features_of(doc id)`` reads a fingerprint."""
        stories: dict[str, None] = {}  # the candidates' stories, best first
        dpa_linked: set[str] = set()
        for cand in candidates:
            if cand.existing:
                self.existing.add(cand.story)
            story = self.merges.find(cand.story)
            stories[story] = None
            if dpa_id and cand.dpa_id == dpa_id:
                dpa_linked.add(story)
        close: dict[str, float] = {}  # story -> its center's similarity
        for story in stories:
            center = self.centers.get(story)
            similarity = story_similarity(features, features_of(center)) if center is not None else 0.0
            if story in dpa_linked or similarity >= self.threshold:
                close[story] = similarity
        if not close:
            self.centers.setdefault(own, doc_id)
            return own
        best = min(close, key=lambda s: (s not in dpa_linked, -close[s], s not in self.existing, s))
        merged = {best} | dpa_linked
        if best in self.centers:
            best_center = features_of(self.centers[best])
            merged |= {
                s
                for s in close
                if s not in merged
                and s in self.centers
                and same_story(best_center, features_of(self.centers[s]), self.merge_threshold)
            }
        survivor = min(merged, key=lambda s: (s not in self.existing, s))
        if survivor not in self.centers and best in self.centers:
            self.centers[survivor] = self.centers[best]
        for story in merged:
            self.merges.merge(story, survivor)
        return survivor
