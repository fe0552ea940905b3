"""``python -m api.cli``: the same as the ``redchain`` command."""

from api.cli.main import main

main()
