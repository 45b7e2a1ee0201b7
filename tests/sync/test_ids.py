"""Global ids: their shape, and that none can be mistaken for a command-line option."""

from __future__ import annotations

from sync.ids import is_valid_id, new_id


def test_new_ids_are_valid_distinct_and_never_begin_with_a_dash():
    # With a free first character, 4,000 draws would hold a leading "-" all but surely
    # (1 - (63/64)^4000 > 1 - 1e-27).
    made = [new_id() for _ in range(4000)]
    assert len(set(made)) == len(made)
    assert all(is_valid_id(i) and len(i) == 22 for i in made)
    assert not [i for i in made if i.startswith("-")]
    assert any("-" in i for i in made)  # the alphabet is still url-safe base64's
