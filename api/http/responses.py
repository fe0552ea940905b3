"""Responses built from what the services return."""

from fastapi.responses import Response


def json_response(body: bytes) -> Response:
    """A response for JSON the services have already encoded (and cached per view)."""
    return Response(body, media_type="application/json")
