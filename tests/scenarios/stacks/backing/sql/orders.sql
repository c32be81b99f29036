CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL, qty integer NOT NULL);
INSERT INTO orders (item, qty) VALUES ('apple', 3);
