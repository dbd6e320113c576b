"""What a document stores for story clustering, made where it is parsed (pure: no I/O).

Every document is written with a story of its own (``story_id``), as its representative
(``story_representative``, ``story_size`` 1), so that search can collapse on the field before the
end of the run has assigned it (a document without a value would fall into one group with all
others lacking it), and a document that stays alone is never written again. The run's end may
then move it into an existing story (:mod:`pressindex.stories.assign`). A run that decides its
documents' stories before it loads them (:mod:`pressindex.ingest.run_stories`) swaps the own story
for the decided one in the encoded document (:func:`with_story`) instead.

A story id is the day its first document was published and a hash of that document's id:
``20250314-3fa2c9d1e0ab``. The same document always starts the same story (a rerun gives the
same ids), and ids sort by age, so a merge keeps the oldest. A dpa story takes the issue date of
its dpa id, which every version shares; a document without a day of publication gets ``u-…``
(sorting after every dated one).
"""

from __future__ import annotations

import hashlib

import orjson

from pressindex.stories.features import story_features

UNDATED = "u"


def story_day(published: str | None, dpa_issue_date: str | None = None) -> str | None:
    """``2025-03-14`` from a dpa issue date, else from a publication date of at least a day's precision."""
    for value in (dpa_issue_date, published):
        if value and len(value) >= 10:
            return value[:10]
    return None


def own_story_id(doc_id: str, day: str | None) -> str:
    """The story a document starts: ``<yyyymmdd>-<hash of its id>`` (``u-<hash>`` without a day)."""
    digest = hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:12]
    return f"{day.replace('-', '') if day else UNDATED}-{digest}"


def story_source(doc_id: str, title: str, body: str, language: str, day: str | None) -> dict:
    """The story fields of a document's ``_source``: its own story (of which it is the representative),
    LSH keys, fingerprint, length."""
    features = story_features(title, body, language)
    return {
        "story_id": own_story_id(doc_id, day),
        # the representative of a story of one: a document no other joins is never written again
        "story_representative": True,
        "story_size": 1,
        "story_bands": list(features.band_keys),
        "story_features": features.to_source(),
        "story_chars": len(title) + len(body),
    }


_STORY_KEY = b',"story_id":"'
_OWN_REST = b'","story_representative":true,"story_size":1,'


def with_story(source: bytes, story: dict) -> bytes:
    """The encoded ``_source`` of a document made with its own story (what :func:`story_source`
    gives), with ``story`` (``story_id``, ``story_representative``, ``story_size``) in its place: a
    byte swap, without decoding the document. The key is found only as a key (inside a JSON
    string its quotes would be escaped)."""
    at = source.find(_STORY_KEY)
    end = source.find(b'"', at + len(_STORY_KEY)) if at >= 0 else -1
    if end < 0 or not source.startswith(_OWN_REST, end) or source.find(_STORY_KEY, end) >= 0:
        raise ValueError("the document does not hold its own story once")
    return source[:at] + b"," + orjson.dumps(story)[1:-1] + b"," + source[end + len(_OWN_REST) :]
