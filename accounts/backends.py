"""The lockout check that runs before Django's own password check (AUTHENTICATION_BACKENDS)."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check: a locked account or address is refused, even with the right password.

    Every sign-in over HTTP (the admin's login form, the API's token endpoint) passes the request.
    A call without one (the test client's `login()`, a shell) has no address to count and is not
    checked, where axes' own backend would refuse it.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
