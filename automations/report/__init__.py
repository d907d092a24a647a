"""The annual activity report (`mila docs rapport --annee AAAA`).

- ``figures``: every number of the report, computed from a ``Dataset`` for a year and the
  year before, as plain frozen dataclasses (:class:`figures.ReportData`);
- ``charts``: the charts, drawn with matplotlib (Agg) into PNG bytes;
- ``word``: ``templates/rapport.docx`` (the styles staff restyle in Word), opened with the
  styles the writer needs, and the few OOXML helpers the writer uses;
- ``writer``: the Word document itself, from a ``ReportData`` and the template.

The job that reads the workbook and writes the file is ``automations.jobs.report``.
"""

from ..errors import NoDataForYear
from .data import ReportData
from .figures import compute_report

__all__ = ["NoDataForYear", "ReportData", "compute_report"]
