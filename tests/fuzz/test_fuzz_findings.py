"""Inputs the fuzzers found that broke a reader, each kept as a named case (they pass now).

Found by bench/fuzz_readers.py (seed 214312, then seed 1) after the seven classes of
issue 15 were fixed; on the code before the fix the same harness found those classes
again within seconds (see docs/reliability.md).
"""

from __future__ import annotations

import fuzz_targets as ft
import pytest

from routesieve.problems import InputError
from routesieve.sources.irr.whois import WhoisError


def test_whois_answer_frame_length_of_5000_digits_is_a_whois_error() -> None:
    # 'A' and a length Python cannot turn into an int: was a ValueError from int()
    reply = b"F Invalid query\nA" + b"9" * 5000 + b"\nAS1\nC\n"
    with pytest.raises(WhoisError, match="not an answer frame"):
        ft.TARGETS["whois"].run(reply)


def test_whois_answer_frame_length_in_superscript_digits_is_a_whois_error() -> None:
    with pytest.raises(WhoisError, match="not an answer frame"):
        ft.TARGETS["whois"].run("A²\nAS1\nC\n".encode())


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("rpki_csv", b"ASN,IP Prefix,Max Length\nAS1,192.0.2.0/24," + b"9" * 6499 + b"\n"),
        ("iana", b"Number,Description\n" + b"9" * 5001 + b",x\n"),
        ("bogons", b"# last updated 1710089701\n192.0.2.0/" + b"9" * 7410 + b"\n"),
        ("peeringdb", b'{"data": [{"ixlan_id": ' + b"9" * 5000 + b', "prefix": "x"}]}'),
        ("toml", b"[policy]\nmax_hops = " + b"9" * 5000 + b"\n"),
        ("toml", b"x = " + b"[" * 2000 + b"]" * 2000 + b"\n"),
    ],
)
def test_numbers_over_pythons_digit_limit_found_by_the_fuzzer_are_clean_errors(
    name: str, data: bytes
) -> None:
    ft.check(name, data)  # raises InvariantBroken if the reader escapes with another error


def stored_npz_seed() -> bytes:
    (seed,) = [s for s in ft.seeds_of("snapshot") if s.startswith(b"PK")]
    return seed


def test_npz_member_header_numpy_cannot_tokenize_is_an_input_error() -> None:
    # found by the stored-snapshot target (the .npz form): a shape of "(7,\xb8, }" made
    # numpy's header parser raise tokenize.TokenError, which escaped the reader
    seed = stored_npz_seed()
    assert b"'shape': (7,), }" in seed
    with pytest.raises(InputError, match="is not a numpy array"):
        ft.TARGETS["snapshot"].run(seed.replace(b"'shape': (7,), }", b"'shape': (7,\xb8, }", 1))


def test_npz_member_offset_before_the_file_start_is_an_input_error() -> None:
    # found by the same target: 23 bytes cut just before the zip directory make zipfile
    # shift every member offset by -23 (it takes the difference for bytes prepended to
    # the archive), and the seek to offset -23 was an OSError (EINVAL), not a clear error
    seed = stored_npz_seed()
    end = seed.rindex(b"PK\x05\x06")
    directory = int.from_bytes(seed[end + 16 : end + 20], "little")
    with pytest.raises(InputError) as caught:
        ft.TARGETS["snapshot"].run(seed[: directory - 23] + seed[directory:])
    assert "member 'vrps.prefix.version.npy' starts at -23, outside the file" in str(caught.value)


def test_npz_member_needing_a_later_zip_version_is_an_input_error() -> None:
    # found by the long run (seed 7): a central directory entry saying "version 13.2
    # needed to extract" made zipfile raise NotImplementedError
    seed = stored_npz_seed()
    entry = seed.index(b"PK\x01\x02")
    damaged = seed[: entry + 6] + bytes([132, 0]) + seed[entry + 8 :]
    with pytest.raises(InputError, match=r"not a numpy archive \(zip file version 13.2\)"):
        ft.TARGETS["snapshot"].run(damaged)


def test_arrow_snapshot_header_nested_too_deep_is_an_input_error() -> None:
    # found by the long run (seed 7), the checksums resealed: a header of thousands of
    # "[" made json.loads raise RecursionError
    (seed,) = ft.seeds_of("snapshot_sealed")
    length = int.from_bytes(seed[16:24], "little")
    nested = seed[:32] + b"[" * length + seed[32 + length :]
    with pytest.raises(InputError, match="the header is not JSON"):
        ft.TARGETS["snapshot_sealed"].run(nested)
