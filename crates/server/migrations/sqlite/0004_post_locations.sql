-- Where each gate is (gatewatch_model::GeoPoint): WGS-84 microdegrees, both or neither
-- (the server writes them as one value). Lets a phone preselect the gate it stands at.
ALTER TABLE posts ADD COLUMN lat_e6 INTEGER CHECK (lat_e6 BETWEEN -90000000 AND 90000000);
ALTER TABLE posts ADD COLUMN lon_e6 INTEGER CHECK (lon_e6 BETWEEN -180000000 AND 180000000);
