"""The ``redchain`` command line: ``main`` holds the typer app, one module per command group."""
