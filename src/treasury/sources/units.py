"""Kinds of spending units (satker) per ministry, with their naming patterns.

A template is (name pattern, level, weight, kode_eselon1). ``{kab}`` is replaced by the
kab/kota name, ``{prov}`` by the province name, ``{n}`` by a running number; level ``kab``
places the unit in a kab/kota, ``prov`` in the province capital. Regional units of a ministry
run by a regional service (deconcentration, co-administration) are the ``DINAS ...`` patterns.
Counts are roughly those of 2023 (18,961 satker in total).
"""

from __future__ import annotations

Template = tuple[str, str, float, str]

# Approximate number of satker per ministry (others: DEFAULT_COUNT).
REAL_COUNTS: dict[str, int] = {
    "025": 4400, "012": 1500, "013": 1100, "005": 900, "015": 900, "060": 900, "033": 800,
    "022": 600, "006": 560, "054": 550, "076": 550, "115": 550, "056": 500, "023": 500,
    "018": 450, "029": 400, "024": 300, "032": 250, "066": 200, "075": 190, "011": 140,
    "027": 120, "010": 120, "068": 120, "124": 100, "063": 80, "019": 70, "026": 70,
    "067": 50, "020": 50, "107": 45, "004": 40, "089": 40, "090": 40, "059": 40, "092": 40,
}  # fmt: skip
DEFAULT_COUNT = 12

TEMPLATES: dict[str, list[Template]] = {
    "025": [
        ("KANTOR KEMENTERIAN AGAMA {kab}", "kab", 2.0, "01"),
        ("MADRASAH ALIYAH NEGERI {n} {kab}", "kab", 3.0, "04"),
        ("MADRASAH TSANAWIYAH NEGERI {n} {kab}", "kab", 4.0, "04"),
        ("MADRASAH IBTIDAIYAH NEGERI {n} {kab}", "kab", 3.0, "04"),
        ("KANTOR WILAYAH KEMENTERIAN AGAMA PROVINSI {prov}", "prov", 0.3, "01"),
        ("UNIVERSITAS ISLAM NEGERI {prov}", "prov", 0.3, "04"),
    ],
    "015": [
        ("KANTOR PELAYANAN PAJAK PRATAMA {kab}", "kab", 4.0, "04"),
        ("KANTOR PELAYANAN PERBENDAHARAAN NEGARA {kab}", "kab", 2.0, "06"),
        ("KANTOR PENGAWASAN DAN PELAYANAN BEA DAN CUKAI {kab}", "kab", 1.5, "05"),
        ("KANTOR PELAYANAN KEKAYAAN NEGARA DAN LELANG {kab}", "kab", 1.0, "07"),
        ("KANTOR WILAYAH DIREKTORAT JENDERAL PAJAK {prov}", "prov", 0.4, "04"),
        ("KANTOR WILAYAH DITJEN PERBENDAHARAAN PROVINSI {prov}", "prov", 0.4, "06"),
    ],
    "060": [
        ("KEPOLISIAN RESOR {kab}", "kab", 5.0, "01"),
        ("KEPOLISIAN DAERAH {prov}", "prov", 0.5, "01"),
        ("SEKOLAH POLISI NEGARA {prov}", "prov", 0.3, "02"),
        ("RUMAH SAKIT BHAYANGKARA {kab}", "kab", 0.4, "03"),
    ],
    "012": [
        ("KOMANDO DISTRIK MILITER {kab}", "kab", 5.0, "22"),
        ("KOMANDO RESOR MILITER {prov}", "prov", 0.8, "22"),
        ("BATALYON INFANTERI {n} {kab}", "kab", 1.2, "22"),
        ("PANGKALAN TNI ANGKATAN LAUT {kab}", "kab", 1.0, "23"),
        ("PANGKALAN TNI ANGKATAN UDARA {kab}", "kab", 0.6, "24"),
        ("RUMAH SAKIT TENTARA {kab}", "kab", 0.4, "22"),
    ],
    "013": [
        ("LEMBAGA PEMASYARAKATAN KELAS IIA {kab}", "kab", 3.0, "05"),
        ("RUMAH TAHANAN NEGARA KELAS IIB {kab}", "kab", 2.0, "05"),
        ("KANTOR IMIGRASI KELAS I {kab}", "kab", 1.5, "06"),
        ("BALAI PEMASYARAKATAN {kab}", "kab", 1.0, "05"),
        ("KANTOR WILAYAH KEMENTERIAN HUKUM DAN HAM {prov}", "prov", 0.5, "01"),
    ],
    "005": [
        ("PENGADILAN NEGERI {kab}", "kab", 3.0, "03"),
        ("PENGADILAN AGAMA {kab}", "kab", 3.0, "04"),
        ("PENGADILAN TINGGI {prov}", "prov", 0.4, "03"),
        ("PENGADILAN TINGGI AGAMA {prov}", "prov", 0.4, "04"),
    ],
    "006": [
        ("KEJAKSAAN NEGERI {kab}", "kab", 5.0, "01"),
        ("KEJAKSAAN TINGGI {prov}", "prov", 0.6, "01"),
    ],
    "054": [
        ("BADAN PUSAT STATISTIK {kab}", "kab", 6.0, "01"),
        ("BADAN PUSAT STATISTIK PROVINSI {prov}", "prov", 0.5, "01"),
    ],
    "076": [
        ("KOMISI PEMILIHAN UMUM {kab}", "kab", 6.0, "01"),
        ("KOMISI PEMILIHAN UMUM PROVINSI {prov}", "prov", 0.5, "01"),
    ],
    "115": [
        ("BADAN PENGAWAS PEMILIHAN UMUM {kab}", "kab", 6.0, "01"),
        ("BADAN PENGAWAS PEMILIHAN UMUM PROVINSI {prov}", "prov", 0.5, "01"),
    ],
    "056": [
        ("KANTOR PERTANAHAN {kab}", "kab", 6.0, "01"),
        ("KANTOR WILAYAH BADAN PERTANAHAN NASIONAL PROVINSI {prov}", "prov", 0.5, "01"),
    ],
    "033": [
        ("BALAI BESAR WILAYAH SUNGAI {prov}", "prov", 1.0, "05"),
        ("BALAI PELAKSANAAN JALAN NASIONAL {prov}", "prov", 1.0, "04"),
        ("SATKER PELAKSANAAN JALAN NASIONAL WILAYAH {n} PROVINSI {prov}", "prov", 3.0, "04"),
        ("SNVT PENYEDIAAN PERUMAHAN PROVINSI {prov}", "prov", 1.0, "06"),
        ("SNVT PELAKSANAAN PRASARANA PERMUKIMAN PROVINSI {prov}", "prov", 1.5, "08"),
        ("DINAS PEKERJAAN UMUM DAN PENATAAN RUANG {kab}", "kab", 1.0, "08"),
    ],
    "022": [
        ("KANTOR UNIT PENYELENGGARA PELABUHAN KELAS III {kab}", "kab", 2.0, "03"),
        ("KANTOR UNIT PENYELENGGARA BANDAR UDARA {kab}", "kab", 1.5, "04"),
        ("BALAI PENGELOLA TRANSPORTASI DARAT {prov}", "prov", 1.0, "02"),
        ("DINAS PERHUBUNGAN {kab}", "kab", 0.5, "02"),
    ],
    "023": [
        ("UNIVERSITAS NEGERI {prov}", "prov", 1.0, "17"),
        ("POLITEKNIK NEGERI {kab}", "kab", 1.0, "17"),
        ("BALAI PENJAMINAN MUTU PENDIDIKAN PROVINSI {prov}", "prov", 1.0, "11"),
        ("BALAI PELESTARIAN KEBUDAYAAN WILAYAH {n} {prov}", "prov", 0.5, "13"),
        ("DINAS PENDIDIKAN {kab}", "kab", 1.5, "11"),
    ],
    "024": [
        ("RUMAH SAKIT UMUM PUSAT {kab}", "kab", 0.5, "04"),
        ("BALAI BESAR KEKARANTINAAN KESEHATAN {kab}", "kab", 1.0, "05"),
        ("POLITEKNIK KESEHATAN {kab}", "kab", 0.8, "12"),
        ("DINAS KESEHATAN PROVINSI {prov}", "prov", 1.0, "03"),
        ("DINAS KESEHATAN {kab}", "kab", 2.0, "03"),
    ],
    "018": [
        ("DINAS PERTANIAN {kab}", "kab", 4.0, "03"),
        ("DINAS TANAMAN PANGAN DAN HORTIKULTURA PROVINSI {prov}", "prov", 0.5, "03"),
        ("DINAS PETERNAKAN DAN KESEHATAN HEWAN {kab}", "kab", 1.0, "06"),
        ("BALAI PENERAPAN STANDAR INSTRUMEN PERTANIAN {prov}", "prov", 0.5, "09"),
    ],
    "029": [
        ("BALAI PENGELOLAAN DAERAH ALIRAN SUNGAI {prov}", "prov", 1.0, "05"),
        ("BALAI KONSERVASI SUMBER DAYA ALAM {prov}", "prov", 1.0, "04"),
        ("KESATUAN PENGELOLAAN HUTAN {kab}", "kab", 1.0, "03"),
        ("DINAS LINGKUNGAN HIDUP DAN KEHUTANAN PROVINSI {prov}", "prov", 1.0, "03"),
    ],
    "032": [
        ("DINAS KELAUTAN DAN PERIKANAN {kab}", "kab", 3.0, "04"),
        ("PELABUHAN PERIKANAN NUSANTARA {kab}", "kab", 0.5, "04"),
    ],
    "027": [
        ("DINAS SOSIAL PROVINSI {prov}", "prov", 2.0, "05"),
        ("DINAS SOSIAL {kab}", "kab", 2.0, "05"),
        ("SENTRA REHABILITASI SOSIAL {prov}", "prov", 0.3, "08"),
    ],
    "010": [
        ("BADAN KESATUAN BANGSA DAN POLITIK PROVINSI {prov}", "prov", 1.0, "01"),
        ("DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL {kab}", "kab", 2.0, "07"),
    ],
    "026": [("BALAI LATIHAN KERJA {kab}", "kab", 1.0, "05")],
    "068": [("PERWAKILAN BKKBN PROVINSI {prov}", "prov", 1.0, "01")],
    "066": [
        ("BADAN NARKOTIKA NASIONAL {kab}", "kab", 3.0, "01"),
        ("BADAN NARKOTIKA NASIONAL PROVINSI {prov}", "prov", 1.0, "01"),
    ],
    "075": [
        ("STASIUN METEOROLOGI {kab}", "kab", 2.0, "01"),
        ("STASIUN KLIMATOLOGI {prov}", "prov", 1.0, "01"),
    ],
    "063": [("BALAI BESAR PENGAWAS OBAT DAN MAKANAN {prov}", "prov", 1.0, "01")],
    "089": [("PERWAKILAN BPKP PROVINSI {prov}", "prov", 1.0, "01")],
    "004": [("BPK PERWAKILAN PROVINSI {prov}", "prov", 1.0, "01")],
}
GENERIC: list[Template] = [("KANTOR PERWAKILAN {singkatan} PROVINSI {prov}", "prov", 1.0, "01")]
CENTRAL_UNITS = (
    "SEKRETARIAT",
    "INSPEKTORAT",
    "BIRO UMUM",
    "PUSAT DATA DAN INFORMASI",
    "PUSAT PENGEMBANGAN SUMBER DAYA MANUSIA",
    "DIREKTORAT JENDERAL",
)
CENTRAL_SHARE = 0.08
"""Share of a ministry's satker (beyond its secretariat) in Jakarta head offices."""
MAX_CENTRAL = 24

# BUN (BA 999) satker: role, eselon I (BUN section), name, KPPN.
BUN_UNITS: list[tuple[str, str, str, str]] = [
    ("utang_sbn", "01", "PENGELOLAAN UTANG NEGARA - SURAT BERHARGA NEGARA", "901"),
    ("utang_pinjaman", "01", "PENGELOLAAN UTANG NEGARA - PINJAMAN", "901"),
    ("hibah", "02", "PENGELOLAAN HIBAH NEGARA", "901"),
    ("investasi", "03", "PENGELOLAAN INVESTASI PEMERINTAH", "903"),
    ("penerusan_pinjaman", "04", "PENGELOLAAN PENERUSAN PINJAMAN", "901"),
    ("tkd", "05", "PENGELOLAAN TRANSFER KE DAERAH DAN DANA DESA", "901"),
    ("bbm", "07", "PENGELOLAAN BELANJA SUBSIDI - JENIS BBM TERTENTU", "901"),
    ("lpg_3kg", "07", "PENGELOLAAN BELANJA SUBSIDI - LPG TABUNG 3 KG", "901"),
    ("listrik", "07", "PENGELOLAAN BELANJA SUBSIDI - LISTRIK", "901"),
    ("pupuk", "07", "PENGELOLAAN BELANJA SUBSIDI - PUPUK", "901"),
    ("pso", "07", "PENGELOLAAN BELANJA SUBSIDI - KEWAJIBAN PELAYANAN PUBLIK", "901"),
    ("bunga_kur", "07", "PENGELOLAAN BELANJA SUBSIDI - BUNGA KREDIT PROGRAM", "901"),
    ("lain", "08", "PENGELOLAAN BELANJA LAINNYA", "901"),
    ("pensiun", "08", "PENGELOLAAN BELANJA PENSIUN DAN JAMINAN SOSIAL", "901"),
]

# Provincial capitals (kode_kabkota); a province not listed uses its first kota.
CAPITALS = {
    "11": "1171", "12": "1271", "13": "1371", "14": "1471", "15": "1571", "16": "1671",
    "17": "1771", "18": "1871", "19": "1971", "21": "2172", "31": "3171", "32": "3273",
    "33": "3374", "34": "3471", "35": "3578", "36": "3673", "51": "5171", "52": "5271",
    "53": "5371", "61": "6171", "62": "6271", "63": "6372", "64": "6472", "65": "6501",
    "71": "7171", "72": "7271", "73": "7371", "74": "7471", "75": "7571", "76": "7602",
    "81": "8171", "82": "8272", "91": "9171", "92": "9202", "93": "9301", "94": "9401",
    "95": "9501", "96": "9671",
}  # fmt: skip
