"""The teacher's words reach the child (issue 13 item 1) and the learner profile's
accommodations reach the app (item 5): in the home payload and the session, and only
the student's own."""

from __future__ import annotations

import uuid


def _words(student, person_id: str) -> list[dict]:
    home = student.get(f"/api/v1/people/{person_id}/home")
    assert home.status_code == 200, home.get_json()
    return home.get_json()["teacher_words"]


def test_home_carries_feedback_and_assignment_notes_with_their_author(api, world):
    teacher = api(world.tokens["teacher"])
    made = teacher.post(
        "/api/v1/feedback",
        json={
            "person_id": world.student,
            "activity_id": world.activity,
            "text": "Lovely counting!",
        },
    )
    assert made.status_code == 201, made.get_json()
    assigned = teacher.post(
        f"/api/v1/classes/{world.class_a}/assignments",
        json={"activity_id": world.activity, "person_id": world.student, "note": "Count out loud."},
    )
    assert assigned.status_code == 201, assigned.get_json()
    words = _words(api(world.tokens["student"]), world.student)
    by_kind = {w["kind"]: w for w in words}
    assert by_kind["feedback"]["text"] == "Lovely counting!"
    assert by_kind["feedback"]["activity_id"] == world.activity
    assert by_kind["feedback"]["key"] == f"feedback:{made.get_json()['id']}"
    assert by_kind["note"]["text"] == "Count out loud."
    assert by_kind["note"]["author"] and by_kind["feedback"]["author"]
    assert by_kind["note"]["key"].startswith(f"note:{assigned.get_json()['id']}:")


def test_withdrawn_assignment_takes_its_note_off_home(api, world):
    teacher = api(world.tokens["teacher"])
    assigned = teacher.post(
        f"/api/v1/classes/{world.class_a}/assignments",
        json={"activity_id": world.activity, "person_id": world.student, "note": "First."},
    ).get_json()
    student = api(world.tokens["student"])
    before = [w["key"] for w in _words(student, world.student) if w["kind"] == "note"]
    teacher.delete(f"/api/v1/assignments/{assigned['id']}")
    assert [w for w in _words(student, world.student) if w["kind"] == "note"] == []
    assert before


def test_student_cannot_read_another_students_feedback(api, world):
    teacher = api(world.tokens["teacher"])
    teacher.post("/api/v1/feedback", json={"person_id": world.student, "text": "Only yours"})
    nosy = api(world.tokens["other_student"])
    listed = nosy.get(f"/api/v1/people/{world.student}/feedback")
    assert listed.status_code == 403 and "error" in listed.get_json()
    home = nosy.get(f"/api/v1/people/{world.student}/home")
    assert home.status_code == 403 and "Only yours" not in home.get_data(as_text=True)
    assert all(w["text"] != "Only yours" for w in _words(nosy, world.other_student))


def test_student_cannot_write_feedback_on_their_own_work(api, world):
    student = api(world.tokens["student"])
    made = student.post("/api/v1/feedback", json={"person_id": world.student, "text": "Me!"})
    assert made.status_code == 403
    assert all(w["text"] != "Me!" for w in _words(student, world.student))


def test_accommodations_reach_the_session_and_home(api, world):
    student = api(world.tokens["student"])
    assert student.get("/api/v1/auth/me").get_json()["accommodations"] == {
        "read_aloud": False,
        "extra_time": False,
        "larger_text": False,
        "fewer_choices": False,
        "high_contrast": False,
    }
    teacher = api(world.tokens["teacher"])
    set_ = teacher.patch(
        f"/api/v1/people/{world.student}/profile",
        json={"accommodations": ["read_aloud", "fewer_choices", "high_contrast"]},
    )
    assert set_.status_code == 200, set_.get_json()
    me = student.get("/api/v1/auth/me").get_json()["accommodations"]
    assert me["read_aloud"] and me["fewer_choices"] and me["high_contrast"]
    assert not me["larger_text"] and not me["extra_time"]
    home = student.get(f"/api/v1/people/{world.student}/home").get_json()
    assert home["accommodations"] == me
    # Staff carry none: the teacher app is not changed by a student's needs.
    assert not any(teacher.get("/api/v1/auth/me").get_json()["accommodations"].values())


def test_unknown_accommodation_is_refused_and_changes_nothing(api, world):
    teacher = api(world.tokens["teacher"])
    teacher.patch(
        f"/api/v1/people/{world.student}/profile", json={"accommodations": ["read_aloud"]}
    )
    bad = teacher.patch(
        f"/api/v1/people/{world.student}/profile", json={"accommodations": ["no_school"]}
    )
    assert bad.status_code == 422 and bad.get_json()["error"]["code"]
    profile = teacher.get(f"/api/v1/people/{world.student}/profile").get_json()
    assert profile["accommodations"] == ["read_aloud"]


def test_student_cannot_set_their_own_accommodations_or_anothers_profile(api, world):
    student = api(world.tokens["student"])
    refused = student.patch(
        f"/api/v1/people/{world.student}/profile", json={"accommodations": ["extra_time"]}
    )
    assert refused.status_code == 403
    other = student.patch(
        f"/api/v1/people/{world.other_student}/profile", json={"interests": ["hacking"]}
    )
    assert other.status_code == 403
    read = student.get(f"/api/v1/people/{world.other_student}/profile")
    assert read.status_code == 403
    mine = student.patch(
        f"/api/v1/people/{world.student}/profile",
        json={"interests": ["birds"], "modalities": ["watch", "do"], "languages": ["fr", "wo"]},
    )
    assert mine.status_code == 200
    assert mine.get_json()["languages"] == ["fr", "wo"]


def test_feedback_id_made_twice_is_one_word(api, world):
    teacher = api(world.tokens["teacher"])
    body = {"id": uuid.uuid4().hex, "person_id": world.student, "text": "Once", "device_ms": 5}
    assert teacher.post("/api/v1/feedback", json=body).status_code in (200, 201)
    assert teacher.post("/api/v1/feedback", json=body).status_code in (200, 201)
    words = _words(api(world.tokens["student"]), world.student)
    assert [w["text"] for w in words].count("Once") == 1
