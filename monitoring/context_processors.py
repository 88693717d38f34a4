from functools import cache

from .selectors import unread_notification_count


def notification_bell(request):
    """The bell's unread count for the staff header (templates/base.html). Lazy: counted (one
    query) only by a page that shows it, once however often it is shown; the athlete's
    phone pages never do."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": cache(lambda: unread_notification_count(user))}
