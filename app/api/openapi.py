"""The OpenAPI 3.1 description of /api/v1, written once here; the JSON route and the docs page read it."""

ERROR = {
    "type": "object",
    "required": ["status", "error"],
    "properties": {
        "status": {"type": "integer"},
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "integer"},
                "message": {"type": "string"},
                "fields": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["path", "message"],
                        "properties": {
                            "path": {"type": "string", "examples": ["body.rows[3].day"]},
                            "message": {"type": "string"},
                        },
                    },
                },
            },
        },
    },
}
TEAM = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "headcount": {"type": "integer"}},
}
ACCOUNT = {
    "type": "object",
    "required": ["id", "name", "licensed_seats", "kickoff_date"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "industry": {"type": "string"},
        "licensed_seats": {"type": "integer"},
        "monthly_spend_yen": {"type": "integer"},
        "kickoff_date": {"type": "string", "format": "date"},
        "teams": {"type": "array", "items": {"$ref": "#/components/schemas/Team"}},
    },
}
USE_CASE_IN = {
    "type": "object",
    "required": ["title", "model_name", "used_on"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "maxLength": 200},
        "model_name": {"type": "string"},
        "used_on": {"type": "string", "format": "date"},
        "problem": {"type": "string"},
        "prompt": {"type": "string"},
        "result": {"type": "string"},
        "minutes_saved_per_run": {"type": "integer", "minimum": 0},
        "runs_per_month": {"type": "integer", "minimum": 0},
        "people": {"type": "integer", "minimum": 1},
        "team_id": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}
USE_CASE = {
    "allOf": [
        {"$ref": "#/components/schemas/UseCaseIn"},
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "stage": {"type": "string"},
                "source": {"type": "string"},
            },
        },
    ]
}
USAGE_ROW = {
    "type": "object",
    "required": ["day", "user"],
    "additionalProperties": False,
    "properties": {
        "day": {"type": "string", "examples": ["2026-11-24"], "description": "2026-11-24 or 2026/11/24"},
        "user": {"type": "string", "description": "an email or id; stored only as a keyed hash"},
        "team": {"type": "string", "description": "a team of the account"},
        "app": {"type": "string", "default": "api"},
        "actions": {"type": "number", "minimum": 0},
        "minutes_saved": {"type": "number", "minimum": 0},
        "active": {"type": "integer", "minimum": 0, "default": 1},
    },
}
ID = {"name": "account_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


def _errors(*codes: int) -> dict:
    return {
        str(code): {
            "description": {
                400: "bad JSON",
                401: "no valid token",
                403: "read-only token",
                404: "not found",
                413: "too many rows",
                422: "invalid fields",
                429: "rate limited",
            }[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code in codes
    }


def _ok(schema: dict, status: str = "200", description: str = "OK") -> dict:
    return {status: {"description": description, "content": {"application/json": {"schema": schema}}}}


def spec(server: str = "") -> dict:
    """The OpenAPI document (``server``: this installation's base URL)."""
    read = [{"token": []}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "AdoptLoop API",
            "version": "1",
            "description": "Read accounts and adoption metrics, post use cases and daily usage rows. "
            "Authenticate with a token the vendor owner creates under Team → API tokens.",
        },
        "servers": [{"url": f"{server}/api/v1"}],
        "security": read,
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer", "description": "al_..."}},
            "schemas": {
                "Error": ERROR,
                "Team": TEAM,
                "Account": ACCOUNT,
                "UseCaseIn": USE_CASE_IN,
                "UseCase": USE_CASE,
                "UsageRow": USAGE_ROW,
            },
        },
        "paths": {
            "/accounts": {
                "get": {
                    "operationId": "listAccounts",
                    "summary": "The vendor's client accounts, paged",
                    "parameters": [
                        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                        {
                            "name": "per_page",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                    ],
                    "responses": {
                        **_ok(
                            {
                                "type": "object",
                                "properties": {
                                    "page": {"type": "integer"},
                                    "per_page": {"type": "integer"},
                                    "total": {"type": "integer"},
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Account"},
                                    },
                                },
                            }
                        ),
                        **_errors(401, 422, 429),
                    },
                }
            },
            "/accounts/{account_id}": {
                "get": {
                    "operationId": "getAccount",
                    "summary": "One client account with its teams",
                    "parameters": [ID],
                    "responses": {**_ok({"$ref": "#/components/schemas/Account"}), **_errors(401, 404, 429)},
                }
            },
            "/accounts/{account_id}/metrics": {
                "get": {
                    "operationId": "getMetrics",
                    "summary": "Adoption metrics for a period (default: the last 30 days)",
                    "parameters": [
                        ID,
                        {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
                        {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
                    ],
                    "responses": {**_ok({"type": "object"}), **_errors(401, 404, 422, 429)},
                }
            },
            "/accounts/{account_id}/use-cases": {
                "get": {
                    "operationId": "listUseCases",
                    "summary": "Published use cases, newest first",
                    "parameters": [
                        ID,
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                    ],
                    "responses": {
                        **_ok(
                            {
                                "type": "object",
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/UseCase"},
                                    }
                                },
                            }
                        ),
                        **_errors(401, 404, 422, 429),
                    },
                },
                "post": {
                    "operationId": "postUseCase",
                    "summary": "Publish a use case (write token)",
                    "parameters": [ID],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/UseCaseIn"}}
                        },
                    },
                    "responses": {
                        **_ok({"$ref": "#/components/schemas/UseCase"}, "201", "Created"),
                        **_errors(400, 401, 403, 404, 422, 429),
                    },
                },
            },
            "/accounts/{account_id}/usage": {
                "post": {
                    "operationId": "postUsage",
                    "summary": "Daily usage rows (write token), all or nothing",
                    "description": "A row for the same day, person and app replaces the stored one.",
                    "parameters": [ID],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["rows"],
                                    "properties": {
                                        "rows": {
                                            "type": "array",
                                            "minItems": 1,
                                            "maxItems": 10000,
                                            "items": {"$ref": "#/components/schemas/UsageRow"},
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        **_ok(
                            {
                                "type": "object",
                                "properties": {
                                    "rows": {"type": "integer"},
                                    "imported": {"type": "integer"},
                                    "replaced": {"type": "integer"},
                                },
                            },
                            "201",
                            "Stored",
                        ),
                        **_errors(400, 401, 403, 404, 413, 422, 429),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "security": [],
                    "responses": _ok({"type": "object"}),
                }
            },
        },
    }
