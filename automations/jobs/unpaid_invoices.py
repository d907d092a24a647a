"""The reminders of invoices still unpaid after their due date, sent by `mila relances`.

With billing on, a run of the renewal reminders also reminds each invoice of ``Factures``
still unpaid ``billing.reminder_offsets`` days after its due date (only the latest offset
reached, once; one too late to catch up is listed for staff to remind by hand), through the
same outbox, the same ``Relances`` ledger and the same result as the renewals
(:mod:`automations.jobs.renewals`, whose :func:`~automations.jobs.renewals.plan` calls
:func:`plan_unpaid`). The templates are ``facture_impayee.*.j2``; their variables are built
by :func:`_unpaid_context` (documented in docs/mail.md).
"""

from __future__ import annotations

import datetime as dt

from ..formatting import format_date, format_date_long, format_money
from ..mail import HeaderProblem, MailSettings, Templates
from ..mail.compose import MessageTemplates, addressed, compose
from ..model.rows import Member, id_key
from ..rules import outbox as ledger_rules
from ..rules.invoices import PURPOSE_WORDS
from ..rules.receivables import UnpaidDue, unpaid_reminders
from ..settings.billing import BillingSettings
from ..settings.renewals import RenewalSettings
from .renewals import Reminder, RenewalsResult, Skipped
from .workbook_state import WorkbookState

UNPAID = MessageTemplates.named("facture_impayee")


def plan_unpaid(
    state: WorkbookState,
    histories: ledger_rules.Histories,
    today: dt.date,
    settings: RenewalSettings,
    billing: BillingSettings,
    mail: MailSettings,
    templates: Templates,
    now: dt.datetime,
    result: RenewalsResult,
) -> None:
    """The reminders of the invoices still unpaid ``billing.reminder_offsets`` days after
    their due date, each once, through the same outbox as the renewals."""
    found, late = unpaid_reminders(
        state.invoices, today, billing.reminder_offsets, settings.catch_up_days, histories
    )
    members = state.dataset.members_by_id
    for item in late:
        invoice, member = item.invoice, members.get(id_key(item.invoice.member_id) or "")
        result.skipped.append(
            Skipped(
                invoice.member_id,
                member.structure if member else invoice.client,
                invoice.row,
                item.label,
                f"facture impayée depuis le {format_date(invoice.due_date or today)}",
                late=True,
                contact=member.contact if member else None,
                email=member.email if member else None,
                amount_ttc=invoice.due,
            )
        )
    for item in found:
        invoice = item.invoice
        member = members.get(id_key(invoice.member_id) or "")
        if member is None or not member.email or not member.id:
            result.skipped.append(
                Skipped(
                    invoice.member_id,
                    invoice.client,
                    0,
                    item.label,
                    f"facture {invoice.number} impayée : membre inconnu ou sans « Email » dans Membres ; "
                    "complétez-le pour que la relance parte.",
                )
            )
            continue
        context = _unpaid_context(member, item, today, settings, mail)
        try:
            outgoing = compose(
                mail,
                templates,
                UNPAID,
                context,
                to_name=member.contact,
                to_address=member.email,
                date=now,
                name=f"{today.isoformat()}-{member.id}-{invoice.number}-j{item.offset}",
            )
        except HeaderProblem as problem:
            result.skipped.append(
                Skipped(member.id, member.structure, member.row, item.label, problem.reason)
            )
            continue
        assert invoice.due_date is not None  # unpaid_reminders keeps dated invoices only
        result.messages.append(
            Reminder(
                member_id=member.id,
                structure=member.structure,
                contact=member.contact,
                address=outgoing.recipient,
                reminder=item.label,
                reference=invoice.due_date,
                send_on=item.send_on,
                message_id=outgoing.message_id,
                amount_ttc=invoice.due,
                outgoing=outgoing,
            )
        )


def _unpaid_context(
    member: Member, item: UnpaidDue, today: dt.date, settings: RenewalSettings, mail: MailSettings
) -> dict[str, object]:
    """The variables of the unpaid-invoice reminder (documented in docs/mail.md)."""
    invoice = item.invoice
    return {
        **addressed(mail, member),
        "facture": {
            "numero": invoice.number,
            "date": format_date_long(invoice.date) if invoice.date else "",
            "echeance": format_date_long(invoice.due_date) if invoice.due_date else "",
            "objet": PURPOSE_WORDS.get(invoice.purpose or "", invoice.purpose or ""),
            "periode": invoice.period or "",
            "ttc": format_money(invoice.amount_ttc or 0),
            "reste": format_money(invoice.due),
        },
        "relance": {"libelle": item.label, "jours": item.offset},
        "jours_de_retard": max(0, (today - invoice.due_date).days) if invoice.due_date else 0,
        "paiement": {
            "lien": settings.payment_link,
            "iban": settings.iban,
            "bic": settings.bic,
            "titulaire": settings.account_holder or mail.association,
            "reference": invoice.number,
            "instructions": settings.payment_instructions,
        },
        "contact": {
            "nom": settings.contact_name or f"l'équipe du {mail.association}",
            "email": settings.contact_email or mail.reply_to or mail.sender,
            "telephone": settings.contact_phone,
        },
    }
