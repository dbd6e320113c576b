"""Story clusters: which documents report one story.

The pure part lives here: :func:`story_features` turns a document's title and body into
:class:`StoryFeatures` (LSH band keys for candidate lookup in Elasticsearch and a compact
fingerprint stored with the document), and :func:`story_similarity` / :func:`same_story` compare two
fingerprints. How the measure was chosen and what it reaches is in ``docs/stories.md``
("How similar is similar") and ``pressindex evaluate``. The Elasticsearch side (``store``: candidate
look-up and writes; ``assign``: the end-of-run assignment; ``rebuild``) sits beside it.

May import: the core modules and ``index``; the pure part imports neither Elasticsearch nor
anything but ``index.german``. Never Prefect, click, ``ingest`` or ``cli``.
"""

from pressindex.stories.features import StoryFeatures, story_features
from pressindex.stories.similarity import DEFAULT_THRESHOLD, same_story, story_similarity

__all__ = ["DEFAULT_THRESHOLD", "StoryFeatures", "same_story", "story_features", "story_similarity"]
