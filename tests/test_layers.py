"""The package's layers hold: each layer imports only what its ``__init__`` docstring allows.

Read from the source with ``ast`` (imports inside functions count too), so a lazy import cannot
slip past. The picture is in ``src/pressindex/__init__.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "pressindex"

CORE = {
    "pressindex.errors",
    "pressindex.project",
    "pressindex.config",
    "pressindex.model",
    "pressindex.languages",
}
PURE_STORIES = {
    "pressindex.stories",  # its __init__ re-exports the pure part only
    "pressindex.stories.features",
    "pressindex.stories.fields",
    "pressindex.stories.similarity",
    "pressindex.stories.vocabulary",
    "pressindex.stories.stem_weights",
    "pressindex.stories.de_stem_levels",
}

# layer -> (pressindex modules or packages it may import, third-party packages it must not import)
RULES: dict[str, tuple[set[str], set[str]]] = {
    "core": (CORE | PURE_STORIES | {"pressindex.localnode.node"}, {"elasticsearch", "prefect", "click"}),
    "parse": (
        {"pressindex.parse", "pressindex.errors", "pressindex.model"},
        {"elasticsearch", "prefect", "click", "pydantic", "pydantic_settings"},
    ),
    "stories": (CORE | {"pressindex.stories", "pressindex.index"}, {"prefect", "click"}),
    "index": (CORE | {"pressindex.index"}, {"prefect", "click"}),
    "localnode": (CORE | {"pressindex.localnode", "pressindex.index.es_client"}, {"click"}),
    "ingest": (
        CORE | {"pressindex.ingest", "pressindex.parse", "pressindex.stories", "pressindex.index"},
        {"click"},
    ),
    "search": (CORE | {"pressindex.index", "pressindex.stories"}, {"prefect", "click"}),
    "evaluate": (
        CORE
        | {"pressindex.evaluate", "pressindex.parse", "pressindex.stories", "pressindex.ingest.withdrawals"},
        {"elasticsearch", "prefect", "click"},
    ),
    "cli": ({"pressindex"}, set()),
}


def _layer(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    if len(parts) > 1:
        return parts[0]
    name = parts[0].removesuffix(".py")
    if name == "search":
        return "search"
    if name in ("__init__", "__main__"):
        return "cli"  # __main__ runs the CLI
    return "core"


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "pressindex":  # from pressindex import ingest -> pressindex.ingest
                found += [(node.lineno, f"pressindex.{alias.name}") for alias in node.names]
            else:
                found += [(node.lineno, node.module)]
    return found


def _allowed(module: str, allowed: set[str]) -> bool:
    return any(module == a or module.startswith(a + ".") for a in allowed)


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "analysis_plugin" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_imports_only_what_its_layer_allows(path):
    own, banned = RULES[_layer(path)]
    broken = []
    for line, module in _imports(path):
        top = module.split(".")[0]
        if top == "pressindex":
            if not _allowed(module, own):
                broken.append(f"line {line}: {module}")
        elif top in banned:
            broken.append(f"line {line}: {module}")
    assert not broken, f"{path.relative_to(PACKAGE)} ({_layer(path)}) imports across its layer: {broken}"


def test_every_package_says_what_it_owns_and_may_import():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert (
            "May import" in doc or "may import" in doc
        ), f"{init.parent.name}/__init__.py says nothing of its imports"


def test_the_flows_are_thin_wrappers_that_never_import_click():
    for path in (PACKAGE.parents[1] / "flows").glob("*.py"):
        assert not [m for _, m in _imports(path) if m.split(".")[0] == "click"], path.name


def test_the_rules_see_a_broken_import(tmp_path):
    """A check that finds nothing could be blind: an Elasticsearch import in a parser is caught."""
    module = tmp_path / "bad.py"
    module.write_text(
        "def f():\n    from elasticsearch import Elasticsearch\n    import pressindex.ingest.state\n"
    )
    found = [m for _, m in _imports(module)]
    assert found == ["elasticsearch", "pressindex.ingest.state"]
    own, banned = RULES["parse"]
    assert "elasticsearch" in banned and not _allowed("pressindex.ingest.state", own)
