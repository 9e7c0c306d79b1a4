"""The village-fund fraud model: the anomaly engine on report features plus red-flag rules."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from treasury.config import Settings
from treasury.ml.anomaly.engine import Ensemble
from treasury.ml.anomaly.flags import broken, scored_frame, tail_explanation
from treasury.ml.anomaly.ranking import review_evaluation
from treasury.ml.base import Evaluation, InputError, Model
from treasury.ml.fraud.benford import LEVELS, conformity, mad
from treasury.ml.fraud.features import FEATURES, RULES, features, red_flags
from treasury.reference import kabkota, villages
from treasury.sources.dana_desa_laporan import ITEMS, PATTERNS, VillageReports, generate_reports

TOP_K = 50
REVIEW_SIZE = 100


def benford_by_region(reports: VillageReports) -> list[dict[str, Any]]:
    """Per kab/kota: lines, MAD of the three digit tests and Nigrini's conformity level."""
    codes, owner = np.unique(reports.rincian["kode_desa"].str[:4].to_numpy(), return_inverse=True)
    values = reports.rincian["nilai"].to_numpy(dtype=np.float64)
    names = dict(zip(*kabkota().select(["kode_kabkota", "nama"]).to_pydict().values(), strict=True))
    lines = np.bincount(owner, minlength=codes.size)
    out = []
    tests = {
        test: mad(owner, values, codes.size, test) for test in ("first", "second", "first_two")
    }
    for i, code in enumerate(codes):
        row: dict[str, Any] = {
            "kode_kabkota": str(code),
            "nama": names.get(code, ""),
            "baris": int(lines[i]),
        }
        for test, values_ in tests.items():
            row[f"mad_{test}"] = round(float(values_[i]), 5)
            row[f"level_{test}"] = conformity(float(values_[i]), test)
        out.append(row)
    return sorted(out, key=lambda r: (-LEVELS.index(r["level_first"]), -r["mad_first"]))


class VillageFundFraudModel(Model):
    """Ranks village-years for audit: ensemble score (0-1) + red-flag points."""

    name: ClassVar[str] = "fraud"
    title: ClassVar[dict[str, str]] = {
        "id": "Deteksi fraud Dana Desa",
        "en": "Village fund (Dana Desa) fraud detection",
    }
    description: ClassVar[dict[str, str]] = {
        "id": "Daftar tinjauan desa x tahun berperingkat dengan alasannya: ensembel IsolationForest/"
        "ECOD/COPOD atas fitur laporan (tahap, realisasi vs fisik, harga satuan, laporan identik, "
        "uji Benford, angka bulat, pemecahan paket) ditambah aturan red flag.",
        "en": "A ranked review list of village-years with reasons: an IsolationForest/ECOD/COPOD "
        "ensemble on report features plus red-flag rules.",
    }
    labels: ClassVar[str] = (
        "Synthetic Dana Desa reports (treasury.sources.dana_desa_laporan) with six injected fraud "
        "patterns from the ICW/KPK typology (mark-ups, fictitious projects, copied reports, "
        "invented amounts, split purchases, rushed stages) in about 5% of village-years."
    )
    page_template: ClassVar[str | None] = "ml/risk/fraud.html"
    kabkota_count: ClassVar[int] = 20

    def __init__(self) -> None:
        self.features = list(FEATURES)

    def train(self, settings: Settings | None = None, seed: int = 7) -> VillageFundFraudModel:
        """Fit on one synthetic draw of kab/kota; a second draw (other kab/kota) is the hold-out."""
        train = generate_reports(self.kabkota_count, seed=seed)
        matrix = features(train.laporan, train.rincian)
        self.ensemble = Ensemble(seed=seed).fit(matrix.to_numpy())
        self.mad_limits = (
            float(np.quantile(matrix["mad_digit_pertama"], 0.975)),
            float(np.quantile(matrix["mad_digit_kedua"], 0.975)),
        )
        holdout = generate_reports(self.kabkota_count, seed=seed + 1000)
        self.holdout = holdout.laporan.copy()
        self.holdout_features = features(holdout.laporan, holdout.rincian)
        self.benford = benford_by_region(holdout)
        self.data_version = (
            f"synthetic Dana Desa reports seed {seed}: {len(train.laporan)} village-years in "
            f"{self.kabkota_count} kab/kota; hold-out seed {seed + 1000} ({len(self.holdout)})"
        )
        return self

    def score_matrix(self, matrix: pd.DataFrame) -> pd.DataFrame:
        """Ensemble score, rule points, total and the rule flags per row."""
        return scored_frame(self.ensemble, matrix, red_flags(matrix, self.mad_limits), RULES)

    def evaluate(self) -> Evaluation:
        """AUCPR and precision@50 on the hold-out draw, against Benford first-digit MAD alone."""
        return review_evaluation(
            self.score_matrix(self.holdout_features),
            self.holdout["pola"],
            PATTERNS,
            ("Benford first-digit MAD only", self.holdout_features["mad_digit_pertama"].to_numpy()),
            "hold-out: village-years of other kab/kota",
            TOP_K,
        )

    def review_list(self, kode_kabkota: str = "", size: int = REVIEW_SIZE) -> list[dict[str, Any]]:
        """The hold-out's village-years ranked by score, with the rules broken as reasons."""
        scored = self.score_matrix(self.holdout_features)
        frame = self.holdout.assign(
            skor=scored["skor"].to_numpy(), ens=scored["skor_ensemble"].to_numpy()
        )
        if kode_kabkota:
            frame = frame[frame["kode_kabkota"] == kode_kabkota]
        names = dict(
            zip(*villages().select(["kode_desa", "nama"]).to_pydict().values(), strict=True)
        )
        flags = scored[list(RULES)]
        position = {label: n for n, label in enumerate(scored.index)}
        out = []
        for i in frame.sort_values("skor", ascending=False).index[:size]:
            row = frame.loc[i]
            out.append(
                {
                    "kode_desa": row["kode_desa"],
                    "nama": names.get(row["kode_desa"], ""),
                    "kode_kabkota": row["kode_kabkota"],
                    "tahun": int(row["tahun"]),
                    "skor": round(float(row["skor"]), 3),
                    "skor_ensemble": round(float(row["ens"]), 3),
                    "alasan": broken(flags, position[i], RULES),
                }
            )
        return out

    def example(self) -> dict[str, Any]:
        """A village-year whose spending ran ahead of its works, with marked-up cement."""
        return {
            "realisasi_persen": 99.5,
            "fisik_persen": 40.0,
            "indeks_harga": 1.1,
            "harga_semen": 98_000,
            "harga_pasir": 280_000,
            "harga_hok": 120_000,
            "tanggal_tahap_1": "2024-03-20",
            "tanggal_tahap_2": "2024-07-22",
            "tanggal_tahap_3": "",
            "laporan_identik": 0,
            "rincian": [
                1_250_000,
                4_800_000,
                17_350_000,
                2_100_000,
                48_500_000,
                49_000_000,
                49_750_000,
                650_000,
                3_300_000,
                12_400_000,
                7_800_000,
                1_900_000,
                26_000_000,
                5_500_000,
            ],
        }

    def _matrix(self, cases: list[dict[str, Any]]) -> pd.DataFrame:
        rows: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        for i, case in enumerate(cases):
            row, amounts = _parse_case(case)
            rows.append(
                {
                    "kode_desa": f"X{i}",
                    "tahun": 0,
                    "kode_laporan": f"case{i}",
                    "tanggal_laporan": np.datetime64("NaT"),
                    **row,
                }
            )
            lines.extend({"kode_desa": f"X{i}", "tahun": 0, "nilai": v} for v in amounts)
        laporan = pd.DataFrame(rows)
        matrix = features(laporan, pd.DataFrame(lines, columns=["kode_desa", "tahun", "nilai"]))
        matrix["laporan_identik"] = [float(row["laporan_identik"]) for row in rows]
        return matrix

    def predict(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Per village-year: ``skor``, ``skor_ensemble`` and the red flags with severities."""
        scored = self.score_matrix(self._matrix(cases))
        flags = scored[list(RULES)]
        return [
            {
                "skor": round(float(scored["skor"].iloc[i]), 4),
                "skor_ensemble": round(float(scored["skor_ensemble"].iloc[i]), 4),
                "red_flags": broken(flags, i, RULES),
            }
            for i in range(len(cases))
        ]

    def explain(self, cases: list[dict[str, Any]]) -> list[dict[str, float]]:
        """Per case, each feature's ECOD tail score (how unusual it is), largest first."""
        return tail_explanation(self.ensemble, self._matrix(cases))

    def page_context(self, params: dict[str, str]) -> dict[str, Any]:
        """The ranked review list (optionally one kab/kota) and the Benford table per kab/kota."""
        code = params.get("kode_kabkota", "").strip()
        known = {row["kode_kabkota"] for row in self.benford}
        error = (
            ""
            if not code or code in known
            else f"kab/kota {code!r} tidak ada di data uji (not in the hold-out data)"
        )
        return {
            "review": self.review_list("" if error else code),
            "benford": self.benford,
            "kode_kabkota": code,
            "kabkota_error": error,
            "top_k": TOP_K,
        }


def _parse_case(case: dict[str, Any]) -> tuple[dict[str, Any], list[float]]:
    """The report row and line amounts of one case, or :class:`InputError` per field."""
    problems: dict[str, str] = {}
    row: dict[str, Any] = {}
    limits = {"realisasi_persen": 100.0, "fisik_persen": 100.0}
    for key in ["realisasi_persen", "fisik_persen", "indeks_harga", *ITEMS, "laporan_identik"]:
        raw = case.get(key, 0 if key == "laporan_identik" else None)
        try:
            value = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems[key] = "wajib diisi dengan angka (required, a number)"
            continue
        if not np.isfinite(value) or value < 0 or value > limits.get(key, np.inf):
            top = limits.get(key)
            problems[key] = (
                f"harus antara 0 dan {top:g} (must be 0-{top:g})"
                if top
                else "tidak boleh negatif (must not be negative)"
            )
            continue
        if key in ("indeks_harga", *ITEMS) and value == 0:
            problems[key] = "harus lebih dari 0 (must be > 0)"
            continue
        row[key] = value
    for i in (1, 2, 3):
        key = f"tanggal_tahap_{i}"
        raw = case.get(key) or ""
        if not raw:
            if i < 3:
                problems[key] = "wajib diisi, format YYYY-MM-DD (required)"
            row[key] = np.datetime64("NaT")
            continue
        try:
            row[key] = np.datetime64(dt.date.fromisoformat(str(raw)))
        except ValueError:
            problems[key] = f"format tanggal YYYY-MM-DD, bukan {raw!r} (date must be YYYY-MM-DD)"
    amounts = case.get("rincian")
    values: list[float] = []
    if not isinstance(amounts, list) or len(amounts) < 5:
        problems["rincian"] = (
            "daftar minimal 5 nilai belanja (a list of at least 5 spending amounts)"
        )
    else:
        try:
            values = [float(v) for v in amounts]
        except (TypeError, ValueError):
            problems["rincian"] = "setiap nilai belanja harus angka (every amount must be a number)"
        if values and min(values) <= 0:
            problems["rincian"] = "nilai belanja harus lebih dari 0 (amounts must be > 0)"
    if problems:
        raise InputError(problems)
    return row, values
