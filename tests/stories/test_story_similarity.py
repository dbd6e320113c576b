"""Story features and the same-story decision on texts composed here (no corpus text)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from pressindex.stories import DEFAULT_THRESHOLD, StoryFeatures, same_story, story_features, story_similarity
from pressindex.stories.similarity import term_cosine
from pressindex.stories.stem_weights import legacy_weight, stem_weight
from pressindex.stories.vocabulary import WORD, Vocabulary

TITLE = "Stadtrat beschließt neuen Radweg entlang der Donau"
BODY = (
    "Linz – Der Linzer Gemeinderat hat am Donnerstag mit großer Mehrheit den Bau eines neuen Radwegs "
    "entlang der Donaulände beschlossen. Die Strecke soll 4,2 Kilometer lang werden und den Hafen mit der "
    "Altstadt verbinden. Verkehrsstadträtin Martina Obermayr sprach von einem Meilenstein für die "
    "Radfahrerinnen und Radfahrer der Stadt. Die Kosten von rund 3,8 Millionen Euro teilen sich Stadt und "
    "Land. Baubeginn ist im kommenden Frühjahr, die Fertigstellung ist für Herbst 2026 geplant. Kritik kam "
    "von der Opposition, die eine Bürgerbefragung gefordert hatte. Anrainer befürchten den Verlust von "
    "Parkplätzen an der Unteren Donaulände, wo 120 Stellplätze wegfallen sollen."
)
OTHER_TITLE = "Radfahrer fordern mehr Sicherheit an Kreuzungen"
OTHER_BODY = (
    "Graz – Die Radlobby Steiermark hat am Mittwoch eine Liste mit 35 gefährlichen Kreuzungen in Graz "
    "vorgelegt. Besonders am Jakominiplatz komme es immer wieder zu Unfällen zwischen Abbiegern und "
    "Radfahrern, sagte Sprecherin Claudia Hirschmann. Die Organisation verlangt eigene Ampelphasen für "
    "Räder und breitere Radstreifen. Das Verkehrsressort kündigte an, die Vorschläge bis Jahresende zu "
    "prüfen. Im Vorjahr wurden in der Steiermark 1.400 Radunfälle mit Verletzten gezählt, um ein Fünftel "
    "mehr als noch vor fünf Jahren."
)


def test_near_duplicate_with_other_byline_is_one_story() -> None:
    a = story_features(TITLE, "Von Anna Berger\n\n" + BODY, "de")
    b = story_features(TITLE, "Von unserem Korrespondenten Peter Huber\n\n" + BODY + " (APA, red)", "de")
    assert same_story(a, b, DEFAULT_THRESHOLD)
    assert set(a.band_keys) & set(b.band_keys)


def test_unrelated_article_on_the_same_topic_is_another_story() -> None:
    a = story_features(TITLE, BODY, "de")
    b = story_features(OTHER_TITLE, OTHER_BODY, "de")
    assert not same_story(a, b, DEFAULT_THRESHOLD)
    assert story_similarity(a, b) < story_similarity(a, a)


def test_similarity_is_symmetric_and_bounded() -> None:
    a = story_features(TITLE, BODY, "de")
    b = story_features(OTHER_TITLE, OTHER_BODY, "de")
    assert story_similarity(a, b) == story_similarity(b, a)
    assert 0.0 <= story_similarity(a, b) <= 1.0
    assert story_similarity(a, a) == 1.0


def test_features_round_trip_through_the_source() -> None:
    a = story_features(TITLE, BODY, "de")
    source = json.loads(json.dumps(a.to_source()))
    assert StoryFeatures.from_source(source) == a


def test_empty_text_has_features() -> None:
    a = story_features("", "", "und")
    assert StoryFeatures.from_source(json.loads(json.dumps(a.to_source()))) == a


def test_band_keys_are_the_same_in_every_process() -> None:
    code = (
        "import sys, json; from pressindex.stories import story_features; "
        "t, b = json.load(sys.stdin); print(json.dumps(story_features(t, b, 'de').band_keys))"
    )
    keys = set()
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code], input=json.dumps([TITLE, BODY]), capture_output=True,
                             text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed})  # fmt: skip
        keys.add(out.stdout)
    assert keys == {json.dumps(list(story_features(TITLE, BODY, "de").band_keys)) + "\n"}


def _market(prices: list[float]) -> str:
    names = [
        "Nordbank",
        "Alpenstrom",
        "Stahlwerk Ost",
        "Papierfabrik",
        "Telefonnetz",
        "Ziegelwerk",
        "Versicherung",
    ]
    return " ".join(
        f"{n} {p:.2f} Euro ({p / 50 - 1:+.2f} Prozent)." for n, p in zip(names, prices, strict=True)
    )


def test_market_report_with_other_numbers_is_another_story() -> None:
    a = story_features("Börse schloss fester", _market([12.5, 33.1, 41.2, 8.9, 17.4, 25.0, 60.3]), "de")
    b = story_features("Börse schloss fester", _market([13.1, 32.7, 40.1, 9.4, 18.2, 24.3, 61.8]), "de")
    same = story_features(
        "Börse schloss fester", "Von Anna Berger. " + _market([12.5, 33.1, 41.2, 8.9, 17.4, 25.0, 60.3]), "de"
    )
    assert not same_story(a, b, DEFAULT_THRESHOLD)
    assert same_story(a, same, DEFAULT_THRESHOLD)


MARKET_COMMENTARY = (
    "Die Börse hat am Dienstag fester geschlossen. Gefragt waren vor allem die Aktien der Nordbank und von "
    "Alpenstrom, die jeweils mehr als zwei Prozent zulegten. Schwächer tendierten Stahlwerk Ost und die "
    "Papierfabrik, deren Aktien rund ein Prozent an Wert verloren. Telefonnetz, Ziegelwerk und die "
    "Versicherung blieben kaum verändert, der Umsatz lag bei knapp 80 Millionen Euro."
)


def test_a_table_and_a_prose_report_using_its_words_are_two_stories() -> None:
    """A table's news is its numbers: a prose report sharing its words (the companies, Prozent,
    Euro) is not its story, though the words alone match well above the threshold."""
    table = story_features("Börse schloss fester", _market([12.5, 33.1, 41.2, 8.9, 17.4, 25.0, 60.3]), "de")
    prose = story_features("Börse schloss fester", MARKET_COMMENTARY, "de")
    assert table.number_share > 0.2 > 0.05 > prose.number_share
    assert term_cosine(table, prose) >= 2 * DEFAULT_THRESHOLD
    assert not same_story(table, prose, DEFAULT_THRESHOLD)
    assert set(table.band_keys) & set(prose.band_keys)  # they are candidates of each other


def test_a_changed_number_and_a_cut_ending_stay_one_story() -> None:
    edited = BODY.replace("4,2 Kilometer", "4,3 Kilometer").rsplit(" Anrainer", 1)[0]
    assert same_story(
        story_features(TITLE, BODY, "de"), story_features(TITLE, edited, "de"), DEFAULT_THRESHOLD
    )


def _as_version_2(features: StoryFeatures) -> dict:
    """The source a document stored with version 2 had: the same terms with ``sqrt(min(level, 11))`` weights."""
    scored = {t: w / stem_weight(t) * legacy_weight(t) for t, w in features.terms}
    norm = math.sqrt(sum(w * w for w in scored.values()))
    return {**features.to_source(), "v": 2, "terms": {t: round(w / norm, 4) for t, w in scored.items()}}


def test_a_document_stored_in_the_older_shape_compares_on_the_current_scale() -> None:
    new = story_features(TITLE, BODY, "de")
    old = StoryFeatures.from_source(json.loads(json.dumps(_as_version_2(new))))
    assert old.version == new.version
    assert story_similarity(old, new) > 0.999
    assert old.band_keys == new.band_keys
    other = story_features(OTHER_TITLE, OTHER_BODY, "de")
    assert abs(story_similarity(old, other) - story_similarity(new, other)) < 0.01


def test_words_of_every_article_weigh_next_to_nothing() -> None:
    a = story_features("Neue Schule", "Der Bürgermeister hat am Montag in der Stadt eine neue Schule für die "
                       "Kinder eröffnet, die dort auch zu Mittag essen.", "de")  # fmt: skip
    b = story_features("Lastwagen gestoppt", "Die Polizei hat am Dienstag auf der Autobahn einen Lastwagen "
                       "gestoppt, der mit Reifen für die Werkstatt beladen war, die es nicht gibt.", "de")  # fmt: skip
    assert story_similarity(a, b) < DEFAULT_THRESHOLD / 3


_GERMAN = "abcXYZäöüÄÖÜß019 _-.,;\n\t€\u00a0\u00ad„“–éÉΩЖ中ﬁ"
_ODD = "²Ⅳ×\u0301İ😀、µªΣς\u2028₂①ⓐ\u200bᴬ"  # characters where the byte path must give way to the regex


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from(_GERMAN + _ODD), max_size=12), st.text(st.sampled_from(_GERMAN + _ODD), max_size=80),
       st.text(max_size=40))  # fmt: skip
def test_the_vocabulary_reads_the_tokens_the_regex_finds(title: str, body: str, anything: str) -> None:
    vocabulary = Vocabulary(limit=64)  # small: starts again empty now and then, in the middle of the examples
    for t, b in ((title, body), (anything, title), (body + anything, "")):
        ids, title_length = vocabulary.read(t, b)
        expected = WORD.findall(t.lower()) + WORD.findall(b.lower())
        assert [vocabulary.token_text[i] for i in ids.tolist()] == expected
        assert title_length == len(WORD.findall(t.lower()))


def test_a_text_over_64_kb_is_read_like_any_other() -> None:
    body = " ".join(f"Wort{i} Straße {i % 7}" for i in range(8000))
    vocabulary = Vocabulary()
    ids, _ = vocabulary.read("", body)
    assert len(body.encode()) > 65536
    assert [vocabulary.token_text[i] for i in ids.tolist()] == WORD.findall(body.lower())
    features = story_features("", body, "de")
    assert story_similarity(features, story_features("", body + " Ende", "de")) > 0.9
