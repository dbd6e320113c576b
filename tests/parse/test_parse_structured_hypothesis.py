"""Structured files never crash the parser: whatever follows a NewsML-G2, NITF or JSON opening,
the result is Articles whose every field is mapped, or an InputError with a code."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pressindex.errors import InputError
from pressindex.index.indices import mapped_fields
from pressindex.parse import parse_messages

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import structured_factory as sf

NOW = datetime(2025, 3, 20, tzinfo=UTC)
_MAPPED = mapped_fields()
_OPENINGS = (
    b"<newsItem>",
    b'<?xml version="1.0"?><nitf><body><body.content>',
    b'{"urn": "urn:newsml:dpa.com:',
    b'[{"uri": "x", "type": "text", "body_html": "',
    b"<newsMessage><itemSet><newsItem guid='g'>",
)
_VALID = (
    sf.g2_document(sf.story()),
    sf.nitf_document(sf.story()),
    sf.digitalwires_document(sf.story()),
    sf.ninjs_document(sf.story()),
)


def _check(raw: bytes) -> None:
    try:
        articles = parse_messages(raw, "fuzz", now=NOW)
    except InputError as exc:
        assert exc.code and exc.path == "fuzz"
        return
    for a in articles:
        assert set(a.to_source()) <= _MAPPED
        json.dumps(a.to_json_dict())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_OPENINGS), st.binary(max_size=400))
def test_any_bytes_after_a_structured_opening(opening, rest):
    _check(opening + rest)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_VALID), st.integers(min_value=0, max_value=10_000), st.binary(max_size=20))
def test_valid_items_cut_or_spliced(valid, at, junk):
    at = at % (len(valid) + 1)
    _check(valid[:at] + junk + valid[at + len(junk) :])
