"""Rendering templates safely, listing their variables, and finding the mistakes Word makes to tags."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from automations.config import build_settings
from automations.documents import catalogue, pieces, typography
from automations.documents import context as ctx
from automations.documents.outputs import (
    OutputFolder,
    PdfUnavailable,
    cleanup_conversion,
    convert_to_pdf,
    find_soffice,
    fingerprint,
    safe_filename,
    safe_part,
)
from automations.documents.render import DocumentTemplate, load_template, xml_safe
from automations.documents.settings import AssociationSettings, DocumentsSettings
from automations.documents.verify import verify_template
from automations.errors import ConfigError, TemplateError
from automations.jobs.templates import template_variables, verify_templates

NBSP = "\u00a0"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


# --------------------------------------------------------------------------- helpers


# A run of a test template: its text, or ("tab",) / ("br",), or ("ins", text).
TemplateRun = str | tuple[str] | tuple[str, str]


def make_template(
    path: Path, paragraphs: Sequence[Sequence[TemplateRun]], cells: list[list[str]] | None = None
) -> Path:
    """A .docx whose paragraphs are made of the given runs. A run is a string, or
    ("tab",) / ("br",) for a tab or a line break inside the run, or ("ins", text) for text
    inserted with tracked changes."""
    doc = Document()
    for runs in paragraphs:
        p = doc.add_paragraph()
        for run in runs:
            if isinstance(run, str):
                p.add_run(run)
            elif run[0] in ("tab", "br"):
                p.add_run()._r.append(OxmlElement(f"w:{run[0]}"))
            elif len(run) == 2 and run[0] == "ins":
                ins = OxmlElement("w:ins")
                ins.set(qn("w:id"), "1")
                ins.set(qn("w:author"), "Staff")
                inserted = OxmlElement("w:r")
                t = OxmlElement("w:t")
                t.text = run[1]
                inserted.append(t)
                ins.append(inserted)
                p._p.append(ins)
    if cells:
        table = doc.add_table(rows=len(cells), cols=len(cells[0]))
        for row, texts in zip(table.rows, cells, strict=True):
            for cell, text in zip(row.cells, texts, strict=True):
                cell.paragraphs[0].add_run(text)
    doc.save(str(path))
    return path


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def assert_valid_docx(data_or_path: bytes | Path) -> None:
    """Every XML part parses strictly and python-docx opens the package."""
    source = str(data_or_path) if isinstance(data_or_path, Path) else io.BytesIO(data_or_path)
    with zipfile.ZipFile(source) as archive:
        assert archive.testzip() is None
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(archive.read(name))  # raises on invalid XML
    Document(source)


SIMPLE = [["Structure : {{ membre.structure }}"], ["Contact : {{ membre.representant }}"]]
SIMPLE_VARS = [v for v in catalogue.VARIABLES["charte"] if v.path.startswith("membre.")]


# --------------------------------------------------------------------------- rendering


def test_xml_special_characters_and_emoji_give_a_valid_document(tmp_path: Path) -> None:
    template = DocumentTemplate(make_template(tmp_path / "t.docx", SIMPLE))
    name = 'Pixel & Refrain <Live> "Disques" l\'Écho 🎧🎸 \x0b\x01fin'
    data = template.render({"membre": {"structure": name, "representant": "Zoé 😀 & <Co>"}})
    out = tmp_path / "out.docx"
    out.write_bytes(data)
    assert_valid_docx(out)
    text = docx_text(out)
    assert 'Structure : Pixel & Refrain <Live> "Disques" l’Écho 🎧🎸 fin' in text  # typographic apostrophe
    assert "Contact : Zoé 😀 & <Co>" in text


def test_line_breaks_in_a_value_become_word_line_breaks(tmp_path: Path) -> None:
    template = DocumentTemplate(make_template(tmp_path / "t.docx", SIMPLE))
    data = template.render({"membre": {"structure": "Ligne 1\nLigne 2\r\nLigne 3\f", "representant": "x"}})
    xml = zipfile.ZipFile(__import__("io").BytesIO(data)).read("word/document.xml").decode()
    assert xml.count("<w:br/>") == 2
    assert "\f" not in xml


def test_an_unknown_variable_is_an_error_in_french_not_a_blank(tmp_path: Path) -> None:
    template = DocumentTemplate(make_template(tmp_path / "t.docx", [["{{ membre.structre }}"]]))
    with pytest.raises(TemplateError, match=r"variable inconnue.*structre.*mila docs verifier"):
        template.render({"membre": {"structure": "x"}})


def test_the_sandbox_refuses_python_internals(tmp_path: Path) -> None:
    template = DocumentTemplate(
        make_template(tmp_path / "t.docx", [["{{ membre.structure.__class__.__mro__ }}"]])
    )
    with pytest.raises(TemplateError, match="balise interdite"):
        template.render({"membre": {"structure": "x"}})


def test_a_broken_template_gives_a_french_error(tmp_path: Path) -> None:
    broken = make_template(tmp_path / "t.docx", [["{% if membre.structure %}oui"]])
    with pytest.raises(TemplateError, match="ne peut pas être rempli"):
        DocumentTemplate(broken).render({"membre": {"structure": "x"}})
    not_docx = tmp_path / "faux.docx"
    not_docx.write_text("pas un document Word")
    with pytest.raises(TemplateError, match="n'est pas un document Word"):
        DocumentTemplate(not_docx)
    with pytest.raises(TemplateError, match="introuvable"):
        DocumentTemplate(tmp_path / "absent.docx")


def test_a_template_is_compiled_once_and_renders_each_context(tmp_path: Path) -> None:
    path = make_template(tmp_path / "t.docx", SIMPLE)
    template = load_template(path)
    assert load_template(path) is template
    first = template.render({"membre": {"structure": "Un", "representant": "A"}})
    second = template.render({"membre": {"structure": "Deux", "representant": "B"}})
    (tmp_path / "1.docx").write_bytes(first)
    (tmp_path / "2.docx").write_bytes(second)
    assert "Structure : Un" in docx_text(tmp_path / "1.docx")
    assert "Structure : Deux" in docx_text(tmp_path / "2.docx")
    make_template(path, [["Autre : {{ membre.structure }}"]])  # edited: a new compilation
    assert load_template(path) is not template


def test_docxtpl_row_and_column_loops_still_work(tmp_path: Path) -> None:
    path = make_template(
        tmp_path / "t.docx",
        [["Tableau"]],
        cells=[
            ["{%tc for c in cols %}", "{{ c }}", "{%tc endfor %}"],
            ["{%tr for r in rows %}", "", ""],
            ["{{ r }}", "", ""],
            ["{%tr endfor %}", "", ""],
        ],
    )
    data = DocumentTemplate(path).render({"cols": ["A & B", "C", "D", "E"], "rows": ["1", "2", "3"]})
    assert_valid_docx(data)
    out = tmp_path / "out.docx"
    out.write_bytes(data)
    table = Document(str(out)).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["A & B", "C", "D", "E"]
    assert [row.cells[0].text for row in table.rows[1:]] == ["1", "2", "3"]
    assert len(table._tbl.tblGrid.findall(qn("w:gridCol"))) == 4


def _word_like(path: Path) -> Path:
    """``path`` with a tag in its header and core title, its styles and settings written as
    Word writes them (double quotes, CRLF: python-docx saves them serialised its own way), its
    parts stored uncompressed (a document's part is deflated: a copied one is told apart)."""
    doc = Document(str(path))
    doc.sections[0].header.paragraphs[0].text = "En-tête : {{ membre.structure }}\tfin"
    doc.core_properties.title = "Charte — {{ membre.structure }}"
    doc.save(str(path))
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in parts:
            if info.filename in ("word/styles.xml", "word/settings.xml"):
                data = data.replace(b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n", b"")
                data = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' + data
            out.writestr(info, data, compress_type=zipfile.ZIP_STORED)
    return path


def test_a_document_is_what_docxtpl_writes_with_the_parts_it_does_not_fill_copied(tmp_path: Path) -> None:
    """Each document holds, entry for entry and byte for byte, what docxtpl's render and save
    write; the parts docxtpl does not fill are the template's own compressed bytes when
    python-docx saves them as they were; the same context gives the same file."""
    from docxtpl import DocxTemplate

    from automations.documents.render import environment, safe_context

    path = _word_like(make_template(tmp_path / "t.docx", SIMPLE + [["{{ membre.adresse }}"]]))
    context = {
        "membre": {"structure": "Pixel & Refrain <Live>", "representant": "L'Écho", "adresse": "a\nb\tc"}
    }
    template = DocumentTemplate(path)
    data = template.render(context)
    reference = DocxTemplate(str(path))
    reference.render(safe_context(context), environment(), autoescape=True)
    buffer = io.BytesIO()
    reference.save(buffer)
    with zipfile.ZipFile(io.BytesIO(data)) as ours, zipfile.ZipFile(buffer) as docxtpl:
        assert ours.namelist() == docxtpl.namelist()
        differ = [name for name in ours.namelist() if ours.read(name) != docxtpl.read(name)]
        assert differ == ["docProps/core.xml"]  # docxtpl escapes its texts twice: not here
        assert "En-tête : Pixel &amp; Refrain &lt;Live&gt;" in ours.read("word/header1.xml").decode()
        core = ours.read("docProps/core.xml").decode()
        assert "<dc:title>Charte — Pixel &amp; Refrain &lt;Live&gt;</dc:title>" in core
        assert "&amp;amp;" in docxtpl.read("docProps/core.xml").decode()
    assert Document(io.BytesIO(data)).core_properties.title == "Charte — Pixel & Refrain <Live>"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(io.BytesIO(data)) as ours:
        held = {info.filename: info for info in source.infolist()}
        copied = [
            name
            for name in ("word/theme/theme1.xml", "word/fontTable.xml", "word/numbering.xml", "_rels/.rels")
            if (held[name].CRC, held[name].compress_size)
            == (ours.getinfo(name).CRC, ours.getinfo(name).compress_size)
        ]
        assert len(copied) == 4
        styles = ours.read("word/styles.xml")  # re-serialised by python-docx: the same XML
        assert styles != source.read("word/styles.xml")
        assert etree.tostring(etree.fromstring(styles), method="c14n") == etree.tostring(
            etree.fromstring(source.read("word/styles.xml")), method="c14n"
        )
    assert template.render(context) == data
    assert template.render({**context, "membre": {**context["membre"], "adresse": "x"}}) != data


def test_a_template_producing_invalid_xml_or_damaged_gives_a_french_error(tmp_path: Path) -> None:
    """A tag writing raw XML makes an invalid body: an error naming the template, no file; a
    template with a part Word cannot read is « endommagé », at each attempt."""
    template = DocumentTemplate(make_template(tmp_path / "t.docx", [["{{ '<w:bad>' | safe }}"]]))
    with pytest.raises(
        TemplateError, match="« t.docx » produit un document Word invalide.*mila docs verifier"
    ):
        template.render({})
    path = make_template(tmp_path / "abime.docx", SIMPLE)
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in parts:
            out.writestr(info, b"<w:styles" if info.filename == "word/styles.xml" else data)
    damaged = DocumentTemplate(path)
    for _ in range(2):
        with pytest.raises(TemplateError, match="« abime.docx » est endommagé.*Rouvrez-le dans Word"):
            damaged.render({"membre": {"structure": "x", "representant": "y"}})


def test_xml_safe_keeps_text_tabs_and_line_breaks() -> None:
    assert xml_safe("a\tb\nc\x00d\x1fe\ufffe") == "a\tb\ncde"


# --------------------------------------------------------------------------- verifier


def codes(path: Path, variables=SIMPLE_VARS) -> dict[str, list]:
    report = verify_template(path, variables)
    found: dict[str, list] = {}
    for problem in report.problems:
        found.setdefault(problem.code, []).append(problem)
    return found


def test_a_clean_template_has_no_problem_even_with_a_tag_split_across_runs(tmp_path: Path) -> None:
    path = make_template(
        tmp_path / "t.docx", [["Nom : {{ mem", "bre.struc", "ture }}"], ["{% if membre.id %}x{% endif %}"]]
    )
    assert verify_template(path, SIMPLE_VARS).problems == []


def test_verifier_finds_a_tag_cut_by_a_line_break(tmp_path: Path) -> None:
    path = make_template(tmp_path / "t.docx", [["Bonjour {{ membre."], ["structure }} et merci"]])
    found = codes(path)
    assert list(found) == ["split_paragraph"]
    problem = found["split_paragraph"][0]
    assert problem.paragraph == "Bonjour {{ membre."
    assert "retour à la ligne" in problem.message and problem.severity == "erreur"


def test_verifier_finds_a_tag_cut_between_table_cells(tmp_path: Path) -> None:
    path = make_template(tmp_path / "t.docx", [], cells=[["{{ membre.", "structure }}"]])
    assert "split_cell" in codes(path)


def test_verifier_finds_a_tag_split_by_a_tab_or_tracked_changes(tmp_path: Path) -> None:
    path = make_template(tmp_path / "t.docx", [["{{ membre.", ("tab",), "structure }}"]])
    problem = codes(path)["split_runs"][0]
    assert "tabulation" in problem.message and problem.paragraph == "{{ membre.structure }}"
    path = make_template(tmp_path / "u.docx", [["{{ membre.", ("ins", "struct"), "ure }}"]])
    assert "suivi des modifications" in codes(path)["split_runs"][0].message


def test_verifier_finds_curly_quotes(tmp_path: Path) -> None:
    path = make_template(
        tmp_path / "t.docx", [["{% if membre.categorie == “Membre hébergé” %}oui{% endif %}"]]
    )
    problem = codes(path)["curly_quotes"][0]
    assert problem.severity == "avertissement" and "“ ”" in problem.message
    path = make_template(
        tmp_path / "u.docx", [["{% if membre.categorie == « Membre hébergé » %}oui{% endif %}"]]
    )
    found = codes(path)
    assert found["curly_quotes"][0].severity == "erreur"


def test_verifier_finds_unknown_variables_with_their_paragraph(tmp_path: Path) -> None:
    path = make_template(
        tmp_path / "t.docx",
        [
            ["Structure : {{ membre.structre }}"],
            ["{% for x in membre.structure %}{{ x.upper() }}{% endfor %} {{ inconnu }}"],
            ["{% set total = 3 %}{{ total }} {{ loop_var|default('') }}"],
        ],
    )
    found = codes(path)
    unknown = {p.message.split("« ")[1].split(" »")[0]: p.paragraph for p in found["unknown_variable"]}
    assert unknown == {
        "membre.structre": "Structure : {{ membre.structre }}",
        "inconnu": "{% for x in membre.structure %}{{ x.upper() }}{% endfor %} {{ inconnu }}",
        "loop_var": "{% set total = 3 %}{{ total }} {{ loop_var|default('') }}",
    }


def test_verifier_follows_list_items_in_loops(tmp_path: Path) -> None:
    variables = catalogue.VARIABLES["emargement"]
    path = make_template(
        tmp_path / "t.docx",
        [
            [
                "{% for m in membres %}{{ m.structure }} {{ m.voix }} {{ m.voiz }} {{ loop.index }}{% endfor %}"
            ],
        ],
    )
    found = codes(path, variables)
    assert [p.message.split("« ")[1].split(" »")[0] for p in found["unknown_variable"]] == ["m.voiz"]


def test_verifier_finds_unclosed_and_stray_blocks(tmp_path: Path) -> None:
    path = make_template(
        tmp_path / "t.docx",
        [
            ["Début"],
            ["{% if membre.id %}Le membre {{ membre.id }}"],
            ["Fin du texte"],
        ],
    )
    problem = codes(path)["unclosed_block"][0]
    assert problem.paragraph == "{% if membre.id %}Le membre {{ membre.id }}"
    assert "{% endif %}" in problem.message
    path = make_template(tmp_path / "u.docx", [["{% for x in membre.id %}x{% endif %}"], ["{% endfor %}"]])
    assert "unclosed_block" in codes(path) or "stray_end" in codes(path)
    path = make_template(tmp_path / "v.docx", [["texte {% endif %}"]])
    assert codes(path)["stray_end"][0].paragraph == "texte {% endif %}"


def test_verifier_finds_unclosed_tags_braces_and_syntax_errors(tmp_path: Path) -> None:
    path = make_template(
        tmp_path / "t.docx",
        [
            ["{{ membre.structure }"],
            ["{ { membre.id } }"],
            ["Bonjour {membre.representant}"],
        ],
    )
    found = codes(path)
    assert found["unclosed_tag"][0].paragraph == "{{ membre.structure }"
    assert found["spaced_braces"][0].paragraph == "{ { membre.id } }"
    assert found["single_brace"][0].severity == "avertissement"
    path = make_template(tmp_path / "u.docx", [["Texte"], ["{{ membre.structure | | upper }}"], ["Fin"]])
    assert list(codes(path)) == ["syntax"]
    assert codes(path)["syntax"][0].paragraph == "{{ membre.structure | | upper }}"


def test_verifier_reports_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "t.docx"
    path.write_bytes(b"PK\x03\x04 pas vraiment un zip")
    report = verify_template(path, SIMPLE_VARS)
    assert [p.code for p in report.problems] == ["unreadable_file"]


def test_the_shipped_templates_pass_the_verifier(tmp_path: Path) -> None:
    """Every template in templates/, the report's style template included, passes the verifier."""
    result = verify_templates(DocumentsSettings(templates=TEMPLATES))
    assert [(r.name, [p.message for p in r.problems]) for r in result.reports] == [
        (name, []) for name in catalogue.TEMPLATE_FILES.values()
    ] + [("rapport.docx", []), ("reglement_interieur.docx", [])]


def test_verify_templates_reports_missing_and_unknown_templates(tmp_path: Path) -> None:
    shutil.copy(TEMPLATES / "charte.docx", tmp_path / "charte.docx")
    make_template(tmp_path / "autre.docx", [["{{ quoi }}"]])
    (tmp_path / "~$arte.docx").write_bytes(b"Word lock file")
    result = verify_templates(DocumentsSettings(templates=tmp_path))
    by_name = {r.name: r for r in result.reports}
    assert not result.ok and by_name["charte.docx"].ok
    assert by_name["convention.docx"].problems[0].code == "missing"
    assert [p.code for p in by_name["autre.docx"].problems] == ["unknown_template"]
    assert "~$arte.docx" not in by_name
    assert result.as_dict()["errors"] == 6  # convention, registre_charte, recu, emargement, facture, avoir


def test_variables_listing(tmp_path: Path) -> None:
    listing = template_variables("convention", DocumentsSettings(templates=TEMPLATES))
    by_path = {v.path: (v, used) for v, used in listing.variables}
    assert by_path["membre.titre_signature"][1] is True
    assert by_path["membre.telephone"][1] is False
    assert by_path["membre.structure"][0].tag == "{{ membre.structure }}"
    emargement = template_variables("emargement.docx", DocumentsSettings(templates=TEMPLATES))
    voix = next(v for v, _ in emargement.variables if v.path == "membres[].voix")
    assert voix.tag == "{{ x.voix }} (dans {% for x in membres %})"
    with pytest.raises(TemplateError, match="Modèle inconnu.*convention, charte"):
        template_variables("devis", DocumentsSettings(templates=TEMPLATES))
    filters = {f["name"]: f for f in cast(list[dict[str, str]], listing.as_dict()["filters"])}
    assert set(filters) == {"de", "a", "majuscule"}
    assert "du Comptoir du Vinyle" in filters["de"]["example"]


# --------------------------------------------------------------------------- contexts


def leaf_paths(value: object, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        out: set[str] = set()
        for key, item in value.items():
            out |= leaf_paths(item, f"{prefix}.{key}" if prefix else key)
        return out
    if isinstance(value, list):
        out = {prefix}
        for item in value:
            out |= leaf_paths(item, f"{prefix}[]")
        return out
    return {prefix}


def documented(name: str) -> set[str]:
    return {v.path for v in catalogue.VARIABLES[name]}


def test_french_typography() -> None:
    assert typography.french_typography("Note : voir « ici » ; oui ! non ? n° 3 http://x.fr 18:30") == (
        f"Note{NBSP}: voir «{NBSP}ici{NBSP}»{NBSP}; oui{NBSP}! non{NBSP}? n°{NBSP}3 http://x.fr 18:30"
    )
    assert typography.money(1234.5) == f"1\u202f234,50{NBSP}€"
    assert typography.long_date(dt.date(2025, 3, 4)) == f"4{NBSP}mars 2025"
    assert typography.long_date(dt.date(2024, 7, 1)) == f"1er{NBSP}juillet 2024"
    assert typography.siret_text("68372141900110") == f"683{NBSP}721{NBSP}419{NBSP}00110"


def test_every_documented_variable_is_in_the_contexts_and_nothing_else() -> None:
    from automations.model.rows import BoardMember, Member, Occupation, Premises
    from automations.rules.fees import Fee, FeeLine

    day = dt.date(2025, 3, 4)
    settings = AssociationSettings()
    board = [BoardMember(row=2, name="Juliette Texier", civility="Mme", function="Président·e")]
    association = pieces.association_context(settings, board, day)
    document = pieces.document_context(settings, day)
    member = Member(
        row=2,
        id="M0001",
        structure="S",
        contact="C",
        email="e@x.fr",
        category="hébergé",
        charter_signed_on=day,
        paid_on=day,
    )
    fee = Fee(
        day,
        ctx.Decimal(100),
        ctx.Decimal(20),
        ctx.Decimal(20),
        ctx.Decimal(120),
        (FeeLine("Cotisation", ctx.Decimal(100)),),
        "10 m² × 10 € = 100 € HT",
    )
    contexts = {
        "convention": ctx.convention_context(
            association=association,
            member=member,
            fee=fee,
            day=day,
            rent_ht=ctx.Decimal(250),
            rent_vat_percent=ctx.Decimal(20),
            occupation=Occupation(row=2, id="C001", member_id="M0001", premises_id="L01", start=day),
            premises=Premises(row=2, id="L01", name="Bureau 1", site="Pépinière"),
        ),
        "charte": ctx.charter_context(association=association, member=member),
        "registre_charte": ctx.register_context(association=association, members=[member], day=day),
        "recu": ctx.receipt_context(
            association=association,
            member=member,
            number="2025-001",
            period_start=day,
            period_end=day,
            amount_paid=ctx.Decimal(120),
            fee=fee,
            vat_percent=ctx.Decimal(20),
            issued_on=day,
        ),
        "emargement": ctx.attendance_context(
            association=association,
            title="AG",
            day=day,
            place="Paris",
            lines=[ctx.AttendanceLine(member, 10)],
            quorum_percent=ctx.Decimal(50),
        ),
    }
    for name, context in contexts.items():
        assert leaf_paths({**context, "document": document}) == documented(name), name


def test_quorum_is_rounded_up() -> None:
    from automations.model.rows import Member

    lines = [ctx.AttendanceLine(Member(row=i, id=f"M{i}"), 5) for i in range(59)]  # 295 votes
    context = ctx.attendance_context(
        association={},
        title="AG",
        day=dt.date(2025, 6, 12),
        place="",
        lines=lines,
        quorum_percent=ctx.Decimal(50),
    )
    assert context["totaux"]["voix"] == "295" and context["totaux"]["quorum"] == "148"


# --------------------------------------------------------------------------- outputs


def test_safe_file_names_never_leave_the_folder() -> None:
    assert safe_part("../../x") == "x"
    assert safe_part("Pixel & Refrain 🎧") == "Pixel-Refrain"
    assert safe_part("Émile/..\\Ça") == "Emile-Ca"
    assert safe_part("🎧🎸") == "sans-nom"
    assert safe_part("CON") == "CON-"
    assert safe_filename("Convention", "C001", "../../etc/passwd", "2025-03-04") == (
        "Convention_C001_etc-passwd_2025-03-04.docx"
    )
    assert len(safe_part("x" * 300)) == 50


def test_an_edited_file_is_never_overwritten(tmp_path: Path) -> None:
    folder = OutputFolder(tmp_path / "out")
    day = dt.date(2025, 3, 4)
    assert folder.reason_to_write("k", "fp1", "t1") == "nouveau"
    first = folder.write(
        "k", "Doc.docx", b"v1", data_fingerprint="fp1", template_sha="t1", reason="nouveau", today=day
    )
    folder.save()
    folder = OutputFolder(tmp_path / "out")
    assert folder.reason_to_write("k", "fp1", "t1") is None
    assert folder.reason_to_write("k", "fp2", "t1") == "données modifiées"
    assert folder.reason_to_write("k", "fp1", "t2") == "modèle modifié"
    # not edited: overwritten in place
    again = folder.write(
        "k",
        "Doc.docx",
        b"v2",
        data_fingerprint="fp2",
        template_sha="t1",
        reason="données modifiées",
        today=day,
    )
    assert again.path == first.path and again.beside is None and first.path.read_bytes() == b"v2"
    # edited by a person: the new version goes beside, the edited file stays as it is
    first.path.write_bytes(b"edited by hand")
    third = folder.write(
        "k",
        "Doc.docx",
        b"v3",
        data_fingerprint="fp3",
        template_sha="t1",
        reason="données modifiées",
        today=day,
    )
    assert third.path.name == "Doc_v2.docx" and third.beside == first.path
    assert first.path.read_bytes() == b"edited by hand" and third.path.read_bytes() == b"v3"
    folder.save()
    # a file that is not ours at all (same name) is not overwritten either
    (tmp_path / "out" / "Autre.docx").write_bytes(b"someone else's")
    other = folder.write(
        "j", "Autre.docx", b"new", data_fingerprint="f", template_sha="t", reason="nouveau", today=day
    )
    assert other.path.name == "Autre_v2.docx"
    first.path.unlink()
    assert OutputFolder(tmp_path / "out").reason_to_write("k", "fp3", "t1") is None  # v2 still there


def test_receipt_numbers_are_kept_and_continue_per_year(tmp_path: Path) -> None:
    folder = OutputFolder(tmp_path)
    assert folder.receipt_number("M1|2024-05-01", 2024) == ("2024-001", True)
    assert folder.receipt_number("M2|2024-06-01", 2024) == ("2024-002", True)
    assert folder.receipt_number("M1|2025-05-01", 2025) == ("2025-001", True)
    folder.save()
    folder = OutputFolder(tmp_path)
    assert folder.receipt_number("M2|2024-06-01", 2024) == ("2024-002", False)
    assert folder.receipt_number("M3|2024-12-01", 2024) == ("2024-003", True)


def test_a_damaged_manifest_is_an_error_not_a_silent_renumbering(tmp_path: Path) -> None:
    (tmp_path / ".mila-documents.json").write_text("{ pas du json")
    with pytest.raises(Exception, match="registre des documents.*illisible"):
        OutputFolder(tmp_path)


def test_fingerprint_ignores_key_order() -> None:
    assert fingerprint({"a": 1, "b": {"c": "é"}}) == fingerprint({"b": {"c": "é"}, "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


def test_settings_sections() -> None:
    settings = AssociationSettings.model_validate(
        {"name": "MILA", "siret": "683 721 419 00110", "rent_vat_percent": "5,5", "city": "Paris"}
    )
    assert settings.siret == "68372141900110" and settings.rent_vat_percent == ctx.Decimal("5.5")
    with pytest.raises(ConfigError, match="\\[association\\] nom : clé inconnue"):
        AssociationSettings.model_validate({"nom": "MILA"})
    with pytest.raises(ConfigError, match="14 chiffres"):
        AssociationSettings.model_validate({"siret": "123"})
    documents = build_settings(
        {"documents": {"out": "sortie", "pdf_timeout": 60}}, env={}, base=Path("/srv/mila")
    ).documents
    assert documents.out == Path("/srv/mila/sortie") and documents.pdf_timeout == 60.0
    assert build_settings({}, env={}, base=Path("/srv")).documents.templates == TEMPLATES
    with pytest.raises(ConfigError, match="pdf_timeout"):
        DocumentsSettings.model_validate({"pdf_timeout": -1})


# --------------------------------------------------------------------------- PDF


@pytest.mark.slow
def test_pdf_conversion_with_libreoffice(tmp_path: Path) -> None:
    """LibreOffice is installed by .ci/run: its absence is a failure here, not a skip."""
    try:
        find_soffice()
    except PdfUnavailable as exc:
        pytest.fail(f"LibreOffice (soffice) is required for this test, .ci/run installs it: {exc}")
    template = DocumentTemplate(TEMPLATES / "charte.docx")
    association = pieces.association_context(AssociationSettings(), [], dt.date(2025, 3, 4))
    from automations.model.rows import Member

    member = Member(
        row=2,
        id="M0001",
        structure="Pixel & Refrain 🎧",
        contact="Léa Morel",
        email="l@x.fr",
        category="bénéficiaire",
    )
    context = {
        **ctx.charter_context(association=association, member=member),
        "document": pieces.document_context(AssociationSettings(), dt.date(2025, 3, 4)),
    }
    source = tmp_path / "Charte.docx"
    source.write_bytes(template.render(context))
    produced = convert_to_pdf([source], timeout=120)
    try:
        pdf = produced[source]
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and len(data) > 10_000
        if shutil.which("pdftotext"):
            import subprocess

            text = subprocess.run(
                ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True
            ).stdout.decode()
            assert "Charte des valeurs communes" in text and "Pixel & Refrain" in text
            assert re.search(r"Page 1 sur [34]", text)
    finally:
        cleanup_conversion(produced)


def test_missing_libreoffice_is_a_clear_french_error() -> None:
    with pytest.raises(PdfUnavailable, match="LibreOffice est introuvable.*libreoffice-writer-nogui"):
        find_soffice("soffice-qui-n-existe-pas")
