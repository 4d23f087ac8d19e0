from datetime import date

from bench.history import History, _comment, _parse, fingerprint


def test_the_fingerprint_depends_on_the_sizes():
    assert fingerprint((100, 1000)) == fingerprint((1000, 100))
    assert fingerprint((100, 1000)) != fingerprint((100, 2000))


def test_a_kept_history_is_read_back_from_its_database_comment():
    built = History("history_db", date(2026, 12, 3), {100000: 2, 1000000: 3}, 512.5)

    read = _parse("history_db", _comment(built))

    assert read == History(
        "history_db", date(2026, 12, 3), {100000: 2, 1000000: 3}, None
    )
