"""Staff notifications (/notifications/): the list, marking read, and each person's
preferences (e-mail per flag kind, a daily digest, language).

Views parse input, call one selector or service, render. A notification is reached only
through selectors.notification_for (the recipient's own, else 404); the list and its actions
need a coach or clinician role (403 otherwise). The preferences page is every signed-in
person's own (athletes choose only their language).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from athletes.access import roles_of, staff_required
from athletes.account_views import frame_for
from athletes.models import STAFF_ROLES

from . import selectors, services
from .middleware import remember_language
from .notification_forms import NotificationPreferenceForm

PAGE_SIZE = 25


def _page_number(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def _list_url(page) -> str:
    url = reverse("notifications:list")
    return f"{url}?page={page}" if page > 1 else url


def _list_context(request, page_number):
    now = timezone.now()
    page = Paginator(selectors.notifications_for(request.user), PAGE_SIZE).get_page(page_number)
    for notification in page:
        notification.line = selectors.flag_summary(notification.flag, now=now)
    return {
        "page": page,
        "unread_count": selectors.unread_notification_count(request.user),
    }


@never_cache
@staff_required
@require_http_methods(["GET"])
def notification_list(request):
    """The person's notifications, newest first, paginated."""
    context = _list_context(request, request.GET.get("page"))
    template = (
        "notifications/list.html#notification-list" if request.htmx else "notifications/list.html"
    )
    return render(request, template, context)


@staff_required
@require_POST
def notification_read(request, pk):
    """Mark one notification read; htmx swaps the list in place, a plain form goes back to
    the page it was on."""
    notification = selectors.notification_for(request.user, pk)
    services.mark_notification_read(notification)
    page = _page_number(request.POST.get("page"))
    if request.htmx:
        return render(
            request, "notifications/list.html#notification-list", _list_context(request, page)
        )
    return redirect(_list_url(page))


@staff_required
@require_POST
def notification_read_all(request):
    count = services.mark_all_notifications_read(request.user)
    if request.htmx:
        return render(
            request, "notifications/list.html#notification-list", _list_context(request, 1)
        )
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked read.", "%(count)d notifications marked read.", count
        )
        % {"count": count},
    )
    return redirect("notifications:list")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """E-mail per flag kind, each flag or a daily digest, and language; nothing is stored
    unless every field is valid."""
    staff = bool(roles_of(request.user) & set(STAFF_ROLES))
    preference = selectors.notification_preference(request.user)
    form = NotificationPreferenceForm(
        request.POST if request.method == "POST" else None, instance=preference, staff=staff
    )
    if form.is_valid():
        services.save_notification_preferences(
            request.user, {name: form.cleaned_data[name] for name in form.fields}
        )
        remember_language(request, form.cleaned_data["language"])
        messages.success(request, _("Your preferences are saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            **frame_for(request.user),
            "form": form,
            "staff": staff,
            "preference": preference,
            "zone_name": preference.time_zone or settings.TIME_ZONE,
        },
        status=400 if form.errors else 200,
    )
