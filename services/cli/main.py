"""The ``sanji`` command. Each group lives in its own module; this file only assembles them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from services.cli import demo, import_cmd, ops, service_cmd, tokens_cmd, up

app = typer.Typer(
    help="Sanji (三级): the work-responsibility system, city → county → township.", no_args_is_help=True
)
service_cmd.register(app)
up.register(app)
demo.register(app)
import_cmd.register(app)
ops.register(app)
tokens_cmd.register(app)

contracts_app = typer.Typer(help="The published contracts (JSON Schema, subjects) for other systems.")
app.add_typer(contracts_app, name="contracts")


@app.command("bench")
def bench(
    output: Annotated[Path, typer.Option("--output", help="JSON results file")] = Path("bench-results.json"),
    quick: Annotated[bool, typer.Option("--quick", help="tiny sizes: checks the benchmark works")] = False,
    province: Annotated[
        bool, typer.Option("--province", help="a province's 30,000 units and up to 10 million events instead")
    ] = False,
    events: Annotated[
        int,
        typer.Option(
            "--events", min=1000, help="with --province: the largest size (and a tenth, a hundredth)"
        ),
    ] = 10_000_000,
) -> None:
    """Run the benchmark against embedded servers and write its results."""
    if province:
        import tempfile

        from services.bench.province import run_province

        with tempfile.TemporaryDirectory(prefix="sanji-province-") as tmp:
            rows = run_province(Path(tmp), quick=quick, largest=events)
        output.write_text(json.dumps({"province": rows}, indent=2) + "\n", encoding="utf-8")
        raise typer.Exit(0)
    from services.bench.main import run

    raise typer.Exit(run(output, quick=quick))


@contracts_app.command("export")
def export_contracts(directory: Annotated[Path, typer.Argument(help="folder to write into")]) -> None:
    """Write every contract's schema into DIRECTORY."""
    from contracts.export import export_all
    from services.registry import query_names

    written = export_all(directory, query_names())
    typer.echo(f"wrote {len(written)} files to {directory}")


if __name__ == "__main__":
    app()
