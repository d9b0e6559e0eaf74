"""The allocator tuning that stops every training step from page-faulting its memory in."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rnnforecast.training.malloc import reuse_freed_memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_training_tunes_glibc_once_and_cuts_page_faults() -> None:
    script = """
import resource, torch
from rnnforecast.training.malloc import reuse_freed_memory
def faults():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(10):
        a = torch.ones(16_000_000)  # 64 MB: above glibc's largest dynamic mmap threshold
        del a
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
plain = faults()
assert reuse_freed_memory() and reuse_freed_memory()  # tuned, and idempotent
faults()  # the first big block is faulted in once
print(plain, faults())
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.split()
    plain, tuned = int(out[0]), int(out[1])
    assert plain > 10 * 10_000  # every 64 MB block was faulted in anew (4 KB pages)
    assert tuned < plain / 10


def test_is_harmless_to_call_in_this_process() -> None:
    assert reuse_freed_memory() in (True, False)
