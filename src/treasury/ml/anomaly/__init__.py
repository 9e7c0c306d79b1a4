"""Anomaly detection: the generic engine (:func:`score`) and the PPP payment model (``MODEL``).

``score(X)`` ranks rows of any numeric matrix (IsolationForest + ECOD + COPOD, plus kNN on
mostly continuous features, combined by robust z-scores); :class:`Ensemble` is the same engine
fitted once and reused on new rows (the village fund model uses it too). ``MODEL`` flags payments on the government payment platform.
"""

from __future__ import annotations

from treasury.ml.anomaly.engine import COPOD, ECOD, KNN, Ensemble, IForest, score
from treasury.ml.anomaly.model import PaymentAnomalyModel

MODEL = PaymentAnomalyModel

__all__ = ["COPOD", "ECOD", "KNN", "MODEL", "Ensemble", "IForest", "PaymentAnomalyModel", "score"]
