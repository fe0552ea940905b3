"""ScopedGraph and web UI tests. A package, so that its conftest is imported as
``views.conftest`` and never shadows another directory's ``conftest`` module."""
