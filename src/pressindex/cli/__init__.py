"""The command line: a thin layer of click commands over the library (``main`` holds the group
and the ingest/search commands, ``admin`` the index administration commands).

May import every other layer; it is the only layer that imports click.
"""

from pressindex.cli.main import cli

__all__ = ["cli"]
