from bench.answerstep import Integrity, Target
from bench.load import LoadRun


def test_integrity_matches_when_every_successful_step_recorded_once():
    check = Integrity(
        ok=98,
        in_flight=16,
        in_flight_recorded=3,
        answers=101,
        events={"question_answered": 101, "question_shown": 85, "lead_form_shown": 16},
    )

    assert check.matches


def test_integrity_fails_on_an_answer_recorded_twice_or_lost():
    events = {"question_answered": 100, "question_shown": 100}

    assert not Integrity(ok=99, answers=100, events=events).matches
    assert not Integrity(
        ok=100, answers=100, events={**events, "question_shown": 99}
    ).matches


def test_a_pool_holds_enough_visitors_for_the_last_rate_and_a_margin():
    step = Target("step", lambda: None, answers_per_visitor=5, rate=100.0)
    ceiling = Target("ceiling", lambda: None, answers_per_visitor=0, rate=900.0)

    assert step.pool_size(seconds=10, connections=16) == 400 + 32
    assert ceiling.pool_size(seconds=10, connections=16) == 16


def test_a_load_run_reads_wrk_totals():
    run = LoadRun.from_json(
        {
            "mode": "step",
            "duration_us": 2_000_000,
            "requests": 210,
            "bytes": 420_000,
            "socket_errors": {
                "connect": 0,
                "read": 1,
                "write": 0,
                "status": 0,
                "timeout": 0,
            },
            "latency_us": {
                "p50": 5000,
                "p95": 9000,
                "p99": 12000,
                "mean": 6000,
                "max": 20000,
            },
            "in_flight": ["3 /q/plan/7/"],
            "bad_sample": "",
            "ok": 200,
            "bad": 2,
            "starved": 0,
            "retried": 1,
            "finished": 30,
        }
    )

    assert run.rate == 100
    assert run.errors == 3
    assert run.latency_ms["p95"] == 9
    assert run.bytes_per_response == 2000
