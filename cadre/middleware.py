from django.contrib.auth import logout


class SessionIdleTimeoutMiddleware:
    """Sessions expire after SESSION_IDLE_TIMEOUT seconds without a request (the cookie age
    slides with each request); a user disabled meanwhile is signed out at once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_active:
            logout(request)
        return self.get_response(request)
