"""Payment descriptions (uraian) in Indonesian, from templates per payment stream.

Each month a small pool of filled-in descriptions is built per stream (a few hundred strings);
lines then pick from their stream's pool by index, so no string is formatted per row.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
_KOTA = (
    "Medan", "Palembang", "Bandung", "Semarang", "Surabaya", "Makassar", "Denpasar", "Balikpapan",
    "Pontianak", "Manado", "Kupang", "Jayapura", "Padang", "Pekanbaru", "Yogyakarta", "Mataram",
)  # fmt: skip
_TOPIK = (
    "pelaksanaan anggaran", "penyusunan laporan keuangan", "program prioritas nasional",
    "pengelolaan barang milik negara", "pelayanan publik", "reformasi birokrasi",
    "pengawasan internal", "pengumpulan data lapangan", "pembinaan teknis satuan kerja",
)  # fmt: skip
_BARANG = ("alat tulis kantor", "bahan komputer", "konsumsi rapat", "perlengkapan kantor")
_TEMPLATES: dict[str, tuple[str, ...]] = {
    "gaji_tunjangan": (
        "Pembayaran gaji induk bulan {bulan} {tahun}",
        "Pembayaran gaji induk bulan {bulan} {tahun} PNS dan PPPK",
        "Pembayaran kekurangan gaji bulan {bulan_lalu}",
        "Pembayaran uang makan PNS bulan {bulan_lalu}",
    ),
    "honorarium": (
        "Pembayaran tunjangan kinerja bulan {bulan} {tahun}",
        "Pembayaran uang lembur bulan {bulan_lalu}",
        "Pembayaran honorarium tim pelaksana kegiatan {topik}",
    ),
    "kontribusi_sosial": (
        "Pembayaran pensiun PNS bulan {bulan} {tahun} melalui PT Taspen (Persero)",
        "Pembayaran pensiun TNI/Polri bulan {bulan} {tahun} melalui PT Asabri (Persero)",
        "Pembayaran iuran jaminan kesehatan ASN bulan {bulan} {tahun}",
    ),
    "barang_operasional": (
        "Belanja keperluan perkantoran bulan {bulan} {tahun}",
        "Pengadaan {barang} untuk operasional kantor",
        "Belanja bahan kegiatan {topik}",
        "Pembayaran honor output kegiatan {topik}",
    ),
    "jasa": (
        "Pembayaran langganan listrik bulan {bulan_lalu}",
        "Pembayaran langganan telepon dan internet bulan {bulan_lalu}",
        "Pembayaran jasa kebersihan dan keamanan kantor bulan {bulan} {tahun}",
        "Pembayaran jasa konsultan kajian {topik}",
    ),
    "pemeliharaan": (
        "Belanja pemeliharaan gedung dan bangunan kantor",
        "Belanja pemeliharaan kendaraan dinas operasional",
        "Pemeliharaan peralatan dan mesin kantor bulan {bulan} {tahun}",
    ),
    "perjalanan_dinas": (
        "Belanja perjalanan dinas dalam rangka monitoring dan evaluasi {topik} ke {kota}",
        "Belanja perjalanan dinas dalam rangka koordinasi {topik} di {kota}",
        "Belanja paket meeting dalam kota dalam rangka {topik}",
    ),
    "barang_blu": (
        "Belanja operasional layanan BLU bulan {bulan} {tahun}",
        "Pembayaran remunerasi pegawai BLU bulan {bulan} {tahun}",
    ),
    "barang_diserahkan_masyarakat": (
        "Pengadaan sarana {barang} untuk diserahkan kepada masyarakat",
        "Pengadaan bantuan peralatan untuk diserahkan kepada pemerintah daerah",
    ),
    "tanah": ("Pembayaran pengadaan tanah untuk pembangunan kantor di {kota}",),
    "peralatan_mesin": (
        "Pengadaan peralatan dan mesin kantor tahun anggaran {tahun}",
        "Pengadaan kendaraan operasional tahun anggaran {tahun}",
        "Pengadaan perangkat pengolah data dan komunikasi",
    ),
    "gedung_bangunan": (
        "Pembayaran termin {n} pembangunan gedung kantor di {kota}",
        "Pembayaran termin {n} renovasi gedung pelayanan",
    ),
    "jalan_irigasi_jaringan": (
        "Pembayaran termin {n} pekerjaan preservasi jalan nasional ruas {kota}",
        "Pembayaran termin {n} pembangunan jaringan irigasi di {kota}",
    ),
    "modal_lainnya": ("Pengadaan aset tak berwujud aplikasi {topik}",),
    "modal_blu": ("Belanja modal layanan BLU tahun anggaran {tahun}",),
    "bunga_dalam_negeri": (
        "Pembayaran bunga SUN seri FR{seri} periode {bulan} {tahun}",
        "Pembayaran imbalan SBSN seri PBS{seri} periode {bulan} {tahun}",
        "Pembayaran diskonto SPN jatuh tempo {bulan} {tahun}",
    ),
    "bunga_luar_negeri": (
        "Pembayaran bunga pinjaman luar negeri Bank Dunia periode {bulan} {tahun}",
        "Pembayaran bunga pinjaman luar negeri JICA periode {bulan} {tahun}",
        "Pembayaran kupon SUN valas seri RI{seri}",
    ),
    "biaya_utang": ("Pembayaran biaya penerbitan SBN bulan {bulan} {tahun}",),
    "bbm": ("Pembayaran subsidi jenis BBM tertentu bulan {bulan} {tahun} PT Pertamina (Persero)",),
    "lpg_3kg": ("Pembayaran subsidi LPG tabung 3 kg bulan {bulan} {tahun} PT Pertamina (Persero)",),
    "listrik": ("Pembayaran subsidi listrik bulan {bulan} {tahun} PT PLN (Persero)",),
    "pupuk": ("Pembayaran subsidi pupuk bulan {bulan} {tahun} PT Pupuk Indonesia (Persero)",),
    "pso": (
        "Pembayaran PSO kereta api ekonomi bulan {bulan} {tahun} PT KAI (Persero)",
        "Pembayaran PSO angkutan laut penumpang bulan {bulan} {tahun} PT Pelni (Persero)",
    ),
    "bunga_kur": ("Pembayaran subsidi bunga KUR periode {bulan} {tahun}",),
    "hibah_dalam_negeri": ("Penyaluran hibah kepada pemerintah daerah tahap {n} tahun {tahun}",),
    "hibah_luar_negeri": ("Pembayaran hibah kepada lembaga internasional tahun {tahun}",),
    "rehabilitasi_sosial": ("Penyaluran bantuan rehabilitasi sosial tahap {n} tahun {tahun}",),
    "jaminan_sosial": ("Pembayaran iuran PBI Jaminan Kesehatan bulan {bulan} {tahun}",),
    "pemberdayaan_sosial": ("Penyaluran bantuan pemberdayaan sosial tahap {n} tahun {tahun}",),
    "perlindungan_sosial": (
        "Penyaluran bantuan sosial PKH tahap {n} tahun {tahun}",
        "Penyaluran bantuan sosial sembako bulan {bulan} {tahun}",
    ),
    "penanggulangan_kemiskinan": ("Penyaluran Program Indonesia Pintar tahap {n} tahun {tahun}",),
    "penanggulangan_bencana": ("Penyaluran bantuan sosial korban bencana di {kota}",),
    "lain_lain": (
        "Pembayaran belanja lain-lain bulan {bulan} {tahun}",
        "Pembayaran dana cadangan penanggulangan bencana tahun {tahun}",
        "Pembayaran kompensasi kepada badan usaha tahun {tahun}",
    ),
}
VARIANTS = 6


def pool(
    names: tuple[str, ...], year: int, month: int, rng: np.random.Generator
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Descriptions for one month: the strings, and each stream's first index and count.

    Examples
    --------
    >>> text, start, count = pool(("gaji_tunjangan",), 2023, 3, np.random.default_rng(0))
    >>> text[int(start[0])].as_py()
    'Pembayaran gaji induk bulan Maret 2023'
    """
    texts: list[str] = []
    start = np.zeros(len(names), dtype=np.int64)
    count = np.zeros(len(names), dtype=np.int64)
    previous = f"{BULAN[month - 2]} {year if month > 1 else year - 1}"
    fill = {"bulan": BULAN[month - 1], "bulan_lalu": previous, "tahun": str(year)}
    for i, name in enumerate(names):
        start[i] = len(texts)
        for template in _TEMPLATES[name]:
            seen = set()
            for _ in range(VARIANTS):
                values = {
                    **fill,
                    "kota": _KOTA[rng.integers(len(_KOTA))],
                    "topik": _TOPIK[rng.integers(len(_TOPIK))],
                    "barang": _BARANG[rng.integers(len(_BARANG))],
                    "n": str(rng.integers(1, 5)),
                    "seri": f"{rng.integers(50, 110):04d}",
                }
                text = template.format(**values)
                if text not in seen:
                    seen.add(text)
                    texts.append(text)
        count[i] = len(texts) - start[i]
    return pa.array(texts, pa.string()), start, count
