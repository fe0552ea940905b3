"""Graph views and pages: the chain map, neighbourhoods, the gap map, plans and the
dashboard, rendered as HTML by the app (``api.routers.pages``) or written to standalone
files by the CLI (``redchain view``). See ``canvas`` for the payload every graph page
draws, ``page`` for how it becomes HTML safely."""
