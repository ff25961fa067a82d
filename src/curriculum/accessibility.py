"""Accessibility and privacy in the reader's browser, where the theme falls short.

The book is read by children, by teachers using a keyboard or a screen
reader, and on shared school computers.  The browser tests
(``tests/test_browser.py``) run axe-core on every page and watch what each page
requests and stores; this module is what makes them pass without allow-listing
anything:

* the sidebar's site title sits in a landmark (axe ``region``), through a
  template override of ``navbar-logo.html`` in ``templates/``;
* the sidebar's expand/collapse toggles get a name (axe ``summary-name``):
  the theme draws them as an unlabelled chevron;
* a writing line (``___``) at the end of a numbered item stays inside its
  item (axe ``list``): docutils moves a trailing transition out of the item,
  which leaves an ``<hr>`` directly inside ``<ol>``;
* every page the theme writes carries a Content-Security-Policy, so even a
  future theme or extension update cannot load a script, style, font, image
  or frame from another host, or send data anywhere (the print pages made from
  ``handouts/`` run no scripts at all);
* a storage guard keeps the theme's scripts from writing to the browser's
  storage: a child's search for "sextortion" must not stay behind on a shared
  computer.  The one thing kept is a light or dark choice the reader made
  with the theme toggle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config

TEMPLATES = Path(__file__).parent / "templates"

#: What a page may load: only files of the book itself (``'self'``, which
#: Chromium and Firefox also apply to pages opened from disk), plus ``data:``
#: images and fonts that the theme's CSS inlines.  Inline scripts and styles
#: stay allowed because Sphinx and the theme write several into every page; they
#: come from the build, never from a reader.  ``connect-src 'self'`` lets the
#: search page fetch result summaries from the book and nothing else.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "media-src 'self'",
        "frame-src 'none'",
        "worker-src 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)

#: Keys the theme may keep in ``localStorage``: the reader's light/dark choice.
THEME_KEYS = ("mode", "theme")

#: Runs before the theme's and Sphinx's scripts.  The theme writes the colour mode
#: into localStorage on every page view (even when the reader chose nothing),
#: remembers the sidebar's scroll position in sessionStorage, and Sphinx's
#: search keeps the search words in localStorage for highlighting.  Only an
#: explicit "light" or "dark" choice is kept; "auto" (the default) removes it;
#: every other write is dropped.  Costs: search words are not highlighted on
#: the page opened from the results, and the sidebar scrolls to the current
#: page instead of where the reader left it.
STORAGE_GUARD = """
(() => {
  /* Online Safety Curriculum: keep nothing about the reader in the browser
     (see curriculum/accessibility.py). */
  const kept = __KEPT__;
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (key, value) {
    let local = false;
    try { local = this === window.localStorage; } catch (error) { return; }
    if (!local || !kept.includes(key)) return;
    const mode = key === "mode" ? String(value) : document.documentElement.dataset.mode;
    if (mode === "light" || mode === "dark") { setItem.call(this, key, value); }
    else { this.removeItem(key); }
  };
})();
""".replace("__KEPT__", json.dumps(list(THEME_KEYS)))


def csp_meta() -> str:
    """The ``<meta>`` element that sets the policy (a static site has no response headers of its own)."""
    return f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}" />'


def keep_writing_lines_in_their_items(doctree: nodes.document) -> None:
    """Put a transition that sits directly in a list back at the end of the item before it.

    An ``<hr>`` directly inside ``<ol>`` is invalid HTML that screen readers
    announce badly (axe ``list``); it comes from docutils moving a transition at
    the end of a list item out of the item.
    """
    for transition in list(doctree.findall(nodes.transition)):
        parent = transition.parent
        if not isinstance(parent, (nodes.bullet_list, nodes.enumerated_list)):
            continue
        index = parent.index(transition)
        parent.remove(transition)
        if index > 0 and isinstance(parent[index - 1], nodes.list_item):
            parent[index - 1] += transition
        # (a line before the first item ends nothing: it is dropped)


def label_toggles(soup: Any) -> Any:
    """Name each unlabelled expand/collapse toggle of the sidebar after its page.

    ``soup`` is the BeautifulSoup tree the theme builds; it is changed in place
    (the theme caches it per page) and returned.
    """
    for summary in soup.select("li > details > summary"):
        if summary.get_text(strip=True) or summary.get("aria-label"):
            continue
        link = summary.find_parent("li").find("a", recursive=False)
        title = " ".join(link.get_text(" ", strip=True).split()) if link else ""
        summary["aria-label"] = f"Pages under {title}" if title else "More pages"
    return soup


def on_config_inited(app: Sphinx, config: Config) -> None:
    """Put our template overrides ahead of the theme's components."""
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path.insert(0, str(TEMPLATES))


def on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """Add the policy to the page head and name the sidebar toggles."""
    context["metatags"] = csp_meta() + "\n" + context.get("metatags", "")
    generate = context.get("generate_toctree_html")
    if generate is not None and not getattr(generate, "curriculum_labelled", False):

        def labelled(*args: Any, **kwargs: Any) -> Any:
            html = generate(*args, **kwargs)
            return label_toggles(html) if hasattr(html, "select") else html

        labelled.curriculum_labelled = True  # type: ignore[attr-defined]
        context["generate_toctree_html"] = labelled


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Fix list markup in every page, handout print pages included (they are cut from these doctrees)."""
    keep_writing_lines_in_their_items(doctree)


def setup(app: Sphinx) -> None:
    """Register the template overrides, the policy, the storage guard and the markup fixes."""
    app.connect("config-inited", on_config_inited)
    # After pydata-sphinx-theme (priority 500) has put generate_toctree_html in the context.
    app.connect("html-page-context", on_html_page_context, priority=900)
    app.connect("doctree-resolved", on_doctree_resolved)
    app.add_js_file(None, body=STORAGE_GUARD, priority=1)
