"""Tests of the static report, stored runs and diff."""
