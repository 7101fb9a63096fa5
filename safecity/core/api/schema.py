"""The OpenAPI schema: drf-spectacular's, with the error answers every operation can give.

Clients (and the schemathesis run in CI) rely on the schema listing every status code an
operation answers with; DRF gives the same error bodies everywhere, so they are added here
once instead of in each view's ``extend_schema``.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions

from .serializers import ErrorSerializer

VALIDATION_ERROR_SCHEMA = {
    "description": (
        "Field name → its messages (non_field_errors for the input as a whole); "
        "'detail' when the body cannot be read; or a list of messages."
    ),
    "oneOf": [
        {"type": "object", "additionalProperties": {}},
        {"type": "array", "items": {}},
    ],
}


def error(description: str) -> OpenApiResponse:
    """An error answer in DRF's shape, ``{"detail": "..."}``, for ``extend_schema``."""
    return OpenApiResponse(ErrorSerializer, description=description)


CONFLICT = error("The change is not allowed in the object's current state.")
FIELD_CONFLICT = OpenApiResponse(
    VALIDATION_ERROR_SCHEMA,
    description="The change is not allowed in the object's current state; the field says why.",
)
NOT_FOUND = error("No such object in your jurisdiction.")
ERRORS = {
    "400": OpenApiResponse(VALIDATION_ERROR_SCHEMA, description="Invalid input."),
    "401": error("No credentials, or invalid ones."),
    "403": error("Not permitted."),
    "404": NOT_FOUND,
    "415": error("Unsupported body media type."),
    "429": error("Too many requests; retry after the Retry-After header's seconds."),
}


class SafeCityAutoSchema(AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._error_codes(operation):
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ERRORS[code], code, media_types=["application/json"]
                )
        # A view whose writes can meet a state that refuses them names those answers once
        # (``write_conflicts = {"409": CONFLICT}``) rather than on every method.
        if self.method in ("POST", "PUT", "PATCH"):
            for code, response in getattr(self.view, "write_conflicts", {}).items():
                if code not in responses:
                    responses[code] = self._get_response_for_code(
                        response, code, media_types=["application/json"]
                    )
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_codes(self, operation: dict) -> list[str]:
        parameters = operation.get("parameters", [])
        query = {p["name"] for p in parameters if p["in"] == "query"}
        has_body = "requestBody" in operation
        codes = []
        if has_body or query:
            codes.append("400")
        if not all(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions()):
            codes += ["401", "403"]
        # A path parameter names an object; an unknown format or page cursor is "not found".
        if any(p["in"] == "path" for p in parameters) or query & {"format", "cursor"}:
            codes.append("404")
        if has_body:
            codes.append("415")
        if self.view.get_throttles():
            codes.append("429")
        return codes
