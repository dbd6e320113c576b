"""Which analyzer reads a document's text, by its ``language``.

German (and undecided) text is analysed by the German fields ``title``, ``lead`` and ``body``
with their ``.decomp`` and ``.exact`` sub-fields. A document in another supported language keeps
that text for display, highlighting and a German-analysed fallback, and also gets a copy in
``<field>_lang.<code>`` (``body_lang.en``), whose analyzer is the one for its language; searches
run over both, so an English query finds "elections" by the English stem. The ``language`` facet
tells the documents apart.

Elasticsearch cannot pick an analyzer per document, and the local node has no ingest pipelines,
so the writer puts the copy in: :func:`language_fields` is called where ``_source`` is built.
"""

from __future__ import annotations

# language code → analyzer; mappings/press.json declares the same sub-fields (a test keeps them equal)
LANGUAGE_ANALYZERS: dict[str, str] = {
    "en": "english",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "nl": "dutch",
    "pt": "portuguese",
    "pl": "neutral_text",  # analysis-common has no Polish stemmer: standard tokens, lowercased and folded
}
LOCALISED_FIELDS = ("title", "lead", "body")


def language_fields(source: dict) -> dict:
    """``{"title_lang": {"en": …}, …}`` for a document in a supported non-German language, else ``{}``."""
    code = (source.get("language") or "").lower()
    if code not in LANGUAGE_ANALYZERS:
        return {}
    return {f"{name}_lang": {code: source[name]} for name in LOCALISED_FIELDS if source.get(name)}
