CREATE TABLE visits (id serial PRIMARY KEY, user_name text NOT NULL, n integer NOT NULL);
