"""Everything under /api/ answers JSON, whatever answers it."""

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIXES = ("/api/", "/health")


class APIErrorsAsJSONMiddleware:
    """An HTML error page for an API path (Django's debug pages under DEBUG, which bypass the
    JSON handlers in config/urls.py) becomes a JSON body with the same status and nothing of the
    page: no URL list, no settings, no traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith(API_PREFIXES)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            reason = (
                HTTPStatus(response.status_code).phrase
                if response.status_code in HTTPStatus._value2member_map_
                else "Error"
            )
            return JsonResponse({"detail": f"{reason}."}, status=response.status_code)
        return response


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
