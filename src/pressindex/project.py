"""Where the project's own files are: ``mappings/`` and ``flows/`` live beside the package, not in it."""

from __future__ import annotations

import os
from pathlib import Path


def project_dir() -> Path:
    """The checkout that holds ``mappings/`` and ``flows/`` (override: ``PRESSINDEX_PROJECT_DIR``)."""
    override = os.environ.get("PRESSINDEX_PROJECT_DIR")
    if override:
        return Path(override).resolve()
    # src/pressindex/project.py -> the checkout root (editable install, or the image's /app)
    return Path(__file__).resolve().parents[2]


def mappings_dir() -> Path:
    return project_dir() / "mappings"


def flows_dir() -> Path:
    return project_dir() / "flows"
