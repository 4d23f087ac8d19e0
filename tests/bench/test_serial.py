import pytest

from bench.serial import serial_costs
from tests.builders import build_branching_quiz

pytestmark = pytest.mark.usefixtures("bench_apps")


def test_each_contender_is_timed_alone_with_its_queries():
    built = build_branching_quiz()

    costs = serial_costs(built.quiz, samples=3)

    assert set(costs) == {"step", "ceiling", "peer"}
    assert all(
        c["samples"] >= 3 and c["ms"] >= c["sql_ms"] >= 0 for c in costs.values()
    )
    assert costs["ceiling"]["queries"] == 1
    assert costs["step"]["queries"] > 1
