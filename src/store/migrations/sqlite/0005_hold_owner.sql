-- Which server process took each hold, so that a restart releases at once the holds of a
-- process that is gone (and never those of one still running). '' for holds taken before this.
ALTER TABLE holds ADD COLUMN owner TEXT NOT NULL DEFAULT '';
CREATE INDEX holds_unsettled_owner ON holds (owner) WHERE settled_micros IS NULL;
