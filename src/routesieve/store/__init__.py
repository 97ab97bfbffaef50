"""Stored, dated snapshots of outside data, built once by ``sync`` and reloaded fast."""
