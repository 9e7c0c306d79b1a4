"""Read a scanned payment document (SPM or invoice): OCR with Tesseract, then fields, checked.

Steps: load the file (PNG, JPEG, or PDF pages rasterised with pypdfium2) -> grayscale, scale to
about 150 dpi, deskew by a projection-profile search (+-6 degrees), median filter against specks
-> Tesseract (``lang="ind+eng"``, one uniform block, words with confidences) -> lines -> fields
found by their labels (``Nomor``, ``Tanggal``, ``Satuan Kerja``, ``Kode Akun``, ``Jumlah``,
``Terbilang``, ``Penerima``; wrapped values continue on the next lines) -> values cleaned of
typical OCR confusions (``O``/``0``, ``l``/``1``, ``S``/``5``) -> checked against reference data
(chart of accounts, the satker directory when one is given, real dates) and against each other
(figures = words, the amount and account in the detail table, the satker in the SPM number).

:func:`recognize` returns a JSON-able dict; :func:`to_priority_case` turns it into the SPM
fields the priority model (``treasury.ml.priority``, another product, not imported here) reads.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError
from rapidfuzz import fuzz, process

from treasury.assistant.ocr.render import MONTHS_ID, spending_accounts
from treasury.assistant.ocr.terbilang import MAX_AMOUNT, VOCABULARY, to_number, to_words

#: Tesseract languages and page segmentation (6: one uniform block of text, keeps label rows);
#: no second pass looking for white-on-black text (none on these documents; ~8% faster).
LANG = "ind+eng"
TESSERACT_CONFIG = "--psm 6 -c tessedit_do_invert=0"
#: Pages read from one PDF at most, and the longest side of a rasterised PDF page (pixels).
MAX_PAGES = 3
MAX_PIXELS_SIDE = 2600
#: The most pixels an uploaded image may have (an A4 page at 600 dpi is ~35 million).
MAX_IMAGE_PIXELS = 40_000_000
FIELDS = ("nomor_dokumen", "tanggal", "kode_satker", "kode_akun", "nilai", "terbilang", "penerima")
PAYMENT_KINDS = ("LS", "UP", "GUP", "TUP")
#: Label -> the field whose value follows it on the line.
LABELS = {
    "nomor": "nomor_dokumen",
    "no. invoice": "nomor_dokumen",
    "tanggal": "tanggal",
    "satuan kerja": "satker",
    "kode akun": "akun",
    "jenis pembayaran": "jenis_pembayaran",
    "penerima": "penerima",
    "jumlah": "jumlah",
    "terbilang": "terbilang_text",
    "uraian": "uraian",
}
_TABLE_HEADER = "akun uraian nilai"
_FIGURES = re.compile(r"\d{1,3}(?:\.\d{3})+")
#: Fields whose value may wrap, and how many continuation lines they take at most.
_CONTINUED = {"satker": 1, "akun": 1, "terbilang_text": 2, "penerima": 1, "uraian": 1}
_SEPARATOR = re.compile(r"^[\s:;.,\-–—>=_~|'\"*]+")
_DIGIT_FIX = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "i": "1"})
_DIGIT_FIX2 = str.maketrans({"|": "1", "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "G": "6"})
_SPM_NUMBER = re.compile(r"(\d{7})/(\d{6})/(\d{4})")
_INVOICE_NUMBER = re.compile(r"INV/(\d{4})/(\d{2})/(\d{5})")

SatkerLookup = Callable[[str], str | None]


class UnsupportedFile(ValueError):
    """The bytes are not a PNG, JPEG or PDF this module can open."""


@dataclass
class Line:
    """One OCR line: its words with confidences (0-100) and its position."""

    words: list[tuple[str, float]]
    top: int

    @property
    def text(self) -> str:
        """The words joined by spaces."""
        return " ".join(w for w, _ in self.words)


@dataclass
class Found:
    """A field's raw text as read and the mean OCR confidence of its words (0-1)."""

    text: str
    confidence: float
    extra: list[str] = field(default_factory=list)
    guessed: bool = False


# -- loading and cleaning the image ----------------------------------------------------------


def file_kind(data: bytes) -> str | None:
    """``png``, ``jpeg`` or ``pdf`` from the file's first bytes; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    return None


def load_pages(data: bytes, max_pages: int = MAX_PAGES) -> list[Image.Image]:
    """The pages of a PNG, JPEG or PDF file as grayscale images (PDF rasterised at 150 dpi)."""
    kind = file_kind(data)
    if kind is None:
        raise UnsupportedFile("not a PNG, JPEG or PDF file")
    if kind == "pdf":
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise UnsupportedFile(f"the PDF cannot be opened: {exc}") from None
        try:
            pages = []
            for index in range(min(len(pdf), max_pages)):
                page = pdf[index]
                width, height = page.get_size()
                scale = min(150 / 72, MAX_PIXELS_SIDE / max(width, height, 1))
                bitmap = page.render(scale=scale, grayscale=True)
                pages.append(bitmap.to_pil().convert("L"))
        finally:
            pdf.close()
        if not pages:
            raise UnsupportedFile("the PDF has no pages")
        return pages
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise UnsupportedFile(
                f"the image has {image.width}x{image.height} pixels; scan at 150-300 dpi "
                f"(at most {MAX_IMAGE_PIXELS // 1_000_000} million pixels)"
            )
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UnsupportedFile(f"the image cannot be opened: {exc}") from None
    return [ImageOps.exif_transpose(image).convert("L")]


def _normalise_size(image: Image.Image) -> Image.Image:
    """Scale so the page is about 1240-1800 pixels wide (150 dpi A4), the text size we read."""
    width = image.width
    if width > 1900:
        factor = 1500 / width
    elif width < 900:
        factor = min(3.0, 1240 / width)
    else:
        return image
    size = (round(image.width * factor), round(image.height * factor))
    return image.resize(size, Image.Resampling.LANCZOS)


def skew_angle(image: Image.Image, limit: float = 6.0) -> float:
    """The rotation (degrees, counter-clockwise) of the text lines, by projection profiles.

    Text rows are sharpest (highest variance of dark pixels per row) when the page is straight;
    search coarse steps of 0.5 degrees, then 0.1 around the best.
    """
    small = image.copy()
    small.thumbnail((700, 1000))
    ink = ImageOps.invert(ImageOps.autocontrast(small))
    array = np.asarray(ink, dtype=np.float32)
    ink = Image.fromarray(np.where(array > 110, 255, 0).astype(np.uint8), "L")

    def score(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST), np.float32)
        return float(np.var(rows.sum(axis=1)))

    coarse = np.arange(-limit, limit + 0.01, 0.5)
    best = float(max(coarse, key=score))
    fine = np.arange(best - 0.4, best + 0.41, 0.1)
    return -float(max(fine, key=score))


def noise_level(image: Image.Image) -> float:
    """Mean absolute difference between the image and its median-filtered self (0-255)."""
    small = image.copy()
    small.thumbnail((800, 1100))
    a = np.asarray(small, np.float32)
    b = np.asarray(small.filter(ImageFilter.MedianFilter(3)), np.float32)
    return float(np.abs(a - b).mean())


def prepare(image: Image.Image) -> tuple[Image.Image, float]:
    """The page ready for Tesseract (scaled, straightened, cleaned) and its skew angle."""
    page = _normalise_size(image.convert("L"))
    angle = skew_angle(page)
    if abs(angle) >= 0.15:
        # fill the new corners with the paper's own shade (the median pixel), so a grey scan
        # does not get white corners that would throw Tesseract's global threshold off
        paper = int(np.median(np.asarray(page)))
        page = page.rotate(-angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=paper)
    noise = noise_level(page)
    if noise > 2.0:
        page = page.filter(ImageFilter.MedianFilter(3))
    if noise > 8.5:  # heavy grain: a second pass (a 5x5 median would eat thin strokes)
        page = page.filter(ImageFilter.MedianFilter(3))
    page = ImageOps.autocontrast(page, cutoff=1)
    return page, angle


def ocr_lines(page: Image.Image) -> list[Line]:
    """Tesseract's words on the page grouped into lines, top to bottom."""
    import pytesseract

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    data = pytesseract.image_to_data(
        page, lang=LANG, config=TESSERACT_CONFIG, output_type=pytesseract.Output.DICT
    )
    lines: dict[tuple[int, int, int], Line] = {}
    for i, word in enumerate(data["text"]):
        word = word.strip()
        conf = float(data["conf"][i])
        if not word or conf < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        line = lines.setdefault(key, Line([], int(data["top"][i])))
        line.words.append((word, conf))
    return sorted(lines.values(), key=lambda line: line.top)


# -- finding the labelled values -------------------------------------------------------------


def _label_of(line: Line) -> tuple[str | None, Line]:
    """The field a line starts with (by a fuzzy match of its first words) and the rest."""
    words = line.words
    while words and not re.search(r"[A-Za-z0-9]", words[0][0]):
        words = words[1:]  # specks read as punctuation before the label
    found = _label_at(words, line.top)
    if found[0] is None and len(words) > 2 and len(words[0][0]) <= 2:
        found = _label_at(words[1:], line.top)  # a speck read as a letter or digit
    return found if found[0] is not None else (None, line)


def _label_at(words: list[tuple[str, float]], top: int) -> tuple[str | None, Line]:
    for n in (2, 1):
        if len(words) < n:
            continue
        head = " ".join(w for w, _ in words[:n]).lower().rstrip(":")
        match = process.extractOne(head, list(LABELS), scorer=fuzz.ratio, score_cutoff=80)
        if match is None:
            continue
        label = str(match[0])
        if len(label.split()) != n and not (label == "no. invoice" and n == 2):
            continue
        rest = words[n:]
        while rest:  # drop the colon (and specks read around it)
            first = _SEPARATOR.sub("", rest[0][0])
            if first:
                rest = [(first, rest[0][1]), *rest[1:]]
                break
            rest = rest[1:]
        return LABELS[label], Line(rest, top)
    return None, Line(words, top)


def find_values(lines: list[Line]) -> tuple[dict[str, Found], str | None, list[Line]]:
    """Labelled values (with continuation lines), the document type, the lines after the form."""
    values: dict[str, Found] = {}
    kind: str | None = None
    current: str | None = None
    table: list[Line] = []
    for index, line in enumerate(lines):
        text = line.text
        upper = text.upper()
        if kind is None and fuzz.partial_ratio("SURAT PERINTAH MEMBAYAR", upper) >= 85:
            kind = "spm"
            continue
        if kind is None and re.search(r"TAGIHAN|INVOICE", upper) and ":" not in text:
            kind = "invoice"
            continue
        lower = re.sub(r"[^a-z ]", "", text.lower())
        header_words = {"akun", "uraian", "nilai"} & set(lower.split())
        short = len(lower.split()) <= 5  # not a label line whose value has "akun" or "nilai"
        if fuzz.ratio(_TABLE_HEADER, lower) >= 75 or (short and len(header_words) >= 2):
            table = lines[index + 1 :]
            break
        name, rest = _label_of(line)
        if name is not None and (name not in values or values[name].guessed):
            values[name] = Found(rest.text, _mean_conf(rest))
            current = name
        elif "jumlah" not in values and "/" not in text and _FIGURES.search(text):
            # the amount in figures with its label misread: a layout cue, the label's reading wins
            values["jumlah"] = Found(text, _mean_conf(line), guessed=True)
            current = "jumlah"
        elif current in _CONTINUED and text:
            found = values[current]
            if len(found.extra) < _CONTINUED[current]:
                found.extra.append(text)
    return values, kind, table


def _mean_conf(line: Line) -> float:
    if not line.words:
        return 0.0
    return round(sum(c for _, c in line.words) / len(line.words) / 100, 3)


# -- cleaning the values ---------------------------------------------------------------------


def digits_of(text: str) -> str:
    """Digits of an OCR'd number, with letters that look like digits read as digits."""
    return re.sub(r"\D", "", text.translate(_DIGIT_FIX).translate(_DIGIT_FIX2))


def parse_number(text: str) -> tuple[str | None, str | None]:
    """A document number (``0312345/428810/2024`` or ``INV/2024/03/00123``) and its type."""
    compact = re.sub(r"\s+", "", text)
    fixed = re.sub(r"[^0-9/]", lambda m: m.group(0).translate(_DIGIT_FIX), compact)
    invoice = re.search(r"[I1l|]N[VY]/([0-9OolI]{4})/([0-9OolI]{2})/([0-9OolI]{5})", compact)
    if invoice:
        parts = [digits_of(p) for p in invoice.groups()]
        if [len(p) for p in parts] == [4, 2, 5]:
            return "INV/" + "/".join(parts), "invoice"
    spm = _SPM_NUMBER.search(fixed.translate(_DIGIT_FIX2))
    if spm:
        return "/".join(spm.groups()), "spm"
    digits = digits_of(compact)
    if "INV" not in compact.upper() and len(digits) == 17:  # a slash misread: 7 + 6 + 4 digits
        return f"{digits[:7]}/{digits[7:13]}/{digits[13:]}", "spm"
    return None, None


def parse_date(text: str, others: frozenset[dt.date] = frozenset()) -> dt.date | None:
    """``12 Maret 2024`` (month names fuzzy), ``12-03-2024`` or ``2024-03-12``; None if invalid.

    A day read as two digits apart (``1 8 Juli``: an 18, or a colon read as ``2`` before
    ``8``) is read as the two-digit day when that date is among ``others`` (the same date
    elsewhere on the page, e.g. beside the signature), else as the last digit.
    """
    joined = re.sub(r"\b(\d) (\d)\b", r"\1\2", text)
    if joined != text:
        candidate = parse_date(joined)
        if candidate is not None and candidate in others:
            return candidate
    # the day must start a word: "R1 Juli" (a 2 read as R) is no date rather than the 1st
    match = re.search(r"(?<![A-Za-z0-9])([0-9OolI]{1,2})\s*([A-Za-z]{3,})\s*([0-9OolISB]{4})", text)
    try:
        if match:
            month = process.extractOne(
                match.group(2).capitalize(), MONTHS_ID, scorer=fuzz.ratio, score_cutoff=60
            )
            if month is None:
                return None
            return dt.date(
                int(digits_of(match.group(3))),
                MONTHS_ID.index(str(month[0])) + 1,
                int(digits_of(match.group(1))),
            )
        numeric = re.search(r"(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})", text)
        if numeric:
            a, b, c = (int(x) for x in numeric.groups())
            return dt.date(a, b, c) if a > 31 else dt.date(c, b, a)
    except ValueError:
        return None
    return None


def parse_figures(text: str) -> int | None:
    """``Rp 1.234.567`` (or ``1.234.567,00``) -> 1234567."""
    text = re.sub(r"^.*?R[pP]\.?", "", text).translate(_DIGIT_FIX).translate(_DIGIT_FIX2)
    match = re.search(r"\d{1,3}(?:[., ] ?\d{3})+(?!\d)", text) or re.search(r"\d+", text)
    digits = re.sub(r"\D", "", match.group(0)) if match else ""
    return int(digits) if digits and len(digits) <= 16 else None


def _code_and_name(found: Found | None, width: int) -> tuple[str | None, str]:
    if found is None:
        return None, ""
    text = " ".join([found.text, *found.extra])
    match = re.match(r"\s*([0-9OolISB|]{" + str(width) + r"})\s*[-–—:.]?\s*(.*)", text)
    if not match:
        loose = re.search(r"\d{" + str(width) + "}", text)
        return (loose.group(0), text) if loose else (None, text)
    return digits_of(match.group(1)), match.group(2).strip()


def _closest(name: str, names: Mapping[str, str], cutoff: float) -> str | None:
    """The code whose name is closest to ``name`` (token-set ratio at least ``cutoff``)."""
    if not name:
        return None
    match = process.extractOne(
        name.upper(), {k: v.upper() for k, v in names.items()}, scorer=fuzz.ratio
    )
    return str(match[2]) if match and match[1] >= cutoff else None


def _clean_payee(text: str) -> str:
    text = re.sub(r"[^A-Za-z .,'&-]", " ", text).upper()
    return re.sub(r"\s+", " ", text).strip(" .,-")


# -- the result ------------------------------------------------------------------------------


@dataclass
class Result:
    """Collects fields and problems while reading a document."""

    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[dict[str, str]] = field(default_factory=list)

    def put(self, name: str, value: Any, text: str, confidence: float, valid: bool) -> None:
        """Record a field; an invalid field counts half its OCR confidence."""
        self.fields[name] = {
            "value": value,
            "text": text,
            "confidence": round(confidence if valid else confidence / 2, 3),
            "valid": valid,
        }

    def problem(self, name: str, code: str, message: str, pesan: str) -> None:
        """Note a problem with a field, in English and Indonesian."""
        self.problems.append({"field": name, "code": code, "message": message, "pesan": pesan})


def _satker_lookup(directory: Mapping[str, str] | SatkerLookup | None) -> SatkerLookup | None:
    if directory is None or callable(directory):
        return directory
    return directory.get


def recognize(
    data: bytes,
    satker: Mapping[str, str] | SatkerLookup | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Read one document file and return fields, confidences, validity and problems.

    Parameters
    ----------
    data
        The file: PNG, JPEG or PDF (the first pages of a PDF are read until one is a document).
    satker
        Satker code -> name (a mapping or a function returning None for unknown codes) to check
        the satker against; None: only the format is checked.
    today
        Latest valid document date (default: today).

    Raises
    ------
    UnsupportedFile
        When the bytes are not a PNG, JPEG or PDF that can be opened.
    """
    started = time.perf_counter()
    pages = load_pages(data)
    best: dict[str, Any] | None = None
    for number, image in enumerate(pages, start=1):
        result = read_page(image, _satker_lookup(satker), today or dt.date.today())
        result["page"] = number
        if best is None or result["fields_found"] > best["fields_found"]:
            best = result
        if result["status"] == "ok":
            break
    assert best is not None
    best["pages"] = len(pages)
    best["seconds"] = round(time.perf_counter() - started, 3)
    return best


def read_page(image: Image.Image, satker: SatkerLookup | None, today: dt.date) -> dict[str, Any]:
    """Recognise one page image (see :func:`recognize`)."""
    page, angle = prepare(image)
    lines = ocr_lines(page)
    values, kind, table = find_values(lines)
    out = Result()
    page_dates = frozenset(
        d for d in (parse_date(line.text) for line in lines if "," in line.text) if d is not None
    )
    _number_and_date(values, out, today, page_dates)
    _satker_field(values, out, satker)
    _account_field(values, table, out)
    _amount_fields(values, table, out)
    _payee_field(values, lines, kind, out)
    _payment_kind(values, out)
    if "uraian" in values:
        found = values["uraian"]
        out.fields["uraian"] = {
            "value": " ".join([found.text, *found.extra]).strip(),
            "text": found.text,
            "confidence": found.confidence,
            "valid": True,
        }
    found_count = sum(1 for name in FIELDS if out.fields.get(name, {}).get("value") is not None)
    valid_count = sum(1 for name in FIELDS if out.fields.get(name, {}).get("valid"))
    if kind is None:
        number = out.fields.get("nomor_dokumen", {}).get("value")
        kind = "invoice" if str(number).startswith("INV/") else "spm" if number else None
    if found_count < 3 or (kind is None and found_count < 5):
        status = "unreadable"
    elif valid_count == len(FIELDS) and not out.problems:
        status = "ok"
    else:
        status = "check"
    response: dict[str, Any] = {
        "status": status,
        "document_type": kind if status != "unreadable" else None,
        "fields": out.fields if status != "unreadable" else {},
        "problems": out.problems,
        "fields_found": found_count,
        "fields_valid": valid_count,
        "skew_degrees": round(angle, 2),
        "text_lines": len(lines),
    }
    if status == "unreadable":
        response["problems"] = [
            {
                "field": "document",
                "code": "could_not_read",
                "message": "could not read a payment document in this file; send a sharper "
                "scan of an SPM or invoice page",
                "pesan": "dokumen pembayaran tidak dapat dibaca; kirim pindaian SPM atau "
                "tagihan yang lebih jelas",
            }
        ]
    return response


def _number_and_date(
    values: dict[str, Found], out: Result, today: dt.date, page_dates: frozenset[dt.date]
) -> None:
    found = values.get("nomor_dokumen")
    number, number_kind = parse_number(found.text) if found else (None, None)
    date_found = values.get("tanggal")
    day = parse_date(date_found.text, page_dates) if date_found else None
    real_date = day is not None and dt.date(2000, 1, 1) <= day <= today
    date_ok = real_date
    signed = sorted(page_dates - {day}) if day is not None else []
    if real_date and signed and day not in page_dates:
        date_ok = False  # the date beside the signature says otherwise
        out.problem(
            "tanggal",
            "date_mismatch",
            f"the date differs from the date by the signature ({signed[-1].isoformat()})",
            f"tanggal berbeda dengan tanggal di tanda tangan ({signed[-1].isoformat()})",
        )
    if date_found is not None:
        out.put(
            "tanggal",
            day.isoformat() if day else None,
            date_found.text,
            date_found.confidence,
            date_ok,
        )
        if not real_date:
            out.problem(
                "tanggal",
                "bad_date",
                f"the date {date_found.text!r} is not a valid date up to today",
                f"tanggal {date_found.text!r} bukan tanggal yang sah",
            )
    if found is None:
        out.problem(
            "nomor_dokumen",
            "missing",
            "no document number found",
            "nomor dokumen tidak ditemukan",
        )
        return
    valid = number is not None
    if number and day is not None:
        # the number carries the period: SPM <month><5 digits>/<satker>/<year>, INV/<year>/<month>/
        if number_kind == "spm":
            period = (int(number[-4:]), int(number[:2]))
        else:
            period = (int(number[4:8]), int(number[9:11]))
        if period != (day.year, day.month):
            valid = False
            out.problem(
                "nomor_dokumen",
                "period_mismatch",
                "the year or month in the document number differs from the document date",
                "tahun atau bulan pada nomor dokumen berbeda dengan tanggal dokumen",
            )
    if number is None:
        out.problem(
            "nomor_dokumen",
            "bad_format",
            f"{found.text!r} is not an SPM number (1234567/123456/2024) or invoice number",
            f"{found.text!r} bukan nomor SPM (1234567/123456/2024) atau nomor tagihan",
        )
    out.put("nomor_dokumen", number, found.text, found.confidence, valid)


def _satker_field(values: dict[str, Found], out: Result, satker: SatkerLookup | None) -> None:
    found = values.get("satker")
    code, name = _code_and_name(found, 6)
    if found is None or code is None:
        out.problem("kode_satker", "missing", "no satker code found", "kode satker tidak ditemukan")
        return
    number = out.fields.get("nomor_dokumen", {}).get("value") or ""
    in_number = _SPM_NUMBER.fullmatch(number)
    if (
        in_number
        and in_number.group(2) != code
        and satker is not None
        and satker(code) is None
        and satker(in_number.group(2)) is not None
    ):
        code = in_number.group(2)
    valid = len(code) == 6
    if satker is not None:
        official = satker(code)
        valid = official is not None
        if official is None:
            out.problem(
                "kode_satker",
                "unknown_satker",
                f"satker {code} is not in the satker directory",
                f"satker {code} tidak ada dalam daftar satker",
            )
        elif name and fuzz.token_set_ratio(name.upper(), official.upper()) < 70:
            out.problem(
                "kode_satker",
                "name_mismatch",
                f"the satker name on the document does not match {official}",
                f"nama satker pada dokumen tidak sesuai dengan {official}",
            )
    if in_number and in_number.group(2) != code:
        valid = False
        out.problem(
            "kode_satker",
            "number_mismatch",
            "the satker code differs from the one in the SPM number",
            "kode satker berbeda dengan kode pada nomor SPM",
        )
    out.put("kode_satker", code, found.text, found.confidence, valid)
    if name:
        out.fields["kode_satker"]["name"] = name


def _account_field(values: dict[str, Found], table: list[Line], out: Result) -> None:
    found = values.get("akun")
    code, name = _code_and_name(found, 6)
    accounts = spending_accounts()
    table_codes = [digits_of(line.words[0][0]) for line in table[:2] if line.words]
    if code not in accounts:
        by_table = next((c for c in table_codes if c in accounts), None)
        first_line = _code_and_name(Found(found.text, 0), 6)[1] if found else ""
        by_name = _closest(name, accounts, 90) or _closest(first_line, accounts, 90)
        code = by_table or by_name or code
    if found is None or code is None:
        out.problem("kode_akun", "missing", "no account code found", "kode akun tidak ditemukan")
        return
    valid = code in accounts
    if not valid:
        out.problem(
            "kode_akun",
            "unknown_account",
            f"{code} is not a spending account of the chart of accounts",
            f"{code} bukan akun belanja dalam bagan akun standar",
        )
    out.put("kode_akun", code, found.text, found.confidence, valid)
    if valid:
        out.fields["kode_akun"]["name"] = accounts[code]


def _amount_fields(values: dict[str, Found], table: list[Line], out: Result) -> None:
    figures_found = values.get("jumlah")
    words_found = values.get("terbilang_text")
    figures = parse_figures(figures_found.text) if figures_found else None
    words_text = " ".join([words_found.text, *words_found.extra]) if words_found else ""
    # the amount in words ends with "rupiah": what follows belongs to other lines
    words_text = re.split(r"(?<=[Rr]upiah)\b", words_text)[0].strip()
    words = to_number(words_text) if words_found else None
    in_table = None
    for line in table[:2]:
        if len(line.words) >= 2 and re.search(r"\d\.\d{3}", line.words[-1][0]):
            in_table = parse_figures(line.words[-1][0])
            break
    if (
        figures is not None
        and words != figures
        and in_table in (None, figures)
        and _words_spell(figures, words_text)
    ):
        words = figures  # the words are the figures' words with OCR errors ("tima" for "lima")
    votes = [v for v in (figures, words, in_table) if v is not None]
    agreed = max(set(votes), key=votes.count) if votes else None
    if agreed is not None and votes.count(agreed) == 1 and figures is not None:
        agreed = figures
    consistent = agreed is not None and votes.count(agreed) >= 2
    if figures_found is not None:
        out.put("nilai", agreed, figures_found.text, figures_found.confidence, consistent)
    else:
        out.problem("nilai", "missing", "no amount in figures found", "jumlah angka tidak ada")
    if words_found is not None:
        out.put(
            "terbilang",
            to_words(agreed) if agreed is not None and consistent else words_text,
            words_text,
            words_found.confidence,
            consistent,
        )
    else:
        out.problem("terbilang", "missing", "no amount in words found", "terbilang tidak ada")
    if votes and not consistent:
        out.problem(
            "nilai",
            "figures_words_mismatch",
            "the amount in figures and the amount in words differ",
            "jumlah dalam angka dan terbilang berbeda",
        )
    if words_found is not None and figures is not None and words != figures and consistent:
        out.problem(
            "nilai",
            "corrected",
            f"figures and words read differently; {agreed} kept (two readings agree)",
            f"angka dan terbilang terbaca berbeda; {agreed} dipakai (dua bacaan sama)",
        )
        out.fields["nilai"]["valid"] = True


def _words_spell(amount: int, text: str) -> bool:
    """True when misspelt OCR'd words are close to the amount's own words (ratio >= 90).

    Words that are all spelt right are a reading of their own: they never count as a
    misspelling of a different amount.
    """
    words = re.findall(r"[a-z]+", text.lower())
    if amount > MAX_AMOUNT or all(w in VOCABULARY for w in words):
        return False
    return fuzz.ratio(to_words(amount), " ".join(words)) >= 90


def _payee_field(
    values: dict[str, Found], lines: list[Line], kind: str | None, out: Result
) -> None:
    found = values.get("penerima")
    if found is None:
        out.problem("penerima", "missing", "no payee found", "penerima tidak ditemukan")
        return
    payee = _clean_payee(found.text)
    if kind == "invoice" and lines:
        header = _clean_payee(lines[0].text)
        better = _mean_conf(lines[0]) > found.confidence
        if header and header != payee and fuzz.ratio(header, payee) >= 80 and better:
            payee = header
    valid = len(payee) >= 3 and bool(re.fullmatch(r"[A-Z][A-Z .,'&-]+", payee))
    if not valid:
        out.problem(
            "penerima", "bad_payee", "the payee name is unreadable", "nama penerima tak terbaca"
        )
    out.put("penerima", payee or None, found.text, found.confidence, valid)


def _payment_kind(values: dict[str, Found], out: Result) -> None:
    found = values.get("jenis_pembayaran")
    if found is None:
        return
    text = re.sub(r"[^A-Z]", "", found.text.upper().replace("5", "S").replace("0", "O"))
    match = process.extractOne(text, PAYMENT_KINDS, scorer=fuzz.ratio, score_cutoff=60)
    kind = str(match[0]) if match else None
    out.fields["jenis_pembayaran"] = {
        "value": kind,
        "text": found.text,
        "confidence": found.confidence,
        "valid": kind is not None,
    }


def payee_kind(payee: str, payment: str | None, account: str | None) -> str | None:
    """The ``jenis_penerima`` of an SPM from what the document shows.

    UP/GUP/TUP are paid to the satker's treasurer (``bendahara``); a company form (PT, CV, UD,
    koperasi, perum, firma) is a ``badan_usaha``; a person paid from a personnel account (51) is
    ``pegawai``, any other person ``pihak_ketiga``; None when nothing was read.
    """
    if payment in ("UP", "GUP", "TUP"):
        return "bendahara"
    if not payee:
        return None
    if re.match(r"(PT|CV|UD|KOPERASI|PERUM|FIRMA)\b", payee):
        return "badan_usaha"
    return "pegawai" if (account or "").startswith("51") else "pihak_ketiga"


def to_priority_case(result: Mapping[str, Any]) -> dict[str, Any]:
    """The SPM fields of a recognition result, named as in ``span_sp2d``/``sakti_spm``.

    A plain dict for the SPM priority model (``treasury.ml.priority``, not imported: products
    stay independent): ``nomor_spm``, ``tanggal_spm``, ``kode_satker``, ``kode_akun``,
    ``jenis_pembayaran``, ``jenis_penerima`` (:func:`payee_kind`), ``nilai``, ``uraian``,
    ``tanggal_kontrak_berakhir`` (None: not on the document), ``penerima``, plus
    ``valid`` (every field checked) and ``source="ocr"``. Missing fields are None.
    """
    fields = result.get("fields", {})

    def value(name: str) -> Any:
        return fields.get(name, {}).get("value")

    payee = value("penerima") or ""
    return {
        "nomor_spm": value("nomor_dokumen"),
        "tanggal_spm": value("tanggal"),
        "kode_satker": value("kode_satker"),
        "kode_akun": value("kode_akun"),
        "jenis_pembayaran": value("jenis_pembayaran"),
        "jenis_penerima": payee_kind(payee, value("jenis_pembayaran"), value("kode_akun")),
        "nilai": value("nilai"),
        "uraian": value("uraian"),
        "tanggal_kontrak_berakhir": None,  # not on the document
        "penerima": payee or None,
        "document_type": result.get("document_type"),
        "valid": result.get("status") == "ok",
        "source": "ocr",
    }
