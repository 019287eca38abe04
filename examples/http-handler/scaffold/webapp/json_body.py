from .http import Request, Response


def read_json(request: Request):
    """The request's body parsed as JSON."""
    raise NotImplementedError("read_json")


def json_response(data, status: int = 200, headers=None) -> Response:
    """A Response whose body is data as JSON."""
    raise NotImplementedError("json_response")
