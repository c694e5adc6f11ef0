"""Token in the query string (`?token=<key>`), for calendar apps that cannot send headers.

Only the iCalendar feed accepts it: a URL ends up in logs and history, so treat a subscribed
calendar URL like a password, and give it a Viewer's token.
"""
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class QueryStringTokenAuthentication(TokenAuthentication):
    query_param = "token"

    def authenticate(self, request):
        key = request.query_params.get(self.query_param)
        if not key:
            return None
        if len(key) > 40 or not key.isalnum():
            raise exceptions.AuthenticationFailed("Invalid token.")
        return self.authenticate_credentials(key)
