"""A person's own API tokens (/accounts/tokens/): the devices and integrations that use the API
with their account, and revoking one. Only ever the signed-in person's own tokens: anyone
else's token is a 404, as if it did not exist. Staff revoke anyone's in the admin."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from .tokens import live_tokens_of, revoke_own_token, token_lifetime

TOKENS_PER_PAGE = 25


@login_required
@require_GET
def token_list(request):
    page = Paginator(live_tokens_of(request.user), TOKENS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/tokens.html",
        {"page": page, "ttl_days": token_lifetime().days},
    )


@login_required
@require_POST
def revoke(request, pk):
    token = revoke_own_token(request.user, pk)
    messages.success(
        request,
        gettext("Revoked “%(name)s”: it can no longer use your account.") % {"name": token.name},
    )
    return redirect("accounts-tokens")
