"""Financial distress of Pemda: the probability that next year's debt cannot be paid.

Trained on the synthetic APBD panel (:mod:`treasury.sources.apbd`): features from one year's
budget (the twenty revenue components, mandatory spending, debt service, outstanding debt),
label ``distress_tahun_depan`` from the panel's latent mechanism (arrears, interception, DSCR
below 2.5, negative balance with unpaid bills). LightGBM against a logistic scorecard on the
same features; hold-out on the last two label years; calibration by Brier score and a
reliability curve. Beside the probability the form shows the two PP 56/2018 tests: DSCR >= 2.5
and (outstanding + new debt) <= 75% of general revenue.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from treasury.config import Settings
from treasury.ml.base import Evaluation, InputError, Model
from treasury.ml.explain import largest_first, reasons, tree_contributions
from treasury.reference import pemda
from treasury.sources.apbd import COMPONENT_KEYS, COMPONENTS, DBH, EARMARKED, PAD, generate_apbd

#: Debt fields of the form besides the twenty components (rupiah).
DEBT_FIELDS = {
    "belanja_pegawai": ("Belanja wajib (pegawai)", "Mandatory spending (staff)"),
    "pokok_dan_bunga": ("Pokok dan bunga utang jatuh tempo", "Principal and interest due"),
    "sisa_pinjaman": ("Sisa pinjaman", "Outstanding debt"),
}
OPTIONAL_FIELDS = {"pinjaman_baru": ("Rencana pinjaman baru", "Planned new borrowing")}
DSCR_MIN = 2.5
DEBT_LIMIT = 0.75
DSCR_CAP = 50.0

FEATURES = [
    "log_pendapatan",
    "porsi_pad",
    "porsi_dau",
    "porsi_dbh_sda",
    "porsi_dak",
    "rasio_pegawai",
    "dscr",
    "rasio_sisa_pinjaman",
    "rasio_layanan_utang",
    "peminjam",
    "kota",
    "provinsi",
]
#: Why a feature raises the risk, in words (Indonesian, English).
REASONS = {
    "log_pendapatan": ("ukuran pendapatan daerah", "size of the budget"),
    "porsi_pad": ("porsi PAD dalam pendapatan", "share of own-source revenue"),
    "porsi_dau": ("ketergantungan pada DAU", "dependence on DAU"),
    "porsi_dbh_sda": (
        "ketergantungan pada DBH SDA yang berfluktuasi",
        "reliance on volatile resource revenue sharing",
    ),
    "porsi_dak": ("porsi DAK (dana yang sudah ditentukan penggunaannya)", "share of earmarked DAK"),
    "rasio_pegawai": (
        "belanja pegawai tinggi terhadap PAD+DBH+DAU",
        "staff spending high against PAD+DBH+DAU",
    ),
    "dscr": ("DSCR (kemampuan membayar utang)", "DSCR (debt service cover)"),
    "rasio_sisa_pinjaman": (
        "sisa pinjaman terhadap pendapatan umum",
        "outstanding debt against general revenue",
    ),
    "rasio_layanan_utang": ("pokok dan bunga terhadap pendapatan", "debt service against revenue"),
    "peminjam": ("memiliki pinjaman", "has loans"),
    "kota": ("jenis pemda: kota", "type: city"),
    "provinsi": ("jenis pemda: provinsi", "type: province"),
}
HOLDOUT_YEARS = 2


@functools.cache
def pemda_codes() -> dict[str, dict[str, str]]:
    """Pemda with a budget by code: name and type."""
    table = pemda().to_pylist()
    return {row["kode_pemda"]: {"nama": row["nama"], "jenis": row["jenis"]} for row in table}


def pp56_checks(values: dict[str, float]) -> dict[str, Any]:
    """DSCR and the 75% debt test of PP 56/2018 from one Pemda's figures (rupiah)."""
    base = sum(values[k] for k in PAD + DBH) + values["dau"]
    service = values["pokok_dan_bunga"]
    dscr = (base - values["belanja_pegawai"]) / service if service > 0 else None
    general = sum(values[k] for k in COMPONENT_KEYS) - sum(values[k] for k in EARMARKED)
    debt = values["sisa_pinjaman"] + values.get("pinjaman_baru", 0.0)
    ratio = debt / general if general > 0 else None
    return {
        "dscr": None if dscr is None else round(dscr, 2),
        "dscr_lulus": dscr is None or dscr >= DSCR_MIN,
        "pendapatan_umum": general,
        "rasio_utang": None if ratio is None else round(ratio, 4),
        "uji_75_lulus": ratio is not None and ratio <= DEBT_LIMIT,
    }


def features(frame: pd.DataFrame) -> pd.DataFrame:
    """The model's :data:`FEATURES` from rows holding the components and debt fields."""
    total = frame[COMPONENT_KEYS].sum(axis=1).clip(lower=1.0)
    base = frame[PAD + DBH].sum(axis=1) + frame["dau"]
    general = (total - frame[EARMARKED].sum(axis=1)).clip(lower=1.0)
    service = frame["pokok_dan_bunga"]
    dscr = np.where(
        service > 0, (base - frame["belanja_pegawai"]) / service.clip(lower=1.0), DSCR_CAP
    )
    return pd.DataFrame(
        {
            "log_pendapatan": np.log10(total),
            "porsi_pad": frame[PAD].sum(axis=1) / total,
            "porsi_dau": frame["dau"] / total,
            "porsi_dbh_sda": frame["dbh_sda"] / total,
            "porsi_dak": frame["dak"] / total,
            "rasio_pegawai": frame["belanja_pegawai"] / base.clip(lower=1.0),
            "dscr": np.clip(dscr, -DSCR_CAP, DSCR_CAP),
            "rasio_sisa_pinjaman": frame["sisa_pinjaman"] / general,
            "rasio_layanan_utang": service / total,
            "peminjam": (frame["sisa_pinjaman"] > 0).astype(float),
            "kota": (frame["jenis"] == "kota").astype(float),
            "provinsi": (frame["jenis"] == "provinsi").astype(float),
        },
        index=frame.index,
    ).astype(np.float64)


def reliability(truth: np.ndarray, prob: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Reliability curve: mean predicted vs observed rate in equal-width probability bins."""
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize(prob, edges[1:-1]), 0, bins - 1)
    out = []
    for b in range(bins):
        mask = index == b
        if mask.any():
            out.append(
                {
                    "bin": b,
                    "predicted": round(float(prob[mask].mean()), 4),
                    "observed": round(float(truth[mask].mean()), 4),
                    "count": int(mask.sum()),
                }
            )
    return out


def _scores(truth: np.ndarray, prob: np.ndarray) -> dict[str, float]:
    return {
        "brier": round(float(brier_score_loss(truth, prob)), 5),
        "aucroc": round(float(roc_auc_score(truth, prob)), 4),
        "log_loss": round(float(log_loss(truth, np.clip(prob, 1e-6, 1 - 1e-6))), 4),
    }


class DistressModel(Model):
    """LightGBM on budget ratios; a logistic scorecard as the baseline."""

    name: ClassVar[str] = "distress"
    title: ClassVar[dict[str, str]] = {
        "id": "Financial Distress Pemda",
        "en": "Regional government (Pemda) financial distress",
    }
    description: ClassVar[dict[str, str]] = {
        "id": "Peluang pemda tidak mampu membayar utang tahun depan dari komposisi pendapatannya, "
        "dengan uji DSCR dan batas 75% PP 56/2018.",
        "en": "Probability that a Pemda cannot pay its debt next year from its revenue mix, beside "
        "the DSCR and 75% tests of PP 56/2018.",
    }
    labels: ClassVar[str] = (
        "Synthetic APBD panel (treasury.sources.apbd): next year's distress from a latent mechanism "
        "(unseen revenue and commodity shocks, hidden governance driving spending overruns and "
        "staff-cost growth; distress = arrears > 90 days or interception, realised DSCR < 2.5, or a "
        "negative balance with unpaid bills > 5% of spending)."
    )
    trees: ClassVar[int] = 300
    page_template: ClassVar[str | None] = "ml/risk/distress.html"
    region_field: ClassVar[str | None] = "kode_pemda"

    def __init__(self) -> None:
        self.features = list(FEATURES)

    def train(self, settings: Settings | None = None, seed: int = 7) -> DistressModel:
        """Fit on all label years but the last two; keep those for evaluation."""
        panel = generate_apbd(seed)
        self.latest = panel[panel["tahun"] == panel["tahun"].max()].set_index("kode_pemda")
        labelled = panel.dropna(subset=["distress_tahun_depan"])
        cut = labelled["tahun"].max() - HOLDOUT_YEARS
        train, test = labelled[labelled["tahun"] <= cut], labelled[labelled["tahun"] > cut]
        x_train, y_train = features(train), train["distress_tahun_depan"].astype(bool).to_numpy()
        self.booster = lgb.LGBMClassifier(
            n_estimators=self.trees,
            learning_rate=0.03,
            num_leaves=7,
            min_child_samples=50,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.8,
            reg_lambda=5.0,
            random_state=seed,
            n_jobs=1,
            deterministic=True,
            force_row_wise=True,
            verbose=-1,
        ).fit(x_train, y_train)
        self.scorecard: Pipeline = make_pipeline(
            StandardScaler(), LogisticRegression(C=1.0, max_iter=2000)
        ).fit(x_train, y_train)
        self.test = (features(test), test["distress_tahun_depan"].astype(bool).to_numpy())
        first, last = int(train["tahun"].min()), int(cut)
        self.data_version = (
            f"synthetic APBD panel seed {seed}: 546 Pemda, budget years {first}-{last} train, "
            f"{last + 1}-{last + HOLDOUT_YEARS} hold-out"
        )
        return self

    def evaluate(self) -> Evaluation:
        """Brier score (lower is better), AUCROC and log loss on the hold-out years."""
        x_test, y_test = self.test
        model = np.asarray(self.booster.predict_proba(x_test))[:, 1]
        base = self.scorecard.predict_proba(x_test)[:, 1]
        return Evaluation(
            method=f"hold-out: the last {HOLDOUT_YEARS} label years ({len(y_test)} Pemda-years)",
            metrics=_scores(y_test, model),
            baseline="logistic scorecard",
            baseline_metrics=_scores(y_test, base),
            primary_metric="brier",
            higher_is_better=False,
            rows=len(y_test),
            extra={
                "base_rate": round(float(y_test.mean()), 4),
                "reliability": reliability(y_test, model),
                "reliability_baseline": reliability(y_test, base),
            },
        )

    def example(self) -> dict[str, Any]:
        """Kota Surabaya's 2025 figures (the real example) with its debt fields."""
        return self.case_for("3578")

    def case_for(self, kode_pemda: str) -> dict[str, Any]:
        """A Pemda's latest budget year as a form case."""
        row = self.latest.loc[kode_pemda]
        case: dict[str, Any] = {"kode_pemda": kode_pemda}
        case.update({key: int(row[key]) for key in COMPONENT_KEYS})
        case.update({key: int(row[key]) for key in DEBT_FIELDS})
        case["pinjaman_baru"] = 0
        return case

    def validate(self, case: dict[str, Any]) -> dict[str, Any]:
        """The case with numbers parsed; raises :class:`InputError` listing every bad field."""
        problems: dict[str, str] = {}
        code = str(case.get("kode_pemda", "") or "").strip()
        known = pemda_codes()
        if not code:
            problems["kode_pemda"] = "wajib diisi: pilih kabupaten/kota (required: choose a Pemda)"
        elif code not in known:
            problems["kode_pemda"] = f"kode pemda {code!r} tidak dikenal (unknown region code)"
        values: dict[str, Any] = {"kode_pemda": code, "jenis": known.get(code, {}).get("jenis", "")}
        labels = {key: f"{number} {name}" for key, number, name in COMPONENTS}
        labels.update({key: text[0] for key, text in {**DEBT_FIELDS, **OPTIONAL_FIELDS}.items()})
        for key, label in labels.items():
            raw = case.get(key)
            if raw is None or str(raw).strip() == "":
                if key in OPTIONAL_FIELDS:
                    values[key] = 0.0
                    continue
                problems[key] = (
                    f"{label}: wajib diisi, isi 0 bila tidak ada (required; enter 0 if none)"
                )
                continue
            try:
                number = float(str(raw).replace(" ", "").replace(".", "").replace(",", "."))
                if isinstance(raw, int | float):
                    number = float(raw)
            except ValueError:
                problems[key] = (
                    f"{label}: harus angka rupiah, bukan {raw!r} (must be a rupiah amount)"
                )
                continue
            if not np.isfinite(number) or number < 0:
                problems[key] = f"{label}: tidak boleh negatif (must not be negative)"
                continue
            values[key] = number
        if not problems and sum(values[k] for k in COMPONENT_KEYS) <= 0:
            problems["pajak_daerah"] = (
                "jumlah pendapatan harus lebih dari 0 (total revenue must be > 0)"
            )
        if problems:
            raise InputError(problems)
        return values

    def _matrix(self, cases: list[dict[str, Any]]) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
        checked = [self.validate(case) for case in cases]
        return features(pd.DataFrame(checked)), checked

    def predict(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Per case: ``probabilitas`` (LightGBM), the scorecard's, the PP 56/2018 tests, reasons."""
        matrix, checked = self._matrix(cases)
        prob = np.asarray(self.booster.predict_proba(matrix))[:, 1]
        card = self.scorecard.predict_proba(matrix)[:, 1]
        contributions = tree_contributions(self.booster, matrix, FEATURES)
        return [
            {
                "kode_pemda": values["kode_pemda"],
                "probabilitas": round(float(prob[i]), 4),
                "probabilitas_scorecard": round(float(card[i]), 4),
                **pp56_checks(values),
                "alasan": reasons(contributions[i], REASONS, digits=4, most=4),
            }
            for i, values in enumerate(checked)
        ]

    def explain(self, cases: list[dict[str, Any]]) -> list[dict[str, float]]:
        """LightGBM ``pred_contrib`` (log-odds) per feature, largest magnitude first."""
        matrix, _ = self._matrix(cases)
        return [
            largest_first(row, digits=5)
            for row in tree_contributions(self.booster, matrix, FEATURES)
        ]

    def page_context(self, params: dict[str, str]) -> dict[str, Any]:
        """The form: the chosen Pemda's figures (or the edited ones) and, when asked, the result."""
        code = params.get("kode_pemda", "3578").strip()
        errors: dict[str, str] = {}
        if params.get("hitung"):
            case: dict[str, Any] = {key: value for key, value in params.items() if key != "hitung"}
        elif code in self.latest.index:
            case = self.case_for(code)
        else:
            case = {"kode_pemda": code}
            errors["kode_pemda"] = f"kode pemda {code!r} tidak dikenal (unknown region code)"
        result = explanation = None
        if not errors:
            try:
                result = self.predict([case])[0]
                explanation = self.explain([case])[0]
            except InputError as error:
                errors = error.problems
        known = pemda_codes()
        fields = [
            {"key": key, "label": f"{number}. {name}", "value": case.get(key, "")}
            for key, number, name in COMPONENTS
        ]
        debt = [
            {"key": key, "label": text[0], "label_en": text[1], "value": case.get(key, "")}
            for key, text in {**DEBT_FIELDS, **OPTIONAL_FIELDS}.items()
        ]
        return {
            "pemda_list": sorted(
                ({"kode": k, "nama": v["nama"]} for k, v in known.items()), key=lambda r: r["kode"]
            ),
            "kode_pemda": code,
            "nama_pemda": known.get(code, {}).get("nama", ""),
            "component_fields": fields,
            "debt_fields": debt,
            "errors": errors,
            "result": result,
            "explanation": explanation or {},
            "dscr_min": DSCR_MIN,
            "debt_limit": DEBT_LIMIT,
        }


MODEL = DistressModel
