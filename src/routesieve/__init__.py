"""routesieve: decide, route by route, what to accept from BGP peers, and explain why."""

__version__ = "0.1.0"
