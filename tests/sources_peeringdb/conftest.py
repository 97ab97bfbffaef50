"""The PeeringDB replay server (tests/support/peeringdb_replay.py) as a fixture."""

from peeringdb_replay import peeringdb as peeringdb  # the fixture, re-exported
