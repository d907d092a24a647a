"""``[formulaires]``: the tabs Google Forms fill, and which question holds what.

Every key has a default, so that a workbook whose form tabs bear the default names and
whose questions bear the default titles needs no configuration at all. A question key
takes one title or a list of titles (the first one found in the tab's header is read).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from .base import Section, Text

TITLES = (
    'un titre de question entre guillemets, ou une liste de titres, par exemple ["Adresse e-mail", "E-mail"]'
)


def _titles(value: object) -> object:
    """One title or a list of titles, stripped; a list of texts without any is refused."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list | tuple) and all(isinstance(t, str) for t in value):
        titles = tuple(t.strip() for t in value if t.strip())
        if not titles:
            raise ValueError("doit nommer au moins une question")
        return titles
    return value


Titles = Annotated[tuple[str, ...], BeforeValidator(_titles), Field(strict=False, description=TITLES)]


class FormsSettings(Section):
    """Which responses tab feeds the event registrations (``onglet_inscriptions``) and the
    membership requests (``onglet_adhesions``), and the question titles of each answer."""

    section = "formulaires"

    onglet_inscriptions: Text = "Inscriptions (formulaire)"
    onglet_adhesions: Text = "Adhésions (formulaire)"
    horodateur: Titles = ("Horodateur", "Horodatage", "Timestamp")
    email: Titles = ("Adresse e-mail", "E-mail", "Email", "Adresse mail", "Courriel")
    structure: Titles = ("Structure", "Nom de la structure", "Entreprise")
    contact: Titles = ("Nom et prénom", "Prénom et nom", "Contact", "Nom")
    siret: Titles = ("SIRET", "Numéro SIRET")
    telephone: Titles = ("Téléphone", "Numéro de téléphone")
    evenement: Titles = ("Événement", "Évènement")
    categorie: Titles = ("Catégorie",)
    forfait: Titles = ("Forfait",)
    forme_juridique: Titles = ("Forme juridique",)
    adresse: Titles = ("Adresse postale", "Adresse du siège", "Adresse")

    def questions(self) -> dict[str, tuple[str, ...]]:
        """Each answer field and the titles it may bear, in the order tried."""
        return {
            name: getattr(self, name)
            for name in (
                "horodateur",
                "email",
                "structure",
                "contact",
                "siret",
                "telephone",
                "evenement",
                "categorie",
                "forfait",
                "forme_juridique",
                "adresse",
            )
        }
