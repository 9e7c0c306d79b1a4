"""A recognition result goes straight into the SPM priority model (another product's module)."""

from __future__ import annotations

import pytest

from treasury.assistant.ocr.recognize import to_priority_case
from treasury.assistant.ocr.render import SpmRecord, make_records


def _result(record: SpmRecord) -> dict[str, object]:
    """What :func:`recognize` returns for a document read right (fields only)."""
    fields = {name: {"value": value, "valid": True} for name, value in record.truth().items()}
    fields["jenis_pembayaran"] = {"value": record.jenis_pembayaran, "valid": True}
    fields["uraian"] = {"value": record.uraian, "valid": True}
    return {"status": "ok", "document_type": record.kind, "fields": fields}


def test_priority_model_accepts_the_case() -> None:
    priority = pytest.importorskip("treasury.ml.priority")
    model = priority.PriorityModel().train()
    cases = [to_priority_case(_result(r)) for r in make_records(6, seed=51)]
    assert all(c["valid"] and c["source"] == "ocr" for c in cases)
    predictions = model.predict(cases)
    assert len(predictions) == len(cases)
    for prediction in predictions:
        assert prediction["tier"] in ("P1", "P2", "P3", "P4")
        assert sum(prediction["probabilitas"].values()) == pytest.approx(1.0, abs=0.01)
