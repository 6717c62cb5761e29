from django.urls import path

from .views import console, h5

urlpatterns = [
    path("console/feedback/", console.home, name="feedback_home"),
    path("console/feedback/c/<int:compound_id>/", console.ratings, name="feedback_ratings"),
    path("console/feedback/c/<int:compound_id>/surveys/", console.surveys, name="feedback_surveys"),
    path("console/feedback/ratings/<int:pk>/", console.rating, name="feedback_rating"),
    path("console/feedback/ratings/<int:pk>/call/", console.loop_call, name="feedback_call"),
    path("console/feedback/ratings/<int:pk>/fix/", console.loop_fix, name="feedback_fix"),
    path("console/feedback/ratings/<int:pk>/appeal/", console.loop_appeal, name="feedback_appeal"),
    path("console/feedback/ratings/<int:pk>/decide/", console.loop_decide, name="feedback_decide"),
    path("console/feedback/appeals/", console.appeals, name="feedback_appeals"),
    path("console/feedback/surveys/<int:pk>/", console.survey, name="feedback_survey"),
    path(
        "console/feedback/surveys/<int:pk>/export.xlsx",
        console.survey_export,
        name="feedback_survey_export",
    ),
    path("console/feedback/index/", console.index, name="feedback_index"),
    path("console/feedback/index/export.xlsx", console.index_export, name="feedback_index_export"),
    path("h5/feedback/", h5.home, name="feedback_h5"),
    path("h5/feedback/rate/<slug:kind>/<int:pk>/", h5.rate, name="feedback_h5_rate"),
    path("h5/feedback/ratings/<int:pk>/rerate/", h5.rerate, name="feedback_h5_rerate"),
    path("h5/feedback/surveys/<int:pk>/", h5.survey, name="feedback_h5_survey"),
]
