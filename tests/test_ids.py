"""Seeded ids: one sequence per seed, in the formats the services use."""

from __future__ import annotations

import re

from emulator.ids import IdFactory


def mint(factory: IdFactory) -> list[str]:
    return [
        factory.chat_completion(),
        factory.uuid(),
        factory.hex(8),
        factory.hex(5),
        factory.prefixed_hex("file-"),
    ]


def test_each_id_has_its_format() -> None:
    completion, uuid, hex8, hex5, file_id = mint(IdFactory(7))
    assert re.fullmatch(r"chatcmpl-[A-Za-z0-9]{29}", completion)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", uuid)
    assert re.fullmatch(r"[0-9a-f]{8}", hex8)
    assert re.fullmatch(r"[0-9a-f]{5}", hex5)
    assert re.fullmatch(r"file-[0-9a-f]{32}", file_id)


def test_a_seed_gives_one_sequence_and_another_seed_another() -> None:
    assert mint(IdFactory(7)) == mint(IdFactory(7))
    assert mint(IdFactory(7)) != mint(IdFactory(8))


def test_a_reopened_file_continues_on_a_sequence_of_its_own() -> None:
    assert mint(_resumed(7, 1)) != mint(IdFactory(7))
    assert mint(_resumed(7, 1)) == mint(_resumed(7, 1))
    assert mint(_resumed(7, 2)) != mint(_resumed(7, 1))


def _resumed(seed: int, reopenings: int) -> IdFactory:
    factory = IdFactory(seed)
    factory.resume(reopenings)
    return factory
