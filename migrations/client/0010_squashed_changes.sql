-- What a shared case's squashes folded, kept so that an editor still
-- showing one of the folded versions can be answered with exactly what it
-- showed (rebuilt from these changes and the document), across any number
-- of squashes: `bytes` is the folded change itself, `at` when it was
-- folded. Rows written before this release have neither and are answered
-- as before (`unfold`).
ALTER TABLE squashed ADD COLUMN bytes BLOB;
ALTER TABLE squashed ADD COLUMN at INTEGER;
