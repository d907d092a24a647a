"""The project's exceptions, with French messages for the people who read them.

    MilaError                   any failure a user should read about (exit code 2)
    ├── ConfigError             the configuration file or the environment is wrong
    ├── WorkbookError           the workbook cannot be opened, read or written
    │   ├── WorkbookNotFound    no such file or spreadsheet
    │   ├── WorkbookLocked      the .xlsx is open in another program
    │   ├── AccessDenied        the spreadsheet is not shared with the service account
    │   ├── CredentialsError    the service-account key is missing or invalid
    │   ├── WorkbookUnavailable network down, quota or outage beyond the retry budget
    │   └── SchemaError         a required column is missing, a header stands twice
    │       └── TabMissing      a required tab is missing (or it is not the right workbook)
    ├── MailError               the mail server refused or cannot be reached
    └── TemplateError           a template cannot be read or rendered

Lower-level exceptions (gspread, google.auth, requests, openpyxl, smtplib, jinja2)
are wrapped into these at the boundary of the module that calls the library, so
that no traceback reaches a user.
"""

from __future__ import annotations


class MilaError(Exception):
    """A failure explained in French. ``str(error)`` is the message for people."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(MilaError):
    """The configuration file or an environment variable is wrong."""


class WorkbookError(MilaError):
    """The workbook cannot be opened, read or written."""


class WorkbookNotFound(WorkbookError):
    """No such file, or no such spreadsheet."""


class WorkbookLocked(WorkbookError):
    """The .xlsx file is open in another program."""


class AccessDenied(WorkbookError):
    """The spreadsheet exists but the service account may not open it."""


class CredentialsError(WorkbookError):
    """The service-account key is missing, unreadable or refused."""


class WorkbookUnavailable(WorkbookError):
    """The network or the API failed beyond the retry budget."""


class SchemaError(WorkbookError):
    """A tab lacks a required column, or a header stands twice."""


class TabMissing(SchemaError):
    """A tab every job needs (``schema.REQUIRED_TABS``) is not in the workbook."""


class MailError(MilaError):
    """The mail server refused the batch or cannot be reached."""


class TemplateError(MilaError):
    """A template cannot be read or rendered."""


# Failures that leave no way to write to the Journal either (or no right to: a workbook
# without its required tabs may not be the association's at all). A job that fails with
# one of these does not try to note its failure in Journal.
UNREACHABLE: tuple[type[MilaError], ...] = (
    WorkbookUnavailable,
    WorkbookNotFound,
    AccessDenied,
    CredentialsError,
    WorkbookLocked,
    TabMissing,
)
