import json

import pytest

from webapp.http import HttpError, Request
from webapp.json_body import json_response, read_json


def post(body, content_type="application/json"):
    headers = {"content-type": content_type} if content_type else {}
    return Request("POST", "/things", headers, body)


def test_reads_a_json_body():
    assert read_json(post('{"title": "write tests", "done": false}')) == {"title": "write tests", "done": False}


def test_content_type_is_case_insensitive_and_may_carry_a_charset():
    assert read_json(post("[1, 2]", "Application/JSON; charset=utf-8")) == [1, 2]


def test_invalid_json_is_a_400():
    with pytest.raises(HttpError) as err:
        read_json(post("{not json"))
    assert err.value.status == 400


def test_missing_body_is_a_400():
    with pytest.raises(HttpError) as err:
        read_json(post(None))
    assert err.value.status == 400
    with pytest.raises(HttpError) as err:
        read_json(post("   "))
    assert err.value.status == 400


def test_other_content_types_are_a_415():
    with pytest.raises(HttpError) as err:
        read_json(post("title=x", "application/x-www-form-urlencoded"))
    assert err.value.status == 415
    with pytest.raises(HttpError) as err:
        read_json(post('{"a": 1}', None))
    assert err.value.status == 415


def test_json_response_serializes_with_headers():
    response = json_response({"b": 1, "a": "é"}, status=201, headers={"Location": "/things/1"})
    assert response.status == 201
    assert json.loads(response.body) == {"b": 1, "a": "é"}
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Location"] == "/things/1"
    assert response.headers["Content-Length"] == str(len(response.body.encode("utf-8")))


def test_json_response_defaults_to_200():
    response = json_response([])
    assert (response.status, response.body) == (200, "[]")
