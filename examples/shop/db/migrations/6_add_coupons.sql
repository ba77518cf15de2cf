CREATE TABLE coupons (code text PRIMARY KEY, percent_off int NOT NULL);
