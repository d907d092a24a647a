"""Fictional speakers, event titles and report texts for the demo workbook.

Every person and organisation here is invented, as in ``names.py``.
"""

from __future__ import annotations

# --- Speakers (name, organisation) -------------------------------------------------------

EXPERTS = {
    "comptable": (
        ("Bertrand Vasseur", "Cabinet Comptia Conseil"),
        ("Nadia Kaci", "Cabinet Comptia Conseil"),
    ),
    "juriste": (("Solène Devaux", "juriste en droit du spectacle"),),
    "avocat": (("Grégoire Lemoine", "Arpège Avocats"), ("Pauline Hamon", "Arpège Avocats")),
    "audit": (
        ("Maud Gaillard", "Agence Sous-Titre"),
        ("Loïc Besson", "Médias & Cie"),
        ("Inès Tessier", "Agence Virgule"),
    ),
    "diagnostic": (
        ("Fabien Roussel", "Cap Structure"),
        ("Agathe Brunel", "Atelier Boussole Conseil"),
        ("Cédric Perrin", "consultant indépendant"),
    ),
    "coach": (("Hélène Poirier", "coach certifiée"), ("Rémi Charpentier", "Cap Coaching")),
    "managers": (
        ("Yann Roche", "collectif Les Porte-Voix"),
        ("Clarisse Lebon", "Agence Satellite"),
    ),
}

CLUB_SPEAKERS = (
    ("Adrien Fournier", "consultant distribution numérique"),
    ("Émilie Garnier", "association Égal Son"),
    ("Karim Benali", "Data & Public"),
    ("Léonie Fleury", "Éditions Partage"),
    ("Thibault Marchand", "Studio Spatial 3D"),
    ("Margaux Joly", "formatrice indépendante"),
    ("Sofiane Haddad", "Algorithmes & Musique"),
    ("Clémence Roy", "psychologue du travail"),
    ("Julien Deschamps", "Fonds Musique Avenir"),
    ("Sarah Lopes", "agence Trame Verte"),
    ("Olivier Masson", "Cabinet Comptia Conseil"),
    ("Noémie Aubert", "Arpège Avocats"),
    ("Benoît Carré", "cabinet Cap Export"),
    ("Chloé Mercier", "Synchro & Image"),
    ("Malik Traoré", "tourneur, Grand Format Live"),
    ("Pauline Weber", "coopérative Les Mutualistes"),
)

# Who speaks at the Club MILA of each title: the speakers above whose trade is the topic.
_AF, _EG, _KB, _LF, _TM, _MJ, _SH, _CR, _JD, _SL, _OM, _NA, _BC, _CM, _MT, _PW = CLUB_SPEAKERS
CLUB_TITLE_SPEAKERS: dict[str, tuple[tuple[str, str], ...]] = {
    "Réussir sa sortie sur les plateformes de streaming": (_AF,),
    "Prévenir les violences sexistes et sexuelles dans les musiques actuelles": (_EG,),
    "Exploiter ses données d'audience : quels publics, comment les toucher ?": (_KB,),
    "L'éditeur et la gestion collective : ce qui change": (_LF,),
    "Audio immersif : enjeux d'une transition": (_TM,),
    "Élaborer sa stratégie de financement": (_JD,),
    "L'IA au service de l'industrie musicale, et non l'inverse": (_SH,),
    "Prévenir l'épuisement professionnel dans la musique": (_CR,),
    "Le contrat de licence décortiqué": (_NA,),
    "Synchronisation : placer son catalogue à l'image": (_CM,),
    "Crédit d'impôt phonographique : mode d'emploi": (_OM,),
    "Exporter ses artistes en Europe : premiers pas": (_BC,),
    "Piloter sa trésorerie quand on est une petite structure": (_OM,),
    "Recruter et fidéliser : l'emploi non artistique": (_MJ,),
    "Réduire l'empreinte carbone d'une tournée": (_SL, _MT),
    "Le merchandising, une source de revenus sous-estimée": (_PW,),
    "Vidéo courte et réseaux sociaux : quelle stratégie pour un label ?": (_KB,),
    "Les aides du CNM en pratique": (_JD,),
    "Négocier un contrat de distribution": (_NA, _AF),
    "Gouvernance et statuts : association, SAS ou coopérative ?": (_PW,),
    "Accessibilité des concerts : obligations et bonnes pratiques": (_MT,),
    "Protéger sa santé auditive et celle de ses équipes": (_CR,),
    "Les nouveaux métiers de la musique en ligne": (_SH,),
    "Monter un dossier de subvention qui tient la route": (_JD,),
    "Droits voisins : ce que les producteurs doivent savoir": (_NA,),
    "Bilan de l'année et perspectives": (("Équipe MILA", "MILA"),),
    "Playlists éditoriales : mythes et réalités": (_AF,),
    "Partenariats de marque : opportunités et limites": (_CM,),
    "Transmettre et céder son catalogue": (_LF, _NA),
}

CRESCENDO_SPEAKERS = (
    ("Aurore Laurent", "Billetterie Solidaire"),
    ("Léa Prévost", "ingénieure du son"),
    ("Juliette Moulin", "Éditions Partage"),
    ("Amandine Fabre", "collectif Voix Égales"),
    ("Estelle Giraud", "coach, Temps Juste"),
    ("Céline Duval", "agence Booking Horizon"),
    ("Marion Lesage", "avocate, Arpège Avocats"),
    ("Gaëlle Hubert", "Financer sa Musique"),
    ("Maëlle Rousseau", "productrice, Onde Douce"),
    ("Rachel Schneider", "Réseau Femmes du Son"),
)

CRESCENDO_GUESTS = (
    ("Victoire Colin", "directrice du festival Les Rives"),
    ("Yasmine Haddad", "label Nuées"),
    ("Joséphine Martinez", "agence Comète"),
    ("Salomé Texier", "Festival Sous les Étoiles"),
    ("Anaïs Bonnet", "salle La Verrière"),
    ("Bérénice Noël", "éditrice, Catalogue Oural"),
)

# --- Event titles (per type) ------------------------------------------------------------

CLUB_TITLES = (
    "Réussir sa sortie sur les plateformes de streaming",
    "Prévenir les violences sexistes et sexuelles dans les musiques actuelles",
    "Exploiter ses données d'audience : quels publics, comment les toucher ?",
    "L'éditeur et la gestion collective : ce qui change",
    "Audio immersif : enjeux d'une transition",
    "Élaborer sa stratégie de financement",
    "Rentrée des adhérent·e·s : retours d'expériences, besoins et synergies",
    "L'IA au service de l'industrie musicale, et non l'inverse",
    "Prévenir l'épuisement professionnel dans la musique",
    "Le contrat de licence décortiqué",
    "Synchronisation : placer son catalogue à l'image",
    "Crédit d'impôt phonographique : mode d'emploi",
    "Exporter ses artistes en Europe : premiers pas",
    "Piloter sa trésorerie quand on est une petite structure",
    "Recruter et fidéliser : l'emploi non artistique",
    "Réduire l'empreinte carbone d'une tournée",
    "Le merchandising, une source de revenus sous-estimée",
    "Vidéo courte et réseaux sociaux : quelle stratégie pour un label ?",
    "Les aides du CNM en pratique",
    "Négocier un contrat de distribution",
    "Gouvernance et statuts : association, SAS ou coopérative ?",
    "Accessibilité des concerts : obligations et bonnes pratiques",
    "Protéger sa santé auditive et celle de ses équipes",
    "Les nouveaux métiers de la musique en ligne",
    "Monter un dossier de subvention qui tient la route",
    "Droits voisins : ce que les producteurs doivent savoir",
    "Bilan de l'année et perspectives",
    "Playlists éditoriales : mythes et réalités",
    "Partenariats de marque : opportunités et limites",
    "Transmettre et céder son catalogue",
)

CRESCENDO_WORKSHOP_TITLES = (
    "Optimiser la billetterie et la commercialisation de son projet",
    "Immersion dans l'univers technique d'un studio d'enregistrement",
    "Édition : contrats, droits, synchro, tout ce que vous avez voulu savoir",
    "S'affirmer en situation de négociation",
    "Mieux orchestrer son temps pro et perso",
    "Initiation aux bonnes pratiques du booking",
    "Construire son prévisionnel financier",
    "Lever des fonds pour sa structure musicale",
    "Prendre la parole en public avec aisance",
    "Recruter sa première ou son premier salarié",
    "Fixer ses tarifs et savoir les défendre",
    "Construire son réseau à l'international",
    "Déléguer sans culpabiliser",
    "Bâtir une stratégie de communication sobre et efficace",
    "Comprendre son bilan comptable",
    "Les bases du droit du travail dans le spectacle",
    "Pitcher son projet en trois minutes",
    "Prévenir et gérer les situations de harcèlement",
)

AFTERWORK_PROVIDERS = (
    ("Atelier Encre & Sillon", "sérigraphie artisanale"),
    ("Annuaire Les Visibles", "annuaire inclusif des professionnel·le·s de la musique"),
    ("Promo Tempo", "plateforme de promotion musicale"),
    ("Assurance Scène & Son", "assurances pour le spectacle"),
    ("Radio Canal Est", "web radio de l'Est parisien"),
    ("Pressage Vinyle Express", "pressage de vinyles"),
)

NETWORKING_TITLES = (
    ("Printemps des adhérent·e·s", 4, None),
    ("Apéro des hébergé·e·s", 5, "hébergés"),
    ("Rencontre networking estivale hors les murs", 7, None),
    ("Rencontre avec une délégation internationale en marge du MaMA", 10, None),
    ("Rencontre avec une délégation d'entrepreneur·e·s canadien·ne·s", 11, None),
)

REPRESENTATIONS = (
    ("Forum Entreprendre dans la Culture", 6, "Paris"),
    ("Festival Rock en Seine : stand du réseau MAP", 8, "Domaine de Saint-Cloud"),
    ("JIRAFE : table ronde avec des professionnel·le·s", 9, "Paris"),
    ("MaMA Music & Convention : corner des dispositifs de la Ville de Paris", 10, "Pigalle"),
    ("Conseil parisien de la musique", 9, "Paris"),
)

OENOLOGIE_REGIONS = (
    "Loire",
    "Bourgogne",
    "Jura",
    "Alsace",
    "Rhône",
    "Languedoc",
    "Beaujolais",
    "Bordeaux",
    "Savoie",
    "Corse",
    "Sud-Ouest",
    "Champagne",
    "Provence",
    "Roussillon",
)

DEJ_ROULETTE = (
    (1, "Déj Roulette spécial galette"),
    (2, "Déj Roulette de la Chandeleur"),
    (4, "Déj Roulette de Pâques"),
    (9, "Déj Roulette de rentrée"),
)

# --- Staff paragraphs for the annual report ----------------------------------------------
# Three variants per section (one per demo year). Figures are never typed: the texts quote
# the report's computed figures by name ({{ membres.moyenne }}; mila docs variables rapport).

TEXTES: dict[str, tuple[str, str, str]] = {
    "contexte": (
        "En {{ annee }}, le MILA a poursuivi sa mission de soutien et d'hébergement des entreprises "
        "de la filière musicale dans le quartier Blémont / Messager. La pépinière, le Milab et "
        "les boutiques de la Rue de la Musique ont accueilli en moyenne {{ membres.heberges }} "
        "structures. L'association reste autofinancée à plus de 50 %.",
        "L'année {{ annee }} a confirmé l'intérêt des entrepreneur·e·s de la musique pour le "
        "dispositif. Les loyers modérés de la pépinière et les cotisations assurent plus de la "
        "moitié des ressources ; les subventions de la Ville de Paris et du Ministère de la "
        "Culture complètent le budget.",
        "En {{ annee }}, dernière année de la convention triennale avec le Ministère de la Culture, "
        "le MILA a préparé son renouvellement tout en maintenant son activité. Le contexte "
        "économique de la filière reste tendu pour les petites structures indépendantes.",
    ),
    "association": (
        "Le conseil d'administration s'est réuni tous les deux mois environ. L'assemblée "
        "générale a renouvelé une partie du conseil pour trois ans.",
        "Le conseil d'administration a travaillé sur la révision de la grille des cotisations "
        "et sur la charte de valeurs communes.",
        "Le bureau a engagé une réflexion sur le projet associatif à cinq ans, présentée lors de "
        "l'assemblée générale.",
    ),
    "membres": (
        "Les forfaits BASIC et PREMIUM, mis en place le 1er mars, ont attiré de jeunes labels et "
        "des agences : {{ membres.nouveaux }} nouvelles structures ont rejoint l'association.",
        "La pépinière est restée complète et le Milab a accueilli des entrepreneur·e·s "
        "individuel·le·s à la journée ou à la semaine, souvent avant leur adhésion.",
        "L'association poursuit sa croissance. Le suivi des cotisations a été automatisé, ce qui "
        "a permis de relancer plus tôt les adhérent·e·s dont l'échéance approchait.",
    ),
    "partenaires": (
        "La Ville de Paris a renouvelé son soutien (DAE et DAC) et le Ministère de la Culture "
        "a confirmé la convention triennale. Le Centre National de la Musique soutient à "
        "60 % le module Entrepreneuriat Crescendo.",
        "Les partenariats institutionnels ont tous été reconduits ; la salle de réunion a été "
        "prêtée gracieusement aux associations du quartier tout au long de l'année.",
        "Le MILA a proposé aux festivals du 18e des artistes accompagnés par ses adhérent·e·s. "
        "Les partenariats institutionnels ont tous été reconduits.",
    ),
    "actions": (
        "{{ actions.clubs.seances }} Clubs MILA, {{ actions.juriquizz.seances }} rencontres "
        "JuriQuizz et {{ actions.consultations.seances }} demi-journées de consultations d'experts "
        "ont été organisés.",
        "Le programme d'accompagnement a gardé son rythme : {{ actions.clubs.seances }} Clubs MILA, "
        "des consultations d'experts réservées aux forfaits PREMIUM et "
        "{{ actions.managers.seances }} rencontres entre managers d'artistes.",
        "Les formats courts et pratiques ont été privilégiés à la demande des adhérent·e·s : "
        "{{ actions.total }} actions et événements en {{ annee }}.",
    ),
    "crescendo": (
        "Le module Entrepreneuriat Crescendo a proposé une rencontre networking ou un atelier "
        "pratique chaque mois. L'option Crescendo, à 10 € HT, donne accès aux ateliers "
        "pratiques.",
        "Pour sa quatrième année, le programme a réuni une communauté fidèle "
        "d'entrepreneuses et de personnes issues des minorités de genre. Les rencontres "
        "networking se sont tenues en marge des grands rendez-vous de la filière.",
        "Le programme a élargi ses ateliers aux questions de financement et de recrutement. "
        "Le site dédié recense désormais les ressources complémentaires au dispositif.",
    ),
    "projets": (
        "Le projet de signalétique commune des boutiques de la Rue de la Musique a été lancé "
        "avec un artisan sérigraphe.",
        "La signalétique commune de la Rue de la Musique a été posée sur les boutiques.",
        "Le MILA prépare le renouvellement de ses conventions de financement et étudie "
        "l'aménagement du studio du Milab pour l'enregistrement de podcasts.",
    ),
    "rencontres": (
        "Le MILA a renouvelé son adhésion au réseau des musiques actuelles de Paris.",
        "Les adhérent·e·s ont rencontré deux délégations internationales lors de speed meetings.",
        "Les rencontres avec les réseaux de la filière se sont poursuivies, avec une présence "
        "aux principaux rendez-vous professionnels de la rentrée.",
    ),
    "communication": (
        "Le MILA dispose d'un site Internet et de comptes sur les réseaux sociaux ; le compte X "
        "a été volontairement suspendu.",
        "LinkedIn est devenu le premier réseau professionnel de l'association. La newsletter "
        "a testé un format audio de cinq minutes.",
        "Les replays des Clubs MILA alimentent la chaîne vidéo. La communication s'appuie "
        "davantage sur les adhérent·e·s, dont les actualités sont relayées chaque mois.",
    ),
}

# Subsections of the real report's outline (``Titre``), the same each year.
TEXTES_TITRES: tuple[tuple[str, str, str], ...] = (
    (
        "association",
        "Équipe opérationnelle",
        "La coordinatrice, en CDI depuis avril 2020, est épaulée par une assistante de promotion et "
        "de coordination. L'agrément pour accueillir un volontaire en service civique a été renouvelé.",
    ),
    (
        "association",
        "Formation",
        "L'équipe a bénéficié de formations prises en charge par l'AFDAS, sur la prise de parole en "
        "situation à enjeux et sur les gestes de premiers secours.",
    ),
    (
        "partenaires",
        "Mairies",
        "Rencontres avec la Direction de l'Attractivité et de l'Emploi et le bureau de la musique de "
        "la Ville de Paris pour préparer les demandes de subvention ; participation au Conseil "
        "parisien de la musique.",
    ),
    (
        "partenaires",
        "Territoire",
        "Partenaire de la fête du quartier Blémont : réunions de préparation, soutien logistique et "
        "un atelier street art sur le rideau d'une boutique, ouvert aux habitant·e·s.\n"
        "- Festival Décibels de la Fête des Vendanges de Montmartre\n"
        "- Festival Midi Minuit du Carré Versigny",
    ),
    (
        "partenaires",
        "Paris Habitat",
        "Suivi des dégâts des eaux du bureau de coordination et du remplacement de la porte de "
        "sortie de secours ; visite des boutiques avec la nouvelle gestionnaire.",
    ),
    (
        "actions",
        "Outils d'accompagnement et mutualisations",
        "Des tarifs négociés avec des partenaires (conciergerie, pressage, imprimerie) et un "
        "abonnement mutualisé à un outil de suivi des audiences, partagé par une dizaine de "
        "structures ; deux imprimantes sont à la disposition des adhérent·e·s.",
    ),
    (
        "actions",
        "Transmission",
        "Une collaboration pédagogique avec une école de design graphique : des étudiant·e·s ont "
        "réalisé des séquences en motion design pour des clips d'artistes des adhérent·e·s.",
    ),
    (
        "rencontres",
        "Le MILA soutient",
        "- Music Declares Emergency\n- L'Appel des Indépendants\n- La Scène Française",
    ),
    (
        "communication",
        "Sites web",
        "Le site du MILA publie tous les événements de l'association ; le site Entrepreneuriat "
        "Crescendo rassemble les ateliers et rencontres du programme.",
    ),
)
