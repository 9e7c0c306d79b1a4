"""SPM priority tiers P1-P4 for the KPPN work queue.

P1 legally dated (salaries, pensions, debt service, statutory transfers and social insurance),
P2 contractual deadline or penalty, P3 year-end or large, P4 routine. Training data: SPMs built
from the synthetic SP2D/SAKTI extracts (:func:`treasury.sources.sp2d.generate_month`, tiny scale)
with hidden attributes drawn per SPM. The label is a documented rule on those hidden attributes,
not on the model's inputs: the payment stream's legal status; the *true* penalty date of a
contract (the SPM shows the contract end date for 70% of contracts, off by a few days); the
satker's annual ceiling (a payment above 5% of it is large; the SPM shows only the amount); then
5% of labels are moved one tier by reviewer disagreement.

The model: a multinomial logistic regression on TF-IDF of the description (Indonesian stemming
by Sastrawi, :func:`treasury.catalog.text.analyze`) plus the structured fields; explanations are
coefficient x value. The baseline: keyword rules on the description.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, recall_score

from treasury.catalog.text import analyze
from treasury.config import Settings
from treasury.ml.base import Evaluation, InputError, Model
from treasury.ml.explain import largest_first
from treasury.sources.run import Run
from treasury.sources.seeds import stream
from treasury.sources.sp2d import generate_month

TIERS = ("P1", "P2", "P3", "P4")
#: Account prefixes of legally dated obligations: salaries, pensions/insurance, interest,
#: and the streams that pay them.
LEGAL_ACCOUNTS = ("511", "512", "541", "542", "543", "572", "574")
CONTRACT_ACCOUNTS = ("522", "523", "53")
PAYMENT_TYPES = ("LS", "UP", "GUP", "TUP")
PAYEES = ("pegawai", "bendahara", "pihak_ketiga", "badan_usaha", "lembaga")
SLA_MINUTES = 60
STRUCTURED = [
    "log_nilai",
    "desember_akhir",
    "bulan",
    "hari_ke_kontrak",
    "kontrak_7_hari",
    "kontrak_3_hari",
    "tanpa_tanggal_kontrak",
    *[f"akun_{p}" for p in ("51", "52", "53", "54", "55", "56", "57", "58")],
    *[f"jenis_{p}" for p in PAYMENT_TYPES],
    *[f"penerima_{p}" for p in PAYEES],
]
KEYWORDS = {
    "P1": (
        "gaji",
        "pensiun",
        "bunga",
        "imbalan",
        "iuran",
        "diskonto",
        "kupon",
        "tunjangan",
        "uang makan",
        "bantuan sosial",
        "hibah",
    ),
    "P2": ("termin", "kontrak", "konsultan", "langganan"),
}


def spm_records(seed: int, years: tuple[int, ...]) -> pd.DataFrame:
    """One row per SPM from the synthetic extracts, with the hidden attributes and the tier."""
    run = Run.create("tiny", seed=seed, as_of=dt.date(max(years), 12, 31))
    frames = []
    for year in years:
        for month in range(1, 13):
            payments = generate_month(run, year, month)
            lines = payments.sp2d.to_pandas()
            spm = payments.spm.to_pandas()[["nomor_spm", "kode_kppn", "waktu_unggah", "waktu_sp2d"]]
            first = lines[lines["baris"] == 1].drop(columns=["nilai", "kode_kppn"])
            total = lines.groupby("nomor_spm", as_index=False)["nilai"].sum()
            frames.append(first.merge(total, on="nomor_spm").merge(spm, on="nomor_spm"))
    out = pd.concat(frames, ignore_index=True)
    return _hidden_and_label(out, stream(seed, "priority_hidden"))


def _hidden_and_label(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    n = len(frame)
    akun = frame["kode_akun"].astype(str)
    legal = akun.str.startswith(LEGAL_ACCOUNTS).to_numpy() | (
        frame["kode_ba"] == "999"
    ).to_numpy() & (akun.str[:2].isin(["54", "56"]).to_numpy())
    contract = (
        akun.str.startswith(CONTRACT_ACCOUNTS).to_numpy()
        & (frame["jenis_pembayaran"] == "LS").to_numpy()
    )
    day = pd.to_datetime(frame["tanggal_spm"]).to_numpy().astype("datetime64[D]")
    penalty_in = rng.integers(-3, 40, n)  # days from the SPM to the contract's penalty date
    shown = contract & (rng.random(n) < 0.7)
    shown_end = day + (penalty_in + rng.integers(-3, 4, n)).astype("timedelta64[D]")
    ceiling = np.exp(rng.normal(np.log(frame["nilai"].median() * 60), 1.2, n))
    month = pd.to_datetime(frame["tanggal_spm"]).dt.month.to_numpy()
    dom = pd.to_datetime(frame["tanggal_spm"]).dt.day.to_numpy()
    year_end = (month == 12) & (dom >= 15)
    tier = np.where(
        legal,
        0,
        np.where(
            contract & (penalty_in <= 7),
            1,
            np.where(year_end | (frame["nilai"] > 0.05 * ceiling), 2, 3),
        ),
    )
    moved = rng.random(n) < 0.05
    tier = np.where(moved, np.clip(tier + rng.choice([-1, 1], n), 0, 3), tier)
    out = frame.assign(
        tanggal_kontrak_berakhir=np.where(shown, shown_end, np.datetime64("NaT")),
        tier=np.asarray(TIERS)[tier],
    )
    return out


def structured(frame: pd.DataFrame) -> np.ndarray:
    """The structured columns of :data:`STRUCTURED` (rows x columns)."""
    day = pd.to_datetime(frame["tanggal_spm"])
    end = pd.to_datetime(frame["tanggal_kontrak_berakhir"])
    days = (end - day).dt.days
    akun = frame["kode_akun"].astype(str).str[:2]
    cols = [
        (np.log10(frame["nilai"].clip(lower=1).to_numpy(dtype=np.float64)) - 9.0) / 2.0,
        ((day.dt.month == 12) & (day.dt.day >= 15)).to_numpy(dtype=np.float64),
        day.dt.month.to_numpy(dtype=np.float64) / 12,
        np.clip(days.fillna(60).to_numpy(dtype=np.float64), -10, 60) / 60,
        (days <= 7).to_numpy(dtype=np.float64),
        (days <= 3).to_numpy(dtype=np.float64),
        days.isna().to_numpy(dtype=np.float64),
        *[
            (akun == p).to_numpy(dtype=np.float64)
            for p in ("51", "52", "53", "54", "55", "56", "57", "58")
        ],
        *[(frame["jenis_pembayaran"] == p).to_numpy(dtype=np.float64) for p in PAYMENT_TYPES],
        *[(frame["jenis_penerima"] == p).to_numpy(dtype=np.float64) for p in PAYEES],
    ]
    return np.column_stack(cols)


def keyword_tier(text: str, day: pd.Timestamp) -> str:
    """The keyword baseline: P1/P2 words in the description, else late December, else P4."""
    lowered = text.lower()
    for tier in ("P1", "P2"):
        if any(word in lowered for word in KEYWORDS[tier]):
            return tier
    return "P3" if day.month == 12 and day.day >= 15 else "P4"


def _metrics(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    return {
        "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4),
        "p1_recall": round(float(recall_score(truth == "P1", predicted == "P1")), 4),
        "accuracy": round(float((truth == predicted).mean()), 4),
    }


class PriorityModel(Model):
    """TF-IDF (Sastrawi stems) + structured fields -> multinomial logistic regression."""

    name: ClassVar[str] = "priority"
    title: ClassVar[dict[str, str]] = {
        "id": "Prioritas SPM (P1-P4) dan antrean kerja KPPN",
        "en": "SPM priority tiers (P1-P4) and the KPPN work queue",
    }
    description: ClassVar[dict[str, str]] = {
        "id": "P1 wajib tepat tanggal (gaji, utang, transfer), P2 tenggat/denda kontrak, P3 akhir "
        "tahun atau besar, P4 rutin; dari isian SPM dan uraiannya.",
        "en": "P1 legally dated (salaries, debt service, transfers), P2 contract deadline or "
        "penalty, P3 year-end or large, P4 routine; from the SPM's fields and description.",
    }
    labels: ClassVar[str] = (
        "Tier from hidden attributes of each SPM: legal status of its payment stream, the true "
        "contract penalty date (shown on 70% of contracts, off by up to 3 days), the satker's "
        "hidden annual ceiling (large = above 5% of it), year-end after 15 December; 5% of labels "
        "moved one tier (reviewer disagreement)."
    )
    page_template: ClassVar[str | None] = "ml/risk/priority.html"
    region_field: ClassVar[str | None] = None
    years: ClassVar[tuple[int, ...]] = (2022, 2023, 2024)

    def __init__(self) -> None:
        self.features = [*STRUCTURED, "uraian (TF-IDF)"]

    def train(self, settings: Settings | None = None, seed: int = 7) -> PriorityModel:
        """Fit on all years but the last; the last year is the hold-out."""
        records = spm_records(seed, self.years)
        last = pd.to_datetime(records["tanggal_spm"]).dt.year == self.years[-1]
        train, self.test = (
            records[~last.to_numpy()],
            records[last.to_numpy()].reset_index(drop=True),
        )
        self.vectorizer = TfidfVectorizer(analyzer=analyze, min_df=2, sublinear_tf=True)
        text = self.vectorizer.fit_transform(train["uraian"])
        self.classifier = LogisticRegression(C=4.0, max_iter=3000).fit(
            sparse.hstack([sparse.csr_matrix(structured(train)), text]).tocsr(), train["tier"]
        )
        self.data_version = (
            f"synthetic SP2D/SAKTI (tiny scale, seed {seed}): {len(train)} SPM {self.years[0]}-"
            f"{self.years[-2]} train, {len(self.test)} SPM {self.years[-1]} hold-out"
        )
        return self

    def _design(self, frame: pd.DataFrame) -> sparse.csr_matrix:
        text = self.vectorizer.transform(frame["uraian"])
        return sparse.hstack([sparse.csr_matrix(structured(frame)), text]).tocsr()

    def classify(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Predicted tier and class probabilities (columns in :data:`TIERS` order)."""
        prob = self.classifier.predict_proba(self._design(frame))
        order = [list(self.classifier.classes_).index(t) for t in TIERS]
        prob = prob[:, order]
        return np.asarray(TIERS)[prob.argmax(axis=1)], prob

    def evaluate(self) -> Evaluation:
        """Macro-F1 and P1 recall on the hold-out year against the keyword rules."""
        truth = self.test["tier"].to_numpy()
        predicted, _ = self.classify(self.test)
        days = pd.to_datetime(self.test["tanggal_spm"])
        base = np.array(
            [keyword_tier(t, d) for t, d in zip(self.test["uraian"], days, strict=True)]
        )
        return Evaluation(
            method=f"hold-out: year {self.years[-1]} ({len(truth)} SPM)",
            metrics=_metrics(truth, predicted),
            baseline="keyword rules on the description",
            baseline_metrics=_metrics(truth, base),
            primary_metric="macro_f1",
            higher_is_better=True,
            rows=len(truth),
            extra={"tiers": {t: int((truth == t).sum()) for t in TIERS}},
        )

    def example(self) -> dict[str, Any]:
        """A contract payment whose penalty date is near."""
        return {
            "uraian": "Pembayaran termin 3 pembangunan gedung kantor di Makassar",
            "kode_akun": "533111",
            "jenis_pembayaran": "LS",
            "jenis_penerima": "badan_usaha",
            "nilai": 45_600_000_000,
            "tanggal_spm": "2024-10-14",
            "tanggal_kontrak_berakhir": "2024-10-18",
        }

    def _frame(self, cases: list[dict[str, Any]]) -> pd.DataFrame:
        rows = []
        for case in cases:
            problems: dict[str, str] = {}
            text = str(case.get("uraian") or "").strip()
            if len(text) < 5:
                problems["uraian"] = "uraian SPM wajib diisi (required: the SPM description)"
            akun = str(case.get("kode_akun") or "")
            if not (len(akun) == 6 and akun.isdigit() and akun[0] == "5"):
                problems["kode_akun"] = (
                    "kode akun belanja 6 digit diawali 5, mis. 521211 (a 6-digit spending account)"
                )
            if case.get("jenis_pembayaran") not in PAYMENT_TYPES:
                problems["jenis_pembayaran"] = f"pilih {', '.join(PAYMENT_TYPES)} (choose one)"
            if case.get("jenis_penerima") not in PAYEES:
                problems["jenis_penerima"] = f"pilih {', '.join(PAYEES)} (choose one)"
            try:
                nilai = float(case.get("nilai"))  # type: ignore[arg-type]
                if not np.isfinite(nilai) or nilai <= 0:
                    raise ValueError
            except (TypeError, ValueError):
                problems["nilai"] = "nilai SPM harus lebih dari 0 (amount must be > 0)"
                nilai = 0.0
            dates: dict[str, Any] = {}
            for key in ("tanggal_spm", "tanggal_kontrak_berakhir"):
                raw = case.get(key) or ""
                if not raw and key == "tanggal_kontrak_berakhir":
                    dates[key] = pd.NaT
                    continue
                try:
                    dates[key] = pd.Timestamp(dt.date.fromisoformat(str(raw)))
                except ValueError:
                    problems[key] = (
                        f"format tanggal YYYY-MM-DD, bukan {raw!r} (date must be YYYY-MM-DD)"
                    )
            if problems:
                raise InputError(problems)
            rows.append(
                {"uraian": text, "kode_akun": akun, "jenis_pembayaran": case["jenis_pembayaran"],
                 "jenis_penerima": case["jenis_penerima"], "nilai": nilai, **dates}
            )  # fmt: skip
        return pd.DataFrame(rows)

    def predict(self, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Per SPM: the tier, its probabilities, and the keyword baseline's tier."""
        frame = self._frame(cases)
        tiers, prob = self.classify(frame)
        return [
            {
                "tier": str(tiers[i]),
                "probabilitas": {
                    t: round(float(p), 4) for t, p in zip(TIERS, prob[i], strict=True)
                },
                "tier_kata_kunci": keyword_tier(
                    frame["uraian"].iloc[i], frame["tanggal_spm"].iloc[i]
                ),
            }
            for i in range(len(frame))
        ]

    def explain(self, cases: list[dict[str, Any]]) -> list[dict[str, float]]:
        """Coefficient x value toward the predicted tier, per structured field and word."""
        frame = self._frame(cases)
        design = self._design(frame)
        tiers, _ = self.classify(frame)
        names = [*STRUCTURED, *(f"kata:{w}" for w in self.vectorizer.get_feature_names_out())]
        out = []
        for i in range(design.shape[0]):
            row = design.getrow(i)
            k = list(self.classifier.classes_).index(tiers[i])
            coef = self.classifier.coef_[k]
            contrib = {
                names[j]: float(coef[j] * v) for j, v in zip(row.indices, row.data, strict=True)
            }
            nonzero = {key: value for key, value in contrib.items() if value != 0}
            out.append(largest_first(nonzero, digits=4, most=15))
        return out

    def work_queue(self, kode_kppn: str = "", day: str = "", now: str = "10:00") -> dict[str, Any]:
        """The SPMs uploaded by ``now`` on ``day`` (one KPPN, or all): waiting ones first, by tier
        and by minutes left of the 1-hour SLA; then the ones already paid, with their minutes."""
        test = self.test
        days = pd.to_datetime(test["waktu_unggah"]).dt.normalize()
        if not day:
            day = str(days.value_counts().idxmax())[:10]
        moment = pd.Timestamp(f"{day} {now}")
        rows = test[(days == moment.normalize()) & (test["waktu_unggah"] <= moment)]
        if kode_kppn:
            rows = rows[rows["kode_kppn"] == kode_kppn]
        tiers = self.classify(rows)[0] if len(rows) else np.array([])
        due = rows["waktu_unggah"] + pd.Timedelta(minutes=SLA_MINUTES)
        left = ((due - moment).dt.total_seconds() / 60).to_numpy()
        taken = ((rows["waktu_sp2d"] - rows["waktu_unggah"]).dt.total_seconds() / 60).to_numpy()
        waiting = ~(rows["waktu_sp2d"] <= moment).to_numpy()
        queue = [
            {
                "nomor_spm": r["nomor_spm"],
                "kode_kppn": r["kode_kppn"],
                "kode_satker": r["kode_satker"],
                "uraian": r["uraian"],
                "nilai": int(r["nilai"]),
                "tier": str(tiers[i]),
                "tier_label": r["tier"],
                "menunggu": bool(waiting[i]),
                "menit_tersisa": round(float(left[i]), 1),
                "menit_proses": None if np.isnan(taken[i]) else round(float(taken[i]), 1),
                "waktu_unggah": r["waktu_unggah"].strftime("%H:%M"),
            }
            for i, (_, r) in enumerate(rows.iterrows())
        ]
        queue.sort(key=lambda q: (not q["menunggu"], q["tier"], q["menit_tersisa"]))
        return {
            "kode_kppn": kode_kppn,
            "tanggal": day,
            "jam": now,
            "antrean": queue,
            "kppn_list": sorted(test["kode_kppn"].astype(str).unique()),
        }

    def page_context(self, params: dict[str, str]) -> dict[str, Any]:
        """The work queue of the chosen KPPN, day and time (default: the busiest day, 10:00)."""
        errors: dict[str, str] = {}
        now = params.get("jam", "10:00") or "10:00"
        try:
            dt.time.fromisoformat(now)
        except ValueError:
            errors["jam"] = f"jam berformat HH:MM, bukan {now!r} (time must be HH:MM)"
            now = "10:00"
        day = params.get("tanggal", "")
        if day:
            try:
                dt.date.fromisoformat(day)
            except ValueError:
                errors["tanggal"] = (
                    f"tanggal berformat YYYY-MM-DD, bukan {day!r} (date must be YYYY-MM-DD)"
                )
                day = ""
        code = params.get("kode_kppn", "").strip()
        if code and code not in set(self.test["kode_kppn"].astype(str)):
            errors["kode_kppn"] = f"KPPN {code!r} tidak ada di data uji (not in the hold-out data)"
            code = ""
        queue = self.work_queue(code, day, now)
        return {**queue, "errors": errors, "sla_minutes": SLA_MINUTES}


MODEL = PriorityModel
