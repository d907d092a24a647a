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
from ..mail import SWITCHED_OFF, PreviewSender, Sender, make_sender
from ..runner import Outcome
from ..workbook import Workbook, open_workbook
from .workbook_state import WorkbookState, read_state

if TYPE_CHECKING:
    from ..documents.pdf import Converter
    from .sending_switch import SendingState


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
            self.__dict__["staff_sender"] = sender
        if drive is not None:
            self.__dict__["drive"] = drive
        if converter is not None:
            self.__dict__["converter"] = converter

    @cached_property
    def workbook(self) -> Workbook:
        """The workbook of the settings, opened once for the run."""
        return open_workbook(self.settings)

    def use_workbook(self, *, lazy: bool = False) -> Workbook:
        """Open the workbook of the settings now; ``lazy``: a Google sheet's metadata is read
        when first needed (a pass that reads one tab by its title costs that one read)."""
        workbook = open_workbook(self.settings, lazy=lazy)
        self.__dict__["workbook"] = workbook
        return workbook

    def fresh(self) -> RunContext:
        """A context for the next step of the same run: same settings, clock, day, workbook
        and injected senders, Drive and converter; the state read again, and the switch of
        sending as it stands now."""
        given = {k: self.__dict__[k] for k in ("sender", "drive", "converter") if k in self.__dict__}
        return RunContext(
            self.settings, self.clock, today=self.today, dry_run=self.dry_run, workbook=self.workbook, **given
        )

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
    def sending(self) -> SendingState:
        """Whether a person switched sending on (the workbook's Journal: ``.sending_switch``)."""
        from .sending_switch import sending_state

        return sending_state(self.state.journal, self.settings.mail.sending_starts_on)

    @cached_property
    def sender(self) -> Sender:
        """The mail server of ``[mail]``; the preview folder without one, or for a dry run;
        its ``envois-non-actives`` sub-folder while sending is not switched on in the
        workbook (:mod:`.sending_switch`). A sender given to the context is used as it is."""
        mail = self.settings.mail
        if mail.uses_smtp and not self.dry_run and not self.sending.on:
            return PreviewSender(mail.preview / SWITCHED_OFF)
        return make_sender(mail, dry_run=self.dry_run)

    @cached_property
    def staff_sender(self) -> Sender:
        """The sender of the staff's own messages (the daily summary, a request's answer):
        ``[mail]``'s, whatever the switch: they tell the staff that previews wait. A sender
        given to the context is this one too."""
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
