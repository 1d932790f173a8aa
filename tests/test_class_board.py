"""Class mode's board: codes, tokens, lock, reset, a restart, and common seeds for all groups."""

from __future__ import annotations

import random

import pytest

from se_sim.app.class_board import OUTCOMES, BoardError, ClassBoard, ranking, run_group
from se_sim.scenario import load_scenario
from tests.conftest import BANG_SAO_THONG


@pytest.fixture
def board(tmp_path) -> ClassBoard:
    return ClassBoard(tmp_path / "board.json", random.Random(1))


def refused(key: str, action) -> None:
    with pytest.raises(BoardError) as caught:
        action()
    assert caught.value.key == key


def test_join_needs_the_code_and_a_free_name(board):
    code = board.state.code
    refused("class.bad_code", lambda: board.join("0000" if code != "0000" else "1111", "A"))
    refused("class.bad_code", lambda: board.join("", "A"))
    refused("class.no_name", lambda: board.join(code, "  "))
    token = board.join(f" {code} ", "Group A")
    assert token and board.group_of(token).name == "Group A"
    refused("class.name_taken", lambda: board.join(code, "Group A"))


def test_a_choice_needs_the_groups_own_token(board):
    a = board.join(board.state.code, "A")
    b = board.join(board.state.code, "B")
    board.choose(a, "market_channel", 0.4)
    board.choose(b, "training", 0.2)
    refused("class.bad_token", lambda: board.choose("forged", "none", 0.0))
    refused("class.bad_token", lambda: board.choose("", "none", 0.0))
    assert board.state.groups["A"].policy == "market_channel"
    assert board.state.groups["B"].policy == "training"
    refused("class.bad_policy", lambda: board.choose(a, "free money", 0.1))


def test_lock_stops_changes_and_reset_opens_a_new_round(board):
    a = board.join(board.state.code, "A")
    board.choose(a, "bridging", 0.3)
    board.lock()
    refused("class.locked", lambda: board.choose(a, "training", 0.3))
    board.reveal()
    board.reset()
    state = board.state
    assert (state.round, state.locked, state.revealed, state.results) == (2, False, False, {})
    assert not state.groups["A"].chosen
    board.choose(a, "training", 0.3)  # the group stays joined with its token
    assert state.groups["A"].policy == "training"


def test_a_restarted_server_keeps_the_board(tmp_path, board):
    a = board.join(board.state.code, "A")
    board.choose(a, "matching_grant", 0.25)
    board.lock()
    again = ClassBoard(board.path)
    assert again.state.code == board.state.code
    assert again.state.locked and again.state.groups["A"].policy == "matching_grant"
    assert again.group_of(a).name == "A"


def test_every_group_runs_on_the_same_seeds_and_choices_matter(board):
    base = load_scenario(BANG_SAO_THONG)
    small = {"households.count": 200, "months": 12}
    a = board.join(board.state.code, "A")
    b = board.join(board.state.code, "B")
    c = board.join(board.state.code, "C")
    board.choose(a, "none", 0.3)
    board.choose(b, "none", 0.3)
    board.choose(c, "matching_grant", 0.3)
    results = {name: run_group(board, board.state.groups[name], base, "test", 3, small)
               for name in "ABC"}
    for name, result in results.items():
        board.record(name, result)
        assert [row["seed"] for row in result.runs] == list(board.seeds(3))
    assert results["A"].runs == results["B"].runs  # same choice, same seeds: same runs
    assert results["C"].runs != results["A"].runs
    helped = next(o for o in OUTCOMES if o.key == "people_helped")
    assert ranking(results, helped)[0] == "C"  # a matching grant's money reaches people in need
    assert ClassBoard(board.path).state.results["C"].runs == results["C"].runs


def test_the_board_picture_has_every_outcome_in_thai_without_missing_glyphs(board) -> None:
    import warnings
    from pathlib import Path

    from se_sim.app.board_chart import draw_board
    from se_sim.app.class_board import Result
    from se_sim.app.fonts import use_thai_fonts
    from se_sim.app.labels import text

    use_thai_fonts()
    quantiles = {o.key: [1.0, 2.0, 3.0] for o in OUTCOMES}
    results = {"กลุ่ม ก": Result("training", 0.2, quantiles, []),
               "B": Result("none", 0.2, quantiles, [])}
    figure = draw_board(results, "th")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", "Glyph .* missing")
        figure.savefig(Path("/dev/null"), format="png")
    titles = [ax.get_title(loc="left") for ax in figure.axes]
    assert [t.rsplit(" (", 1)[0] for t in titles] == [text(o.key, "th") for o in OUTCOMES]
