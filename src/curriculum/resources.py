"""The resource directory: hotlines and reporting lines as checked data, by region.

A wrong number on a printed card in a child's pocket is the worst defect this
book can have, so numbers and hotline addresses live only in
``data/resources/<region>.yml`` (each entry with its source, the date it was
checked and a verification status) and pages refer to entries by id:
``{resource}`cybertipline``` inline, ``{help-card}`` for a card of several,
``{resource-directory}`` for the whole directory grouped by purpose, and
``{region}`` for text that holds only in some regions (a state's law).

The build is made for one region (``curriculum_region`` in ``_config.yml``,
or ``CURRICULUM_REGION`` in the environment, which ``curriculum build
--region`` sets).  A region's file names its ``parent`` (a state names the
country), and the entries of the region and all its parents are available.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from importlib import resources as package_files
from pathlib import Path
from typing import Any

import jsonschema
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole
from sphinx.util.nodes import nested_parse_with_titles

from curriculum import frontmatter

logger = logging.getLogger(__name__)

REGION_ENV = "CURRICULUM_REGION"

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
        raise ConfigError(
            f"unknown region '{region}': there is no {data_dir / (region + '.yml')} (known regions: {known})"
        )
    current: str | None = region
    while current:
        if current in directory.chain:
            break
        directory.chain.append(current)
        current = directory.parents.get(current)
    return directory


def _contact_node(contact: dict[str, Any]) -> nodes.Node:
    kind = contact["type"]
    if kind == "phone":
        uri = f"tel:{contact['number']}"
    elif kind == "text":
        uri = f"sms:{contact['number']}"
        if contact.get("keyword"):
            uri += f"?&body={contact['keyword']}"
    else:
        uri = contact["url"]
    return nodes.reference("", contact["label"], refuri=uri, classes=[f"contact-{kind}"])


def _contacts(entry: dict[str, Any]) -> list[nodes.Node]:
    parts: list[nodes.Node] = []
    for index, contact in enumerate(entry["contacts"]):
        if index:
            parts.append(nodes.Text(" · "))
        parts.append(_contact_node(contact))
    return parts


def inline_nodes(entry: dict[str, Any]) -> nodes.inline:
    """``Name (contact · contact)`` for use inside a sentence."""
    node = nodes.inline(classes=["resource"])
    node += nodes.strong(entry["name"], entry["name"])
    node += nodes.Text(" (")
    node.extend(_contacts(entry))
    node += nodes.Text(")")
    return node


def _missing_slot(slot: str) -> nodes.inline:
    text = (
        f"[{SLOT_NAMES[slot]}: this region has none yet; add it to the region's file in "
        "data/resources/ as described on the Resources page]"
    )
    return nodes.inline(text, text, classes=["resource", "resource-missing"])


def entry_block(entry: dict[str, Any], with_status: bool = False) -> nodes.container:
    """One entry as a block: name, what it is for, how to reach it, hours."""
    block = nodes.container(classes=["resource-entry"])
    block += nodes.paragraph("", "", nodes.strong(entry["name"], entry["name"]), classes=["resource-name"])
    block += nodes.paragraph(entry["description"], entry["description"])
    block += nodes.paragraph("", "", *_contacts(entry), classes=["resource-contacts"])
    hours = entry["hours"] + (f". {entry['languages']}" if entry.get("languages") else "")
    block += nodes.paragraph(hours, hours, classes=["resource-hours"])
    if with_status:
        para = nodes.paragraph(classes=["resource-status"])
        para += nodes.Text(f"Checked {entry['checked_on']} ({entry['status']}) against ")
        para += nodes.reference("", "its source", refuri=entry["source"])
        para += nodes.Text(f". {entry['note']}" if entry.get("note") else ".")
        block += para
    return block


class ResourceRole(SphinxRole):
    """``{resource}`cybertipline``` renders an entry's name and contacts in a sentence."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        directory: Directory = self.env.app.curriculum_directory
        for path in directory.files.values():
            self.env.note_dependency(str(path))
        found = directory.lookup(self.text.strip())
        if isinstance(found, dict):
            return [inline_nodes(found)], []
        if found in SLOT_NAMES:
            return [_missing_slot(found)], []
        logger.warning("RES010 %s", found, location=self.get_location(), type="curriculum", subtype="RES010")
        return [nodes.inline(self.rawtext, self.rawtext)], []


class HelpCardDirective(SphinxDirective):
    """A card of several entries: ``:resources: cybertipline take-it-down lifeline-988``."""

    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = {"resources": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        directory: Directory = self.env.app.curriculum_directory
        for path in directory.files.values():
            self.env.note_dependency(str(path))
        keys = self.options.get("resources", "").split()
        if not keys:
            raise self.error("help-card needs ':resources:' with one or more resource ids")
        title = self.arguments[0] if self.arguments else "Where to get help"
        card = nodes.admonition(classes=["help-card"])
        self.set_source_info(card)
        card += nodes.title(title, title)
        for key in keys:
            found = directory.lookup(key)
            if isinstance(found, dict):
                card += entry_block(found)
            elif found in SLOT_NAMES:
                card += nodes.paragraph("", "", _missing_slot(found))
            else:
                logger.warning(
                    "RES010 %s", found, location=self.get_location(), type="curriculum", subtype="RES010"
                )
        return [card]


class ResourceDirectoryDirective(SphinxDirective):
    """The whole directory for the build's region, grouped by purpose, with check dates."""

    def run(self) -> list[nodes.Node]:
        directory: Directory = self.env.app.curriculum_directory
        for path in directory.files.values():
            self.env.note_dependency(str(path))
        result: list[nodes.Node] = []
        names = " and ".join(directory.names[code] for code in reversed(directory.chain))
        intro = f"These lines are for: {names}."
        result.append(nodes.paragraph(intro, intro, classes=["resource-region"]))
        entries = directory.active()
        for purpose, heading in PURPOSES.items():
            group = [entry for entry in entries if purpose in entry["purposes"]]
            if not group:
                continue
            section = nodes.section(ids=[f"resources-{purpose}"], names=[heading.lower()])
            section += nodes.title(heading, heading)
            for entry in group:
                section += entry_block(entry, with_status=True)
            result.append(section)
        return result


class RegionDirective(SphinxDirective):
    """``:::{region} us-co``: content shown only in books built for that region (or one inside it)."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True

    def run(self) -> list[nodes.Node]:
        directory: Directory = self.env.app.curriculum_directory
        codes = self.arguments[0].split()
        unknown = [code for code in codes if code not in directory.names]
        if unknown:
            known = ", ".join(sorted(directory.names))
            raise self.error(f"unknown region '{unknown[0]}' (known regions: {known})")
        if not any(code in directory.chain for code in codes):
            return []
        container = nodes.container(classes=["region-only"])
        self.set_source_info(container)
        nested_parse_with_titles(self.state, self.content, container, self.content_offset)
        return container.children


def on_config_inited(app: Sphinx, config: Config) -> None:
    """Apply the command-line region (environment) over ``_config.yml``."""
    if os.environ.get(REGION_ENV):
        config.curriculum_region = os.environ[REGION_ENV]


def on_builder_inited(app: Sphinx) -> None:
    """Load the directory once per build and report bad data with file and line."""
    data_dir = Path(app.srcdir) / app.config.curriculum_data_dir / "resources"
    app.curriculum_directory = load_directory(data_dir, app.config.curriculum_region)
    for path, line, message in app.curriculum_directory.problems:
        logger.warning(message, location=f"{path}:{line}", type="curriculum", subtype="resources")


def setup(app: Sphinx) -> None:
    """Register the region setting, the role and the two directives."""
    app.add_config_value("curriculum_region", "us", "env", [str])
    app.add_config_value("curriculum_data_dir", "data", "env", [str])
    app.connect("config-inited", on_config_inited)
    app.connect("builder-inited", on_builder_inited)
    app.add_role("resource", ResourceRole())
    app.add_directive("help-card", HelpCardDirective)
    app.add_directive("resource-directory", ResourceDirectoryDirective)
    app.add_directive("region", RegionDirective)
