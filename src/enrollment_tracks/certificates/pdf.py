"""The certificate as a PDF (ReportLab), with a QR code that opens its verify page.

Text is drawn as text, never parsed as markup, so names and titles holding HTML or script
appear literally.
"""

from __future__ import annotations

import io
import itertools

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen.canvas import Canvas

from enrollment_tracks.certificates.rendering import CertificateView

PAGE = landscape(A4)
QR_SIZE = 32 * mm


def _centred(canvas: Canvas, text: str, y: float, font: str, size: int, width: float) -> float:
    canvas.setFont(font, size)
    for line in simpleSplit(text, font, size, width):
        canvas.drawCentredString(PAGE[0] / 2, y, line)
        y -= size * 1.3
    return y


def _image(canvas: Canvas, path: str | None, x: float, y: float, w: float, h: float) -> None:
    if not path:
        return
    try:
        canvas.drawImage(
            ImageReader(path), x, y, w, h, preserveAspectRatio=True, anchor="c", mask="auto"
        )
    except OSError:  # a missing or unreadable file leaves the space empty
        return


def _qr_code(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """The QR code of ``data`` as filled rectangles, one per run of dark modules in a row."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(data)
    code.make()
    count = code.getModuleCount()
    border = 2
    box = size / (count + 2 * border)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for r, row in enumerate(code.modules):
        c = 0
        for dark, run in itertools.groupby(bool(cell) for cell in row):
            length = len(list(run))
            if dark:
                top = y + size - (r + border + 1) * box
                path.rect(x + (c + border) * box, top, length * box, box)
            c += length
    canvas.drawPath(path, stroke=0, fill=1)


def certificate_pdf(view: CertificateView, verify_url: str, *, compress: bool = True) -> bytes:
    """One landscape A4 page: organisation, title, learner, course, track, grade, date,
    signatories, validity and the QR code of ``verify_url`` (the absolute verify page URL)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE, pageCompression=1 if compress else 0)
    canvas.setTitle(f"{view.title}: {view.learner_name}")
    canvas.setAuthor(view.organisation_name)
    width, height = PAGE
    text_width = width - 60 * mm
    canvas.setLineWidth(2)
    canvas.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)
    _image(canvas, view.logo_path, width / 2 - 20 * mm, height - 45 * mm, 40 * mm, 25 * mm)
    y = height - 55 * mm
    y = _centred(canvas, view.organisation_name, y, "Helvetica", 14, text_width)
    y = _centred(canvas, view.title, y - 4 * mm, "Helvetica-Bold", 28, text_width)
    y = _centred(canvas, "awarded to", y - 2 * mm, "Helvetica-Oblique", 12, text_width)
    y = _centred(canvas, view.learner_name, y - 2 * mm, "Helvetica-Bold", 24, text_width)
    course = f"for completing {view.course_title} ({view.course_key}), {view.track_name} track"
    y = _centred(canvas, course, y - 2 * mm, "Helvetica", 13, text_width)
    if view.description:
        y = _centred(canvas, view.description, y - 2 * mm, "Helvetica", 11, text_width)
    facts = f"Issued {view.issued_at:%d %B %Y}"
    if view.grade is not None:
        facts += f" · grade {view.grade} %"
    y = _centred(canvas, facts, y - 2 * mm, "Helvetica", 11, text_width)
    if not view.is_valid:
        canvas.setFillColorRGB(0.7, 0, 0)
        _centred(
            canvas,
            "REVOKED: this certificate is no longer valid.",
            y - 4 * mm,
            "Helvetica-Bold",
            16,
            text_width,
        )
        canvas.setFillColorRGB(0, 0, 0)
    count = len(view.signatories)
    for index, signatory in enumerate(view.signatories):
        x = 20 * mm + (width - 80 * mm) * (index + 0.5) / max(count, 1)
        _image(canvas, signatory.signature_path, x - 20 * mm, 38 * mm, 40 * mm, 15 * mm)
        canvas.line(x - 25 * mm, 36 * mm, x + 25 * mm, 36 * mm)
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawCentredString(
            x, 31 * mm, simpleSplit(signatory.name, "Helvetica-Bold", 10, 50 * mm)[0]
        )
        canvas.setFont("Helvetica", 9)
        canvas.drawCentredString(
            x, 26 * mm, simpleSplit(signatory.title, "Helvetica", 9, 50 * mm)[0]
        )
    _qr_code(canvas, verify_url, width - 15 * mm - QR_SIZE, 15 * mm, QR_SIZE)
    canvas.setFont("Helvetica", 7)
    canvas.drawRightString(width - 15 * mm, 13 * mm, f"Verify: {verify_url}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
