from __future__ import annotations

from django.urls import path, register_converter

from community.views import brand, comments, follows, home, lists, members, posts, preview, search, threads, uploads


class KindConverter:
    """/questions/, /discussions/, /ideas/, /articles/."""

    regex = "questions|discussions|ideas|articles"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KindConverter, "kind")

urlpatterns = [
    path("", home.home, name="home"),
    path("brand.css", brand.brand_css, name="brand_css"),
    # Lists
    path("threads/", lists.all_threads, name="thread_list"),
    path("<kind:kind>/", lists.kind_list, name="kind_list"),
    path("spaces/", lists.space_list, name="space_list"),
    path("s/<slug:slug>/", lists.space_detail, name="space_detail"),
    path("tags/", lists.tag_index, name="tag_index"),
    path("tags/<str:tag>/", lists.tag_detail, name="tag_detail"),
    path("s/<slug:slug>/follow/", follows.space_follow, name="space_follow"),
    path("tags/<str:tag>/follow/", follows.tag_follow, name="tag_follow"),
    # Threads
    path("t/<int:thread_id>/", threads.thread_detail, name="thread_short"),
    path("t/<int:thread_id>/<str:slug>/", threads.thread_detail, name="thread_detail"),
    path("threads/<int:thread_id>/answers/", threads.answer_create_view, name="answer_create"),
    path("threads/<int:thread_id>/me-too/", threads.thread_me_too, name="thread_me_too"),
    path("threads/<int:thread_id>/follow/", follows.thread_follow, name="thread_follow"),
    path("ask/", threads.ask, name="ask"),
    path("ask/similar/", threads.ask_similar, name="ask_similar"),
    path("ask/tags/", threads.tags_suggest_view, name="tags_suggest"),
    path("search/", search.search, name="search"),
    # Posts
    path("p/<int:post_id>/vote/", posts.post_vote, name="post_vote"),
    path("p/<int:post_id>/accept/", posts.post_accept, name="post_accept"),
    path("p/<int:post_id>/comments/", posts.comment_create_view, name="comment_create"),
    path("p/<int:post_id>/edit/", posts.post_edit_view, name="post_edit"),
    path("p/<int:post_id>/delete/", posts.post_delete_view, name="post_delete"),
    path("c/<int:comment_id>/edit/", comments.comment_edit_view, name="comment_edit"),
    path("c/<int:comment_id>/delete/", comments.comment_delete_view, name="comment_delete"),
    path("p/<int:post_id>/history/", posts.post_history_view, name="post_history"),
    path("p/<int:post_id>/history/<int:number>/rollback/", posts.post_rollback_view, name="post_rollback"),
    path("uploads/images/", uploads.image_upload, name="image_upload"),
    path("preview/", preview.markdown_preview, name="markdown_preview"),
    # Members
    path("u/<str:username>/", members.member_profile, name="member_profile"),
]
