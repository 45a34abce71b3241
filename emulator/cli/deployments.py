"""`aoai-emulator deployments`: check a deployments file, or manage deployments on a running emulator.

    aoai-emulator deployments [--file FILE]             # the set a server would declare, checked
    aoai-emulator deployments list
    aoai-emulator deployments create --name NAME --model MODEL [--version V] [--settings JSON|FILE]
    aoai-emulator deployments get NAME
    aoai-emulator deployments delete NAME

The last four talk to `/_emulator/deployments` (`--endpoint`, `--key`), which stands in for Azure Resource
Manager: the real service makes deployments there, not through its data-plane API.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from emulator.cli.connection import add_connection, send
from emulator.control.api import DEPLOYMENTS_PATH as PATH
from emulator.resource.deployments import DEFAULT_DEPLOYMENTS, DeploymentFileError, load_deployments_file


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "deployments",
        help="show the deployments a server would declare, or manage deployments on a running emulator",
    )
    command.add_argument("--file", help="a deployments file to check and show")
    command.set_defaults(run=_show_declared)
    actions = command.add_subparsers(dest="action", metavar="{list,create,get,delete}")

    listing = actions.add_parser("list", help="every deployment the running emulator serves")
    add_connection(listing)
    listing.set_defaults(run=lambda args: send(args, "deployments list", "GET", PATH))

    create = actions.add_parser("create", help="deploy a base model or a succeeded fine-tuned model")
    add_connection(create)
    create.add_argument("--name", required=True, help="the deployment name clients call")
    create.add_argument("--model", required=True, help="e.g. gpt-4o-mini, or a fine-tuned model's name")
    create.add_argument("--version", help="the model version, e.g. 2024-07-18")
    create.add_argument(
        "--settings",
        metavar="JSON|FILE",
        help="the deployment's settings: a JSON object or a file holding one",
    )
    create.set_defaults(run=lambda args: send(args, "deployments create", "POST", PATH, _create_body))

    for verb, method, text in (("get", "GET", "show one deployment"), ("delete", "DELETE", "remove one")):
        one = actions.add_parser(verb, help=text)
        add_connection(one)
        one.add_argument("name")
        one.set_defaults(run=_on_one(verb, method))


def _on_one(verb: str, method: str) -> Any:
    return lambda args: send(args, f"deployments {verb}", method, f"{PATH}/{args.name}")


def _create_body(args: argparse.Namespace) -> dict[str, Any]:
    body: dict[str, Any] = {"name": args.name, "model": args.model}
    if args.version:
        body["version"] = args.version
    if args.settings:
        text = args.settings
        if not text.lstrip().startswith("{"):
            text = Path(text).read_text(encoding="utf-8")
        body["settings"] = json.loads(text)
    return body


def _show_declared(args: argparse.Namespace) -> int:
    try:
        items = load_deployments_file(args.file) if args.file else DEFAULT_DEPLOYMENTS
    except DeploymentFileError as exc:
        print(f"aoai-emulator: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"deployments": [d.to_json() for d in items]}, indent=2))
    return 0
