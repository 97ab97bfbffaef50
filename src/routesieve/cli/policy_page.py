"""policy: the public peering policy page, from the configuration the filters use."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import click

from routesieve.cli.common import CONFIG, OUTPUT, fail, main, output_to
from routesieve.config import ConfigError, load_config
from routesieve.policy_page import FORMATS, PageOptions, render_policy

_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")


@main.command("policy")
@CONFIG
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="markdown",
    show_default=True,
    help="markdown: a Hugo page with YAML front matter; html: a standalone page.",
)
@OUTPUT
@click.option(
    "--email",
    default=None,
    help="The peering contact address shown on the page [default: [peering] email].",
)
@click.option(
    "--communities/--no-communities",
    default=False,
    show_default=True,
    help="Whether the page says BGP communities are supported.",
)
@click.option(
    "--date",
    "page_date",
    default=None,
    metavar="YYYY-MM-DD",
    help="The page date (front matter date/lastmod) [default: today].",
)
def policy_command(
    config_path: Path,
    fmt: str,
    output: Path | None,
    email: str | None,
    communities: bool,
    page_date: str | None,
) -> None:
    """The public peering policy: AS number, families, exchanges, request process and the
    route filter algorithm with the limits actually configured."""
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        fail(2, str(exc))
    if email is not None and not _EMAIL.fullmatch(email):
        fail(2, f"--email: not an email address: {email!r}")
    day: date | None = None
    if page_date is not None:
        try:
            day = datetime.strptime(page_date, "%Y-%m-%d").date()
        except ValueError:
            fail(2, f"--date: not a date YYYY-MM-DD: {page_date!r}")
    if email is None:
        email = config.peering.email
    text = render_policy(config, fmt, PageOptions(email, communities, day))
    try:
        with output_to(output) as out:
            out.write(text)
    except OSError as exc:
        fail(1, f"{output}: cannot write: {exc.strerror or exc}")
