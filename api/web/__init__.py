"""The web pages: the dashboard, chain maps, neighbourhoods, the gap map and plans, rendered
as HTML by the app (``api.web.pages``) or written to standalone files by the CLI
(``redchain view``). See ``canvas`` for the payload every graph page draws, ``page`` for
how it becomes HTML safely."""
