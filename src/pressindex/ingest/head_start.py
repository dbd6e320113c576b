"""A head start for ``pressindex ingest``: the run's first new files are parsed while Prefect loads.

Before the flow's first batch asks for a document, the command spends 3-4 s importing Prefect,
creating the flow run and planning, and the parse processes are ready after about one of them.
Meanwhile a thread here lists the files, keeps those without a state record (planning will pick
every one of them, whatever its content) and hands the first of them to the parse pool
(:func:`pressindex.ingest.pipeline.parse_ahead`). The batches that get those files take the results,
stamped with the run's id and time as if they had parsed them.

Only work the run would do anyway: files with a record are left to the plan (it compares their
checksums), and at most ``limit`` files, the first batches in flight. What no batch took (the
plan skipped it, the run failed) is dropped when the run ends. A flow run started by a
deployment, or retried from the UI, gets no head start: it starts in another process.
"""

from __future__ import annotations

import logging
import threading

from pressindex.config import Settings
from pressindex.ingest import pipeline
from pressindex.ingest.parse_pool import ParseLimits

log = logging.getLogger(__name__)

# The lookup runs while the flow starts; a node that does not answer fails the run there, with
# the run's own retries and message, so the head start gives up quickly instead.
LOOKUP_TIMEOUT_SECONDS = 10.0


class HeadStart:
    """Parses ahead in a thread from :meth:`begin` on; :meth:`end` waits for it and drops what is left."""

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None
        self.submitted = 0
        self.dropped = 0

    def begin(
        self, paths: list[str], *, settings: Settings, alias: str, force: bool, batch_size: int | None = None
    ) -> HeadStart:
        """Start on the files of a run over ``paths`` with the flow's parameters; at most
        ``PRESSINDEX_PARSE_AHEAD_FILES``, by default the files of the first batches in flight."""
        limit = settings.parse_ahead_files
        if limit is None:
            limit = (batch_size or settings.batch_size) * settings.batches_in_flight
        if limit > 0 and settings.parse_workers > 0 and settings.task_runner == "threads":
            pipeline.open_parse_ahead()  # here, not in the thread: a batch that asks first closes it
            self.thread = threading.Thread(
                target=self._run, args=(paths, settings, alias, force, limit), daemon=True, name="head-start"
            )
            self.thread.start()
        return self

    def _run(self, paths: list[str], settings: Settings, alias: str, force: bool, limit: int) -> None:
        try:
            # Imported here: the Elasticsearch client takes 0.5 s to import, in this thread rather
            # than before the command's main thread gets to Prefect.
            from pressindex.index.es_client import connect
            from pressindex.ingest import state

            files = pipeline.discover(paths)  # absolute and sorted, as the flow's plan lists them
            if not force:
                es = connect(settings).options(request_timeout=LOOKUP_TIMEOUT_SECONDS, max_retries=0)
                files = state.unrecorded(es, alias, files, limit=limit)
            self.submitted = pipeline.parse_ahead(
                files[:limit],
                max_bytes=settings.max_file_bytes,
                workers=settings.parse_workers,
                limits=ParseLimits.from_settings(settings),
                # one core is busy importing Prefect: parsing on all of them would slow the start
                in_flight=max(1, settings.parse_workers - 1),
            )
        except Exception as exc:  # the run meets the same error and reports it
            log.debug("no head start: %s", exc)

    def end(self) -> None:
        if self.thread is not None:
            self.dropped = pipeline.drop_parsed_ahead()  # stops the thread at its next chunk
            self.thread.join()
