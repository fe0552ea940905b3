"""The `redchain` command line: one typer app, each topic's commands in api/commands/."""

from __future__ import annotations

import typer

from api.commands import changes, coverage, demo, imports, migrate, server, views
from api.commands.chains import chains_app
from api.commands.gaps import gaps_app
from api.commands.plans import plan_app

app = typer.Typer(
    name="redchain",
    help="redchain: map party-building work along industry chains (产业链党建) as a graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
imports.register(app)
demo.register(app)
coverage.register(app)
changes.register(app)
server.register(app)
migrate.register(app)
views.register(app)
coverage.register_gaps(gaps_app)
app.add_typer(gaps_app, name="gaps", help="Find gaps: uncovered enterprises, organisation checks, pairing and contact gaps.")
app.add_typer(chains_app, name="chains", help="List chains and show one chain's structure segment by segment.")
app.add_typer(plan_app, name="plan", help="Propose contact points, instructors, pairings or joint branches (--apply writes them).")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
