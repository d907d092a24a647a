"""The outbox: how every job that e-mails sends each message at most once.

Renewal reminders, place notices, form acknowledgements, receipts, documents for
signature, the report to the board and the daily summary all go through it:

- :mod:`.messages`: what a message is (its key in ``Relances``: addressee, reference date,
  label; its rendering; its status ``prévue``/``envoyée``/``échec``/``annulée``/``à vérifier``)
  and what a message left « en cours » by an earlier run is;
- :mod:`.ledger`: the ``Relances`` rows written and read (the history rules themselves are
  pure: ``rules.outbox``);
- :mod:`.sending`: the claim/send/record loop, each message claimed just before it is sent;
- :mod:`.preview`: a run without server, or a dry run, writes ``.eml`` files instead;
- :mod:`.results`: the counts, the Journal's wording, the by-status listing;
- :mod:`.journal_line`: the run's ``Journal`` line.
"""

from .journal_line import journal
from .ledger import DETAILS, STILL_SENDING, check_rows, claim_row, entries, outcome_row, row, to_check_row
from .messages import BY_ANOTHER_RUN, INTERRUPTED, PLANNED, PREVIEW, InDoubt, Mail, ToCheck
from .preview import Previewed, previews, write_previews
from .results import REMINDER_GUIDE, RESEND_GUIDE, MessageCounts, by_status, preview_outcome, to_check_lines
from .sending import connect, send_batch, send_or_record

__all__ = [
    "BY_ANOTHER_RUN",
    "DETAILS",
    "INTERRUPTED",
    "PLANNED",
    "PREVIEW",
    "REMINDER_GUIDE",
    "RESEND_GUIDE",
    "STILL_SENDING",
    "ToCheck",
    "InDoubt",
    "Mail",
    "MessageCounts",
    "Previewed",
    "by_status",
    "check_rows",
    "claim_row",
    "connect",
    "entries",
    "journal",
    "outcome_row",
    "preview_outcome",
    "previews",
    "row",
    "send_batch",
    "send_or_record",
    "to_check_lines",
    "to_check_row",
    "write_previews",
]
