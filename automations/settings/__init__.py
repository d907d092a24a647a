"""The typed sections of mila.toml: one small pydantic model per section.

Settings are a leaf of the house: these modules import nothing of the package but
:mod:`automations.errors`, and everything may import them. ``config.load_settings``
reads the file and the environment and validates every section at once; a section
added later is one more model here and one more field of ``config.Settings``.
"""

from __future__ import annotations

from .billing import AccountsMapping, BillingSettings
from .bookings import BookingPolicy
from .digest import DigestSettings
from .documents import AssociationSettings, DocumentsSettings
from .forms import FormsSettings
from .log import LogSettings
from .mail import MailSettings
from .membership import MembershipPolicy
from .payments import PaymentsSettings
from .privacy import PrivacySettings
from .renewals import ReminderSchedule, RenewalSettings
from .schedule import JobTiming, ScheduleSettings, Timing
from .workbook import RetryPolicy, WorkbookSettings

__all__ = [
    "AccountsMapping",
    "AssociationSettings",
    "BillingSettings",
    "BookingPolicy",
    "DigestSettings",
    "DocumentsSettings",
    "FormsSettings",
    "JobTiming",
    "LogSettings",
    "MailSettings",
    "MembershipPolicy",
    "PaymentsSettings",
    "PrivacySettings",
    "ReminderSchedule",
    "RenewalSettings",
    "RetryPolicy",
    "ScheduleSettings",
    "Timing",
    "WorkbookSettings",
]
