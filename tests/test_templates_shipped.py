"""The shipped Word templates, filled as the jobs fill them, read as finished documents: the
expected French is there, no tag or blank is left, Word and LibreOffice open them with the
expected number of pages; and a template edited in Word still renders or is reported clearly."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import built_once
from docx import Document
from test_documents_french import CORPUS, _all_contexts, _member

from automations.cli import main
from automations.documents import catalogue, pieces
from automations.documents.french import typographic
from automations.documents.outputs import cleanup_conversion, convert_to_pdf
from automations.documents.render import load_template
from automations.documents.settings import REPO_TEMPLATES, AssociationSettings
from automations.documents.verify import verify_template
from automations.report.word import template_warnings

DAY = dt.date(2025, 3, 4)
SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})

# The output file prefix of each kind, the sentences a reader expects in it, and the pages
# it takes once LibreOffice lays it out (from the demo workbook; from one awkward name).
KINDS = {
    "convention": (
        "Convention_",
        (
            "Convention de mise à disposition de locaux",
            "IL A ÉTÉ CONVENU CE QUI SUIT",
            "Article 10 – Droit applicable et litiges",
            "en deux exemplaires originaux",
            "Pour l’Occupant",
        ),
        (3, 4),
        (3, 4),
    ),
    "charte": (
        "Charte_",
        (
            "Charte des valeurs communes",
            "Écologie · Partage · Inclusion",
            "Engagement du membre",
            "m’engage à en respecter les principes",
        ),
        (3, 4),
        (3, 4),
    ),
    "recu": (
        "Recu_",
        (
            "Reçu de cotisation",
            "L’Association MILA certifie avoir reçu",
            "Pour l’Association",
            "ce n’est pas un reçu fiscal",
        ),
        (1, 1),
        (1, 1),
    ),
    "registre_charte": (
        "Registre_",
        ("Registre des signatures de la charte des valeurs", "Arrêté au", "Membres actifs :"),
        (2, 6),
        (1, 1),
    ),
    "emargement": (
        "Emargement_",
        (
            "Feuille d’émargement",
            "Assemblée générale du 12 juin 2026",
            "Total des voix des membres à jour",
            "Quorum atteint",
        ),
        (4, 10),
        (1, 1),
    ),
}
REPORT = ("Rapport_", ("Rapport d'activité", "Sommaire", "Annexe : données des graphiques"), (8, 24))

# What a blank value or a forgotten tag leaves in the text a person reads.
LEFTOVERS = {
    "balise": re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}"),
    "valeur Python": re.compile(r"\b(?:None|nan|True|False)\b|Decimal\(|\[\]|\{\}"),
    "espace avant virgule ou point": re.compile(r" [,.)](?=\s|$)"),
    "deux espaces": re.compile(r"\S {2,}(?=\w)"),
    "vide entre signes": re.compile(r"\(\s*\)|«\s*»|“\s*”|·\s*·|·\s*$|^\s*[,.·;:]"),
    "mot en suspens": re.compile(r"\b(?:n°|représentée? par)\s*$"),
}


def paragraphs(data: bytes) -> list[str]:
    """Every paragraph a reader sees (body, table cells, headers, footers), opened with python-docx."""
    doc = Document(io.BytesIO(data))
    found = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            found += [p.text for cell in row.cells for p in cell.paragraphs]
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            found += [p.text for p in part.paragraphs]
    return [text.translate(SPACES) for text in found]


def leftovers(data: bytes | list[str]) -> list[tuple[str, str]]:
    """(what, paragraph) for each trace of a tag or of an empty value, in a document or in
    its paragraphs already read."""
    found = []
    for text in paragraphs(data) if isinstance(data, bytes) else data:
        for what, pattern in LEFTOVERS.items():
            found += [(what, text[max(0, m.start() - 50) : m.end() + 50]) for m in pattern.finditer(text)]
    return found


def undated(template: str) -> list[str]:
    """The expected sentences of a template that hold for any context (the demo's meeting day aside)."""
    return [s for s in KINDS[template][1] if "12 juin" not in s]


def fold(text: str) -> str:
    """Text compared as a reader would: case and apostrophe shapes aside."""
    return text.casefold().replace("’", "'")


def one_line(text: str) -> str:
    """PDF text with its spaces and line ends folded, to look for a sentence across lines."""
    return " ".join(text.translate(SPACES).replace("-\n", "-").split())


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def demo(demo_documents_built: tuple[Path, object]) -> Path:
    """The folder of every document the jobs write from the demo workbook, the report in its
    sub-folder (written once per test run: ``conftest.demo_documents_built``)."""
    return demo_documents_built[0]


def render_awkward(name: str) -> dict[str, bytes]:
    """Every template filled for a member named ``name`` (a name of the awkward corpus)."""
    member = _member(2, name, "Léa Morel", civility="Mme", legal_form="SAS")
    document = pieces.document_context(AssociationSettings(), DAY)
    return {
        template: load_template(REPO_TEMPLATES / f"{template}.docx").render({**context, "document": document})
        for template, context in _all_contexts(member).items()
    }


def _print(demo: Path, folder: Path) -> dict[str, tuple[int, str]]:
    sources: dict[str, Path] = {}
    for template, (prefix, *_) in {**KINDS, "rapport": REPORT}.items():
        sources[f"demo:{template}"] = sorted(demo.glob(f"**/{prefix}*.docx"))[0]
    for template, data in render_awkward("Pixel & Refrain <Live>").items():
        sources[f"nom:{template}"] = folder / f"nom-{template}.docx"
        sources[f"nom:{template}"].write_bytes(data)
    produced = convert_to_pdf(list(sources.values()), timeout=300)
    try:
        found = {}
        for label, source in sources.items():
            pdf = produced[source]
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
            pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
            text = subprocess.run(
                ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
            ).stdout.decode("utf-8")
            found[label] = (pages, text)
        return found
    finally:
        cleanup_conversion(produced)


@pytest.fixture(scope="session")
def pdfs(
    demo_documents_built: tuple[Path, object], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[int, str]]:
    """{label: (pages, text)} of the first demo document of each kind, the report, and each
    template filled for the most awkward name, laid out by LibreOffice in one batch, once
    per test run (whichever xdist worker asks first)."""
    demo = demo_documents_built[0]
    return built_once(tmp_path_factory, "demo_pdfs", lambda folder: _print(demo, folder))[1]


# --------------------------------------------------------------------------- as a person reads them


def test_every_demo_document_reads_as_finished(
    demo: Path, demo_document_texts: dict[str, tuple[list[str], list[str]]]
) -> None:
    """Each document of the demo opens in python-docx, holds its expected sentences and no tag nor blank value."""
    for template, (prefix, sentences, _, _) in {**KINDS, "rapport": (*REPORT, None)}.items():
        files = sorted(demo.glob(f"**/{prefix}*.docx"))
        assert files, template
        for path in files:
            body, margins = demo_document_texts[str(path.relative_to(demo))]  # opened once per run
            read = [text.translate(SPACES) for text in body + margins]  # as paragraphs() reads it
            text = "\n".join(read)
            missing = [s for s in sentences if fold(s) not in fold(text)]
            assert not missing and not leftovers(read), (path.name, missing, leftovers(read))


@pytest.mark.parametrize("name", [c[0] for c in CORPUS])
def test_every_template_reads_as_finished_with_every_awkward_name(name: str) -> None:
    """Each template filled for each awkward name of the corpus shows the name and its sentences, no tag nor blank."""
    for template, data in render_awkward(name).items():
        text = "\n".join(paragraphs(data))
        missing = [s for s in undated(template) if fold(s) not in fold(text)]
        assert not missing and not leftovers(data), (template, missing, leftovers(data))
        assert typographic(name) in text or template == "registre_charte", template


def test_the_demo_documents_print_with_their_pages_and_sentences(pdfs: dict[str, tuple[int, str]]) -> None:
    """Laid out by LibreOffice, each kind of demo document, the report included, takes the expected pages and says what it should."""
    for template, (_, sentences, demo_pages, _) in {**KINDS, "rapport": (*REPORT, None)}.items():
        pages, text = pdfs[f"demo:{template}"]
        assert demo_pages[0] <= pages <= demo_pages[1], (template, pages)
        flat = one_line(text)
        assert all(fold(s) in fold(flat) for s in sentences), (template, flat[:600])
        assert "{{" not in flat and "{%" not in flat, template
        if template != "rapport":  # the report's cover has no footer
            assert f"Page 1 sur {pages}" in flat, template


def test_an_awkward_name_prints_whole_in_every_template(pdfs: dict[str, tuple[int, str]]) -> None:
    """« Pixel & Refrain <Live> » comes out of LibreOffice whole, in documents of the expected length."""
    for template, (_, _, _, name_pages) in KINDS.items():
        pages, text = pdfs[f"nom:{template}"]
        flat = one_line(text)
        assert name_pages[0] <= pages <= name_pages[1], (template, pages)
        assert all(fold(s) in fold(flat) for s in undated(template)), (template, flat[:600])
        assert "Pixel & Refrain <Live>" in flat, (template, flat[:600])
        assert f"Page 1 sur {pages}" in flat and "{{" not in flat, template


# --------------------------------------------------------------------------- edited in Word


def test_mila_docs_verifier_finds_nothing_in_the_shipped_templates(tmp_path: Path) -> None:
    """``mila docs verifier`` answers 0 and « aucun problème » for each shipped template, the report's included."""
    config = tmp_path / "mila.toml"
    config.write_text("", encoding="utf-8")
    out = io.StringIO()
    assert main(["docs", "verifier", "--config", str(config)], out=out) == 0
    text = out.getvalue()
    for name in [*catalogue.TEMPLATE_FILES.values(), "rapport.docx"]:
        assert f"{name} — aucun problème" in text, text
    assert "Tous les modèles sont utilisables." in text


def _edit(source: Path, target: Path, old: str, new: str) -> Path:
    """A copy of ``source`` whose body XML has ``old`` replaced by ``new``, as Word would save it."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                xml = data.decode("utf-8")
                assert xml.count(old) == 1, old
                data = xml.replace(old, new).encode("utf-8")
            dst.writestr(item, data)
    return target


NAME_RUN = "<w:r><w:t>{{ membre.comparution|majuscule }},</w:t></w:r>"


def _convention_context() -> dict[str, object]:
    member = _member(2, "L'Usine", "Léa Morel", civility="Mme", legal_form="SAS")
    return {
        **_all_contexts(member)["convention"],
        "document": pieces.document_context(AssociationSettings(), DAY),
    }


def test_a_tag_word_split_in_pieces_still_renders(tmp_path: Path) -> None:
    """A tag Word saved in three runs, with a spelling mark and a bookmark between them, passes the verifier and renders."""
    split = (
        '<w:r w:rsidR="00A1B2C3"><w:t>{{ membre.</w:t></w:r>'
        '<w:proofErr w:type="spellStart"/>'
        '<w:r w:rsidR="00D4E5F6"><w:rPr><w:lang w:val="en-US"/></w:rPr><w:t>compa</w:t></w:r>'
        '<w:proofErr w:type="spellEnd"/><w:bookmarkStart w:id="90" w:name="_GoBack"/><w:bookmarkEnd w:id="90"/>'
        '<w:r><w:t xml:space="preserve">rution|majuscule }},</w:t></w:r>'
    )
    path = _edit(REPO_TEMPLATES / "convention.docx", tmp_path / "convention.docx", NAME_RUN, split)
    assert verify_template(path, catalogue.VARIABLES["convention"]).problems == []
    data = load_template(path).render(_convention_context())
    text = "\n".join(paragraphs(data))
    assert (
        "La société L’Usine, SAS, membre de l’Association (adhérent n° M0002), représentée par Mme Léa Morel"
        in text
        and not leftovers(data)
    )


@pytest.mark.parametrize(
    ("inside", "said"),
    [
        ("<w:r><w:tab/></w:r>", "coupée par une tabulation"),
        (
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
            "coupée par un champ Word",
        ),
    ],
)
def test_a_tag_word_cut_with_something_inside_is_reported_with_its_paragraph(
    tmp_path: Path, inside: str, said: str
) -> None:
    """A tag with a tab or a field inside: the verifier names the problem and the paragraph, in French."""
    split = (
        "<w:r><w:t>{{ membre.</w:t></w:r>"
        + inside
        + '<w:r><w:t xml:space="preserve">comparution|majuscule }},</w:t></w:r>'
    )
    path = _edit(REPO_TEMPLATES / "convention.docx", tmp_path / "convention.docx", NAME_RUN, split)
    report = verify_template(path, catalogue.VARIABLES["convention"])
    assert [p.code for p in report.errors] == ["split_runs"]
    assert said in report.errors[0].message and "retapez-la" in report.errors[0].message
    assert report.errors[0].paragraph.startswith("{{ membre.")


def test_a_tag_word_cut_by_a_new_paragraph_is_reported(tmp_path: Path) -> None:
    """A tag cut by Enter: the verifier reports it with the paragraph; docxtpl joins the two pieces, losing the break."""
    split = (
        '<w:r><w:t>{{ membre.</w:t></w:r></w:p><w:p><w:pPr><w:pStyle w:val="Corps"/></w:pPr>'
        '<w:r><w:t xml:space="preserve">comparution|majuscule }},</w:t></w:r>'
    )
    path = _edit(REPO_TEMPLATES / "convention.docx", tmp_path / "convention.docx", NAME_RUN, split)
    report = verify_template(path, catalogue.VARIABLES["convention"])
    assert "split_paragraph" in [p.code for p in report.errors]
    assert report.errors[0].paragraph == "{{ membre."
    assert "Balise coupée par un retour à la ligne" in report.errors[0].message
    data = load_template(path).render(_convention_context())
    assert (
        "La société L’Usine, SAS, membre de l’Association (adhérent n° M0002), représentée par Mme Léa Morel"
        in "\n".join(paragraphs(data))
        and not leftovers(data)
    )


def test_the_report_template_restyled_in_word_is_checked_for_its_styles_and_header(tmp_path: Path) -> None:
    """A report template that lost a style and its header's year: the verifier warns, in French, and it still renders."""
    doc = Document(str(REPO_TEMPLATES / "rapport.docx"))
    assert template_warnings(REPO_TEMPLATES / "rapport.docx") == []
    doc.styles.element.remove(doc.styles["Caption"].element)
    for paragraph in doc.sections[0].header.paragraphs:
        for run in paragraph.runs:
            run.text = run.text.replace("{{annee}}", "2024")
    path = tmp_path / "rapport.docx"
    doc.save(str(path))
    warnings = template_warnings(path)
    assert len(warnings) == 2
    assert warnings[0].startswith("Style « Légende » absent : le rapport prendra celui du modèle d'origine")
    assert "« {{annee}} »" in warnings[1] and "l'année" in warnings[1]
