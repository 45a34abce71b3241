"""`aoai-emulator distill`: the Distill action (`POST /_emulator/distill`) against a running emulator.

    aoai-emulator distill --metadata usecase=summaries --model gpt-4o-mini --suffix summaries

prints the training file and fine-tuning job it made as JSON; a refused request prints the service's
message and the field it names, and exits 1.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from emulator.cli.connection import send
from emulator.cli.evaluate import add_connection_and_filters, filters
from emulator.control.api import DISTILL_PATH as PATH


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "distill",
        help="turn stored completions chosen by filter into a training file and a fine-tuning job "
        "(against a running emulator)",
    )
    add_connection_and_filters(command)
    command.add_argument("--model", required=True, help="the base model to fine-tune, e.g. gpt-4o-mini")
    command.add_argument("--stored-model", help="only completions stored from this model or deployment")
    command.add_argument("--hyperparameters", metavar="FILE", help='JSON file, e.g. {"n_epochs": 3}')
    command.add_argument("--suffix")
    command.add_argument("--seed", type=int)
    command.add_argument("--validation-split", type=float, metavar="FRACTION")
    command.add_argument(
        "--surface",
        "--flavour",
        dest="surface",
        choices=("azure", "openai"),
        help="the job's shape (default: azure)",
    )
    command.set_defaults(run=run)


def body(args: argparse.Namespace) -> dict[str, Any]:
    hyperparameters = None
    if args.hyperparameters:
        with open(args.hyperparameters, encoding="utf-8") as handle:
            hyperparameters = json.load(handle)
    options = {
        "model": args.model,
        **filters(args),
        "stored_model": args.stored_model,
        "suffix": args.suffix,
        "seed": args.seed,
        "validation_split": args.validation_split,
        "surface": args.surface,
        "hyperparameters": hyperparameters,
    }
    return {k: v for k, v in options.items() if v is not None}


def run(args: argparse.Namespace) -> int:
    return send(args, "distill", "POST", PATH, body)
