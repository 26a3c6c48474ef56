"""Helpers for commands: domain errors become a Chinese message on stderr and exit code 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from gridgov.errors import DomainError


@contextmanager
def fail_on_domain_error() -> Iterator[None]:
    try:
        yield
    except DomainError as exc:
        typer.echo(f"错误：{exc.message}", err=True)
        for item in exc.details or []:
            typer.echo("  " + "，".join(f"{k}={v}" for k, v in item.items()), err=True)
        raise typer.Exit(1) from exc


def ask_password(label: str) -> str:
    """A new password typed twice at hidden prompts (Chinese, unlike click's confirmation), until both agree."""
    while True:
        first = typer.prompt(label, hide_input=True)
        if typer.prompt("再输入一次确认", hide_input=True) == first:
            return first
        typer.echo("两次输入的密码不一致，请重新输入", err=True)
