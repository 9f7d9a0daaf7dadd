"""The JSON API described by OpenAPI 3.1, made from the route table so it cannot drift."""
from __future__ import annotations

from .. import __version__

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["status", "code", "message"],
    "properties": {"status": {"type": "integer"}, "code": {"type": "string"}, "message": {"type": "string"}}}}}
ERRORS = {"400": "The request is malformed.", "401": "The token is missing or wrong.",
          "403": "The Host header is not a loopback name.", "404": "No such account, topic or community.",
          "503": "The workspace cannot be read now (an ingest is writing it: try again shortly)."}


def spec(routes) -> dict:
    paths = {}
    for route in routes:
        if not route.api:
            continue
        parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                      for name in route.names]
        parameters += [{"name": name, "in": "query", "required": False, "schema": {"type": kind},
                        "description": text} for name, kind, text in route.query]
        responses = {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": route.returns}}}}}
        for status, text in ERRORS.items():
            responses[status] = {"description": text,
                                 "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        paths[route.openapi_path] = {"get": {"summary": route.summary, "operationId": route.handler.__name__,
                                     "parameters": parameters, "responses": responses}}
    return {"openapi": "3.1.0",
            "info": {"title": "Stature", "version": __version__,
                     "description": "Read-only access to a Stature workspace: scores and their explanations, topics "
                                    "and experts, communities. Every error has the Error shape."},
            "paths": paths,
            "components": {"schemas": {"Error": ERROR},
                           "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
            "security": [{}, {"token": []}]}
