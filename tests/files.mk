# tests: files
