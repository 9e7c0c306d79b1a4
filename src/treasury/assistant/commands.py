"""``treasury assistant``: ask the FAQ bot or the data assistant, re-embed the knowledge base."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True)


def _fail(message: str, hint: str = "") -> typer.Exit:
    console.print(f"[bold red]Error:[/] {message}")
    if hint:
        console.print(f"[yellow]Next:[/] {hint}")
    return typer.Exit(code=2)


def _question(text: str) -> str:
    from treasury.assistant.questions import BadQuestion, clean_question

    try:
        return clean_question(text)
    except BadQuestion as exc:
        raise _fail(exc.message, exc.hint) from None


def faq_command(
    question: Annotated[str, typer.Argument(help="a service question, e.g. 'syarat TUP'")],
    lang: Annotated[str, typer.Option(help="answer language: id or en")] = "id",
) -> None:
    """Answer a service question from the HAI DJPb knowledge base (JSON on stdout)."""
    from treasury.assistant.faq import faq_bot

    result = faq_bot().answer(_question(question), lang=lang)
    out = {"id": result.id, "answer": result.answer, "confidence": result.confidence}
    typer.echo(json.dumps(out, ensure_ascii=False, indent=2))


def ask_command(
    question: Annotated[str, typer.Argument(help="a data question, e.g. 'belanja modal 2023'")],
    user: Annotated[str, typer.Option(help="answer with this user's access rights")],
    lang: Annotated[str, typer.Option(help="answer language: id or en")] = "id",
) -> None:
    """Answer a data question with a user's rights (JSON on stdout)."""
    from treasury.access import Zone, get_user, principal_for_user
    from treasury.assistant.databot import DataAssistant
    from treasury.config import get_settings
    from treasury.db.session import session_scope
    from treasury.warehouse.reader import Reader, ReadError

    settings = get_settings()
    with session_scope(settings.app_database_url) as session:
        found = get_user(session, user)
        if found is None:
            raise _fail(f"no user {user!r}", "list users with: treasury users list")
        principal = principal_for_user(found, Zone.internet)
    try:
        answer = DataAssistant(Reader(settings)).ask(principal, _question(question), lang=lang)
    except ReadError as exc:
        raise _fail(exc.message, exc.hint or "") from None
    typer.echo(json.dumps(answer.as_dict(), ensure_ascii=False, indent=2, default=str))


def embed_command() -> None:
    """Recompute the knowledge base's embeddings into the package (after editing kb.jsonl)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from treasury.assistant import knowledge

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console) as bar:
        bar.add_task("embedding the knowledge base (about a minute)", total=None)
        vectors = knowledge.compute_vectors(knowledge.entries())
    knowledge.save_vectors(vectors, knowledge.VECTORS_PATH, knowledge.kb_digest())
    console.print(f"wrote {knowledge.VECTORS_PATH} ({len(vectors.owner)} answer sentences)")


def register(app: typer.Typer) -> None:
    """Add ``treasury assistant`` to the CLI."""
    assistant_app = typer.Typer(help="The assistant: FAQ bot, data questions, knowledge base.")
    assistant_app.command("faq")(faq_command)
    assistant_app.command("ask")(ask_command)
    assistant_app.command("embed-kb")(embed_command)
    app.add_typer(assistant_app, name="assistant", no_args_is_help=True)
