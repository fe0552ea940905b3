"""The `redchain` command line."""

from __future__ import annotations

import typer

from api.commands import demo, imports

app = typer.Typer(
    name="redchain",
    help="redchain: map party-building work along industry chains (产业链党建) as a graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
imports.register(app)
demo.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
