"""Hostile request bodies (issue 21, finding 10): too deep, malformed or too large JSON is
answered with a JSON 400 or 413 naming the limit — never a 500, never a bare HTML page."""

import json

import pytest

from .conftest import sql

# (route, user who may write there, token scope)
ROUTES = [
    ("/api/v1/incidents/", "officer", "incidents:write"),
    ("/api/v1/mediation/cases/", "officer", "mediation:write"),
    ("/api/v1/events/", "admin", "events:write"),
]
ROUTE_IDS = [route for route, _, _ in ROUTES]

# The documented limits (README, "Ingest"): the shared one of every JSON body and the bulk
# route's own.
BODY_LIMIT = 2_621_440
BULK_ROW_LIMIT = 50_000
BULK_BODY_LIMIT = 20 * 1024 * 1024


@pytest.fixture(params=["session", "token"])
def caller_for(request, session_of, token_of):
    """``caller_for(user, scope)``: that user's session or a token of theirs with the scope."""
    if request.param == "session":
        return lambda username, scope: session_of(username)
    return lambda username, scope: token_of(username, scope)


def assert_json_error(answer, status: int) -> dict:
    assert answer.status_code == status, (answer.status_code, answer.text[:300])
    assert answer.headers["Content-Type"].startswith("application/json"), answer.headers
    return answer.json()


def post_raw(caller, path: str, body: bytes):
    return caller.post(path, data=body, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize(("path", "username", "scope"), ROUTES, ids=ROUTE_IDS)
def test_deeply_nested_json_is_a_json_400(caller_for, path, username, scope):
    caller = caller_for(username, scope)
    answer = post_raw(caller, path, b"[" * 100_000)
    error = assert_json_error(answer, 400)
    assert "detail" in error


@pytest.mark.parametrize(("path", "username", "scope"), ROUTES, ids=ROUTE_IDS)
def test_json_just_too_deep_for_python_is_a_json_400(caller_for, path, username, scope):
    # Deep enough to exhaust Python's recursion in any code that walks it, yet within
    # orjson's own limit of 1024: refused by the platform's nesting bound.
    caller = caller_for(username, scope)
    body = b'{"summary": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    error = assert_json_error(post_raw(caller, path, body), 400)
    assert "nest" in error["detail"]


@pytest.mark.parametrize(("path", "username", "scope"), ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("body", [b'{"summary": "x",', b"{'a': 1}", b"\xff\xfe{}", b"[1, 2"])
def test_malformed_json_is_a_json_400(caller_for, path, username, scope, body):
    caller = caller_for(username, scope)
    error = assert_json_error(post_raw(caller, path, body), 400)
    assert "detail" in error


@pytest.mark.parametrize(("path", "username", "scope"), ROUTES, ids=ROUTE_IDS)
def test_body_over_the_limit_is_a_json_413_naming_it(caller_for, path, username, scope):
    caller = caller_for(username, scope)
    body = json.dumps({"summary": "x" * BODY_LIMIT}).encode()
    error = assert_json_error(post_raw(caller, path, body), 413)
    assert error["limit_bytes"] == BODY_LIMIT
    assert f"{BODY_LIMIT:,}" in error["detail"]


def test_body_just_under_the_limit_is_read(session_of):
    officer = session_of("officer")
    body = json.dumps({"summary": "x" * (BODY_LIMIT - 100)}).encode()
    assert len(body) <= BODY_LIMIT
    # Read and validated (it lacks the required fields), not refused for its size.
    answer = post_raw(officer, "/api/v1/incidents/", body)
    error = assert_json_error(answer, 400)
    assert "detail" not in error, error


def bulk_rows(count: int, pad: int) -> list[dict]:
    """``count`` rows of one reference: the first is created, the rest rejected as repeats
    (read and answered row by row, without filling the shared site with incidents)."""
    row = {
        "source_system": "hostile-bodies",
        "source_ref": "bulk-limit-1",
        "category": "theft",
        "reported_at": "2024-03-01T10:00:00+08:00",
        "summary": "p" * pad,
    }
    return [row] * count


def test_bulk_at_the_documented_limit_is_read_row_by_row(token_of, site):
    officer = token_of("officer", "incidents:write")
    bare_row = len(json.dumps(bulk_rows(1, 0)[0], separators=(",", ":"))) + 1
    pad = (BULK_BODY_LIMIT - 2) // BULK_ROW_LIMIT - bare_row
    body = json.dumps(bulk_rows(BULK_ROW_LIMIT, pad), separators=(",", ":")).encode()
    assert BULK_BODY_LIMIT - BULK_ROW_LIMIT < len(body) <= BULK_BODY_LIMIT, len(body)
    try:
        answer = post_raw(officer, "/api/v1/incidents/bulk/", body)
        assert answer.status_code == 200, answer.text[:300]
        report = answer.json()
        assert report["rejected"] + report["created"] + report["updated"] + report["unchanged"] == (
            BULK_ROW_LIMIT
        ), {k: v for k, v in report.items() if k != "errors"}
        assert report["rejected"] >= BULK_ROW_LIMIT - 1
    finally:
        sql(site, "DELETE FROM incidents_incident WHERE source_system = 'hostile-bodies'")


def test_bulk_over_the_row_limit_is_a_json_413_naming_it(caller_for):
    caller = caller_for("officer", "incidents:write")
    body = json.dumps(bulk_rows(BULK_ROW_LIMIT + 1, 0)).encode()
    assert len(body) < BULK_BODY_LIMIT
    error = assert_json_error(post_raw(caller, "/api/v1/incidents/bulk/", body), 413)
    assert error["limit_rows"] == BULK_ROW_LIMIT
    assert f"{BULK_ROW_LIMIT:,}" in error["detail"]


def test_bulk_over_the_byte_limit_is_a_json_413_naming_it(caller_for):
    caller = caller_for("officer", "incidents:write")
    body = json.dumps(bulk_rows(1, BULK_BODY_LIMIT)).encode()
    error = assert_json_error(post_raw(caller, "/api/v1/incidents/bulk/", body), 413)
    assert error["limit_bytes"] == BULK_BODY_LIMIT
    assert f"{BULK_BODY_LIMIT:,}" in error["detail"]


@pytest.mark.parametrize("body", [b"[" * 100_000, b"[{]", b"\n".join([b"[" * 100_000] * 2)])
def test_bulk_hostile_json_is_a_json_400_or_rows_rejected(caller_for, body):
    caller = caller_for("officer", "incidents:write")
    answer = post_raw(caller, "/api/v1/incidents/bulk/", body)
    assert answer.status_code in (200, 400), (answer.status_code, answer.text[:300])
    assert answer.headers["Content-Type"].startswith("application/json")
    if answer.status_code == 200:
        assert answer.json()["created"] == 0


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain"])
def test_bulk_json_lines_sent_as_a_form_or_text_are_read_as_lines(session_of, content_type):
    # curl --data-binary sends a form's content type; the session's CSRF check must not fail.
    officer = session_of("officer")
    answer = officer.post(
        "/api/v1/incidents/bulk/",
        data=b'{"a": 1}\n{"b": 2}',
        headers={"Content-Type": content_type},
    )
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["rejected"] == 2
