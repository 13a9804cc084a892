"""HTML views of the backlog app, split by domain: `items` (backlog page, items, ranking) and
`products` (products, settings, members), `invitations`. Each module brings its urlpatterns."""
