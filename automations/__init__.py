"""MILA automations: jobs that keep the association's shared workbook right."""

__version__ = "0.1.0"
