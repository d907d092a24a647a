"""The annual activity report as a Word document, from a :class:`ReportData`.

:func:`write_report` opens ``templates/rapport.docx`` (the Word file staff restyle, see
``report.word``), empties its body and writes, with its styles, a cover page, a table of
contents, then the sections (``report.sections``), the staff's paragraphs of ``Textes`` at
the top of theirs. The table of contents is a real
TOC field whose shown result lists the headings, each a link to its heading, with its page
number when the job could lay the document out with LibreOffice (``toc_pages``); without
them, the field is marked dirty and ``updateFields`` set, so that Word computes them.

The header says the association and the year; the footer « Page X sur Y » (PAGE and
NUMPAGES fields); the cover has neither. Same data, same template, same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from . import sections
from .data import Compared, ReportData
from .french import NBSP, Number, Runs, long_date, num, staff_blocks, typeset
from .runs import (
    ST_ALIGN,
    W_JC,
    W_KEEPNEXT,
    W_SECTPR,
    W_VAL,
    add_text,
    paragraph_element,
    table_element,
)
from .word import (
    ASSOCIATION_TOKEN,
    TABLE_STYLE,
    YEAR_TOKEN,
    border,
    child,
    content_width,
    open_template,
    to_bytes,
)

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT

ChartData = tuple[Sequence[str], Sequence[Sequence[str]], Sequence[float]]  # header, rows, widths (cm)


# --------------------------------------------------------------------------- result


@dataclass
class Rendered:
    """The document's bytes and what it holds, for the job's summary."""

    data: bytes
    sections: list[str] = field(default_factory=list)  # titles, in order
    toc: list[str] = field(default_factory=list)  # the entries of the table of contents, in order
    omitted: list[str] = field(default_factory=list)  # French: sections left out, and why
    charts: int = 0
    tables: int = 0
    chart_captions: list[str] = field(default_factory=list)  # every chart the report holds (or would)


def write_report(
    data: ReportData,
    *,
    association: str,
    template: Path | None = None,
    with_charts: bool = True,
    toc_pages: Sequence[int] | None = None,
) -> Rendered:
    """The report as .docx bytes (deterministic for given data and template).

    ``toc_pages``: the page of each entry of the table of contents, in order, as a layout
    engine found them (``jobs.report`` asks LibreOffice); without them, the TOC field is
    marked for Word to update when the document opens."""
    return DocumentWriter(data, association, template, with_charts, toc_pages).render()


class DocumentWriter:
    """The document being written: its frame (cover, contents, header) and the blocks the
    sections are made of (headings, paragraphs, lists, tables, charts), in the template's
    styles. ``report.sections`` says what goes in each section."""

    def __init__(
        self,
        data: ReportData,
        association: str,
        template: Path | None,
        with_charts: bool,
        toc_pages: Sequence[int] | None = None,
    ) -> None:
        self.d = data
        self.toc_pages = list(toc_pages) if toc_pages else None
        self.name = association.strip() or "MILA"
        self.with_charts = with_charts
        self.doc = open_template(template)
        self.result = Rendered(b"")
        self.toc: list[tuple[int, str, str]] = []  # (level, text, bookmark)
        self.bookmarks = 0
        self.section_number = 0
        self.sub_number = 0
        self.letter = 0
        self.first_heading = True
        self._style_ids: dict[str, str] = {}
        self.chart_data: list[tuple[str, ChartData]] = []
        self.annexes: list[tuple[str, str, ChartData]] = []  # (title, intro, table): long lists

    # ------------------------------------------------------------------ frame

    def render(self) -> Rendered:
        self._clear_body()
        self._header_tokens()
        self._cover()
        marker = self._toc_start()
        sections.write_all(self)
        self._toc_entries(marker)
        self._settings()
        self.result.data = to_bytes(self.doc, dt.datetime.combine(self.d.today, dt.time()))
        return self.result

    def _clear_body(self) -> None:
        body = self.doc.element.body
        for element in list(body):
            if element.tag != qn("w:sectPr"):
                body.remove(element)

    def _header_tokens(self) -> None:
        values = {ASSOCIATION_TOKEN: self.name, YEAR_TOKEN: str(self.d.year)}
        for section in self.doc.sections:
            for part in (
                section.header,
                section.footer,
                section.first_page_header,
                section.first_page_footer,
                section.even_page_header,
                section.even_page_footer,
            ):
                if part.is_linked_to_previous and part is not section.header and part is not section.footer:
                    continue
                for paragraph in part.paragraphs:
                    _replace_tokens(paragraph, values)

    def _settings(self) -> None:
        settings = self.doc.settings.element
        if not self.toc_pages:  # no page numbers yet: Word computes them on opening
            child(settings, "w:updateFields", **{"w:val": "true"})
        props = self.doc.core_properties
        props.title = f"Rapport d'activité {self.d.year}"
        props.subject = f"{self.name} – rapport d'activité {self.d.year}"
        props.author = props.last_modified_by = self.name
        props.language = "fr-FR"
        props.comments = "Généré par « mila docs rapport »."
        props.created = props.modified = dt.datetime.combine(self.d.today, dt.time())
        props.revision = 1

    def _cover(self) -> None:
        d = self.d
        self.para("", "Normal").paragraph_format.space_before = Pt(150)
        self.para(self.name, "Couverture")
        title = self.para("Rapport d'activité", "Title")
        title.paragraph_format.space_before = Pt(6)
        year = self.para(str(d.year), "Title")
        year.runs[0].font.size = Pt(54)
        year.paragraph_format.space_after = Pt(14)
        border(year, "bottom", color="3D8A8A", size=12, space=10)
        if d.partial:
            period = f"Du 1er{NBSP}janvier au {long_date(d.as_of)} (année en cours)"
        else:
            period = f"Exercice du 1er{NBSP}janvier au 31{NBSP}décembre {d.year}"
        self.para(period, "Subtitle").paragraph_format.space_before = Pt(10)
        note = self.para(f"Document établi le {long_date(d.today)}.", "Note")
        note.paragraph_format.space_before = Pt(250)

    def _toc_start(self) -> Paragraph:
        heading = self.para("Sommaire", "TOC Heading")
        heading.paragraph_format.page_break_before = True
        return self.para("", "TOC 1")

    def _toc_entries(self, marker: Paragraph) -> None:
        """The TOC field: its cached result lists the headings (links to their bookmarks);
        Word recomputes it, page numbers included, when the document opens."""
        entries = [e for e in self.toc if e[0] <= 2]
        self.result.toc = [text for _, text, _ in entries]
        pages = self.toc_pages if self.toc_pages and len(self.toc_pages) == len(entries) else None
        for n, (level, text, bookmark) in enumerate(entries):
            p = self.new_paragraph(f"TOC {level}")
            if n == 0:
                _field_char(p, "begin", dirty=pages is None)
                _instr(p, ' TOC \\o "1-2" \\h \\z \\u ')
                _field_char(p, "separate")
            link = OxmlElement("w:hyperlink")
            link.set(qn("w:anchor"), bookmark)
            link.set(qn("w:history"), "1")
            run = OxmlElement("w:r")
            t = OxmlElement("w:t")
            t.set(qn("xml:space"), "preserve")
            t.text = text
            run.append(t)
            link.append(run)
            if pages is not None:
                tab_run = OxmlElement("w:r")
                tab_run.append(OxmlElement("w:tab"))
                link.append(tab_run)
                number = OxmlElement("w:r")
                page = OxmlElement("w:t")
                page.text = str(pages[n])
                number.append(page)
                link.append(number)
            p._p.append(link)
            if n == len(entries) - 1:
                _field_char(p, "end")
            marker._p.addprevious(p._p)
        parent = marker._p.getparent()
        if parent is not None:  # always: the marker is a paragraph of the body
            parent.remove(marker._p)

    # ------------------------------------------------------------------ building blocks

    @cached_property
    def _table_style(self) -> str | None:
        """The ID of « Tableau MILA » (None when it is the template's default table style)."""
        return self.doc.part.get_style_id(self.doc.styles[TABLE_STYLE], WD_STYLE_TYPE.TABLE)

    def style_id(self, name: str) -> str:
        """The style ID of a style name (looked up once: python-docx scans every style)."""
        found = self._style_ids.get(name)
        if found is None:
            found = self._style_ids[name] = self.doc.styles[name].style_id
        return found

    def new_paragraph(self, style: str) -> Paragraph:
        """An empty paragraph of ``style`` at the end of the body (before its section
        properties), as python-docx's ``add_paragraph`` then ``style`` would write it."""
        p = paragraph_element(self.style_id(style))
        self._insert_block(p)
        return Paragraph(p, self.doc._body)

    def _insert_block(self, element: etree._Element) -> None:
        body = self.doc.element.body
        last = body[-1] if len(body) else None
        if last is not None and last.tag == W_SECTPR:
            last.addprevious(element)
        else:
            body.append(element)

    def para(
        self,
        content: Runs,
        style: str = "Body Text",
        *,
        keep_next: bool = False,
        align: WD_ALIGN_PARAGRAPH | None = None,
    ) -> Paragraph:
        paragraph = self.new_paragraph(style)
        pieces = [(content, "")] if isinstance(content, str) else content
        for text, flags in pieces:
            if not text:
                continue
            add_text(paragraph, once_unchanged(text), bold="b" in flags or None, italic="i" in flags or None)
        ppr = paragraph._p[0]  # new_paragraph's: only its style so far
        if keep_next:
            etree.SubElement(ppr, W_KEEPNEXT)
        if align is not None:
            etree.SubElement(ppr, W_JC).set(W_VAL, ST_ALIGN[align])
        return paragraph

    def bullets(self, items: Sequence[Runs]) -> None:
        """A list, ragged right (a justified short line would stretch its spaces); a short
        one (up to 8 items) is kept on one page."""
        for n, item in enumerate(items):
            self.para(
                item,
                "List Bullet",
                keep_next=len(items) <= 8 and n < len(items) - 1,
                align=WD_ALIGN_PARAGRAPH.LEFT,
            )

    def note(self, text: str) -> None:
        self.para(text, "Note")

    def heading(self, text: str, level: int, *, new_page: bool = False) -> None:
        paragraph = self.new_paragraph(f"Heading {level}")
        if new_page:
            paragraph.paragraph_format.page_break_before = True
        if level == 1 and self.first_heading:
            paragraph.paragraph_format.page_break_before = True
            self.first_heading = False
        self.bookmarks += 1
        name = f"_Toc{self.bookmarks:06d}"
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self.bookmarks))
        start.set(qn("w:name"), name)
        paragraph._p.append(start)
        add_text(paragraph, text)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self.bookmarks))
        paragraph._p.append(end)
        self.toc.append((level, typeset(text), name))

    def h1(self, title: str) -> None:
        """A numbered section heading (« III. Les membres »)."""
        self.section_number += 1
        self.sub_number = 0
        self.heading(f"{ROMAN[self.section_number - 1]}. {title}", 1)
        self.result.sections.append(title)

    def h2(self, title: str) -> None:
        self.sub_number += 1
        self.letter = 0
        self.heading(f"{self.sub_number}. {title}", 2)

    def h3(self, title: str) -> None:
        self.letter += 1
        self.heading(f"{LETTERS[self.letter - 1]}. {title}", 3)

    def staff_text(self, key: str) -> None:
        """The staff's paragraphs of the section without a ``Titre`` (they open it)."""
        for item in self.d.text(key):
            if item.title is None:
                self._staff_blocks(item.text)

    def staff_subsections(self, key: str) -> None:
        """The staff's paragraphs with a ``Titre``: one subsection per title, in row order."""
        titles: dict[str, list[str]] = {}
        for item in self.d.text(key):
            if item.title is not None:
                titles.setdefault(item.title, []).append(item.text)
        for title, texts in titles.items():
            self.h2(title)
            for text in texts:
                self._staff_blocks(text)

    def _staff_blocks(self, text: str) -> None:
        for block in staff_blocks(text):
            if isinstance(block, list):
                self.bullets(block)
            else:
                self.para(block)

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        numeric: Sequence[int] = (),
        bold_last: bool = False,
        header_pt: float | None = None,
        bold_rows: Sequence[int] = (),
    ) -> Table | None:
        """A « Tableau MILA » table; nothing at all when there are no rows. ``bold_rows``:
        the indexes (in ``rows``) of subtotal rows."""
        if not rows:
            return None
        tbl = table_element(
            header,
            rows,
            widths,
            style=self._table_style,
            cell_style=self.style_id("Tableau"),
            numeric=numeric,
            bold_last=bold_last,
            bold_rows=bold_rows,
            header_pt=header_pt,
        )
        self._insert_block(tbl)
        t = Table(tbl, self.doc._body)
        self.result.tables += 1
        spacer = self.new_paragraph("Normal")
        spacer.paragraph_format.space_after = Pt(6)
        spacer.paragraph_format.line_spacing = Pt(6)
        return t

    def chart(self, draw: Callable[[], bytes], caption: str, data: ChartData | None = None) -> None:
        """A chart and its caption; its figures (``data``: header, rows, widths) go to the
        annex of chart data, so that a board member can rebuild or restyle it in Word."""
        self.result.chart_captions.append(caption)
        if not self.with_charts:
            return
        if data is not None:
            self.chart_data.append((caption, data))
            caption += " (données en annexe)"
        png = draw()
        self.doc.add_picture(io.BytesIO(png), width=min(Cm(16.0), content_width(self.doc)))
        picture = self.doc.paragraphs[-1]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        picture.paragraph_format.space_before = Pt(6)
        for doc_pr in picture._p.iter(qn("wp:docPr")):
            doc_pr.set("descr", caption)
        self.para(caption, "Caption")
        self.result.charts += 1

    def to_annex(self, title: str, intro: str, table: ChartData) -> str:
        """A long list (a table) moved to an annex of its own; returns the annex's title, for
        the sentence that refers to it."""
        self.annexes.append((title, intro, table))
        return title

    # ------------------------------------------------------------------ comparisons

    @property
    def prev(self) -> int:
        return self.d.previous_year

    def versus(self, c: Compared, fmt: Callable[[Number], str] = num, zero: str = "aucun") -> str:
        """`` (versus 13 en 2023)`` as the reports write it; `` (aucune en 2023)`` (``zero``
        agrees with the noun counted); `` (comme en 2023)`` for an unchanged figure; nothing
        without a comparison, or when both years are zero."""
        if c.previous is None or (c.previous == 0 and c.value == 0):
            return ""
        if c.previous == c.value:
            return f" (comme en {self.prev})"
        if c.previous == 0:
            return f" ({zero} en {self.prev})"
        return f" (versus {fmt(c.previous)} en {self.prev})"

    def versus_end(self, c: Compared) -> str:
        if c.previous is None:
            return ""
        if c.previous == c.value:
            return f" (comme au 31{NBSP}décembre {self.prev})"
        return f" (versus {num(c.previous)} au 31{NBSP}décembre {self.prev})"

    def versus_both(self, n: Compared, n_zero: str, s: Compared, s_zero: str = "aucune") -> tuple[str, str]:
        """The comparisons of a count and of its structures; an unchanged pair says so once."""
        if n.previous is not None and n.previous == n.value and s.previous == s.value:
            return "", self.versus(s, zero=s_zero)
        return self.versus(n, zero=n_zero), self.versus(s, zero=s_zero)

    @property
    def end_label(self) -> str:
        """``au 31 décembre 2025`` or, for the year in progress, ``au 23 novembre 2026``."""
        return f"au {long_date(self.d.as_of)}"

    def omit(self, title: str, why: str) -> None:
        """Record a section left out, and why (French)."""
        self.result.omitted.append(f"« {title} » : {why}")


# --------------------------------------------------------------------------- text

_UNCHANGED = re.compile(r" \(comme en (\d{4})\)")


def once_unchanged(text: str) -> str:
    """At most one « (comme en 2024) » per sentence: a later one in the same sentence
    becomes « (idem) »."""
    sentences = re.split(r"(?<=[.!?:;])(\s+)", text)
    out = []
    for sentence in sentences:
        seen = False

        def repeat(match: re.Match[str]) -> str:
            nonlocal seen
            if seen:
                return " (idem)"
            seen = True
            return match.group(0)

        out.append(_UNCHANGED.sub(repeat, sentence))
    return "".join(out)


# --------------------------------------------------------------------------- XML


def _field_char(paragraph: Paragraph, kind: str, dirty: bool = False) -> None:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    if dirty:
        element.set(qn("w:dirty"), "true")
    paragraph.add_run()._r.append(element)


def _instr(paragraph: Paragraph, code: str) -> None:
    element = OxmlElement("w:instrText")
    element.set(qn("xml:space"), "preserve")
    element.text = code
    paragraph.add_run()._r.append(element)


def _replace_tokens(paragraph: Paragraph, values: dict[str, str]) -> None:
    if not any(token in paragraph.text for token in values):
        return
    for run in paragraph.runs:
        for token, value in values.items():
            if token in run.text:
                run.text = run.text.replace(token, value)
    if any(token in paragraph.text for token in values):  # a token split across runs by an edit
        text = paragraph.text
        for token, value in values.items():
            text = text.replace(token, value)
        runs = paragraph.runs
        runs[0].text = text
        for run in runs[1:]:
            run.text = ""
