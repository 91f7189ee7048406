-- Review rubrics an office defines beside the built-in ones (Glassick's
-- criteria, 评课): `rounds-office rubric add`. The body is the rubric as
-- JSON (name, labels, scale, criteria), checked when it is added; devices
-- receive it with the member directory, and the office checks reviews
-- that use it. A rubric is replaced by adding one of the same name.
CREATE TABLE rubrics (
    office  TEXT NOT NULL REFERENCES offices(id),
    name    TEXT NOT NULL,
    body    TEXT NOT NULL,
    created INTEGER NOT NULL,
    PRIMARY KEY (office, name)
) STRICT;
