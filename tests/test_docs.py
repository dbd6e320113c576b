"""Every command documented: help texts, docs/commands.md, settings, links, the README's commands.

The command tree is walked with click's own API (``list_commands``/``get_command`` on each group, so
lazily loaded groups count too); nothing runs a command. Each command path (``pressindex es start``)
needs a help text and a section in docs/commands.md whose heading is that path in backticks, and
each of its long options a help text and a mention in that section. As sqlite-utils does it: a
command or option added without docs fails here, not in a user's hands.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from pressindex.cli.main import cli
from pressindex.config import Settings

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REFERENCE = DOCS / "commands.md"
README_MAX_BYTES = 10 * 1024  # a front door, not a manual (issue 23)


def command_tree(command: click.Command, path: str, parent: click.Context | None = None):
    """(path, command) for ``command`` and everything below it, groups included."""
    ctx = click.Context(command, info_name=path.rsplit(" ", 1)[-1], parent=parent)
    yield path, command
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            yield from command_tree(command.get_command(ctx, name), f"{path} {name}", ctx)


COMMANDS = dict(command_tree(cli, "pressindex"))


def long_options(command: click.Command) -> list[str]:
    return [
        opt
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden
        for opt in (*param.opts, *param.secondary_opts)
        if opt.startswith("--")
    ]


def documented_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))])


def headings(markdown: str) -> list[tuple[int, str, int]]:
    """(level, text without backticks, offset) of each Markdown heading outside fenced code."""
    found, fenced, offset = [], False, 0
    for line in markdown.splitlines(keepends=True):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"(#{1,6}) (.+)", line)):
            found.append((len(m.group(1)), m.group(2).strip().replace("`", ""), offset))
        offset += len(line)
    return found


def reference_sections() -> dict[str, str]:
    """docs/commands.md cut at its headings: heading text -> the text up to the next heading."""
    text = REFERENCE.read_text(encoding="utf-8")
    marks = headings(text)
    ends = [offset for _, _, offset in marks[1:]] + [len(text)]
    return {title: text[offset:end] for (_, title, offset), end in zip(marks, ends, strict=True)}


def mentions(text: str, option: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None


def test_the_tree_holds_the_known_commands():
    # the walk itself: subgroups are descended into, not only listed
    assert {
        "pressindex",
        "pressindex es start",
        "pressindex stories rebuild",
        "pressindex index drop-old",
    } <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_has_help(path):
    command = COMMANDS[path]
    assert (command.help or "").strip(), f"{path} has no help text (its docstring)"


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_option_has_help(path):
    missing = [
        param.opts[0]
        for param in COMMANDS[path].params
        if isinstance(param, click.Option) and not param.hidden and not (param.help or "").strip()
    ]
    assert not missing, f"{path}: options without help: {missing}"


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_and_option_is_in_the_reference(path):
    sections = reference_sections()
    assert path in sections, f"docs/commands.md has no section '`{path}`'"
    missing = [opt for opt in long_options(COMMANDS[path]) if not mentions(sections[path], opt)]
    assert not missing, f"docs/commands.md, section {path}: options not mentioned: {missing}"


def test_the_reference_documents_no_command_that_is_gone():
    documented = {title for title in reference_sections() if title.startswith("pressindex")}
    assert documented <= set(COMMANDS), f"sections for unknown commands: {sorted(documented - set(COMMANDS))}"


def test_every_command_and_option_appears_in_readme_or_docs():
    text = documented_text()
    for path, command in COMMANDS.items():
        assert path in text, path
        for opt in long_options(command):
            assert mentions(text, opt), f"{path} {opt}"


def test_every_setting_is_documented():
    text = documented_text()
    for name, field in Settings.model_fields.items():
        aliases = getattr(field.validation_alias, "choices", None) or [f"PRESSINDEX_{name.upper()}"]
        assert any(alias in text for alias in aliases), f"setting {name} ({aliases[0]}) is in no doc"


def test_ci_runs_the_readmes_test_command_exactly():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = [line for line in ci.splitlines() if line.startswith("./scripts/bootstrap.sh")]
    assert len(command) == 1, ".ci/run should end with the README's test command"
    assert f"```bash\n{command[0]}\n```" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_is_a_front_door():
    readme = (ROOT / "README.md").read_bytes()
    assert len(readme) <= README_MAX_BYTES, f"README.md has {len(readme)} bytes; move details to docs/"
    text = readme.decode("utf-8")
    assert "pressindex up" in text and "pressindex ingest seeds/" in text  # the main command


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


@pytest.mark.parametrize("page", ["README.md", *sorted(p.name for p in DOCS.glob("*.md"))])
def test_links_between_the_docs_resolve(page):
    source = ROOT / page if page == "README.md" else DOCS / page
    text = source.read_text(encoding="utf-8")
    for target, anchor in re.findall(r"\]\(([^)\s#:]+\.md)(?:#([^)\s]+))?\)", text):
        linked = (source.parent / target).resolve()
        assert linked.is_file(), f"{page} links to {target}, which does not exist"
        if anchor:
            anchors = {slug(title) for _, title, _ in headings(linked.read_text(encoding="utf-8"))}
            assert anchor in anchors, f"{page} links to {target}#{anchor}, which has no such heading"
