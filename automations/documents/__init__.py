"""Word documents from the workbook: templates, contexts, rendering, output files.

- ``settings``: ``[association]`` and ``[documents]`` configuration sections;
- ``context``: the variables each template can use and the contexts built from the data;
- ``render``: sandboxed docxtpl rendering (each template read once, each document filling only
  the parts docxtpl renders) and the template verifier;
- ``annex``: a template followed by an annex (the convention and its règlement intérieur);
- ``outputs``: safe file names, the manifest, never overwriting an edited file, PDF.

The templates themselves are the Word files of templates/: staff edit them in Word and
``mila docs verifier`` checks them (docs/documents.md).

The jobs that use them are in ``automations.jobs.documents``.
"""

from .settings import AssociationSettings, DocumentsSettings

__all__ = ["AssociationSettings", "DocumentsSettings"]
