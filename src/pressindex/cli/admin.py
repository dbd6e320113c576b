"""Admin commands: ``pressindex index …``, ``pressindex kibana import``, ``pressindex analysis build``.

Thin adapters over :mod:`pressindex.index.indices`, :mod:`pressindex.index.kibana` and
:mod:`pressindex.index.analysis_data`; ``cli/main.py`` registers the groups with ``cli.add_command``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from pressindex.cli.settings import load_settings
from pressindex.errors import PressindexError

if TYPE_CHECKING:
    from pressindex.config import Settings


def _client(settings: Settings):
    from pressindex.index.es_client import connect

    return connect(settings)


index_option = click.option("--index", help="alias (default: PRESSINDEX_INDEX or 'press')")
json_option = click.option("--json", "as_json", is_flag=True, help="print JSON")


# -- index --------------------------------------------------------------------------------------


@click.group()
def index() -> None:
    """Versioned indices behind the alias: create, migrate to the current mappings/, drop old ones."""


@index.command("create")
@index_option
def index_create(index: str | None) -> None:
    """Create <alias>-v<N> from mappings/ and the alias, unless the alias already points at an index."""
    from pressindex.index.indices import ensure_index

    settings = load_settings(index)
    try:
        name = ensure_index(_client(settings), settings.index)
    except PressindexError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{settings.index} → {name}")


@index.command("migrate")
@index_option
@json_option
def index_migrate(index: str | None, as_json: bool) -> None:
    """Build the next versioned index from mappings/, copy the documents, swap the alias atomically."""
    from pressindex.index.indices import migrate_index

    settings = load_settings(index)
    try:
        report = migrate_index(_client(settings), settings.index)
    except PressindexError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(report.as_dict()) if as_json else str(report))


@index.command("drop-old")
@index_option
@click.option("--yes", is_flag=True, help="do not ask")
def index_drop_old(index: str | None, yes: bool) -> None:
    """Delete the versioned indices the alias no longer points at (after a migration)."""
    from pressindex.index.indices import drop_old, old_indices

    settings = load_settings(index)
    es = _client(settings)
    names = old_indices(es, settings.index)
    if not names:
        click.echo("nothing to drop")
        return
    if not yes:
        click.confirm(f"delete {', '.join(names)}?", abort=True)
    try:
        dropped = drop_old(es, settings.index)
    except PressindexError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"dropped {', '.join(dropped)}")


# -- kibana -------------------------------------------------------------------------------------


@click.group()
def kibana() -> None:
    """Kibana saved objects kept in kibana/."""


@kibana.command("import")
@click.argument("url")
@index_option
@click.option("--space", help="Kibana space id (default space when omitted)")
@click.option("--username", envvar="KIBANA_USERNAME", help="basic auth user (env KIBANA_USERNAME)")
@click.option("--password", envvar="KIBANA_PASSWORD", help="basic auth password (env KIBANA_PASSWORD)")
@click.option("--api-key", envvar="KIBANA_API_KEY", help="API key instead of a user (env KIBANA_API_KEY)")
def kibana_import(url: str, index: str | None, space: str | None, username, password, api_key) -> None:
    """Import the data view, saved search and dashboard into the Kibana at URL (overwriting)."""
    from pressindex.index.kibana import import_saved_objects

    settings = load_settings(index)
    try:
        report = import_saved_objects(
            url, alias=settings.index, space=space, username=username, password=password, api_key=api_key
        )
    except PressindexError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(str(report))
    if not report.success:
        raise SystemExit(1)


# -- analysis -----------------------------------------------------------------------------------


@click.group()
def analysis() -> None:
    """Data files of the German analysis chain in mappings/analysis/."""


@analysis.command("build")
def analysis_build() -> None:
    """Rebuild the word list, hyphenation patterns and stemmer overrides from the pinned packages.

    Run as: uv run --group analysis-data pressindex analysis build
    """
    from pressindex.index.analysis_data import build

    try:
        report = build()
    except PressindexError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(str(report))


COMMANDS = (index, kibana, analysis)
