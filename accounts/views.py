"""Setting up and passing the second factor after signing in with a password."""

from __future__ import annotations

import io

import segno
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.forms import CodeForm
from accounts.mfa import (
    confirmed_totp,
    device_for_code,
    mfa_required,
    mfa_session_verify,
    mfa_setup_confirm,
    normalise_code,
    totp_pending,
)
from send_tracker.security import security_event, session_kept, session_seconds_left


def _next_url(request: HttpRequest) -> str:
    """Where to go after the second factor: a path on this site only, never a URL name or another site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    ):
        return target
    return "/"


@never_cache
@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    if confirmed_totp(request.user) is not None:
        return redirect("accounts:mfa_verify")
    device = totp_pending(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(normalise_code(form.cleaned_data["code"])):
            codes = mfa_setup_confirm(device=device)
            mfa_session_verify(request, device)
            security_event("mfa_set_up", request)
            # Shown once, in the response to the confirming POST: never stored anywhere the page could be reloaded from.
            return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("code", "The code is not correct. Check your authenticator app and enter the code it shows now")
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return render(
        request,
        "accounts/mfa_setup.html",
        {"form": form, "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)), "next": _next_url(request)},
    )


@never_cache
@login_required
def mfa_setup_qr(request: HttpRequest) -> HttpResponse:
    """The pending authenticator app's otpauth URI as a QR code (an image served from our origin, so CSP stays strict)."""
    if confirmed_totp(request.user) is not None:
        return HttpResponse(status=404)
    svg = io.BytesIO()
    segno.make(totp_pending(request.user).config_url, error="m").save(svg, kind="svg", scale=5, border=4, xmldecl=False)
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


@never_cache
@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not mfa_required(request):
        return HttpResponseRedirect(_next_url(request))
    if confirmed_totp(user) is None:
        return redirect("accounts:mfa_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = normalise_code(form.cleaned_data["code"])
        device = device_for_code(user, code)
        allowed, throttle = device.verify_is_allowed() if device else (True, None)
        if not allowed:
            security_event("mfa_throttled", request)
            wait_until = throttle["locked_until"].astimezone().strftime("%H:%M:%S")
            form.add_error("code", f"You have entered too many wrong codes. Wait until {wait_until} and try again")
        elif device is not None and device.verify_token(code):
            mfa_session_verify(request, device)
            security_event("mfa_verified", request, method="recovery code" if device.__class__.__name__ == "StaticDevice" else "app")
            return HttpResponseRedirect(_next_url(request))
        else:
            security_event("mfa_failed", request)
            # Wrong codes count towards the same lockout as wrong passwords.
            user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
            if getattr(request, "axes_locked_out", False):
                logout(request)
                return HttpResponse(status=429)  # AxesMiddleware replaces this with the lockout page
            form.add_error("code", "The code is not correct. Enter the code your authenticator app shows now, or a recovery code")
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@require_http_methods(["GET", "POST"])
def session_time(request: HttpRequest) -> JsonResponse:
    """How long the person's session has left (asking is not activity); POST keeps them signed in ("Stay signed in")."""
    if not request.user.is_authenticated:
        return JsonResponse({"seconds_left": 0, "extendable": False})
    if request.method == "POST":
        session_kept(request)
    left, extendable = session_seconds_left(request)
    # Counted from a whole second before the session was last saved: while this request is still signed in, the
    # session has not ended, whatever the count says, and the page asks again in a moment.
    return JsonResponse({"seconds_left": max(left, 1), "extendable": extendable})
