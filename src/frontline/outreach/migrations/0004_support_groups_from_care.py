"""Care's group sessions become support groups among the lectures: each `care.GroupSession`
becomes a `Lecture` of kind "support_group" (its counsellor the host) and each
`care.SessionSignup` a `LectureRegistration`, with their times kept. Care then drops its own
models (care 0005). Reversible while care's tables are back: support groups go back to
sessions."""

from django.db import migrations

SUPPORT_GROUP = "support_group"
# care.ScreeningSource -> outreach.RegistrationSource (the same words on both sides)
SOURCES = {"portal": "portal", "worker": "worker"}


def sessions_to_support_groups(apps, schema_editor):
    GroupSession = apps.get_model("care", "GroupSession")
    SessionSignup = apps.get_model("care", "SessionSignup")
    Lecture = apps.get_model("outreach", "Lecture")
    LectureRegistration = apps.get_model("outreach", "LectureRegistration")
    lectures = {}
    for session in GroupSession.objects.order_by("id"):
        lectures[session.pk] = Lecture.objects.create(
            kind=SUPPORT_GROUP, community_id=session.community_id, topic=session.title,
            description=session.description, host_id=session.counsellor_id,
            starts_at=session.starts_at, minutes=session.minutes, capacity=session.capacity,
            joining=session.joining, created_by_id=session.created_by_id,
        )  # fmt: skip
        lectures[session.pk].created_at = session.created_at
        lectures[session.pk].updated_at = session.updated_at
    # auto_now(_add) would stamp today: the times are written back without them
    Lecture.objects.bulk_update(lectures.values(), ["created_at", "updated_at"], batch_size=500)
    registrations = []
    for signup in SessionSignup.objects.order_by("id"):
        registration = LectureRegistration.objects.create(
            lecture=lectures[signup.session_id], resident_id=signup.resident_id,
            source=SOURCES[signup.source],
        )  # fmt: skip
        registration.created_at = signup.created_at
        registrations.append(registration)
    LectureRegistration.objects.bulk_update(registrations, ["created_at"], batch_size=500)


def support_groups_to_sessions(apps, schema_editor):
    GroupSession = apps.get_model("care", "GroupSession")
    SessionSignup = apps.get_model("care", "SessionSignup")
    Lecture = apps.get_model("outreach", "Lecture")
    LectureRegistration = apps.get_model("outreach", "LectureRegistration")
    groups = Lecture.objects.filter(kind=SUPPORT_GROUP)
    sessions = {}
    for lecture in groups.order_by("id"):
        sessions[lecture.pk] = GroupSession.objects.create(
            community_id=lecture.community_id, title=lecture.topic,
            description=lecture.description, counsellor_id=lecture.host_id,
            starts_at=lecture.starts_at, minutes=lecture.minutes, capacity=lecture.capacity,
            joining=lecture.joining, created_by_id=lecture.created_by_id,
        )  # fmt: skip
        sessions[lecture.pk].created_at = lecture.created_at
        sessions[lecture.pk].updated_at = lecture.updated_at
    GroupSession.objects.bulk_update(sessions.values(), ["created_at", "updated_at"])
    signups = []
    for registration in LectureRegistration.objects.filter(lecture__in=groups).order_by("id"):
        signup = SessionSignup.objects.create(
            session=sessions[registration.lecture_id], resident_id=registration.resident_id,
            source=registration.source,
        )  # fmt: skip
        signup.created_at = registration.created_at
        signups.append(signup)
    SessionSignup.objects.bulk_update(signups, ["created_at"])
    groups.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0003_notice_attachments_door_reads_support_groups"),
        ("care", "0004_group_sessions"),
    ]

    operations = [migrations.RunPython(sessions_to_support_groups, support_groups_to_sessions)]
