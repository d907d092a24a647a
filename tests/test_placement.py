"""Where each job-owned cell goes, decided from the fresh grid alone (no backend)."""

from __future__ import annotations

import pytest

from automations.errors import SchemaError
from automations.workbook.placement import (
    CellUpdate,
    NewId,
    header_of,
    id_column,
    locate_columns,
    place,
)
from automations.workbook.table import Row

HEADER: list[object] = ["ID", "Structure", "Contact", "Statut"]
STATUT = 4


def row(number: int, id_: str | None, structure: str, contact: str = "X", statut: str | None = None) -> Row:
    """A row as read earlier, keyed like the Membres table does."""
    return Row(number, {"id": id_, "structure": structure, "contact": contact, "statut": statut})


def placed(grid: list[list[object]], updates=(), new_ids=(), whole: bool = True):
    """Place the updates in a Membres grid whose row 1 is its header."""
    header = header_of(grid)
    columns = locate_columns("Membres", header)
    return place("Membres", header, columns, grid, list(updates), list(new_ids), whole=whole)


def update(
    row_id: str, value: object = "à jour", read: Row | None = None, column: str = "Statut"
) -> CellUpdate:
    return CellUpdate("Membres", row_id, column, value, read)


SORTED: list[list[object]] = [HEADER, ["M2", "Bêta", "B"], ["M1", "Alpha", "A"], ["M3", "Gamma", "C"]]
INSERTED = [HEADER, ["M1", "Alpha", "A"], ["M9", "Nouveau", "N"], ["M2", "Bêta", "B"]]
TWICE = [HEADER, ["M1", "Alpha", "A"], ["M1", "Bêta", "B"], ["M2", "Gamma", "C"]]
BLANKS: list[list[object]] = [HEADER, [None, "Alpha", "A"], ["  ", "Bêta", "B"], ["M2", "Gamma", "C"]]


@pytest.mark.parametrize(
    ("case", "grid", "updates", "cells", "skipped"),
    [
        (
            "rows sorted since the read",
            SORTED,
            [update("M1"), update("M3")],
            [(3, STATUT, "à jour"), (4, STATUT, "à jour")],
            [],
        ),
        ("a row inserted above", INSERTED, [update("M2", "à renouveler")], [(4, STATUT, "à renouveler")], []),
        (
            "an ID typed with spaces around it",
            [HEADER, [" M1 ", "Alpha", "A"]],
            [update("M1")],
            [(2, STATUT, "à jour")],
            [],
        ),
        ("a numeric ID", [HEADER, [12, "Alpha", "A"]], [update("12")], [(2, STATUT, "à jour")], []),
        (
            "a row that disappeared",
            SORTED,
            [update("M7")],
            [],
            ["Onglet « Membres » : la ligne M7 a disparu depuis la lecture ; elle n'a pas été modifiée."],
        ),
        (
            "the same vanished row reported once",
            SORTED,
            [update("M7"), update("M7", "à renouveler")],
            [],
            ["Onglet « Membres » : la ligne M7 a disparu depuis la lecture ; elle n'a pas été modifiée."],
        ),
        (
            "an ID now twice, row not known",
            TWICE,
            [update("M1")],
            [],
            [
                "Onglet « Membres » : la ligne M1 figure sur plusieurs lignes depuis la lecture ; "
                "elle n'a pas été modifiée."
            ],
        ),
        (
            "an ID twice recognised by its staff cells",
            TWICE,
            [update("M1", "b", row(3, "M1", "Bêta", "B")), update("M1", "a", row(2, "M1", "Alpha", "A"))],
            [(3, STATUT, "b"), (2, STATUT, "a")],
            [],
        ),
        (
            "an ID twice, recognised after moving",
            [HEADER, ["M1", "Bêta", "B"], ["M1", "Alpha", "A"]],
            [update("M1", "a", row(2, "M1", "Alpha", "A"))],
            [(3, STATUT, "a")],
            [],
        ),
        (
            "an ID twice whose staff cells changed",
            TWICE,
            [update("M1", "a", row(2, "M1", "Alpha", "Autre"))],
            [],
            [
                "Onglet « Membres » : la ligne M1 figure sur plusieurs lignes depuis la lecture ; "
                "elle n'a pas été modifiée."
            ],
        ),
        (
            "blank IDs are no row's ID",
            BLANKS,
            [update("M2"), update("")],
            [(4, STATUT, "à jour")],
            ["Onglet « Membres » : la ligne  a disparu depuis la lecture ; elle n'a pas été modifiée."],
        ),
    ],
)
def test_updates_are_placed_by_id_from_the_fresh_grid(case, grid, updates, cells, skipped):
    """Each update lands on the row that carries its ID now, or is skipped with a French reason."""
    result = placed(grid, updates)
    assert [(r, c, v) for _, r, c, v in result.cells] == cells, case
    assert result.skipped == skipped, case
    assert len(result.written) == len(cells), case


def test_new_ids_go_to_the_blank_row_with_the_same_staff_cells():
    """A blank-ID row is found by its staff cells, wherever it now stands, and then takes updates."""
    moved: list[list[object]] = [HEADER, ["M2", "Gamma", "C"], [None, "Bêta", "B"], [None, "Alpha", "A"]]
    result = placed(moved, [update("M5", "à jour")], [NewId("Membres", row(2, None, "Alpha", "A"), "M5")])
    assert [(r, c, v) for _, r, c, v in result.cells] == [(4, 1, "M5"), (4, STATUT, "à jour")]
    assert [n.new_id for n in result.ids_assigned] == ["M5"]


def test_a_blank_id_row_that_changed_keeps_no_id():
    """A blank-ID row whose staff cells changed is left alone and reported in French."""
    result = placed(BLANKS, new_ids=[NewId("Membres", row(2, None, "Alpha", "Autre"), "M5")])
    assert result.cells == [] and result.ids_assigned == []
    assert result.skipped == [
        "Onglet « Membres » : la ligne sans ID lue en ligne 2 a changé ou disparu avant l'écriture ; "
        "l'ID sera attribué au prochain passage."
    ]


def test_two_blank_rows_alike_get_one_id_each():
    """Two identical blank-ID rows are told apart: each new ID takes a different row."""
    grid: list[list[object]] = [HEADER, [None, "Alpha", "A"], [None, "Alpha", "A"]]
    result = placed(
        grid,
        new_ids=[
            NewId("Membres", row(2, None, "Alpha", "A"), "M5"),
            NewId("Membres", row(3, None, "Alpha", "A"), "M6"),
        ],
    )
    assert [(r, v) for _, r, _, v in result.cells] == [(2, "M5"), (3, "M6")]


def test_a_missing_column_is_added_right_of_every_cell():
    """A contract column missing from the header is added after the rightmost cell, with its contract name."""
    grid: list[list[object]] = [["ID", "Structure"], ["M1", "Alpha", None, "note"]]
    result = placed(grid, [update("M1", 3, column="voix")])
    assert [(r, c, v) for _, r, c, v in result.cells] == [(1, 5, "Voix"), (2, 5, 3)]
    assert result.columns_added == [("Membres", "Voix")]
    assert result.width == 5


def test_clearing_a_column_that_does_not_exist_writes_nothing():
    """Blanking a missing column adds no column and writes no cell."""
    result = placed([["ID", "Structure"], ["M1", "Alpha"]], [update("M1", None, column="Voix")])
    assert result.cells == [] and result.width is None


def test_values_are_written_as_cells_take_them():
    """Text loses control characters, empty text clears the cell."""
    result = placed(SORTED, [update("M1", "à\x07 jour"), update("M2", "")])
    assert [(r, v) for _, r, _, v in result.cells] == [(3, "à jour"), (2, None)]


def test_the_grid_as_read_is_left_unchanged():
    """Placement changes neither the header nor the columns it is given."""
    header = header_of(SORTED)
    columns = locate_columns("Membres", header)
    place("Membres", header, columns, SORTED, [update("M1", 1, column="Voix")], whole=False)
    assert header == HEADER and "voix" not in columns


def test_a_tab_without_id_or_with_a_header_twice_cannot_be_written():
    """A vanished ID column or a contract header standing twice stops the write, in French."""
    with pytest.raises(SchemaError, match="la colonne « ID » a disparu"):
        id_column("Membres", locate_columns("Membres", ["Structure", "Statut"]))
    with pytest.raises(SchemaError, match="l'en-tête « Statut » figure deux fois"):
        locate_columns("Membres", ["ID", "Statut", "Statut"])
