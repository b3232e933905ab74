"""``archive backup`` and ``archive restore`` (registered on the ``archive`` command by :mod:`archive.cli.app`)."""

from pathlib import Path
from typing import Annotated

import typer

from archive.cli.app import _archive, _reporting, app
from archive.cli.output import OutputFormat, counted, print_json


@app.command()
@_reporting
def backup(
    ctx: typer.Context,
    destination: Annotated[Path, typer.Argument(help="A new (or empty) folder for the copy.", file_okay=False)],
    index: Annotated[
        bool, typer.Option("--index/--no-index", help="Copy the search index too (without: rebuilt on restore).")
    ] = True,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
) -> None:
    """Copy the archive, consistently, while it runs (ingests and searches go on): the database (SQLite's
    online backup; a PostgreSQL database is copied with pg_dump, see the README) and the search index."""
    made = _archive(ctx).backup(destination, with_index=index)
    if output is OutputFormat.json:
        print_json(made.to_dict())
        return
    what = [f"the database ({counted(made.articles, 'article')})"] if made.database else []
    if made.index:
        what.append(f"the index ({made.index_bytes / 2**20:.1f} MB)")
    typer.echo(f"backed up {' and '.join(what) or 'no file (the database is on a server)'} to {made.folder}")
    if made.server:
        typer.echo(
            f"the database is on a server ({made.server}): copy it with its own tools now, e.g. "
            "`pg_dump -Fc -f archive.dump URL` (the README's backup section)",
            err=True,
        )


@app.command()
@_reporting
def restore(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="A folder `archive backup` wrote.", exists=True, file_okay=False)],
) -> None:
    """Bring an archive back from a backup into an empty home (--home), its index brought up to date."""
    restored = _archive(ctx).restore(source)
    index = "its index" if restored.index else "an index built from the articles"
    typer.echo(f"restored {counted(restored.articles, 'article')} and {index} from {restored.folder}")
