from django.conf import settings
from django.contrib.auth import logout
from django.utils import translation


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


class ChosenLanguageMiddleware:
    """Chinese unless the user picked another language with the switch in the header: the
    browser's Accept-Language is ignored (a government intranet serves Chinese by default)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
