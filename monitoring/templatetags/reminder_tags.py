"""The coach's reminder suggestion on the athlete page, as a self-contained partial (the
page's view does not need to know about reminders)."""

from django import template

from ..reminder_forms import SuggestionForm
from ..reminders import reminder_of

register = template.Library()


@register.inclusion_tag("coach/_reminder_suggestion.html", takes_context=True)
def reminder_suggestion(context, athlete, form=None):
    reminder = reminder_of(athlete)
    return {
        "athlete": athlete,
        "reminder": reminder,
        "form": form or SuggestionForm(initial={"time": reminder.suggested_time}),
        "csrf_token": context.get("csrf_token"),
    }
