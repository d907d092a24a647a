"""A workbook rebuilt from the facts of the association's real 2024 activity report
(``shared/seeds/001_…``): members, premises, board, events, figures and texts, as grids.

What the report states, and how the rows give it:
- on average 26 hébergés and 95 bénéficiaires (121 in all, the membre de droit aside):
  19 structures hosted all year, six offices left on 30 June by structures that stay as
  bénéficiaires, six taken on 1 July by new members, one shop taken on 26 May by a new
  member: (19 × 366 + 6 × 182 + 6 × 184 + 220) / 366 = 25.6; 76 bénéficiaires all year, 29
  new ones joining every eleven days from 15 January and the six leavers' second half
  give 94.7; with the membre de droit, 121.3 in all;
- 36 new structures (6 + 1 + 29); 12 offices in the pépinière (11 on its site, Grünt's office
  at the Milab), the meeting room and the Milab desks being bookable resources;
- the board of 12 on 31 December (7 women, 5 men), two departures at the AG of 2 July;
- audits 22 structures (13 in 2023), diagnostics 21 (13), consultations 36 (35) over six
  half-days, 9 Clubs MILA, managers' meetings 5 (4), JuriQuizz 4 (1) sessions and 23 (8)
  structures, the Crescendo agenda, the networking moments and two representations;
- Facebook 2 522 (−17), Instagram 2 023 (+940), newsletter 1 402 (+142), YouTube 41 (+3),
  the subsidies of the Ville de Paris (DAE, DAC), of the Ministry and of the CNM.
"""

from __future__ import annotations

import datetime as dt

Grid = list[list[object]]

LEFT_OFFICES = ("TC Productions", "Jordan Magnée Live", "Contour Studio", "Sonorium", "Grünt", "Genre Idéal")
TOOK_OFFICES = (
    "ADAM",
    "Crac Boum Records",
    "Nehza Records",
    "Premier Amour",
    "Sonique le Studio",
    "Les Femmes S'en Mêlent",
)
HOSTED_ALL_YEAR = (
    "le Fair",
    "Upton Park",
    "Sanguine",
    "Tricatel",
    "Resonance Agency",
    "OXI",
    "Rising Bird Music",
    "Pusher Distribution",
    "Favorite Recording",
    "Yotanka Paris",
    "W Spectacles",
    "Music Média Consulting",
    "Loom",
    "Apaches",
    "Super Sonic",
    "Label Rouge Vif",
    "Disques Pavé",
    "Studio Letort",
    "Les Éditions du Square",
)
BENEFICIARIES = ("Street Dispatch", "L'Abeille Bleue", "Surella Production", "Superpose Studio")

CLUBS_2024 = (
    (
        1,
        18,
        "Réussir sa sortie sur les plateformes de streaming",
        "Benjamin Pruvost (consultant distribution digitale)",
    ),
    (
        2,
        15,
        "Sensibilisation aux discriminations, violences, harcèlements sexuels et sexistes",
        "Marion Delpech (Act Right)",
    ),
    (
        3,
        14,
        "Exploitation des datas clés : quels sont les publics et comment les toucher ?",
        "Clara Pillet (Nü Agency)",
    ),
    (
        4,
        11,
        "La SACEM et l'accompagnement des éditeurs",
        "Philippe Manivet (Musigamy); Sandrine Delaune (SACEM)",
    ),
    (5, 16, "L'audio 3D et les enjeux d'une telle transition", "Martin Antiphon (Music Unit)"),
    (6, 13, "Élaborer sa stratégie de financements", "Clément Aubey (consultant)"),
    (9, 19, "Rentrée des adhérent·es : retour d'expériences, besoins et synergies", "Aude Merlet (MILA)"),
    (10, 17, "L'IA au service de l'industrie musicale et non l'inverse !", "Marine Rivollet (2AM)"),
    (
        12,
        12,
        "Burn-out dans l'industrie musicale : comprendre, prévenir et traiter",
        "Laure Fillette (psychologue); Marie Bergot (Audiens)",
    ),
)
CRESCENDO_2024 = (
    (1, 17, "Crescendo – Rencontre networking", "Rencontre aux BIS de Nantes", "Ariane Ancrì (Alias)"),
    (
        1,
        25,
        "Crescendo – Atelier pratique",
        "Optimiser la billetterie et la commercialisation de son projet",
        "Charlotte Méquillet (PIM'S)",
    ),
    (2, 20, "Crescendo – Rencontre networking", "Rencontre au Nord Nord", "Gwenaëlle Kerboul (Miracle)"),
    (
        3,
        21,
        "Crescendo – Atelier pratique",
        "Immersion dans l'univers technique d'un studio d'enregistrement",
        "Léa Tourbier (ingénieure du son)",
    ),
    (
        4,
        18,
        "Crescendo – Rencontre networking",
        "Rencontre au Printemps de Bourges",
        "Clarisse Arnou (Yotanka)",
    ),
    (5, 23, "Crescendo – Atelier pratique", "Édition : contrats, droit, synchro", "Aurélie Gautier (Jeeves)"),
    (
        6,
        6,
        "Crescendo – Rencontre networking",
        "Rencontre au Forum Entreprendre dans la Culture",
        "Naëlie Baudoin (SheSaidSo France); Caroline Decroix (Majeur·es)",
    ),
    (
        6,
        20,
        "Crescendo – Atelier pratique",
        "Faire l'expérience de l'affirmation de soi comme prise de risque",
        "Hélène Fromen (Modèle vivant·e)",
    ),
    (
        9,
        26,
        "Crescendo – Atelier pratique",
        "Mieux orchestrer votre temps pro et perso",
        "Laurence Nguyen (Oneiri)",
    ),
    (
        10,
        15,
        "Crescendo – Rencontre networking",
        "Rencontre pré-MaMA au Marlusse & Lapin",
        "Estelle Bremaud (Vertigo)",
    ),
    (
        11,
        21,
        "Crescendo – Atelier pratique",
        "Initiation aux bonnes pratiques du booking",
        "Aurore Voisin (W Spectacles)",
    ),
    (
        12,
        5,
        "Crescendo – Rencontre networking",
        "Rencontre aux Bars en Trans",
        "Carole Meyer (Festival Art Rock)",
    ),
)
FIGURES = (  # (rubrique, libellé, 2024, 2023, unité)
    ("Financement", "Subvention Ville de Paris – DAE", 14500, 14500, "€"),
    ("Financement", "Subvention Ville de Paris – DAC", 10000, 10000, "€"),
    ("Financement", "Ministère de la Culture (DGMIC)", 25000, 25000, "€"),
    ("Financement", "Centre National de la Musique – Égalité F/H", 7158, None, "€"),
    ("Communication", "Facebook – abonné·es", 2522, 2539, "abonné·es"),
    ("Communication", "Instagram – abonné·es", 2023, 1083, "abonné·es"),
    ("Communication", "Newsletter – abonné·es", 1402, 1260, "abonné·es"),
    ("Communication", "YouTube – abonné·es", 41, 38, "abonné·es"),
)


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def grids() -> dict[str, Grid]:
    members: Grid = [
        ["ID", "Structure", "Contact", "Email", "Catégorie", "Forfait", "Adhésion le", "Sortie le"]
    ]
    ids: dict[str, str] = {}

    def member(structure: str, category: str, joined: dt.date, forfait: str | None = None) -> str:
        member_id = f"M{len(members):04d}"
        members.append(
            [
                member_id,
                structure,
                f"Contact {len(members)}",
                f"m{len(members)}@exemple.fr",
                category,
                forfait,
                _d(joined),
                None,
            ]
        )
        ids[structure] = member_id
        return member_id

    old = dt.date(2019, 1, 1)
    for name in HOSTED_ALL_YEAR:
        member(name, "hébergé", old)
    for name in LEFT_OFFICES:  # their row says what they are now: bénéficiaires
        member(name, "bénéficiaire", old, "BASIC")
    for name in TOOK_OFFICES:
        member(name, "hébergé", dt.date(2024, 7, 1))
    member("Disquaire du Square", "hébergé", dt.date(2024, 5, 26))
    for name in BENEFICIARIES:
        member(name, "bénéficiaire", old, "PREMIUM")
    for n in range(76 - len(BENEFICIARIES)):
        member(f"Structure bénéficiaire {n + 1:02d}", "bénéficiaire", old, "BASIC")
    first = dt.date(2024, 1, 15)
    for n in range(29):  # new bénéficiaires, every eleven days from 15 January
        member(f"Nouvelle structure {n + 1:02d}", "bénéficiaire", first + dt.timedelta(days=11 * n), "BASIC")
    members.append(
        [
            "M0999",
            "Christophe Chiappa",
            "Christophe Chiappa",
            "cc@exemple.fr",
            "membre de droit",
            None,
            "01/01/2016",
            None,
        ]
    )
    ids["Christophe Chiappa"] = "M0999"

    premises: Grid = [["ID", "Nom", "Site", "Surface m²", "Capacité", "Réservable"]]
    for n in range(11):
        premises.append([f"L{n + 1:02d}", f"Bureau {n + 1}", "Pépinière", 18, None, None])
    premises.append(["L12", "Bureau du Milab", "Milab", 25, None, None])
    premises.append(["L13", "Salle de réunion", "Pépinière", 20, 1, "oui"])
    premises.append(["L14", "Postes Milab", "Milab", None, 6, "oui"])
    for n in range(14):
        premises.append([f"L{n + 15:02d}", f"Boutique {n + 1}", "Boutique", 40, None, None])

    occupations: Grid = [["ID", "Membre", "Local", "Début", "Fin"]]

    def occupy(structure: str, premises_id: str, start: dt.date, end: dt.date | None = None) -> None:
        occupations.append(
            [f"C{len(occupations):03d}", ids[structure], premises_id, _d(start), _d(end) if end else None]
        )

    offices = iter(("L01", "L02", "L03", "L04", "L05"))
    for gone, came in zip(LEFT_OFFICES, TOOK_OFFICES, strict=True):
        office = "L12" if gone == "Grünt" else next(offices)  # Grünt had the Milab's office
        occupy(gone, office, dt.date(2020, 1, 1), dt.date(2024, 6, 30))
        occupy(came, office, dt.date(2024, 7, 1))
    for n, name in enumerate(HOSTED_ALL_YEAR):  # six offices L06–L11, then the shops L15–L27
        occupy(name, f"L{n + 6:02d}" if n < 6 else f"L{n + 9:02d}", old)
    occupy("Disquaire du Square", "L28", dt.date(2024, 5, 26))

    board: Grid = [["Nom", "Civilité", "Membre", "Fonction", "Entrée", "Sortie", "Décision"]]
    for name, civility, structure, function, start, end, decision in (
        ("Aude Merlet", "Mme", None, "Président·e", "01/07/2021", "02/07/2024", "AG du 02/07/24"),
        (
            "Vincent Lagadrillière",
            "M.",
            "Superpose Studio",
            "Secrétaire",
            "01/07/2021",
            "02/07/2024",
            "AG du 02/07/24",
        ),
        ("Julien Soulié", "M.", "le Fair", "Président·e", "01/07/2021", None, "CA du 28/11/24"),
        ("Deborah Ammar", "Mme", "Upton Park", "Vice-président·e", "01/07/2021", None, None),
        ("Thomas Chalindar", "M.", "TC Productions", "Trésorier·e", "01/07/2021", None, None),
        ("David Renaut", "M.", "Street Dispatch", "Vice-trésorier·e", "01/07/2021", None, None),
        ("Virginie Ravier", "Mme", "L'Abeille Bleue", "Secrétaire", "01/07/2021", None, "AG du 02/07/24"),
        ("Mélanie Arrès", "Mme", "Sonorium", "Vice-secrétaire", "01/07/2021", None, None),
        ("Christophe Chiappa", "M.", "Christophe Chiappa", "Administrateur·rice", "01/07/2021", None, None),
        ("Gildas Dexheimer", "M.", "Sanguine", "Administrateur·rice", "01/07/2021", None, None),
        ("Alix Ménoret", "Mme", "Tricatel", "Administrateur·rice", "01/07/2021", None, None),
        ("Anne-Sophie Mattéi", "Mme", "Surella Production", "Administrateur·rice", "01/07/2021", None, None),
        (
            "Mathilde Neu",
            "Mme",
            "Resonance Agency",
            "Administrateur·rice",
            "02/07/2024",
            None,
            "AG du 02/07/24",
        ),
        ("Camille Casays", "Mme", "ADAM", "Administrateur·rice", "02/07/2024", None, "AG du 02/07/24"),
    ):
        board.append([name, civility, ids.get(structure or ""), function, start, end, decision])

    events: Grid = [["ID", "Date", "Heure", "Type", "Titre", "Intervenants", "Lieu"]]
    registrations: Grid = [["ID", "Événement", "Membre", "Inscrit le", "Statut"]]
    pool = [str(row[0]) for row in members[1:] if row[0] != "M0999"]

    def event(
        day: dt.date,
        kind: str,
        title: str,
        speakers: str | None = None,
        place: str | None = None,
        present: list[str] | tuple[str, ...] = (),
    ) -> None:
        event_id = f"E{len(events):03d}"
        events.append([event_id, _d(day), None, kind, title, speakers, place or "Pôle MILA"])
        for member_id in present:
            registrations.append([f"I{len(registrations):04d}", event_id, member_id, None, "présent"])

    def sessions(year: int, kind: str, title: str, count: int, structures: int, months=range(1, 13)) -> None:
        """``count`` sessions reaching ``structures`` distinct members between them."""
        months = list(months)
        for n in range(count):
            event(
                dt.date(year, months[n % len(months)], 3 + n // len(months) * 7),
                kind,
                title,
                present=pool[:structures][n::count],
            )

    for year, audits, diagnostics, consult, managers, (quizz, quizz_structures), clubs in (
        (2024, 22, 21, 36, 5, (4, 23), 9),
        (2023, 13, 13, 35, 4, (1, 8), 8),
    ):
        sessions(year, "Audit de communication", "Audit de communication", audits, audits)
        sessions(year, "Diagnostic de structuration", "Diagnostic de structuration", diagnostics, diagnostics)
        sessions(year, "Consultation d'experts", "Consultations d'experts", 6, consult, (2, 3, 5, 6, 10, 11))
        sessions(year, "Rencontre entre managers", "Rencontre entre managers d'artistes", managers, 12)
        sessions(year, "JuriQuizz", "JuriQuizz", quizz, quizz_structures, (3, 6, 10, 12))
        if year == 2023:
            for n in range(clubs):
                event(
                    dt.date(2023, n + 1, 20),
                    "Club MILA",
                    f"Club MILA 2023 n° {n + 1}",
                    present=pool[n : n + 9],
                )
    for month, day, title, speakers in CLUBS_2024:
        event(dt.date(2024, month, day), "Club MILA", title, speakers, present=pool[month : month + 12])
    event(
        dt.date(2024, 11, 7),
        "Atelier de co-développement",
        "Atelier de co-développement",
        "Marc Bouchet (coach)",
        present=pool[40:46],
    )
    for month, day, kind, title, speakers in CRESCENDO_2024:
        event(dt.date(2024, month, day), kind, title, speakers, present=pool[60:66])
    for when, kind, title in (
        (dt.date(2024, 4, 3), "Afterwork", "Printemps des adhérent·es"),
        (dt.date(2024, 5, 28), "Rencontre networking", "Apéro des hébergé·es"),
        (dt.date(2024, 7, 4), "Rencontre networking", "Rencontre networking estivale avec le réseau MAP"),
        (dt.date(2024, 10, 15), "Rencontre networking", "Rencontre avec la délégation MASAR"),
        (dt.date(2024, 11, 12), "Rencontre networking", "Rencontre avec la délégation de l'ANIM"),
        (dt.date(2024, 12, 19), "Afterwork", "Noël des adhérent·es"),
    ):
        event(when, kind, title, present=pool[:30])
    event(dt.date(2024, 9, 20), "Représentation", "Les JIRAFE : table ronde", place="FGO Barbara")
    event(dt.date(2024, 10, 16), "Représentation", "MaMA Music & Convention", place="Pigalle")
    event(dt.date(2024, 7, 2), "Autre", "Assemblée générale ordinaire")
    event(dt.date(2023, 6, 27), "Autre", "Assemblée générale ordinaire")

    figures: Grid = [["Année", "Rubrique", "Libellé", "Valeur", "Unité"]]
    for section, label, now, before, unit in FIGURES:
        figures.append([2024, section, label, now, unit])
        if before is not None:
            figures.append([2023, section, label, before, unit])

    rates: Grid = [
        ["Code", "Libellé", "Montant HT", "Plafond HT", "TVA %", "Du", "Au"],
        ["BENEFICIAIRE", "Cotisation bénéficiaire", 100, None, 20, "01/01/2016", "29/02/2024"],
        ["BASIC", "Forfait BASIC", 120, None, 20, "01/03/2024", None],
        ["PREMIUM", "Forfait PREMIUM", 170, None, 20, "01/03/2024", None],
        ["CRESCENDO", "Option Crescendo", 10, None, 20, "01/03/2024", None],
        ["HEBERGE_M2", "Cotisation hébergé", 10, 700, 20, "01/01/2016", None],
        ["MEMBRE_DE_DROIT", "Membre de droit", 0, None, 20, "01/01/2016", None],
    ]
    texts: Grid = [
        ["Année", "Section", "Titre", "Texte"],
        [
            2024,
            "membres",
            None,
            "Le MILA compte en moyenne {{ membres.heberges }} structures adhérentes hébergées et "
            "{{ membres.beneficiaires }} adhérents bénéficiaires, dont {{ membres.nouveaux }} nouvelles "
            "structures cette année.",
        ],
        [
            2024,
            "association",
            "Équipe opérationnelle",
            "Le MILA compte désormais une deuxième salariée depuis le 2 septembre 2024.",
        ],
        [2024, "association", "Formation", "La coordinatrice a bénéficié de sa deuxième formation AFDAS."],
        [2024, "partenaires", "Mairies", "La Mairie de Paris a renouvelé son soutien en 2024."],
        [2024, "partenaires", "Territoire", "Partenaire de la Fête du quartier Blémont le 6 juillet."],
        [2024, "partenaires", "Paris Habitat", "Un dégât des eaux a touché le bureau de coordination."],
        [
            2024,
            "actions",
            "Outils d'accompagnement et mutualisations",
            "Un abonnement mutualisé à Chartmetric est partagé par une dizaine de structures.",
        ],
        [2024, "actions", "Transmission", "Une collaboration pédagogique avec Brassart Paris."],
        [2024, "rencontres", "Le MILA soutient", "- Music Declares Emergency\n- L'Appel des Indépendants"],
        [2024, "communication", "Site web MILA", "Tous les événements sont publiés dans les actualités."],
    ]
    bookings: Grid = [
        ["ID", "Ressource", "Membre", "Organisme", "Début", "Fin", "Formule", "Statut"],
        ["R0001", "L13", None, "L'Accorderie 18", "12/03/2024", "12/03/2024", "gracieux", "confirmée"],
    ]
    return {
        "Membres": members,
        "Locaux": premises,
        "Occupations": occupations,
        "Conseil": board,
        "Événements": events,
        "Inscriptions": registrations,
        "Chiffres": figures,
        "Tarifs": rates,
        "Textes": texts,
        "Réservations": bookings,
    }
