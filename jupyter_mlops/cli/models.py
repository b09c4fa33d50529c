"""``jupyter mlops models [list|show|register|alias|download]``: the registry on the command line.

A face over :mod:`jupyter_mlops.models` and ``Store.models``; errors are the registry's own
(exit 2, one line, through the CLI's ``main``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInput

if TYPE_CHECKING:
    from ..store.model_entities import ModelVersion

EXIT_OK = 0


def register(commands: Any) -> None:
    """Add the ``models`` command to the CLI's sub-command parsers."""
    parser = commands.add_parser(
        "models", help="the model registry: list, show, register, alias, download",
        description="Registered models: numbered versions of run artifacts, and aliases that point at them.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  jupyter mlops models register 1m8gdm5tpbsc5x model.joblib --name churn --alias staging\n"
               "  jupyter mlops models alias churn production 3\n"
               "  jupyter mlops models download models:/churn@production ./model.joblib")
    _store_option(parser)
    parser.set_defaults(handler=_list, format="table")
    verbs = parser.add_subparsers(dest="models_command", metavar="VERB", parser_class=type(parser))

    sub = _verb(verbs, "list", "every model with its latest version and aliases", _list)
    sub.add_argument("--format", choices=("table", "json"), default="table")
    sub = _verb(verbs, "show", "a model's versions (with their runs), aliases and alias history", _show)
    sub.add_argument("name", metavar="NAME")
    sub.add_argument("--format", choices=("text", "json"), default="text")
    sub = _verb(verbs, "register", "register an artifact of a run as a new version", _register)
    sub.add_argument("run_id", metavar="RUN_ID")
    sub.add_argument("artifact", metavar="ARTIFACT", help="the artifact's name, as `jupyter mlops show RUN_ID` lists it")
    sub.add_argument("--name", required=True, help="the model's name (letters, digits, _ - .)")
    sub.add_argument("--alias", help="point this alias (a Python identifier) at the version")
    sub.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE", help="a tag of the version")
    sub = _verb(verbs, "alias", "point an alias at a version (or --delete it)", _alias)
    sub.add_argument("name", metavar="NAME")
    sub.add_argument("alias", metavar="ALIAS")
    sub.add_argument("version", metavar="VERSION", nargs="?", help="the version number (omit with --delete)")
    sub.add_argument("--delete", action="store_true", help="delete the alias instead")
    sub = _verb(verbs, "download", "copy a version's file (or directory) to DEST", _download)
    sub.add_argument("uri", metavar="URI", help="name, name/3, name@alias, models:/name/3 or models:/name@alias")
    sub.add_argument("dest", metavar="DEST", help="a path, or an existing directory to put it in")
    sub.add_argument("--force", action="store_true", help="replace DEST if it exists")


def _store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", metavar="LOCATION", default=argparse.SUPPRESS,
                        help="store directory or postgresql:// URL (default: as for every command)")


def _verb(verbs: Any, name: str, help: str, handler: Any) -> argparse.ArgumentParser:
    sub: argparse.ArgumentParser = verbs.add_parser(name, help=help, description=help)
    _store_option(sub)
    sub.set_defaults(handler=handler)
    return sub


def _registry(args: argparse.Namespace) -> Any:
    from ..store import open_store

    return open_store(getattr(args, "store", None)).models


def _when(timestamp: float | None) -> str:
    from ..render.text import format_time

    return format_time(timestamp)


def _list(args: argparse.Namespace) -> int:
    models = _registry(args).list()
    if args.format == "json":
        sys.stdout.write(json.dumps([m.summary() for m in models], indent=1) + "\n")
        return EXIT_OK
    if not models:
        print("no registered models yet; register one with mlops.register_model(name, path) in a run")
        return EXIT_OK
    from ..render.text import text_table

    rows = [[m.name, str(m.latest_version or "-"), ", ".join(f"{a}={v}" for a, v in m.aliases.items()) or "-",
             _when(m.created_at)] for m in models]
    sys.stdout.write(text_table(["name", "latest", "aliases", "created"], rows))
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    model = _registry(args).get(args.name)
    if args.format == "json":
        sys.stdout.write(json.dumps(model.to_dict(), indent=1) + "\n")
        return EXIT_OK
    from ..render.text import text_table

    print(f"model {model.name}: {len(model.versions)} version(s), created {_when(model.created_at)}"
          f"{' by ' + model.user if model.user else ''}")
    rows = [[str(v.version), ", ".join(v.aliases) or "-", v.run_id or "-", v.artifact, f"{v.size:,}",
             v.blob_digest[:12], _when(v.created_at), v.user or "-"] for v in model.versions]
    sys.stdout.write(text_table(["version", "aliases", "run", "artifact", "bytes", "digest", "created", "user"],
                                rows))
    if model.alias_history:
        print("alias history:")
        for move in model.alias_history:
            before = "-" if move.from_version is None else str(move.from_version)
            after = "(deleted)" if move.to_version is None else str(move.to_version)
            print(f"  {_when(move.at)}  {move.alias}: {before} -> {after}{'  by ' + move.user if move.user else ''}")
    return EXIT_OK


def _register(args: argparse.Namespace) -> int:
    from ..models import register_model

    tags = {}
    for item in args.tag:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidInput(f"--tag takes KEY=VALUE, got {item!r}")
        tags[key] = value
    version = register_model(args.name, run=args.run_id, artifact=args.artifact, alias=args.alias,
                             tags=tags or None, store=getattr(args, "store", None))
    print(_version_line(version))
    return EXIT_OK


def _version_line(version: ModelVersion) -> str:
    aliases = f" ({', '.join(version.aliases)})" if version.aliases else ""
    return f"{version.name} version {version.version}{aliases}: {version.artifact} of run {version.run_id}"


def _alias(args: argparse.Namespace) -> int:
    registry = _registry(args)
    if args.delete:
        if args.version is not None:
            raise InvalidInput("--delete takes no VERSION: jupyter mlops models alias NAME ALIAS --delete")
        move = registry.delete_alias(args.name, args.alias)
        print(f"deleted alias {args.alias} of {args.name} (it pointed at version {move.from_version})")
        return EXIT_OK
    if args.version is None:
        raise InvalidInput("name the VERSION the alias should point at: jupyter mlops models alias NAME ALIAS VERSION")
    print(_version_line(registry.set_alias(args.name, args.alias, args.version)))
    return EXIT_OK


def _download(args: argparse.Namespace) -> int:
    version = _registry(args).resolve(args.uri)
    source = version.path()
    dest = Path(args.dest)
    if dest.is_dir():  # an existing directory: put the copy in it
        dest = dest / source.name
    if dest.exists() or dest.is_symlink():
        if not args.force:
            raise InvalidInput(f"{dest} exists; pass --force to replace it, or choose another DEST")
        if dest.is_dir() and not dest.is_symlink():
            shutil.rmtree(dest)
        else:
            dest.unlink()
    if not dest.parent.is_dir():
        raise InvalidInput(f"cannot write {dest}: there is no directory {dest.parent}")
    if source.is_dir():
        shutil.copytree(source, dest)
    else:
        shutil.copyfile(source, dest)
    print(f"{version.name} version {version.version} -> {dest}")
    return EXIT_OK
