"""Pure parsing: raw wire bytes → :class:`~pressindex.model.Article`.

    >>> from pressindex.parse import parse_document
    >>> article = parse_document(raw_bytes, "seeds/001.txt")

No file I/O, logging, Prefect or Elasticsearch here: the pipeline reads files and handles the
:class:`~pressindex.errors.InputError` this raises.

May import: ``pressindex.errors`` and ``pressindex.model`` only, and parsing libraries. Never
Elasticsearch, Prefect, click or settings.
"""

from pressindex.parse.document import parse_document
from pressindex.parse.messages import parse_messages

__all__ = ["parse_document", "parse_messages"]
