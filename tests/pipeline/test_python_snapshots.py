"""What every Python image's snapshot must hold (cpython, rustpython), on both of its paths.

Slow: each image's compile takes minutes to tens of minutes; on a machine that built them
before, built_image() is a doit no-op or an artifact cache hit.
"""

import pytest

from helpers.project import built_image
from helpers.python_images import assert_calls_leave_nothing_behind, assert_calls_start_from_the_snapshot
from wasmimage.runtime.image import open_image
from wasmimage.runtime.runner import load_program

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["cpython", "rustpython"])
def image(request):
    return open_image(built_image(request.param))


def test_calls_start_from_the_snapshot_with_both_executors_preloaded(image):
    assert_calls_start_from_the_snapshot(image)


def test_no_state_leaks_from_one_call_into_the_next(image, path):
    assert_calls_leave_nothing_behind(image, load_program(image, snapshot=path == "snapshot"))
