"""The Articles of one file of one or more messages (wire messages, structured items).

In a file of several, a message that raises an input error is skipped and named in a warning on
the first Article (``message_skipped:<index>:<code>``); the file fails, with the first such
error, only when no message gives an Article. A file of one message fails with its error.
"""

from __future__ import annotations

from dataclasses import replace

from pressindex.errors import InputError
from pressindex.model import Article


class FileArticles:
    __slots__ = ("articles", "first_error", "several", "skipped")

    def __init__(self, several: bool) -> None:
        self.several = several
        self.articles: list[Article] = []
        self.skipped: list[str] = []
        self.first_error: InputError | None = None

    def add(self, article: Article) -> None:
        self.articles.append(article)

    def skip(self, index: int, exc: InputError) -> None:
        """Message ``index`` raised ``exc``: re-raised in a file of one message, else skipped."""
        if not self.several:
            raise exc
        self.first_error = self.first_error or exc
        self.skip_code(index, exc.code)

    def skip_code(self, index: int, code: str) -> None:
        """Message ``index`` is skipped for ``code`` (a repeat of a message that failed before)."""
        self.skipped.append(f"message_skipped:{index}:{code}")

    def result(self, none_left: InputError) -> list[Article]:
        """The Articles, the skipped messages named on the first; raises the first error (else
        ``none_left``) when there is none."""
        if not self.articles:
            raise self.first_error or none_left
        if self.skipped:
            first = self.articles[0]
            self.articles[0] = replace(first, warnings=first.warnings + tuple(self.skipped))
        return self.articles
