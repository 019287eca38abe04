import json

from webapp.http import HttpError, Request, Response
from webapp.router import Router


def make_router():
    router = Router()
    router.add("GET", "/health", lambda req: Response(200, {"Content-Type": "text/plain"}, "ok"))
    router.add("GET", "/items/{item_id}", lambda req, item_id: Response(200, {}, f"item {item_id}"))
    router.add("DELETE", "/items/{item_id}", lambda req, item_id: Response(204))
    router.add("GET", "/users/{user}/items/{item_id}", lambda req, user, item_id: Response(200, {}, f"{user}:{item_id}"))

    def teapot(req):
        raise HttpError(418, "I am a teapot")

    def broken(req):
        raise RuntimeError("secret internals")

    router.add("GET", "/teapot", teapot)
    router.add("GET", "/broken", broken)
    return router


def error_of(response):
    assert response.headers.get("Content-Type") == "application/json"
    return json.loads(response.body)


def test_dispatches_by_method_and_path():
    response = make_router()(Request("GET", "/health"))
    assert (response.status, response.body) == (200, "ok")


def test_path_parameters_are_passed_as_keyword_arguments():
    router = make_router()
    assert router(Request("GET", "/items/42")).body == "item 42"
    assert router(Request("GET", "/users/ada/items/7")).body == "ada:7"
    assert router(Request("DELETE", "/items/42")).status == 204


def test_method_matching_is_case_insensitive_and_a_trailing_slash_is_ignored():
    assert make_router()(Request("get", "/health/")).status == 200


def test_unknown_path_is_404_with_a_json_error():
    response = make_router()(Request("GET", "/nope"))
    assert response.status == 404
    assert error_of(response) == {"error": "not found"}
    assert make_router()(Request("GET", "/items/1/extra")).status == 404


def test_known_path_with_another_method_is_405_with_allow():
    response = make_router()(Request("POST", "/items/3"))
    assert response.status == 405
    assert response.headers["Allow"] == "DELETE, GET"
    assert error_of(response) == {"error": "method not allowed"}


def test_http_error_becomes_its_status_with_a_json_error():
    response = make_router()(Request("GET", "/teapot"))
    assert response.status == 418
    assert error_of(response) == {"error": "I am a teapot"}


def test_other_exceptions_become_500_without_leaking_details():
    response = make_router()(Request("GET", "/broken"))
    assert response.status == 500
    assert error_of(response) == {"error": "internal server error"}
    assert "secret" not in response.body
