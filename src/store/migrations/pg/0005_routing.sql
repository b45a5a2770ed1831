-- 0005_routing: each request's routing explanation in the request log (the x-turnpike-routing
-- header, structured: a JSON array of {provider, model, outcome, status, reason}, written as
-- store::RoutingJson). Same as the SQLite 0011_routing.
ALTER TABLE request_log ADD COLUMN routing json NOT NULL DEFAULT '[]';
