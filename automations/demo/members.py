"""Membres: hosted members and their conventions, bénéficiaires, the membre de droit,
payments that give every status, charters, staff habits and planted mistakes, and the
Membres tab of workbooks of any size. Hosted members are built together with their
conventions (a hosted member is one because of a convention); each convention and the
Occupations rows are made by :mod:`automations.demo.occupations`.
"""

from __future__ import annotations

from datetime import date, timedelta

from ..schema import MEMBRES
from . import names
from .common import (
    CHARTER_DATE,
    FEE_SWITCH,
    OK_STATUSES,
    DemoMember,
    DemoPremise,
    Grid,
    SizedMember,
    SizedStory,
    Story,
    add_months,
    fee_paid,
    fr_amount,
    fr_date,
    make_siret,
    phone_number,
    random_day,
    slugify,
    weighted_sample,
    working_day_before,
)
from .occupations import DemoOccupation, new_occupation


class MembersPart(Story):
    """The Membres tab and the conventions of Occupations, built together (a hosted member
    is one because of a convention)."""

    def build_members_and_occupations(
        self, premises: list[DemoPremise]
    ) -> tuple[list[DemoMember], list[DemoOccupation]]:
        rng, today, y0 = self.rng, self.today, self.y0
        offices = premises[:12]
        milab_office = premises[12]
        shops = premises[13:27]
        members: list[DemoMember] = []
        occupations: list[DemoOccupation] = []
        former = list(names.FORMER_TENANTS)
        rng.shuffle(former)

        def occupy(p: DemoPremise, m: DemoMember, start: date, end: date | None = None) -> DemoOccupation:
            occ = new_occupation(rng, y0, p, m, start, end)
            occupations.append(occ)
            return occ

        # Office turnovers: (office index, end of the former occupation, start of the next one)
        first_of_month = date(today.year, today.month, 1)
        vacant_end = add_months(first_of_month, -2) - timedelta(days=1)
        late_start = add_months(first_of_month, -1)
        late_end = add_months(late_start, -3) - timedelta(days=1)
        idx = rng.sample(range(12), 10)
        turnovers: list[tuple[DemoPremise, date, date | None]] = [
            (offices[idx[0]], date(y0 - 2, 3, 31), date(y0 - 2, 5, 1)),
            (offices[idx[1]], date(y0, 3, 31), date(y0, 4, 1)),
            (offices[idx[2]], date(y0, 6, 30), date(y0, 7, 1)),
            (offices[idx[3]], date(y0, 8, 31), date(y0, 9, 1)),
            (offices[idx[4]], date(y0, 9, 30), date(y0, 10, 15)),
            (offices[idx[5]], date(y0, 12, 31), date(y0 + 1, 1, 1)),
            (milab_office, date(y0, 6, 30), date(y0, 9, 1)),
            (offices[idx[6]], date(y0 + 1, 2, 28), date(y0 + 1, 3, 1)),
            (offices[idx[7]], date(y0 + 1, 9, 30), date(y0 + 1, 10, 1)),
            (offices[idx[8]], late_end, late_start),
            (offices[idx[9]], vacant_end, None),
        ]
        vacant = offices[idx[9]]
        vacant.remark = f"Libre depuis le {fr_date(vacant_end + timedelta(days=1))}, candidatures en cours"
        next_start: dict[str, date] = {}
        stays = {
            1,
            3,
            5,
            7,
            8,
            9,
        }  # former tenants who stay as bénéficiaires (moved out, kept membership)
        for k, (premise, end, start_next) in enumerate(turnovers):
            name, kind = former[k]
            self.used_structures.append(name)
            joined = add_months(end, -rng.randint(30, 70))
            joined = date(joined.year, joined.month, 1)
            m = self.new_member("hébergé", joined, structure=(name, kind))
            m.surface, m.former_tenant = premise.surface, True
            occupy(premise, m, joined, end)
            if k in stays:
                m.category = "bénéficiaire"
            else:
                m.left = end
                m.paid = random_day(self.rng, add_months(end, -11), end - timedelta(days=30))
            members.append(m)
            if start_next is not None:
                next_start[premise.id] = start_next

        # Current hosted members: 11 offices + the Milab office + 14 shops.
        hosted_places = [p for p in offices if p is not vacant] + [milab_office] + shops
        newest: DemoMember | None = None
        for p in hosted_places:
            if p.id in next_start:
                start = next_start[p.id]
            elif p.site == "Boutique":
                start = date(rng.randint(2007, y0 - 2), rng.randint(1, 12), 1)
            else:
                start = date(rng.randint(y0 - 9, y0 - 3), rng.choice((1, 3, 4, 6, 9, 10)), 1)
            structure = None
            if p.site == "Boutique":
                structure = names.SHOP_STRUCTURES[shops.index(p)]
                self.used_structures.append(structure[0])
            joined = start
            if start != late_start and rng.random() < 0.3:  # a bénéficiaire before moving in
                joined = add_months(start, -rng.randint(6, 30))
            m = self.new_member("hébergé", joined, structure=structure)
            m.surface = p.surface
            occupy(p, m, start)
            members.append(m)
            if start == late_start:
                newest = m

        hosted = [m for m in members if m.category == "hébergé" and m.left is None]
        statuses = ["à renouveler"] * 2 + ["échue"] + ["à jour"] * (len(hosted) - 3)
        rng.shuffle(statuses)
        for m in hosted:
            if m is newest:
                continue  # moved in last month, first invoice not paid yet: en attente
            self.set_payment(m, statuses.pop())

        # The membre de droit.
        mdd = self.new_member("membre de droit", date(2016, 6, 14), individual=True, female=False)
        mdd.structure, mdd.activity, mdd.siret = mdd.contact, "Personne physique", None
        mdd.paid = add_months(date(y0 + 2, 7, 1), -12 if today < date(y0 + 2, 7, 1) else 0)
        members.append(mdd)

        # Former tenants who stayed, then regular bénéficiaires.
        stayed = [m for m in members if m.category == "bénéficiaire"]
        for m in stayed:
            self.set_payment(m, "à jour" if rng.random() < 0.7 else "échue")
            self.choose_forfait(m)
        targets = ["sortie"] * 5 + ["en attente"] * 4 + ["échue"] * 14 + ["à renouveler"] * 8
        targets += ["à jour"] * (87 - len(targets))
        rng.shuffle(targets)
        for target in targets:
            individual = rng.random() < 0.11
            m = self.new_member("bénéficiaire", today, individual=individual)
            self.set_payment(m, target)
            self.choose_forfait(m)
            members.append(m)

        # Crescendo option: about 18 bénéficiaires with a forfait, mostly women.
        candidates = [m for m in members if m.category == "bénéficiaire" and m.forfait]
        weights = [4.0 if m.female else 0.3 for m in candidates]
        for m in weighted_sample(rng, candidates, weights, 18):
            m.crescendo = True

        for m in members:
            m.amount = fee_paid(m)
            self.sign_charter(m)
        self.plant_member_mistakes(members)
        self.staff_habits(members)

        members.sort(key=lambda m: (m.joined, m.structure))
        for n, m in enumerate(members, start=1):
            m.id = MEMBRES.format_id(n)

        # Two rows added at the bottom by hand: a row copied from a recent bénéficiaire whose
        # ID was not cleared, and a brand-new row without ID. Neither the copy nor its original
        # is referenced elsewhere, so that the duplicate does not spread to other tabs.
        original = next(
            m for m in reversed(members) if m.category == "bénéficiaire" and m not in self.mistake_rows()
        )
        original.referable = False
        dup = self.new_member("bénéficiaire", today - timedelta(days=6))
        dup.forfait, dup.paid = "BASIC", today - timedelta(days=6)
        dup.amount, dup.charter, dup.id, dup.referable = (
            fee_paid(dup),
            dup.paid,
            original.id,
            False,
        )
        dup.note = "Ajouté(e) après le salon"
        blank = self.new_member("bénéficiaire", today - timedelta(days=2), individual=True)
        blank.forfait, blank.referable, blank.note = "PREMIUM", False, "Adhésion reçue par email"
        members += [dup, blank]
        self.mistakes["duplicate_id"] = (MEMBRES.name, dup)
        self.mistakes["blank_id"] = (MEMBRES.name, blank)
        return members, occupations

    def set_payment(self, m: DemoMember, target: str) -> None:
        """Payment (and joining / leaving) dates that give ``target`` as status on today."""
        rng, today = self.rng, self.today
        year_ago = add_months(today, -12)

        def joined_before(d: date, new_share: float) -> date:
            if m.category == "bénéficiaire" and m.joined >= today - timedelta(days=1):
                if rng.random() < new_share:
                    return d
                years = range(2012, d.year + 1)
                weights = [(1.0 + 0.6 * (y - 2012) ** 1.3) * (2.5 if y == self.y0 else 1.0) for y in years]
                year = rng.choices(years, weights=weights)[0]
                return min(random_day(self.rng, date(year, 1, 2), date(year, 12, 20)), d)
            return m.joined

        if target == "en attente":
            m.joined = today - timedelta(days=rng.randint(3, 70))
            m.paid = None
        elif target == "à jour":
            paid = today - timedelta(days=rng.randint(35, 330))
            m.joined = joined_before(paid, 0.3)
            m.paid = max(paid, m.joined)
        elif target == "à renouveler":
            paid = year_ago + timedelta(days=rng.randint(3, 27))
            m.joined = joined_before(paid, 0.4)
            m.paid = max(paid, m.joined)
        elif target == "échue":
            paid = today - timedelta(days=rng.randint(400, 1250))
            m.joined = joined_before(paid, 0.5)
            m.paid = max(paid, m.joined)
        elif target == "sortie":
            left = today - timedelta(days=rng.randint(30, 700))
            paid = left - timedelta(days=rng.randint(60, 340))
            m.joined = joined_before(paid, 0.3)
            m.paid, m.left = max(paid, m.joined), left

    def choose_forfait(self, m: DemoMember) -> None:
        """A forfait for every bénéficiaire (the next period needs one), except some who left
        before the forfaits existed."""
        rng = self.rng
        before = m.paid is not None and m.paid < FEE_SWITCH
        if m.left is None or not before or rng.random() < 0.3:
            m.forfait = "PREMIUM" if rng.random() < 0.36 else "BASIC"

    def sign_charter(self, m: DemoMember) -> None:
        rng = self.rng
        if m.joined < CHARTER_DATE:
            if m.left is not None and m.left < CHARTER_DATE + timedelta(days=200):
                return
            if rng.random() < 0.82:
                m.charter = random_day(self.rng, CHARTER_DATE, date(2023, 6, 30))
        elif rng.random() < 0.9 and (m.paid is not None or rng.random() < 0.5):
            m.charter = m.joined + timedelta(days=rng.choice((0, 0, 0, 1, 3, 8)))
            m.charter = min(m.charter, self.today)

    def plant_member_mistakes(self, members: list[DemoMember]) -> None:
        rng, y0 = self.rng, self.y0
        benef = [m for m in members if m.category == "bénéficiaire" and m.left is None]
        ok = [m for m in benef if m.status(self.today) in OK_STATUSES]

        m = rng.choice([b for b in ok if b.siret and not b.individual])
        siret = m.siret or ""  # chosen for having one
        bad = siret[:-1] + str((int(siret[-1]) + 1) % 10)
        m.siret, m.cells["SIRET"] = bad, bad
        self.mistakes["siret_checksum"] = (MEMBRES.name, m)

        m = rng.choice([b for b in ok if b.individual] or ok)
        m.email = f"{slugify(m.first)}.{slugify(m.last)}@gmail,com"
        self.mistakes["email_typo"] = (MEMBRES.name, m)

        feb = date(y0 + 1, 2, 27)
        pool = [
            b
            for b in benef
            if b.paid is not None
            and b.paid >= date(y0 + 1, 3, 1)
            and not b.former_tenant
            and b not in self.mistake_rows()
        ]
        m = rng.choice(pool)
        m.joined = feb
        if m.charter is not None:
            m.charter = feb + timedelta(days=4)
        m.cells["Adhésion le"] = f"31/02/{y0 + 1}"
        self.mistakes["impossible_date"] = (MEMBRES.name, m)

        pool = [b for b in ok if b.forfait == "BASIC" and not b.crescendo and b not in self.mistake_rows()]
        m = rng.choice(pool)
        m.forfait = None
        self.mistakes["missing_forfait"] = (MEMBRES.name, m)

    def staff_habits(self, members: list[DemoMember]) -> None:
        """Dates typed as text, amounts typed with a euro sign, ``x`` for yes, notes."""
        rng = self.rng
        plain = [m for m in members if m not in self.mistake_rows()]
        for m, paid in rng.sample([(m, m.paid) for m in plain if m.paid], 4):
            m.cells["Cotisation payée le"] = fr_date(paid)
        for m, charter in rng.sample([(m, m.charter) for m in plain if m.charter], 3):
            m.cells["Charte signée le"] = fr_date(charter)
        for m, amount in rng.sample([(m, m.amount) for m in plain if m.amount], 8):
            m.cells["Montant payé"] = fr_amount(amount) if rng.random() < 0.7 else f"{amount:g} €"
        for m in rng.sample([m for m in plain if m.crescendo], 2):
            m.cells["Option Crescendo"] = "x"
        for m in rng.sample(plain, 14):
            m.note = rng.choice(names.NOTES_MEMBRES)
        for m in plain:
            if not m.crescendo and m.category == "bénéficiaire" and rng.random() < 0.25:
                m.cells["Option Crescendo"] = "non"


def member_row(m: DemoMember) -> dict[str, object]:
    row: dict[str, object] = {
        "ID": m.id,
        "Structure": m.structure,
        "Activité": m.activity,
        "Contact": m.contact,
        "Email": m.email,
        "Téléphone": m.phone,
        "SIRET": m.siret,
        "Catégorie": m.category,
        "Forfait": m.forfait,
        "Option Crescendo": "oui" if m.crescendo else None,
        "Adhésion le": working_day_before(m.joined),
        "Cotisation payée le": m.paid,
        "Montant payé": m.amount,
        "Charte signée le": m.charter,
        "Sortie le": m.left,
        "Civilité": "Mme" if m.female else "M.",
        "Forme juridique": _legal_form(m),
        "Adresse": _registered_address(m),
        "Qualité du représentant": _capacity(m),
        "Notes": m.note,
    }
    row.update(m.cells)
    return row


_FORMS = ("SARL", "SAS", "association", "SARL", "EURL", "SAS", "association", "SCOP")
_STREETS = (
    "rue Ordener",
    "rue Marcadet",
    "boulevard Barbès",
    "rue Custine",
    "rue Championnet",
    "rue Myrha",
    "rue Doudeauville",
    "rue Polonceau",
    "rue Caulaincourt",
    "rue Labat",
)


def _legal_form(m: DemoMember) -> str:
    """A legal form for the demo's conventions and receipts, the same on every run."""
    if m.individual:
        return "personne physique"
    return _FORMS[sum(map(ord, m.structure)) % len(_FORMS)]


# The representative's capacity by legal form (feminine, masculine); one structure in five
# leaves it blank, as staff do, and its conventions read « dûment habilitée ».
_CAPACITIES = {
    "SARL": ("gérante", "gérant"),
    "EURL": ("gérante", "gérant"),
    "SCOP": ("gérante", "gérant"),
    "SAS": ("présidente", "président"),
    "association": ("présidente", "président"),
}


def _capacity(m: DemoMember) -> str | None:
    if m.individual or sum(map(ord, m.contact)) % 5 == 0:
        return None
    feminine, masculine = _CAPACITIES[_legal_form(m)]
    return feminine if m.female else masculine


def _registered_address(m: DemoMember) -> str:
    seed = sum(map(ord, m.structure + m.contact))
    return f"{seed % 97 + 1} {_STREETS[seed % len(_STREETS)]}, 75018 Paris"


# --- Workbooks of any size (the benchmarks') ---------------------------------------------------

# Staff columns of Membres: (name, inserted after this column; None = at the end).
MEMBER_STAFF_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("Activité", "Structure"),
    ("Référent·e", "Contact"),
    ("Source", None),
    ("Suivi", None),
    ("Notes", None),
)
STAFF_NAMES = ("Nadia", "Julien", "Clémence", "Karim", "Sophie")
SOURCES = (
    "Bouche à oreille",
    "Salon MaMA",
    "Site internet",
    "Parrainage",
    "Mairie du 18e",
    "Réseau Crescendo",
    "LinkedIn",
    "Newsletter",
)
# Statuses on today, by cumulated share of the members (the rest: « à jour »).
_STATUS_SHARES = (("sortie", 0.11), ("en attente", 0.16), ("échue", 0.34), ("à renouveler", 0.40))
FOLLOW_UPS = (
    "Relancé·e par téléphone le {d}",
    "Facture envoyée le {d}",
    "RDV d'accueil le {d}",
    "Attestation envoyée le {d}",
    "Mail de bienvenue envoyé le {d}",
)


def sized_plan_members(story: SizedStory, hosted: int) -> list[SizedMember]:
    """Categories and dates for every member, sorted by joining date like the sheet."""
    rng, today, count = story.rng, story.today, story.counts.members
    year_ago = add_months(today, -12)
    members: list[SizedMember] = []
    for i in range(count):
        if i < hosted:
            category = "hébergé"
        elif rng.random() < 0.005:
            category = "membre de droit"
        else:
            category = "bénéficiaire"
        r = rng.random()
        target = next((status for status, upto in _STATUS_SHARES if r < upto), "à jour")
        if i < hosted and target in ("sortie", "en attente"):
            target = "à jour"
        joined = random_day(rng, date(2008, 1, 2), today - timedelta(days=400))
        paid: date | None
        left = None
        if target == "en attente":
            joined = today - timedelta(days=rng.randint(3, 70))
            paid = None
        elif target == "à jour":
            paid = today - timedelta(days=rng.randint(35, 330))
        elif target == "à renouveler":
            paid = year_ago + timedelta(days=rng.randint(3, 27))
        elif target == "échue":
            paid = today - timedelta(days=rng.randint(400, 1250))
        else:
            left = today - timedelta(days=rng.randint(30, 1500))
            paid = left - timedelta(days=rng.randint(60, 340))
        if paid is not None:
            joined = min(joined, paid)
        forfait = None
        if category == "bénéficiaire" and (left is None or left >= FEE_SWITCH or rng.random() < 0.3):
            forfait = "PREMIUM" if rng.random() < 0.36 else "BASIC"
        crescendo = forfait is not None and rng.random() < 0.15
        members.append(SizedMember(None, category, joined, paid, left, forfait, crescendo))
    order = list(range(count))
    order.sort(key=lambda k: members[k].joined)
    ranked = [members[k] for k in order]
    for n, m in enumerate(ranked, start=1):
        m.id = MEMBRES.format_id(n)
    return ranked


def sized_member_header() -> list[str]:
    """The contract's Membres headers with the staff's own columns where they keep them."""
    header = [c.name for c in MEMBRES.columns]
    for name, after in MEMBER_STAFF_COLUMNS:
        if after is None:
            header.append(name)
        else:
            header.insert(header.index(after) + 1, name)
    return header


def sized_members_grid(story: SizedStory, members: list[SizedMember]) -> Grid:
    """The Membres tab: names, contacts, SIRET, fees paid, charters, as the staff type them."""
    rng = story.rng
    header = sized_member_header()
    rows: Grid = [header]
    for m in members:
        individual = m.category == "membre de droit" or rng.random() < 0.11
        female = rng.random() < 0.55
        first = rng.choice(names.FEMALE_FIRST_NAMES if female else names.MALE_FIRST_NAMES)
        last = rng.choice(names.LAST_NAMES)
        if individual:
            structure = f"{first} {last}"
            activity = rng.choice(names.INDIVIDUAL_ACTIVITIES)
            email = story.email(
                f"{slugify(first)}.{slugify(last)}", rng.choice(("example.com", "example.org", "example.net"))
            )
        else:
            activity = rng.choice(story.activities)
            structure = f"{rng.choice(names.STRUCTURES[activity])} {rng.choice(names.LAST_NAMES)}"
            domain = slugify(structure) + rng.choice((".fr", ".fr", ".com", ".net"))
            local = rng.choice((slugify(first), "contact", "bonjour", f"{slugify(first)}.{slugify(last)}"))
            email = story.email(local, domain)
        siret: str | None = None
        if not individual or rng.random() < 0.5:
            siret = make_siret(rng)
            if rng.random() < 0.12:
                siret = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
        amount: object = fee_paid(m)
        if isinstance(amount, float) and rng.random() < 0.03:
            amount = fr_amount(amount) if rng.random() < 0.7 else f"{amount:g} €"
        crescendo: object = None
        if m.crescendo:
            crescendo = "x" if rng.random() < 0.1 else "oui"
        elif m.category == "bénéficiaire" and rng.random() < 0.25:
            crescendo = "non"
        charter = None
        if rng.random() < 0.85:
            charter = min(
                max(m.joined, date(2022, 10, 3)) + timedelta(days=rng.choice((0, 0, 1, 3, 8))), story.today
            )
        follow = None
        if rng.random() < 0.2:
            follow = rng.choice(FOLLOW_UPS).format(
                d=f"{random_day(story.rng, m.joined, story.today):%d/%m/%Y}"
            )
        values = {
            "ID": m.id,
            "Structure": structure,
            "Activité": activity,
            "Contact": f"{first} {last}",
            "Référent·e": rng.choice(STAFF_NAMES),
            "Email": email,
            "Téléphone": phone_number(story.rng, company=not individual),
            "SIRET": siret,
            "Catégorie": m.category,
            "Forfait": m.forfait,
            "Option Crescendo": crescendo,
            "Adhésion le": story.typed_date(m.joined),
            "Cotisation payée le": story.typed_date(m.paid),
            "Montant payé": amount,
            "Charte signée le": story.typed_date(charter),
            "Sortie le": story.typed_date(m.left),
            "Source": rng.choice(SOURCES) if rng.random() < 0.6 else None,
            "Suivi": follow,
            "Notes": rng.choice(names.NOTES_MEMBRES) if rng.random() < 0.15 else None,
        }
        _plant_sized_mistake(story, values, m)
        rows.append([values.get(h) for h in header])
    _copy_and_blank(story, rows, header.index("ID"), header)
    return rows


def _plant_sized_mistake(story: SizedStory, values: dict[str, object], m: SizedMember) -> None:
    """About 1 % of members carry one of the mistakes the staff really make."""
    rng = story.rng
    if rng.random() >= 0.01:
        return
    kind = rng.choice(("siret", "email", "date", "forfait"))
    if kind == "siret" and values["SIRET"]:
        s = str(values["SIRET"]).replace(" ", "")
        values["SIRET"] = s[:-1] + str((int(s[-1]) + 1) % 10)
    elif kind == "email":  # a comma for the last dot: « …@gmail,com »
        local, _, domain = str(values["Email"]).rpartition(".")
        values["Email"] = f"{local},{domain}"
    elif kind == "date":
        values["Adhésion le"] = f"31/02/{m.joined.year}"
    elif kind == "forfait" and m.category == "bénéficiaire" and m.left is None:
        values["Forfait"] = None


def _copy_and_blank(story: SizedStory, rows: Grid, id_index: int, header: list[str]) -> None:
    """A row copied without clearing its ID, and rows added by hand without an ID."""
    if len(rows) < 5:
        return
    copied = list(rows[len(rows) // 2])
    copied[header.index("Email")] = story.email("copie", "example.org")
    copied[header.index("Notes")] = "Ajouté(e) après le salon"
    rows.append(copied)
    for k in range(3):
        blank = list(rows[2 + k])
        blank[id_index] = None
        blank[header.index("Email")] = story.email(f"nouveau{k}", "example.com")
        blank[header.index("Structure")] = f"Nouvelle structure {k + 1}"
        blank[header.index("SIRET")] = None
        rows.append(blank)
