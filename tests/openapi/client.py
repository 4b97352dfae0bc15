#!/usr/bin/env python3
"""Generates a Python client from a node's OpenAPI document with a standard
generator (openapi-python-client) and uses it: creates an offer and finds
it in the registry, both through the generated functions and models.

    client.py BASE_URL TOKEN WORK_DIR [DOCUMENT]

DOCUMENT, if given, is generated from instead of the node's own document.

Prints what it did; exits non-zero (with the reason) if generating, sending
or reading back failed. node/tests/openapi_tools.rs starts the node and
runs this; .ci/run installs openapi-python-client.
"""

import importlib
import inspect
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def generate(base, work, document=None):
    if document is None:
        document = work / "openapi.json"
        with urllib.request.urlopen(f"{base}/api/openapi.json") as answer:
            document.write_bytes(answer.read())
    package = work / "amtshilfe_client"
    subprocess.run(
        [
            sys.executable, "-m", "openapi_python_client", "generate",
            "--path", str(document),
            "--output-path", str(package),
            "--meta", "none",
            "--overwrite",
        ],
        check=True,
    )
    sys.path.insert(0, str(work))
    return importlib.import_module("amtshilfe_client")


def detail_class(models, kind):
    """The generated model of one offer kind (the variants are numbered)."""
    for name in dir(models):
        model = getattr(models, name)
        if name.startswith("OfferDetail") and f"'{kind}'" in str(
            getattr(model, "__annotations__", {}).get("kind", "")
        ):
            return model
    raise AssertionError(f"the generated client has no model for offer kind {kind}")


def make(model, **values):
    """`model(**values)` with the values the generated model has fields for:
    what the document does not describe, a generated client cannot send."""
    fields = inspect.signature(model).parameters
    left_out = sorted(set(values) - set(fields))
    if left_out:
        print(f"{model.__name__} has no field {', '.join(left_out)}: not sent")
    return model(**{name: value for name, value in values.items() if name in fields})


def main(argv):
    base, token, work = argv[1], argv[2], Path(argv[3])
    client_package = generate(base, work, Path(argv[4]) if len(argv) > 4 else None)
    models = importlib.import_module("amtshilfe_client.models")
    create = importlib.import_module("amtshilfe_client.api.default.post_apioffers")
    registry = importlib.import_module("amtshilfe_client.api.default.get_apiregistry")
    client = client_package.AuthenticatedClient(base_url=base, token=token)

    now_ms = int(time.time() * 1000)
    equipment = detail_class(models, "equipment")
    offer = make(
        models.Offer,
        title="12 Notebooks aus dem erzeugten Client",
        status="available",
        valid_from_ms=now_ms,
        updated_at_ms=now_ms,
        contact=make(
            models.Contact,
            role="IT-Rufbereitschaft",
            phone="+49 6252 15-0",
            email="it@example.de",
        ),
        detail=make(
            equipment,
            kind="equipment",
            category="laptop",
            quantity=12,
            image_state="clean_standalone",
            location="Lager Heppenheim",
            setup_hours=4,
            wiped_on_return=True,
        ),
    )
    answer = create.sync_detailed(client=client, body=offer)
    if answer.status_code != 201 or not isinstance(answer.parsed, models.Saved):
        raise AssertionError(f"creating the offer: {answer.status_code} {answer.content!r}")
    saved = answer.parsed
    print(f"created offer {saved.id} with the generated client")

    entries = registry.sync(client=client, kind="equipment", limit=100)
    if not isinstance(entries, list):
        raise AssertionError(f"reading the registry: {entries!r}")
    mine = [entry for entry in entries if entry.address.id == saved.id]
    if len(mine) != 1 or mine[0].offer.detail.quantity != 12 or mine[0].remaining != 12:
        raise AssertionError(f"the registry does not show the offer: {entries!r}")
    print(f"the registry shows it: {mine[0].offer.title}, {mine[0].remaining} free")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
