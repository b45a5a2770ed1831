-- 0005_routing: each request's routing explanation in the request log (the x-turnpike-routing
-- header, structured: a JSON array of {provider, model, outcome, status, reason}, written as
-- store::RoutingJson); and each endpoint's data policy, which OpenRouter's provider preferences
-- `data_collection: "deny"` and `zdr: true` route by (store::Endpoint, catalog/README.md).
-- Same as the SQLite 0011_routing.
ALTER TABLE request_log ADD COLUMN routing json NOT NULL DEFAULT '[]';
ALTER TABLE model_providers ADD COLUMN data_collection text NOT NULL DEFAULT 'allow'
  CHECK (data_collection IN ('allow', 'deny'));
ALTER TABLE model_providers ADD COLUMN zdr boolean NOT NULL DEFAULT false;
-- OpenRouter's canonical_slug of a model ('' = its id), from the catalog (store::Model).
ALTER TABLE models ADD COLUMN canonical_slug text NOT NULL DEFAULT '';
