-- Orders paid before the status column existed.
UPDATE orders SET status = 'paid' WHERE placed_at < '2024-01-01';
