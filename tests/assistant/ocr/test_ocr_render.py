"""Synthetic SPM and invoice pages: content, determinism, formats, noise."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from treasury.assistant.ocr.recognize import file_kind, load_pages, skew_angle
from treasury.assistant.ocr.render import (
    LATEST_DATE,
    PAGE,
    format_date_id,
    format_figures,
    make_records,
    render,
    render_page,
    satker_directory,
    spending_accounts,
)


def test_records_use_reference_data() -> None:
    records = make_records(40, seed=3)
    satker = satker_directory()
    accounts = spending_accounts()
    assert {r.kind for r in records} == {"spm", "invoice"}
    for r in records:
        assert satker[r.kode_satker] == r.nama_satker
        assert accounts[r.kode_akun] == r.nama_akun
        assert r.tanggal.weekday() < 5
        assert r.tanggal <= LATEST_DATE
        assert 0 < r.nilai < 10**11
        if r.kind == "spm":
            assert r.nomor.split("/")[1:] == [r.kode_satker, str(r.tanggal.year)]
        else:
            assert r.nomor.startswith(f"INV/{r.tanggal.year}/{r.tanggal.month:02d}/")
    assert make_records(5, seed=3) == records[:5]
    assert make_records(5, seed=4) != records[:5]


def test_formats() -> None:
    assert format_figures(1_234_567_890) == "Rp 1.234.567.890"
    import datetime as dt

    assert format_date_id(dt.date(2024, 3, 12)) == "12 Maret 2024"


def test_rendering_is_deterministic() -> None:
    record = make_records(1, seed=11)[0]
    assert render(record) == render(record)
    assert render(record, noise_seed=2) == render(record, noise_seed=2)
    assert render(record, noise_seed=2) != render(record, noise_seed=3)


@pytest.mark.parametrize("fmt", ["png", "jpeg", "pdf"])
def test_file_formats_open(fmt: str) -> None:
    data = render(make_records(1, seed=12)[0], fmt=fmt)
    assert file_kind(data) == fmt
    pages = load_pages(data)
    assert len(pages) == 1
    width, height = pages[0].size
    assert abs(width - PAGE[0]) <= 2 and abs(height - PAGE[1]) <= 2


def test_page_has_ink_where_text_is() -> None:
    page = np.asarray(render_page(make_records(1, seed=13)[0]))
    assert page.shape == (PAGE[1], PAGE[0])
    dark = page < 128
    assert 0.01 < dark.mean() < 0.15  # text, not blank and not black
    assert not dark[:, :60].any()  # margins stay white


def test_noisy_scan_is_rotated_and_deskew_finds_it() -> None:
    record = make_records(1, seed=14)[0]
    clean = Image.open(io.BytesIO(render(record))).convert("L")
    noisy = Image.open(io.BytesIO(render(record, noise_seed=5))).convert("L")
    assert noisy.size != clean.size  # rotated with the canvas expanded
    assert abs(skew_angle(clean)) < 0.2
    rotated = clean.rotate(2.5, expand=True, fillcolor=255)
    assert skew_angle(rotated) == pytest.approx(2.5, abs=0.3)
    assert abs(skew_angle(noisy)) > 0.8
