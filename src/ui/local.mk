# fragment for src/ui
