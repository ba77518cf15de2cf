-- Nothing to undo: the backfill only corrected data.
SELECT 1;
