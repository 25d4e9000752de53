# tests: discover
