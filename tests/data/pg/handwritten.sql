-- Hand-written SQL (not from pg_dump) with escapes pg_dump never writes; loaded by psql and
-- by the importer, the results must be the same.
SET standard_conforming_strings = off;
SET escape_string_warning = off;
CREATE TABLE public.s (id integer PRIMARY KEY, v text);
INSERT INTO public.s VALUES (1, 'with std strings off \' is a quote; and \\ a backslash');
SET standard_conforming_strings = on;
INSERT INTO public.s VALUES (2, 'now \ is ordinary; ''quoted''');
INSERT INTO public.s VALUES (3, E'escape \'string\'; \x41\101\u0042');
INSERT INTO public.s VALUES (4, U&'d\0061t\+000061;');
INSERT INTO public.s VALUES (5, 'continued'
    ' string; here');
-- (an E'' string continued on the next line is left out: psql, which lexes line by line,
-- reads the continuation as a standard string; the server keeps the escapes. The importer
-- follows the server: see tests/unit/test_sql_lexer.c)
INSERT INTO public.s VALUES (6, 'six');
INSERT INTO public.s VALUES (7, $$dollar ' quote; $x$ inside$$), (8, $tag$ $$ ; $tag$);
/* a block /* nested; */ comment; */ INSERT INTO public.s VALUES (9, 'after comment');
INSERT INTO public.s VALUES (10, 'paren ( ; in string'), (11, (SELECT 'sub;query'));
CREATE TABLE public.c (a integer, b text);
COPY public.c (a, b) FROM stdin;
1	\\.
2	x\\.y
3	a\tb\\
\.
INSERT INTO public.s SELECT 12, b FROM public.c WHERE a = 1;
