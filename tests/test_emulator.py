"""Behaviour of the Sheets API v4 emulator (sheets_emulator)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import gspread
import openpyxl
import pytest
import requests
from conftest import first_sheet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account

from sheets_emulator import SheetsEmulator, default_spreadsheet_id, serve

GOOGLE = "https://sheets.googleapis.com"
SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]


# ---------------------------------------------------------------------------------------------
# Fixtures and helpers
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    with SheetsEmulator() as emu:
        yield emu


@pytest.fixture
def emu(server):
    server.reset_requests()
    yield server
    server.clear_faults()
    server.go_online()


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


_counter = iter(range(1_000_000))


@pytest.fixture
def sid(emu):
    """A fresh fr_FR spreadsheet with an empty tab 'Feuille 1' and a tab 'Mes tarifs'."""
    spreadsheet_id = f"test-{next(_counter)}"
    emu.create_spreadsheet(
        spreadsheet_id, "Classeur", sheets={"Feuille 1": [], "Mes tarifs": [["Code", "Montant"]]}
    )
    return spreadsheet_id


class Api:
    """Plain HTTP calls to the emulator, as Google's paths."""

    def __init__(self, emu: SheetsEmulator, http: requests.Session, spreadsheet_id: str):
        self.base = f"http://{emu.address}/v4/spreadsheets/{spreadsheet_id}"
        self.http = http

    def get(self, a1: str, **params) -> requests.Response:
        return self.http.get(f"{self.base}/values/{quote(a1, safe='')}", params=params)

    def values(self, a1: str, **params):
        answer = self.get(a1, **params)
        assert answer.status_code == 200, answer.text
        return answer.json().get("values")

    def put(self, a1: str, values, option: str | None = "USER_ENTERED", **params):
        if option:
            params["valueInputOption"] = option
        return self.http.put(
            f"{self.base}/values/{quote(a1, safe='')}", params=params, json={"values": values}
        )

    def append(self, a1: str, values, option: str = "RAW", **params):
        params["valueInputOption"] = option
        return self.http.post(
            f"{self.base}/values/{quote(a1, safe='')}:append",
            params=params,
            json={"values": values},
        )

    def batch_update(self, *requests_):
        return self.http.post(f"{self.base}:batchUpdate", json={"requests": list(requests_)})

    def metadata(self):
        return self.http.get(self.base).json()


@pytest.fixture
def api(emu, http, sid):
    return Api(emu, http, sid)


def _rsa_key() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


@pytest.fixture(scope="module")
def key_pair():
    return _rsa_key()


def _service_account_info(emu: SheetsEmulator, email: str, private_pem: bytes) -> dict:
    return {
        "type": "service_account",
        "project_id": "mila-test",
        "private_key_id": "0123456789abcdef",
        "private_key": private_pem.decode(),
        "client_email": email,
        "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": emu.token_uri,
    }


class EmulatorSession(requests.Session):
    """A requests session that sends https://sheets.googleapis.com calls to the emulator."""

    def __init__(self, address: str):
        super().__init__()
        self.target = f"http://{address}"

    def request(self, method, url, *args, **kwargs):
        if isinstance(url, str) and url.startswith(GOOGLE):
            url = self.target + url[len(GOOGLE) :]
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def gc(emu):
    session = EmulatorSession(emu.address)
    try:
        # The session carries the requests to the emulator: gspread uses no credentials then.
        yield gspread.Client(auth=AnonymousCredentials(), session=session)
    finally:
        session.close()


# ---------------------------------------------------------------------------------------------
# Ranges
# ---------------------------------------------------------------------------------------------


class TestRanges:
    def test_quoted_tab_name_reads_and_echoes_quoted(self, api):
        """A tab with a space is addressed quoted and echoed quoted, as Google does."""
        answer = api.get("'Mes tarifs'!A1:B1").json()
        assert answer == {
            "range": "'Mes tarifs'!A1:B1",
            "majorDimension": "ROWS",
            "values": [["Code", "Montant"]],
        }

    def test_doubled_apostrophe_in_quoted_tab_name(self, emu, http):
        """''  inside a quoted tab name stands for one apostrophe."""
        emu.create_spreadsheet("quotes", sheets={"L'équipe": [["x"]]})
        answer = Api(emu, http, "quotes").get("'L''équipe'!A1").json()
        assert answer["range"] == "'L''équipe'!A1"
        assert answer["values"] == [["x"]]

    def test_bare_tab_name_is_the_whole_grid(self, api):
        """A bare tab name reads the whole tab and echoes its full grid."""
        assert api.get("Mes tarifs").json()["range"] == "'Mes tarifs'!A1:Z1000"

    def test_bare_tab_name_wins_over_a_column_letter(self, emu, http):
        """A tab named 'A' is the tab, not column A (columns are written A:A)."""
        emu.create_spreadsheet("tab-a", sheets={"Z": [["z"]], "A": [["a"]]})
        assert Api(emu, http, "tab-a").values("A") == [["a"]]

    @pytest.mark.parametrize(
        ("a1", "echo"),
        [
            ("'Mes tarifs'!A:A", "'Mes tarifs'!A1:A1000"),
            ("'Mes tarifs'!1:1", "'Mes tarifs'!A1:Z1"),
            ("'Mes tarifs'!B2:B", "'Mes tarifs'!B2:B1000"),
            ("'Mes tarifs'!A1:1", "'Mes tarifs'!A1:Z1"),
            ("'Mes tarifs'!B1", "'Mes tarifs'!B1"),
            ("'Mes tarifs'!B1:A1", "'Mes tarifs'!A1:B1"),
        ],
    )
    def test_open_ranges_are_echoed_clipped_to_the_grid(self, api, a1, echo):
        """Open-ended ranges are echoed bounded by the grid, a single cell as that cell."""
        assert api.get(a1).json()["range"] == echo

    def test_range_without_tab_means_first_tab(self, api):
        """A range without a tab name reads the first tab."""
        api.put("'Feuille 1'!A1", [["premier"]])
        assert api.get("A1").json()["range"] == "'Feuille 1'!A1"

    def test_unknown_tab_is_unable_to_parse(self, api):
        """An unknown tab answers Google's 400 'Unable to parse range'."""
        answer = api.get("Foo!A1")
        assert answer.status_code == 400
        assert answer.json() == {
            "error": {
                "code": 400,
                "message": "Unable to parse range: Foo!A1",
                "status": "INVALID_ARGUMENT",
            }
        }


# ---------------------------------------------------------------------------------------------
# Trimming
# ---------------------------------------------------------------------------------------------


class TestTrimming:
    def test_trailing_cells_and_rows_are_trimmed(self, api):
        """Trailing empty cells of each row and trailing empty rows are left out."""
        api.put("'Feuille 1'!A1", [["a", "", "c", ""], ["", "", "", ""], ["", "b"], ["", ""]])
        assert api.values("'Feuille 1'!A1:D4") == [["a", "", "c"], [], ["", "b"]]

    def test_empty_range_has_no_values_key(self, api):
        """An empty range answers without a 'values' key at all."""
        assert api.get("'Feuille 1'!C3:D4").json() == {
            "range": "'Feuille 1'!C3:D4",
            "majorDimension": "ROWS",
        }

    def test_clear_leaves_the_range_empty(self, api, http, emu, sid):
        """values:clear empties the range and echoes it."""
        api.put("'Feuille 1'!A1", [["a", "b"]])
        answer = http.post(f"{api.base}/values/{quote(chr(39) + 'Feuille 1' + chr(39), safe='')}:clear")
        assert answer.json() == {"spreadsheetId": sid, "clearedRange": "'Feuille 1'!A1:Z1000"}
        assert "values" not in api.get("'Feuille 1'").json()

    def test_batch_clear_echoes_cleared_ranges(self, api, http, sid):
        """values:batchClear clears every range and lists them normalized."""
        api.put("'Feuille 1'!A1", [["a", "b"], ["c", "d"]])
        answer = http.post(
            f"{api.base}/values:batchClear", json={"ranges": ["'Feuille 1'!A1", "'Feuille 1'!B2:B"]}
        ).json()
        assert answer == {
            "spreadsheetId": sid,
            "clearedRanges": ["'Feuille 1'!A1", "'Feuille 1'!B2:B1000"],
        }
        assert api.values("'Feuille 1'") == [["", "b"], ["c"]]


# ---------------------------------------------------------------------------------------------
# Input: RAW and USER_ENTERED
# ---------------------------------------------------------------------------------------------


class TestInput:
    def test_raw_keeps_strings_verbatim(self, api):
        """RAW stores strings as they are, formulas and apostrophes included."""
        api.put("'Feuille 1'!A1", [["=1+1", "'007", "12", "02/07/2024"]], option="RAW")
        expected = [["=1+1", "'007", "12", "02/07/2024"]]
        assert api.values("'Feuille 1'!A1:D1", valueRenderOption="UNFORMATTED_VALUE") == expected
        assert api.values("'Feuille 1'!A1:D1", valueRenderOption="FORMULA") == expected

    def test_user_entered_apostrophe_forces_text(self, api):
        """A leading apostrophe keeps the rest as text and is not part of the value."""
        api.put("'Feuille 1'!A1", [["'0612", "'=1+2"]])
        assert api.values("'Feuille 1'!A1:B1", valueRenderOption="UNFORMATTED_VALUE") == [["0612", "=1+2"]]

    def test_user_entered_formula_is_evaluated(self, api):
        """'=...' is a formula: its value is read back, FORMULA gives its text."""
        api.put("'Feuille 1'!A1", [["=1+2", "=A1*10"]])
        assert api.values("'Feuille 1'!A1:B1", valueRenderOption="UNFORMATTED_VALUE") == [[3, 30]]
        assert api.values("'Feuille 1'!A1:B1", valueRenderOption="FORMULA") == [["=1+2", "=A1*10"]]

    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            ("1 234,5", 1234.5),
            ("1\u202f234,5", 1234.5),
            ("1234,5", 1234.5),
            ("12 %", 0.12),
            ("1 234,50 €", 1234.5),
            ("-3", -3),
            ("0612345678", 612345678),
            ("1234.5", "1234.5"),
            ("VRAI", True),
            ("faux", False),
            ("TRUE", True),
            ("oui", "oui"),
        ],
    )
    def test_user_entered_parses_french_numbers_and_booleans(self, api, typed, stored):
        """In fr_FR, typed numbers, percentages, amounts and VRAI/FAUX are parsed."""
        api.put("'Feuille 1'!A1", [[typed]])
        assert api.values("'Feuille 1'!A1", valueRenderOption="UNFORMATTED_VALUE") == [[stored]]

    def test_user_entered_french_date_is_day_first(self, api):
        """fr_FR reads 02/07/2024 as 2 July 2024 and stores a serial number."""
        api.put("'Feuille 1'!A1", [["02/07/2024", "2024-07-02", "02/07/2024 18:30"]])
        assert api.values("'Feuille 1'!A1:C1", valueRenderOption="UNFORMATTED_VALUE") == [
            [45475, 45475, 45475.770833333336]
        ]
        assert api.values("'Feuille 1'!A1:C1") == [["02/07/2024", "2024-07-02", "02/07/2024 18:30"]]

    def test_user_entered_us_date_is_month_first(self, emu, http):
        """en_US reads 7/2/2024 as 2 July 2024; 1,234.5 is a number."""
        emu.create_spreadsheet("us", locale="en_US", time_zone="America/New_York")
        api = Api(emu, http, "us")
        api.put("Sheet1!A1", [["7/2/2024", "1,234.5", "FALSE", "12%"]])
        assert api.values("Sheet1!A1:D1", valueRenderOption="UNFORMATTED_VALUE") == [
            [45475, 1234.5, False, 0.12]
        ]
        assert api.values("Sheet1!A1:D1") == [["7/2/2024", "1,234.5", "FALSE", "12%"]]

    def test_json_numbers_and_booleans_stay_typed(self, api):
        """JSON numbers and booleans stay numbers and booleans in both input modes."""
        for option in ("RAW", "USER_ENTERED"):
            api.put("'Feuille 1'!A1", [[53, 0.5, True]], option=option)
            assert api.values("'Feuille 1'!A1:C1", valueRenderOption="UNFORMATTED_VALUE") == [[53, 0.5, True]]

    def test_missing_value_input_option_is_400(self, api):
        """An update without valueInputOption is Google's 400."""
        answer = api.put("'Feuille 1'!A1", [["x"]], option=None)
        assert answer.status_code == 400
        assert answer.json()["error"]["message"] == ("'valueInputOption' is required but not specified")

    def test_null_skips_a_cell_and_empty_string_clears_it(self, api):
        """null leaves a cell as it is, '' empties it."""
        api.put("'Feuille 1'!A1", [["a", "b", "c"]])
        api.put("'Feuille 1'!A1", [[None, "", "z"]])
        assert api.values("'Feuille 1'!A1:C1") == [["a", "", "z"]]

    def test_update_answers_counts(self, api, sid):
        """values.update answers the written range and counts."""
        answer = api.put("'Feuille 1'!B2", [["a", "b"], ["c"]]).json()
        assert answer == {
            "spreadsheetId": sid,
            "updatedRange": "'Feuille 1'!B2:C3",
            "updatedRows": 2,
            "updatedColumns": 2,
            "updatedCells": 3,
        }

    def test_include_values_in_response(self, api):
        """includeValuesInResponse returns the written values rendered."""
        answer = api.put("'Feuille 1'!A1", [["=2*3"]], includeValuesInResponse="true").json()
        assert answer["updatedData"] == {
            "range": "'Feuille 1'!A1",
            "majorDimension": "ROWS",
            "values": [["6"]],
        }

    def test_values_batch_update_totals(self, api, http, sid):
        """values:batchUpdate writes every range and answers totals and responses."""
        answer = http.post(
            f"{api.base}/values:batchUpdate",
            json={
                "valueInputOption": "RAW",
                "data": [
                    {"range": "'Feuille 1'!A1:B1", "values": [["a", "b"]]},
                    {"range": "'Mes tarifs'!A3", "values": [["c"]]},
                ],
            },
        ).json()
        assert answer["totalUpdatedCells"] == 3
        assert answer["totalUpdatedSheets"] == 2
        assert [r["updatedRange"] for r in answer["responses"]] == [
            "'Feuille 1'!A1:B1",
            "'Mes tarifs'!A3",
        ]


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


class TestRendering:
    def test_formatted_value_follows_the_french_locale(self, emu, http):
        """FORMATTED_VALUE writes fr_FR dates day first, decimals with a comma, VRAI/FAUX."""
        emu.create_spreadsheet("fr-render", sheets={"T": [[dt.date(2024, 7, 2), 1234.5, True, 42, "texte"]]})
        assert Api(emu, http, "fr-render").values("T!A1:E1") == [
            ["02/07/2024", "1234,5", "VRAI", "42", "texte"]
        ]

    def test_formatted_value_follows_the_us_locale(self, emu, http):
        """FORMATTED_VALUE writes en_US dates month first and decimals with a point."""
        emu.create_spreadsheet(
            "us-render", locale="en_US", sheets={"T": [[dt.date(2024, 7, 2), 1234.5, False]]}
        )
        assert Api(emu, http, "us-render").values("T!A1:C1") == [["7/2/2024", "1234.5", "FALSE"]]

    def test_unformatted_value_gives_json_numbers(self, emu, http):
        """UNFORMATTED_VALUE gives serial numbers for dates and JSON numbers and booleans."""
        emu.create_spreadsheet(
            "raw-render",
            sheets={"T": [[dt.date(2024, 7, 2), dt.datetime(2024, 7, 2, 12), 2.0, True]]},
        )
        assert Api(emu, http, "raw-render").values("T!A1:D1", valueRenderOption="UNFORMATTED_VALUE") == [
            [45475, 45475.5, 2, True]
        ]

    def test_formatted_string_dates_with_unformatted_values(self, emu, http):
        """dateTimeRenderOption=FORMATTED_STRING renders date cells only, numbers stay."""
        emu.create_spreadsheet("fs", sheets={"T": [[dt.date(2024, 7, 2), 3.5]]})
        assert Api(emu, http, "fs").values(
            "T!A1:B1",
            valueRenderOption="UNFORMATTED_VALUE",
            dateTimeRenderOption="FORMATTED_STRING",
        ) == [["02/07/2024", 3.5]]

    def test_major_dimension_columns(self, api):
        """majorDimension=COLUMNS answers columns, trimmed the same way."""
        api.put("'Feuille 1'!A1", [["a", "b"], ["c"]])
        answer = api.get("'Feuille 1'!A1:B2", majorDimension="COLUMNS").json()
        assert answer["majorDimension"] == "COLUMNS"
        assert answer["values"] == [["a", "c"], ["b"]]


# ---------------------------------------------------------------------------------------------
# Formulas
# ---------------------------------------------------------------------------------------------


class TestFormulas:
    def test_sum_and_reference_to_another_tab(self, emu, http):
        """SUM over a range and a reference to a quoted tab are evaluated."""
        emu.create_spreadsheet(
            "fx",
            sheets={
                "Mes tarifs": [["BASIC", 120], ["PREMIUM", 170]],
                "Calc": [["=SUM('Mes tarifs'!B1:B2)", "='Mes tarifs'!A2", "=A1/0", "=FOO(1)"]],
            },
        )
        assert Api(emu, http, "fx").values("Calc!A1:D1", valueRenderOption="UNFORMATTED_VALUE") == [
            [290, "PREMIUM", "#DIV/0!", "#NAME?"]
        ]

    def test_circular_reference_is_ref_error(self, emu, http):
        """Two formulas that refer to each other evaluate to #REF!."""
        emu.create_spreadsheet("cycle", sheets={"T": [["=B1", "=A1"]]})
        assert Api(emu, http, "cycle").values("T!A1:B1") == [["#REF!", "#REF!"]]

    def test_date_arithmetic_keeps_the_date_format(self, emu, http):
        """=A1+30 on a date cell renders as a date, like Google's inferred format."""
        emu.create_spreadsheet("dates", sheets={"T": [[dt.date(2024, 1, 1), "=A1+30", "=TODAY()"]]})
        values = Api(emu, http, "dates").values("T!A1:C1")
        assert values[0][:2] == ["01/01/2024", "31/01/2024"]
        assert len(values[0][2]) == 10 and values[0][2][2] == "/"

    def test_inserted_rows_shift_references(self, emu, http):
        """Inserting rows keeps formulas pointing at the same cells."""
        emu.create_spreadsheet("shift", sheets={"T": [["x", 1], ["y", 2], ["=SUM(B1:B2)"]]})
        emu.insert_rows("shift", "T", 2, 1)
        api = Api(emu, http, "shift")
        assert api.values("T!A4", valueRenderOption="FORMULA") == [["=SUM(B1:B3)"]]
        assert api.values("T!A4", valueRenderOption="UNFORMATTED_VALUE") == [[3]]


# ---------------------------------------------------------------------------------------------
# Grid limits and append
# ---------------------------------------------------------------------------------------------


class TestGridLimits:
    def test_writing_beyond_the_columns_is_400(self, emu, http):
        """Writing past column Z of a 26-column grid is Google's 'exceeds grid limits'."""
        emu.create_spreadsheet("limits", locale="en_US")
        answer = Api(emu, http, "limits").put("Sheet1!AA1", [["x"]])
        assert answer.status_code == 400
        assert answer.json()["error"] == {
            "code": 400,
            "message": "Range (Sheet1!AA1) exceeds grid limits. Max rows: 1000, max columns: 26",
            "status": "INVALID_ARGUMENT",
        }

    def test_data_overflowing_the_grid_from_a_cell_is_400(self, api):
        """Values running past the grid from an origin cell are refused."""
        answer = api.put("'Feuille 1'!Z1", [["a", "b"]])
        assert answer.status_code == 400
        assert answer.json()["error"]["message"] == (
            "Requested writing within range ['Feuille 1'!Z1], but tried writing to column [AA]"
        )

    def test_data_larger_than_the_range_is_400(self, api):
        """More rows than a bounded range holds is refused."""
        answer = api.put("'Feuille 1'!A1:B1", [["a"], ["b"]])
        assert answer.status_code == 400
        assert "but tried writing to row [2]" in answer.json()["error"]["message"]

    def test_reading_past_the_rows_is_400(self, api):
        """A read with a bound past the grid is refused too."""
        assert api.get("'Feuille 1'!A1:A1001").status_code == 400

    def test_append_grows_the_grid(self, emu, http):
        """An append past the last row grows rowCount instead of failing."""
        emu.create_spreadsheet("grow", locale="en_US", sheets={"T": [["h"], ["1"]]})
        emu.resize_tab("grow", "T", rows=2)
        api = Api(emu, http, "grow")
        answer = api.append("T!A1", [["2"], ["3"]]).json()
        assert answer["updates"]["updatedRange"] == "T!A3:A4"
        assert emu.grid_size("grow", "T") == (4, 26)


class TestAppend:
    def test_append_to_an_empty_tab_starts_at_the_range(self, api, sid):
        """On an empty tab the rows go to the range's first cell, without tableRange."""
        answer = api.append("'Feuille 1'", [["a", "b"]]).json()
        assert answer == {
            "spreadsheetId": sid,
            "updates": {
                "spreadsheetId": sid,
                "updatedRange": "'Feuille 1'!A1:B1",
                "updatedRows": 1,
                "updatedColumns": 2,
                "updatedCells": 2,
            },
        }

    def test_append_after_the_table(self, emu, http):
        """Rows go after the last row of the table, starting at its first column."""
        emu.create_spreadsheet("table", locale="en_US", sheets={"T": [["ID", "Nom"], ["1", "a"], ["2", "b"]]})
        answer = Api(emu, http, "table").append("T!A1", [["3", "c"]]).json()
        assert answer["tableRange"] == "T!A1:B3"
        assert answer["updates"]["updatedRange"] == "T!A4:B4"

    def test_append_picks_the_last_table_of_the_range(self, emu, http):
        """With separate blocks, the last one in the range is the table (recorded case)."""
        emu.create_spreadsheet("blocks", locale="en_US", sheets={"T": [["a", "", "c"]]})
        api = Api(emu, http, "blocks")
        assert api.append("T", [["x"]]).json()["tableRange"] == "T!C1"
        assert api.values("T!C2") == [["x"]]

    def test_insert_rows_pushes_rows_below_down(self, emu, http):
        """INSERT_ROWS inserts new rows instead of overwriting what follows the table."""
        emu.create_spreadsheet("insert", locale="en_US", sheets={"T": [["h"], ["1"], [""], ["note"]]})
        api = Api(emu, http, "insert")
        api.append("T!A1:A2", [["2"]], insertDataOption="INSERT_ROWS")
        assert api.values("T") == [["h"], ["1"], ["2"], [], ["note"]]
        assert emu.grid_size("insert", "T")[0] == 1001


# ---------------------------------------------------------------------------------------------
# spreadsheets.get and batchUpdate
# ---------------------------------------------------------------------------------------------


class TestSpreadsheet:
    def test_metadata_shape(self, api, sid):
        """spreadsheets.get answers id, properties, tabs and URL like Google."""
        meta = api.metadata()
        assert meta["spreadsheetId"] == sid
        assert meta["properties"]["locale"] == "fr_FR"
        assert meta["properties"]["timeZone"] == "Europe/Paris"
        assert meta["sheets"][1]["properties"] == {
            "sheetId": meta["sheets"][1]["properties"]["sheetId"],
            "title": "Mes tarifs",
            "index": 1,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": 1000, "columnCount": 26},
        }
        assert meta["spreadsheetUrl"] == f"https://docs.google.com/spreadsheets/d/{sid}/edit"

    def test_add_sheet_replies_properties(self, api):
        """addSheet answers the new tab's properties and adds it last."""
        answer = api.batch_update(
            {"addSheet": {"properties": {"title": "Journal", "gridProperties": {"rowCount": 10}}}}
        ).json()
        props = answer["replies"][0]["addSheet"]["properties"]
        assert (props["title"], props["index"], props["gridProperties"]) == (
            "Journal",
            2,
            {"rowCount": 10, "columnCount": 26},
        )

    def test_add_sheet_duplicate_title_is_400(self, api):
        """A second tab with the same title is Google's 400 and nothing changes."""
        answer = api.batch_update(
            {"addSheet": {"properties": {"title": "Autre"}}},
            {"addSheet": {"properties": {"title": "Mes tarifs"}}},
        )
        assert answer.status_code == 400
        assert answer.json()["error"]["message"] == (
            'Invalid requests[1].addSheet: A sheet with the name "Mes tarifs" already exists. '
            "Please enter another name."
        )
        assert [s["properties"]["title"] for s in api.metadata()["sheets"]] == [
            "Feuille 1",
            "Mes tarifs",
        ]

    def test_grid_requests(self, api):
        """updateSheetProperties, appendDimension, insertDimension and deleteSheet apply."""
        sheet_id = api.metadata()["sheets"][1]["properties"]["sheetId"]
        answer = api.batch_update(
            {
                "updateSheetProperties": {
                    "properties": {
                        "sheetId": 0,
                        "title": "Renamed",
                        "gridProperties": {"rowCount": 5},
                    },
                    "fields": "title,gridProperties/rowCount",
                }
            },
            {"appendDimension": {"sheetId": 0, "dimension": "COLUMNS", "length": 4}},
            {
                "insertDimension": {
                    "range": {
                        "sheetId": sheet_id,
                        "dimension": "ROWS",
                        "startIndex": 0,
                        "endIndex": 1,
                    }
                }
            },
            {"repeatCell": {"range": {"sheetId": 0}, "fields": "userEnteredFormat"}},
        ).json()
        assert answer["replies"] == [{}, {}, {}, {}]
        sheets = api.metadata()["sheets"]
        assert sheets[0]["properties"]["title"] == "Renamed"
        assert sheets[0]["properties"]["gridProperties"] == {"rowCount": 5, "columnCount": 30}
        assert api.values("'Mes tarifs'!A1:B2") == [[], ["Code", "Montant"]]
        api.batch_update({"deleteSheet": {"sheetId": sheet_id}})
        assert [s["properties"]["title"] for s in api.metadata()["sheets"]] == ["Renamed"]

    def test_repeat_cell_number_format_makes_serials_dates(self, api):
        """A repeatCell numberFormat DATE renders written serial numbers as dates."""
        api.put("'Feuille 1'!A1", [["Date"], [45475]], option="RAW")
        answer = api.batch_update(
            {
                "repeatCell": {
                    "range": {"sheetId": 0, "startRowIndex": 1, "endColumnIndex": 1},
                    "cell": {"userEnteredFormat": {"numberFormat": {"type": "DATE"}}},
                    "fields": "userEnteredFormat.numberFormat",
                }
            },
            {
                "repeatCell": {
                    "range": {"sheetId": 0, "endRowIndex": 1},
                    "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                    "fields": "userEnteredFormat.textFormat.bold",
                }
            },
        )
        assert answer.status_code == 200
        api.put("'Feuille 1'!A3", [[45476]], option="RAW")
        assert api.values("'Feuille 1'!A1:A3") == [["Date"], ["02/07/2024"], ["03/07/2024"]]

    def test_update_cells_writes_values_and_formats(self, api):
        """updateCells writes userEnteredValue (formulas too) and number formats."""
        cells = [
            {
                "userEnteredValue": {"numberValue": 45475},
                "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}},
            },
            {"userEnteredValue": {"formulaValue": "=A1+1"}},
            {"userEnteredValue": {"stringValue": "texte"}},
        ]
        api.batch_update(
            {
                "updateCells": {
                    "start": {"sheetId": 0, "rowIndex": 0, "columnIndex": 0},
                    "rows": [{"values": cells}],
                    "fields": "userEnteredValue,userEnteredFormat.numberFormat",
                }
            }
        )
        assert api.values("'Feuille 1'!A1:C1") == [["2024-07-02", "2024-07-03", "texte"]]

    def test_failed_batch_changes_nothing(self, api):
        """A batch with one invalid request applies none of its requests."""
        answer = api.batch_update(
            {"addSheet": {"properties": {"title": "Nouvel onglet"}}},
            {"repeatCell": {"range": {"sheetId": 0, "startRowIndex": 1000}, "fields": "*"}},
        )
        assert answer.status_code == 400
        assert answer.json()["error"]["message"] == (
            "Invalid requests[1].repeatCell: Range ('Feuille 1'!A1001) exceeds grid limits. "
            "Max rows: 1000, max columns: 26"
        )
        assert len(api.metadata()["sheets"]) == 2

    def test_include_grid_data(self, api, http):
        """includeGridData answers effective and formatted values of the requested ranges."""
        api.put("'Feuille 1'!A1", [["x", "=1+1"]])
        meta = http.get(api.base, params={"includeGridData": "true", "ranges": "'Feuille 1'!A1:B1"}).json()
        cells = meta["sheets"][0]["data"][0]["rowData"][0]["values"]
        assert cells == [
            {"effectiveValue": {"stringValue": "x"}, "formattedValue": "x"},
            {"effectiveValue": {"numberValue": 2}, "formattedValue": "2"},
        ]


# ---------------------------------------------------------------------------------------------
# Errors and fault injection
# ---------------------------------------------------------------------------------------------


class TestErrors:
    def test_unknown_spreadsheet_is_404(self, emu, http):
        """An unknown spreadsheet is Google's 404 body, served as JSON UTF-8."""
        answer = http.get(f"http://{emu.address}/v4/spreadsheets/nope")
        assert answer.status_code == 404
        assert answer.headers["Content-Type"] == "application/json; charset=UTF-8"
        assert answer.json() == {
            "error": {
                "code": 404,
                "message": "Requested entity was not found.",
                "status": "NOT_FOUND",
            }
        }

    def test_body_that_is_not_an_object_is_400(self, api):
        """A JSON body that is not an object is INVALID_ARGUMENT, not a crash."""
        answer = api.http.put(f"{api.base}/values/A1", params={"valueInputOption": "RAW"}, data=b"[1, 2]")
        assert answer.status_code == 400
        assert answer.json()["error"]["status"] == "INVALID_ARGUMENT"

    def test_fail_next_answers_429_with_retry_after(self, emu, api):
        """fail_next(429) answers Google's quota error with Retry-After, then recovers."""
        emu.fail_next(429, retry_after=7)
        answer = api.get("'Feuille 1'!A1")
        assert answer.status_code == 429
        assert answer.headers["Retry-After"] == "7"
        error = answer.json()["error"]
        assert error["status"] == "RESOURCE_EXHAUSTED"
        assert error["message"].startswith("Quota exceeded for quota metric 'Read requests'")
        assert api.get("'Feuille 1'!A1").status_code == 200

    @pytest.mark.parametrize(
        ("status", "name"), [(500, "INTERNAL"), (503, "UNAVAILABLE"), (403, "PERMISSION_DENIED")]
    )
    def test_fail_next_bodies(self, emu, api, status, name):
        """fail_next gives Google's status name for each code."""
        emu.fail_next(status)
        answer = api.get("'Feuille 1'!A1")
        assert (answer.status_code, answer.json()["error"]["status"]) == (status, name)
        assert "Retry-After" not in answer.headers

    def test_fail_next_match_and_count(self, emu, api):
        """Only requests whose path contains `match` fail, `count` times."""
        emu.fail_next(503, count=2, match=":append")
        assert api.get("'Feuille 1'!A1").status_code == 200
        assert api.append("'Feuille 1'", [["a"]]).status_code == 503
        assert api.append("'Feuille 1'", [["a"]]).status_code == 503
        assert api.append("'Feuille 1'", [["a"]]).status_code == 200

    def test_offline_closes_connections(self, emu, api):
        """While offline, requests fail with a connection error; online again, they pass."""
        emu.go_offline()
        with pytest.raises(requests.ConnectionError):
            api.get("'Feuille 1'!A1")
        emu.go_online()
        assert api.get("'Feuille 1'!A1").status_code == 200


# ---------------------------------------------------------------------------------------------
# Authentication and sharing
# ---------------------------------------------------------------------------------------------


class TestAuth:
    def test_service_account_token_flow(self, emu, key_pair):
        """A real signed-JWT refresh gets a token that opens a spreadsheet shared with it."""
        private, public = key_pair
        email = "mila-bot@mila-test.iam.gserviceaccount.com"
        emu.register_service_account(email, public)
        emu.create_spreadsheet("secured", sheets={"T": [["ok"]]})
        emu.share("secured", email)
        info = _service_account_info(emu, email, private)
        creds = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
        with AuthorizedSession(creds) as session:
            answer = session.get(f"http://{emu.address}/v4/spreadsheets/secured/values/T")
        assert answer.status_code == 200
        assert answer.json()["values"] == [["ok"]]
        assert creds.token.startswith("ya29.")
        assert emu.requests[-1].account == email
        assert all(not r.path.startswith("/token") for r in emu.requests)

    def test_token_endpoint_rejects_an_unknown_key(self, emu, key_pair):
        """A JWT signed by a key the emulator does not know is invalid_grant."""
        private, _ = _rsa_key()
        info = _service_account_info(emu, "stranger@x.iam.gserviceaccount.com", private)
        creds = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
        with requests.Session() as session:
            from google.auth.transport.requests import Request

            with pytest.raises(RefreshError) as caught:
                creds.refresh(Request(session))
        assert "invalid_grant" in str(caught.value)
        assert "Invalid JWT Signature." in str(caught.value)

    def test_token_endpoint_body_for_a_wrong_signature(self, emu, http, key_pair):
        """A registered account with a JWT signed by another key gets Google's exact body."""
        _, public = key_pair
        emu.register_service_account("known@x.iam.gserviceaccount.com", public)
        other_private, _ = _rsa_key()
        from google.auth import crypt, jwt

        now = int(time.time())
        assertion = jwt.encode(
            crypt.RSASigner.from_string(other_private.decode()),
            {
                "iss": "known@x.iam.gserviceaccount.com",
                "aud": emu.token_uri,
                "iat": now,
                "exp": now + 3600,
                "scope": SCOPES[0],
            },
        )
        answer = http.post(
            emu.token_uri,
            data={
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "assertion": assertion.decode(),
            },
        )
        assert answer.status_code == 400
        assert answer.json() == {
            "error": "invalid_grant",
            "error_description": "Invalid JWT Signature.",
        }

    def test_unknown_token_is_401(self, emu, http, sid):
        """A bearer token the emulator never issued is UNAUTHENTICATED."""
        answer = http.get(
            f"http://{emu.address}/v4/spreadsheets/{sid}", headers={"Authorization": "Bearer nope"}
        )
        assert answer.status_code == 401
        assert answer.json()["error"]["status"] == "UNAUTHENTICATED"

    def test_account_without_share_is_403(self, emu, key_pair):
        """An account the spreadsheet is not shared with gets PERMISSION_DENIED."""
        private, public = key_pair
        emu.register_service_account("outsider@x.iam.gserviceaccount.com", public)
        emu.create_spreadsheet("private", sheets={"T": [["secret"]]})
        emu.share("private", "someone-else@x.iam.gserviceaccount.com")
        info = _service_account_info(emu, "outsider@x.iam.gserviceaccount.com", private)
        creds = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
        with AuthorizedSession(creds) as session:
            answer = session.get(f"http://{emu.address}/v4/spreadsheets/private")
        assert answer.status_code == 403
        assert answer.json()["error"] == {
            "code": 403,
            "message": "The caller does not have permission",
            "status": "PERMISSION_DENIED",
        }

    def test_require_auth_refuses_anonymous_calls(self, http):
        """With require_auth, a call without Authorization is 401."""
        with SheetsEmulator(require_auth=True) as emu:
            emu.create_spreadsheet("x")
            answer = http.get(f"http://{emu.address}/v4/spreadsheets/x")
            http.close()
        assert answer.status_code == 401
        assert answer.json()["error"]["status"] == "UNAUTHENTICATED"


# ---------------------------------------------------------------------------------------------
# Observation
# ---------------------------------------------------------------------------------------------


class TestObservation:
    def test_requests_are_recorded(self, emu, api, sid):
        """Every API request is recorded with method, decoded path, query and JSON body."""
        api.put("'Feuille 1'!A1", [["x"]], option="RAW")
        http_batch = api.http.get(
            f"{api.base}/values:batchGet", params={"ranges": ["'Feuille 1'!A1", "'Mes tarifs'"]}
        )
        assert http_batch.status_code == 200
        put, batch = emu.requests[-2:]
        assert (put.method, put.path) == ("PUT", f"/v4/spreadsheets/{sid}/values/'Feuille 1'!A1")
        assert put.query == {"valueInputOption": "RAW"}
        assert put.body == {"values": [["x"]]}
        assert put.status == 200
        assert batch.query_lists["ranges"] == ["'Feuille 1'!A1", "'Mes tarifs'"]
        emu.reset_requests()
        assert emu.requests == []

    def test_requests_are_recorded_from_many_threads(self, emu, sid):
        """Concurrent clients are all served and all recorded."""
        errors: list[BaseException] = []

        def client(n: int) -> None:
            try:
                with requests.Session() as session:
                    api = Api(emu, session, sid)
                    for i in range(10):
                        assert api.put(f"'Feuille 1'!A{n * 10 + i + 1}", [[n]]).status_code == 200
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(emu.requests) == 50
        assert len(emu.grid(sid, "Feuille 1")) == 50


# ---------------------------------------------------------------------------------------------
# Simulated staff edits
# ---------------------------------------------------------------------------------------------


class TestStaffEdits:
    def test_set_cells_and_grid(self, emu, sid):
        """set_cells edits cells like a person; grid reads them back trimmed."""
        emu.set_cells(sid, "Mes tarifs", {(2, 1): "BASIC", (2, 2): 120, (3, 3): dt.date(2024, 3, 1)})
        assert emu.grid(sid, "Mes tarifs") == [
            ["Code", "Montant"],
            ["BASIC", 120],
            ["", "", 45352],
        ]
        assert emu.grid(sid, "Mes tarifs", "FORMATTED_VALUE")[2] == ["", "", "01/03/2024"]

    def test_set_cells_user_entered(self, emu, sid):
        """With user_entered, typed text is parsed in the sheet's locale."""
        emu.set_cells(sid, "Feuille 1", {(1, 1): "02/07/2024", (1, 2): "1 234,50"}, user_entered=True)
        assert emu.grid(sid, "Feuille 1") == [[45475, 1234.5]]

    def test_move_and_sort_rows(self, emu):
        """move_row and sort_rows reorder data rows, the header stays."""
        emu.create_spreadsheet("sort", sheets={"T": [["ID", "N"], ["b", 2], ["c", 3], ["a", 1]]})
        emu.move_row("sort", "T", 4, 2)
        assert emu.grid("sort", "T") == [["ID", "N"], ["a", 1], ["b", 2], ["c", 3]]
        emu.sort_rows("sort", "T", 2, reverse=True)
        assert emu.grid("sort", "T") == [["ID", "N"], ["c", 3], ["b", 2], ["a", 1]]


# ---------------------------------------------------------------------------------------------
# xlsx
# ---------------------------------------------------------------------------------------------


class TestXlsx:
    def test_load_xlsx_keeps_formulas_and_dates(self, emu, http, tmp_path):
        """Every tab is loaded; formulas stay formulas and date cells become dated serials."""
        wb = openpyxl.Workbook()
        ws = first_sheet(wb)
        ws.title = "Membres"
        ws.append(["ID", "Adhésion le", "Montant", "Double", "Saisi le"])
        ws.append(["M0001", dt.datetime(2024, 7, 2), 100, "=C2*2", dt.datetime(2024, 7, 2, 9, 5)])
        ws["B2"].number_format = "dd/mm/yyyy"  # as in a workbook downloaded from Sheets
        big = wb.create_sheet("Journal")
        for i in range(1200):
            big.append([i])
        path = tmp_path / "classeur.xlsx"
        wb.save(path)
        wb.close()
        emu.load_xlsx(path, "from-xlsx")
        api = Api(emu, http, "from-xlsx")
        assert api.values("Membres!A2:E2") == [
            ["M0001", "02/07/2024", "100", "200", "2024-07-02 9:05:00"]  # the file's own formats
        ]
        assert api.values("Membres!B2:D2", valueRenderOption="FORMULA") == [[45475, 100, "=C2*2"]]
        assert emu.grid_size("from-xlsx", "Journal") == (1200, 26)
        assert [s["properties"]["title"] for s in api.metadata()["sheets"]] == [
            "Membres",
            "Journal",
        ]

    def test_save_xlsx_round_trip(self, emu, tmp_path):
        """save_xlsx writes formulas and dates back to a workbook."""
        emu.create_spreadsheet("save", sheets={"T": [["Date", "N", "F"], [dt.date(2024, 7, 2), 2, "=B2+1"]]})
        path = tmp_path / "out.xlsx"
        emu.save_xlsx("save", path)
        wb = openpyxl.load_workbook(path)
        ws = wb["T"]
        assert ws["A2"].value == dt.datetime(2024, 7, 2)
        assert ws["C2"].value == "=B2+1"
        wb.close()

    def test_serve_loads_a_copy_and_stops_on_interrupt(self, tmp_path):
        """serve() loads the file, calls on_ready(address, id) once listening, returns on Ctrl-C."""
        wb = openpyxl.Workbook()
        sheet = first_sheet(wb)
        sheet.title = "Membres"
        sheet.append(["ID"])
        path = tmp_path / "Classeur MILA.xlsx"
        wb.save(path)
        wb.close()
        seen = {}

        def on_ready(address: str, spreadsheet_id: str) -> None:
            with requests.Session() as session:
                answer = session.get(f"http://{address}/v4/spreadsheets/{spreadsheet_id}/values/Membres")
                seen["values"] = answer.json()["values"]
            seen["id"] = spreadsheet_id
            raise KeyboardInterrupt

        serve(path, port=0, on_ready=on_ready)
        assert seen == {"values": [["ID"]], "id": default_spreadsheet_id(path)}
        assert seen["id"] == "local-Classeur-MILA"


# ---------------------------------------------------------------------------------------------
# gspread against the emulator
# ---------------------------------------------------------------------------------------------


class TestGspread:
    def test_gspread_open_read_update_append(self, emu, gc):
        """gspread opens by key, reads, updates, appends and adds a tab through the emulator."""
        emu.create_spreadsheet("gs", "Classeur", sheets={"Membres": [["ID", "Structure"], ["M0001", "Acme"]]})
        sh = gc.open_by_key("gs")
        assert sh.title == "Classeur"
        ws = sh.worksheet("Membres")
        assert ws.get_all_values() == [["ID", "Structure"], ["M0001", "Acme"]]
        assert ws.get_all_records() == [{"ID": "M0001", "Structure": "Acme"}]
        ws.update([["Acme SAS"]], "B2")
        ws.append_row(["M0002", "=1+1"], value_input_option="RAW")
        assert emu.grid("gs", "Membres") == [
            ["ID", "Structure"],
            ["M0001", "Acme SAS"],
            ["M0002", "=1+1"],
        ]
        journal = sh.add_worksheet("Journal", rows=10, cols=4)
        assert (journal.row_count, journal.col_count) == (10, 4)
        with pytest.raises(gspread.exceptions.APIError) as caught:
            sh.add_worksheet("Journal", rows=10, cols=4)
        assert caught.value.code == 400

    def test_gspread_unknown_key_is_spreadsheet_not_found(self, gc):
        """gspread maps the emulator's 404 to SpreadsheetNotFound."""
        with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
            gc.open_by_key("does-not-exist")


# ---------------------------------------------------------------------------------------------
# Size
# ---------------------------------------------------------------------------------------------


class TestPerformance:
    def test_batch_get_of_a_large_workbook_answers_every_row(self, emu, http):
        """A batchGet of two 10,000 x 25 tabs answers every row, dates formatted (speed: benchmarks/)."""
        header = [f"Colonne {c}" for c in range(25)]
        body = [
            [f"r{r}c{c}" if c % 4 else r * 1.5 for c in range(24)] + [dt.date(2024, 1, 1)]
            for r in range(10_000)
        ]
        emu.create_spreadsheet("big", sheets={"Membres": [header, *body], "Inscriptions": [header, *body]})
        answer = http.get(
            f"http://{emu.address}/v4/spreadsheets/big/values:batchGet",
            params={"ranges": ["Membres", "Inscriptions"]},
        )
        assert answer.status_code == 200
        ranges = answer.json()["valueRanges"]
        assert [len(r["values"]) for r in ranges] == [10_001, 10_001]
        assert ranges[0]["values"][10_000][24] == "01/01/2024"


class TestNeighbour:
    def test_the_runtime_package_holds_no_emulator(self):
        """The emulator and its formula evaluator live beside the automations package, not in it."""
        import automations

        package = Path(automations.__file__).parent
        assert not (package / "workbook" / "emulator").exists()
        assert not list(package.rglob("formula.py"))
        users = [
            p.relative_to(package).as_posix()
            for p in package.rglob("*.py")
            if "sheets_emulator" in p.read_text()
        ]
        assert users and all(u.startswith("cli") for u in users)  # `mila emulateur`, when it runs

    def test_the_emulator_imports_nothing_from_automations(self):
        """Importing the emulator (and serving a file) loads no module of the automations package."""
        code = (
            "import sys, sheets_emulator, sheets_emulator.xlsx\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'automations'))\n"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert done.stdout.strip() == "[]"
