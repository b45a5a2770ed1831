-- 0011_routing: each request's routing explanation in the request log (the x-turnpike-routing
-- header, structured: a JSON array of {provider, model, outcome, status, reason}, written as
-- store::RoutingJson); and each endpoint's data policy, which OpenRouter's provider preferences
-- `data_collection: "deny"` and `zdr: true` route by (store::Endpoint, catalog/README.md).
-- Endpoints already in the catalog read "allow" and not zdr until the catalog is imported again.
ALTER TABLE request_log ADD COLUMN routing TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(routing));
ALTER TABLE model_providers ADD COLUMN data_collection TEXT NOT NULL DEFAULT 'allow'
  CHECK (data_collection IN ('allow', 'deny'));
ALTER TABLE model_providers ADD COLUMN zdr INTEGER NOT NULL DEFAULT 0 CHECK (zdr IN (0, 1));
-- OpenRouter's canonical_slug of a model ('' = its id), from the catalog (store::Model).
ALTER TABLE models ADD COLUMN canonical_slug TEXT NOT NULL DEFAULT '';
