"""The web dashboard: the report's views, a search, and a JSON API described by OpenAPI."""
from .app import App, Response
from .server import is_loopback, make_server, new_token, required_token

__all__ = ["App", "Response", "is_loopback", "make_server", "new_token", "required_token"]
