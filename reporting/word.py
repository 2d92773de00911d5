"""Every Word document the product writes starts here: its properties, its type, and text Word can hold.

The documents hold plain text only (no macros, hyperlinks or images, and no fields but the page numbers in their
footers, which Word counts itself), so nothing in them runs or calls out when opened.
"""

from __future__ import annotations

import re

# Characters XML 1.0 cannot hold (control characters other than tab and newlines): dropped, never passed to Word.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# The type of every Word document the product writes: its pages' and its PDFs' (Arial, or its metric twin Liberation
# Sans), in place of the Word template's theme fonts (Cambria for the text, Calibri for headings).
WORD_FONT = "Arial"
_THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")

# The paper every Word document is laid out on: A4 with 2.54 cm margins, as Word sets it in the UK and as the PDFs are
# printed (the Word template's own is US Letter, which a UK printer asks to swap for). It leaves 15.9 cm for the text.
A4_MM = (210, 297)
MARGIN_MM = 25.4


def clean_text(text: str) -> str:
    """The text without the characters a Word document cannot hold."""
    return _NOT_XML.sub("", text)


def word_document(title: str, author: str = ""):
    """A new A4 Word document with its title (and author) in its properties, its text and headings in WORD_FONT."""
    from docx import Document  # a heavy library, loaded at the first document rather than at every start-up
    from docx.oxml.ns import qn
    from docx.shared import Mm

    document = Document()
    for section in document.sections:
        section.page_width, section.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(MARGIN_MM)
        _page_numbers(section.footer.paragraphs[0])
    document.core_properties.title = clean_text(title)[:255]
    if author:
        document.core_properties.author = clean_text(author)[:255]
    # A theme font outranks a named one, so each is taken off where the template sets it (its defaults and its styles).
    for fonts in document.styles.element.iter(qn("w:rFonts")):
        for theme in _THEME_FONTS:
            fonts.attrib.pop(qn(theme), None)
        for script in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(script), WORD_FONT)
    document.styles["Normal"].font.name = WORD_FONT
    return document


def _page_numbers(paragraph) -> None:
    """ "Page 2 of 7" at the foot of every page, as the PDFs number theirs: printed copies are read in meetings."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for text, field in (("Page ", "PAGE"), (" of ", "NUMPAGES")):
        paragraph.add_run(text)
        number = OxmlElement("w:fldSimple")
        number.set(qn("w:instr"), field)
        shown = OxmlElement("w:r")
        placeholder = OxmlElement("w:t")
        placeholder.text = "1"
        shown.append(placeholder)
        number.append(shown)
        paragraph._p.append(number)
