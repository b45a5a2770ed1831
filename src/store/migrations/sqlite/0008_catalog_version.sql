-- 0008_catalog_version: a counter that every change to the catalog moves (companies, providers,
-- models, endpoints, prices), in the transaction of the change. A server process reads it a few
-- times a second, one row, and reloads its catalog snapshot when it moved, so that a change made
-- by another process (the control plane, `turnpike catalog import`) serves within a second
-- (CatalogStore::CatalogVersion). SQLite triggers are per row: an import moves it once a row.
CREATE TABLE catalog_version (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
) STRICT;
INSERT INTO catalog_version (id, version) VALUES (1, 0);
CREATE TRIGGER companies_insert_changed AFTER INSERT ON companies
  BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER companies_update_changed AFTER UPDATE ON companies
  BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER companies_delete_changed AFTER DELETE ON companies
  BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER providers_insert_changed AFTER INSERT ON providers
  BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER providers_update_changed AFTER UPDATE ON providers
  BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER providers_delete_changed AFTER DELETE ON providers
  BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER models_insert_changed AFTER INSERT ON models
  BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER models_update_changed AFTER UPDATE ON models
  BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER models_delete_changed AFTER DELETE ON models
  BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER model_providers_insert_changed AFTER INSERT ON model_providers
  BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER model_providers_update_changed AFTER UPDATE ON model_providers
  BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER model_providers_delete_changed AFTER DELETE ON model_providers
  BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER price_history_insert_changed AFTER INSERT ON price_history
  BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER price_history_delete_changed AFTER DELETE ON price_history
  BEGIN UPDATE catalog_version SET version = version + 1 WHERE id = 1; END;
