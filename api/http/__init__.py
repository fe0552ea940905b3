"""The JSON API: the FastAPI app, its dependencies, error shapes and one router per resource."""
