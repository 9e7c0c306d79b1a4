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
    context["prediction"] = first
    context["prediction_json"] = json.dumps(first, ensure_ascii=False, indent=1, default=str)
    context["explanation"] = explanation
    if model.page_template:
        context.update(model.page_context(dict(request.query_params)))
        return render(request, model.page_template, **context)
    return render(request, "ml/model.html", **context)
