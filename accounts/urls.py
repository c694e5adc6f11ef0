from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("two-factor/", views.set_up_two_factor, name="two-factor"),
    path("language/", views.set_language, name="set-language"),
    path("two-factor/code/", views.verify_two_factor, name="two-factor-verify"),
]
