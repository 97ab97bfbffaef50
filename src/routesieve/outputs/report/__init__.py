"""The static report site: ``write_site`` writes an index of every peer, a page per peer
with its routes (chunked data files, a paged table), explanations, advice, accept-list
downloads and what changed since the previous run."""

from routesieve.outputs.report.site import PeerInputs, ReportInput, write_site

__all__ = ["PeerInputs", "ReportInput", "write_site"]
