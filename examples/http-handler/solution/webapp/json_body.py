import json

from .http import HttpError, Request, Response


def read_json(request: Request):
    """The request's body parsed as JSON."""
    content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise HttpError(415, "expected application/json")
    if request.body is None or not request.body.strip():
        raise HttpError(400, "empty body")
    try:
        return json.loads(request.body)
    except ValueError as err:
        raise HttpError(400, f"invalid JSON: {err}") from None


def json_response(data, status: int = 200, headers=None) -> Response:
    """A Response whose body is data as JSON."""
    body = json.dumps(data, ensure_ascii=False)
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    all_headers["Content-Length"] = str(len(body.encode("utf-8")))
    return Response(status, all_headers, body)
