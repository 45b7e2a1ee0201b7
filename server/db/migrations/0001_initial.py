"""0001 initial: the foundation's tables.

A frozen copy of the models as they were: migrations never import server.models.
JSON columns are TEXT (server.models.base.JSONField).
"""

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    FloatField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator, db):
    class Activity(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        pack_id = CharField(index=True, max_length=100)
        slug = CharField(max_length=100)
        kind = CharField(max_length=16)
        language = CharField(index=True, max_length=16)
        title = CharField(max_length=300)
        difficulty = IntegerField()
        minutes = IntegerField()
        modality = CharField(max_length=16)
        interests = TextField()
        culture = TextField()
        body = TextField()

        class Meta:
            database = db
            table_name = "activity"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([Activity])

    class ActivitySkill(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        activity_id = CharField(index=True, max_length=100)
        skill_id = CharField(index=True, max_length=100)

        class Meta:
            database = db
            table_name = "activity_skill"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([ActivitySkill])

    class Answer(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        person_id = CharField(index=True, max_length=100)
        attempt_id = CharField(null=True, max_length=100)
        activity_id = CharField(max_length=100)
        item_id = CharField(max_length=100)
        response = TextField()
        correct = BooleanField()
        hints_used = IntegerField(default=0)
        duration_ms = IntegerField(null=True)
        device_ms = BigIntegerField()
        received_ms = BigIntegerField()

        class Meta:
            database = db
            table_name = "answer"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([Answer])

    class ApiToken(Model):
        token_hash = CharField(unique=True, max_length=64)
        person_id = CharField(index=True, max_length=100)
        name = CharField(max_length=100)
        created_at = DateTimeField()
        last_used_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "api_token"

    db.create_tables([ApiToken])

    class Asset(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        pack_id = CharField(index=True, max_length=100)
        media_type = CharField(max_length=100)
        size = IntegerField()

        class Meta:
            database = db
            table_name = "asset"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([Asset])

    class Assignment(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        classroom_id = CharField(index=True, max_length=100)
        activity_id = CharField(max_length=100)
        group_id = CharField(null=True, max_length=100)
        person_id = CharField(null=True, max_length=100)
        assigned_by = CharField(max_length=100)
        due_on = CharField(null=True, max_length=10)
        pinned = BooleanField(default=False)
        note = TextField(default="")

        class Meta:
            database = db
            table_name = "assignment"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([Assignment])

    class Attempt(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        person_id = CharField(index=True, max_length=100)
        activity_id = CharField(index=True, max_length=100)
        started_ms = BigIntegerField()
        ended_ms = BigIntegerField()
        completed = BooleanField(default=False)
        received_ms = BigIntegerField()

        class Meta:
            database = db
            table_name = "attempt"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([Attempt])

    class Classroom(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        school_id = CharField(index=True, max_length=100)
        name = CharField(max_length=200)
        grade = CharField(null=True, max_length=40)
        language = CharField(max_length=16, default="en")
        picture_password = BooleanField(default=True)

        class Meta:
            database = db
            table_name = "classroom"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([Classroom])

    class ContentPack(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        version = CharField(max_length=40)
        title = TextField()
        description = TextField()
        license = CharField(max_length=64)
        languages = TextField()
        manifest_sha256 = CharField(max_length=64)

        class Meta:
            database = db
            table_name = "content_pack"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([ContentPack])

    class Enrollment(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        classroom_id = CharField(index=True, max_length=100)
        person_id = CharField(index=True, max_length=100)
        role = CharField(max_length=16)

        class Meta:
            database = db
            table_name = "enrollment"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([Enrollment])

    class Feedback(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        person_id = CharField(index=True, max_length=100)
        author_id = CharField(max_length=100)
        activity_id = CharField(null=True, max_length=100)
        attempt_id = CharField(null=True, max_length=100)
        text = TextField()
        device_ms = BigIntegerField()
        received_ms = BigIntegerField()

        class Meta:
            database = db
            table_name = "feedback"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([Feedback])

    class Goal(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        person_id = CharField(index=True, max_length=100)
        set_by = CharField(max_length=100)
        term = CharField(max_length=8)
        kind = CharField(max_length=24)
        skill_id = CharField(null=True, max_length=100)
        activity_ids = TextField()
        target = IntegerField(null=True)
        text = TextField(default="")
        due_on = CharField(null=True, max_length=10)
        status = CharField(max_length=12, default="active")

        class Meta:
            database = db
            table_name = "goal"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([Goal])

    class Group(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        classroom_id = CharField(index=True, max_length=100)
        name = CharField(max_length=200)
        kind = CharField(max_length=16, default="custom")
        skill_id = CharField(null=True, max_length=100)

        class Meta:
            database = db
            table_name = "learning_group"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([Group])

    class GroupMember(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        group_id = CharField(index=True, max_length=100)
        person_id = CharField(index=True, max_length=100)

        class Meta:
            database = db
            table_name = "group_member"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([GroupMember])

    class Item(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        activity_id = CharField(index=True, max_length=100)
        slug = CharField(max_length=100)
        position = IntegerField()
        type = CharField(max_length=16)
        prompt = TextField()
        choices = TextField(null=True)
        answer = TextField()
        tolerance = FloatField(null=True)
        hints = TextField()

        class Meta:
            database = db
            table_name = "item"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([Item])

    class LearnerProfile(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        person_id = CharField(index=True, max_length=100)
        interests = TextField()
        motivations = TextField()
        modalities = TextField()
        languages = TextField()
        accommodations = TextField()
        notes = TextField(default="")

        class Meta:
            database = db
            table_name = "learner_profile"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([LearnerProfile])

    class LocalNode(Model):
        node_id = CharField(max_length=32)
        counter = BigIntegerField(default=0)
        hlc = BigIntegerField(default=0)
        school_id = CharField(null=True, max_length=100)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "local_node"

    db.create_tables([LocalNode])

    class Person(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        school_id = CharField(index=True, max_length=100)
        role = CharField(max_length=16)
        display_name = CharField(max_length=200)
        username = CharField(index=True, null=True, max_length=100)
        picture = CharField(null=True, max_length=40)
        password_hash = CharField(null=True, max_length=200)
        picture_password_hash = CharField(null=True, max_length=200)
        language = CharField(max_length=16, default="en")

        class Meta:
            database = db
            table_name = "person"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([Person])

    class Reflection(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        person_id = CharField(index=True, max_length=100)
        activity_id = CharField(null=True, max_length=100)
        attempt_id = CharField(null=True, max_length=100)
        confidence = IntegerField()
        text = TextField(default="")
        device_ms = BigIntegerField()
        received_ms = BigIntegerField()

        class Meta:
            database = db
            table_name = "reflection"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([Reflection])

    class RowHistory(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        table_name = CharField(max_length=64)
        row_id = CharField(index=True, max_length=100)
        version_origin = CharField(max_length=32)
        version_counter = BigIntegerField()
        version_hlc = BigIntegerField()
        data = TextField()
        kept_at = DateTimeField()

        class Meta:
            database = db
            table_name = "row_history"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([RowHistory])

    class School(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        name = CharField(max_length=200)
        code = CharField(null=True, max_length=40)
        languages = TextField()

        class Meta:
            database = db
            table_name = "school"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([School])

    class Skill(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        pack_id = CharField(index=True, max_length=100)
        slug = CharField(max_length=100)
        title = TextField()
        description = TextField()
        standard = CharField(max_length=100)
        case_uri = CharField(null=True, max_length=300)
        bkt = TextField(null=True)

        class Meta:
            database = db
            table_name = "skill"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([Skill])

    class SkillPrerequisite(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        skill_id = CharField(index=True, max_length=100)
        prerequisite_id = CharField(index=True, max_length=100)

        class Meta:
            database = db
            table_name = "skill_prerequisite"
            indexes = ((("partition", "origin", "counter"), False),)

    db.create_tables([SkillPrerequisite])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("skill_prerequisite"))
    migrator.migrate(migrator.drop_table("skill"))
    migrator.migrate(migrator.drop_table("school"))
    migrator.migrate(migrator.drop_table("row_history"))
    migrator.migrate(migrator.drop_table("reflection"))
    migrator.migrate(migrator.drop_table("person"))
    migrator.migrate(migrator.drop_table("local_node"))
    migrator.migrate(migrator.drop_table("learner_profile"))
    migrator.migrate(migrator.drop_table("item"))
    migrator.migrate(migrator.drop_table("group_member"))
    migrator.migrate(migrator.drop_table("learning_group"))
    migrator.migrate(migrator.drop_table("goal"))
    migrator.migrate(migrator.drop_table("feedback"))
    migrator.migrate(migrator.drop_table("enrollment"))
    migrator.migrate(migrator.drop_table("content_pack"))
    migrator.migrate(migrator.drop_table("classroom"))
    migrator.migrate(migrator.drop_table("attempt"))
    migrator.migrate(migrator.drop_table("assignment"))
    migrator.migrate(migrator.drop_table("asset"))
    migrator.migrate(migrator.drop_table("api_token"))
    migrator.migrate(migrator.drop_table("answer"))
    migrator.migrate(migrator.drop_table("activity_skill"))
    migrator.migrate(migrator.drop_table("activity"))
