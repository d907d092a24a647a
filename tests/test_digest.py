"""The daily summary to the staff (`mila resume`, « résumé quotidien »): what it lists, and that
it goes only when something is new."""

from __future__ import annotations

import argparse
import datetime as dt
import email
import email.policy
import io
from pathlib import Path
from typing import Any, cast

from automations.cli import main
from automations.clock import FixedClock
from automations.config import Settings, build_settings
from automations.jobs.context import RunContext
from automations.jobs.digest import DigestResult, run_digest
from automations.jobs.registry import JOBS, paused_jobs
from automations.jobs.sync import run_sync
from automations.rules.membership import MembershipPolicy
from automations.runner import NOTHING, PREVIEW, SUCCESS
from automations.schedule import DEFAULT_TIMINGS
from automations.workbook import Workbook
from tests.support.memory_backend import MemoryBackend

D = dt.date
TODAY = D(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, 30)
FORM_REQUEST = (
    "Demande d'adhésion reçue par formulaire le 20/11/2026 : complétez Catégorie et Forfait "
    "pour que la cotisation se calcule."
)
MEMBERS_HEADER: list[object] = [
    "ID",
    "Structure",
    "Contact",
    "Email",
    "Catégorie",
    "Forfait",
    "Adhésion le",
    "Cotisation payée le",
    "SIRET",
]


def grids() -> dict[str, list[list[object]]]:
    """A small workbook with one point of each kind (and one warning, which is no point)."""
    return {
        "Membres": [
            MEMBERS_HEADER,
            [
                "M0001",
                "Onde Claire",
                "Léa Morel",
                "lea@onde.fr",
                "bénéficiaire",
                "BASIC",
                D(2023, 1, 10),
                D(2026, 11, 15),
                None,
            ],
            [
                "M0002",
                "Studio Nord",
                "Paul Roy",
                "paul@nord,fr",
                "bénéficiaire",
                "BASIC",
                D(2023, 1, 10),
                D(2026, 11, 15),
                None,
            ],
            [
                "M0003",
                "Ateliers Sud",
                "Ana Ruiz",
                "ana@sud.fr",
                "bénéficiaire",
                "BASIC",
                D(2023, 1, 10),
                D(2026, 11, 15),
                "57039449400291",
            ],
            [
                "M0004",
                "Ancien",
                "Max Vieux",
                "max@ancien.fr",
                "bénéficiaire",
                "BASIC",
                D(2020, 2, 1),
                D(2024, 1, 1),
                None,
            ],
            ["M0005", "Nouvelle Vague", "Inès Lo", "ines@vague.fr", None, None, D(2026, 11, 20), None, None],
        ],
        "Tarifs": [["Code", "Montant HT", "Du", "Au"], ["BASIC", 120, D(2024, 3, 1), None]],
        "Paiements": [
            ["ID", "Date", "Membre", "Payeur", "Montant", "Moyen", "Objet", "Référence", "Source"],
            ["P0001", D(2026, 11, 15), "M0001", "Léa Morel", 144, "virement", "cotisation", None, None],
            ["P0002", D(2026, 11, 18), None, "J. Inconnu", 144, "virement", "cotisation", "VIR 123", None],
        ],
        "Relances": [
            ["Membre", "Échéance", "Relance", "Statut", "Envoyée le", "Adresse", "Message-ID"],
            [
                "M0001",
                D(2026, 12, 15),
                "renouvellement J-30",
                "à vérifier",
                None,
                "lea@onde.fr",
                "<abc@mila.fr>",
            ],
        ],
        "Journal": [
            ["Date", "Tâche", "Résultat", "Détails"],
            [dt.datetime(2026, 11, 22, 9, 0), "renewals", "échec", "Le serveur d'envoi est injoignable."],
        ],
        "Réponses au formulaire 1": [
            ["Horodateur", "Adresse e-mail", "Événement", "Anomalies"],
            [
                dt.datetime(2026, 11, 21, 18, 2),
                "x@inconnu.fr",
                "E0042",
                "Aucun membre n'a l'adresse x@inconnu.fr : inscrivez-le à la main.",
            ],
        ],
    }


def synced(backend: MemoryBackend) -> MemoryBackend:
    """The workbook after a sync, and M0005 flagged as a form's membership request."""
    run_sync(Workbook(backend), today=TODAY, policy=MembershipPolicy(), clock=FixedClock(NOW))
    members = backend.grids["Membres"]
    column = members[0].index("Anomalies")
    members[5][column] = FORM_REQUEST
    return backend


def settings_for(tmp_path: Path, server: Any | None, to: list[str] | None = None) -> Settings:
    mail: dict[str, object] = {"from": "adhesions@mila.fr", "preview": str(tmp_path / "apercus")}
    if server is not None:
        mail.update({"host": "127.0.0.1", "port": server.port, "security": "none"})
    raw = {"mail": mail, "digest": {"to": ["equipe@mila.fr"] if to is None else to}}
    return build_settings(raw, env={}, base=tmp_path)


def digest(
    backend: MemoryBackend, settings: Settings, *, now: dt.datetime = NOW, dry_run: bool = False
) -> DigestResult:
    ctx = RunContext(settings, FixedClock(now), today=now.date(), workbook=Workbook(backend), dry_run=dry_run)
    return run_digest(ctx)


def body(data: bytes) -> str:
    message = email.message_from_bytes(data, policy=email.policy.default)
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def journal_lines(backend: MemoryBackend) -> list[list[object]]:
    return [line for line in backend.grids["Journal"][1:] if line[1] == "résumé quotidien"]


class TestWhatItLists:
    def test_each_kind_of_point_is_listed_with_where_and_what(self, tmp_path, smtp_server):
        """Errors by tab (form responses included), a request to complete, a payment without member,
        a reminder to check, one too old (name, e-mail, amount), a failure: each with its tab and row."""
        backend = synced(MemoryBackend(grids()))
        result = digest(backend, settings_for(tmp_path, smtp_server))
        assert result.outcome().result == SUCCESS and result.sent_to == ["equipe@mila.fr"]
        [(_, recipients, data)] = smtp_server.messages
        assert recipients == ["equipe@mila.fr"]
        text = body(data)
        assert "ERREURS DANS LE CLASSEUR" in text and "Onglet Membres :" in text
        assert "ligne 3 (M0002) : Adresse e-mail invalide" in text
        assert "Onglet Réponses au formulaire 1 :" in text and "x@inconnu.fr" in text
        assert "DEMANDES D’ADHÉSION À COMPLÉTER" in text and "ligne 6 (M0005) : Nouvelle Vague" in text
        assert "PAIEMENTS SANS MEMBRE" in text and "ligne 3 (P0002) : 144 € de J. Inconnu" in text
        assert "RELANCES À VÉRIFIER" in text and "ligne 2 (M0001) : renouvellement J-30 à lea@onde.fr" in text
        assert "Ancien (Max Vieux) <max@ancien.fr>, cotisation " in text
        assert "TÂCHES EN ÉCHEC" in text and "(relances) : le 22/11/2026 à 09:00" in text

    def test_a_warning_is_not_listed(self, tmp_path, smtp_server):
        """The SIRET warning of M0003 is in the sheet but not in the summary."""
        backend = synced(MemoryBackend(grids()))
        assert "SIRET" in str(backend.grids["Membres"][3])
        result = digest(backend, settings_for(tmp_path, smtp_server))
        assert all(item.ref != "M0003" for item in result.items)

    def test_the_message_has_a_french_subject_and_an_html_part(self, tmp_path, smtp_server):
        """Subject with the count; the HTML part lists the same points, escaped."""
        backend = synced(MemoryBackend(grids()))
        digest(backend, settings_for(tmp_path, smtp_server))
        [(_, _, data)] = smtp_server.messages
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert message["Subject"].startswith("mila : ") and "point(s) à traiter" in message["Subject"]
        html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert "Erreurs dans le classeur" in html and "&lt;max@ancien.fr&gt;" in html


class TestOnlyWhenNew:
    def test_nothing_changed_nothing_sent_nothing_written(self, tmp_path, smtp_server):
        """The day after, the same points: no message, no Journal line."""
        backend = synced(MemoryBackend(grids()))
        settings = settings_for(tmp_path, smtp_server)
        digest(backend, settings)
        again = digest(backend, settings, now=NOW + dt.timedelta(days=1))
        assert again.outcome().result == NOTHING and again.new == []
        assert len(smtp_server.messages) == 1 and len(journal_lines(backend)) == 1

    def test_a_point_solved_is_nothing_new(self, tmp_path, smtp_server):
        """A point that goes away does not bring a message."""
        backend = synced(MemoryBackend(grids()))
        settings = settings_for(tmp_path, smtp_server)
        digest(backend, settings)
        answers = backend.grids["Réponses au formulaire 1"]
        answers[1][3] = None
        assert digest(backend, settings, now=NOW + dt.timedelta(days=1)).outcome().result == NOTHING
        assert len(smtp_server.messages) == 1

    def test_a_point_solved_then_back_is_new_again(self, tmp_path, smtp_server):
        """An error summarised, fixed the next day, back the day after: reported again, as new."""
        backend = synced(MemoryBackend(grids()))
        settings = settings_for(tmp_path, smtp_server)
        digest(backend, settings)
        answers = backend.grids["Réponses au formulaire 1"]
        sentence = answers[1][3]
        answers[1][3] = None
        fixed = digest(backend, settings, now=NOW + dt.timedelta(days=1))
        assert fixed.outcome().result == NOTHING and len(smtp_server.messages) == 1
        answers[1][3] = sentence
        back = digest(backend, settings, now=NOW + dt.timedelta(days=2))
        assert back.outcome().result == SUCCESS and [i.text for i in back.new] == [sentence]
        assert len(smtp_server.messages) == 2
        assert f"[nouveau] ligne 2 : {sentence}" in body(smtp_server.messages[1][2])
        steady = digest(backend, settings, now=NOW + dt.timedelta(days=3))
        assert steady.outcome().result == NOTHING and len(smtp_server.messages) == 2

    def test_a_new_point_sends_again_marked_new(self, tmp_path, smtp_server):
        """A new error the next day: the summary goes again, the new line marked, the old ones not."""
        backend = synced(MemoryBackend(grids()))
        settings = settings_for(tmp_path, smtp_server)
        digest(backend, settings)
        answers = backend.grids["Réponses au formulaire 1"]
        answers.append(
            [dt.datetime(2026, 11, 23, 20, 0), "y@ailleurs.fr", "E0099", "Événement E0099 inconnu."]
        )
        result = digest(backend, settings, now=NOW + dt.timedelta(days=1))
        assert result.outcome().result == SUCCESS and [i.text for i in result.new] == [
            "Événement E0099 inconnu."
        ]
        text = body(smtp_server.messages[1][2])
        assert "[nouveau] ligne 3 : Événement E0099 inconnu." in text
        assert "[nouveau] ligne 3 (M0002)" not in text and "ligne 3 (M0002)" in text
        assert len(journal_lines(backend)) == 2

    def test_a_failure_is_listed_once(self, tmp_path, smtp_server):
        """A job failure is in the summary that follows it, and not in the next one."""
        backend = synced(MemoryBackend(grids()))
        settings = settings_for(tmp_path, smtp_server)
        first = digest(backend, settings)
        assert any(i.section == "echecs" for i in first.items)
        backend.grids["Journal"].append(
            [NOW + dt.timedelta(hours=2), "sync", "échec", "Onglet Membres introuvable."]
        )
        second = digest(backend, settings, now=NOW + dt.timedelta(days=1))
        failures = [i for i in second.items if i.section == "echecs"]
        assert [(i.ref, i.text.split(", ", 1)[1]) for i in failures] == [
            ("synchronisation", "Onglet Membres introuvable.")
        ]

    def test_the_record_is_in_the_journal(self, tmp_path, smtp_server):
        """The Journal line says to whom and how many, and keeps the points' fingerprints."""
        backend = synced(MemoryBackend(grids()))
        result = digest(backend, settings_for(tmp_path, smtp_server))
        [line] = journal_lines(backend)
        assert line[2] == "succès" and "résumé envoyé à equipe@mila.fr" in str(line[3])
        assert all(item.key in str(line[3]) for item in result.items)

    def test_the_fingerprints_are_never_read_as_ids(self, tmp_path, smtp_server):
        """The next event or member ID is not pushed up by a fingerprint that looks like e0123456789."""
        from automations import schema
        from automations.rules.ids import highest_mentioned

        backend = synced(MemoryBackend(grids()))
        digest(backend, settings_for(tmp_path, smtp_server))
        details = [str(line[3]) for line in journal_lines(backend)] + ["empreintes : e012345678 c000000042"]
        for tab in (schema.EVENEMENTS, schema.OCCUPATIONS, schema.MEMBRES):
            assert highest_mentioned(tab, details) == 0


class TestPreviewAndSettings:
    def test_without_server_a_preview_and_nothing_recorded(self, tmp_path, smtp_server):
        """No mail server: an .eml preview, no Journal line; with a server next, it is sent."""
        backend = synced(MemoryBackend(grids()))
        result = digest(backend, settings_for(tmp_path, None))
        assert result.outcome().result == PREVIEW and result.sent_to == []
        [preview] = (tmp_path / "apercus").glob("*.eml")
        assert "ERREURS DANS LE CLASSEUR" in body(preview.read_bytes())
        assert journal_lines(backend) == []
        assert digest(backend, settings_for(tmp_path, smtp_server)).sent_to == ["equipe@mila.fr"]

    def test_a_dry_run_shows_the_text_and_records_nothing(self, tmp_path, smtp_server):
        """--simulation renders the summary even when nothing is new, and neither sends nor writes."""
        backend = synced(MemoryBackend(grids()))
        settings = settings_for(tmp_path, smtp_server)
        digest(backend, settings)
        shown = digest(backend, settings, dry_run=True)
        assert shown.text is not None and "ERREURS DANS LE CLASSEUR" in shown.text
        assert len(smtp_server.messages) == 1 and len(journal_lines(backend)) == 1

    def test_without_recipients_it_is_off(self, tmp_path, smtp_server):
        """No [digest] to: nothing read, nothing sent, and the command says what to add."""
        backend = synced(MemoryBackend(grids()))
        result = digest(backend, settings_for(tmp_path, smtp_server, to=[]))
        assert result.disabled and smtp_server.messages == []
        assert "[digest]" in result.lines()[0]

    def test_the_daily_run_is_off_until_someone_is_named(self, tmp_path):
        """Without [digest] to the scheduler never runs it (nothing paused to report); with one, daily at 9:30."""
        off = build_settings({}, env={}, base=tmp_path).schedule.timings()["resume"]
        on = settings_for(tmp_path, None).schedule.timings()["resume"]
        assert not off.enabled and on.enabled and on.at == dt.time(9, 30)

    def test_the_scheduler_runs_it_daily_and_pauses_it_without_server(self, tmp_path):
        """« résumé quotidien » is a daily job of the registry, paused like the other mail jobs."""
        assert "resume" in JOBS and DEFAULT_TIMINGS["resume"].at == dt.time(9, 30)
        assert "resume" in paused_jobs(settings_for(tmp_path, None))


class TestCommandLine:
    def test_mila_resume_dry_run_prints_the_summary(self, tmp_path, demo_synced, capsys):
        """`mila resume --simulation` on the demo after a sync prints the summary in French and
        sends nothing; the unmatched form answer and the membership requests from the form are listed."""
        demo = demo_synced
        config = tmp_path / "mila.toml"
        config.write_text('[digest]\nto = ["equipe@mila.fr"]\n', encoding="utf-8")
        out = io.StringIO()
        code = main(
            [
                "resume",
                "--simulation",
                "--config",
                str(config),
                "--classeur",
                str(demo),
                "--date",
                "2026-11-23",
            ],
            out=out,
        )
        said = out.getvalue()
        assert code == 0 and "Objet : mila : " in said and "ERREURS DANS LE CLASSEUR" in said
        assert "Simulation : aperçu écrit" in said
        answers = said.split("RÉPONSES AUX FORMULAIRES À REPRENDRE")[1].split("DEMANDES D’ADHÉSION")[0]
        assert "Onglet Inscriptions (formulaire) :" in answers and "aucun membre reconnu" in answers
        requests = said.split("DEMANDES D’ADHÉSION À COMPLÉTER")[1].split("RELANCES")[0]
        assert "Demande d'adhésion reçue par formulaire" in requests

    def test_the_help_is_french(self):
        """`mila resume --help` says in French what the command lists and to whom it goes."""
        from automations.cli.parser import build_parser

        parser = build_parser()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        text = sub.choices["resume"].format_help()
        words = " ".join(text.split())
        assert text.startswith("utilisation : mila resume") and "[digest] to" in words
        assert "sans rien envoyer ni noter" in words


class TestSentOnce:
    """The summary goes through the outbox: claimed in Relances just before it is sent."""

    def test_a_crash_after_the_server_took_it_never_sends_it_again(self, tmp_path, smtp_server):
        """The process dies once the server accepted the summary, before anything else is written:
        the next runs do not send it again, they report it « à vérifier »; the next summary (a new
        point) lists it."""
        from test_renewals import Crash, CrashingWorkbook

        backend = synced(MemoryBackend(grids()))
        settings = settings_for(tmp_path, smtp_server)
        ctx = RunContext(
            settings,
            FixedClock(NOW),
            today=TODAY,
            workbook=cast(Workbook, CrashingWorkbook(Workbook(backend), 2)),
        )
        try:
            run_digest(ctx)
            raise AssertionError("the run should have died")
        except Crash:
            pass
        assert len(smtp_server.messages) == 1 and journal_lines(backend) == []
        [claim] = [r for r in backend.grids["Relances"][1:] if r[0] == "Résumé"]
        assert claim[3] == "en cours" and "résumé quotidien à equipe@mila.fr" in str(claim[2])

        for day in (0, 1):
            again = digest(backend, settings, now=NOW + dt.timedelta(days=day, hours=1))
            assert len(smtp_server.messages) == 1 and again.sent_to == []
            assert [c.address for c in again.to_check] == ["equipe@mila.fr"]
            assert "à vérifier" in again.outcome().summary
        assert [c.new for c in again.to_check] == [False]

        answers = backend.grids["Réponses au formulaire 1"]
        answers.append(
            [dt.datetime(2026, 11, 24, 20, 0), "y@ailleurs.fr", "E0099", "Événement E0099 inconnu."]
        )
        later = digest(backend, settings, now=NOW + dt.timedelta(days=2))
        assert later.sent_to == ["equipe@mila.fr"] and len(smtp_server.messages) == 2
        text = body(smtp_server.messages[1][2])
        assert "À VÉRIFIER" in text.upper() and "résumé quotidien à equipe@mila.fr" in text

    def test_each_copy_is_recorded_in_relances(self, tmp_path, smtp_server):
        """A summary sent: its claim, then « envoyée », in Relances; the same points are not sent again."""
        backend = synced(MemoryBackend(grids()))
        settings = settings_for(tmp_path, smtp_server)
        digest(backend, settings)
        rows = [r for r in backend.grids["Relances"][1:] if r[0] == "Résumé"]
        assert [r[3] for r in rows] == ["en cours", "envoyée"]
        backend.grids["Journal"][1:] = [r for r in backend.grids["Journal"][1:] if r[1] != "résumé quotidien"]
        again = digest(backend, settings, now=NOW + dt.timedelta(hours=1))
        assert len(smtp_server.messages) == 1 and again.sent_to == [] and again.to_check == []
