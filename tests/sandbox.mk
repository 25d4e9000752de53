# tests: sandbox
