from .http import Request, Response


class Router:
    """Dispatches a Request to the handler registered for its method and path."""

    def add(self, method: str, pattern: str, handler) -> None:
        raise NotImplementedError("Router.add")

    def __call__(self, request: Request) -> Response:
        raise NotImplementedError("Router.__call__")
