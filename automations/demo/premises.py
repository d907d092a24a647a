"""Locaux: the pépinière offices, the Milab, the shops of the neighbourhood."""

from __future__ import annotations

from .common import (
    MILAB_ADDRESS,
    POLE_ADDRESS,
    SHOP_STREETS,
    DemoPremise,
    Story,
    fr_amount,
)


class PremisesPart(Story):
    """The Locaux tab: 12 offices and the Milab office, 14 shops, 3 resources to book."""

    def build_premises(self) -> list[DemoPremise]:
        rng = self.rng
        premises: list[DemoPremise] = []
        for n in range(1, 13):
            premises.append(
                DemoPremise(
                    f"L{n:02d}",
                    f"Bureau {n}",
                    "Pépinière",
                    POLE_ADDRESS,
                    10,
                    rent=250.0,
                    bookable="non",
                )
            )
        premises.append(
            DemoPremise(
                "L13",
                "Bureau 13",
                "Milab",
                MILAB_ADDRESS,
                16,
                rent=400.0,
                bookable="non",
                remark="Bureau principal du Milab",
            )
        )
        numbers: list[tuple[str, int]] = []
        while len(numbers) < 14:
            street = SHOP_STREETS[len(numbers) % 3]
            num = rng.randint(1, 38)
            if (street, num) not in numbers and not (street == "rue André Messager" and num == 4):
                numbers.append((street, num))
        for i, (street, num) in enumerate(numbers):
            surface = rng.choice((25, 28, 30, 32, 35, 38, 40, 42, 45, 50, 55, 60, 65, 72, 80, 85))
            short = street.split()[-1]
            premises.append(
                DemoPremise(
                    f"L{14 + i:02d}",
                    f"Boutique {short} {num}",
                    "Boutique",
                    f"{num} {street}, 75018 Paris",
                    surface,
                    rent=float(round(surface * rng.uniform(14, 19))),
                )
            )
        premises.append(
            DemoPremise(
                "L28",
                "Postes Milab",
                "Milab",
                MILAB_ADDRESS,
                None,
                capacity=6,
                day_rate=15.0,
                week_rate=60.0,
                bookable="oui",
                remark="6 postes en open space",
            )
        )
        premises.append(
            DemoPremise(
                "L29",
                "Salle de réunion",
                "Milab",
                MILAB_ADDRESS,
                18,
                capacity=1,
                day_rate=60.0,
                week_rate=None,
                bookable="oui",
                remark="12 places, écran et visioconférence",
            )
        )
        premises.append(
            DemoPremise(
                "L30",
                "Studio",
                "Milab",
                MILAB_ADDRESS,
                25,
                capacity=1,
                day_rate=80.0,
                week_rate=320.0,
                bookable="oui",
                remark="Sous-sol en partie insonorisé : voix, podcast",
            )
        )
        premises[3].remark = "Dégât des eaux : plafond refait"
        return premises


def premise_rows(premises: list[DemoPremise]) -> list[dict[str, object]]:
    """The Locaux rows; the biggest rents typed by hand, with a euro sign."""
    rows: list[dict[str, object]] = [
        {
            "ID": p.id,
            "Nom": p.name,
            "Site": p.site,
            "Adresse": p.address,
            "Surface m²": p.surface,
            "Capacité": p.capacity,
            "Loyer mensuel HT": p.rent,
            "Tarif jour HT": p.day_rate,
            "Tarif semaine HT": p.week_rate,
            "Réservable": p.bookable,
            "Remarques": p.remark,
        }
        for p in premises
    ]
    for row in rows:
        rent = row["Loyer mensuel HT"]
        if isinstance(rent, float) and rent >= 1000:
            row["Loyer mensuel HT"] = fr_amount(rent)
    return rows
