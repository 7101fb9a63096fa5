"""Schemathesis against the whole API, as CI runs it (issue 10, "bad input").

The demo city is served by daphne on PostgreSQL and Redis; schemathesis reads /api/schema/ and
sends every operation examples from the schema, edge cases and invalid input, authenticated as
the demo administrator and again as the demo station officer. No answer may be a server error,
and every answer must have a status code, media type and body that the schema documents for the
operation.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.scopes import SCOPES

from ..demo_site import serve_demo_city

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(600)]

SCHEMATHESIS = str(Path(sys.executable).parent / "st")
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
]
# The coverage phase sends every operation each boundary and invalid value its schema allows
# (some 9,000 requests, two minutes); fuzzing adds random ones. Stateful testing (chains of
# linked calls) would take minutes more.
PHASES = ["examples", "coverage", "fuzzing"]
FUZZED_EXAMPLES_PER_OPERATION = 5
SEED = 20240610
# Two clients keep the single daphne busy while the other generates; the inputs are fixed by
# the seed, only the order in which the two interleave varies.
WORKERS = 2
# Shown at most of schemathesis's own account of the failures, with curl lines to reproduce.
DETAIL_CHARACTERS = 20_000


@pytest.fixture(scope="module")
def fuzzed_site(tmp_path_factory):
    """The demo city in a database of its own: the run creates, changes and deletes rows."""
    var_dir = tmp_path_factory.mktemp("fuzz-var")
    # Thousands of requests a minute from one token: throttled, they would test nothing.
    unthrottled = {"API_THROTTLE_TOKEN": ""}
    with serve_demo_city(suffix="fuzz", var_dir=var_dir, extra_env=unthrottled) as site:
        yield site


def authorization(site, username: str) -> str:
    """The Authorization header value of a demo user: a token with every scope, so the role
    and the jurisdiction alone decide what the run may do."""
    scopes = [f"--scope={scope}" for scope in sorted(SCOPES)]
    key = site.manage("create_api_token", username, *scopes, "--days", "1").strip()
    return f"Token {key}"


def _summary(report: dict) -> list[str]:
    """One line per failing operation and check, and per operation schemathesis could not test."""
    lines = [
        f"{failure['code']} {failure['title']}: {operation}"
        for failure in report["failures"]
        for operation in failure["operations"]
    ]
    lines += [f"error: {json.dumps(error, ensure_ascii=False)}" for error in report["errors"]]
    return lines


def _server_errors(log: str) -> str:
    """The server's log without its access lines and warnings (the 4xx): its errors."""
    lines = log.splitlines()
    return "\n".join(
        line for line in lines if not line.startswith("127.0.0.1:") and " WARNING " not in line
    )


# The administrator reaches every operation. The station officer's run adds the writes of a
# role with a jurisdiction and their refusals (403, 404 outside the station); its reads are
# those the administrator's run sends, scoped as the jurisdiction walk checks, so CI spends
# its minutes on the writes.
@pytest.mark.parametrize(
    ("username", "operations"), [("admin", []), ("officer", ["--exclude-method", "GET"])]
)
def test_every_operation_answers_as_its_schema_says(fuzzed_site, tmp_path, username, operations):
    report_path = tmp_path / "schemathesis.json"
    command = [
        SCHEMATHESIS,
        "run",
        f"{fuzzed_site.url}/api/schema/",
        "--header",
        f"Authorization: {authorization(fuzzed_site, username)}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        ",".join(PHASES),
        "--max-examples",
        str(FUZZED_EXAMPLES_PER_OPERATION),
        "--seed",
        str(SEED),
        "--generation-database",
        "none",
        "--workers",
        str(WORKERS),
        "--request-timeout",
        "30",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report_path),
        *operations,
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=540)
    output = result.stdout + result.stderr
    if not report_path.exists():
        pytest.fail(f"schemathesis wrote no report (exit {result.returncode}):\n{output[-5000:]}")
    report = json.loads(report_path.read_text())
    problems = _summary(report)
    if result.returncode != 0 or problems:
        details = output.partition("= FAILURES =")[2] or output
        server_errors = _server_errors(fuzzed_site.log.read_text(errors="replace"))
        pytest.fail(
            f"schemathesis (exit {result.returncode}, seed {SEED}) found:\n"
            + "\n".join(problems or ["(no failures listed)"])
            + f"\n\n--- schemathesis ---\n{details[:DETAIL_CHARACTERS]}"
            + f"\n\n--- daphne's server errors ---\n{server_errors[:DETAIL_CHARACTERS]}",
            pytrace=False,
        )
    assert report["operations"]["tested"] == report["operations"]["selected"]
