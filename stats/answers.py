"""Statistics answers remembered per process while the rollups stand still.

A command centre's screens ask the same few questions again and again. An answer follows from
the rollups and from what the question names (subject, resolved period, measures), and the
rollups' generation moves with every transaction that writes them (stats.cube). So an answer is
kept under the generation it was computed at and given again until this process reads a newer
one, at most ``STATS_CUBE_RECHECK_SECONDS`` later: the freshness the rollup cube promises
already. Only while the cube is on (the real stack); otherwise every question is computed.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language

from .cube import cube_generation
from .registry import MetricSource

# Answers kept per process, the least recently asked dropped first.
MOST_ANSWERS = 4096

_answers: OrderedDict = OrderedDict()
_lock = threading.Lock()


def remembered(kind: str, source: MetricSource, question: Hashable, compute: Callable[[], dict]):
    """The answer to ``question`` (everything it depends on besides the rollups), computed
    once per generation of ``source``'s rollups and language. Callers must not change it."""
    generation = cube_generation(source)
    if generation is None:
        return compute()
    key = (kind, source.name, generation, get_language(), question)
    with _lock:
        answer = _answers.get(key)
        if answer is not None:
            _answers.move_to_end(key)
            return answer
    # Computed outside the lock: two threads may compute one answer, never wait on each other.
    answer = compute()
    with _lock:
        _answers[key] = answer
        while len(_answers) > MOST_ANSWERS:
            _answers.popitem(last=False)
    return answer


@receiver(setting_changed)
def _forget_answers(*, setting: str, **kwargs) -> None:
    # A test that turns the cube on or off starts from no answers kept.
    if setting.startswith("STATS_CUBE"):
        with _lock:
            _answers.clear()
