#!/usr/bin/env python3
"""Runs schemathesis, a standard OpenAPI fuzzer, against a running node.

    fuzz.py BASE_URL TOKEN [--examples N] [--document PATH] [--only PATH]

schemathesis reads BASE_URL/api/openapi.json (or the document at PATH) and
sends requests it generates from it, positive ones only: every body, path
and query value fits the document. Each answer must pass:

- not_a_server_error (schemathesis's own): no 5xx;
- response_schema_conformance (schemathesis's own): a JSON answer fits the
  schema the document gives for its status;
- fits_but_refused_as_malformed (below): no request that fits the document
  is refused as if it did not (invalid_json, invalid_body, invalid_query,
  unsupported_media_type). The model's own rules may still refuse it with
  their codes (validation_failed, a pledge refusal, ...);
- still_authenticated (below): the token keeps working, so that the run
  tests more than the authentication layer.

Exits 1 if schemathesis found a failure. node/tests/openapi_tools.rs starts
a node and runs this; .ci/run installs schemathesis.
"""

import argparse
import json
import sys

import schemathesis
from schemathesis.cli import schemathesis as cli

# The codes that mean "your request does not fit the document".
MALFORMED = {"invalid_json", "invalid_body", "invalid_query", "unsupported_media_type"}


def error_of(response):
    try:
        return json.loads(response.content)["error"]
    except (ValueError, KeyError, TypeError):
        return {}


@schemathesis.check
def fits_but_refused_as_malformed(ctx, response, case):
    """A request generated from the document must not be refused as malformed."""
    error = error_of(response)
    if response.status_code >= 400 and error.get("code") in MALFORMED:
        raise AssertionError(
            f"a request that fits the document was refused with {error['code']}: "
            f"{error.get('message', '')}"
        )


@schemathesis.check
def still_authenticated(ctx, response, case):
    """The token keeps working: a run that locked itself out tests nothing."""
    if response.status_code == 401 and error_of(response).get("code") == "unauthenticated":
        raise AssertionError("the token was refused: the rest of the run would test nothing")


CHECKS = [
    "not_a_server_error",
    "response_schema_conformance",
    "fits_but_refused_as_malformed",
    "still_authenticated",
]


def run(options, operations, checks):
    """One schemathesis run over `operations` (filter options); 1 if it failed."""
    args = [
        "run",
        options.document or f"{options.base}/api/openapi.json",
        "--url",
        options.base,
        "--header",
        f"Authorization: Bearer {options.token}",
        "--mode",
        "positive",
        "--phases",
        "examples,coverage,fuzzing",
        "--checks",
        ",".join(checks),
        "--max-examples",
        str(options.examples),
        "--seed",
        "1",
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--generation-database",
        "none",
        # The token above authenticates; a generated session cookie would
        # only be refused as a stranger's.
        "--generation-with-security-parameters",
        "false",
        "--no-color",
        *operations,
    ]
    print(f"schemathesis {' '.join(operations)}", flush=True)
    try:
        code = cli.main(args=args, prog_name="schemathesis", standalone_mode=False)
    except SystemExit as exit:
        # schemathesis ends its run with sys.exit even outside standalone mode.
        code = exit.code
    return 1 if code else 0


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("token")
    parser.add_argument("--examples", type=int, default=30)
    parser.add_argument("--document", help="the document to read instead of the node's")
    parser.add_argument("--only", help="test only this path")
    options = parser.parse_args(argv[1:])
    if options.only:
        return run(options, ["--include-path", options.only], CHECKS)
    # /events is a stream that never ends by itself (the node's own tests
    # cover it). Two operations may end the run's own authentication and
    # run last, each on its own: changing an account (once the fuzzer made
    # another admin, it may demote or disable the token's account), and
    # revoking a token (the fuzzer learns the token's id from GET
    # /api/tokens); after that one the token may be gone, so the last run
    # does not ask for it to keep working.
    accounts = ["--include-method", "PATCH", "--include-path", "/api/accounts/{name}"]
    tokens = ["--include-method", "DELETE", "--include-path", "/api/tokens/{id}"]
    everything_else = [
        "--exclude-path", "/events",
        "--exclude-path", "/api/accounts/{name}",
        "--exclude-path", "/api/tokens/{id}",
    ]
    failed = run(options, everything_else, CHECKS)
    failed |= run(options, accounts, CHECKS)
    failed |= run(options, tokens, [c for c in CHECKS if c != "still_authenticated"])
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv))
