-- Services atlas, part 2: organisations, services and where they are, shaped after
-- HSDS 3.0 / Open Referral UK so the API maps straight onto the tables. Ids are UUIDs.

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    website     TEXT NOT NULL DEFAULT '',
    is_demo     INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    updated_at  INTEGER NOT NULL
);
CREATE INDEX organizations_name ON organizations (name);

CREATE TABLE taxonomies (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    uri         TEXT NOT NULL DEFAULT '',
    version     TEXT NOT NULL DEFAULT ''
);

CREATE TABLE taxonomy_terms (
    id          TEXT PRIMARY KEY,
    taxonomy_id TEXT NOT NULL REFERENCES taxonomies (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    parent_id   TEXT REFERENCES taxonomy_terms (id)
);
CREATE INDEX taxonomy_terms_taxonomy ON taxonomy_terms (taxonomy_id);

CREATE TABLE services (
    id                      TEXT PRIMARY KEY,
    organization_id         TEXT NOT NULL REFERENCES organizations (id),
    name                    TEXT NOT NULL,
    kind                    TEXT NOT NULL CHECK (kind IN ('community', 'mbu', 'mmhs', 'other')),
    description             TEXT NOT NULL DEFAULT '',
    url                     TEXT NOT NULL DEFAULT '',
    email                   TEXT NOT NULL DEFAULT '',
    phone                   TEXT NOT NULL DEFAULT '',
    status                  TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'defunct', 'temporarily closed')),
    minimum_age             INTEGER,
    maximum_age             INTEGER,
    eligibility_description TEXT NOT NULL DEFAULT '',
    referral                TEXT NOT NULL DEFAULT '',
    hours                   TEXT NOT NULL DEFAULT '',
    beds                    INTEGER,
    source_url              TEXT NOT NULL DEFAULT '',
    verified                TEXT NOT NULL DEFAULT 'no' CHECK (verified IN ('yes', 'no')),
    verified_on             TEXT NOT NULL DEFAULT '',
    verified_by             TEXT NOT NULL DEFAULT '',
    notes                   TEXT NOT NULL DEFAULT '',
    is_demo                 INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    updated_at              INTEGER NOT NULL
);
CREATE INDEX services_organization ON services (organization_id);
CREATE INDEX services_kind ON services (kind, status);
CREATE INDEX services_updated ON services (updated_at);

CREATE TABLE locations (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL DEFAULT '',
    address_1      TEXT NOT NULL DEFAULT '',
    city           TEXT NOT NULL DEFAULT '',
    state_province TEXT NOT NULL DEFAULT '',
    postal_code    TEXT NOT NULL DEFAULT '',
    country        TEXT NOT NULL DEFAULT 'GB',
    latitude       REAL,
    longitude      REAL,
    position_note  TEXT NOT NULL DEFAULT '',
    area_code      TEXT REFERENCES areas (code)
);
CREATE INDEX locations_area ON locations (area_code);

CREATE TABLE service_at_locations (
    id          TEXT PRIMARY KEY,
    service_id  TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations (id)
);
CREATE INDEX service_at_locations_service ON service_at_locations (service_id);
CREATE INDEX service_at_locations_location ON service_at_locations (location_id);

CREATE TABLE service_areas (
    id          TEXT PRIMARY KEY,
    service_id  TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    area_code   TEXT NOT NULL REFERENCES areas (code),
    UNIQUE (service_id, area_code)
);
CREATE INDEX service_areas_area ON service_areas (area_code);

CREATE TABLE service_terms (
    id               TEXT PRIMARY KEY,
    service_id       TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    taxonomy_term_id TEXT NOT NULL REFERENCES taxonomy_terms (id),
    UNIQUE (service_id, taxonomy_term_id)
);
CREATE INDEX service_terms_term ON service_terms (taxonomy_term_id);

CREATE TABLE schedules (
    id          TEXT PRIMARY KEY,
    service_id  TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    byday       TEXT NOT NULL DEFAULT '',
    opens_at    TEXT NOT NULL DEFAULT '',
    closes_at   TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT ''
);
CREATE INDEX schedules_service ON schedules (service_id);
