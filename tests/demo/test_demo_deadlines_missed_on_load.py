import pytest
from django.core.management import call_command

from agreements.choices import DeadlineStatus
from agreements.models import Deadline

pytestmark = pytest.mark.django_db


def test_loading_the_demo_marks_its_past_deadlines_missed_at_their_due_moment(capsys):
    call_command("load_demo")

    assert "Deadlines missed: 7." in capsys.readouterr().out
    deadlines = Deadline.objects.all()
    assert deadlines.count() == 7  # every demo deadline is years past
    for deadline in deadlines:
        assert deadline.status == DeadlineStatus.MISSED, deadline
        assert deadline.missed_at == deadline.due_at
