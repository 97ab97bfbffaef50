"""``python -m routesieve.cli``."""

from routesieve.cli import main

main()
