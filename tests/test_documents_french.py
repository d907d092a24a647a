"""French the board signs without correcting: contractions, agreement, the right signer."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document

from automations.documents import context as ctx
from automations.documents import pieces
from automations.documents.french import a, de, is_natural_person, majuscule, same_person, typographic
from automations.documents.render import load_template
from automations.documents.settings import REPO_TEMPLATES, AssociationSettings, DocumentsSettings
from automations.errors import ConfigError
from automations.jobs.documents import (
    DocumentsResult,
)
from automations.model.rows import BoardMember, Member, Occupation, Premises

DAY = dt.date(2025, 3, 4)

# (name, « de » form, « à » form)
CORPUS = (
    ("Le Comptoir du Vinyle", "du Comptoir du Vinyle", "au Comptoir du Vinyle"),
    ("Les Femmes S'en Mêlent", "des Femmes S’en Mêlent", "aux Femmes S’en Mêlent"),
    ("Éditions Marelle", "d’Éditions Marelle", "à Éditions Marelle"),
    ("L'Usine", "de L’Usine", "à L’Usine"),
    ("La Cigale", "de La Cigale", "à La Cigale"),
    ("LE BON SON", "du BON SON", "au BON SON"),
    ("les ondes", "des ondes", "aux ondes"),
    ("Harmonie Nomade", "d’Harmonie Nomade", "à Harmonie Nomade"),
    ("Hip Hop Nation", "de Hip Hop Nation", "à Hip Hop Nation"),
    ("Hôtel Pasteur", "d’Hôtel Pasteur", "à Hôtel Pasteur"),
    ("Yes Records", "de Yes Records", "à Yes Records"),
    ("Yvelines Son", "d’Yvelines Son", "à Yvelines Son"),
    ("Œil du Son", "d’Œil du Son", "à Œil du Son"),
    ("3 Minutes Sur Mer", "de 3 Minutes Sur Mer", "à 3 Minutes Sur Mer"),
    ("« Les Amis »", "de « Les Amis »", "à « Les Amis »"),
    ('"Le Bon Son"', 'de "Le Bon Son"', 'à "Le Bon Son"'),
    ("Lesbos Musique", "de Lesbos Musique", "à Lesbos Musique"),
    ("Le 104", "du 104", "au 104"),
    ("Adrien Sanchez", "d’Adrien Sanchez", "à Adrien Sanchez"),
    ("Pixel & Refrain <Live>", "de Pixel & Refrain <Live>", "à Pixel & Refrain <Live>"),
)

WRONG = re.compile(r"\b(?:de|à) (?:Le|Les|le|les|LE|LES) |\bde [AEIOUÉÈÊÀÂÎÔŒaeiouéèêàâîôœ]|'")


@pytest.mark.parametrize(("name", "with_de", "with_a"), CORPUS)
def test_de_and_a_contract_and_elide_like_french(name: str, with_de: str, with_a: str) -> None:
    """« de » and « à » before each awkward name of the corpus read as a French writer would write them."""
    assert de(name) == with_de
    assert a(name) == with_a


def test_helpers_keep_addresses_and_capitals() -> None:
    """Apostrophes become typographic except in addresses; majuscule keeps the rest of the text."""
    assert typographic("L'Usine d'en face") == "L’Usine d’en face"
    assert typographic("o'neil@example.fr") == "o'neil@example.fr"
    assert typographic("https://x.fr/l'a") == "https://x.fr/l'a"
    assert majuscule("l’Association MILA") == "L’Association MILA"
    assert same_person("Fanny  Poirier", "poirier fanny") and not same_person("Fanny Poirier", "")
    assert is_natural_person("Fanny Poirier", "Fanny Poirier", None)
    assert is_natural_person("Atelier F. P.", "Fanny Poirier", "personne physique")
    assert not is_natural_person("Le Quai des Sons", "Malik Fleury", "SARL")


def _member(
    n: int,
    structure: str,
    contact: str,
    *,
    civility: str | None = None,
    legal_form: str | None = None,
    address: str | None = None,
) -> Member:
    return Member(
        row=n + 1,
        id=f"M{n:04d}",
        structure=structure,
        contact=contact,
        email="x@example.fr",
        category="hébergé",
        joined_on=dt.date(2020, 1, 1),
        civility=civility,
        legal_form=legal_form,
        address=address,
    )


BOARD = (
    BoardMember(row=2, name="Malik Fleury", civility="M.", member_id="M0001", function="Président·e"),
    BoardMember(row=3, name="Jeanne Aubert", civility="Mme", function="Vice-président·e"),
    BoardMember(row=4, name="Nadia Giraud", civility="Mme", member_id="M0003", function="Trésorier·e"),
    BoardMember(row=5, name="Paul Roux", civility="M.", function="Secrétaire"),
)


def _text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.docx"
    path.write_bytes(data)
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def _all_contexts(member: Member) -> dict[str, dict[str, object]]:
    association = pieces.association_context(AssociationSettings(), BOARD, DAY, other_party=member)
    occupation = Occupation(
        row=2,
        id="C001",
        member_id=member.id,
        premises_id="L01",
        start=dt.date(2024, 7, 1),
        end=dt.date(2027, 6, 30),
    )
    premises = Premises(row=2, id="L01", name="Bureau 1", site="Pépinière", surface_m2=Decimal(16))
    paid = Member(
        **{
            **{f: getattr(member, f) for f in member.__slots__},
            "paid_on": dt.date(2024, 7, 1),
            "amount_paid": Decimal(150),
        }
    )
    return {
        "convention": ctx.convention_context(
            association=association,
            occupation=occupation,
            member=member,
            premises=premises,
            rent_ht=Decimal(400),
            rent_vat_percent=Decimal(20),
            fee=None,
            day=DAY,
            board=BOARD,
        ),
        "charte": ctx.charter_context(association=association, member=member, board=BOARD),
        "recu": ctx.receipt_context(
            association=association,
            member=paid,
            number="2024-001",
            period_start=dt.date(2024, 7, 1),
            period_end=dt.date(2025, 6, 30),
            amount_paid=Decimal(150),
            fee=None,
            vat_percent=Decimal(20),
            issued_on=DAY,
            board=BOARD,
        ),
        "registre_charte": ctx.register_context(association=association, members=[member], day=DAY),
        "emargement": ctx.attendance_context(
            association=association,
            title="Assemblée générale",
            day=DAY,
            place="12 rue Émile Blémont",
            quorum_percent=Decimal(50),
            lines=[ctx.AttendanceLine(member, 10)],
        ),
    }


@pytest.mark.parametrize("name", [c[0] for c in CORPUS])
def test_every_template_reads_well_with_every_awkward_name(name: str, tmp_path: Path) -> None:
    """Every shipped template, filled with each name of the corpus, has no « de Le », « de É… » nor straight apostrophe."""
    member = _member(2, name, "Léa Morel", civility="Mme", legal_form="SAS")
    for template, context in _all_contexts(member).items():
        text = _text(
            load_template(REPO_TEMPLATES / f"{template}.docx").render(
                {**context, "document": pieces.document_context(AssociationSettings(), DAY)}
            ),
            tmp_path,
        )
        found = [m.group() for m in WRONG.finditer(text.replace("'" + name, name))]
        assert not found, (template, name, found)
        assert typographic(name) in text.replace("\u00a0", " ") or template == "registre_charte"


def test_a_member_who_is_a_person_is_not_its_own_representative(tmp_path: Path) -> None:
    """A person who is the member signs in their own name; a company is « représentée par Mme … »."""
    person = _member(2, "Fanny Poirier", "Fanny Poirier", civility="Mme", address="3 rue Myrha, 75018 Paris")
    contexts = _all_contexts(person)
    charter = _text(
        load_template(REPO_TEMPLATES / "charte.docx").render({**contexts["charte"], "document": {}}), tmp_path
    )
    assert "Je soussignée Fanny Poirier (membre n°\u00a0M0002)" in charter
    assert "représentant" not in charter
    convention = _text(
        load_template(REPO_TEMPLATES / "convention.docx").render(
            {**contexts["convention"], "document": {"lieu": "Paris", "date": "4 mars 2025"}}
        ),
        tmp_path,
    )
    assert "Fanny Poirier, demeurant 3 rue Myrha, 75018 Paris, membre de l’Association" in convention
    assert "ci-après dénommée «\u00a0l’Occupant\u00a0»" in convention
    assert (
        "pour une durée déterminée, du 1er\u00a0avril 2025 au 30\u00a0juin 2027 inclus. À son terme, "
        "elle est renouvelée par tacite reconduction"
    ) in convention
    assert (
        "Mme Fanny Poirier, demeurant 3 rue Myrha, 75018 Paris, membre de l’Association (adhérente n°\u00a0M0002),"
        in convention
    )
    for clause in (
        "L’état des lieux établi à son entrée dans les lieux reste valable",
        "indice des loyers des activités tertiaires",
        "tribunal judiciaire de Paris",
    ):
        assert clause in convention
    receipt = _text(
        load_template(REPO_TEMPLATES / "recu.docx").render(
            {**contexts["recu"], "document": {"lieu": "Paris", "date": "4 mars 2025"}}
        ),
        tmp_path,
    )
    assert "Représenté" not in receipt and "représenté" not in receipt

    company = _member(4, "Le Quai des Sons", "Adrien Sanchez", civility="M.", legal_form="SARL")
    contexts = _all_contexts(company)
    receipt = _text(
        load_template(REPO_TEMPLATES / "recu.docx").render(
            {**contexts["recu"], "document": {"lieu": "Paris", "date": "4 mars 2025"}}
        ),
        tmp_path,
    )
    assert "Représentée par M. Adrien Sanchez" in receipt
    assert "certifie avoir reçu du Quai des Sons" in receipt
    charter = _text(
        load_template(REPO_TEMPLATES / "charte.docx").render({**contexts["charte"], "document": {}}), tmp_path
    )
    assert "Je soussigné Adrien Sanchez, représentant du Quai des Sons" in charter
    assert pieces.member_context(_member(5, "X", "Paul Roux"), BOARD)["civilite"] == "M."  # from Conseil


def test_the_association_never_signs_with_a_person_of_the_other_side() -> None:
    """The president signs, unless tied to the other party; then the next officer of the configured order."""
    stranger = _member(9, "Radio Pavé", "Jean Dupont")
    assert (
        pieces.association_context(AssociationSettings(), BOARD, DAY, stranger)["signataire"]["nom"]
        == "Malik Fleury"
    )
    by_id = pieces.association_context(
        AssociationSettings(), BOARD, DAY, _member(1, "Le Quai des Sons", "Yann Roy")
    )
    assert by_id["signataire"] == {
        "nom": "Jeanne Aubert",
        "civilite": "Mme",
        "titre": "Vice-présidente",
        "qualite": "en sa qualité de vice-présidente",
        "connu": True,
    }
    by_name = pieces.association_context(
        AssociationSettings(), BOARD, DAY, _member(7, "Studio", "malik FLEURY")
    )
    assert by_name["signataire"]["nom"] == "Jeanne Aubert"
    order = AssociationSettings(signatory_order=["Présidente", "trésorier", "Secrétaire"])
    assert order.signatory_order == ("Président·e", "Trésorier·e", "Secrétaire")
    tied = _member(1, "Le Quai des Sons", "Yann Roy")
    assert (
        pieces.association_context(order, BOARD, DAY, tied)["signataire"]["qualite"]
        == "en sa qualité de trésorière"
    )
    treasurer_tied = _member(3, "Onde Claire", "Nadia Giraud")
    only = AssociationSettings(signatory_order=["Trésorier·e"])
    assert pieces.association_context(only, BOARD, DAY, treasurer_tied)["signataire"]["connu"] is False


@pytest.mark.parametrize(
    "section",
    [{"signatory_order": "Président"}, {"signatory_order": ["Roi"]}, {"rna": "123"}, {"article": "du"}],
)
def test_bad_association_settings_are_french_errors(section: dict[str, object]) -> None:
    """A wrong signatory order, RNA or article is a French configuration error."""
    with pytest.raises(ConfigError, match="\\[association\\]"):
        AssociationSettings.model_validate(section)


def test_first_of_the_month_in_superscript(tmp_path: Path) -> None:
    """« 1er juillet » is written with « er » in superscript, the rest of the run untouched."""
    member = _member(2, "Le Quai des Sons", "Adrien Sanchez")
    data = load_template(REPO_TEMPLATES / "convention.docx").render(
        {**_all_contexts(member)["convention"], "document": {"lieu": "Paris", "date": "4 mars 2025"}}
    )
    xml = zipfile.ZipFile(__import__("io").BytesIO(data)).read("word/document.xml").decode()
    assert re.search(
        r'<w:vertAlign w:val="superscript"/>(?:<w:lang[^>]*/>)?</w:rPr><w:t xml:space="preserve">er</w:t>',
        xml,
    )
    assert "loi du 1er juillet" in _text(data, tmp_path)


@pytest.fixture
def demo_documents(
    demo_documents_built: tuple[Path, dict[str, DocumentsResult]],
) -> tuple[Path, dict[str, DocumentsResult]]:
    """Every document kind of the demo, produced once per test run (``conftest``)."""
    return demo_documents_built


def test_no_internal_wording_in_any_demo_document(
    demo_documents: tuple[Path, dict[str, DocumentsResult]],
    demo_document_texts: dict[str, tuple[list[str], list[str]]],
) -> None:
    """No demo document names the workbook's machinery, nor contracts a name badly, nor keeps a straight apostrophe."""
    out, _ = demo_documents
    files = sorted(out.glob("*.docx"))
    assert len(files) > 100
    for path in files:
        body, _ = demo_document_texts[path.name]  # what _text reads, each document opened once per run
        text = "\n".join(body)
        for word in ("classeur", "onglet", "colonne", "Le montant reçu diffère"):
            assert word not in text.lower(), (path.name, word)
        assert not WRONG.search(text), (path.name, WRONG.search(text))
        assert "représentant·e" not in text and "représentée par  " not in text, path.name


def test_demo_convention_c010_has_two_different_signers(
    demo_documents: tuple[Path, dict[str, DocumentsResult]], tmp_path: Path
) -> None:
    """The president, contact of the occupant of C010, does not sign for the association; the output says so."""
    out, results = demo_documents
    c010 = _text(next(out.glob("Convention_C010_*.docx")).read_bytes(), tmp_path)
    signers = re.search(r"Pour l’Association\n(.+)\n.*\n\nPour l’Occupant\n(.+)\n", c010)
    assert signers is not None and signers.group(1) != signers.group(2), c010[-400:]
    assert "Malik Fleury" not in c010.split("et\n")[0]
    notes = results["conventions"].warnings
    assert any("C010" in n and "l'Association est représentée par" in n for n in notes)
    assert "s’engage à en respecter les principes" in c010 or "et à en respecter les principes" in c010


def test_shops_get_no_convention_unless_configured(
    demo_documents: tuple[Path, dict[str, DocumentsResult]],
) -> None:
    """Occupations of the Boutique site are listed once in the output, without a convention, by default."""
    _, results = demo_documents
    default = results["default"]
    assert not any("Boutique" in w.path.name for w in default.written)
    notes = [s for s in default.skipped if "bail commercial" in s]
    assert len(notes) == 1 and "C010" in notes[0] and "shop_conventions = true" in notes[0]
    assert len(results["conventions"].written) > len(default.written)


def test_demo_receipts_are_dated_the_day_they_are_produced(
    demo_documents: tuple[Path, dict[str, DocumentsResult]], tmp_path: Path
) -> None:
    """A receipt is dated the day it is produced (never its payment's day), says when the
    payment was received, shows HT, TVA and TTC columns, and the staff hear of odd amounts."""
    out, results = demo_documents
    odd = next(w for w in results["recus"].warnings if "diffère" in w)
    number = re.search(r"Reçu (\d{4}-\d{3})", odd).group(1)  # type: ignore[union-attr]
    receipt = _text(next(out.glob(f"Recu_{number}_*.docx")).read_bytes(), tmp_path)
    paid = re.search(r"\(paiement reçu le (\d+\u00a0\w+ \d{4})\)", receipt)
    assert paid is not None and paid.group(1) != "30\u00a0novembre 2026"
    assert "Fait à Paris, le 30\u00a0novembre 2026." in receipt and "Émis le 30\u00a0novembre 2026" in receipt
    assert f"le {paid.group(1)}." not in receipt.replace(f"reçu le {paid.group(1)}", "")
    assert "Désignation\nHT\nTVA (20\u00a0%)\nTTC" in receipt
    assert receipt.count("L’Association MILA certifie") == 1
    assert "diffère" not in receipt and "barème" not in receipt


def test_emails_contract_names_and_use_typographic_apostrophes() -> None:
    """The e-mail templates have the same filters: « au nom du Comptoir du Vinyle », « L’équipe », « s’est »."""
    from automations.mail import Templates

    templates = Templates(REPO_TEMPLATES / "emails")
    context = {
        "association": {"nom": "MILA", "signature": "L'équipe du MILA"},
        "membre": {"contact": "Victor Rousseau", "structure": "Le Comptoir du Vinyle"},
        "inscription": {"id": "I0001"},
        "evenement": {
            "titre": "L'oreille absolue",
            "type": "Club MILA",
            "date": "4 mars 2027",
            "lieu": "",
            "intervenants": [],
        },
        "contact": {"nom": "Léa", "email": "o'hara@mila.example", "telephone": ""},
    }
    for name in ("place_confirmee.txt.j2", "place_confirmee.html.j2"):
        text = templates.render(name, context)
        assert "au nom du Comptoir du Vinyle" in text
        assert "s’est libérée" in text and "L’oreille absolue" in text and "L’équipe du MILA" in text
        assert "'" not in re.sub(r"<[^>]*>", "", text).replace("o'hara@mila.example", "")


def test_shop_conventions_must_be_true_or_false(tmp_path: Path) -> None:
    """`[documents] shop_conventions` is a yes/no; anything else is a French error."""
    assert DocumentsSettings(shop_conventions=True).shop_conventions
    with pytest.raises(ConfigError, match="shop_conventions.*true ou false"):
        DocumentsSettings.model_validate({"shop_conventions": "oui"})
