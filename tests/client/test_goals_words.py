"""Goals in a child's words (issue 13, item 2): progress as things a child counts
("2 of 3 activities", "18 of 60 minutes", stars for a skill), never a probability or
a decimal; a child can give a goal a due date."""

from __future__ import annotations

import re

import pytest

from tests.helpers.nodes import wait_for
from tests.helpers.student import answer_all_right, api, finish, sign_in

DECIMAL = re.compile(r"\d[.,]\d")


def open_goals(page) -> None:
    page.locator("nav a[href='#/goals']").click()
    page.wait_for_selector("form.goal-form")


def add_goal(page, kind: str, due: str | None = None, **fields) -> None:
    before = page.locator("li.goal").count()
    page.locator("form.goal-form select[name=kind]").select_option(kind)
    if kind == "finish_activities":
        page.locator("select[name=activity_ids]").select_option(fields["activities"])
    if kind == "practice_minutes":
        page.locator("input[name=target]").fill(str(fields["minutes"]))
    if due:
        page.locator("input[name=due_on]").fill(due)
    page.locator("form.goal-form button[type=submit]").click()
    page.wait_for_function("(n) => document.querySelectorAll('li.goal').length > n", arg=before)


@pytest.mark.slow
def test_goal_progress_is_counts_not_probabilities(node, device):
    page = device.new_page()
    sign_in(page, node.url)
    person = api(node.url, "/auth/me", page)["person"]["id"]
    quiz = page.locator("section.recommendations a.kind-quiz").first.get_attribute("data-activity")
    others = [
        a["id"]
        for a in api(node.url, "/activities?language=en&per_page=500", page)["items"]
        if a["id"] != quiz
    ][:2]
    open_goals(page)
    add_goal(page, "finish_activities", due="2030-06-15", activities=[quiz, *others])
    add_goal(page, "practice_minutes", minutes=60)
    add_goal(page, "master_skill")

    # Play the quiz for some time: its minutes and its skill now have partial values.
    page.evaluate("(id) => { location.hash = `#/play/${encodeURIComponent(id)}`; }", quiz)
    page.wait_for_selector("form.item")
    answer_all_right(page)
    finish(page)
    # The node counts the finished quiz once its attempt has left the tablet's outbox.
    def finished_on_the_node():
        attempts = api(node.url, f"/people/{person}/attempts", page)["items"]
        return any(a["activity_id"] == quiz and a["completed"] for a in attempts)

    assert wait_for(finished_on_the_node, timeout=30, step=0.2), "the attempt never arrived"
    page.locator("section.done a").click()
    page.wait_for_selector("section.recommendations")

    goals = {g["kind"]: g for g in api(node.url, f"/people/{person}/goals", page)}
    assert goals["finish_activities"]["due_on"] == "2030-06-15"  # the child's due date
    for place in ("home", "goals"):
        if place == "goals":
            open_goals(page)
        rows = page.locator("li.goal")
        texts = [rows.nth(i).inner_text() for i in range(rows.count())]
        said = [
            rows.nth(i).locator("progress").get_attribute("aria-valuetext")
            for i in range(rows.count())
        ]
        for text in texts + said:
            assert not DECIMAL.search(text), text  # never 0.62 or 12.5
            assert "%" not in text, text
        activities = page.locator("li.goal", has_text="Finish 3 activities")
        assert activities.locator(".goal-count").inner_text() == "1 of 3 activities"
        assert activities.locator(".due").get_attribute("data-due") == "2030-06-15"
        assert "2030" in activities.locator(".due").inner_text()
        minutes = page.locator("li.goal", has_text="Practise 60 minutes").locator(".goal-count")
        assert re.fullmatch(r"\d+ of 60 minutes", minutes.inner_text())
        skill = page.locator("li.goal", has_text="Learn a skill")
        assert re.fullmatch(r"[0-3] of 3 stars", skill.locator(".goal-count").inner_text())
        assert skill.locator(".stars").count() == 1
    # The skills on home say stars to a screen reader, not a probability.
    page.locator("nav a[href='#/home']").click()
    page.wait_for_selector("section.recommendations")
    bars = page.locator("li.skill progress")
    for i in range(bars.count()):
        assert re.fullmatch(r"[0-3] of 3 stars", bars.nth(i).get_attribute("aria-valuetext"))
