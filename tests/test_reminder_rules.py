"""Which reminder is due, from the Échéance, the schedule and the Relances history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from automations.errors import ConfigError
from automations.model.rows import Member
from automations.rules.fees import Fee, FeeLine
from automations.rules.membership import MemberComputation
from automations.rules.outbox import LogEntry, State, build_histories, normalize_status
from automations.rules.renewals import (
    AFTER,
    BEFORE,
    FIRST,
    InDoubt,
    ReminderKind,
    Send,
    Skip,
    decide,
    latest_due,
)
from automations.settings.renewals import ReminderSchedule

SCHEDULE = ReminderSchedule()  # J-30, J-7, J+15; first fee J+15; catch-up 30 days
ECHEANCE = dt.date(2026, 12, 23)
FEE = Fee(
    dt.date(2026, 12, 24),
    Decimal("180.00"),
    Decimal(20),
    Decimal("36.00"),
    Decimal("216.00"),
    (FeeLine("Forfait PREMIUM", Decimal("170.00")), FeeLine("Option Crescendo", Decimal("10.00"))),
    "Forfait PREMIUM 170 € + option Crescendo 10 € = 180 € HT",
)


def member(**kw: object) -> Member:
    values: dict[str, object] = {
        "row": 2,
        "id": "M0001",
        "structure": "Onde Claire",
        "contact": "Léa Morel",
        "email": "lea@onde.fr",
        "category": "bénéficiaire",
        "forfait": "PREMIUM",
        "joined_on": dt.date(2023, 1, 10),
        "paid_on": dt.date(2025, 12, 24),
    }
    values.update(kw)
    return Member(**values)  # type: ignore[arg-type]


def computation(m: Member, fee: Fee | None = FEE) -> MemberComputation:
    echeance = ECHEANCE if m.paid_on == dt.date(2025, 12, 24) else None
    return MemberComputation(m.row, m.id, fee, echeance, "à jour", 2, dt.date(2026, 12, 24))


def log(
    row: int,
    status: str,
    *,
    label: str = "renouvellement J-30",
    mid: str | None = "<a@mila.fr>",
    member_id: str = "M0001",
    reference: dt.date = ECHEANCE,
    address: str = "lea@onde.fr",
    details: str | None = None,
) -> LogEntry:
    return LogEntry(row, member_id, reference, label, status, address, mid, details)


def on(
    day: dt.date,
    m: Member | None = None,
    history: list[LogEntry] | tuple[LogEntry, ...] = (),
    fee: Fee | None = FEE,
    schedule: ReminderSchedule = SCHEDULE,
):
    m = m or member()
    return decide(m, computation(m, fee), day, schedule, build_histories(history))


class TestSchedule:
    def test_labels_say_which_reminder(self):
        """Labels are what the Relance column shows."""
        assert ReminderKind(BEFORE, -30).label == "renouvellement J-30"
        assert ReminderKind(AFTER, 15).label == "renouvellement J+15"
        assert ReminderKind(FIRST, 15).label == "première cotisation J+15"

    def test_nothing_before_the_first_reminder(self):
        """31 days before the Échéance, nothing is due."""
        assert latest_due(ECHEANCE, False, dt.date(2026, 11, 22), SCHEDULE) is None

    @pytest.mark.parametrize(
        ("day", "label"),
        [
            (dt.date(2026, 11, 23), "renouvellement J-30"),  # on the day
            (dt.date(2026, 12, 1), "renouvellement J-30"),  # between two reminders
            (dt.date(2026, 12, 16), "renouvellement J-7"),
            (dt.date(2026, 12, 23), "renouvellement J-7"),  # the Échéance itself
            (dt.date(2027, 1, 7), "renouvellement J+15"),
            (dt.date(2027, 6, 1), "renouvellement J+15"),
        ],
    )
    def test_the_latest_reminder_whose_date_has_come(self, day, label):
        """Only the latest reminder due counts: missed earlier ones are never sent late."""
        due = latest_due(ECHEANCE, False, day, SCHEDULE)
        assert due is not None and due.label == label and due.reference == ECHEANCE

    def test_a_member_who_never_paid_gets_the_first_fee_reminder(self):
        """Never paid: « première cotisation J+15 », 15 days after Adhésion le."""
        joined = dt.date(2026, 11, 1)
        assert latest_due(joined, True, dt.date(2026, 11, 15), SCHEDULE) is None
        due = latest_due(joined, True, dt.date(2026, 11, 16), SCHEDULE)
        assert (
            due is not None
            and due.label == "première cotisation J+15"
            and due.send_on == dt.date(2026, 11, 16)
        )

    def test_offsets_are_sorted_and_deduplicated(self):
        """The configuration may list offsets in any order."""
        assert ReminderSchedule.model_validate({"offsets": [15, -7, -30, -7]}).offsets == (-30, -7, 15)

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"offsets": "-30"},
            {"offsets": [-30, "7"]},
            {"unpaid_offsets": [-5]},
            {"catch_up_days": -1},
            {"offsets": [1.5]},
        ],
    )
    def test_wrong_schedules_are_config_errors(self, kwargs):
        """Offsets must be whole numbers of days; a first-fee offset counts after joining."""
        with pytest.raises(ConfigError, match=r"\[renewals\]"):
            ReminderSchedule(**kwargs)


class TestDecision:
    def test_due_and_never_sent_is_sent(self):
        """J-30 on the day, no history: send it."""
        decision = on(dt.date(2026, 11, 23))
        assert isinstance(decision, Send) and decision.due.label == "renouvellement J-30"

    def test_missed_days_send_only_the_latest_once(self):
        """J-30 never went (the job did not run); on J-7 only J-7 goes, and J-30 never after."""
        decision = on(dt.date(2026, 12, 17))
        assert isinstance(decision, Send) and decision.due.label == "renouvellement J-7"
        sent = [log(2, "en cours", label="renouvellement J-7"), log(3, "envoyée", label="renouvellement J-7")]
        assert on(dt.date(2026, 12, 18), history=sent) is None

    def test_already_sent_is_not_sent_again(self):
        """« envoyée » for the key: nothing to do, on that day and the next ones."""
        history = [log(2, "en cours"), log(3, "envoyée")]
        assert on(dt.date(2026, 11, 23), history=history) is None
        assert on(dt.date(2026, 11, 24), history=history) is None

    def test_a_new_echeance_is_a_new_reminder(self):
        """Reminders sent for last year's Échéance do not count for this year's."""
        history = [log(2, "envoyée", reference=dt.date(2025, 12, 23))]
        assert isinstance(on(dt.date(2026, 11, 23), history=history), Send)

    def test_ids_compare_like_the_sheet(self):
        """A history row typed « m1 » is the member M0001."""
        assert on(dt.date(2026, 11, 23), history=[log(2, "Envoyée", member_id="m1")]) is None

    def test_in_progress_without_outcome_is_in_doubt(self):
        """« en cours » alone (a crash): never resent, reported as new the first time."""
        decision = on(dt.date(2026, 11, 24), history=[log(2, "en cours")])
        assert isinstance(decision, InDoubt)
        assert [a.message_id for a in decision.new] == ["<a@mila.fr>"]

    def test_a_reported_doubt_stays_in_doubt_but_is_not_new(self):
        """Once marked « à vérifier », it is still not resent, and not reported as new."""
        decision = on(dt.date(2026, 11, 25), history=[log(2, "en cours"), log(3, "à vérifier")])
        assert isinstance(decision, InDoubt) and decision.new == ()

    def test_a_person_may_ask_to_resend(self):
        """A row « à renvoyer » typed by a person clears the doubt: the reminder goes again."""
        history = [log(2, "en cours"), log(3, "à vérifier"), log(4, "à renvoyer", mid=None)]
        assert isinstance(on(dt.date(2026, 11, 26), history=history), Send)

    def test_a_person_may_confirm_it_left(self):
        """A row « envoyée » typed with the same Message-ID closes the doubt: nothing more is sent."""
        history = [log(2, "en cours"), log(3, "à vérifier"), log(4, "envoyée")]
        assert on(dt.date(2026, 11, 26), history=history) is None

    def test_cancelled_attempts_do_not_count(self):
        """« annulée » (never handed to the server): the reminder is still to send."""
        assert isinstance(on(dt.date(2026, 11, 24), history=[log(2, "en cours"), log(3, "annulée")]), Send)

    def test_a_late_doubt_mark_does_not_undo_a_sent_outcome(self):
        """Two runs at once: « à vérifier » appended after « envoyée » for the same Message-ID
        leaves the reminder sent."""
        history = [log(2, "en cours"), log(3, "envoyée"), log(4, "à vérifier")]
        assert build_histories(history)[("M1", ECHEANCE, "renouvellement j-30")].state is State.SENT
        assert on(dt.date(2026, 11, 24), history=history) is None

    def test_one_sent_attempt_wins_over_another_runs_cancelled_one(self):
        """Attempts are told apart by Message-ID: another run's « annulée » does not reopen it."""
        history = [
            log(2, "en cours", mid="<a@x>"),
            log(3, "en cours", mid="<b@x>"),
            log(4, "envoyée", mid="<a@x>"),
            log(5, "annulée", mid="<b@x>"),
        ]
        assert on(dt.date(2026, 11, 24), history=history) is None

    def test_permanent_refusal_waits_for_a_new_address(self):
        """550 at this address: no reminder, whichever, until the address changes; then sent."""
        history = [log(2, "en cours"), log(3, "échec", details="550 5.1.1 Utilisateur inconnu")]
        skipped = on(dt.date(2026, 11, 24), history=history)
        assert isinstance(skipped, Skip) and "550 5.1.1" in skipped.reason and "« Email »" in skipped.reason
        assert isinstance(on(dt.date(2026, 12, 17), history=history), Skip)  # J-7 neither
        fixed = member(email="lea.morel@onde.fr")
        assert isinstance(on(dt.date(2026, 11, 24), fixed, history=history), Send)

    def test_a_later_success_at_the_address_lifts_the_refusal(self):
        """A message accepted at the address since the refusal: reminders go there again."""
        history = [
            log(
                2,
                "échec",
                details="550 boîte pleine",
                label="renouvellement J+15",
                reference=dt.date(2025, 12, 23),
                mid="<old@x>",
            ),
            log(3, "envoyée", label="première cotisation J+15", reference=dt.date(2025, 1, 1), mid="<ok@x>"),
        ]
        assert isinstance(on(dt.date(2026, 11, 24), history=history), Send)

    def test_temporary_refusal_is_retried(self):
        """451 (try again later): the next run sends it again."""
        history = [log(2, "en cours"), log(3, "échec", details="451 4.3.0 Réessayez plus tard")]
        assert isinstance(on(dt.date(2026, 11, 24), history=history), Send)

    def test_too_late_is_listed_not_sent(self):
        """J+15 more than 30 days ago: skipped, marked late, with what to do."""
        decision = on(dt.date(2027, 2, 7))
        assert isinstance(decision, Skip) and decision.late
        assert "15 janvier 2027" not in decision.reason and "7 janvier 2027" in decision.reason

    def test_catch_up_window_is_configurable(self):
        """catch_up_days = 0: a reminder goes only on its own day."""
        schedule = ReminderSchedule(catch_up_days=0)
        assert isinstance(on(dt.date(2026, 11, 23), schedule=schedule), Send)
        assert isinstance(on(dt.date(2026, 11, 24), schedule=schedule), Skip)

    @pytest.mark.parametrize(
        ("changes", "fee", "reason"),
        [
            ({"left_on": dt.date(2026, 6, 1)}, FEE, "membre sorti le 1er juin 2026"),
            ({"email": None, "unreadable": frozenset({"email"})}, FEE, "adresse e-mail invalide"),
            ({"email": None}, FEE, "aucune adresse e-mail"),
            ({"id": None}, FEE, "mila synchroniser"),
            ({}, None, "cotisation non calculée"),
            (
                {},
                Fee(
                    dt.date(2026, 12, 24),
                    Decimal(0),
                    Decimal(20),
                    Decimal(0),
                    Decimal(0),
                    (),
                    "Membre de droit : pas de cotisation",
                ),
                "membre de droit",
            ),
        ],
    )
    def test_members_who_cannot_be_reminded_are_skipped_with_the_reason(self, changes, fee, reason):
        """Left, invalid or missing address, no ID, no fee, nothing to pay: skipped, in French."""
        decision = on(dt.date(2026, 11, 23), member(**changes), fee=fee)
        assert isinstance(decision, Skip) and reason in decision.reason and not decision.late

    def test_a_member_who_left_long_ago_is_not_listed(self):
        """Left, and the reminder is past the catch-up window: nothing at all."""
        assert on(dt.date(2027, 6, 1), member(left_on=dt.date(2026, 6, 1))) is None

    def test_a_member_leaving_later_is_still_reminded(self):
        """« Sortie le » in the future: the member is still one today."""
        assert isinstance(on(dt.date(2026, 11, 23), member(left_on=dt.date(2027, 6, 1))), Send)

    def test_never_paid_member(self):
        """Joined on 1 Nov, never paid: the first-fee reminder from 16 Nov, keyed by Adhésion le."""
        newcomer = member(paid_on=None, joined_on=dt.date(2026, 11, 1))
        assert on(dt.date(2026, 11, 15), newcomer) is None
        decision = on(dt.date(2026, 11, 20), newcomer)
        assert isinstance(decision, Send) and decision.due.reference == dt.date(2026, 11, 1)
        sent = [log(2, "envoyée", label="première cotisation J+15", reference=dt.date(2026, 11, 1))]
        assert on(dt.date(2026, 11, 21), newcomer, history=sent) is None

    def test_unreadable_payment_date_is_reported(self):
        """« Cotisation payée le » unreadable: no guess, a reason to fix it."""
        decision = on(dt.date(2026, 11, 23), member(paid_on=None, unreadable=frozenset({"paid_on"})))
        assert isinstance(decision, Skip) and "Cotisation payée le" in decision.reason


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Envoyée", "envoyée"),
        ("envoyee", "envoyée"),
        (" EN COURS ", "en cours"),
        ("échec : 550 inconnu", "échec"),
        ("a verifier", "à vérifier"),
        ("À renvoyer", "à renvoyer"),
        ("bof", None),
        (None, None),
    ],
)
def test_statuses_are_read_like_headers(text, status):
    """Statuses typed with or without accents or capitals are recognised."""
    assert normalize_status(text) == status
