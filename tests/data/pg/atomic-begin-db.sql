-- A SQL-standard function body reading a column named "begin": psql's lexer counts that
-- begin as a block opening and mis-splits the dump; the importer must not.
CREATE TABLE public.tab (id integer, "begin" integer);
CREATE FUNCTION public.atomic_f(t public.tab) RETURNS integer LANGUAGE sql
BEGIN ATOMIC
    SELECT CASE WHEN t.begin > 0 THEN t.begin ELSE 0 END;
    SELECT 1;
END;
INSERT INTO public.tab VALUES (1, 2), (3, NULL);
