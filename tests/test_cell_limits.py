"""No cell written is longer than a spreadsheet keeps: imported texts cut with a warning, long
Journal details summarised, the whole text in the local log."""

from __future__ import annotations

import datetime as dt
import logging

from test_payments import POLICY, TODAY, ledger_rows, tabs

from automations import schema
from automations.jobs.digest import MARK, _fingerprints, _read_fingerprints
from automations.jobs.payments import run_import
from automations.rules.forms import ANSWER_LIMIT, REGISTRATIONS, read_form
from automations.workbook.placement import CELL_LIMIT, fit_cell, to_cell_value
from automations.workbook.table import Table

GOOGLE_LIMIT = 50_000


class TestTheLastGuard:
    def test_a_text_that_fits_is_left_as_it_is(self):
        """Up to the limit, a text is written unchanged."""
        text = "é" * CELL_LIMIT
        assert fit_cell(text) is text and to_cell_value(text) == text

    def test_a_longer_text_is_cut_with_a_note_and_logged_in_full(self, caplog):
        """70,000 characters: the cell holds the beginning and says so; the log has every character."""
        text = "détail " * 10_000
        with caplog.at_level(logging.WARNING):
            cell = to_cell_value(text)
        assert isinstance(cell, str) and len(cell) <= CELL_LIMIT < GOOGLE_LIMIT
        assert cell.startswith("détail détail") and cell.endswith("le texte entier est dans logs/mila.log)")
        assert "70\u202f000 caractères" in cell
        assert text in caplog.text


class TestJournal:
    def test_a_journal_detail_of_70000_characters_fits(self, make_book, caplog):
        """A Journal line whose details are 70,000 characters is written, summarised to fit, on each backend."""
        book = make_book({"Membres": [["ID", "Structure"]]})
        details = "M0001 : adresse invalide ; " * 2_600 + book.kind  # each backend's text logged once
        assert len(details) > 70_000
        with caplog.at_level(logging.WARNING):
            book.open().append_rows(
                schema.JOURNAL,
                [{"Date": dt.datetime(2026, 11, 23, 9), "Tâche": "synchronisation", "Détails": details}],
            )
        header, line = book.grid("Journal")[:2]
        written = line[header.index("Détails")]
        assert len(written) <= CELL_LIMIT and written.startswith("M0001 : adresse invalide")
        assert details in caplog.text

    def test_the_summary_s_fingerprints_always_fit_and_read_back(self):
        """6,331 points (the errors of a real workbook): the summary's Journal line fits one cell and still knows each point."""
        keys = [f"{n * 2654435761 % 16**10:010x}" for n in range(6_331)]
        details = _fingerprints("résumé envoyé à equipe@mila.fr (6331 point(s)) ; ", keys)
        assert len(details) <= CELL_LIMIT
        known, width = _read_fingerprints(details.rpartition(MARK)[2])
        assert width < 10 and all(key[:width] in known for key in keys)
        few = _fingerprints("", keys[:3])
        assert _read_fingerprints(few.rpartition(MARK)[2]) == (frozenset(keys[:3]), 10)


class TestImports:
    def test_a_payer_name_of_100000_characters_is_cut_with_a_warning(self, make_book, tmp_path):
        """A HelloAsso export whose payer name is 100,000 characters: imported, cut, with a warning."""
        name = "Awa" * 33_334
        export = tmp_path / "export-helloasso.csv"
        export.write_text(
            "Référence commande;Date de la commande;Statut de la commande;Nom payeur;Prénom payeur;"
            "Email payeur;Tarif;Montant tarif\n"
            f"2001;02/11/2026 10:12;Validé;{name};Awa;awa@exemple.fr;Adhésion BASIC;144,00\n",
            encoding="utf-8",
        )
        book = make_book(tabs([]))
        result = run_import(book.open(), [export], today=TODAY, policy=POLICY)
        assert result.appended == 1, result.warnings
        assert any("le nom du payeur compte 100\u202f006 caractères" in w for w in result.warnings), (
            result.warnings
        )
        for value in ledger_rows(book)[0].values():
            assert not isinstance(value, str) or len(value) <= 1_100

    def test_a_form_answer_too_long_is_cut_and_said(self):
        """A 50,000-character answer is taken in cut to fit, and the answer's anomaly says so."""
        grid: list[list[object]] = [
            ["Horodateur", "Adresse e-mail", "Structure", "Événement"],
            ["30/11/2026 14:03:12", "a@b.fr", "S" * 50_000, "E001"],
        ]
        tab = read_form(
            REGISTRATIONS,
            Table.from_grid("Inscriptions (formulaire)", grid),
            {"horodateur": ("Horodateur",), "email": ("Adresse e-mail",), "structure": ("Structure",)},
        )
        (answer,) = tab.answers
        assert len(answer.values["structure"]) == ANSWER_LIMIT and answer.cut == ("structure",)
        assert "Réponse trop longue (« structure »)" in (answer.cut_note() or "")
