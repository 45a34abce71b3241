"""`aoai-emulator evaluate`: the Evaluate action (`POST /_emulator/evaluate`) against a running emulator.

    aoai-emulator evaluate --criteria criteria.json --metadata usecase=quiz --generate-with gpt-4o-mini

prints the file, eval and run it made as JSON; a refused request prints the service's message and the
field it names, and exits 1.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from emulator.cli.connection import add_connection, send
from emulator.control.api import EVALUATE_PATH as PATH


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "evaluate",
        help="turn stored completions chosen by filter into an eval data file, an eval and a run "
        "(against a running emulator)",
    )
    add_connection_and_filters(command)
    command.add_argument("--criteria", required=True, metavar="FILE", help="JSON file: a list of graders")
    command.add_argument("--model", help="only completions stored from this model or deployment")
    command.add_argument("--name", help="the eval's name")
    command.add_argument("--generate-with", metavar="DEPLOYMENT", help="answer again with this deployment")
    command.set_defaults(run=run)


def add_connection_and_filters(command: argparse.ArgumentParser) -> None:
    """The options every extension command takes: where the emulator is, and which stored completions."""
    add_connection(command)
    command.add_argument("--metadata", action="append", default=[], metavar="KEY=VALUE")
    command.add_argument("--created-after", type=int, metavar="UNIX_TIME", help="inclusive")
    command.add_argument("--created-before", type=int, metavar="UNIX_TIME", help="exclusive")
    command.add_argument("--id", action="append", dest="ids", metavar="COMPLETION_ID")
    command.add_argument("--limit", type=int)


def filters(args: argparse.Namespace) -> dict[str, Any]:
    metadata = {}
    for pair in args.metadata:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"--metadata takes KEY=VALUE, not {pair!r}")
        metadata[key] = value
    return {
        "metadata": metadata or None,
        "created_after": args.created_after,
        "created_before": args.created_before,
        "ids": args.ids,
        "limit": args.limit,
    }


def _body(args: argparse.Namespace) -> dict[str, Any]:
    with open(args.criteria, encoding="utf-8") as handle:
        criteria = json.load(handle)
    options = {**filters(args), "model": args.model, "name": args.name, "generate_with": args.generate_with}
    return {"testing_criteria": criteria, **{k: v for k, v in options.items() if v is not None}}


def run(args: argparse.Namespace) -> int:
    return send(args, "evaluate", "POST", PATH, _body)
