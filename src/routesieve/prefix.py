"""IP prefixes as integers, and the error every reader raises for a value it cannot read.

Prefixes are kept as integers (address family, network value, length) rather than
:mod:`ipaddress` objects: they are hashed and compared millions of times per run, and
the engine turns them into numpy columns.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import NamedTuple

from routesieve.numbers import ParseError, is_digits, shown

__all__ = ["BITS", "ParseError", "Prefix"]

BITS = {4: 32, 6: 128}


class Prefix(NamedTuple):
    """An IP prefix: ``version`` 4 or 6, ``value`` the network as an integer, ``length``.

    Host bits are always zero (``parse`` clears them, as BGP's NLRI encoding does).
    Immutable; a named tuple because millions are made, hashed and compared per run, and
    a tuple does that in C. Ordered by family, then address, then length.
    """

    version: int
    value: int
    length: int

    @staticmethod
    def parse(text: str) -> Prefix:
        """Read ``"2001:db8::/32"`` or ``"192.0.2.0/24"``; a bare address is a host route."""
        text = text.strip()
        addr, sep, plen = text.partition("/")
        try:
            if ":" in addr:
                version = 6
                value = int.from_bytes(socket.inet_pton(socket.AF_INET6, addr), "big")
            else:
                version = 4
                value = int.from_bytes(socket.inet_aton(addr), "big")
                if addr.count(".") != 3:
                    raise OSError
        except (OSError, ValueError):
            raise ParseError(f"not an IP prefix: {shown(text, 80)}") from None
        bits = BITS[version]
        if sep:
            if not is_digits(plen, 3):
                raise ParseError(f"not an IP prefix: {shown(text, 80)} (bad length)")
            length = int(plen)
            if length > bits:
                raise ParseError(f"not an IP prefix: {shown(text, 80)} (length over {bits})")
        else:
            length = bits
        return Prefix(version, value & _mask(bits, length), length)

    @staticmethod
    def from_address(version: int, value: int, length: int) -> Prefix:
        bits = BITS[version]
        return Prefix(version, value & _mask(bits, length), length)

    @property
    def bits(self) -> int:
        return BITS[self.version]

    @property
    def last(self) -> int:
        """The highest address inside the prefix, as an integer."""
        return self.value | ((1 << (self.bits - self.length)) - 1)

    def key(self, length: int) -> int:
        """The top ``length`` bits of the network (the key of its /length supernet)."""
        return self.value >> (self.bits - length)

    def contains(self, other: Prefix) -> bool:
        """True when ``other`` is a subnet of this prefix (equal or more specific)."""
        return (
            self.version == other.version
            and other.length >= self.length
            and other.value >> (self.bits - self.length) == self.value >> (self.bits - self.length)
        )

    def address_text(self) -> str:
        if self.version == 4:
            return socket.inet_ntoa(self.value.to_bytes(4, "big"))
        return socket.inet_ntop(socket.AF_INET6, self.value.to_bytes(16, "big"))

    def __str__(self) -> str:
        return f"{self.address_text()}/{self.length}"

    def __repr__(self) -> str:
        return f"Prefix({str(self)!r})"

    @staticmethod
    def from_range(version: int, first: int, count: int) -> list[Prefix]:
        """The fewest CIDR prefixes that cover ``count`` addresses from ``first``.

        RIR statistics give IPv4 blocks as a start and a host count that need not be a
        power of two (for example 1536 = a /23 and a /24).
        """
        if count <= 0 or first < 0 or first + count > 1 << BITS[version]:
            raise ParseError(f"bad address range: start {first}, count {count}")
        cls = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
        nets = ipaddress.summarize_address_range(cls(first), cls(first + count - 1))
        return [Prefix(version, int(n.network_address), n.prefixlen) for n in nets]


def _mask(bits: int, length: int) -> int:
    return ((1 << bits) - 1) ^ ((1 << (bits - length)) - 1)
