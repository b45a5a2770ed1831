-- 0011_routing: each request's routing explanation in the request log (the x-turnpike-routing
-- header, structured: a JSON array of {provider, model, outcome, status, reason}, written as
-- store::RoutingJson).
ALTER TABLE request_log ADD COLUMN routing TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(routing));
