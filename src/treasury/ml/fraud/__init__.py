"""Fraud detection on village funds (Dana Desa): features per village and year, Benford tests
with Nigrini's MAD bands, the anomaly engine and red-flag rules, a ranked review list."""

from __future__ import annotations

from treasury.ml.fraud.model import VillageFundFraudModel

MODEL = VillageFundFraudModel

__all__ = ["MODEL", "VillageFundFraudModel"]
