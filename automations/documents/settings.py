"""The settings the documents need: ``[association]`` and ``[documents]``.

Both are sections of the configuration, read and validated with the others by
``config.load_settings`` (models in :mod:`automations.settings.documents`).
"""

from __future__ import annotations

from ..settings.documents import REPO_TEMPLATES, AssociationSettings, DocumentsSettings

__all__ = ["REPO_TEMPLATES", "AssociationSettings", "DocumentsSettings"]
