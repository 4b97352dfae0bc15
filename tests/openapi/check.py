#!/usr/bin/env python3
"""Checks the node's OpenAPI document with standard tools.

    check.py DOCUMENT [SCHEMA=BODY_FILE ...]

1. the document is a valid OpenAPI 3.1 document (openapi-spec-validator);
2. each body validates against components/schemas/SCHEMA (jsonschema,
   draft 2020-12, references resolved inside the document).

Prints one line per failure and exits 1 if there was any.
"""

import json
import sys

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012


def main(argv):
    with open(argv[1], encoding="utf-8") as file:
        document = json.load(file)
    validate(document)
    root = "urn:amtshilfe:openapi"
    registry = Registry().with_resource(
        root, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    failures = 0
    for pair in argv[2:]:
        name, path = pair.split("=", 1)
        with open(path, encoding="utf-8") as file:
            body = json.load(file)
        schema = {"$ref": f"{root}#/components/schemas/{name}"}
        validator = Draft202012Validator(schema, registry=registry)
        for error in validator.iter_errors(body):
            failures += 1
            print(f"{name} ({path}): {error.message} at {list(error.absolute_path)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
