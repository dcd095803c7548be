"""The ``c360`` command: serve the gateway, load the demo bank, export the schema."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from gateway.auth import AuthConfigurationError, AuthSettings, Role, mint_token
from gateway.config import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8360
DEFAULT_DEMO_CUSTOMERS = 3000
APP = "gateway.app:create_app"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``c360`` command."""
    parser = argparse.ArgumentParser(prog="c360", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the gateway (the demo bank by default)")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--workers", type=int, default=1)

    demo = commands.add_parser("demo-data", help="create and fill the three demo databases")
    demo.add_argument("--customers", type=int, default=DEFAULT_DEMO_CUSTOMERS)
    demo.add_argument("--seed", type=int, default=360)
    demo.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="the bank's 'today' (YYYY-MM-DD); default today",
    )

    export = commands.add_parser("export-schema", help="print the SDL (or write it to a file)")
    export.add_argument("--output", type=Path, default=None)

    token = commands.add_parser("token", help="mint a token the configured secret accepts")
    token.add_argument("--role", required=True, choices=[r.value for r in Role])
    token.add_argument("--subject", required=True, help="staff id or service name")
    token.add_argument("--branch", default=None, help="branch code (RMs, branch managers)")
    token.add_argument("--rm", default=None, help="RM id (relationship managers)")
    token.add_argument("--scope", action="append", default=[], help="SERVICE scope; repeatable")
    token.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")

    audit = commands.add_parser("audit", help="the audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser(
        "verify", help="recompute the hash chain; report edited, deleted or reordered records"
    )
    verify.add_argument(
        "--anchor", default=None, help="SEQ:HASH printed by an earlier verify, kept elsewhere"
    )

    documents = commands.add_parser("documents", help="trusted documents (production)")
    documents_commands = documents.add_subparsers(dest="documents_command", required=True)
    register = documents_commands.add_parser(
        "register", help="register every *.graphql file of a folder by its SHA-256"
    )
    register.add_argument("folder", type=Path)
    register.add_argument(
        "--manifest", type=Path, default=None, help="default: $C360_TRUSTED_DOCUMENTS"
    )

    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command == "serve":
        return run_serve(settings, args.host, args.port, args.workers)
    if args.command == "demo-data":
        return run_demo_data(settings, args.customers, args.seed, args.as_of)
    if args.command == "token":
        return run_token(args)
    if args.command == "documents":
        return run_documents_register(settings, args.folder, args.manifest)
    if args.command == "audit":
        return run_audit_verify(settings, args.anchor)
    return run_export_schema(args.output)


def run_audit_verify(settings: Settings, anchor_text: str | None) -> int:
    """Verify the audit chain; exit 1 when any record was edited, deleted or reordered."""
    from gateway.audit import Anchor, verify_chain

    anchor = Anchor.parse(anchor_text) if anchor_text else None
    report = asyncio.run(verify_chain(settings.audit_db_url, anchor=anchor))
    for problem in report.problems:
        print(f"c360 audit: {problem}")
    verdict = "intact" if report.ok else "BROKEN"
    print(f"audit chain {verdict}: {report.records} records; anchor {report.anchor}")
    return 0 if report.ok else 1


def run_documents_register(settings: Settings, folder: Path, manifest: Path | None) -> int:
    """Write the manifest of trusted documents and print each document's id."""
    from gateway.documents import manifest_path, register

    if not folder.is_dir():
        print(f"c360: {folder} is not a folder", file=sys.stderr)
        return 2
    target = manifest or manifest_path(settings.data_dir)
    registered = register(folder, target)
    for digest, name in sorted(registered.names.items(), key=lambda item: item[1]):
        print(f"sha256:{digest}  {name}")
    print(f"{len(registered.documents)} trusted documents in {target}")
    return 0


def run_token(args: argparse.Namespace) -> int:
    """Print a signed token (HS256 with the configured secret)."""
    try:
        token = mint_token(
            AuthSettings.from_env(),
            role=Role(args.role),
            subject=args.subject,
            branch=args.branch,
            rm_id=args.rm,
            scopes=args.scope,
            ttl_seconds=args.ttl,
        )
    except (ValueError, AuthConfigurationError) as error:
        print(f"c360: {error}", file=sys.stderr)
        return 2
    print(token)
    return 0


def run_export_schema(output: Path | None) -> int:
    from resolvers.schema import schema

    sdl = schema.as_str() + "\n"
    if output is None:
        sys.stdout.write(sdl)
    else:
        output.write_text(sdl, encoding="utf-8")
    return 0


def run_demo_data(settings: Settings, customers: int, seed: int, as_of: date | None) -> int:
    from sources.demo import load_demo_bank

    if customers < 1:
        print("c360: --customers must be at least 1", file=sys.stderr)
        return 2
    summary = asyncio.run(
        load_demo_bank(
            settings.source_urls, customers=customers, seed=seed, as_of=as_of, progress=True
        )
    )
    print(
        f"demo bank: {customers} customers, {summary.total_rows} rows "
        f"in {summary.elapsed_seconds:.1f} s"
    )
    return 0


def run_serve(settings: Settings, host: str, port: int, workers: int) -> int:
    import uvicorn

    from gateway.app import ProductionMisconfigured, check_production, trusted_documents
    from gateway.corking import CorkedHttpToolsProtocol
    from sources.sessions import plan_cache_mode

    try:
        check_production(settings, AuthSettings.from_env())
        trusted_documents(settings)
        plan_cache_mode()
    except (ProductionMisconfigured, AuthConfigurationError, ValueError) as error:
        print(f"c360: refusing to serve: {error}", file=sys.stderr)
        return 2
    if not settings.sources_configured and not demo_bank_exists(settings):
        print(
            f"c360: no sources configured; creating the demo bank in {settings.data_dir}/",
            flush=True,
        )
        run_demo_data(settings, DEFAULT_DEMO_CUSTOMERS, 360, None)
    problems = asyncio.run(unreachable_sources(settings))
    for name, reason in problems.items():
        print(f"c360: cannot reach the {name} source: {reason}", file=sys.stderr)
    if problems:
        return 1
    print(f"c360: serving on http://{host}:{port}/graphql", flush=True)
    options: dict[str, Any] = {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "log_level": "info",
        # c360 logs one JSON line per request itself (gateway.logs); uvicorn's access line
        # would say it again, in another format, at a cost of its own on every request.
        "access_log": False,
        # Each answer's head and body in one write (gateway.corking).
        "http": CorkedHttpToolsProtocol,
    }
    if workers > 1:
        from gateway.workers import Supervisor

        return Supervisor(uvicorn.Config(APP, **options), workers).run()
    uvicorn.run(APP, **options)
    return 0


def demo_bank_exists(settings: Settings) -> bool:
    """Whether the three default SQLite files are there."""
    return all((settings.data_dir / f"{name}.db").is_file() for name in settings.source_urls)


async def unreachable_sources(settings: Settings) -> dict[str, str]:
    """Sources that do not answer at start-up, with why (the URL without its password)."""
    from sources import Sources

    sources = Sources.from_urls(settings.source_urls)
    problems: dict[str, str] = {}
    try:
        for source in sources.all():
            url = make_url(settings.source_urls[source.name]).render_as_string(hide_password=True)
            try:
                await asyncio.wait_for(source.ping(), 10)
            except TimeoutError:
                problems[source.name] = f"{url}: no answer within 10 s"
            except Exception as error:
                problems[source.name] = f"{url}: {type(error).__name__}: {error}"
    finally:
        await sources.dispose()
    return problems


if __name__ == "__main__":
    raise SystemExit(main())
