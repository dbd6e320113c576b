"""The decision's shortcuts give what the plain assignment gives: a run's documents indexed at once
(``PlannedRunDocuments``) find the candidates the documents decided so far (``RunDocuments``) find,
and a spooled fingerprint read without sorting its terms again is the same fingerprint. Pure: no
Elasticsearch, no Prefect."""

from __future__ import annotations

import random

import numpy as np
import pytest

from pressindex.stories.features import StoryFeatures
from pressindex.stories.fields import story_source
from pressindex.stories.run_documents import PlannedRunDocuments, RunDocuments, document_keys, epoch_ms

WINDOW_DAYS = 7


def _documents(count: int) -> list[tuple[str, dict]]:
    """Documents sharing band keys at random (few keys, so many share), some of one dpa story, some
    undated, spread over three weeks so that the window leaves some out."""
    rng = random.Random(7)
    docs = []
    for n in range(count):
        day = rng.randrange(1, 22)
        published = None if n % 9 == 0 else f"2025-03-{day:02d}T{rng.randrange(24):02d}:00:00+00:00"
        source = {
            "story_id": f"own-{n}",
            "story_bands": sorted(
                {f"m{rng.randrange(3)}:{rng.randrange(40):08x}" for _ in range(rng.randrange(1, 5))}
            ),
            "published": published,
            "ingested_at": f"2025-03-{day:02d}T23:00:00+00:00",
            "text_sha1": f"{rng.randrange(30):04x}",  # copies: equal hashes, so ties reach the ids
            "dpa_id": f"dpa-{rng.randrange(5)}" if n % 4 == 0 else None,
        }
        docs.append((f"doc-{n:03d}", source))
    order = sorted(
        docs,
        key=lambda d: (epoch_ms(d[1]["published"]) if d[1]["published"] else 2**63, d[1]["text_sha1"], d[0]),
    )
    return order


def test_a_planned_run_finds_the_candidates_the_documents_decided_so_far_find():
    docs = _documents(300)
    keys = [document_keys(source) for _, source in docs]
    times = np.array(
        [(epoch_ms(s["published"]), epoch_ms(s["ingested_at"])) for _, s in docs], dtype=np.int64
    )
    planned = PlannedRunDocuments(
        [d for d, _ in docs], [s["text_sha1"] for _, s in docs], [s["dpa_id"] for _, s in docs], times, keys
    )
    run = RunDocuments()
    found = 0
    for (doc_id, source), own_keys in zip(docs, keys, strict=True):
        assert planned.keys_of(doc_id, source).tolist() == own_keys.tolist()
        expected = run.candidates(source, WINDOW_DAYS, 10, own_keys)
        assert planned.candidates(source, WINDOW_DAYS, 10, own_keys) == expected, doc_id
        found += len(expected)
        run.add(doc_id, source, own_keys)
        planned.add(doc_id, source)
    assert found > 300  # the documents did share keys


def test_a_planned_run_refuses_a_document_out_of_its_order():
    docs = _documents(3)
    planned = PlannedRunDocuments(
        [d for d, _ in docs], ["", "", ""], [None] * 3, np.zeros((3, 2), dtype=np.int64),
        [document_keys(s) for _, s in docs],
    )  # fmt: skip
    with pytest.raises(ValueError, match="planned order"):
        planned.add(docs[1][0], docs[1][1])


def test_a_spooled_fingerprint_read_in_its_stored_order_is_the_sorted_one():
    body = (
        "Die Fähre nach Helgoland fährt wegen Sturm heute nicht. Die Reederei teilte mit, dass alle "
        "Fahrten bis Sonntag ausfallen. Gäste auf der Insel werden in Hotels untergebracht; die "
        "Gemeinde Helgoland bittet um Geduld, die Kosten trägt die Reederei."
    )
    source = story_source("doc-1", "Sturm: Fähre nach Helgoland fällt aus", body, "de", "2025-03-01")
    stored = source["story_features"]
    assert StoryFeatures.from_source(stored, keys=False, ordered=True) == StoryFeatures.from_source(
        stored, keys=False
    )
    shuffled = {**stored, "terms": dict(reversed(list(stored["terms"].items())))}
    assert StoryFeatures.from_source(shuffled, keys=False) == StoryFeatures.from_source(stored, keys=False)
