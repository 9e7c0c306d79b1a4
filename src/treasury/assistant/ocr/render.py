"""Synthetic payment documents: SPM pages and supplier invoices rendered as PNG, JPEG or PDF.

Records come from the synthetic satker of :func:`treasury.sources.satker.build_satker` (tiny
scale: 300 satker; seed 5 is the test platform's seed, so its satker are in the platform's
``daftar-satker`` dataset) and the spending accounts of :func:`treasury.reference.accounts`.
Pages are A4 at 150 dpi drawn with Pillow in DejaVu Sans (Debian ``fonts-dejavu-core``; Liberation
Sans, then Pillow's built-in font, when it is missing). :func:`degrade` makes a "noisy scan":
a rotation of a few degrees, blur, grain, specks, lower contrast and JPEG artefacts.
Everything is deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from treasury import reference
from treasury.assistant.ocr.terbilang import to_words
from treasury.i18n import MONTHS, format_date

#: Page size in pixels (A4 at 150 dpi) and the resolution written into PDFs.
PAGE = (1240, 1754)
DPI = 150
#: The satker set the generated documents use (tiny scale, the test platform's seed).
SATKER_SEED = 5
FORMATS = ("png", "jpeg", "pdf")
#: The latest document date generated (the test platform's as-of date is 2026-11-23).
LATEST_DATE = dt.date(2026, 11, 20)

#: Indonesian month names (as :func:`treasury.i18n.format_date` writes them).
MONTHS_ID: tuple[str, ...] = tuple(MONTHS["id"])
_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/liberation"),
)
_FONT_FILES = {
    "regular": ("DejaVuSans.ttf", "LiberationSans-Regular.ttf"),
    "bold": ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf"),
}
_COMPANY_FORMS = ("PT", "CV", "PT", "UD", "KOPERASI")
_COMPANY_WORDS = (
    "MAJU",
    "JAYA",
    "SENTOSA",
    "ABADI",
    "KARYA",
    "MANDIRI",
    "NUSANTARA",
    "PRIMA",
    "SEJAHTERA",
    "BANGUN",
    "CIPTA",
    "MITRA",
    "SARANA",
    "TEKNIK",
    "UTAMA",
    "GLOBAL",
    "PERSADA",
    "INDAH",
    "BERKAH",
    "LESTARI",
)
_FIRST_NAMES = (
    "BUDI",
    "SITI",
    "AHMAD",
    "DEWI",
    "RUDI",
    "NUR",
    "AGUS",
    "RINA",
    "EKO",
    "SRI",
    "HENDRA",
    "WAHYU",
    "YULI",
    "ANDI",
    "IWAN",
    "LINDA",
)
_LAST_NAMES = (
    "SANTOSO",
    "RAHMAWATI",
    "HIDAYAT",
    "LESTARI",
    "SETIAWAN",
    "PURNOMO",
    "WIBOWO",
    "SUSANTI",
    "KURNIAWAN",
    "HASIBUAN",
    "SIREGAR",
    "NAPITUPULU",
    "SAPUTRA",
    "WIJAYA",
)
_PURPOSES = (
    "Pembayaran pengadaan barang persediaan kantor",
    "Pembayaran jasa pemeliharaan gedung dan bangunan",
    "Pembayaran honorarium kegiatan",
    "Pembayaran belanja perjalanan dinas",
    "Pembayaran pengadaan peralatan dan mesin",
    "Pembayaran langganan daya dan jasa",
)


@dataclass(frozen=True)
class SpmRecord:
    """One payment document's content: an SPM (``kind="spm"``) or an invoice (``"invoice"``)."""

    kind: str
    nomor: str
    tanggal: dt.date
    kode_satker: str
    nama_satker: str
    kode_akun: str
    nama_akun: str
    nilai: int
    penerima: str
    jenis_pembayaran: str
    uraian: str

    def truth(self) -> dict[str, object]:
        """The fields recognition should find, as :func:`recognize` reports them."""
        return {
            "nomor_dokumen": self.nomor,
            "tanggal": self.tanggal.isoformat(),
            "kode_satker": self.kode_satker,
            "kode_akun": self.kode_akun,
            "nilai": self.nilai,
            "terbilang": to_words(self.nilai),
            "penerima": self.penerima,
        }

    def as_dict(self) -> dict[str, object]:
        """All fields, JSON-friendly."""
        out = asdict(self)
        out["tanggal"] = self.tanggal.isoformat()
        return out


# -- records ---------------------------------------------------------------------------------


@cache
def satker_directory(seed: int = SATKER_SEED) -> dict[str, str]:
    """Satker code -> name of the synthetic satker set the documents are made from."""
    from treasury.sources.satker import build_satker
    from treasury.sources.scale import get_scale

    table = build_satker(get_scale("tiny"), seed).table
    return dict(
        zip(table["kode_satker"].to_pylist(), table["nama_satker"].to_pylist(), strict=True)
    )


@cache
def spending_accounts() -> dict[str, str]:
    """Leaf spending accounts (6 digits, ``5xxxxx``) -> name, from the chart of accounts."""
    rows = reference.accounts().to_pylist()
    return {
        str(r["kode_akun"]): str(r["nama"])
        for r in rows
        if r["level"] == 6 and str(r["kode_akun"]).startswith("5")
    }


def _payee(rng: np.random.Generator) -> str:
    if rng.random() < 0.7:
        form = _COMPANY_FORMS[rng.integers(len(_COMPANY_FORMS))]
        words = rng.choice(len(_COMPANY_WORDS), size=int(rng.integers(2, 4)), replace=False)
        return " ".join([form, *(_COMPANY_WORDS[i] for i in words)])
    first = _FIRST_NAMES[rng.integers(len(_FIRST_NAMES))]
    return f"{first} {_LAST_NAMES[rng.integers(len(_LAST_NAMES))]}"


def _amount(rng: np.random.Generator) -> int:
    """Rupiah amounts from Rp 250 ribu to about Rp 50 miliar, lognormal, rounded to hundreds."""
    value = float(np.exp(rng.uniform(np.log(2.5e5), np.log(5e10))))
    step = 10 ** int(rng.integers(2, 5))
    return max(step, round(value / step) * step)


def _working_day(rng: np.random.Generator, year: int) -> dt.date:
    """A weekday of ``year``, never after :data:`LATEST_DATE` (documents are not post-dated)."""
    day = min(dt.date(year, 1, 2) + dt.timedelta(days=int(rng.integers(0, 360))), LATEST_DATE)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1) if day < LATEST_DATE else -dt.timedelta(days=1)
    return day


def make_records(n: int, seed: int = 0, invoice_share: float = 0.25) -> list[SpmRecord]:
    """``n`` synthetic SPMs and invoices (deterministic for ``seed``)."""
    rng = np.random.default_rng(seed)
    satker = sorted(satker_directory().items())
    accounts = sorted(spending_accounts().items())
    out = []
    for _ in range(n):
        kode_satker, nama_satker = satker[rng.integers(len(satker))]
        kode_akun, nama_akun = accounts[rng.integers(len(accounts))]
        tanggal = _working_day(rng, int(rng.integers(2021, 2027)))
        invoice = rng.random() < invoice_share
        if invoice:
            nomor = f"INV/{tanggal.year}/{tanggal.month:02d}/{rng.integers(1, 99999):05d}"
        else:
            sequence = tanggal.month * 100_000 + int(rng.integers(1, 99_999))
            nomor = f"{sequence:07d}/{kode_satker}/{tanggal.year}"
        out.append(
            SpmRecord(
                kind="invoice" if invoice else "spm",
                nomor=nomor,
                tanggal=tanggal,
                kode_satker=kode_satker,
                nama_satker=nama_satker,
                kode_akun=kode_akun,
                nama_akun=nama_akun,
                nilai=_amount(rng),
                penerima=_payee(rng),
                jenis_pembayaran="LS" if invoice else str(rng.choice(["LS", "LS", "GUP", "TUP"])),
                uraian=str(_PURPOSES[rng.integers(len(_PURPOSES))]),
            )
        )
    return out


# -- drawing ---------------------------------------------------------------------------------


@cache
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans (or Liberation Sans, or Pillow's default font) at ``size`` pixels."""
    for name in _FONT_FILES["bold" if bold else "regular"]:
        for folder in _FONT_DIRS:
            if (folder / name).exists():
                return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size=size)


def format_figures(amount: int) -> str:
    """``Rp 1.234.567`` (Indonesian thousands separators, no decimals)."""
    return "Rp " + f"{amount:,}".replace(",", ".")


def format_date_id(day: dt.date) -> str:
    """``12 Maret 2024``."""
    return format_date(day, "id")


def _wrap(draw: ImageDraw.ImageDraw, text: str, size: int, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=font(size)) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def render_page(record: SpmRecord) -> Image.Image:
    """The clean page of a document (grayscale, A4 at 150 dpi)."""
    image = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(image)
    left, right = 110, PAGE[0] - 110
    y = 100
    if record.kind == "spm":
        draw.text((left, y), "KEMENTERIAN NEGARA/LEMBAGA", font=font(22, True), fill=0)
        draw.text((left, y + 32), record.nama_satker[:60], font=font(20), fill=0)
        title = "SURAT PERINTAH MEMBAYAR"
        number_label = "Nomor"
    else:
        draw.text((left, y), record.penerima, font=font(30, True), fill=0)
        draw.text((left, y + 40), "Jl. Merdeka No. 17, Jakarta", font=font(20), fill=0)
        title = "TAGIHAN / INVOICE"
        number_label = "No. Invoice"
    y += 90
    draw.line((left, y, right, y), fill=0, width=3)
    y += 40
    title_width = draw.textlength(title, font=font(36, True))
    draw.text(((PAGE[0] - title_width) / 2, y), title, font=font(36, True), fill=0)
    y += 70
    label_x, colon_x, value_x = left, left + 260, left + 285
    width = right - value_x
    rows = [
        (number_label, record.nomor),
        ("Tanggal", format_date_id(record.tanggal)),
        ("Satuan Kerja", f"{record.kode_satker} - {record.nama_satker}"),
        ("Kode Akun", f"{record.kode_akun} - {record.nama_akun}"),
        ("Jenis Pembayaran", record.jenis_pembayaran),
        ("Penerima", record.penerima),
        ("Jumlah", format_figures(record.nilai)),
        ("Terbilang", to_words(record.nilai).capitalize()),
        ("Uraian", record.uraian),
    ]
    for label, value in rows:
        draw.text((label_x, y), label, font=font(24), fill=0)
        draw.text((colon_x, y), ":", font=font(24), fill=0)
        bold = label in ("Jumlah",)
        for line in _wrap(draw, value, 24, width):
            draw.text((value_x, y), line, font=font(24, bold), fill=0)
            y += 38
        y += 18
    y += 30
    draw.line((left, y, right, y), fill=0, width=2)
    draw.line((left, y + 48, right, y + 48), fill=0, width=1)
    draw.line((left, y + 110, right, y + 110), fill=0, width=2)
    for x, text in ((left + 15, "Akun"), (left + 195, "Uraian"), (right - 285, "Nilai (Rp)")):
        draw.text((x, y + 10), text, font=font(20, True), fill=0)
    draw.text((left + 15, y + 60), record.kode_akun, font=font(20), fill=0)
    draw.text((left + 195, y + 60), record.nama_akun[:42], font=font(20), fill=0)
    draw.text((right - 285, y + 60), f"{record.nilai:,}".replace(",", "."), font=font(20), fill=0)
    y += 170
    sign_x = right - 420
    draw.text((sign_x, y), f"Jakarta, {format_date_id(record.tanggal)}", font=font(20), fill=0)
    signer = "Pejabat Penanda Tangan SPM" if record.kind == "spm" else "Hormat kami,"
    draw.text((sign_x, y + 32), signer, font=font(20), fill=0)
    draw.line((sign_x, y + 170, sign_x + 330, y + 170), fill=0, width=1)
    return image


def degrade(image: Image.Image, seed: int, strength: float = 1.0) -> Image.Image:
    """A noisy "scan" of a clean page: rotation of 1-3 degrees, blur, grain, specks, JPEG.

    ``strength`` scales rotation, blur, grain and specks and lowers the JPEG quality; above 1
    the page is also scanned at a lower resolution (150 / sqrt(strength) dpi).
    """
    rng = np.random.default_rng(seed)
    angle = float(rng.uniform(1.0, 3.0) * rng.choice([-1, 1])) * strength
    page = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.5, 1.1)) * strength))
    if strength > 1:
        factor = strength**-0.5
        size = (round(page.width * factor), round(page.height * factor))
        page = page.resize(size, Image.Resampling.BILINEAR)
    pixels = np.asarray(page, dtype=np.float32)
    pixels = 25 + pixels * float(rng.uniform(0.78, 0.88))
    pixels += rng.normal(0, float(rng.uniform(10, 20)) * strength, pixels.shape)
    specks = rng.random(pixels.shape) < float(rng.uniform(0.001, 0.003)) * strength
    pixels[specks] = rng.uniform(0, 90, int(specks.sum()))
    noisy = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")
    buffer = io.BytesIO()
    noisy.save(buffer, "JPEG", quality=round(int(rng.integers(40, 70)) / strength))
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def encode(image: Image.Image, fmt: str) -> bytes:
    """The page as PNG, JPEG or a one-page PDF."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    buffer = io.BytesIO()
    if fmt == "png":
        image.save(buffer, "PNG")
    elif fmt == "jpeg":
        image.save(buffer, "JPEG", quality=90)
    else:
        image.convert("RGB").save(buffer, "PDF", resolution=DPI)
    return buffer.getvalue()


def render(
    record: SpmRecord, fmt: str = "png", noise_seed: int | None = None, strength: float = 1.0
) -> bytes:
    """The document as a file: clean, or a noisy scan (:func:`degrade`) when ``noise_seed``."""
    page = render_page(record)
    if noise_seed is not None:
        page = degrade(page, noise_seed, strength)
    return encode(page, fmt)
