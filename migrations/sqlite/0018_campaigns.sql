-- Campaign weeks (Maternal Mental Health Awareness Week, World Maternal Mental Health Day)
-- and the activities members and supporters register for them. Dates are days in
-- Europe/London ("YYYY-MM-DD"); session times are Unix seconds (UTC), shown in UK time.
CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_cy TEXT NOT NULL DEFAULT '',
    hashtag TEXT NOT NULL DEFAULT '',
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    description_cy TEXT NOT NULL DEFAULT '',
    involved TEXT NOT NULL DEFAULT '',
    involved_cy TEXT NOT NULL DEFAULT '',
    published INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
    -- The evaluation summary staff write from the survey, shown once published.
    evaluation TEXT NOT NULL DEFAULT '',
    evaluation_published INTEGER NOT NULL DEFAULT 0 CHECK (evaluation_published IN (0, 1)),
    survey_sent_at INTEGER NOT NULL DEFAULT 0,
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX campaigns_dates ON campaigns (published, ends_on);

-- The theme of each day of a campaign.
CREATE TABLE campaign_days (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    theme TEXT NOT NULL DEFAULT '',
    theme_cy TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (campaign_id, day)
);

-- status: pending (waiting for a moderator), changes (moderator asked for changes),
-- approved (public), rejected, cancelled (by its organiser). kind: online, in_person,
-- social. uid is the stable iCalendar identity; sequence counts public changes.
-- was_public: it was approved once, so feeds must report its removal.
CREATE TABLE activities (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    title TEXT NOT NULL,
    organiser TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('online', 'in_person', 'social')),
    audience TEXT NOT NULL DEFAULT '',
    booking_url TEXT NOT NULL DEFAULT '',
    venue TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL DEFAULT '',
    area_code TEXT NOT NULL DEFAULT '',
    nation TEXT NOT NULL DEFAULT '',
    latitude REAL,
    longitude REAL,
    contact_name TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'en',
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'changes', 'approved', 'rejected', 'cancelled')),
    moderator_note TEXT NOT NULL DEFAULT '',
    featured INTEGER NOT NULL DEFAULT 0 CHECK (featured IN (0, 1)),
    was_public INTEGER NOT NULL DEFAULT 0 CHECK (was_public IN (0, 1)),
    sequence INTEGER NOT NULL DEFAULT 0,
    manage_hash TEXT NOT NULL UNIQUE,
    first_start INTEGER NOT NULL DEFAULT 0,
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX activities_campaign ON activities (campaign_id, status, first_start);
CREATE INDEX activities_status ON activities (status, created_at);
CREATE INDEX activities_updated ON activities (updated_at);
CREATE INDEX activities_email ON activities (contact_email);

-- One or more sessions of an activity.
CREATE TABLE activity_sessions (
    activity_id INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    day TEXT NOT NULL,
    PRIMARY KEY (activity_id, n)
);
CREATE INDEX activity_sessions_day ON activity_sessions (day, starts_at);

-- Evaluation survey answers after a campaign. role: organiser, participant.
CREATE TABLE campaign_survey (
    id INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    activity_id INTEGER,
    role TEXT NOT NULL CHECK (role IN ('organiser', 'participant')),
    nation TEXT NOT NULL DEFAULT '',
    reach INTEGER NOT NULL DEFAULT 0,
    worked TEXT NOT NULL DEFAULT '',
    quote TEXT NOT NULL DEFAULT '',
    quote_ok INTEGER NOT NULL DEFAULT 0 CHECK (quote_ok IN (0, 1)),
    created_at INTEGER NOT NULL
);
CREATE INDEX campaign_survey_campaign ON campaign_survey (campaign_id);

-- Further private links sent to an activity's organiser (with each moderation email);
-- every link sent keeps working. Only hashes are kept.
CREATE TABLE activity_links (
    hash TEXT PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE
);
CREATE INDEX activity_links_activity ON activity_links (activity_id);
