-- SQLite workload: an orders/customers database built and queried.
PRAGMA journal_mode = WAL;
CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, city TEXT);
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER, amount REAL, day TEXT, note TEXT);
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO customers SELECT i, 'customer' || i, 'city' || (i % 97) FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)
INSERT INTO orders SELECT i, (i * 7919) % 20000 + 1, (i % 1000) / 10.0,
	date('2020-01-01', '+' || (i % 1000) || ' days'), 'note ' || hex(randomblob(8)) FROM n;
COMMIT;
CREATE INDEX orders_customer ON orders(customer);
CREATE INDEX orders_day ON orders(day);
SELECT city, count(*), sum(amount) FROM orders JOIN customers ON customers.id = orders.customer
	GROUP BY city ORDER BY 3 DESC LIMIT 5;
SELECT customer, sum(amount) OVER (PARTITION BY customer ORDER BY day) FROM orders WHERE customer < 200 LIMIT 5;
SELECT substr(day, 1, 7) AS m, avg(amount) FROM orders GROUP BY m ORDER BY m;
BEGIN;
UPDATE orders SET amount = amount * 1.1 WHERE day >= '2021-01-01';
DELETE FROM orders WHERE id % 10 = 0;
COMMIT;
CREATE VIRTUAL TABLE notes USING fts5(note);
INSERT INTO notes SELECT note FROM orders WHERE id % 3 = 0;
SELECT count(*) FROM notes WHERE notes MATCH 'note';
SELECT count(*) FROM orders o1 WHERE amount > (SELECT avg(amount) FROM orders o2 WHERE o2.customer = o1.customer);
PRAGMA wal_checkpoint(TRUNCATE);
