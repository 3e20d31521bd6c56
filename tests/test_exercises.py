"""Tests of utils.check, the self-check behind every exercise: right answers in any form pass, wrong ones fail
with a short message that never shows the expected value, unanswered exercises fail as such."""

import numpy as np
import pytest
import torch

from utils import check
from utils.exercises import Key, NotAnswered, WrongAnswer, compare, fail, _Mismatch
import utils.exercises as exercises


@pytest.fixture
def keys(monkeypatch):
    """Register test keys under lesson "99" without touching the real answer keys."""
    table = {}
    monkeypatch.setattr(exercises, "answer_key", lambda exercise: table[exercise])
    return table


def test_numbers_in_every_form(keys):
    keys["99.1"] = Key(0.140414)
    for form in (0.140414, torch.tensor(0.140414), torch.tensor(0.140414, dtype=torch.float32).double(),
                 np.float64(0.140414), np.array(0.140414)):
        assert check("99.1", form) == "Correct!"
    keys["99.2"] = Key(-1)
    for form in (-1, -1.0, np.int64(-1), torch.tensor(-1), -0.9999999999999998):  # math.log(0.1, 10)
        assert check("99.2", form) == "Correct!"


def test_relative_tolerance_rejects_the_next_rounding_step(keys):
    keys["99.1"] = Key(2.66e-4, rel=1e-2)
    assert check("99.1", 2.661e-4) == "Correct!"
    with pytest.raises(WrongAnswer):
        check("99.1", 2e-4)  # within an absolute 1e-4, but 25% off


def test_booleans_are_not_numbers_and_numbers_are_not_booleans(keys):
    keys["99.1"] = Key(False)
    keys["99.2"] = Key(0)
    assert check("99.1", False) == "Correct!"
    assert check("99.1", np.bool_(False)) == "Correct!"
    assert check("99.1", torch.tensor(False)) == "Correct!"
    with pytest.raises(WrongAnswer, match="True or False"):
        check("99.1", 0)
    with pytest.raises(WrongAnswer, match="bool"):
        check("99.2", False)


def test_sequences_compare_by_value_whatever_their_type(keys):
    keys["99.1"] = Key((12, 4, 1))
    for form in ((12, 4, 1), [12, 4, 1], torch.Size([12, 4, 1]), torch.tensor([12, 4, 1]), np.array([12, 4, 1])):
        assert check("99.1", form) == "Correct!"
    for wrong in ((12, 4), [1, 4, 12], "12, 4, 1"):
        with pytest.raises(WrongAnswer):
            check("99.1", wrong)
    keys["99.2"] = Key(["ab", "cd"])
    assert check("99.2", ("ab", "CD ")) == "Correct!"
    with pytest.raises(WrongAnswer, match="item 1"):
        check("99.2", ["ab", "ce"])


def test_float_tensors_use_allclose_and_a_short_message(keys):
    expected = torch.linspace(-1, 1, 1000, dtype=torch.float64).view(100, 10)
    keys["99.1"] = Key(expected, rel=1e-5, abs=1e-6)
    assert check("99.1", expected.float()) == "Correct!"  # float32 rounding: within tolerance
    assert check("99.1", expected.numpy()) == "Correct!"
    assert check("99.1", expected.tolist()) == "Correct!"
    wrong = expected.clone()
    wrong[4, 7] += 0.01
    with pytest.raises(WrongAnswer) as info:
        check("99.1", wrong)
    message = str(info.value)
    assert "1 of 1000 values differ" in message and "(4, 7)" in message and "about 1e-02" in message
    assert len(message) < 300 and "tensor(" not in message
    with pytest.raises(WrongAnswer, match=r"shape \(100, 10\).*shape \(10, 100\)"):
        check("99.1", expected.T)


def test_strings_ignore_case_and_spaces_and_accept_synonyms(keys):
    keys["99.1"] = Key("dev", accept=("validation", "development"))
    for form in ("dev", "Dev", " DEV ", "validation", "Development"):
        assert check("99.1", form) == "Correct!"
    for wrong in ("test", "train", 3):
        with pytest.raises(WrongAnswer):
            check("99.1", wrong)


def test_dicts_compare_key_by_key(keys):
    keys["99.1"] = Key({2: 100, 3: 200})
    assert check("99.1", {3: torch.tensor(200), 2: 100.0}) == "Correct!"
    with pytest.raises(WrongAnswer, match="at key 3"):
        check("99.1", {2: 100, 3: 201})
    with pytest.raises(WrongAnswer, match="missing, such as 3"):
        check("99.1", {2: 100})


def test_function_answers_are_called_on_every_case(keys):
    keys["99.1"] = Key(lambda step: 0.1 * min(1.0, step / 100), cases=[(0,), (50,), (100,), (500,)])

    def right(step):
        return 0.1 * step / 100 if step < 100 else 0.1

    def hard_coded(step):
        return 0.05

    def crashes(step):
        return 1 / step

    def stub(step):
        raise NotImplementedError()

    def unwritten(step):
        pass

    assert check("99.1", right) == "Correct!"
    with pytest.raises(WrongAnswer, match=r"hard_coded\(0\)"):
        check("99.1", hard_coded)
    with pytest.raises(WrongAnswer, match="ZeroDivisionError"):
        check("99.1", crashes)
    with pytest.raises(NotAnswered):
        check("99.1", stub)
    with pytest.raises(NotAnswered):
        check("99.1", unwritten)
    with pytest.raises(WrongAnswer, match="function"):
        check("99.1", 0.05)


def test_keys_computed_from_the_notebook_and_custom_verifiers(keys):
    keys["99.1"] = Key(lambda model: model * 2, needs=("model",))
    assert check("99.1", 6, model=3) == "Correct!"
    with pytest.raises(TypeError, match="model"):
        check("99.1", 6)

    def below_two(answer, target):
        if answer >= target:
            fail(f"{answer} is not below the target")
    keys["99.2"] = Key(verify=below_two, needs=("target",))
    assert check("99.2", 1.5, target=2) == "Correct!"
    with pytest.raises(WrongAnswer, match="not below"):
        check("99.2", 2.5, target=2)


def test_unanswered_exercises_fail_as_unanswered(keys):
    keys["99.1"] = Key(3)
    for empty in (None, ...):
        with pytest.raises(NotAnswered, match="no answer yet"):
            check("99.1", empty)


def test_wrong_answers_never_show_the_expected_value(keys):
    keys["99.1"] = Key(0.1404, hint="Count the rows whose target is the boundary.")
    keys["99.2"] = Key("lucia")
    with pytest.raises(WrongAnswer) as info:
        check("99.1", 0.2)
    assert "0.1404" not in str(info.value) and "Hint: Count the rows" in str(info.value)
    with pytest.raises(WrongAnswer) as info:
        check("99.2", "lucas")
    assert "lucia" not in str(info.value)


def test_unknown_exercise_ids_say_what_ids_look_like():
    with pytest.raises(KeyError, match="'01.2'"):
        check("1.2", 3)


def test_compare_is_usable_directly():
    compare([1, 2], (1, 2))
    with pytest.raises(_Mismatch):
        compare([1, 2], (1, 3))


def test_a_function_that_changes_its_input_cannot_spoil_later_checks(keys):
    keys["99.1"] = Key(lambda t: t.exp().sum(), cases=[(torch.tensor([1000.0, 0.0]),), (torch.zeros(3),)])

    def in_place(t):
        return t.exp_().sum()  # changes the case's tensor

    def right(t):
        return t.exp().sum()

    for _ in range(2):
        check("99.1", in_place)  # right values, though it writes into its input
        assert check("99.1", right) == "Correct!"


def test_nan_answers_are_named(keys):
    keys["99.1"] = Key([1.0, 2.0, 3.0])
    with pytest.raises(WrongAnswer, match="1 of 3 values differ; the largest difference is nan"):
        check("99.1", [1.0, float("nan"), 3.0])


def test_infinite_answers_are_named_not_reported_as_a_huge_number(keys):
    keys["99.1"] = Key([-1.0, -2.0, -3.0, float("-inf")])
    with pytest.raises(WrongAnswer, match=r"1 of 4 values differ; the largest difference is -inf where a finite "
                                          r"number belongs, at position \(1,\)"):
        check("99.1", [-1.0, float("-inf"), -3.0, float("-inf")])  # the -inf where the key has one is right
    with pytest.raises(WrongAnswer, match="the largest difference is infinite, at position"):
        check("99.1", [-1.0, -2.0, -3.0, -700.0])


def test_sets_ignore_order(keys):
    keys["99.1"] = Key({1, 100})
    for form in ([100, 1], (1, 100), {1, 100}, torch.tensor([1, 100])):
        assert check("99.1", form) == "Correct!"
    for wrong in ([100], [1, 100, 200], 100):
        with pytest.raises(WrongAnswer):
            check("99.1", wrong)


def test_helpers_for_answer_keys():
    from utils.exercises import matches, numbers_of, plain

    assert plain(torch.tensor(2.5)) == 2.5 and plain(np.float64(1.5)) == 1.5 and plain([1]) == [1]
    assert matches((1, 2), torch.tensor([1, 2])) and not matches(0, False)
    assert numbers_of(np.array([1.0, 2.0]), 2, "a pair") == [1.0, 2.0]
    for wrong in ([1.0], {"a": 1.0}, "1, 2", [1.0, "x"]):
        with pytest.raises(_Mismatch, match="expected a pair"):
            numbers_of(wrong, 2, "a pair")
