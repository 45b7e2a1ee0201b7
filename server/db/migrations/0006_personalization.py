"""0006 personalization: fitted knowledge-tracing parameters, and when a goal was set.

``skill_fit`` holds what ``baobab fit-mastery`` fits; ``goal.created_ms`` paces goals.

A frozen copy of the model as it was: migrations never import server.models.
(0005 is another branch's number; the runner applies files by name, gaps are fine.)
"""

from peewee import BigIntegerField, BooleanField, CharField, FloatField, IntegerField, Model


def up(migrator, db):
    class SkillFit(Model):
        id = CharField(primary_key=True, max_length=100)
        partition = CharField(max_length=100)
        origin = CharField(max_length=32)
        counter = BigIntegerField()
        hlc = BigIntegerField()
        deleted = BooleanField(default=False)
        skill_id = CharField(index=True, max_length=100)
        prior = FloatField()
        learn = FloatField()
        guess = FloatField()
        slip = FloatField()
        students = IntegerField()
        answers = IntegerField()
        fitted_ms = BigIntegerField()

        class Meta:
            database = db
            table_name = "skill_fit"
            indexes = ((("origin", "counter"), False),)  # as 0005 made them

    db.create_tables([SkillFit])
    migrator.migrate(migrator.add_column("goal", "created_ms", BigIntegerField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("goal", "created_ms"), migrator.drop_table("skill_fit"))
