# tests: pg
