import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils import translation

TOUCHED_KEY = "_dandang_touched"


class SessionIdleTimeoutMiddleware:
    """Sessions expire after SESSION_IDLE_TIMEOUT seconds without a request: each request
    pushes the expiry back. The session is written at most once per SESSION_TOUCH_INTERVAL
    seconds for that, not on every request (a write per page view costs more than the page's
    own queries). A user disabled meanwhile is signed out at once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_active:
            logout(request)
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get(TOUCHED_KEY, 0) >= settings.SESSION_TOUCH_INTERVAL:
                session[TOUCHED_KEY] = now  # marks it modified: SessionMiddleware saves it
        return response


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
