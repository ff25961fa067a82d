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

import datetime
import os
import sys
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole
from sphinx.util.nodes import nested_parse_with_titles

from curriculum import REGION_ENV
from curriculum.directory import PURPOSES, SLOT_NAMES, Directory, RegionError, load_directory

logger = logging.getLogger(__name__)


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
    try:
        app.curriculum_directory = load_directory(data_dir, app.config.curriculum_region)
    except RegionError as error:
        raise ConfigError(str(error)) from error
    for path, line, message in app.curriculum_directory.problems:
        logger.warning(message, location=f"{path}:{line}", type="curriculum", subtype="resources")
    stale = stale_entries(app.curriculum_directory, app.config.curriculum_stale_days, datetime.date.today())
    if stale:
        # Printed, not a Sphinx warning: under -W a warning would fail every build the day a
        # check expires, and a quiet build hides Sphinx's own notices.
        print(
            f"WARNING: RES030 {len(stale)} resource entries were last checked more than "
            f"{app.config.curriculum_stale_days} days ago: {', '.join(stale)} (run `curriculum resources`, "
            "re-check each against its source, update checked_on)",
            file=sys.stderr,
        )


def stale_entries(directory: Directory, days: int, today: datetime.date) -> list[str]:
    """Ids of the build's entries whose last check is older than ``days``."""
    return sorted(
        entry["id"]
        for entry in directory.active()
        if (today - datetime.date.fromisoformat(entry["checked_on"])).days > days
    )


def setup(app: Sphinx) -> None:
    """Register the region setting, the role and the two directives."""
    app.add_config_value("curriculum_region", "us", "env", [str])
    app.add_config_value("curriculum_data_dir", "data", "env", [str])
    app.add_config_value("curriculum_stale_days", 180, "env", [int])
    app.connect("config-inited", on_config_inited)
    app.connect("builder-inited", on_builder_inited)
    app.add_role("resource", ResourceRole())
    app.add_directive("help-card", HelpCardDirective)
    app.add_directive("resource-directory", ResourceDirectoryDirective)
    app.add_directive("region", RegionDirective)
