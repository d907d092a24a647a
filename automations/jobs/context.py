"""What every job entry receives (:class:`RunContext`) and what it gives back (:class:`JobResult`).

The command line and the scheduler build the same context and call the same entry
(:mod:`automations.jobs.registry`): the settings, the clock, the day, whether it is a dry
run, and the workbook and the mail sender, opened on first use (or given, in tests), and the
state every job starts from: the workbook read once and evaluated once (:mod:`.workbook_state`).
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from ..clock import Clock
from ..config import Settings
from ..delivery.drive import Drive
from ..mail import Sender, make_sender
from ..runner import Outcome
from ..workbook import Workbook, open_workbook
from .workbook_state import WorkbookState, read_state

if TYPE_CHECKING:
    from ..documents.pdf import Converter


class RunContext:
    """One run of one job: its settings, clock, day and senders."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        *,
        today: dt.date | None = None,
        dry_run: bool = False,
        workbook: Workbook | None = None,
        sender: Sender | None = None,
        drive: Drive | None = None,
        converter: Converter | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.today = today or clock.today()
        self.dry_run = dry_run
        if workbook is not None:
            self.__dict__["workbook"] = workbook
        if sender is not None:
            self.__dict__["sender"] = sender
        if drive is not None:
            self.__dict__["drive"] = drive
        if converter is not None:
            self.__dict__["converter"] = converter

    @cached_property
    def workbook(self) -> Workbook:
        """The workbook of the settings, opened once for the run."""
        return open_workbook(self.settings)

    @cached_property
    def state(self) -> WorkbookState:
        """The workbook read once and evaluated once (``jobs.workbook_state``): what every
        job of the run starts from."""
        settings = self.settings
        return read_state(
            self.workbook, self.today, settings.membership, settings.bookings, settings.formulaires
        )

    def use_state(self, state: WorkbookState) -> None:
        """Start the next steps from ``state`` (the run's read with the rows this run is
        about to write: ``jobs.forms.take_in_forms``)."""
        self.__dict__["state"] = state

    def changed(self) -> None:
        """This run wrote rows that a later step must see: the next use of ``state``
        reads the workbook again."""
        self.__dict__.pop("state", None)

    @cached_property
    def sender(self) -> Sender:
        """The mail server of ``[mail]``; the preview folder without one, or for a dry run."""
        return make_sender(self.settings.mail, dry_run=self.dry_run)

    @cached_property
    def drive(self) -> Drive:
        """Google Drive (or its emulator, DRIVE_EMULATOR_HOST) through the service account
        of ``[workbook]``, for ``[documents] drive_folder``."""
        from ..delivery.google_drive import GoogleDrive

        return GoogleDrive(
            credentials_path=self.settings.workbook.credentials,
            emulator_host=self.settings.documents.drive_emulator_host,
            retry=self.settings.workbook.retry,
        )

    @cached_property
    def converter(self) -> Converter:
        """Word to PDF: LibreOffice (``[documents] soffice``, ``pdf_timeout``)."""
        from ..documents.pdf import SofficeConverter

        documents = self.settings.documents
        return SofficeConverter(documents.soffice, documents.pdf_timeout)


class JobResult(Protocol):
    """What a job entry returns: printable, and describable in one line for ``mila etat``."""

    def as_dict(self) -> dict[str, object]: ...

    def outcome(self) -> Outcome: ...

    @property
    def journal_lost(self) -> bool:
        """The run changed the workbook (or sent mail) but its Journal line could not be
        written: the command says so and exits 3, the scheduler counts it as a failure."""
        ...
