"""The shared core of the surfaces: services, chain scoping, audit, exports, security and
settings. Nothing here imports fastapi, typer or rich, so the CLI and the HTTP API use the
same rules."""
