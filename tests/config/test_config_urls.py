# ruff: noqa: E501  (one expected message per line reads best)
"""[sources] entries as URLs: the schemes each key takes, and the URLs refused at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from routesieve.config import ConfigError, SourceUrl, load_config


def load(tmp_path: Path, sources: str) -> object:
    path = tmp_path / "routesieve.toml"
    path.write_text(f"[local]\nasn = 214312\n[sources]\n{sources}\n", encoding="utf-8")
    return load_config(path)


def problems(tmp_path: Path, sources: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, sources)
    return [p.split(": ", 1)[1] for p in caught.value.problems]


def test_each_key_takes_files_and_the_urls_that_reach_its_data(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        'rpki = ["https://console.rpki-client.org/vrps.json", "rtr://rtr.rpki.cloudflare.com:8282"]\n'
        'irr = ["whois://whois.radb.net?sources=RADB", "local/radb.db.gz"]\n'
        'rir = "https://ftp.ripe.net/pub/stats/ripencc/delegated-ripencc-extended-latest"\n'
        'peeringdb = "https://www.peeringdb.com/api"',
    )

    sources = config.sources  # type: ignore[attr-defined]
    assert sources.rpki[1] == SourceUrl(
        "rtr://rtr.rpki.cloudflare.com:8282", "rtr", "rtr.rpki.cloudflare.com", 8282
    )
    assert sources.irr[0].port == 43 and sources.irr[0].irr_sources == ("RADB",)
    assert sources.irr[1] == tmp_path / "local/radb.db.gz"
    assert sources.all_paths() == (tmp_path / "local/radb.db.gz",)
    assert [k for k, _ in sources.urls()] == ["rpki", "rpki", "irr", "rir", "peeringdb"]


TAKES = "this key takes a file path or a URL of https://, http://"


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ('irr = "rtr://r.example:323"', f"sources.irr: 'rtr://r.example:323': {TAKES}, whois://, not rtr://"),
        ('rir = "whois://w.example"', f"sources.rir: 'whois://w.example': {TAKES}, not whois://"),
        ('rpki = "ftp://f.example/v.json"', f"sources.rpki: 'ftp://f.example/v.json': {TAKES}, rtr://, rtrs://, rtr+ssh://, not ftp://"),
        ('rpki = "https:///v.json"', "sources.rpki: 'https:///v.json': no usable host name in the URL"),
        ('rpki = "rtr://r.example:70000"', "sources.rpki: 'rtr://r.example:70000': the port must be a number from 1 to 65535"),
        ('rpki = "rtr://r.example:323/x"', "sources.rpki: 'rtr://r.example:323/x': an rtr:// URL is only host and port, e.g. rtr://host:8282"),
        ('irr = "https://me:secret@i.example/db.gz"', "sources.irr: https://…: a user name or password written in the URL would be stored and shown in clear; routesieve does not take credentials in source URLs"),
        ('irr = "whois://w.example?source=RADB"', "sources.irr: 'whois://w.example?source=RADB': a whois:// URL takes only ?sources=A,B, not 'source'"),
        ('bogons = "https://b.example/a list.txt"', "sources.bogons: 'https://b.example/a list.txt': a URL may not contain ' ' (encode it as %XX)"),
        ('peeringdb = "peeringdb.json"', "sources.peeringdb: 'peeringdb.json' is not a URL; write e.g. https://www.peeringdb.com/api"),
    ],
)  # fmt: skip
def test_a_url_that_cannot_work_is_refused_naming_the_key(
    tmp_path: Path, sources: str, message: str
) -> None:
    assert problems(tmp_path, sources) == [message]


def test_the_password_never_appears_in_the_message(tmp_path: Path) -> None:
    (message,) = problems(tmp_path, 'rpki = "https://me:s3cret@rpki.example/vrps.json"')

    assert "s3cret" not in message and "me:" not in message


def test_sync_settings_have_defaults_and_take_limits_per_kind(tmp_path: Path) -> None:
    path = tmp_path / "routesieve.toml"
    path.write_text(
        '[local]\nasn = 214312\n[sync]\nfolder = "/var/lib/routesieve"\nkeep = 3\n'
        "[sync.max_age_hours]\nrpki = 2\n",
        encoding="utf-8",
    )

    config = load_config(path)

    assert config.state_dir == Path("/var/lib/routesieve") and config.sync.keep == 3
    assert config.sync.max_age_hours.rpki == 2 and config.sync.max_age_hours.irr == 48
    assert load(tmp_path, "").state_dir == tmp_path / "state"  # type: ignore[attr-defined]
