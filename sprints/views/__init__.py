"""HTML views of the sprints app, split by page: `sprints` (list, detail, planning, start,
close, burndown, velocity), `board` (the board's moves, adding and removing items), `review`
(review, feedback, hypotheses, lessons) and `retro` (cards, votes, action items). Each module
brings its urlpatterns; sprints/urls.py joins them."""
