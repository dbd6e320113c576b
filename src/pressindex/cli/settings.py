"""The settings a command runs with, loaded on first use: the settings module (pydantic-settings)
is most of the command line's start-up, and ``--help`` never needs it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pressindex.config import Settings


def load_settings(index: str | None = None) -> Settings:
    """The environment's settings; with ``index``, for that alias instead of the configured one."""
    from pressindex.config import Settings

    return Settings().for_index(index)
