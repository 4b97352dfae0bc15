#!/usr/bin/env python3
"""Runs schemathesis, a standard OpenAPI fuzzer, against a running node.

    fuzz.py BASE_URL TOKEN [MAX_EXAMPLES]

schemathesis reads BASE_URL/api/openapi.json and sends requests it
generates from it, positive ones only: every body, path and query value fits
the document. Each answer must pass two checks:

- not_a_server_error (schemathesis's own): no 5xx;
- fits_but_refused_as_malformed (below): no schema-valid request is
  refused as if it did not fit the document (invalid_json, invalid_body,
  invalid_query, unsupported_media_type). The model's own rules may still
  refuse it with their codes (validation_failed, a pledge refusal, ...).

Exits non-zero if schemathesis found a failure. node/tests/openapi_fuzz.rs
starts the node and runs this; .ci/run installs schemathesis.
"""

import json
import sys

import schemathesis
from schemathesis.cli import schemathesis as cli

# The codes that mean "your request does not fit the document".
MALFORMED = {"invalid_json", "invalid_body", "invalid_query", "unsupported_media_type"}


@schemathesis.check
def fits_but_refused_as_malformed(ctx, response, case):
    """A request generated from the document must not be refused as malformed."""
    if response.status_code < 400:
        return
    try:
        code = json.loads(response.content)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return
    if code in MALFORMED:
        message = json.loads(response.content)["error"].get("message", "")
        raise AssertionError(
            f"a request that fits the document was refused with {code}: {message}"
        )


def main(argv):
    base, token = argv[1], argv[2]
    examples = argv[3] if len(argv) > 3 else "15"
    args = [
        "run",
        f"{base}/api/openapi.json",
        "--url",
        base,
        "--header",
        f"Authorization: Bearer {token}",
        "--mode",
        "positive",
        "--phases",
        "examples,coverage,fuzzing",
        "--checks",
        "not_a_server_error,fits_but_refused_as_malformed",
        "--max-examples",
        examples,
        "--seed",
        "1",
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--generation-database",
        "none",
        "--no-color",
        # A stream that never ends by itself; covered by the node's tests.
        "--exclude-path",
        "/events",
    ]
    return cli.main(args=args, prog_name="schemathesis", standalone_mode=False)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
