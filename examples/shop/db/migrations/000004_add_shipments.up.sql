-- Shipments: one per order once it ships.
CREATE TABLE shipments (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id    bigint NOT NULL REFERENCES orders (id),
    carrier     text NOT NULL,
    tracking    text,
    shipped_at  timestamptz NOT NULL DEFAULT now(),
);

CREATE UNIQUE INDEX idx_shipments_order_id ON shipments (order_id);
