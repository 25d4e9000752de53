-- Builds a database full of objects that are awkward to split or load (run with psql on the
-- source server). Its pg_dump is the input of tests/integration/import-differential.sh.
CREATE EXTENSION cube;
CREATE EXTENSION earthdistance;
CREATE SCHEMA "Odd Schema";
CREATE ROLE reader NOLOGIN;
CREATE SEQUENCE public.counter START 42;

CREATE TABLE public.tab (
    id integer PRIMARY KEY,
    "begin" integer,
    txt text,
    arr text[],
    j jsonb,
    lat double precision,
    lon double precision,
    doubled integer GENERATED ALWAYS AS (id * 2) STORED,
    seq integer DEFAULT nextval('public.counter')
);
COMMENT ON TABLE public.tab IS 'it''s a table; with (parens) and $$ dollars $$ and \backslash';
COMMENT ON COLUMN public.tab."begin" IS E'a column named begin\nsecond line';
CREATE INDEX tab_earth ON public.tab USING gist (ll_to_earth(lat, lon));
CREATE UNIQUE INDEX tab_txt ON public.tab (txt);
CREATE INDEX tab_j ON public.tab USING gin (j);

CREATE TABLE "Odd Schema"."Mixed Case" ("Key" text PRIMARY KEY, "semi;colon" bytea);
CREATE TABLE public.log (id serial PRIMARY KEY, msg text, at timestamptz DEFAULT '2020-01-01 00:00:00+00');
CREATE TABLE public.child (id integer PRIMARY KEY, tab_id integer REFERENCES public.tab(id));

CREATE TABLE public.parted (id integer, region text, amount numeric) PARTITION BY LIST (region);
CREATE TABLE public.parted_eu PARTITION OF public.parted FOR VALUES IN ('eu');
CREATE TABLE public.parted_us PARTITION OF public.parted FOR VALUES IN ('us');
ALTER TABLE public.parted ADD PRIMARY KEY (id, region);
CREATE INDEX parted_amount ON public.parted (amount);

CREATE FUNCTION public.dollar_f(x integer) RETURNS integer LANGUAGE plpgsql
    AS $$ BEGIN RETURN x + 1; END; $$;
-- the body holds $$, so pg_dump must choose another tag
CREATE FUNCTION public.tagged_f() RETURNS text LANGUAGE plpgsql
    AS $body$ BEGIN RETURN '$$;'' end; $x$'; END $body$;
CREATE FUNCTION public.estr_f() RETURNS text LANGUAGE sql
    AS $q$ SELECT E'it\'s; (not) the end' $q$;
CREATE FUNCTION public.atomic_plain(a integer) RETURNS integer LANGUAGE sql
BEGIN ATOMIC
    SELECT CASE WHEN a > 0 THEN a ELSE 0 END;
    SELECT a + 1;
END;
CREATE PROCEDURE public.atomic_proc(a integer) LANGUAGE sql
BEGIN ATOMIC
    INSERT INTO public.log (msg) VALUES ('proc; called');
END;

CREATE FUNCTION public.log_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.log (msg) VALUES ('changed: ' || NEW.id || E';\n');
    RETURN NEW;
END;
$$;
CREATE TRIGGER tab_changed AFTER UPDATE ON public.tab FOR EACH ROW EXECUTE FUNCTION public.log_trigger();

CREATE VIEW public.tab_view AS SELECT id, "begin", txt || ';' AS txt_semi FROM public.tab WHERE txt <> '(';
CREATE RULE log_rule AS ON INSERT TO public.child DO ALSO (
    INSERT INTO public.log (msg) VALUES ('child; inserted');
    INSERT INTO public.log (msg) VALUES ('second; (action)')
);
GRANT SELECT ON public.tab, public.tab_view TO reader;
GRANT USAGE ON SCHEMA "Odd Schema" TO reader;
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO reader;

INSERT INTO public.tab (id, "begin", txt, arr, j, lat, lon) VALUES
    (1, 1, E'tab\there', '{a,"b c",NULL}', '{"k": "v;\\\\x"}', 52.5, 13.4),
    (2, -1, E'line1\nline2\r\n', '{}', 'null', -33.9, 151.2),
    (3, NULL, E'\\.', NULL, '[1,2]', 0, 0),
    (4, 0, E'x\n\\.\ny', '{"\\\\.", "\\."}', '{}', 90, 180),
    (5, 7, E'back\\slash \\N not null', '{"{nested}"}', '"s"', NULL, NULL),
    (6, 8, 'Grüße 😀 ünïcödé', '{ä,ö}', '{"ü": "ß"}', 1.5, 2.5),
    (7, 9, NULL, NULL, NULL, NULL, NULL),
    (8, 10, '\.\', '{"a\tb"}', '{}', 10, 10),
    (9, 11, ' leading and trailing ', '{" "}', '{}', 11, 11);
INSERT INTO "Odd Schema"."Mixed Case" VALUES ('k;1', '\x00ff5c2e0a'), (E'k\t2', NULL);
INSERT INTO public.child VALUES (1, 1), (2, 2);
INSERT INTO public.parted SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, g * 1.5
    FROM generate_series(1, 50) g;
INSERT INTO public.log (msg) SELECT 'row ' || g FROM generate_series(1, 200) g;
SELECT setval('public.counter', 99);
