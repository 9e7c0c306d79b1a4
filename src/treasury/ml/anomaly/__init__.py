"""Anomaly detection: the generic engine (:func:`score`) and the PPP payment model (``MODEL``).

``score(X)`` ranks rows of any numeric matrix (IsolationForest + ECOD + COPOD by rank
averaging); :class:`Ensemble` is the same engine fitted once and reused on new rows (the village
fund model uses it too). ``MODEL`` flags payments on the government payment platform.
"""

from __future__ import annotations

from treasury.ml.anomaly.engine import COPOD, ECOD, Ensemble, IForest, score
from treasury.ml.anomaly.model import PaymentAnomalyModel

MODEL = PaymentAnomalyModel

__all__ = ["COPOD", "ECOD", "MODEL", "Ensemble", "IForest", "PaymentAnomalyModel", "score"]
