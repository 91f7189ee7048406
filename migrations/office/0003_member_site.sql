-- The hospital or site a member works at (free text, may be empty): a
-- lesson prepared together names participants at several sites, and the
-- member directory (`GET /v1/members`) shows where each one works.
ALTER TABLE members ADD COLUMN site TEXT NOT NULL DEFAULT '';
