"""The HTTP side: REST API (OpenAPI) served in the same event loop as the gateway."""

from csms.api.app import create_api

__all__ = ["create_api"]
