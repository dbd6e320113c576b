"""``pressindex``: a thin command line over the library."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import click

from pressindex.config import Settings
from pressindex.errors import PressindexError
from pressindex.project import flows_dir


def _settings(index: str | None = None) -> Settings:
    settings = Settings()
    return settings.model_copy(update={"index": index}) if index else settings


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


@click.group()
@click.version_option(package_name="pressindex")
def cli() -> None:
    """Turn raw news wire files into a searchable Elasticsearch index."""


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

    settings = _settings()
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

    settings = _settings()
    if _external_notice(settings):
        return
    stopped = node.stop(settings.local_node())
    click.echo("stopped" if stopped else "no local node was running")


@es.command("status")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def es_status(as_json: bool) -> None:
    """Is the local node running and answering?"""
    from pressindex.localnode import node

    settings = _settings()
    if _external_notice(settings):
        return
    st = node.status(settings.local_node())
    if as_json:
        click.echo(json.dumps(st.as_dict()))
    else:
        state = "running" if st.running else "not running"
        health = ", answering" if st.healthy else ""
        click.echo(f"{st.url}: {state}{health}" + (f" (pid {st.pid}, Elasticsearch {st.version})" if st.pid else ""))
        click.echo(f"log file: {st.log_file}")
    if not st.healthy:
        sys.exit(1)


# -- parse --------------------------------------------------------------------------------------


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def parse(files: tuple[Path, ...]) -> None:
    """Parse FILES and print one JSON object per file (no Elasticsearch needed)."""
    from pressindex import pipeline

    settings = _settings()
    failed = 0
    for path in files:
        outcome = pipeline.parse_file(path, max_bytes=settings.max_file_bytes)
        if isinstance(outcome, pipeline.Rejected):
            failed += 1
            click.echo(json.dumps(outcome.as_dict(), ensure_ascii=False))
        else:
            click.echo(json.dumps(outcome.to_json_dict(), ensure_ascii=False))
    if failed:
        sys.exit(1)


# -- ingest -------------------------------------------------------------------------------------


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--index", help="alias to ingest into (default: PRESSINDEX_INDEX or 'press')")
@click.option("--batch-size", type=int, help="files per task run")
@click.option("--json", "as_json", is_flag=True, help="print the summary as JSON")
def ingest(paths: tuple[Path, ...], index: str | None, batch_size: int | None, as_json: bool) -> None:
    """Run the Prefect ingest flow over files and directories."""
    settings = _settings(index)
    flow = load_flow("ingest", "ingest")
    try:
        summary = flow(paths=[str(p) for p in paths], index=settings.index, batch_size=batch_size)
    except (PressindexError, FileNotFoundError) as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(summary))
        return
    quarantined = summary["quarantined"]
    click.echo(
        f"files seen: {summary['files_seen']}  indexed: {summary['indexed']}  unchanged: {summary['unchanged']}  "
        f"superseded: {summary['superseded']}  quarantined: {sum(quarantined.values())}  "
        f"seconds: {summary['seconds']}"
    )
    for code, n in sorted(quarantined.items()):
        click.echo(f"  quarantined {code}: {n}  (see {settings.quarantine_dir}/)")


# -- search -------------------------------------------------------------------------------------


@cli.command()
@click.argument("query", default="")
@click.option("--agency")
@click.option("--language")
@click.option("--dateline")
@click.option("--from", "date_from", help="published on or after (YYYY-MM-DD)")
@click.option("--to", "date_to", help="published on or before (YYYY-MM-DD)")
@click.option("--index", help="alias to search (default: PRESSINDEX_INDEX or 'press')")
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--size", type=int, default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--show-query", is_flag=True, help="print the Elasticsearch query")
def search(query, agency, language, dateline, date_from, date_to, index, page, size, as_json, show_query) -> None:
    """Full-text QUERY ("phrase", -exclude, a OR b) with facets for agency, language, dateline and month."""
    from pressindex.es_client import connect
    from pressindex.search import SearchFilters
    from pressindex.search import search as run_search

    settings = _settings(index)
    filters = SearchFilters(agency, language, dateline, date_from, date_to)
    try:
        result = run_search(connect(settings), settings.index, query, filters, page=page, size=size)
    except PressindexError as exc:
        _fail(exc)
    if show_query:
        click.echo(json.dumps(result.query, indent=2, ensure_ascii=False), err=as_json)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    click.echo(f"{result.total} hit(s) for {query!r}")
    for n, hit in enumerate(result.hits, (page - 1) * size + 1):
        meta = ", ".join(
            x for x in [" / ".join(hit["agencies"]), hit["dateline"], hit["published"], hit["language"]] if x
        )
        click.echo(f"\n{n}. {hit['title']}  [{meta}]  score {hit['score']:.2f}")
        click.echo(f"   {hit['source_path']}")
        for fragments in hit["highlight"].values():
            for fragment in fragments[:2]:
                click.echo(f"   … {fragment} …")
    click.echo("\nfacets:")
    for name, buckets in result.facets.items():
        shown = ", ".join(f"{k} ({v})" for k, v in buckets.items()) or "-"
        click.echo(f"  {name}: {shown}")
