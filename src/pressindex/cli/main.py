"""``pressindex``: a thin command line over the library."""

from __future__ import annotations

import atexit
import gc
import importlib.util
import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pressindex.cli.settings import load_settings
from pressindex.errors import PressindexError
from pressindex.project import flows_dir

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar  # what click.progressbar returns

    from pressindex.config import Settings

# Without PREFECT_API_URL, Prefect starts a temporary server; on a cold machine its first start
# (database migrations) can outlast Prefect's default 20 s wait.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
# Only package registries are reachable from build and CI machines; telemetry would only fail.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# A command exits without the interpreter's last garbage collection over all it loaded (Prefect,
# pydantic models): half a second per ingest. The operating system takes the memory back anyway.
atexit.register(gc.freeze)


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc))


def load_flow(module: str, name: str):
    """Import a flow from ``flows/<module>.py`` (flows live beside the package, as deployments see them)."""
    path = flows_dir() / f"{module}.py"
    spec = importlib.util.spec_from_file_location(f"pressindex_flows_{module}", path)
    if spec is None or spec.loader is None:
        raise click.ClickException(f"cannot load {path}")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return getattr(mod, name)


def _elasticsearch_message(exc: Exception) -> str | None:
    """One line for what Elasticsearch refused, or None when ``exc`` is not Elasticsearch's."""
    es = sys.modules.get("elasticsearch")  # loaded by every command that talks to it; never here
    if es is None or not isinstance(exc, es.ApiError | es.TransportError):
        return None
    if isinstance(exc, es.TransportError):  # connection refused, timed out
        return f"Elasticsearch is not reachable ({exc.message}): `pressindex es start` starts the local node; or check ELASTICSEARCH_URL"
    if exc.error == "index_not_found_exception":
        missing = (exc.body.get("error") or {}).get("index") if isinstance(exc.body, dict) else None
        return (
            f"there is no index {missing or ''!r} yet: ingest into it first (`pressindex ingest DIR`), "
            "or name another with --index"
        )
    return f"Elasticsearch refused the request ({exc.meta.status} {exc.error}): {exc.message}"


class _Commands(click.Group):
    """A refusal from Elasticsearch ends a command with one clear line, not a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            message = _elasticsearch_message(exc)
            if message is None:
                raise
            raise click.ClickException(message) from exc


@click.group(cls=_Commands)
@click.version_option(package_name="pressindex")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Turn raw news wire files into a searchable Elasticsearch index."""
    # every command but those that manage the services uses the Prefect server `pressindex up`
    # started, unless PREFECT_API_URL is set; Prefect reads it once, when it loads, so a process
    # that loaded Prefect already (tests running commands in-process) keeps the server it has
    if ctx.invoked_subcommand not in ("up", "down", "status") and "prefect" not in sys.modules:
        from pressindex.localnode.services import use_local_prefect_server

        use_local_prefect_server(load_settings())


# -- es -----------------------------------------------------------------------------------------


@cli.group()
def es() -> None:
    """The local Elasticsearch node (ignored when ELASTICSEARCH_URL is set)."""


def _external_notice(settings: Settings) -> bool:
    if settings.uses_local_node:
        return False
    click.echo(f"ELASTICSEARCH_URL is set: using {settings.es_url}; no local node is managed.")
    return True


@es.command("start")
def es_start() -> None:
    """Provision (once) and start the local node, or reuse the running one."""
    from pressindex.localnode import node

    settings = load_settings()
    if _external_notice(settings):
        return
    try:
        st = node.start(settings.local_node(), log=lambda m: click.echo(m, err=True))
    except PressindexError as exc:
        _fail(exc)
    click.echo(f"Elasticsearch {st.version} is running at {st.url} (pid {st.pid})")
    click.echo(f"log file: {st.log_file}")


@es.command("stop")
def es_stop() -> None:
    """Stop the local node this project started."""
    from pressindex.localnode import node

    settings = load_settings()
    if _external_notice(settings):
        return
    stopped = node.stop(settings.local_node())
    click.echo("stopped" if stopped else "no local node was running")


@es.command("status")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def es_status(as_json: bool) -> None:
    """Is the local node running and answering?"""
    from pressindex.localnode import node

    settings = load_settings()
    if _external_notice(settings):
        return
    st = node.status(settings.local_node())
    if as_json:
        click.echo(json.dumps(st.as_dict()))
    else:
        state = "running" if st.running else "not running"
        health = ", answering" if st.healthy else ""
        click.echo(
            f"{st.url}: {state}{health}" + (f" (pid {st.pid}, Elasticsearch {st.version})" if st.pid else "")
        )
        click.echo(f"log file: {st.log_file}")
    if not st.healthy:
        sys.exit(1)


# -- up / down / status -------------------------------------------------------------------------


def _print_services(found, as_json: bool) -> None:
    from pressindex.localnode.services import all_healthy

    if as_json:
        click.echo(json.dumps({"healthy": all_healthy(found), "services": [s.as_dict() for s in found]}))
    else:
        click.echo("\n".join(map(str, found)))


@cli.command()
@click.option("--serve", "serve_dir", type=click.Path(path_type=Path, file_okay=False),
              help="also start a worker that serves the nightly deployment for this inbox")  # fmt: skip
@click.option("--index", help="with --serve: the alias the nightly runs ingest into")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def up(serve_dir: Path | None, index: str | None, as_json: bool) -> None:
    """Start, or reuse, the local Elasticsearch and a Prefect server with its UI (and with --serve, the
    worker) in the background; `down` stops them. Other commands then use them by themselves."""
    from pressindex.localnode import services

    try:
        found = services.up(
            load_settings(), serve=serve_dir, index=index, log=lambda m: click.echo(m, err=True)
        )
    except PressindexError as exc:
        _fail(exc)
    _print_services(found, as_json)
    if not services.all_healthy(found):
        sys.exit(1)


@cli.command()
def down() -> None:
    """Stop the worker and the Prefect server `up` started, and the local Elasticsearch if `up` started it."""
    from pressindex.localnode import services

    stopped = services.down(load_settings())
    click.echo("stopped: " + ", ".join(stopped) if stopped else "nothing was running")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def status(as_json: bool) -> None:
    """Each service, its URL (the Prefect UI among them) and health; exit 1 when one is not healthy."""
    from pressindex.localnode import services

    found = services.status(load_settings())
    _print_services(found, as_json)
    if not services.all_healthy(found):
        sys.exit(1)


# -- runs ---------------------------------------------------------------------------------------


@cli.group()
def runs() -> None:
    """The run history in <alias>-runs: one record per ingest run, with its extraction coverage."""


@runs.command("list")
@click.option("--index", help="alias (default: PRESSINDEX_INDEX or 'press')")
@click.option("--limit", type=int, default=20, show_default=True, help="at most this many runs")
@click.option(
    "--status",
    "run_status",
    type=click.Choice(["completed", "failed", "degraded"]),
    help="only runs with this status",
)
@click.option("--json", "as_json", is_flag=True, help="print JSON lines")
def runs_list(index: str | None, limit: int, run_status: str | None, as_json: bool) -> None:
    """The newest runs first: id, start, status, files, quarantine, documents, seconds, coverage."""
    from pressindex.index.es_client import connect
    from pressindex.ingest import run_history

    settings = load_settings(index)
    records = run_history.recent_runs(connect(settings), settings.index, limit=limit, status=run_status)
    for record in records:
        click.echo(json.dumps(record, ensure_ascii=False) if as_json else run_history.summary_line(record))
    if not as_json:
        click.echo(f"{len(records)} run(s)")


@runs.command("show")
@click.argument("key")
@click.option("--index", help="alias (default: PRESSINDEX_INDEX or 'press')")
def runs_show(key: str, index: str | None) -> None:
    """Everything recorded about run KEY (its id, or an id prefix from `runs list`)."""
    from pressindex.index.es_client import connect
    from pressindex.ingest import run_history

    settings = load_settings(index)
    record = run_history.find_run(connect(settings), settings.index, key)
    if record is None:
        raise click.ClickException(f"no single run matches {key!r}")
    click.echo(json.dumps(record, ensure_ascii=False, indent=2))


@runs.command("create")
@click.option("--index", help="alias (default: PRESSINDEX_INDEX or 'press')")
def runs_create(index: str | None) -> None:
    """Create <alias>-runs from mappings/runs.json (each run also does), for Kibana to find it at once."""
    from pressindex.index.es_client import connect
    from pressindex.ingest import run_history

    settings = load_settings(index)
    click.echo(run_history.ensure_runs_index(connect(settings), settings.index))


# -- parse --------------------------------------------------------------------------------------


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def parse(files: tuple[Path, ...]) -> None:
    """Parse FILES and print one JSON object per message (per file for plain text; no Elasticsearch needed).

    Each file parses in a parse process within the ingest's limits (PRESSINDEX_PARSE_SECONDS_PER_MB,
    PRESSINDEX_PARSE_MIN_SECONDS, PRESSINDEX_PARSE_MEMORY_MB); a file over them gets an error
    record (parse_timeout, parse_memory) and the exit code is 1, as for any rejected file."""
    from pressindex.ingest import pipeline
    from pressindex.ingest.parse_pool import ParseLimits

    settings = load_settings()
    failed = 0
    outcomes = pipeline.parse_files(
        files,
        max_bytes=settings.max_file_bytes,
        workers=max(1, min(len(files), settings.parse_workers)),
        limits=ParseLimits.from_settings(settings),
    )
    for outcome in outcomes:
        if isinstance(outcome, pipeline.Rejected):
            failed += 1
            click.echo(json.dumps(outcome.as_dict(), ensure_ascii=False))
        else:
            click.echo(json.dumps(outcome.to_json_dict(), ensure_ascii=False))
    if failed:
        sys.exit(1)


# -- evaluate -----------------------------------------------------------------------------------


@cli.command()
@click.option("--corpora", type=click.Path(path_type=Path, exists=True, file_okay=False),
              default=lambda: str(Path("..") / "shared" / "corpora"), show_default="../shared/corpora",
              help="folder holding 10kgnad_test/ and fundus_multilingual/")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option(
    "--mismatches",
    is_flag=True,
    help="also list the dateline disagreements and the rows whose structured renderings differ",
)
def evaluate(corpora: Path, as_json: bool, mismatches: bool) -> None:
    """Measure parsing accuracy on the evaluation corpora (datelines, agencies, language, dates), and
    whether each text rendered as NewsML-G2 and as dpa digitalwires JSON gives the same fields."""
    from pressindex.evaluate.fields import evaluate as run_evaluation

    report = run_evaluation(corpora)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, default=str))
        return
    click.echo(report.to_markdown())
    if mismatches:
        click.echo("\n".join(["", *report.mismatches]))
        for agreement in report.formats.sets if report.formats else ():  # rows only: no corpus text
            click.echo("\n".join(f"{agreement.name}: {key} differs in {', '.join(rows)}"
                                  for key, rows in agreement.examples.items()))  # fmt: skip


# -- ingest -------------------------------------------------------------------------------------


class _ProgressBar:
    """Shows a progress bar on a terminal for runs of more than a few batches."""

    def __init__(self) -> None:
        self.bar: ProgressBar[int] | None = None

    def started(self, total: int) -> None:
        if total >= 1000 and sys.stderr.isatty():
            self.bar = click.progressbar(length=total, label="ingesting", file=sys.stderr)
            self.bar.__enter__()

    def advanced(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def run_ingest(paths: list[str], *, index: str, batch_size: int | None = None, force: bool = False) -> dict:
    """Run the ingest flow in this process, with a progress bar on a terminal. SIGTERM or Ctrl-C
    stops it within seconds (``pressindex.ingest.interrupts``)."""
    from pressindex.ingest import pipeline, progress, zombie_runs
    from pressindex.ingest.head_start import HeadStart
    from pressindex.ingest.interrupts import StopOnSignal
    from pressindex.ingest.parse_pool import ParseLimits

    settings = load_settings()
    zombie_runs.set_heartbeat(settings.heartbeat_seconds)  # before Prefect loads
    with StopOnSignal(grace_seconds=settings.stop_grace_seconds):
        if settings.task_runner == "threads":
            # The parse processes import the parser (about a second) while this one imports Prefect,
            # then parse the first new files until the batches ask for them.
            pipeline.start_parse_pool(settings.parse_workers, ParseLimits.from_settings(settings))
        head_start = HeadStart().begin(
            paths, settings=settings, alias=index, force=force, batch_size=batch_size
        )
        bar = _ProgressBar()
        progress.subscribe(bar)
        try:
            flow = load_flow("ingest", "ingest")
            return flow(paths=paths, index=index, batch_size=batch_size, force=force)
        finally:
            head_start.end()
            progress.unsubscribe(bar)
            bar.close()


def _print_summary(summary: dict, settings: Settings) -> None:
    quarantined = summary["quarantined"]
    click.echo(
        f"files seen: {summary['files_seen']}  indexed: {summary['indexed']}  unchanged: {summary['unchanged']}  "
        f"superseded: {summary['superseded']}  quarantined: {sum(quarantined.values())}  "
        f"seconds: {summary['seconds']}"
    )
    for code, n in sorted(quarantined.items()):
        click.echo(
            f"  quarantined {code}: {n}  (pressindex quarantine list; copies in {settings.quarantine_dir}/)"
        )
    if summary["quarantined_before"]:
        click.echo(f"  skipped, still in quarantine with unchanged content: {summary['quarantined_before']}")
    if summary["replaced_removed"]:
        click.echo(f"  old documents of changed files removed: {summary['replaced_removed']}")
    if summary["released_from_quarantine"]:
        click.echo(f"  left quarantine: {summary['released_from_quarantine']}")
    for reason in summary.get("degraded_reasons", ()):
        click.echo(f"  DEGRADED (pressindex runs show {summary['run_id'][:8]}): {reason}")
    if summary.get("media_items"):
        indexed = (
            "indexed as caption documents"
            if settings.media_captions_as_documents
            else "recorded, not indexed"
        )
        click.echo(f"  media items (pictures, audio, video): {summary['media_items']}, {indexed}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--index", help="alias to ingest into (default: PRESSINDEX_INDEX or 'press')")
@click.option("--batch-size", type=int, help="files per task run")
@click.option("--force", is_flag=True, help="reprocess files whose content is unchanged")
@click.option("--json", "as_json", is_flag=True, help="print the summary as JSON")
def ingest(
    paths: tuple[Path, ...], index: str | None, batch_size: int | None, force: bool, as_json: bool
) -> None:
    """Run the Prefect ingest flow over new and changed files under PATHS."""
    _ingest_and_report(
        [str(p) for p in paths], load_settings(index), batch_size=batch_size, force=force, as_json=as_json
    )


def _ingest_and_report(
    paths: list[str], settings: Settings, *, batch_size=None, force=False, as_json=False
) -> None:
    try:
        summary = run_ingest(paths, index=settings.index, batch_size=batch_size, force=force)
    except (PressindexError, FileNotFoundError) as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(summary))
    else:
        _print_summary(summary, settings)


# -- quarantine ---------------------------------------------------------------------------------


@cli.group()
def quarantine() -> None:
    """Files that could not be indexed: inspect them and reprocess them."""


@quarantine.command("list")
@click.option("--index", help="alias (default: PRESSINDEX_INDEX or 'press')")
@click.option("--code", help="only this error code (empty, binary, too_large, undecodable, …)")
@click.option("--json", "as_json", is_flag=True, help="print JSON lines")
def quarantine_list(index: str | None, code: str | None, as_json: bool) -> None:
    """One line per quarantined file: id, error code, path, reason."""
    from pressindex.index.es_client import connect
    from pressindex.ingest import state

    settings = load_settings(index)
    records = state.quarantined(connect(settings), settings.index, code=code)
    for record in records:
        if as_json:
            click.echo(json.dumps({k: v for k, v in record.items() if k != "path_raw"}, ensure_ascii=False))
        else:
            click.echo(
                f"{record['id'][:12]}  {record['error_code']:<12} {record['path']}  {record['error_message']}"
            )
    if not as_json:
        click.echo(f"{len(records)} file(s) in quarantine")


@quarantine.command("show")
@click.argument("key")
@click.option("--index", help="alias (default: PRESSINDEX_INDEX or 'press')")
def quarantine_show(key: str, index: str | None) -> None:
    """Everything recorded about a quarantined file (KEY: its id, an id prefix from `list`, or its path)."""
    from pressindex.index.es_client import connect

    settings = load_settings(index)
    record = _find_record(connect(settings), settings.index, key)
    click.echo(json.dumps({k: v for k, v in record.items() if k != "path_raw"}, ensure_ascii=False, indent=2))


def _find_record(es, alias: str, key: str) -> dict:
    from pressindex.ingest import state

    record = state.get(es, alias, key)
    if record is None:
        matches = [r for r in state.quarantined(es, alias) if r["id"].startswith(key)]
        if len(matches) != 1:
            raise click.ClickException(f"no single quarantined file matches {key!r}")
        record = matches[0]
    return record


@quarantine.command("retry")
@click.argument("keys", nargs=-1)
@click.option("--all", "retry_all", is_flag=True, help="every quarantined file")
@click.option("--code", help="with --all: only this error code")
@click.option("--index", help="alias (default: PRESSINDEX_INDEX or 'press')")
@click.option("--json", "as_json", is_flag=True, help="print the run summary as JSON")
def quarantine_retry(
    keys: tuple[str, ...], retry_all: bool, code: str | None, index: str | None, as_json: bool
):
    """Reprocess quarantined files from their original paths; those that now succeed leave quarantine."""
    from pressindex.index.es_client import connect
    from pressindex.ingest import state
    from pressindex.model import display_path

    settings = load_settings(index)
    es = connect(settings)
    if retry_all:
        records = state.quarantined(es, settings.index, code=code)
    elif keys:
        records = [_find_record(es, settings.index, k) for k in keys]
    else:
        raise click.UsageError("name files to retry, or use --all")
    paths: list[str] = []
    gone: list[str] = []  # originals deleted since: nothing to retry
    for record in records:
        path = state.raw_path(record)
        (paths if os.path.lexists(path) else gone).append(path)
    for path in gone:
        click.echo(f"original file is gone, left in quarantine: {display_path(path)}", err=True)
    if not paths:
        click.echo("nothing to retry")
        return
    _ingest_and_report(paths, settings, force=True, as_json=as_json)


# -- serve --------------------------------------------------------------------------------------


@cli.command()
@click.option("--inbox", envvar="PRESSINDEX_INBOX_DIR", required=True, type=click.Path(path_type=Path),
              help="directory of raw files (env PRESSINDEX_INBOX_DIR)")  # fmt: skip
@click.option(
    "--cron",
    default="0 2 * * *",
    show_default=True,
    envvar="PRESSINDEX_SCHEDULE_CRON",
    help="schedule (env PRESSINDEX_SCHEDULE_CRON)",
)
@click.option(
    "--timezone",
    default="Europe/Berlin",
    show_default=True,
    envvar="PRESSINDEX_SCHEDULE_TIMEZONE",
    help="time zone of the schedule (env PRESSINDEX_SCHEDULE_TIMEZONE)",
)
@click.option("--index", help="alias (default: PRESSINDEX_INDEX or 'press')")
def serve(inbox: Path, cron: str, timezone: str, index: str | None) -> None:
    """Serve the nightly deployment: runs the ingest flow on the schedule, one run at a time; and
    `release-embargoes`, which finishes the stories of released embargoed copies every 15 minutes.

    Needs a Prefect server, which schedules the runs and shows them in its UI: PREFECT_API_URL, or
    the one `pressindex up` started (`pressindex up --serve INBOX` runs this command in the background).
    """
    from pressindex.ingest import zombie_runs

    settings = load_settings()
    zombie_runs.set_heartbeat(settings.heartbeat_seconds)  # before Prefect loads; the runs inherit it
    from prefect import serve as prefect_serve

    # a run whose process dies without a word is marked Crashed, and frees the slot, after 3 missed heartbeats
    zombie_runs.ensure_automation(settings.heartbeat_seconds)
    make_deployments = load_flow("ingest", "served_deployments")
    prefect_serve(*make_deployments(str(inbox.absolute()), cron=cron, timezone=timezone, index=index))


# -- search -------------------------------------------------------------------------------------


def _distinct_fragments(highlight: dict[str, list[str]], limit: int) -> list[str]:
    """Body fragments first; a title or lead fragment repeated inside the body is shown once."""
    seen: list[str] = []
    for field in sorted(highlight, key=lambda f: (not f.startswith("body"), f)):
        for fragment in highlight[field]:
            key = " ".join(fragment.split()).rstrip(".")
            if not any(key in s or s in key for s in seen):
                seen.append(key)
    return seen[:limit]


@cli.command()
@click.argument("query", nargs=-1)
@click.option("--agency", help="credited agency, e.g. dpa, AFP")
@click.option("--language", help="ISO 639-1 code, e.g. de, en; und for undecided")
@click.option("--dateline", help="dateline place, e.g. Frankfurt")
@click.option("--regional-service", help="dpa regional service, e.g. lni")
@click.option(
    "--source", help="the source field: the originating source or publication a structured file names"
)
@click.option("--month", help="published in this month, Europe/Berlin time (YYYY-MM)")
@click.option("--from", "date_from", help="published on or after (YYYY-MM-DD)")
@click.option("--to", "date_to", help="published on or before (YYYY-MM-DD)")
@click.option(
    "--format",
    "wire_format",
    help="file format",
    type=click.Choice(
        ["iptc7901", "anpa1312", "newsml_g2", "nitf", "digitalwires", "ninjs", "text"], case_sensitive=False
    ),
)
@click.option("--wire-service", help="the wire service of the header, e.g. bdt, nsb")
@click.option(
    "--urgency", type=click.IntRange(1, 9), help="this urgency or higher (1 highest): 2 = Eil and Blitz"
)
@click.option("--category", help="ressort code (pl, wi, vm, …) or name (Politik, …)")
@click.option("--genre", help="e.g. Vorschau, Zusammenfassung")
@click.option("--corrections-only", is_flag=True, help="only corrections (is_correction)")
@click.option("--index", help="alias to search (default: PRESSINDEX_INDEX or 'press')")
@click.option("--page", type=int, default=1, show_default=True, help="page of hits, from 1")
@click.option("--size", type=int, default=10, show_default=True, help="hits per page")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--show-query", is_flag=True, help="print the Elasticsearch query")
@click.option("--all-copies", is_flag=True, help="every copy of a story, not one hit per story")
def search(
    query,
    agency,
    language,
    dateline,
    regional_service,
    source,
    month,
    date_from,
    date_to,
    wire_format,
    wire_service,
    urgency,
    category,
    genre,
    corrections_only,
    index,
    page,
    size,
    as_json,
    show_query,
    all_copies,
) -> None:
    """Full-text QUERY ("phrase", -exclude, a OR b) with facets for agency, regional service, dateline,
    language, source, month and, for wire copy, format, wire service, urgency, category, genre and
    corrections. Documents under embargo, withdrawal notices and withdrawn stories are not found
    through the alias. Copies of one story are one hit ("N more: …") unless --all-copies."""
    from pressindex.index.es_client import connect
    from pressindex.search import SearchFilters
    from pressindex.search import search as run_search

    query = " ".join(query)  # `search Brücke Kassel` as `search "Brücke Kassel"`: words are ANDed
    settings = load_settings(index)
    filters = SearchFilters(
        agency=agency,
        language=language,
        dateline=dateline,
        date_from=date_from,
        date_to=date_to,
        regional_service=regional_service,
        source=source,
        month=month,
        format=wire_format,
        wire_service=wire_service,
        urgency=urgency,
        category=category,
        genre=genre,
        corrections_only=corrections_only,
    )
    try:
        result = run_search(
            connect(settings), settings.index, query, filters, page=page, size=size, collapse=not all_copies
        )
    except PressindexError as exc:
        _fail(exc)
    if show_query:
        click.echo(json.dumps(result.query, indent=2, ensure_ascii=False), err=as_json)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    stories = f" in {result.stories} stories" if result.stories is not None else ""
    click.echo(f"{result.total} hit(s){stories} for {query!r}")
    for n, hit in enumerate(result.hits, (page - 1) * size + 1):
        meta = ", ".join(
            x
            for x in [
                " / ".join(hit["agencies"]), hit["dateline"], hit["published"], hit["language"],
                hit.get("category_name"), f"urgency {hit['urgency']}" if hit.get("urgency") else None,
                hit.get("genre"), "correction" if hit.get("is_correction") else None,
            ]
            if x
        )  # fmt: skip
        click.echo(f"\n{n}. {hit['title']}  [{meta}]  score {hit['score']:.2f}")
        click.echo(f"   {hit['source_path']}")
        for fragment in _distinct_fragments(hit["highlight"], limit=2):
            click.echo(f"   … {fragment} …")
        if hit.get("copies"):
            click.echo(f"   {_copies_line(hit)}")
    click.echo("\nfacets:")
    for name, buckets in result.facets.items():
        shown = ", ".join(f"{k} ({v})" for k, v in buckets.items()) or "-"
        click.echo(f"  {name}: {shown}")


def _copies_line(hit: dict) -> str:
    """``3 more: dpa, AFP; Berlin, Paris; 2025-03-14 10:37 …`` for a collapsed hit."""
    others = hit["other_copies"]
    agencies = dict.fromkeys(a for o in others for a in o.get("agencies") or ())
    datelines = dict.fromkeys(o["dateline"] for o in others if o.get("dateline"))
    # each time once, as agencies and datelines: copies sent at one minute are common
    times = dict.fromkeys(str(o["published"])[:16].replace("T", " ") for o in others if o.get("published"))
    parts = [", ".join(x) for x in (agencies, datelines, times) if x]
    ids = " ".join(o["id"] for o in others)
    return f"{hit['copies']} more: {'; '.join(parts) or '-'}  (ids: {ids}{' …' if hit['copies'] > len(others) else ''})"


# -- stories ------------------------------------------------------------------------------------
# The commands import the story modules when they run: pressindex.stories brings numpy (0.4 s).


@cli.command()
@click.argument("story_id")
@click.option("--index", help="alias (default: PRESSINDEX_INDEX or 'press')")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def story(story_id: str, index: str | None, as_json: bool) -> None:
    """The documents of story STORY_ID in time order (an id merged into another story finds that one)."""
    from pressindex.index.es_client import connect
    from pressindex.stories.store import story_members, surviving_id

    settings = load_settings(index)
    es = connect(settings)
    found = surviving_id(es, settings.index, story_id)
    if found is None:
        raise click.ClickException(f"no story {story_id} in {settings.index}")
    docs = story_members(es, settings.index, found)
    if as_json:
        listing = [{"id": d["_id"], **d["_source"]} for d in docs]
        click.echo(
            json.dumps({"story_id": found, "asked": story_id, "documents": listing}, ensure_ascii=False)
        )
        return
    merged = f" (merged into {found})" if found != story_id else ""
    click.echo(f"story {story_id}{merged}: {len(docs)} document(s)")
    for d in docs:
        src = d["_source"]
        mark = "*" if src.get("story_representative") else " "
        meta = ", ".join(x for x in [str(src.get("published") or "undated"), " / ".join(src.get("agencies") or ()),
                                     src.get("dateline")] if x)  # fmt: skip
        click.echo(f"{mark} {src.get('title')}  [{meta}]  {d['_id']}")
    click.echo("* representative (the most complete copy)")


@cli.group()
def stories() -> None:
    """Story clusters: copies, versions and reports of one story (docs/stories.md)."""


@stories.command("rebuild")
@click.option("--since", help="documents published (or, without a date, ingested) on or after YYYY-MM-DD")
@click.option("--index", help="alias (default: PRESSINDEX_INDEX or 'press')")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def stories_rebuild(since: str | None, index: str | None, as_json: bool) -> None:
    """Recompute the stories of a range (after a threshold change) from the stored fingerprints,
    without parsing again; documents from before story clusters get theirs from their stored text."""
    from pressindex.index.es_client import connect
    from pressindex.index.indices import current_index
    from pressindex.stories.rebuild import rebuild_stories

    if since is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", since):
        raise click.BadParameter(f"{since!r}: a day as YYYY-MM-DD", param_hint="--since")
    settings = load_settings(index)
    es = connect(settings)
    if current_index(es, settings.index) is None:  # else a mistyped --index "rebuilt" 0 documents
        raise click.ClickException(
            f"there is no index {settings.index!r} yet: ingest into it first, or name another with --index"
        )
    try:
        report = rebuild_stories(
            es, settings.index, since=since, threshold=settings.story_threshold,
            window_days=settings.story_window_days,
        )  # fmt: skip
    except (PressindexError, ValueError) as exc:
        _fail(exc)
    click.echo(json.dumps(report.as_dict()) if as_json else str(report))


def _register_admin_commands() -> None:
    from pressindex.cli.admin import COMMANDS

    for command in COMMANDS:
        cli.add_command(command)


_register_admin_commands()
