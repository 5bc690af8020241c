"""The ``edu`` command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from edu_runtime.settings import DEFAULT_DATA_DIR

from edu_tools.gateway import DEFAULT_AUDIENCE, DEFAULT_ISSUER, GatewayKeys, parse_ttl

app = typer.Typer(
    help="Education e-services: local stack, tokens, registry data and operations.",
    no_args_is_help=True,
    add_completion=False,
)

DataDir = Annotated[
    Path, typer.Option(envvar="EDU_DATA_DIR", help="Local state: keys, data, logs.")
]


@app.command()
def up(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    no_seed: Annotated[bool, typer.Option(help="Do not load synthetic registry data.")] = False,
    no_prometheus: Annotated[
        bool, typer.Option(help="Do not start Prometheus (http://127.0.0.1:9090).")
    ] = False,
) -> None:
    """Start the whole system on the embedded Kafka and MongoDB (foreground; Ctrl-C stops)."""
    from edu_tools.stack import up as run_up

    seed = None
    if not no_seed:
        from edu_tools.registry.seeding import seed_if_empty

        seed = seed_if_empty
    raise typer.Exit(run_up(data_dir, seed, prometheus=not no_prometheus))


@app.command()
def token(
    sub: Annotated[str, typer.Option(help="Personal code of the authenticated person.")],
    role: Annotated[str, typer.Option(help="citizen or staff")] = "citizen",
    institution: Annotated[str | None, typer.Option(help="Institution id (staff tokens).")] = None,
    ttl: Annotated[str, typer.Option(help="Lifetime: 90s, 15m, 1h, 2d.")] = "1h",
    auth_method: Annotated[str, typer.Option(help="bank, eparaksts or eid")] = "eparaksts",
    given_name: Annotated[str | None, typer.Option()] = None,
    family_name: Annotated[str | None, typer.Option()] = None,
    issuer: Annotated[str, typer.Option(envvar="EDU_JWT_ISSUER")] = DEFAULT_ISSUER,
    audience: Annotated[str, typer.Option(envvar="EDU_JWT_AUDIENCE")] = DEFAULT_AUDIENCE,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Print a JWT signed with the local gateway key (as the portal's gateway would send)."""
    from edu_contracts.personal_code import PersonalCodeError, normalize_personal_code

    try:
        code = normalize_personal_code(sub)
        lifetime = parse_ttl(ttl)
    except (PersonalCodeError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if role not in ("citizen", "staff"):
        typer.echo("error: --role is citizen or staff", err=True)
        raise typer.Exit(2)
    if role == "staff" and not institution:
        typer.echo("error: a staff token needs --institution", err=True)
        raise typer.Exit(2)
    typer.echo(
        GatewayKeys(data_dir, generate=True).mint(
            code,
            role=role,
            institution_id=institution,
            ttl=lifetime,
            issuer=issuer,
            audience=audience,
            auth_method=auth_method,
            given_name=given_name,
            family_name=family_name,
        )
    )


@app.command()
def traces(
    last: Annotated[int, typer.Option(help="How many of the latest traces.")] = 5,
    trace: Annotated[str | None, typer.Option(help="One trace by id (a prefix is enough).")] = None,
    correlation: Annotated[
        str | None, typer.Option(help="The trace(s) of a correlation id.")
    ] = None,
    service: Annotated[str | None, typer.Option(help="Only traces touching this service.")] = None,
    all_traces: Annotated[
        bool, typer.Option("--all", help="Include background database polls.")
    ] = False,
    file: Annotated[
        Path | None,
        typer.Option(envvar="EDU_TRACES_FILE", help="Span file; default DATA_DIR/traces.jsonl."),
    ] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Print the latest traces (from the services' span file) as trees with durations."""
    from edu_tools.traces import show

    typer.echo(
        show(
            file or data_dir / "traces.jsonl",
            last=last,
            trace_id=trace,
            correlation_id=correlation,
            service=service,
            include_background=all_traces,
        )
    )


schemas_app = typer.Typer(
    help="Committed JSON Schemas and AsyncAPI document.", no_args_is_help=True
)
app.add_typer(schemas_app, name="schemas")


@schemas_app.command("write")
def schemas_write() -> None:
    """Regenerate contracts/schemas/*.json and docs/asyncapi.json."""
    from edu_tools.schemas import write

    for path in write():
        typer.echo(f"wrote {path}")


@schemas_app.command("check")
def schemas_check() -> None:
    """Fail if the committed schemas are stale."""
    from edu_tools.schemas import stale

    files = stale()
    for path in files:
        typer.echo(f"stale: {path}", err=True)
    raise typer.Exit(1 if files else 0)


bench_app = typer.Typer(
    help="Benchmarks (not tests): they print figures and the budget they compare against.",
    no_args_is_help=True,
)
app.add_typer(bench_app, name="bench")


@bench_app.command("applications")
def bench_applications(
    n: Annotated[int, typer.Option(help="Applications to submit.")] = 1000,
    concurrency: Annotated[int, typer.Option(help="Concurrent HTTP clients.")] = 32,
    receipts: Annotated[int, typer.Option(help="Receipt confirmations to time.")] = 200,
    rate: Annotated[float, typer.Option(help="Receipt confirmations per second.")] = 20.0,
    hops: Annotated[
        bool,
        typer.Option(
            help="Trace the services and print where the receipts' milliseconds go, hop by "
            "hop (tracing costs the services CPU: submissions/s drop)."
        ),
    ] = False,
) -> None:
    """Submissions/s and receipt → handover act linked latency, on the real stack."""
    from edu_tools.bench_applications import main as run_bench

    raise typer.Exit(run_bench(n, concurrency, receipts, rate, hops).exit_code)


@bench_app.command("notifications")
def bench_notifications(
    changes: Annotated[int, typer.Option(help="Status changes published in one burst.")] = 10_000,
) -> None:
    """Status changes → e-mails delivered to a real SMTP server: messages/s, CPU per message."""
    from edu_tools.bench_notifications import main as run_bench

    raise typer.Exit(run_bench(changes).exit_code)


@app.command()
def fuzz(
    examples: Annotated[int, typer.Option(help="Examples per operation and phase.")] = 100,
    phases: Annotated[str, typer.Option(help="schemathesis phases")] = (
        "examples,coverage,fuzzing"
    ),
    seed: Annotated[int | None, typer.Option(help="Repeat a run.")] = None,
    data_dir: DataDir = DEFAULT_DATA_DIR,
) -> None:
    """Fuzz every service of a running `edu up` from its OpenAPI document with every
    schemathesis check (edu_tools.fuzz.EXCLUDED_CHECKS says which cannot apply),
    without a token, as a citizen, a representative, staff of an institution and
    staff of another; prints the cases run and what failed."""
    from edu_tools.fuzz import main as run_fuzz

    raise typer.Exit(run_fuzz(data_dir, examples, phases, seed))


@app.command()
def chaos(
    families: Annotated[int, typer.Option(help="Families applying (and printing My data).")] = 200,
    rounds: Annotated[int, typer.Option(help="Times each service and MongoDB is killed.")] = 2,
    interval: Annotated[float, typer.Option(help="Seconds between kills.")] = 5.0,
    concurrency: Annotated[int, typer.Option(help="Families in flight at once.")] = 16,
) -> None:
    """Fault injection under load on a stack of its own: kill -9 each service in turn and
    MongoDB, then prove nothing was lost or duplicated (prints the figures)."""
    from edu_tools.chaos import main as run_chaos

    raise typer.Exit(run_chaos(families, rounds, interval, concurrency))


@bench_app.command("documents")
def bench_documents(
    seconds: Annotated[float, typer.Option(help="Seconds of rendering and storing.")] = 20.0,
    batch: Annotated[
        int, typer.Option(help="Render commands taken at once, as the consumer does.")
    ] = 16,
    mongo_url: Annotated[
        str | None,
        typer.Option(envvar="EDU_MONGO_URL", help="Default: an embedded MongoDB for the run."),
    ] = None,
) -> None:
    """Handover acts rendered and stored per second on one core (budget >= 200/s)."""
    from edu_tools.documents.bench import main as run_bench

    argv = ["--seconds", str(seconds), "--batch", str(batch)]
    raise typer.Exit(
        run_bench([*argv, *(["--mongo-url", mongo_url] if mongo_url else [])]).exit_code
    )


@bench_app.command("portal")
def bench_portal(
    learners: Annotated[int, typer.Option(help="Register size to load if not loaded.")] = 250_000,
    rate: Annotated[float, typer.Option(help="Pages (and API reads) per second.")] = 100.0,
    duration: Annotated[float, typer.Option(help="Seconds of measured load per phase.")] = 30.0,
    data_dir: Annotated[
        Path, typer.Option(help="Where the benchmark's own embedded servers keep data.")
    ] = Path(".edu/bench"),
) -> None:
    """The My data result page through nginx + portal vs the API read (budget p99 <= 100 ms)."""
    from edu_tools.bench_portal import run

    raise typer.Exit(
        run(learners=learners, rate=rate, duration=duration, data_dir=data_dir).exit_code
    )


@bench_app.command("inbox")
def bench_inbox(
    n: Annotated[int, typer.Option(help="Applications of one institution.")] = 5000,
    requests: Annotated[int, typer.Option(help="Measured requests of each kind.")] = 200,
    data_dir: Annotated[
        Path, typer.Option(help="Where the benchmark's own embedded servers keep data.")
    ] = Path(".edu/bench-inbox"),
) -> None:
    """The staff inbox page (filtered, page 50) through nginx + portal vs the API (p95 <= 150 ms)."""
    from edu_tools.bench_inbox import run

    raise typer.Exit(run(n=n, requests=requests, data_dir=data_dir).exit_code)


@bench_app.command("all")
def bench_all(
    profile: Annotated[
        str, typer.Option(help="short (~5 min on 2 cores) or full (the benches' defaults).")
    ] = "short",
    repeat: Annotated[
        int, typer.Option(min=1, help="Runs of everything; 2+ measures each figure's noise.")
    ] = 1,
    write: Annotated[
        bool, typer.Option(help="Record the figures in docs/benchmarks.json.")
    ] = False,
    noise_from: Annotated[
        Path | None,
        typer.Option(help="Take the noise from this record (default: the committed one)."),
    ] = None,
    fail_on_regression: Annotated[
        bool, typer.Option(help="Exit 1 when a figure moved the wrong way beyond its noise.")
    ] = False,
    only: Annotated[list[str] | None, typer.Option(help="Only these benches (repeatable).")] = None,
) -> None:
    """Every benchmark in turn; each figure beside the last committed one, regressions flagged."""
    from edu_tools.bench_all import PROFILES, main

    if profile not in PROFILES:
        typer.echo(f"error: --profile is one of {', '.join(PROFILES)}", err=True)
        raise typer.Exit(2)
    raise typer.Exit(
        main(
            profile,
            repeat=repeat,
            write=write,
            noise_from=noise_from,
            fail_on_regression=fail_on_regression,
            only=only,
        )
    )


@bench_app.command("table")
def bench_table(
    check: Annotated[bool, typer.Option(help="Only check README's table is current.")] = False,
) -> None:
    """Render README's performance table from docs/benchmarks.json (between its markers)."""
    from edu_tools.bench_record import README, load, render_table, with_table

    text = README.read_text()
    new = with_table(text, render_table(load()))
    if check:
        if new != text:
            typer.echo(f"{README} is out of date: run `edu bench table`", err=True)
            raise typer.Exit(1)
        return
    README.write_text(new)
    typer.echo(f"wrote {README}")


@bench_app.command("items")
def bench_items(
    n: Annotated[int, typer.Option(help="Items in the register, over 50 institutions.")] = 20_000,
    requests: Annotated[int, typer.Option(help="Measured requests of each kind.")] = 200,
    data_dir: Annotated[
        Path, typer.Option(help="Where the benchmark's own embedded servers keep data.")
    ] = Path(".edu/bench-items"),
) -> None:
    """An item found by its number: the API search, and the ready-for-issue page
    through nginx + portal (p95 <= 150 ms)."""
    from edu_tools.bench_items import run

    raise typer.Exit(run(n=n, requests=requests, data_dir=data_dir).exit_code)


portal_app = typer.Typer(help="The portal's pages.", no_args_is_help=True)
app.add_typer(portal_app, name="portal")


@portal_app.command("messages")
def portal_messages() -> None:
    """Extract the portal's texts into its lv/en catalogues; list Latvian ones to translate."""
    from edu_tools.portal_messages import update

    missing = update().get("lv", [])
    for msgid in missing:
        typer.echo(f"lv: no translation yet: {msgid!r}")
    typer.echo(f"{len(missing)} Latvian translations missing")


gateway_app = typer.Typer(help="The gateway (nginx) configuration.", no_args_is_help=True)
app.add_typer(gateway_app, name="gateway")


@gateway_app.command("render")
def gateway_render(
    check: Annotated[bool, typer.Option(help="Only check the committed file is current.")] = False,
) -> None:
    """Write deploy/'s nginx.conf from the routing table (edu_tools.gateway_nginx.ROUTES)."""
    from edu_tools.gateway_nginx import DEPLOY_CONF, deploy_target, render

    text = render(deploy_target())
    if check:
        if DEPLOY_CONF.read_text() != text:
            typer.echo(f"{DEPLOY_CONF} is out of date: run `edu gateway render`", err=True)
            raise typer.Exit(1)
        return
    DEPLOY_CONF.write_text(text)
    typer.echo(f"wrote {DEPLOY_CONF}")


def _mount_service_commands() -> None:
    from edu_tools.registry.cli import app as registry_app
    from edu_tools.retention.cli import app as retention_app

    app.add_typer(registry_app, name="registry")
    app.add_typer(retention_app, name="retention")


def _mount_operations_commands() -> None:
    from edu_tools.dlq_cli import app as dlq_app
    from edu_tools.mail import app as mail_app

    app.add_typer(dlq_app, name="dlq")
    app.add_typer(mail_app, name="mail")


_mount_service_commands()
_mount_operations_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
