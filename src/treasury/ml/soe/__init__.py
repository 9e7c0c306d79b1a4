"""Early warning for state-owned enterprises: Altman Z'', KEP-100 and the failure model."""

from __future__ import annotations

from treasury.ml.soe.model import SoeEarlyWarningModel

MODEL = SoeEarlyWarningModel

__all__ = ["MODEL", "SoeEarlyWarningModel"]
