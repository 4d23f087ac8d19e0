import pytest

from bench import report


def results(**changes):
    base = {
        "command": "python -m bench",
        "finished_at": "2026-12-03 17:00 UTC",
        "elapsed_seconds": 420.0,
        "machine": {
            "cpu": "Test CPU",
            "cores": 2,
            "memory_gib": 24.0,
            "system": "Debian",
            "postgresql": "15.2",
            "python": "3.12.1",
            "django": "6.1.3",
            "gunicorn": "27.0.1",
            "wrk": "wrk 4.1.0",
            "load_average_at_start": [1.0, 0.5, 0.25],
        },
        "page_weight": {
            "chromium": "131",
            "intro": {"bytes": 25_600, "third_party_requests": 0, "each": [{}] * 5},
            "first_question": {
                "bytes": 51_200,
                "third_party_requests": 0,
                "each": [{}] * 5,
            },
        },
    }
    return {**base, **changes}


def test_a_table_aligns_numbers_right_and_formats_them():
    lines = report.table(
        ["name", "n", "ratio"], [["step", 1234, 0.614], ["peer", 5, 12.5]]
    )

    assert lines == [
        "| name | n | ratio |",
        "| --- | ---: | ---: |",
        "| step | 1,234 | 0.61 |",
        "| peer | 5 | 12 |",
    ]


def test_a_missing_value_and_a_pipe_do_not_break_a_table():
    lines = report.table(["a", "b"], [[None, "x|y"]])

    assert lines[2] == "| – | x\\|y |"


def test_targets_are_judged_from_the_figures():
    found = report.targets(results())

    assert {t["target"]: t["met"] for t in found} == {
        "first question page ≤ 50 KB": False,
        "third-party requests = 0": True,
    }


def test_the_markdown_names_the_machine_and_every_target():
    text = report.markdown({**results(), "targets": report.targets(results())})

    assert "Test CPU, 2 cores" in " ".join(text.split())
    assert "| first question page ≤ 50 KB | 51.2 KB | MISSED |" in text
    assert "| first question page | 51.2 KB | 5 | 0 |" in text


def test_the_readme_section_between_the_markers_is_replaced(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        f"# Project\n\n## Performance\n\nHow.\n\n{report.START}\nold\n"
        f"{report.END}\n\n## After\n"
    )

    report.readme_update(readme, "new table\n")

    assert readme.read_text() == (
        f"# Project\n\n## Performance\n\nHow.\n\n{report.START}\nnew table\n"
        f"{report.END}\n\n## After\n"
    )


def test_a_readme_without_markers_is_left_alone(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Project\n")

    with pytest.raises(report.MarkerError):
        report.readme_update(readme, "table")

    assert readme.read_text() == "# Project\n"


def load_figures(label, rate):
    return {
        "label": label,
        "requests_per_second": rate,
        "latency_ms": {"p50": 20.0, "p95": 40.0, "p99": 60.0},
        "errors": 0,
        "starved_requests": 0,
        "bytes_per_response": 2900.0,
    }


def measured():
    return results(
        server={"command": "gunicorn quizfunnel.wsgi", "settings": "bench.settings"},
        answer_step={
            "settings": {"rounds": 3, "seconds": 10, "connections": 16},
            "targets": {
                "step": load_figures("answer step", 300.0),
                "ceiling": load_figures("ceiling", 400.0),
                "peer": load_figures("peer", 250.0),
            },
            "ratios": {
                "step/ceiling": 0.75,
                "step/ceiling per round": [0.7, 0.75, 0.8],
                "step/peer": 1.2,
                "step/peer per round": [1.1, 1.2, 1.3],
                "peer/ceiling": 0.62,
                "peer/ceiling per round": [0.6, 0.62, 0.64],
            },
            "integrity": {
                "successful_requests": 9000,
                "in_flight_recorded": 10,
                "in_flight_at_stop": 16,
                "answers_recorded": 9010,
                "question_answered_events": 9010,
                "next_step_shown_events": 9010,
                "match": True,
            },
        },
        queries={
            "answer_steps": [15, 13, 14],
            "lead": 20,
            "dashboard": 8,
            "ceiling": 1,
        },
        memory={"workers": [{"peak_rss_kib": 61440}, {"peak_rss_kib": 59392}]},
    )


def test_the_answer_step_shows_its_ratios_and_what_it_recorded():
    figures = measured()

    text = report.markdown({**figures, "targets": report.targets(figures)})
    prose = " ".join(text.split())

    assert "| answer step | 300 | 20 | 40 | 60 | 0 | 2,900 |" in text
    assert "step/ceiling **0.75** (rounds: 0.70, 0.75, 0.80)" in prose
    assert "reaches peer/ceiling **0.62** of the same ceiling" in prose
    assert "9,010 answers" in prose and "they match" in prose
    assert "| 15 (each question: 13–15) | 20 | 8 | 1 |" in text
    assert "peak RSS of a gunicorn worker after the load: 60 MiB" in prose
    assert all(len(line) <= 79 for line in text.splitlines() if line[:1] != "|")
    assert "| answer step / ceiling ≥ 0.6 | 0.75 | met |" in text
