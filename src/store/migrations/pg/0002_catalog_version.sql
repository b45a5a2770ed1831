-- 0002_catalog_version: a counter that every change to the catalog moves (companies, providers,
-- models, endpoints, prices), in the transaction of the change. A server process reads it a few
-- times a second, one row, and reloads its catalog snapshot when it moved, so that a change made
-- by another process (the control plane, `turnpike catalog import`) serves within a second
-- (CatalogStore::CatalogVersion). Same as the SQLite 0008_catalog_version.
CREATE TABLE catalog_version (
  id      integer PRIMARY KEY CHECK (id = 1),
  version bigint  NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 0);

CREATE FUNCTION turnpike_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE catalog_version SET version = version + 1 WHERE id = 1;
  RETURN NULL;
END
$$;

-- Once per statement: an import of many rows moves it once.
CREATE TRIGGER companies_changed AFTER INSERT OR UPDATE OR DELETE ON companies
  FOR EACH STATEMENT EXECUTE FUNCTION turnpike_catalog_changed();
CREATE TRIGGER providers_changed AFTER INSERT OR UPDATE OR DELETE ON providers
  FOR EACH STATEMENT EXECUTE FUNCTION turnpike_catalog_changed();
CREATE TRIGGER models_changed AFTER INSERT OR UPDATE OR DELETE ON models
  FOR EACH STATEMENT EXECUTE FUNCTION turnpike_catalog_changed();
CREATE TRIGGER model_providers_changed AFTER INSERT OR UPDATE OR DELETE ON model_providers
  FOR EACH STATEMENT EXECUTE FUNCTION turnpike_catalog_changed();
CREATE TRIGGER price_history_changed AFTER INSERT OR DELETE ON price_history
  FOR EACH STATEMENT EXECUTE FUNCTION turnpike_catalog_changed();
