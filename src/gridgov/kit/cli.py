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
