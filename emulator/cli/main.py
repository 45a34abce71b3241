"""`aoai-emulator serve | deployments | evaluate | distill`: the command line."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from emulator.cli import deployments as deployments_cli
from emulator.cli import distill as distill_cli
from emulator.cli import evaluate as evaluate_cli
from emulator.control.api import ScriptError
from emulator.model.scripts import ScriptBook, load_file
from emulator.resource.deployments import DeploymentFileError, load_deployments_file
from emulator.settings import DEFAULT_API_KEY, Settings, default_db_path

# What the banner shows for a key it must not print: custom keys end up in CI logs.
KEY_PLACEHOLDER = "<your key>"
# How long SIGTERM waits for open connections (a stream, a slow upload) before cutting them off.
SHUTDOWN_GRACE_SECONDS = 5


def banner(settings: Settings, host: str, port: int) -> str:
    from emulator.http.hostcheck import ANY_HOST, is_wildcard

    base = f"http://{host}:{port}"
    store = settings.db_path or "in memory"
    if settings.api_keys[0] == DEFAULT_API_KEY:
        key, about_key = DEFAULT_API_KEY, "   (the well-known development key)"
    else:
        key, about_key = (
            KEY_PLACEHOLDER,
            "   (a key given with --api-key or AOAI_EMULATOR_API_KEYS; not printed)",
        )
    lines = [
        f"aoai-emulator listening on {base} (database: {store})",
        f"  Azure OpenAI endpoint: {base}   (Azure dated: {base}/openai/..., Azure v1: {base}/openai/v1/...)",
        f"  OpenAI base URL:       {base}/v1",
        f"  API key:               {key}{about_key}",
        f"  Portal:                {base}/portal/   (Stored Completions, Distill, Evaluate, jobs, deployments)",
    ]
    if is_wildcard(host) and ANY_HOST not in settings.allowed_hosts:
        allowed = ", ".join(settings.allowed_hosts) or "none yet"
        lines += [
            f"  Listening on every interface: requests must still name a loopback host (localhost, "
            f"127.0.0.1, ::1) or an allowed one ({allowed}); allow the names clients use with "
            "--allowed-host NAME (repeatable, '*' for any).",
        ]
    if settings.import_dir is not None:
        lines.append(f"  file:// imports read:  {Path(settings.import_dir).resolve()}")
    lines += [
        "",
        "Paste into your shell:",
        f"  export AZURE_OPENAI_ENDPOINT={base}",
        f"  export AZURE_OPENAI_API_KEY={key}",
        f"  export OPENAI_BASE_URL={base}/v1",
        f"  export OPENAI_API_KEY={key}",
        "",
    ]
    return "\n".join(lines)


def _tune_collector() -> None:
    """What serving needs from start to end (modules, routes, schemas, tokenizers) is made while
    starting: frozen, the cycle collector stops walking it again and again under load. A request
    leaves a few dozen container objects behind, and nearly all are freed by reference counting, so
    the collector is asked to look less often than after every 700."""
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _not_an_injected_drop(record: logging.LogRecord) -> bool:
    """An injected fault that hangs up (emulator/guards/drops.py) reaches the server as an exception; it
    is what the test asked for, not an error worth a traceback."""
    from emulator.http.drops import ConnectionDropped

    return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


def keys_and_roles(given: Sequence[str]) -> tuple[tuple[str, ...], dict[str, str]]:
    """`KEY` or `KEY:ROLE` (contributor, user, reader): the keys, and the roles of those given one."""
    from emulator.guards.roles import ROLE_ACTIONS

    keys: list[str] = []
    roles: dict[str, str] = {}
    for item in given:
        key, colon, role = item.rpartition(":")
        if colon and role.isalpha() and role not in ROLE_ACTIONS:
            raise ValueError(
                f"unknown role '{role}' in '{_masked(key)}:{role}'; use {', '.join(ROLE_ACTIONS)}"
            )
        if not colon or role not in ROLE_ACTIONS:
            key, role = item, ""
        if not key:
            raise ValueError("a key may not be empty")
        keys.append(key)
        if role:
            roles[key] = role
    return tuple(keys), roles


def _masked(key: str) -> str:
    return key if len(key) <= 8 else f"{key[:3]}***{key[-4:]}"


def load_fault_rules(path: str) -> tuple[dict[str, Any], ...]:
    """A file of fault rules (`{"rules": [...]}` or the bare array), each checked as the route checks it."""
    from emulator.errors import ApiError
    from emulator.guards.fault_rules import parse_rule

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read it: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc}") from None
    rules = data.get("rules") if isinstance(data, dict) else data
    if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
        raise ValueError('expected {"rules": [...]} or an array of fault rules')
    for n, rule in enumerate(rules):
        try:
            parse_rule(rule)
        except ApiError as error:
            raise ValueError(f"rule {n}: {error.message}") from None
    return tuple(rules)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from emulator.app import create_app

    if args.deployments:
        try:
            load_deployments_file(args.deployments)
        except DeploymentFileError as exc:
            print(f"aoai-emulator: {exc}", file=sys.stderr)
            return 2
    overrides = {
        "db_path": None if args.in_memory else (args.db or default_db_path()),
        "host": args.host,
        "port": args.port,
        "clock_start": args.clock_start,
        "lenient_api_version": args.lenient_api_version,
    }
    if args.api_key:
        try:
            keys, roles = keys_and_roles(args.api_key)
        except ValueError as exc:
            print(f"aoai-emulator: --api-key: {exc}", file=sys.stderr)
            return 2
        overrides["api_keys"] = keys
        if roles:
            overrides["key_roles"] = roles
    if args.deployments:
        overrides["deployments_file"] = args.deployments
    if args.scripts:
        try:
            ScriptBook().add(load_file(args.scripts))
        except ScriptError as exc:
            print(f"aoai-emulator: {exc}", file=sys.stderr)
            return 2
        overrides["scripts_file"] = args.scripts
    if args.store_quota_bytes is not None:
        overrides["store_quota_bytes"] = args.store_quota_bytes
    if args.max_file_bytes is not None:
        overrides["max_file_bytes"] = args.max_file_bytes
    if args.max_request_bytes is not None:
        overrides["max_request_bytes"] = args.max_request_bytes
    if args.fine_tuning_speed is not None:
        overrides["fine_tuning_speed"] = args.fine_tuning_speed
    if args.fine_tuning_concurrency is not None:
        overrides["fine_tuning_concurrency"] = args.fine_tuning_concurrency
    if args.distill_files_downloadable:
        overrides["distill_files_downloadable"] = True
    if args.allowed_host:
        overrides["allowed_hosts"] = tuple(args.allowed_host)
    if args.import_dir is not None:
        overrides["import_dir"] = args.import_dir
    if args.default_capacity is not None:
        overrides["default_capacity"] = args.default_capacity
    if args.latency:
        overrides["latency"] = args.latency
    if args.faults:
        try:
            overrides["faults"] = load_fault_rules(args.faults)
        except ValueError as exc:
            print(f"aoai-emulator: --faults {args.faults}: {exc}", file=sys.stderr)
            return 2
    settings = Settings.from_env(**overrides)
    if settings.import_dir is not None and not Path(settings.import_dir).is_dir():
        print(f"aoai-emulator: --import-dir {settings.import_dir}: not a folder", file=sys.stderr)
        return 2
    app = create_app(settings, started=_tune_collector, served=True)
    print(banner(settings, args.host, args.port), flush=True)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=args.access_log,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )
    logging.getLogger("uvicorn.error").addFilter(_not_an_injected_drop)
    server = uvicorn.Server(config)
    # From SIGTERM on, responses close their connections and long streams end, so that the shutdown
    # drains in a moment rather than waiting out its grace period for clients that keep sending.
    app.state.runtime.gate.exit_requested = lambda: server.should_exit
    server.run()
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="aoai-emulator", description="A local emulator of Azure OpenAI and OpenAI."
    )
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the emulator over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    serve.add_argument("--port", type=int, default=8000)
    where = serve.add_mutually_exclusive_group()
    where.add_argument("--db", metavar="PATH", help=f"SQLite file (default: {default_db_path()})")
    where.add_argument("--in-memory", action="store_true", help="keep everything in memory")
    serve.add_argument(
        "--api-key",
        action="append",
        metavar="KEY[:ROLE]",
        help=f"accepted key, with its role: contributor (the default), user or reader; repeat for several "
        f"(default: {DEFAULT_API_KEY})",
    )
    serve.add_argument("--deployments", metavar="FILE", help="JSON file declaring the deployments")
    serve.add_argument("--scripts", metavar="FILE", help="JSON file of scripted answers (see README)")
    serve.add_argument("--store-quota-bytes", type=int, help="stored-completions quota (default: 10 GiB)")
    serve.add_argument(
        "--max-file-bytes", type=int, help="largest file an upload or import may store (default: 512 MiB)"
    )
    serve.add_argument(
        "--max-request-bytes",
        type=int,
        help="largest JSON request body; a larger one is answered 413 (default: 16 MiB)",
    )
    serve.add_argument(
        "--fine-tuning-speed",
        type=float,
        help="simulated fine-tuning runs this many times faster (default: 1)",
    )
    serve.add_argument(
        "--fine-tuning-concurrency",
        type=int,
        help="fine-tuning jobs that may train at once; the rest stay queued (default: 1)",
    )
    serve.add_argument(
        "--clock-start",
        type=float,
        default=None,
        help="start a manual clock at this Unix time (default: wall-clock time)",
    )
    serve.add_argument(
        "--lenient-api-version",
        action="store_true",
        help="accept api-versions newer than the newest known one",
    )
    serve.add_argument(
        "--distill-files-downloadable",
        action="store_true",
        help="let distillation and evaluation files made from stored completions be downloaded (the service "
        "never allows it; for debugging)",
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        metavar="NAME",
        help="also answer requests whose Host header names NAME (repeatable; '*' for any). By default only "
        "loopback names and addresses, and the address bound, are answered, against DNS rebinding",
    )
    serve.add_argument(
        "--import-dir",
        metavar="DIR",
        help="let files/import read file:// URLs inside DIR (default: no file:// imports)",
    )
    serve.add_argument(
        "--default-capacity",
        type=_capacity,
        metavar="N",
        help="rate-limit every deployment without a sku of its own at N capacity units (N x 1,000 tokens and "
        "N x 6 requests per minute; default: no limits)",
    )
    serve.add_argument(
        "--latency",
        type=_latency,
        metavar="TTFT_MS:TOKENS_PER_S",
        help="simulate latency on every deployment without its own: time to first token in ms, then tokens "
        "per second (default: answers at once)",
    )
    serve.add_argument(
        "--faults",
        metavar="FILE",
        help='JSON fault rules ({"rules": [...]}, as POST /_emulator/faults takes), in force at start and '
        "after every reset",
    )
    serve.add_argument("--log-level", default="warning")
    serve.add_argument("--access-log", action="store_true")
    serve.set_defaults(run=_serve)

    deployments_cli.add_parser(commands)
    evaluate_cli.add_parser(commands)
    distill_cli.add_parser(commands)
    return root


def _latency(raw: str) -> dict[str, float]:
    from emulator.guards.latency import LatencyError, parse_latency

    first, _, speed = raw.partition(":")
    try:
        spec = {"ttft_ms": float(first)} | ({"tokens_per_second": float(speed)} if speed else {})
        parse_latency(spec)
    except (ValueError, LatencyError) as error:
        raise argparse.ArgumentTypeError(f"expected TTFT_MS:TOKENS_PER_S such as 400:60 ({error})") from None
    return spec


def _capacity(raw: str) -> int:
    from emulator.resource.deployments import capacity_error

    try:
        value = int(raw)
    except ValueError:
        value = -1
    problem = capacity_error(value, "--default-capacity")
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args))
