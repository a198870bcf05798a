"""Where every generated id comes from: one `random.Random` per backend.

Unseeded, every backend draws from the process's shared generator (private: seeding `random` in a test
neither repeats our ids nor sees us draw; reseeded in a forked child). With `seed=...` a backend has
its own generator, reseeded by every reset, so request ids, AMI ids, workflow and lifecycle execution
ids and pagination tokens repeat from one run (or process) to the next.
"""

from __future__ import annotations

import hashlib
import os
import random
import uuid
from typing import Callable

SHARED = random.Random()
os.register_at_fork(after_in_child=SHARED.seed)

_VERSION_4 = 0x4 << 76 | 0x2 << 62  # the version nibble 4 and the variant bits 10 of RFC 4122
_RANDOM_BITS = ((1 << 128) - 1) ^ (0xF << 76) ^ (0x3 << 62)


def generator(seed: int | str | None) -> random.Random:
    """A backend's generator: its own, seeded, for a seed; else the shared one."""
    return SHARED if seed is None else random.Random(_seed_value(seed))


def reseed(rng: random.Random, seed: int | str | None) -> None:
    """Start a seeded generator's sequence again (a reset); the shared one is left alone."""
    if seed is not None:
        rng.seed(_seed_value(seed))


def token_secret(seed: int | str | None, process_secret: bytes) -> bytes:
    """The key pagination tokens are signed with: derived from the seed, else the process's random one."""
    if seed is None:
        return process_secret
    return hashlib.blake2b(f"imagebuilder-mock pagination {seed!r}".encode(), digest_size=16).digest()


def uuid_maker(rng: random.Random) -> Callable[[], str]:
    """A function returning random version 4 UUID strings drawn from `rng`: `uuid_of(rng.getrandbits(128))`
    without building a `uuid.UUID` (~1 us less per request, docs/performance.md);
    tests/test_engine_equivalence.py checks the two agree."""
    bits = rng.getrandbits

    def new_uuid() -> str:
        digits = "%032x" % (bits(128) & _RANDOM_BITS | _VERSION_4)
        return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"

    return new_uuid


def uuid_of(bits: int) -> str:
    """The plain twin of `uuid_maker`'s functions: the version 4 UUID string of 128 random bits."""
    return str(uuid.UUID(int=bits, version=4))


def _seed_value(seed: int | str) -> int | str:
    if isinstance(seed, bool) or not isinstance(seed, (int, str)):
        raise TypeError(f"seed must be an int or a str, got {seed!r}")
    return seed
