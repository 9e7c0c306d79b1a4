"""Early warning for SOE payment capacity on government loans (SLA/RDI)."""

from __future__ import annotations

from typing import Any, ClassVar

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

from treasury.config import Settings
from treasury.ml.base import Evaluation, InputError, Model
from treasury.ml.explain import largest_first, reasons, tree_contributions
from treasury.ml.soe.scores import altman_parts, health_class, kep100_financial, rating, zone
from treasury.sources.bumn import SECTORS, generate_bumn

STATEMENT = [
    "total_aset",
    "aset_lancar",
    "kas",
    "piutang",
    "persediaan",
    "total_liabilitas",
    "liabilitas_lancar",
    "laba_ditahan",
    "pendapatan",
    "ebit",
    "penyusutan",
    "laba_bersih",
    "arus_kas_operasi",
    "pinjaman_sla_rdi",
    "angsuran_jatuh_tempo",
]
#: Lines that may be negative (losses, deficits).
SIGNED = {"laba_ditahan", "ebit", "laba_bersih", "arus_kas_operasi"}
FEATURES = [
    "x1_modal_kerja",
    "x2_laba_ditahan",
    "x3_ebit",
    "x4_ekuitas_liabilitas",
    "z_altman",
    "perubahan_z",
    "skor_kep100",
    "cakupan_angsuran",
    "rasio_pinjaman",
    "kas_liabilitas_lancar",
]
REASONS = {
    "x1_modal_kerja": ("modal kerja tipis", "thin working capital"),
    "x2_laba_ditahan": ("laba ditahan rendah atau defisit", "low or negative retained earnings"),
    "x3_ebit": ("EBIT rendah terhadap aset", "low EBIT on assets"),
    "x4_ekuitas_liabilitas": (
        "ekuitas kecil terhadap liabilitas",
        "small equity against liabilities",
    ),
    "z_altman": ("Altman Z'' rendah", "low Altman Z''"),
    "perubahan_z": ("Z'' turun dari tahun lalu", "Z'' fell from last year"),
    "skor_kep100": ("skor kesehatan KEP-100 rendah", "low KEP-100 health score"),
    "cakupan_angsuran": (
        "angsuran besar terhadap arus kas operasi",
        "instalments large against operating cash flow",
    ),
    "rasio_pinjaman": (
        "pinjaman SLA/RDI besar terhadap aset",
        "large SLA/RDI loans against assets",
    ),
    "kas_liabilitas_lancar": (
        "kas kecil terhadap liabilitas lancar",
        "little cash against current liabilities",
    ),
}


def features(frame: pd.DataFrame, previous_z: pd.Series | None = None) -> pd.DataFrame:
    """The model's features per SOE-year (``previous_z``: last year's Z'', else no change)."""
    parts = altman_parts(frame)
    cfo = frame["arus_kas_operasi"]
    due = frame["angsuran_jatuh_tempo"]
    cover = np.where(due <= 0, 0.0, np.where(cfo <= 0, 5.0, due / cfo.clip(lower=1.0)))
    change = parts["z_altman"] - previous_z if previous_z is not None else 0.0 * parts["z_altman"]
    out = parts.assign(
        perubahan_z=np.asarray(change, dtype=np.float64),
        skor_kep100=kep100_financial(frame)
        + frame["skor_operasional"]
        + frame["skor_administrasi"],
        cakupan_angsuran=np.clip(cover, 0, 5.0),
        rasio_pinjaman=frame["pinjaman_sla_rdi"] / frame["total_aset"].clip(lower=1.0),
        kas_liabilitas_lancar=frame["kas"] / frame["liabilitas_lancar"].clip(lower=1.0),
    )
    return out[FEATURES].astype(np.float64)


def panel_features(panel: pd.DataFrame) -> pd.DataFrame:
    """Features of a whole panel, with each SOE's previous-year Z''."""
    z = altman_parts(panel)["z_altman"]
    previous = z.groupby(panel["kode_bumn"]).shift(1).fillna(z)
    return features(panel, previous)


def _scores(truth: np.ndarray, prob: np.ndarray) -> dict[str, float]:
    return {
        "brier": round(float(brier_score_loss(truth, prob)), 5),
        "aucroc": round(float(roc_auc_score(truth, prob)), 4),
    }


class SoeEarlyWarningModel(Model):
    """LightGBM probability of SLA/RDI payment failure next year; baseline: logistic on Z''."""

    name: ClassVar[str] = "soe"
    title: ClassVar[dict[str, str]] = {
        "id": "Early Warning System BUMN (pinjaman SLA/RDI)",
        "en": "SOE early warning system (SLA/RDI loans)",
    }
    description: ClassVar[dict[str, str]] = {
        "id": "Peluang BUMN gagal membayar angsuran SLA/RDI tahun depan, dengan Altman Z'' (zona "
        "1,10 / 2,60) dan skor kesehatan KEP-100; daftar pantauan dengan tren dan alasannya.",
        "en": "Probability that an SOE fails to pay SLA/RDI instalments next year, beside Altman "
        "Z'' (zones 1.10 / 2.60) and the KEP-100 health score; a watch list with trends and reasons.",
    }
    labels: ClassVar[str] = (
        "Synthetic statements of 100 SOEs (treasury.sources.bumn); next year's payment failure "
        "drawn from the unseen next-year health (AR(1) with sector shocks) and instalment cover."
    )
    page_template: ClassVar[str | None] = "ml/risk/soe.html"
    count: ClassVar[int] = 100

    def __init__(self) -> None:
        self.features = list(FEATURES)

    def train(self, settings: Settings | None = None, seed: int = 7) -> SoeEarlyWarningModel:
        """Fit on one synthetic set of SOEs; a second set (other SOEs) is the hold-out."""
        panel = generate_bumn(self.count, seed=seed)
        x, y = self._labelled(panel)
        self.booster = lgb.LGBMClassifier(
            n_estimators=200, learning_rate=0.03, num_leaves=5, min_child_samples=20,
            subsample=0.8, subsample_freq=1, reg_lambda=5.0, random_state=seed, n_jobs=1,
            deterministic=True, force_row_wise=True, verbose=-1,
        ).fit(x, y)  # fmt: skip
        self.baseline = LogisticRegression().fit(x[["z_altman"]], y)
        self.test = self._labelled(generate_bumn(self.count, seed=seed + 1000))
        self.panel = panel
        self.panel_x = panel_features(panel)
        self.data_version = (
            f"synthetic SOE statements seed {seed}: {self.count} SOEs, {panel['tahun'].min()}-"
            f"{panel['tahun'].max()}; hold-out: {self.count} other SOEs (seed {seed + 1000})"
        )
        return self

    @staticmethod
    def _labelled(panel: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
        x = panel_features(panel)
        keep = (panel["angsuran_jatuh_tempo"] > 0) & panel["gagal_bayar_tahun_depan"].notna()
        return x[keep.to_numpy()], panel.loc[keep, "gagal_bayar_tahun_depan"].astype(
            bool
        ).to_numpy()

    def _prob(self, x: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.booster.predict_proba(x))[:, 1]

    def evaluate(self) -> Evaluation:
        """Brier score and AUCROC on other SOEs, against a logistic regression on Z'' alone."""
        x, y = self.test
        return Evaluation(
            method=f"hold-out: {self.count} other synthetic SOEs ({len(y)} borrower-years)",
            metrics=_scores(y, self._prob(x)),
            baseline="logistic regression on Altman Z''",
            baseline_metrics=_scores(y, self.baseline.predict_proba(x[["z_altman"]])[:, 1]),
            primary_metric="brier",
            higher_is_better=False,
            rows=len(y),
            extra={"base_rate": round(float(y.mean()), 4)},
        )

    def watch_list(self) -> list[dict[str, Any]]:
        """The latest year's borrowers, riskiest first, with Z'' trend, KEP-100 and reasons."""
        last = self.panel["tahun"].max()
        latest = self.panel["tahun"] == last
        rows = self.panel[latest & (self.panel["angsuran_jatuh_tempo"] > 0)]
        x = self.panel_x.loc[rows.index]
        prob = self._prob(x)
        contributions = tree_contributions(self.booster, x, FEATURES)
        z_all = self.panel_x["z_altman"]
        out = []
        for i, (index, row) in enumerate(rows.iterrows()):
            history = self.panel.index[
                (self.panel["kode_bumn"] == row["kode_bumn"]) & (self.panel["tahun"] > last - 5)
            ]
            score = float(x.loc[index, "skor_kep100"])
            z = float(x.loc[index, "z_altman"])
            out.append(
                {
                    "kode_bumn": row["kode_bumn"],
                    "nama": row["nama"],
                    "sektor": row["sektor"],
                    "tahun": int(last),
                    "probabilitas": round(float(prob[i]), 4),
                    "z_altman": round(z, 2),
                    "zona": zone(z),
                    "tren_z": [round(float(z_all.loc[h]), 2) for h in history],
                    "skor_kep100": round(score, 1),
                    "peringkat": rating(score),
                    "kesehatan": health_class(rating(score)),
                    "alasan": reasons(contributions[i], REASONS, digits=3, most=3),
                }
            )
        return sorted(out, key=lambda r: -r["probabilitas"])

    def example(self) -> dict[str, Any]:
        """The latest statements of the riskiest borrower in the training set."""
        last = self.panel[self.panel["tahun"] == self.panel["tahun"].max()]
        borrowers = last[last["angsuran_jatuh_tempo"] > 0]
        row = borrowers.loc[self.panel_x.loc[borrowers.index, "z_altman"].idxmin()]
        case: dict[str, Any] = {key: float(row[key]) for key in STATEMENT}
        case.update(
            sektor=row["sektor"],
            skor_operasional=float(row["skor_operasional"]),
            skor_administrasi=float(row["skor_administrasi"]),
            z_tahun_lalu=round(float(self.panel_x["z_altman"].loc[row.name - 1]), 3),
        )
        return case

    def _matrix(self, cases: list[dict[str, Any]]) -> pd.DataFrame:
        rows = [_validate(case) for case in cases]
        frame = pd.DataFrame(rows)
        previous = frame.pop("z_tahun_lalu")
        current = altman_parts(frame)["z_altman"]
        return features(frame, previous.fillna(current))

    def predict(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Per SOE: probability of failure next year, Z'' and its zone, KEP-100 and reasons."""
        x = self._matrix(cases)
        prob = self._prob(x)
        contributions = tree_contributions(self.booster, x, FEATURES)
        out = []
        for i in range(len(cases)):
            score = float(x["skor_kep100"].iloc[i])
            z = float(x["z_altman"].iloc[i])
            out.append(
                {
                    "probabilitas": round(float(prob[i]), 4),
                    "z_altman": round(z, 3),
                    "zona": zone(z),
                    "skor_kep100": round(score, 1),
                    "peringkat": rating(score),
                    "kesehatan": health_class(rating(score)),
                    "alasan": reasons(contributions[i], REASONS, digits=3, most=3),
                }
            )
        return out

    def explain(self, cases: list[dict[str, Any]]) -> list[dict[str, float]]:
        """LightGBM ``pred_contrib`` (log-odds) per feature, largest magnitude first."""
        return [
            largest_first(row, digits=5)
            for row in tree_contributions(self.booster, self._matrix(cases), FEATURES)
        ]

    def page_context(self, params: dict[str, str]) -> dict[str, Any]:
        """The watch list, optionally one sector."""
        sector = params.get("sektor", "").strip()
        rows = self.watch_list()
        error = (
            ""
            if not sector or sector in SECTORS
            else f"sektor {sector!r} tidak dikenal (unknown sector)"
        )
        if sector and not error:
            rows = [row for row in rows if row["sektor"] == sector]
        return {"watch": rows, "sectors": list(SECTORS), "sektor": sector, "sector_error": error}


def _validate(case: dict[str, Any]) -> dict[str, Any]:
    """Numbers parsed, or :class:`InputError` naming every bad field."""
    problems: dict[str, str] = {}
    row: dict[str, Any] = {}
    for key in STATEMENT:
        raw = case.get(key)
        try:
            value = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems[key] = "wajib diisi dengan angka rupiah (required, a rupiah amount)"
            continue
        if not np.isfinite(value) or (key not in SIGNED and value < 0):
            problems[key] = "tidak boleh negatif (must not be negative)"
            continue
        row[key] = value
    if "total_aset" in row and row["total_aset"] <= 0:
        problems["total_aset"] = "harus lebih dari 0 (must be > 0)"
    if case.get("sektor") not in SECTORS:
        problems["sektor"] = f"pilih salah satu: {', '.join(SECTORS)} (choose a known sector)"
    for key in ("skor_operasional", "skor_administrasi"):
        try:
            value = float(case.get(key, 12.0))
        except (TypeError, ValueError):
            value = -1.0
        if not 0 <= value <= 15:
            problems[key] = "harus antara 0 dan 15 (must be 0-15)"
        row[key] = value
    previous = case.get("z_tahun_lalu")
    try:
        row["z_tahun_lalu"] = None if previous in (None, "") else float(previous)
    except (TypeError, ValueError):
        problems["z_tahun_lalu"] = "harus angka atau dikosongkan (a number, or leave empty)"
    if problems:
        raise InputError(problems)
    return row
