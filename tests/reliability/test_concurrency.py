"""Many threads at once through boto3, in process: no errors, and state that adds up afterwards."""

from __future__ import annotations

import threading
import time

import boto3

import factories as f

THREADS = 16


def _run_threads(work, seconds: float | None = None, rounds: int | None = None) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def worker(index: int) -> None:
        client = boto3.client("imagebuilder", region_name="us-east-1")
        barrier.wait()
        deadline = time.monotonic() + (seconds or 0)
        done = 0
        try:
            while (rounds is not None and done < rounds) or (seconds is not None and time.monotonic() < deadline):
                work(client, index, done)
                done += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_creates_gets_lists_and_deletes_from_many_threads_add_up(imagebuilder_mock, ib):
    kept: list[str] = []
    lock = threading.Lock()

    def work(client, index: int, round_: int) -> None:
        arn = f.component(client, f"c-{index}-{round_}")
        assert client.get_component(componentBuildVersionArn=arn)["component"]["arn"] == arn
        client.list_components(filters=[{"name": "name", "values": [f"c-{index}-{round_}"]}])
        if round_ % 2:
            client.delete_component(componentBuildVersionArn=arn)
        else:
            with lock:
                kept.append(arn)

    assert _run_threads(work, seconds=2.0) == []
    listed = ib.get_paginator("list_components").paginate().build_full_result()["componentVersionList"]
    assert sorted(c["arn"] + "/1" for c in listed) == sorted(kept)


def test_concurrent_builds_of_one_recipe_get_every_build_number_once(imagebuilder_mock, ib):
    recipe, infra = f.image_recipe(ib), f.infrastructure(ib)
    arns: list[str] = []
    lock = threading.Lock()

    def work(client, index: int, round_: int) -> None:
        arn = client.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
        with lock:
            arns.append(arn)

    assert _run_threads(work, rounds=5) == []
    numbers = sorted(int(arn.rsplit("/", 1)[1]) for arn in arns)
    assert numbers == list(range(1, THREADS * 5 + 1))
