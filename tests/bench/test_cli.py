from bench import report
from bench.cli import failure_noted, preflight


def test_a_failed_part_is_noted_and_the_run_goes_on():
    results = {}

    with failure_noted(results, "dashboard"):
        raise ImportError("cannot import name 'Span'")

    assert results == {
        "failures": ["dashboard: ImportError(\"cannot import name 'Span'\")"]
    }
    assert report.targets(results) == []


def test_preflight_names_a_missing_browser(monkeypatch):
    monkeypatch.setattr("bench.pageweight.CHROMIUM", "/nowhere/chromium")

    assert (
        preflight({"pages"})
        == "Chromium not found at /nowhere/chromium (set CHROMIUM_PATH)."
    )
