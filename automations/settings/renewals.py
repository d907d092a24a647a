"""``[renewals]``: when reminders go, how to pay, whom to contact."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from .base import Days, OptionalText, Section

_OFFSETS = "une liste de nombres entiers de jours, par exemple [-30, -7, 15]"


def _sorted(values: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(sorted(set(values)))


class ReminderSchedule(Section):
    """When reminders go out.

    ``offsets``: days from the ``Échéance`` (negative: before); ``unpaid_offsets``: days
    after ``Adhésion le`` for a member who never paid; ``catch_up_days``: how late a
    reminder may still be sent.
    """

    section = "renewals"

    offsets: Annotated[
        tuple[int, ...], Field(strict=False, description=_OFFSETS), AfterValidator(_sorted)
    ] = (-30, -7, 15)
    unpaid_offsets: Annotated[
        tuple[Annotated[int, Field(ge=0)], ...],
        AfterValidator(_sorted),
        Field(
            strict=False,
            description="une liste de nombres de jours après « Adhésion le », positifs, par exemple [15]",
        ),
    ] = (15,)
    catch_up_days: Days = 30


class RenewalSettings(ReminderSchedule):
    """The ``[renewals]`` section: its schedule (this object is one), payment and contact."""

    contact_name: OptionalText = None  # default: the association (From name)
    contact_email: OptionalText = None  # default: Reply-To, else From
    contact_phone: OptionalText = None
    iban: OptionalText = None
    bic: OptionalText = None
    account_holder: OptionalText = None
    payment_link: OptionalText = None
    payment_instructions: OptionalText = None  # e.g. « Par chèque à l'ordre de … »

    @property
    def schedule(self) -> ReminderSchedule:
        return self
