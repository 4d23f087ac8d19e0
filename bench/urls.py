from django.urls import URLPattern, URLResolver, include, path

from quizfunnel.urls import urlpatterns as quizfunnel_urlpatterns

urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/ceiling/", include("bench.ceiling.urls")),
    path("bench/peer/", include("bench.peer.urls")),
    *quizfunnel_urlpatterns,
]
