"""The ml product's routes: the models API, the model pages and the ALCO dashboard.

API (native envelope): ``GET /api/v1/models`` (the cards), ``GET /api/v1/models/{name}`` (one
card and an example input), ``POST /api/v1/models/{name}/predict`` with ``{"cases": [...]}`` or a
single case object -> one prediction and explanation per case. Models and their pages are for
authenticated internal users (401 anonymous, 403 external); a model that declares a
``region_field`` only answers a scoped user about regions of its scope.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Body, HTTPException, Path
from fastapi.responses import JSONResponse

from treasury.access import Principal
from treasury.access.http import PrincipalDep
from treasury.access.policy import Classification, DatasetPolicyInfo, row_filter_for
from treasury.envelope import ERROR_RESPONSES, EnvelopeRoute, ErrorBody, ErrorOut, success
from treasury.ml import registry
from treasury.ml.base import InputError, Model

MAX_CASES = 1000
NAME = Path(pattern=r"^[a-z][a-z0-9_]{1,40}$", description="model name, e.g. forecasting")

api = APIRouter(
    prefix="/api/v1/models",
    tags=["models"],
    route_class=EnvelopeRoute,
    responses=ERROR_RESPONSES,
)


def require_internal(principal: Principal) -> None:
    """401 for anonymous clients, 403 for users who are not internal."""
    if not principal.is_authenticated and not principal.is_internal:
        raise HTTPException(
            401,
            detail={
                "code": "unauthorized",
                "message": "the models are for internal users: log in or send an API token",
            },
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not principal.is_internal:
        raise HTTPException(
            403,
            detail={"code": "forbidden", "message": "the models are for internal users only"},
        )


def get_model(name: str) -> Model:
    """The latest trained model, or a 404 saying how to train it."""
    try:
        return registry.load(name)
    except registry.UnknownModel as error:
        raise HTTPException(404, detail={"code": "unknown_model", "message": str(error)}) from None
    except registry.NotTrained as error:
        raise HTTPException(
            404,
            detail={"code": "not_trained", "message": f"{error}: {error.hint}"},
        ) from None


def _scope_values(principal: Principal, field: str) -> tuple[str, tuple[str, ...]] | None:
    """(column, allowed codes) of a scoped principal for a region field, None if unscoped."""
    columns = {
        "kode_pemda": frozenset({"kode_provinsi", "kode_kabkota"}),
        "kode_kabkota": frozenset({"kode_provinsi", "kode_kabkota"}),
    }.get(field, frozenset({field}))
    info = DatasetPolicyInfo(
        slug="models", classification=Classification.internal, columns=columns, row_scoped=True
    )
    try:
        scope = row_filter_for(principal, info)
    except LookupError:
        return ("", ())  # scoped, but not by a column this field can express: nothing allowed
    if scope is None:
        return None
    column, values = next(iter(scope.items()))
    return column, tuple(values)


def _in_scope(value: str, field: str, column: str, allowed: tuple[str, ...]) -> bool:
    if not column:
        return False
    if column == field:
        return value in allowed
    if column == "kode_provinsi":
        return value[:2] in allowed
    if column == "kode_kabkota":
        return value in allowed
    return False


def check_scope(principal: Principal, model: Model, cases: list[dict[str, Any]]) -> None:
    """403 when a scoped user asks about a region outside its scope."""
    field = model.region_field
    if not field:
        return
    scope = _scope_values(principal, field)
    if scope is None:
        return
    column, allowed = scope
    for i, case in enumerate(cases):
        value = case.get(field)
        if value is not None and not _in_scope(str(value), field, column, allowed):
            where = field if len(cases) == 1 else f"cases[{i}].{field}"
            raise HTTPException(
                403,
                detail={
                    "code": "out_of_scope",
                    "message": f"{where}: region {value} is outside your organisation's scope",
                },
            )


def input_error_response(problems: dict[str, str]) -> JSONResponse:
    """400 in the error envelope with ``error.fields``: one message per bad field."""
    message = "; ".join(f"{field}: {text}" for field, text in problems.items())
    body = ErrorOut(
        error=ErrorBody(
            status=400,
            code="bad_input",
            message=message,
            hint="fix the fields named and send again; GET /api/v1/models/{name} has an example",
        )
    ).model_dump()
    body["error"]["fields"] = problems
    return JSONResponse(body, status_code=400)


def parse_cases(body: Any) -> list[dict[str, Any]]:
    """The cases of a predict body: ``{"cases": [...]}`` or a single object."""
    if isinstance(body, dict) and "cases" in body:
        cases = body["cases"]
        if not isinstance(cases, list) or not cases:
            raise InputError({"cases": "must be a non-empty list of objects"})
    elif isinstance(body, dict):
        cases = [body]
    elif isinstance(body, list) and body:
        cases = body
    else:
        raise InputError({"body": 'send {"cases": [{...}, ...]} or one case object'})
    if len(cases) > MAX_CASES:
        raise InputError({"cases": f"at most {MAX_CASES} cases per request, got {len(cases)}"})
    bad = [i for i, case in enumerate(cases) if not isinstance(case, dict)]
    if bad:
        raise InputError({f"cases[{bad[0]}]": "must be an object of field: value"})
    return cases


def _per_case_problems(model: Model, cases: list[dict[str, Any]]) -> dict[str, str]:
    """Which case each problem belongs to, when a batch failed."""
    problems: dict[str, str] = {}
    for i, case in enumerate(cases):
        try:
            model.predict([case])
        except InputError as error:
            problems.update({f"cases[{i}].{k}": v for k, v in error.problems.items()})
    return problems


def predict_cases(model: Model, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Predictions with their explanations, one dict per case."""
    predictions = model.predict(cases)
    explanations = model.explain(cases)
    return [
        {"prediction": p, "explanation": e} for p, e in zip(predictions, explanations, strict=True)
    ]


@api.get("", summary="The trained models and their cards")
def list_models(principal: PrincipalDep) -> dict[str, Any]:
    """Every trained model's latest card (metrics against its baseline, data, features)."""
    require_internal(principal)
    cards = [card.to_dict() for card in registry.cards()]
    return success(cards, count=len(cards))


@api.get("/{name}", summary="One model's card and an example input")
def model_detail(principal: PrincipalDep, name: str = NAME) -> dict[str, Any]:
    """The latest card of a trained model and an example case for predict."""
    require_internal(principal)
    model = get_model(name)
    return success(
        {"card": registry.card(name).to_dict(), "example": model.example()},
        versions=registry.versions(name),
    )


@api.post("/{name}/predict", summary="Predict and explain")
def predict(
    principal: PrincipalDep,
    name: str = NAME,
    body: Any = Body(..., examples=[{"cases": [{}]}]),
) -> Any:
    """Predictions with per-feature explanations for one case or ``{"cases": [...]}``."""
    require_internal(principal)
    model = get_model(name)
    started = time.perf_counter()
    try:
        cases = parse_cases(body)
    except InputError as error:
        return input_error_response(error.problems)
    check_scope(principal, model, cases)
    try:
        results = predict_cases(model, cases)
    except InputError as error:
        problems = error.problems
        if len(cases) > 1:
            problems = _per_case_problems(model, cases) or problems
        return input_error_response(problems)
    return success(
        results,
        model=name,
        version=registry.versions(name)[-1],
        count=len(results),
        milliseconds=round(1000 * (time.perf_counter() - started), 2),
    )


def _router() -> APIRouter:
    from treasury.ml.pages import router as pages

    out = APIRouter()
    out.include_router(api)
    out.include_router(pages)
    return out


router = _router()
