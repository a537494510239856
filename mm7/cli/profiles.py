"""``mm7 profiles``: the shipped carrier profiles, and checking a profile file."""

from __future__ import annotations

import json

import click

from mm7.cli._app import cli, handle_errors

# ------------------------------------------------------------------------------------------ profiles


@cli.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per profile, one per line.")
@click.pass_context
@handle_errors
def profiles(ctx: click.Context, as_json: bool) -> None:
    """The carrier profiles mm7 ships (name, MM7Version, auth, description); same as ``profiles list``.

    A profile is one TOML file stating a carrier's MM7 dialect (docs/carriers.md); give a shipped name or
    your own file to ``mm7 send --profile``. ``mm7 profiles show NAME|FILE.toml`` prints one and checks a
    file (exit 2 naming the key and line of the first problem).
    """
    if ctx.invoked_subcommand is None:
        _list(as_json)


@profiles.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per profile, one per line.")
@handle_errors
def list_profiles(as_json: bool) -> None:
    """List the shipped profiles: name, MM7Version, auth scheme, description."""
    _list(as_json)


def _list(as_json: bool) -> None:
    from mm7.profiles.files import load, shipped_names

    for name in shipped_names():
        profile = load(name)
        auth = profile.auth or "unknown"
        if as_json:
            row = {
                "name": name,
                "mm7_version": profile.mm7_version,
                "auth": profile.auth,
                "description": profile.description,
            }
            click.echo(json.dumps(row))
        else:
            click.echo(f"{name:<12} {profile.mm7_version:<7} {auth:<8} {profile.description}")


@profiles.command()
@click.argument("profile", metavar="NAME|FILE.toml")
@click.option("--format", "fmt", type=click.Choice(["toml", "json"]), default="toml", show_default=True)
@handle_errors
def show(profile: str, fmt: str) -> None:
    """Print one profile (a shipped name or a TOML file), checking it: exit 2 names the key and line."""
    from mm7.profiles.files import as_dict, load

    loaded = load(profile)
    if fmt == "json":
        click.echo(json.dumps(as_dict(loaded), indent=2))
    else:
        click.echo(loaded.to_toml(), nl=False)
