-- Enquiries from the contact form, and staff notes on them.

-- kind: media, membership, other (which staff role handles it is a site setting).
-- reference: what the sender is told, e.g. MED-7K3Q9P. deadline: a journalist's deadline
-- (unix seconds), media only. status: new, in_progress, answered, closed.
CREATE TABLE enquiries (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('media', 'membership', 'other')),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    outlet TEXT NOT NULL DEFAULT '',
    nation TEXT NOT NULL DEFAULT '',
    deadline INTEGER,
    subject TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'en',
    status TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'in_progress', 'answered', 'closed')),
    assignee_id INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX enquiries_inbox ON enquiries (kind, status, deadline, created_at);
CREATE INDEX enquiries_email ON enquiries (email);

-- Internal notes: never shown to the sender.
CREATE TABLE enquiry_notes (
    id INTEGER PRIMARY KEY,
    enquiry_id INTEGER NOT NULL REFERENCES enquiries (id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES users (id),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX enquiry_notes_enquiry ON enquiry_notes (enquiry_id);
