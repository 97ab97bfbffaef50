"""The public peering policy page, generated from the configuration the filters use.

``render_policy(config, "markdown" | "html", PageOptions(...))`` returns the page;
:mod:`content` builds the document, :mod:`filter_steps` words the algorithm with the
configured limits, :mod:`render` and ``templates/`` write it.
"""

from routesieve.policy_page.content import PageOptions, build_page
from routesieve.policy_page.render import FORMATS, render_policy

__all__ = ["FORMATS", "PageOptions", "build_page", "render_policy"]
