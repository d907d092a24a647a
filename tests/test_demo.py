"""The demo workbook: complete, realistic, deterministic, with exactly the documented mistakes."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from typing import Any

import openpyxl
import phonenumbers
import pytest
from conftest import DEMO_TODAY
from email_validator import EmailNotValidError, validate_email
from stdnum.fr import siret

from automations.demo import KNOWN_MISTAKES
from automations.demo.workbook import DemoBuilder
from automations.schema import (
    EVENEMENTS,
    INSCRIPTIONS,
    LOCAUX,
    MEMBRES,
    OCCUPATIONS,
    RESERVATIONS,
    TABS,
    TARIFS,
    normalize_header,
)

# One xdist worker runs the whole module: its book fixture loads the demo workbook once.
pytestmark = pytest.mark.xdist_group("demo")

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def built(demo_built):
    assert TODAY == DEMO_TODAY
    return demo_built


@pytest.fixture(scope="module")
def book(built, demo_opened):
    return demo_opened


@pytest.fixture(scope="module")
def summary(built):
    return built[1]


# Cells as openpyxl reads them: each test knows what its columns hold.
def rows(book, tab) -> list[dict[str, Any]]:
    ws = book[tab.name]
    values = list(ws.iter_rows(values_only=True))
    header = [normalize_header(h) for h in values[0]]
    return [dict(zip(header, r, strict=True)) for r in values[1:] if any(v is not None for v in r)]


def as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    day, month, year = str(value).split("/")
    return date(int(year), int(month), int(day))


def as_datetime(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(as_date(value), time(0))


def located(summary, code):
    return next(m for m in summary.mistakes if m.code == code)


def test_every_contract_tab_but_the_job_owned_ones_is_present_with_all_its_columns(book):
    """Each staff tab of the contract exists with all its columns; Journal does not, and of the
    other job-owned tabs only the year of billing (Factures, and the reminder of an unpaid
    invoice in Relances)."""
    for tab in TABS:
        if tab.job_owned:
            assert (tab.name in book.sheetnames) == (tab.name in ("Factures", "Relances")), tab.name
            continue
        header = {normalize_header(c.value) for c in book[tab.name][1]}
        missing = [c.name for c in tab.columns if c.key not in header]
        assert not missing, f"{tab.name}: {missing}"


def test_members_count_and_categories_match_the_2024_report(book):
    """About 120 members: 26 active hébergés, about 95 bénéficiaires, one membre de droit."""
    members = rows(book, MEMBRES)
    assert 115 <= len(members) <= 135
    categories = Counter(m["categorie"] for m in members)
    active_hosted = [m for m in members if m["categorie"] == "hébergé" and m["sortie le"] is None]
    assert len(active_hosted) == 26
    assert 26 <= categories["hébergé"] <= 34
    assert 88 <= categories["bénéficiaire"] <= 100
    assert categories["membre de droit"] == 1
    assert set(categories) == {"hébergé", "bénéficiaire", "membre de droit"}


def test_summary_counts_match_the_rows_written(book, summary):
    """The summary's per-tab counts are the data rows actually in the file."""
    for tab in TABS:
        if not tab.job_owned:
            assert summary.counts[tab.name] == len(rows(book, tab)), tab.name
    assert sum(summary.categories.values()) == summary.counts[MEMBRES.name]
    assert summary.lines()[0].startswith("Classeur de démonstration")


def test_ids_are_unique_except_the_documented_duplicate_and_blank(book, summary):
    """IDs are unique per tab, but for the duplicated member ID and the one blank member ID."""
    dup = located(summary, "duplicate_id")
    blank = located(summary, "blank_id")
    for tab in (MEMBRES, LOCAUX, OCCUPATIONS, RESERVATIONS, EVENEMENTS, INSCRIPTIONS):
        ids = [r["id"] for r in rows(book, tab)]
        counts = Counter(ids)
        repeated = {i for i, n in counts.items() if n > 1}
        if tab is MEMBRES:
            assert repeated == {dup.row_id}
            assert ids.count(None) == 1
            assert book[MEMBRES.name].cell(row=blank.row, column=1).value is None
        else:
            assert not repeated and None not in ids, tab.name
            assert all(i.startswith(tab.id_prefix) and len(i) == 1 + tab.id_width for i in ids)


def test_sirets_are_valid_except_the_documented_one(book, summary):
    """Every SIRET passes python-stdnum's check but the one planted with a bad checksum."""
    bad = located(summary, "siret_checksum")
    members = rows(book, MEMBRES)
    invalid = [m["id"] for m in members if m["siret"] and not siret.is_valid(str(m["siret"]))]
    assert invalid == [bad.row_id]
    assert sum(1 for m in members if m["siret"]) > 90


def test_emails_and_phones_are_valid_except_the_documented_typo(book, summary):
    """Emails pass email-validator and phones pass phonenumbers, except the `gmail,com` typo."""
    typo = located(summary, "email_typo")
    bad_emails = []
    for m in rows(book, MEMBRES):
        try:
            validate_email(m["email"], check_deliverability=False)
        except EmailNotValidError:
            bad_emails.append((m["id"], m["email"]))
        if m["telephone"]:
            assert phonenumbers.is_valid_number(phonenumbers.parse(m["telephone"], "FR")), m["telephone"]
    assert len(bad_emails) == 1
    assert bad_emails[0][0] == typo.row_id and bad_emails[0][1].endswith("@gmail,com")


def test_every_active_hosted_member_has_an_ongoing_occupation(book):
    """Each hébergé without `Sortie le` occupies premises under a convention ongoing today
    (no `Fin`, or a fixed term not yet over); offices ongoing for years were revised."""
    premises = {p["id"]: p for p in rows(book, LOCAUX)}
    occupations = rows(book, OCCUPATIONS)
    current = [o for o in occupations if o["fin"] is None or as_date(o["fin"]) >= TODAY]
    ongoing = Counter(o["membre"] for o in current)
    assert any(o["fin"] is not None for o in current), "some ongoing conventions have a fixed term"
    revised = [o for o in current if o["revisee le"] is not None]
    assert revised and all(isinstance(o["indice de reference"], float | int) for o in revised)
    assert all(as_date(o["revisee le"]) > as_date(o["debut"]) for o in revised)
    for m in rows(book, MEMBRES):
        if m["categorie"] == "hébergé" and m["sortie le"] is None:
            assert ongoing[m["id"]] == 1, m["id"]
    assert all(premises[o["local"]]["surface m2"] for o in occupations)
    assert any(o["fin"] is not None for o in occupations), "some conventions have ended"
    per_premises = Counter(o["local"] for o in current)
    assert max(per_premises.values()) == 1


def test_premises_hold_the_offices_shops_and_milab(book):
    """12 offices of 10 m², one of 16 m², 14 shops, and the three bookable Milab resources."""
    premises = rows(book, LOCAUX)
    offices = [p for p in premises if str(p["nom"]).startswith("Bureau")]
    assert sorted(p["surface m2"] for p in offices) == [10] * 12 + [16]
    shops = [p for p in premises if p["site"] == "Boutique"]
    assert len(shops) == 14 and all(25 <= p["surface m2"] <= 85 for p in shops)
    bookable = {p["nom"]: p for p in premises if p["reservable"] == "oui"}
    assert set(bookable) == {"Postes Milab", "Salle de réunion", "Studio"}
    assert bookable["Postes Milab"]["capacite"] == 6


def test_fee_schedule_is_the_association_history(book):
    """Tarifs: 100 € to 29/02/2024, then BASIC 120, PREMIUM 170, Crescendo +10; 10 €/m² ≤ 700."""
    fees = {r["code"]: r for r in rows(book, TARIFS)}
    assert set(fees) == {
        "BENEFICIAIRE",
        "BASIC",
        "PREMIUM",
        "CRESCENDO",
        "HEBERGE_M2",
        "MEMBRE_DE_DROIT",
    }
    assert fees["BENEFICIAIRE"]["montant ht"] == 100 and as_date(fees["BENEFICIAIRE"]["au"]) == date(
        2024, 2, 29
    )
    for code, amount in (("BASIC", 120), ("PREMIUM", 170), ("CRESCENDO", 10)):
        assert fees[code]["montant ht"] == amount
        assert as_date(fees[code]["du"]) == date(2024, 3, 1) and fees[code]["au"] is None
    assert fees["HEBERGE_M2"]["montant ht"] == 10 and fees["HEBERGE_M2"]["plafond ht"] == 700
    assert fees["MEMBRE_DE_DROIT"]["montant ht"] == 0
    assert all(r["tva %"] == 20 and r["libelle"] for r in fees.values())


def test_calc_columns_are_left_empty_for_the_jobs(book):
    """No (calc.) column holds a value: the jobs fill them. Demandes tells of requests a pass
    already did (issue 22): their computed cells are filled, the pending ones' are empty."""
    for tab in TABS:
        if tab.job_owned:
            continue
        calc = [c.key for c in tab.calc_columns]
        for r in rows(book, tab):
            if tab.name == "Demandes" and r["id"]:
                assert r["statut"] in ("faite", "refusée") and r["resultat"] and r["traitee le"], r
                continue
            assert all(r[k] is None for k in calc), (tab.name, r)


def test_the_demo_has_requests_done_and_pending(book):
    """Issue 22: a few requests done or refused, a few pending (no ID, no status yet)."""
    requests = rows(book, TABS[[t.name for t in TABS].index("Demandes")])
    assert sum(1 for r in requests if r["statut"] == "faite") >= 2
    assert any(r["statut"] == "refusée" for r in requests)
    assert sum(1 for r in requests if r["id"] is None and r["statut"] is None) >= 2


def test_events_span_three_years_with_upcoming_ones(book):
    """Events cover 2024, 2025 and 2026, with nine Clubs MILA a year and some still to come."""
    events = rows(book, EVENEMENTS)
    years = Counter(as_date(e["date"]).year for e in events)
    assert set(years) == {2024, 2025, 2026} and min(years.values()) >= 60
    clubs = Counter(as_date(e["date"]).year for e in events if e["type"] == "Club MILA")
    assert set(clubs.values()) == {9}
    assert any(as_date(e["date"]) > TODAY for e in events)
    assert {e["type"] for e in events} <= set(EVENEMENTS.column("Type").choices)
    for e in events:
        if e["type"] == "Crescendo – Atelier pratique":
            assert e["reserve a"] == "Crescendo" and e["capacite"]
        if e["type"] == "Consultation d'experts":
            assert e["reserve a"] == "PREMIUM"
        if e["intervenants"]:
            assert all("(" in s and s.strip().endswith(")") for s in e["intervenants"].split(";"))


def test_registrations_have_statuses_by_date_and_waiting_lists(book):
    """Past events have présent/absent/annulé, upcoming ones inscrit/annulé, some over capacity."""
    events = {e["id"]: e for e in rows(book, EVENEMENTS)}
    regs = rows(book, INSCRIPTIONS)
    taken: Counter[str] = Counter()
    for r in regs:
        upcoming = as_date(events[r["evenement"]]["date"]) >= TODAY
        assert r["statut"] in (("inscrit", "annulé") if upcoming else ("présent", "absent", "annulé"))
        assert as_datetime(r["inscrit le"]).date() <= TODAY
        if r["statut"] != "annulé":
            taken[r["evenement"]] += 1
    over = [i for i, n in taken.items() if events[i]["capacite"] and n > events[i]["capacite"]]
    assert over and all(as_date(events[i]["date"]) >= TODAY for i in over)
    pairs = Counter((r["evenement"], r["membre"]) for r in regs)
    assert max(pairs.values()) == 1


def test_registrations_respect_reserved_events(book):
    """Crescendo workshops only get Crescendo members, PREMIUM events PREMIUM or hosted ones."""
    members = {m["id"]: m for m in rows(book, MEMBRES)}
    events = {e["id"]: e for e in rows(book, EVENEMENTS)}
    for r in rows(book, INSCRIPTIONS):
        m, reserved = members.get(r["membre"]), events[r["evenement"]]["reserve a"]
        if m is None:
            continue
        if reserved == "Crescendo":
            assert m["option crescendo"] in ("oui", "x")
        elif reserved == "PREMIUM":
            assert m["forfait"] == "PREMIUM" or m["categorie"] == "hébergé"


def test_bookings_cover_three_years_within_capacity_but_for_the_planted_overlap(book, summary):
    """Bookings span 2024–2026, desks never exceed six, the only room overlap is the planted one."""
    bookings = rows(book, RESERVATIONS)
    premises = {p["id"]: p for p in rows(book, LOCAUX)}
    assert {as_date(b["debut"]).year for b in bookings} == {2024, 2025, 2026}
    assert {b["statut"] for b in bookings} == {"demandée", "confirmée", "annulée"}
    assert all(premises[b["ressource"]]["reservable"] == "oui" for b in bookings)
    gracious = [b for b in bookings if b["formule"] == "gracieux"]
    assert gracious and all(b["organisme"] and b["membre"] is None for b in gracious)
    assert any(isinstance(b["debut"], datetime) and b["debut"].time() != time(0) for b in bookings)

    ends_before = [b["id"] for b in bookings if as_date(b["fin"]) < as_date(b["debut"])]
    assert ends_before == [located(summary, "end_before_start").row_id]

    def span(b):
        start, end = as_datetime(b["debut"]), as_datetime(b["fin"])
        if end.time() == time(0):
            end = end.replace(hour=23, minute=59)
        return start, end

    by_name = {p["nom"]: i for i, p in premises.items()}
    room = [(b["id"], *span(b)) for b in bookings if b["ressource"] == by_name["Salle de réunion"]]
    overlaps = [
        (a[0], b[0]) for i, a in enumerate(room) for b in room[i + 1 :] if a[1] < b[2] and b[1] < a[2]
    ]
    assert len(overlaps) == 1 and located(summary, "room_overlap").row_id in overlaps[0]
    per_day: Counter[date] = Counter()
    for b in bookings:
        if b["ressource"] == by_name["Postes Milab"]:
            start, end = as_date(b["debut"]), as_date(b["fin"])
            for n in range((end - start).days + 1):
                per_day[date.fromordinal(start.toordinal() + n)] += 1
    assert max(per_day.values()) <= 6


def test_known_mistakes_are_documented_and_planted(book, summary):
    """KNOWN_MISTAKES lists 6 to 10 mistakes, each found at its reported place in the file."""
    assert 6 <= len(KNOWN_MISTAKES) <= 10
    assert [m.code for m in KNOWN_MISTAKES] == [m.code for m in summary.mistakes]
    for mistake, where in zip(KNOWN_MISTAKES, summary.mistakes, strict=True):
        assert mistake.tab == where.tab and mistake.what
        header = [normalize_header(c.value) for c in book[where.tab][1]]
        assert normalize_header(mistake.column) in header
        if where.row_id is not None:
            assert book[where.tab].cell(row=where.row, column=header.index("id") + 1).value == where.row_id

    ws = book[MEMBRES.name]
    header = [normalize_header(c.value) for c in ws[1]]
    cell = ws.cell(row=located(summary, "impossible_date").row, column=header.index("adhesion le") + 1)
    assert isinstance(cell.value, str) and cell.value.startswith("31/02/")
    row = located(summary, "missing_forfait").row
    assert ws.cell(row=row, column=header.index("forfait") + 1).value is None
    paid = ws.cell(row=row, column=header.index("cotisation payee le") + 1).value
    assert as_date(paid) >= date(2024, 3, 1)
    member_ids = {m["id"] for m in rows(book, MEMBRES)}
    unknown = [r for r in rows(book, INSCRIPTIONS) if r["membre"] not in member_ids]
    assert [r["id"] for r in unknown] == [located(summary, "unknown_member").row_id]


def test_members_look_typed_by_staff(book):
    """Members mix date cells with text dates, numbers with `€` strings; amounts follow the fees."""
    members = rows(book, MEMBRES)
    text_dates = [
        m for m in members for k in ("cotisation payee le", "charte signee le") if isinstance(m[k], str)
    ]
    assert 3 <= len(text_dates) <= 12
    text_amounts = [m["montant paye"] for m in members if isinstance(m["montant paye"], str)]
    assert text_amounts and all(a.endswith("€") for a in text_amounts)
    assert sum(1 for m in members if m["charte signee le"]) > 0.7 * len(members)
    assert sum(1 for m in members if m["sortie le"]) >= 5
    assert any(m["notes"] for m in members)
    allowed = {120.0, 144.0, 156.0, 204.0, 216.0}  # TTC: 100, BASIC, BASIC+C, PREMIUM, PREMIUM+C
    for m in members:
        amount = m["montant paye"]
        if m["categorie"] == "bénéficiaire" and isinstance(amount, (int, float)):
            assert float(amount) in allowed, (m["id"], amount)


def test_sheets_are_presented_like_a_staff_workbook(book):
    """Headers are bold and frozen, dates DD/MM/YYYY, amounts in euros, choices in drop-downs."""
    ws = book[MEMBRES.name]
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    header = [c.value for c in ws[1]]
    assert "Notes" in header and "Activité" in header
    joined = ws.cell(row=2, column=header.index("Adhésion le") + 1)
    assert joined.number_format == "DD/MM/YYYY"
    amounts = [
        c
        for c in ws[openpyxl.utils.get_column_letter(header.index("Montant payé") + 1)][1:]
        if isinstance(c.value, (int, float))
    ]
    assert amounts and all("€" in c.number_format for c in amounts)
    validated = {
        str(r).split(":")[0].rstrip("0123456789")
        for dv in ws.data_validations.dataValidation
        for r in dv.sqref.ranges
    }
    categorie = openpyxl.utils.get_column_letter(header.index("Catégorie") + 1)
    assert categorie in validated
    assert book[EVENEMENTS.name].data_validations.dataValidation


def test_another_seed_differs():
    """Another seed gives other members, from which the workbook is written. (That one seed
    always writes the same file, test_cli's test_demo_writes_the_same_workbook_as_the_builder
    checks: `mila demo` builds seed 2024 again and compares it part by part with the session's
    build.)"""

    def members(seed: int) -> list[tuple[str, str, str, date]]:
        builder = DemoBuilder(seed, TODAY)
        found, _ = builder.build_members_and_occupations(builder.build_premises())
        return [(m.structure, m.first, m.last, m.joined) for m in found]

    assert members(7) != members(2024)
    assert members(7) == members(7)


def test_people_and_companies_are_fictional(book):
    """No surname of the real board or staff from the activity reports appears in the workbook."""
    real = (
        "Merlet",
        "Vessier",
        "Chalindar",
        "Renaut",
        "Lagadrilli",
        "Ammar",
        "Arrès",
        "Chiappa",
        "Dexheimer",
        "Soulié",
        "Ravier",
        "Ménoret",
        "Mattéi",
        "Casays",
        "Monroq",
        "Monrocq",
        "Leleu",
        "Zanaska",
        "Tricatel",
        "Upton Park",
        "Sonorium",
        "Street Dispatch",
        "Grünt",
    )
    text = " ".join(str(v) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for v in r if v)
    assert not [name for name in real if name.lower() in text.lower()]


def test_the_demo_holds_a_year_of_invoices_a_credit_note_a_partly_paid_and_an_unpaid_one(book):
    """VAT-registered billing: rents and cotisations invoiced over a year, one credit note, one
    invoice partly paid, one unpaid whose J+15 reminder was sent; numbers continuous per year."""
    header, *lines = list(book["Factures"].iter_rows(values_only=True))
    invoices = [dict(zip(header, line, strict=False)) for line in lines]
    statuses = [i["Statut"] for i in invoices]
    assert len(invoices) > 300 and statuses.count("payée") > 200
    assert statuses.count("partiellement payée") == 1 and statuses.count("annulée par avoir") == 1
    credit = next(i for i in invoices if str(i["N°"]).startswith("A"))
    cancelled = next(i for i in invoices if i["Statut"] == "annulée par avoir")
    assert credit["Avoir de"] == cancelled["N°"] and credit["Montant TTC"] == -cancelled["Montant TTC"]
    assert all(i["TVA"] != 0 for i in invoices)  # the association is VAT-registered
    for year in {str(i["N°"])[1:5] for i in invoices}:
        numbers = sorted(int(str(i["N°"])[6:]) for i in invoices if str(i["N°"]).startswith(f"F{year}"))
        assert numbers == list(range(1, len(numbers) + 1))
    _, reminder = list(book["Relances"].iter_rows(values_only=True))
    unpaid = next(i for i in invoices if reminder[2] == f"facture {i['N°']} J+15")
    assert unpaid["Statut"] == "émise" and unpaid["Reste dû"] == unpaid["Montant TTC"]
