"""The project's exceptions, with French messages for the people who read them.

    MilaError                   any failure a user should read about (exit code 2)
    ├── ConfigError             the configuration file or the environment is wrong
    ├── AlreadyRunning          another mila job holds the lock (exit code 3)
    ├── WorkbookError           the workbook cannot be opened, read or written
    │   ├── WorkbookNotFound    no such file or spreadsheet
    │   ├── WorkbookLocked      the .xlsx is open in another program
    │   ├── AccessDenied        the spreadsheet is not shared with the service account
    │   ├── CredentialsError    the service-account key is missing or invalid
    │   ├── WorkbookUnavailable network down, quota or outage beyond the retry budget
    │   └── SchemaError         a required column is missing, a header stands twice
    │       └── TabMissing      a required tab is missing (or it is not the right workbook)
    ├── MailError               the mail server refused or cannot be reached
    │   ├── RecipientRefused    the server refused one message (4xx temporary, 5xx permanent)
    │   └── DeliveryUncertain   the connection broke while a message was handed over
    ├── TemplateError           a template cannot be read or rendered
    ├── OutputError             the output folder cannot be written, or a PDF not made
    │   └── PdfUnavailable      LibreOffice is not installed (or not where configured)
    ├── DriveError              Google Drive refused a request or could not be reached
    ├── PaymentsError           an import file or the HelloAsso API cannot be used
    ├── BillingError            billing is off, an invoice cannot be issued or its Factur-X made
    ├── NoDataForYear           the workbook holds nothing dated in the year asked for
    ├── ReportOutputError       the annual report cannot be written where it should go
    ├── CalendarWriteError      a calendar file could not be written
    └── PersonalDataError       a data request names nobody, or an erasure awaits --confirmer

Every subclass of MilaError is defined here, and this tree names each one at its depth
(tests/test_errors.py checks both); the modules that raise them import them from here.

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


class AlreadyRunning(MilaError):
    """Another mila job holds the lock."""

    exit_code = 3


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


class RecipientRefused(MailError):
    """The server refused this message; ``code`` 4xx is temporary, 5xx permanent."""

    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(f"Message refusé par le serveur : {code} {reason}".strip())

    @property
    def details(self) -> str:
        return f"{self.code} {self.reason}".strip()


class DeliveryUncertain(MailError):
    """The connection broke while a message was being handed over: it may have left."""


class TemplateError(MilaError):
    """A template cannot be read or rendered."""


class OutputError(MilaError):
    """The output folder cannot be written, or a PDF cannot be made."""


class PdfUnavailable(OutputError):
    """LibreOffice is not installed (or not where the configuration says)."""


class DriveError(MilaError):
    """Google Drive refused a request, or could not be reached after the retries (French)."""


class PaymentsError(MilaError):
    """An import file or the HelloAsso API cannot be used; nothing was appended."""


class BillingError(MilaError):
    """Billing is off, an invoice or credit note cannot be issued, or its Factur-X file made."""


class NoDataForYear(MilaError):
    """The workbook holds nothing dated in the year asked for."""


class ReportOutputError(MilaError):
    """The report cannot be written where it should go."""


class CalendarWriteError(MilaError):
    """A calendar file could not be written."""


class PersonalDataError(MilaError):
    """A request about a person's data (``mila donnees``) names nobody the workbook knows,
    or an erasure is refused until the staff confirm it; nothing was changed."""


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
