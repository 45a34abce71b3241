"""`aoai-emulator serve | deployments | evaluate | distill`: the command line."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from pathlib import Path

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
        overrides["api_keys"] = tuple(args.api_key)
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
        metavar="KEY",
        help=f"accepted key; repeat for several (default: {DEFAULT_API_KEY})",
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
    serve.add_argument("--log-level", default="warning")
    serve.add_argument("--access-log", action="store_true")
    serve.set_defaults(run=_serve)

    deployments_cli.add_parser(commands)
    evaluate_cli.add_parser(commands)
    distill_cli.add_parser(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args))
