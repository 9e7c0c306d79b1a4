"""Recognition of generated documents: clean, noisy, PDF, and images that are no document."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from treasury.assistant.ocr.recognize import (
    FIELDS,
    Found,
    Line,
    Result,
    UnsupportedFile,
    _amount_fields,
    _number_and_date,
    find_values,
    parse_date,
    parse_figures,
    parse_number,
    payee_kind,
    recognize,
    to_priority_case,
)
from treasury.assistant.ocr.render import make_records, render, satker_directory
from treasury.assistant.ocr.terbilang import to_words

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _assert_all_fields_right(result: dict[str, object], truth: dict[str, object]) -> None:
    fields = result["fields"]
    assert isinstance(fields, dict)
    for name in FIELDS:
        assert fields[name]["value"] == truth[name], name
        assert fields[name]["valid"] is True, name
        assert 0.5 < fields[name]["confidence"] <= 1.0, name


def test_clean_spm_all_fields_right() -> None:
    record = next(r for r in make_records(10, seed=21) if r.kind == "spm")
    result = recognize(render(record), satker=satker_directory())
    assert result["status"] == "ok", result["problems"]
    assert result["document_type"] == "spm"
    _assert_all_fields_right(result, record.truth())
    assert result["fields"]["kode_satker"]["name"] == record.nama_satker
    assert result["fields"]["kode_akun"]["name"] == record.nama_akun
    assert result["fields"]["jenis_pembayaran"]["value"] == record.jenis_pembayaran
    case = to_priority_case(result)
    assert case == {
        "nomor_spm": record.nomor,
        "tanggal_spm": record.tanggal.isoformat(),
        "kode_satker": record.kode_satker,
        "kode_akun": record.kode_akun,
        "jenis_pembayaran": record.jenis_pembayaran,
        "jenis_penerima": payee_kind(record.penerima, record.jenis_pembayaran, record.kode_akun),
        "nilai": record.nilai,
        "uraian": record.uraian,
        "tanggal_kontrak_berakhir": None,
        "penerima": record.penerima,
        "document_type": "spm",
        "valid": True,
        "source": "ocr",
    }


def test_noisy_invoice_all_fields_right() -> None:
    record = next(r for r in make_records(10, seed=22) if r.kind == "invoice")
    result = recognize(render(record, fmt="jpeg", noise_seed=7), satker=satker_directory())
    assert abs(result["skew_degrees"]) > 0.8  # the scan was rotated and straightened
    assert result["document_type"] == "invoice"
    _assert_all_fields_right(result, record.truth())


def test_pdf_input() -> None:
    record = make_records(1, seed=23)[0]
    result = recognize(render(record, fmt="pdf"), satker=satker_directory())
    assert result["pages"] == 1
    _assert_all_fields_right(result, record.truth())


def test_unknown_satker_is_flagged() -> None:
    record = next(r for r in make_records(10, seed=21) if r.kind == "spm")
    result = recognize(render(record), satker={})
    assert result["status"] == "check"
    assert result["fields"]["kode_satker"]["valid"] is False
    assert "unknown_satker" in {p["code"] for p in result["problems"]}


def test_non_document_images_cannot_be_read() -> None:
    rng = np.random.default_rng(1)
    noise = Image.fromarray(rng.integers(0, 256, (900, 700), dtype=np.uint8), "L")
    photo = Image.new("RGB", (800, 600), (120, 170, 220))
    draw = ImageDraw.Draw(photo)
    draw.ellipse((200, 150, 600, 450), fill=(230, 200, 40))
    draw.text((50, 50), "Selamat datang", fill=(0, 0, 0))
    for image in (noise, photo):
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        result = recognize(buffer.getvalue())
        assert result["status"] == "unreadable"
        assert result["fields"] == {}
        assert result["problems"][0]["code"] == "could_not_read"
        assert to_priority_case(result)["valid"] is False


def test_not_an_image() -> None:
    with pytest.raises(UnsupportedFile):
        recognize(b"hello, this is text")
    with pytest.raises(UnsupportedFile):
        recognize(b"%PDF-1.4 broken")
    with pytest.raises(UnsupportedFile):
        recognize(b"\x89PNG\r\n\x1a\n broken")
    huge = io.BytesIO()
    Image.new("1", (8000, 6000)).save(huge, "PNG")  # 48 million pixels in a small file
    with pytest.raises(UnsupportedFile, match="million pixels"):
        recognize(huge.getvalue())


def test_value_parsers_fix_ocr_confusions() -> None:
    assert parse_number("O3l2345 / 428810/2O24") == ("0312345/428810/2024", "spm")
    assert parse_number("lNV/2024/O3/00123") == ("INV/2024/03/00123", "invoice")
    assert parse_number("12/34") == (None, None)
    assert parse_number("+ 0316190¥241699/2026") == ("0316190/241699/2026", "spm")
    assert parse_date("12 Maret 2024") == dt.date(2024, 3, 12)
    assert parse_date("l2 Marct 2O24") == dt.date(2024, 3, 12)
    assert parse_date("31 Februari 2024") is None
    assert parse_date("R1 Juli 2025") is None  # a day glued to a stray letter is not trusted
    assert parse_date("12-03-2024") == dt.date(2024, 3, 12)
    # "1 8 Juli": 18 when the page shows that date elsewhere, else the colon read as "1"
    assert parse_date("1 8 Juli 2024", frozenset({dt.date(2024, 7, 18)})) == dt.date(2024, 7, 18)
    assert parse_date("1 8 Juli 2024") == dt.date(2024, 7, 8)
    assert parse_figures("Rp 1.234.567") == 1_234_567
    assert parse_figures("Rp l.2S4.567,00") == 1_254_567
    assert parse_figures("Rp") is None
    assert parse_figures("Rp 5.044.004.000 Bo") == 5_044_004_000
    assert parse_figures("jumien 1 fe 18.637.300") == 18_637_300


def _line(text: str, top: int) -> Line:
    return Line([(word, 90.0) for word in text.split()], top)


def test_labels_layout_and_amount_votes() -> None:
    lines = [
        _line("SURAT PERINTAH MEMBAYAR", 0),
        _line(": Tanggal : 1 8 Juli 2024", 10),
        _line("Kode Akun : 533121 - Belanja Modal Penambahan Nilai Gedung dan", 20),
        _line("Bangunan", 30),
        _line("jumien 1 fe 18.637.300", 40),  # the "Jumlah" label misread
        _line("Terbilang : Delapan belas juta enam ratus tiga puluh tujuh ribu tiga", 50),
        _line("ratus rupiah Uraian garbage after the words", 60),
        _line("Akun Uraian Nilai (Rp)", 70),
        _line("533121 Belanja Modal 18.637.300", 80),
        _line("Jakarta, 18 Juli 2024", 90),
    ]
    values, kind, table = find_values(lines)
    assert kind == "spm"
    assert values["akun"].extra == ["Bangunan"]  # a label line with "akun" and "nilai" is no header
    assert values["jumlah"].guessed and "18.637.300" in values["jumlah"].text
    assert [line.text for line in table] == [
        "533121 Belanja Modal 18.637.300",
        "Jakarta, 18 Juli 2024",
    ]
    out = Result()
    _amount_fields(values, table, out)
    assert out.fields["nilai"]["value"] == 18_637_300 and out.fields["nilai"]["valid"]
    assert out.fields["terbilang"]["value"] == to_words(18_637_300)
    # misspelt words of the same amount agree with the figures; right-spelt other words do not
    values["terbilang_text"] = Found(
        "Delapan belas juta enam ratus tiga puluh tujuh ribu tima ratus rupiah", 0.9
    )
    out = Result()
    _amount_fields(values, [], out)
    assert out.fields["nilai"]["valid"] is True
    values["terbilang_text"] = Found(
        "Delapan belas juta enam ratus tiga puluh tujuh ribu rupiah", 0.9
    )
    out = Result()
    _amount_fields(values, [], out)
    assert out.fields["nilai"]["valid"] is False
    assert "figures_words_mismatch" in {p["code"] for p in out.problems}


def test_number_and_date_check_each_other() -> None:
    today = dt.date(2026, 12, 1)
    signature = frozenset({dt.date(2024, 7, 18)})

    def check(number: str, date: str) -> Result:
        out = Result()
        values = {"nomor_dokumen": Found(number, 0.9), "tanggal": Found(date, 0.9)}
        _number_and_date(values, out, today, signature)
        return out

    good = check("0712345/428810/2024", "18 Juli 2024")
    assert good.fields["nomor_dokumen"]["valid"] and good.fields["tanggal"]["valid"]
    assert good.problems == []
    # a misread month digit in the sequence number, a misread day that is still a date
    bad = check("9712345/428810/2024", "10 Juli 2024")
    assert bad.fields["nomor_dokumen"]["valid"] is False
    assert bad.fields["tanggal"]["valid"] is False
    assert {p["code"] for p in bad.problems} == {"period_mismatch", "date_mismatch"}
    invoice = check("INV/2024/06/00123", "18 Juli 2024")
    assert [p["code"] for p in invoice.problems] == ["period_mismatch"]
    future = check("0712345/428810/2027", "18 Juli 2027")
    assert "bad_date" in {p["code"] for p in future.problems}


def test_payee_kind() -> None:
    assert payee_kind("CV MAJU JAYA", "GUP", "521211") == "bendahara"
    assert payee_kind("PT KARYA UTAMA", "LS", "533111") == "badan_usaha"
    assert payee_kind("KOPERASI PRIMA", "LS", "521211") == "badan_usaha"
    assert payee_kind("SITI RAHMAWATI", "LS", "511121") == "pegawai"
    assert payee_kind("SITI RAHMAWATI", "LS", "524111") == "pihak_ketiga"
    assert payee_kind("", "LS", "524111") is None
