import json
import re

from .http import HttpError, Request, Response

PARAM = re.compile(r"\{(\w+)\}")


def _error(status: int, message: str, headers=None) -> Response:
    return Response(status, {"Content-Type": "application/json", **(headers or {})}, json.dumps({"error": message}))


def _normalize(path: str) -> str:
    return path.rstrip("/") or "/"


def _compile(pattern: str):
    """'/items/{item_id}' -> a regex with a named group per {parameter} (one path segment each)."""
    parts = []
    for segment in _normalize(pattern).split("/"):
        param = PARAM.fullmatch(segment)
        parts.append(f"(?P<{param.group(1)}>[^/]+)" if param else re.escape(segment))
    return re.compile("^" + "/".join(parts) + "$")


class Router:
    """Dispatches a Request to the handler registered for its method and path."""

    def __init__(self):
        self._routes = []  # (compiled pattern, method, handler)

    def add(self, method: str, pattern: str, handler) -> None:
        self._routes.append((_compile(pattern), method.upper(), handler))

    def __call__(self, request: Request) -> Response:
        path = _normalize(request.path)
        method = request.method.upper()
        allowed = set()
        for regex, route_method, handler in self._routes:
            match = regex.match(path)
            if not match:
                continue
            if route_method != method:
                allowed.add(route_method)
                continue
            try:
                return handler(request, **match.groupdict())
            except HttpError as err:
                return _error(err.status, err.message)
            except Exception:
                return _error(500, "internal server error")
        if allowed:
            return _error(405, "method not allowed", {"Allow": ", ".join(sorted(allowed))})
        return _error(404, "not found")
