"""The resource directory as data: region files, validated, with file and line for every mistake.

Hotline numbers live only in ``data/resources/<region>.yml``; this module
reads and checks them and answers "which entry does this page mean?" for the
build (:mod:`curriculum.resources`) and for ``curriculum check`` alike, without
importing Sphinx.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources as package_files
from pathlib import Path
from typing import Any

import jsonschema

from curriculum import frontmatter


class RegionError(ValueError):
    """The build asks for a region that has no file."""


#: Purposes in the order the resources page shows them, with their headings.
PURPOSES = {
    "crisis": "If you need help now",
    "report": "Report",
    "remove-images": "Remove images",
    "support": "Talk to someone",
}
#: What a page gets when it asks for a slot its region does not fill.
SLOT_NAMES = {
    "local-child-abuse-line": "your state's child-abuse reporting line",
    "local-trafficking-line": "your state's human-trafficking hotline",
    "local-fbi-office": "your local FBI field office",
}


@cache
def resources_schema() -> dict[str, Any]:
    """The published JSON Schema of a region file."""
    text = package_files.files("curriculum").joinpath("schemas/resources.schema.json").read_text("utf-8")
    return json.loads(text)


@dataclass
class Directory:
    """Every region file, and which regions the build shows."""

    region: str
    chain: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    problems: list[tuple[str, int, str]] = field(default_factory=list)

    def active(self) -> list[dict[str, Any]]:
        """Entries shown in this build: the region's and its parents', national first."""
        order = list(reversed(self.chain))
        chosen = [entry for entry in self.entries.values() if entry["region"] in self.chain]
        return sorted(chosen, key=lambda entry: order.index(entry["region"]))

    def lookup(self, key: str) -> dict[str, Any] | str:
        """The entry for an id or a slot, or a message saying why there is none."""
        entry = self.entries.get(key)
        if entry is not None:
            if entry["region"] in self.chain:
                return entry
            return (
                f"resource '{key}' belongs to region '{entry['region']}' but the book is built for "
                f"region '{self.region}' (fix: refer to a slot such as 'local-child-abuse-line', or build "
                f"with --region {entry['region']})"
            )
        for candidate in self.active():
            if key in candidate.get("provides", []):
                return candidate
        if key in SLOT_NAMES:
            return key
        known = ", ".join(sorted(entry["id"] for entry in self.active()))
        return f"unknown resource '{key}' (fix: use one of: {known}; or add it to data/resources/)"


def load_directory(data_dir: Path, region: str) -> Directory:
    """Read and validate every ``<region>.yml``; problems carry file and line."""
    directory = Directory(region=region)
    validator = jsonschema.Draft202012Validator(resources_schema())
    for path in sorted(data_dir.glob("*.yml")):
        shown = str(path)
        try:
            data, lines = frontmatter.load_with_lines(path.read_text(encoding="utf-8"))
        except frontmatter.FrontMatterError as error:
            directory.problems.append((shown, error.line, f"RES001 {error}"))
            continue
        errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
        for error in errors:
            if error.validator in {"if", "allOf"}:
                continue
            where = tuple(error.absolute_path)
            line = next((lines[where[:cut]] for cut in range(len(where), -1, -1) if where[:cut] in lines), 1)
            place = ".".join(str(part) for part in where) or "file"
            directory.problems.append((shown, line, f"RES002 {place}: {error.message}"))
        if errors:
            continue
        code = data["region"]
        if path.stem != code:
            directory.problems.append(
                (shown, lines[("region",)], f"RES003 region '{code}' must be in a file named {code}.yml")
            )
            continue
        directory.names[code] = data["name"]
        directory.files[code] = path
        if data.get("parent"):
            directory.parents[code] = data["parent"]
        for index, entry in enumerate(data["entries"]):
            if entry["id"] in directory.entries:
                first = directory.entries[entry["id"]]
                directory.problems.append(
                    (
                        shown,
                        lines[("entries", index, "id")],
                        f"RES004 duplicate resource id '{entry['id']}' "
                        f"(also in {first['file']}:{first['line']})",
                    )
                )
                continue
            directory.entries[entry["id"]] = {
                **entry,
                "region": code,
                "file": shown,
                "line": lines[("entries", index, "id")],
            }
    if region not in directory.names:
        known = ", ".join(sorted(directory.names)) or "none"
        raise RegionError(
            f"unknown region '{region}': there is no {data_dir / (region + '.yml')} (known regions: {known})"
        )
    current: str | None = region
    while current:
        if current in directory.chain:
            break
        directory.chain.append(current)
        current = directory.parents.get(current)
    return directory
