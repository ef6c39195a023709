from __future__ import annotations

from django.urls import path

from community.views import notifications

urlpatterns = [
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/read/", notifications.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:notification_id>/", notifications.notification_open, name="notification_open"),
    path("notifications/unsubscribe/<str:token>/", notifications.unsubscribe, name="notifications_unsubscribe"),
    path("settings/notifications/", notifications.notification_settings, name="notification_settings"),
]
