"""The command line, installed as ``routesieve``: parse arguments, call the layers, map
errors to exit codes (0 success, 1 an input file could not be used, 2 bad usage or
configuration, 3 an internal error, logged to a file). Each module registers its
commands on the one click group, which imports a command's module when that command is
used (``commands.COMMANDS``)."""

from routesieve.cli.common import main

__all__ = ["main"]
