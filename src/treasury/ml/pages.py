"""The model pages: ``/ml`` (every model with its card and a beats-baseline badge) and
``/ml/{name}`` (a model's card, its metrics against the baseline and a form giving a prediction
with its explanation bars), plus the ALCO dashboard ``/dashboards/alco``.

A model with a page of its own sets ``page_template`` (a template under ``templates/ml/``); the
page gets the generic context (``model``, ``card``, ``example``...) and the model's
``page_context(query parameters)``.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from treasury.access import Principal
from treasury.access.http import PrincipalDep
from treasury.ml import registry
from treasury.ml.base import InputError, Model, model_classes

router = APIRouter(include_in_schema=False)


def _denied(request: Request, principal: Principal) -> HTMLResponse | None:
    """The refusal page for clients who may not use the models, else None."""
    if principal.is_internal:
        return None
    status = 403 if principal.is_authenticated else 401
    render = request.app.state.render
    return render(request, "ml/denied.html", status_code=status, status=status, principal=principal)


def field_kind(value: Any) -> str:
    """How the form edits a field: ``number``, ``checkbox``, ``text`` or ``json``."""
    if isinstance(value, bool):
        return "checkbox"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    return "json"


def form_fields(example: dict[str, Any]) -> list[dict[str, Any]]:
    """The form's fields from a model's example case."""
    out = []
    for key, value in example.items():
        kind = field_kind(value)
        shown = json.dumps(value, ensure_ascii=False) if kind == "json" else value
        out.append({"name": key, "value": shown, "kind": kind})
    return out


def _plain(value: Any) -> Any:
    """JSON for numpy scalars and anything else a prediction may hold."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def _trained(name: str) -> tuple[Model | None, dict[str, Any] | None]:
    try:
        return registry.load(name), registry.card(name).to_dict()
    except registry.NotTrained:
        return None, None


@router.get("/ml", response_class=HTMLResponse)
def ml_index(request: Request, principal: PrincipalDep) -> Response:
    """Every model: its card's headline metric against the baseline, or how to train it."""
    denied = _denied(request, principal)
    if denied is not None:
        return denied
    rows = []
    for name, cls in model_classes().items():
        versions = registry.versions(name)
        card = registry.card(name).to_dict() if versions else None
        rows.append({"name": name, "title": cls.title, "card": card, "versions": versions})
    return request.app.state.render(request, "ml/index.html", models=rows, principal=principal)


@router.get("/ml/{name}", response_class=HTMLResponse)
def ml_model(request: Request, name: str, principal: PrincipalDep) -> Response:
    """A model's page: card, metrics vs baseline, and a prediction form (or its own page)."""
    denied = _denied(request, principal)
    if denied is not None:
        return denied
    classes = model_classes()
    if name not in classes:
        raise HTTPException(404, f"unknown model {name!r}")
    render = request.app.state.render
    model, card = _trained(name)
    if model is None or card is None:
        return render(
            request,
            "ml/model.html",
            status_code=404,
            name=name,
            title=classes[name].title,
            card=None,
            principal=principal,
        )
    example = model.example()
    context: dict[str, Any] = {
        "name": name,
        "title": model.title,
        "description": model.description,
        "card": card,
        "model": model,
        "example": example,
        "fields": form_fields(example),
        "principal": principal,
    }
    try:
        first = model.predict([example])[0] if example else None
        explanation = model.explain([example])[0] if example else {}
    except InputError:
        first, explanation = None, {}
    # plain JSON types for the page's scripts (numpy numbers become floats or text)
    context["prediction"] = json.loads(json.dumps(first, default=_plain))
    context["prediction_json"] = json.dumps(first, ensure_ascii=False, indent=1, default=_plain)
    context["explanation"] = json.loads(json.dumps(explanation, default=_plain))
    if model.page_template:
        context.update(model.page_context(dict(request.query_params)))
        return render(request, model.page_template, **context)
    return render(request, "ml/model.html", **context)


# -- the ALCO dashboard ------------------------------------------------------------------------

_READERS: dict[int, Any] = {}


def _reader() -> Any:
    """One policy-enforcing reader per settings object."""
    from treasury.config import get_settings
    from treasury.warehouse.reader import Reader

    settings = get_settings()
    cached = _READERS.get(id(settings))
    if cached is None or cached[0] is not settings:
        _READERS.clear()
        cached = _READERS[id(settings)] = (settings, Reader(settings))
    return cached[1]


def _scenario(request: Request) -> str:
    from treasury.ml.alco import SCENARIOS

    scenario = request.query_params.get("scenario", "baseline")
    if scenario not in SCENARIOS:
        raise HTTPException(400, f"scenario must be one of: {', '.join(SCENARIOS)}")
    return scenario


def _report(request: Request, principal: Principal, scenario: str) -> Any:
    from treasury.config import get_settings
    from treasury.ml.alco import build_report

    return build_report(get_settings(), _reader(), principal, scenario)


@router.get("/dashboards/alco", response_class=HTMLResponse)
def alco_page(request: Request, principal: PrincipalDep) -> Response:
    """The ALCO dashboard: revenue, spending, cash, financing need and the buffer, per scenario."""
    from treasury.i18n import pick_language
    from treasury.ml.alco import ModelsMissing, figures

    denied = _denied(request, principal)
    if denied is not None:
        return denied
    scenario = _scenario(request)
    render = request.app.state.render
    try:
        report = _report(request, principal, scenario)
    except ModelsMissing as error:
        return render(
            request,
            "ml/alco.html",
            status_code=503,
            report=None,
            missing=str(error),
            scenario=scenario,
            principal=principal,
        )
    lang = pick_language(request.query_params.get("lang") or request.cookies.get("lang"))
    monthly = report.monthly.to_dict("records")
    return render(
        request,
        "ml/alco.html",
        report=report,
        scenario=scenario,
        figures=figures(report, lang),
        monthly=monthly,
        principal=principal,
    )


@router.get("/dashboards/alco/download.{fmt}")
def alco_download(request: Request, fmt: str, principal: PrincipalDep) -> Response:
    """A table of the ALCO report as CSV or XLSX (``?table=monthly|cash|summary``)."""
    import io

    from treasury.ml.alco import TABLES, ModelsMissing

    if not principal.is_internal:
        raise HTTPException(403 if principal.is_authenticated else 401, "internal users only")
    if fmt not in ("csv", "xlsx"):
        raise HTTPException(400, "format must be csv or xlsx")
    table_name = request.query_params.get("table", "monthly")
    if table_name not in TABLES:
        raise HTTPException(400, f"table must be one of: {', '.join(TABLES)}")
    scenario = _scenario(request)
    try:
        frame = _report(request, principal, scenario).table(table_name)
    except ModelsMissing as error:
        raise HTTPException(503, str(error)) from None
    name = f"alco_{table_name}_{scenario}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return Response(frame.to_csv(index=False), media_type="text/csv", headers=headers)
    buffer = io.BytesIO()
    with pd_excel_writer(buffer) as writer:
        frame.to_excel(writer, sheet_name=table_name, index=False)
    return Response(
        buffer.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=headers,
    )


def pd_excel_writer(target: Any) -> Any:
    """A pandas Excel writer on XlsxWriter (small tables: the fallback writer is fine)."""
    import pandas as pd

    return pd.ExcelWriter(target, engine="xlsxwriter")
