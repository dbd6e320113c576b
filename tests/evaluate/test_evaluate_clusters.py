"""The cluster-level story evaluation: scores of predicted stories against true ones, and the
assignment's rule run in memory (``pressindex.evaluate.stories``)."""

from __future__ import annotations

import pytest

from pressindex.evaluate.stories import Doc, as_ingested, assign_in_memory, score_clusters
from pressindex.stories import story_features


def test_a_chain_of_two_stories_in_one_predicted_story_is_scored_as_mixed() -> None:
    truth = ["a", "a", "b", "b", "c"]
    predicted = ["x", "x", "x", "x", "y"]  # a and b chained into x
    score = score_clusters(truth, predicted)
    assert (score.pairs.tp, score.pairs.fp, score.pairs.fn) == (2, 4, 0)
    assert score.bcubed_precision == pytest.approx(0.6)  # 4 documents at 1/2, one at 1
    assert score.bcubed_recall == 1.0
    assert (score.largest_false, score.largest_false_stories, score.mixed_documents) == (4, 2, 4)
    assert (score.joined, score.should_join, score.predicted_stories, score.true_stories) == (3, 2, 2, 3)


def test_copies_in_memory_join_the_first_and_an_unrelated_text_stays_apart() -> None:
    ferry = (
        "Neue Elektrofähre verbindet Lindau und Bregenz",
        "Zwischen Lindau und Bregenz pendelt seit Montag eine elektrisch betriebene Fähre. Das Schiff bietet "
        "Platz für 240 Fahrgäste und braucht für die Überfahrt knapp 25 Minuten. Geladen werden die Akkus in "
        "der Nacht am Lindauer Hafen mit Strom aus Wasserkraft.",
    )
    copy = (ferry[0] + " (Regionaldienst)", ferry[1].replace("240", "250"))
    other = (
        "Busse in der Kasseler Innenstadt fahren neue Wege",
        "Wegen der Bauarbeiten in der Oberen Königsstraße fahren die Stadtbusse von April an über die "
        "Kurfürstenstraße. Drei Haltestellen werden für die Dauer der Arbeiten verlegt.",
    )
    features = [story_features(title, body, "de") for title, body in (ferry, other, copy)]
    stories = assign_in_memory(features, 0.14)
    assert stories[0] == stories[2] != stories[1]


def test_the_night_is_read_as_the_ingest_reads_a_file() -> None:
    """Mojibake, HTML tags and entities of a generated copy are gone before its features are made,
    as the ingest's decoding and cleaning remove them."""
    original = Doc(
        "Fähre über den Bodensee", "Die Fähre fährt ab Montag stündlich zwischen Lindau und Bregenz."
    )
    broken = Doc(
        "FÃ¤hre Ã¼ber den Bodensee",
        "<p>Die F&auml;hre f&auml;hrt ab Montag st&uuml;ndlich zwischen Lindau und Bregenz.</p>",
    )
    assert as_ingested(broken) == original
    assert as_ingested(original) == original
