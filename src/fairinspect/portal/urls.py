"""/public/: the public site's home, news, policies, typical cases and feeds (no login), and
/public/manage/ for staff. The namespace is `public` (the enterprise's own home is another
app's)."""

from django.urls import path

from . import feeds, views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("feed/rss/", feeds.ArticlesRss(), name="rss"),
    path("feed/atom/", feeds.ArticlesAtom(), name="atom"),
    path("a/<int:article_id>/", views.article, name="article"),
    path("a/<int:article_id>/files/<int:attachment_id>/", views.attachment, name="attachment"),
    path("manage/", views.manage, name="manage"),
    path("manage/<int:article_id>/", views.edit, name="edit"),
    path("manage/<int:article_id>/<str:action>/", views.act, name="act"),
    path("<str:kind>/", views.article_list, name="list"),
]
